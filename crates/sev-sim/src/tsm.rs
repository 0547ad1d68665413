//! An in-memory configfs-tsm report tree ([`MemTsmFs`]) behind the [`sev_sys::TsmFs`] seam.
//!
//! It follows the kernel's report protocol: entries are directories created and removed by
//! name, every accepted write to a writable attribute bumps `generation`, and reading a blob
//! (`outblob`, `auxblob`, `manifestblob`) produces all blobs together for the current
//! generation and caches them until the next write. The blobs themselves come from a callback
//! ([`TsmGenerator`]), so this tree does not depend on any particular report engine.
//!
//! For tests of the callers it can also play the parts of the environment that are hard to
//! arrange on a real machine: a missing root, another provider, a privilege floor, a
//! concurrent writer bumping the generation before a chosen read, per-attribute errno
//! injection and raw contents for the text attributes.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use sev_sys::TsmFs;
use sev_sys::uapi::tsm::{TSM_REPORT_INBLOB_MAX, TSM_REPORT_OUTBLOB_MAX, TSM_REPORT_PRIVLEVEL_MAX};
use sev_types::Guid;

pub use crate::errno;

/// The inputs of one report generation, as the provider sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsmRequest {
    /// The entry (directory name) the report is generated for.
    pub entry: String,
    /// The generation the blobs are produced for.
    pub generation: u64,
    /// The configured provider name (`sev_guest` by default).
    pub provider: String,
    /// The bytes last written to `inblob`.
    pub inblob: Vec<u8>,
    /// The value last written to `privlevel` (the floor when never written).
    pub privlevel: u32,
    /// `service_provider`, when written (e.g. `svsm`).
    pub service_provider: Option<String>,
    /// `service_guid`, when written.
    pub service_guid: Option<Guid>,
    /// `service_manifest_version` (0 unless written).
    pub service_manifest_version: u32,
}

/// The blobs of one report generation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsmResponse {
    /// `outblob`: the report.
    pub outblob: Vec<u8>,
    /// `auxblob`: the certificate table (may be empty).
    pub auxblob: Vec<u8>,
    /// `manifestblob`: the service manifest, when the provider produced one (read as empty
    /// otherwise).
    pub manifest: Option<Vec<u8>>,
}

/// The callback that produces the blobs of a generation. An `Err` is what the blob read fails
/// with (and is not cached: the next read calls the callback again, like the kernel).
pub type TsmGenerator = Box<dyn FnMut(&TsmRequest) -> io::Result<TsmResponse> + Send>;

/// A file operation on the tree, to aim an injected error at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SimOp {
    /// `mkdir` of any entry.
    Create,
    /// `rmdir` of any entry.
    Remove,
    /// Reading the named attribute of any entry.
    Read(String),
    /// Writing the named attribute of any entry.
    Write(String),
}

impl SimOp {
    /// Reading `attr`.
    pub fn read(attr: &str) -> Self {
        SimOp::Read(attr.to_owned())
    }

    /// Writing `attr`.
    pub fn write(attr: &str) -> Self {
        SimOp::Write(attr.to_owned())
    }
}

#[derive(Debug, Default)]
struct Entry {
    inblob: Option<Vec<u8>>,
    privlevel: Option<u32>,
    service_provider: Option<String>,
    service_guid: Option<Guid>,
    service_manifest_version: u32,
    generation: u64,
    cache: Option<(u64, TsmResponse)>,
}

/// Attributes that can be written.
const WRITABLE: &[&str] = &[
    "inblob",
    "privlevel",
    "service_provider",
    "service_guid",
    "service_manifest_version",
];
/// Attributes that can be read.
const READABLE: &[&str] = &[
    "outblob",
    "auxblob",
    "manifestblob",
    "provider",
    "generation",
    "privlevel_floor",
];
/// Attributes that exist only when the guest runs under an SVSM.
const SERVICE_ATTRS: &[&str] = &[
    "service_provider",
    "service_guid",
    "service_manifest_version",
    "manifestblob",
];

/// An in-memory configfs-tsm report tree; see the [module documentation](self).
pub struct MemTsmFs {
    root: bool,
    provider: String,
    floor: u32,
    svsm: bool,
    entries: BTreeMap<String, Entry>,
    generator: TsmGenerator,
    generator_calls: usize,
    reads: usize,
    races: BTreeSet<usize>,
    faults: BTreeMap<SimOp, i32>,
    overrides: BTreeMap<String, Vec<u8>>,
    created: usize,
    removed: usize,
}

impl core::fmt::Debug for MemTsmFs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemTsmFs")
            .field("root", &self.root)
            .field("provider", &self.provider)
            .field("floor", &self.floor)
            .field("svsm", &self.svsm)
            .field("entries", &self.entries.keys().collect::<Vec<_>>())
            .field("generator_calls", &self.generator_calls)
            .field("reads", &self.reads)
            .finish_non_exhaustive()
    }
}

fn os(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code)
}

/// `kstrtouint`-like: decimal, one optional trailing newline.
fn parse_uint(value: &[u8]) -> Option<u32> {
    let value = value.strip_suffix(b"\n").unwrap_or(value);
    if value.is_empty() || value.len() > 10 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

impl MemTsmFs {
    /// A present root with provider `sev_guest`, `privlevel_floor` 0, no SVSM, whose blobs
    /// come from `generator`.
    pub fn new(generator: impl FnMut(&TsmRequest) -> io::Result<TsmResponse> + Send + 'static) -> Self {
        MemTsmFs {
            root: true,
            provider: "sev_guest".to_owned(),
            floor: 0,
            svsm: false,
            entries: BTreeMap::new(),
            generator: Box::new(generator),
            generator_calls: 0,
            reads: 0,
            races: BTreeSet::new(),
            faults: BTreeMap::new(),
            overrides: BTreeMap::new(),
            created: 0,
            removed: 0,
        }
    }

    /// No report root (configfs not mounted, or no `CONFIG_TSM_REPORTS`).
    pub fn without_root(mut self) -> Self {
        self.root = false;
        self
    }

    /// The `provider` attribute (e.g. `tdx_guest`).
    pub fn with_provider(mut self, provider: &str) -> Self {
        self.provider = provider.to_owned();
        self
    }

    /// The `privlevel_floor` (the VMPL the guest runs at).
    pub fn with_floor(mut self, floor: u32) -> Self {
        self.floor = floor;
        self
    }

    /// Whether the guest runs under an SVSM: only then do the `service_*` attributes and
    /// `manifestblob` exist.
    pub fn with_svsm(mut self, svsm: bool) -> Self {
        self.svsm = svsm;
        self
    }

    /// A simulated concurrent writer: just before the `n`th read (1-based, counting every
    /// [`TsmFs::read_attr`] call on this tree) it writes `inblob` of the entry being read,
    /// as another process sharing the entry would (the generation goes up by one and the
    /// cached blobs go stale). May be called several times for several reads.
    pub fn with_race_before_read(mut self, n: usize) -> Self {
        self.races.insert(n);
        self
    }

    /// Every `op` fails with `errno` (e.g. [`errno::EIO`] on `SimOp::read("outblob")`).
    /// Injected errors take precedence over every other check.
    pub fn with_error(mut self, op: SimOp, errno: i32) -> Self {
        self.faults.insert(op, errno);
        self
    }

    /// Reads of `attr` (any entry) return exactly `raw`, whatever the state, e.g. a
    /// malformed `generation`.
    pub fn with_raw_attr(mut self, attr: &str, raw: &[u8]) -> Self {
        self.overrides.insert(attr.to_owned(), raw.to_vec());
        self
    }

    /// The names of the entries that currently exist.
    pub fn entries(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// How many entries were created so far.
    pub fn created_count(&self) -> usize {
        self.created
    }

    /// How many entries were removed so far.
    pub fn removed_count(&self) -> usize {
        self.removed
    }

    /// How often the generator was called.
    pub fn generator_calls(&self) -> usize {
        self.generator_calls
    }

    /// How many reads were made (the counter [`Self::with_race_before_read`] refers to).
    pub fn read_count(&self) -> usize {
        self.reads
    }

    /// The current generation of `entry`, if it exists.
    pub fn generation(&self, entry: &str) -> Option<u64> {
        self.entries.get(entry).map(|e| e.generation)
    }

    fn fault(&self, op: &SimOp) -> io::Result<()> {
        match self.faults.get(op) {
            Some(&code) => Err(os(code)),
            None => Ok(()),
        }
    }

    fn attr_exists(&self, attr: &str) -> bool {
        (WRITABLE.contains(&attr) || READABLE.contains(&attr)) && (self.svsm || !SERVICE_ATTRS.contains(&attr))
    }

    fn blobs(&mut self, entry: &str) -> io::Result<TsmResponse> {
        let floor = self.floor;
        let provider = self.provider.clone();
        let e = self.entries.get_mut(entry).ok_or_else(|| os(errno::ENOENT))?;
        if let Some((generation, blobs)) = &e.cache {
            if *generation == e.generation {
                return Ok(blobs.clone());
            }
        }
        let Some(inblob) = e.inblob.clone() else {
            return Err(os(errno::EINVAL));
        };
        if provider == "sev_guest" && inblob.len() != TSM_REPORT_INBLOB_MAX {
            return Err(os(errno::EINVAL));
        }
        let request = TsmRequest {
            entry: entry.to_owned(),
            generation: e.generation,
            provider,
            inblob,
            privlevel: e.privlevel.unwrap_or(floor),
            service_provider: e.service_provider.clone(),
            service_guid: e.service_guid,
            service_manifest_version: e.service_manifest_version,
        };
        self.generator_calls += 1;
        let blobs = (self.generator)(&request)?;
        let too_big = |b: &[u8]| b.len() > TSM_REPORT_OUTBLOB_MAX;
        if too_big(&blobs.outblob) || too_big(&blobs.auxblob) || blobs.manifest.as_deref().is_some_and(too_big) {
            return Err(os(errno::EFBIG));
        }
        if let Some(e) = self.entries.get_mut(entry) {
            e.cache = Some((request.generation, blobs.clone()));
        }
        Ok(blobs)
    }
}

impl TsmFs for MemTsmFs {
    fn root_exists(&self) -> bool {
        self.root
    }

    fn create_entry(&mut self, entry: &str) -> io::Result<()> {
        self.fault(&SimOp::Create)?;
        if !self.root {
            return Err(os(errno::ENOENT));
        }
        if entry.is_empty() || entry.contains('/') || entry == "." || entry == ".." {
            return Err(os(errno::EINVAL));
        }
        if self.entries.contains_key(entry) {
            return Err(os(errno::EEXIST));
        }
        self.entries.insert(entry.to_owned(), Entry::default());
        self.created += 1;
        Ok(())
    }

    fn remove_entry(&mut self, entry: &str) -> io::Result<()> {
        self.fault(&SimOp::Remove)?;
        if self.entries.remove(entry).is_none() {
            return Err(os(errno::ENOENT));
        }
        self.removed += 1;
        Ok(())
    }

    fn write_attr(&mut self, entry: &str, attr: &str, value: &[u8]) -> io::Result<()> {
        self.fault(&SimOp::Write(attr.to_owned()))?;
        if !self.entries.contains_key(entry) {
            return Err(os(errno::ENOENT));
        }
        if !self.attr_exists(attr) {
            return Err(os(errno::ENOENT));
        }
        if !WRITABLE.contains(&attr) {
            return Err(os(errno::EACCES));
        }
        let floor = self.floor;
        let Some(e) = self.entries.get_mut(entry) else {
            return Err(os(errno::ENOENT));
        };
        match attr {
            "inblob" => {
                if value.len() > TSM_REPORT_INBLOB_MAX {
                    return Err(os(errno::EFBIG));
                }
                e.inblob = Some(value.to_vec());
            }
            "privlevel" => {
                let level = parse_uint(value).ok_or_else(|| os(errno::EINVAL))?;
                if level > TSM_REPORT_PRIVLEVEL_MAX || level < floor {
                    return Err(os(errno::EINVAL));
                }
                e.privlevel = Some(level);
            }
            "service_provider" => {
                let text = std::str::from_utf8(value).map_err(|_| os(errno::EINVAL))?;
                if text.is_empty() {
                    return Err(os(errno::EINVAL));
                }
                e.service_provider = Some(text.to_owned());
            }
            "service_guid" => {
                let text = std::str::from_utf8(value).map_err(|_| os(errno::EINVAL))?;
                let text = text.strip_suffix('\n').unwrap_or(text);
                let guid = Guid::from_str_rfc4122(text).ok_or_else(|| os(errno::EINVAL))?;
                e.service_guid = Some(guid);
            }
            "service_manifest_version" => {
                e.service_manifest_version = parse_uint(value).ok_or_else(|| os(errno::EINVAL))?;
            }
            _ => return Err(os(errno::ENOENT)),
        }
        e.generation = e.generation.wrapping_add(1);
        Ok(())
    }

    fn read_attr(&mut self, entry: &str, attr: &str, max: usize) -> io::Result<Vec<u8>> {
        self.reads += 1;
        if self.races.contains(&self.reads) {
            if let Some(e) = self.entries.get_mut(entry) {
                let other = match &e.inblob {
                    Some(b) => b.iter().map(|x| !x).collect(),
                    None => vec![0xA5; TSM_REPORT_INBLOB_MAX],
                };
                e.inblob = Some(other);
                e.generation = e.generation.wrapping_add(1);
            }
        }
        self.fault(&SimOp::Read(attr.to_owned()))?;
        if !self.entries.contains_key(entry) {
            return Err(os(errno::ENOENT));
        }
        let out = if let Some(raw) = self.overrides.get(attr) {
            raw.clone()
        } else {
            if !self.attr_exists(attr) {
                return Err(os(errno::ENOENT));
            }
            if !READABLE.contains(&attr) {
                return Err(os(errno::EACCES));
            }
            match attr {
                "provider" => format!("{}\n", self.provider).into_bytes(),
                "privlevel_floor" => format!("{}\n", self.floor).into_bytes(),
                "generation" => {
                    let generation = self.generation(entry).unwrap_or_default();
                    format!("{generation}\n").into_bytes()
                }
                "outblob" => self.blobs(entry)?.outblob,
                "auxblob" => self.blobs(entry)?.auxblob,
                "manifestblob" => self.blobs(entry)?.manifest.unwrap_or_default(),
                _ => return Err(os(errno::ENOENT)),
            }
        };
        if out.len() > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{attr} is larger than {max} bytes"),
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo() -> MemTsmFs {
        MemTsmFs::new(|r| {
            Ok(TsmResponse {
                outblob: r.inblob.clone(),
                auxblob: vec![r.privlevel as u8],
                manifest: None,
            })
        })
    }

    #[test]
    fn generation_counts_writes_and_blobs_are_cached() {
        let mut fs = echo().with_floor(1);
        fs.create_entry("a").unwrap();
        assert_eq!(fs.read_attr("a", "generation", 64).unwrap(), b"0\n");
        assert_eq!(fs.read_attr("a", "outblob", 64).unwrap_err().raw_os_error(), Some(22));
        fs.write_attr("a", "inblob", &[7; 64]).unwrap();
        assert_eq!(
            fs.write_attr("a", "inblob", &[7; 65]).unwrap_err().raw_os_error(),
            Some(27)
        );
        assert_eq!(
            fs.write_attr("a", "privlevel", b"0").unwrap_err().raw_os_error(),
            Some(22)
        );
        assert_eq!(
            fs.write_attr("a", "privlevel", b"4").unwrap_err().raw_os_error(),
            Some(22)
        );
        fs.write_attr("a", "privlevel", b"2\n").unwrap();
        assert_eq!(fs.read_attr("a", "generation", 64).unwrap(), b"2\n");
        assert_eq!(fs.read_attr("a", "outblob", 64).unwrap(), vec![7; 64]);
        assert_eq!(fs.read_attr("a", "auxblob", 64).unwrap(), vec![2]);
        assert_eq!(fs.generator_calls(), 1);
        assert_eq!(
            fs.write_attr("a", "bogus", b"1").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(
            fs.write_attr("a", "service_provider", b"svsm").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        assert_eq!(fs.create_entry("a").unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        fs.remove_entry("a").unwrap();
        assert!(fs.entries().is_empty());
    }

    #[test]
    fn race_bumps_generation() {
        let mut fs = echo().with_race_before_read(2);
        fs.create_entry("a").unwrap();
        fs.write_attr("a", "inblob", &[1; 64]).unwrap();
        assert_eq!(fs.read_attr("a", "generation", 64).unwrap(), b"1\n");
        assert_eq!(fs.read_attr("a", "outblob", 64).unwrap(), vec![0xFE; 64]);
        assert_eq!(fs.generation("a"), Some(2));
    }
}
