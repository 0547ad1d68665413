//! The configfs-tsm backend: attestation reports through the kernel's report tree
//! (`/sys/kernel/config/tsm/report`, Linux 6.7 and later), including SVSM service manifests
//! (6.10 and later).
//!
//! One report takes a private entry: [`TsmClient`] creates a uniquely named directory, reads
//! `generation`, `provider` and `privlevel_floor`, writes `inblob`, `privlevel` and (for an
//! SVSM) the `service_*` attributes, then reads `outblob`, `auxblob` and `manifestblob`. After
//! every read it re-reads `generation`: if it moved by anything but its own writes, another
//! writer raced it and the blobs may belong to other inputs, so it fails with
//! [`TsmError::Race`] instead of handing out torn evidence. The entry is always removed, also
//! when something failed.
//!
//! [`probe`] tells whether the interface is usable here and, if not, why.

use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use sev_sys::uapi::tsm::{TSM_REPORT_INBLOB_MAX, TSM_REPORT_OUTBLOB_MAX, TSM_REPORT_PRIVLEVEL_MAX};
use sev_sys::{StdTsmFs, TsmFs};
use sev_types::Guid;

use crate::evidence::{Evidence, EvidenceSource, Provider};

/// The provider name of AMD SEV-SNP guests.
pub const SEV_GUEST_PROVIDER: &str = "sev_guest";

/// Largest text attribute read (configfs attributes are at most a page).
const TEXT_MAX: usize = 4096;

/// How often entry creation is retried when a name is taken.
const CREATE_ATTEMPTS: u32 = 8;

/// A file operation of the protocol, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsmOp {
    /// Creating the report entry (`mkdir`).
    CreateEntry,
    /// Removing the report entry (`rmdir`).
    RemoveEntry,
    /// Writing an attribute.
    Write(&'static str),
    /// Reading an attribute.
    Read(&'static str),
}

impl core::fmt::Display for TsmOp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TsmOp::CreateEntry => f.write_str("creating the report entry"),
            TsmOp::RemoveEntry => f.write_str("removing the report entry"),
            TsmOp::Write(a) => write!(f, "writing {a}"),
            TsmOp::Read(a) => write!(f, "reading {a}"),
        }
    }
}

/// Errors of the configfs-tsm backend.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TsmError {
    /// The report root does not exist.
    #[error(
        "configfs-tsm report root not found: configfs not mounted at /sys/kernel/config or kernel without CONFIG_TSM_REPORTS"
    )]
    RootAbsent,
    /// A file operation failed; the `source` keeps the kind and errno.
    #[error("configfs-tsm: {op} of entry {entry}: {source} ({diagnosis})")]
    Io {
        /// What was being done.
        op: TsmOp,
        /// The report entry.
        entry: String,
        /// The error of the file operation.
        #[source]
        source: io::Error,
        /// What the error most likely means.
        diagnosis: &'static str,
    },
    /// Every generated entry name was taken.
    #[error("configfs-tsm: no free report entry name after {attempts} attempts")]
    NamesExhausted {
        /// How many names were tried.
        attempts: u32,
    },
    /// The provider is not `sev_guest`.
    #[error("configfs-tsm provider is {found:?}, not \"sev_guest\" (not an AMD SEV-SNP guest)")]
    WrongProvider {
        /// The provider found.
        found: String,
    },
    /// The requested privlevel (VMPL) is below `privlevel_floor`.
    #[error(
        "requested privlevel (VMPL) {requested} is below privlevel_floor {floor}: the guest runs at VMPL {floor} and cannot ask for a more privileged level"
    )]
    PrivlevelBelowFloor {
        /// The requested level.
        requested: u32,
        /// The floor the kernel reported.
        floor: u32,
    },
    /// The requested privlevel is above `TSM_REPORT_PRIVLEVEL_MAX`.
    #[error("requested privlevel (VMPL) {requested} is above the maximum {max}")]
    PrivlevelAboveMax {
        /// The requested level.
        requested: u32,
        /// The maximum (3).
        max: u32,
    },
    /// `generation` moved by more than our own writes: another writer used the entry.
    #[error(
        "configfs-tsm: generation is {found} after {after}, expected {expected}: another writer raced this request, the blobs may not match our inputs"
    )]
    Race {
        /// The read after which the generation was checked.
        after: &'static str,
        /// The generation expected from our own writes.
        expected: u64,
        /// The generation found.
        found: u64,
    },
    /// `generation` moved by less than our writes: a write was dropped (binary attribute
    /// writes are handed to the kernel on close and their error can be lost).
    #[error(
        "configfs-tsm: generation is {found} after {after}, expected {expected}: a write was not accepted by the kernel"
    )]
    WriteLost {
        /// The read after which the generation was checked.
        after: &'static str,
        /// The generation expected from our own writes.
        expected: u64,
        /// The generation found.
        found: u64,
    },
    /// A blob is larger than the configfs cap.
    #[error("configfs-tsm: {attr} is larger than {max} bytes")]
    Oversized {
        /// The attribute.
        attr: &'static str,
        /// The cap.
        max: usize,
    },
    /// A text attribute does not hold what the ABI says.
    #[error("configfs-tsm: malformed {attr}: {value:?}")]
    MalformedAttr {
        /// The attribute.
        attr: &'static str,
        /// Its contents (lossy, shortened).
        value: String,
    },
    /// `outblob` was empty.
    #[error("configfs-tsm: outblob is empty")]
    EmptyReport,
    /// The `service_*` attributes or `manifestblob` do not exist.
    #[error("configfs-tsm: {attr} does not exist: kernel older than 6.10 or guest not running under an SVSM")]
    ServiceUnavailable {
        /// The missing attribute.
        attr: &'static str,
        /// The error of the file operation.
        #[source]
        source: io::Error,
    },
}

impl TsmError {
    /// The underlying I/O error, when there is one.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            TsmError::Io { source, .. } | TsmError::ServiceUnavailable { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The `io::ErrorKind` of the underlying I/O error.
    pub fn kind(&self) -> Option<io::ErrorKind> {
        self.io_error().map(io::Error::kind)
    }

    /// The errno of the underlying I/O error.
    pub fn raw_os_error(&self) -> Option<i32> {
        self.io_error().and_then(io::Error::raw_os_error)
    }
}

/// What an errno most likely means for an operation of the protocol (sev_guest semantics).
fn diagnose(op: TsmOp, e: &io::Error) -> &'static str {
    let blob = matches!(op, TsmOp::Read("outblob" | "auxblob" | "manifestblob"));
    match (e.raw_os_error(), e.kind()) {
        (Some(libc::EACCES | libc::EPERM), _) | (_, io::ErrorKind::PermissionDenied) => {
            "permission denied: configfs-tsm needs root (CAP_SYS_ADMIN)"
        }
        (Some(libc::ENXIO), _) if blob => "the firmware failed the report request (or no TSM provider is loaded)",
        (Some(libc::ENXIO), _) => "no TSM provider is loaded (sev-guest module missing?)",
        (Some(libc::EINVAL), _) if blob => {
            "the firmware rejected the request (INVALID_PARAM/INVALID_KEY), or inblob is not 64 bytes"
        }
        (Some(libc::EINVAL), _) => "the kernel rejected the value",
        (Some(libc::ENOTTY), _) => "the VMPCK was wiped after a failed message; reboot the guest",
        (Some(libc::ETIMEDOUT), _) => "the host stayed busy for more than 60 seconds",
        (Some(libc::ENOMEM), _) if blob => "the report is too large for the provider",
        (Some(libc::EFBIG), _) => "value larger than the kernel accepts",
        (Some(libc::EBUSY), _) => "too many writes without a read",
        (Some(libc::ENOENT), _) | (_, io::ErrorKind::NotFound) => {
            "no such entry or attribute (removed by someone else, or not supported by this kernel)"
        }
        _ => "unexpected error",
    }
}

/// An SVSM service request: `service_provider`, and optionally `service_guid` and
/// `service_manifest_version`. Makes the report come from the SVSM with its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvsmService {
    /// `service_provider` (`svsm`).
    pub provider: String,
    /// `service_guid`: one service; `None` leaves the kernel default (all services).
    pub guid: Option<Guid>,
    /// `service_manifest_version`; `None` leaves the kernel default (0).
    pub manifest_version: Option<u32>,
}

impl SvsmService {
    /// All services of the SVSM (`service_provider = svsm`, nothing else written).
    pub fn svsm() -> Self {
        SvsmService {
            provider: "svsm".to_owned(),
            guid: None,
            manifest_version: None,
        }
    }

    /// Only the service `guid`.
    pub fn with_guid(mut self, guid: Guid) -> Self {
        self.guid = Some(guid);
        self
    }

    /// Manifest version `version`.
    pub fn with_manifest_version(mut self, version: u32) -> Self {
        self.manifest_version = Some(version);
        self
    }
}

/// A configfs-tsm report client over a [`TsmFs`]; see the [module documentation](self).
#[derive(Debug)]
pub struct TsmClient<F: TsmFs> {
    fs: F,
    service: Option<SvsmService>,
}

impl TsmClient<StdTsmFs> {
    /// The kernel's tree at `/sys/kernel/config/tsm/report`.
    pub fn new() -> Self {
        Self::with_fs(StdTsmFs::new())
    }

    /// A tree at `root` (another configfs mount point, or a test directory).
    pub fn at(root: impl AsRef<std::path::Path>) -> Self {
        Self::with_fs(StdTsmFs::at(root))
    }
}

impl Default for TsmClient<StdTsmFs> {
    fn default() -> Self {
        Self::new()
    }
}

/// Removes the entry when dropped, unless [`EntryGuard::remove`] already did.
struct EntryGuard<'a, F: TsmFs> {
    fs: &'a mut F,
    name: String,
    armed: bool,
}

impl<F: TsmFs> EntryGuard<'_, F> {
    fn remove(mut self) -> Result<(), TsmError> {
        self.armed = false;
        self.fs
            .remove_entry(&self.name)
            .map_err(|source| io_err(TsmOp::RemoveEntry, &self.name, source))
    }
}

impl<F: TsmFs> Drop for EntryGuard<'_, F> {
    fn drop(&mut self) {
        if self.armed {
            let _ = self.fs.remove_entry(&self.name);
        }
    }
}

fn io_err(op: TsmOp, entry: &str, source: io::Error) -> TsmError {
    let diagnosis = diagnose(op, &source);
    TsmError::Io {
        op,
        entry: entry.to_owned(),
        source,
        diagnosis,
    }
}

/// A shortened, lossy rendering of untrusted bytes for error messages.
fn shown(raw: &[u8]) -> String {
    let mut s = String::from_utf8_lossy(&raw[..raw.len().min(64)]).into_owned();
    if raw.len() > 64 {
        s.push('…');
    }
    s
}

/// The text of a text attribute: UTF-8, one optional trailing newline removed.
fn text<'a>(attr: &'static str, raw: &'a [u8]) -> Result<&'a str, TsmError> {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    std::str::from_utf8(raw).map_err(|_| TsmError::MalformedAttr {
        attr,
        value: shown(raw),
    })
}

/// Parses a decimal text attribute (`generation`, `privlevel_floor`).
pub fn parse_decimal(attr: &'static str, raw: &[u8]) -> Result<u64, TsmError> {
    let malformed = || TsmError::MalformedAttr {
        attr,
        value: shown(raw),
    };
    let t = text(attr, raw).map_err(|_| malformed())?;
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed());
    }
    t.parse().map_err(|_| malformed())
}

/// Parses the `provider` attribute: a non-empty name of ASCII letters, digits and `_`/`-`.
pub fn parse_provider(raw: &[u8]) -> Result<String, TsmError> {
    let t = text("provider", raw)?;
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(TsmError::MalformedAttr {
            attr: "provider",
            value: shown(raw),
        });
    }
    Ok(t.to_owned())
}

/// Parses `privlevel_floor`: a decimal not above `TSM_REPORT_PRIVLEVEL_MAX`.
pub fn parse_privlevel_floor(raw: &[u8]) -> Result<u32, TsmError> {
    let v = parse_decimal("privlevel_floor", raw)?;
    match u32::try_from(v) {
        Ok(v) if v <= TSM_REPORT_PRIVLEVEL_MAX => Ok(v),
        _ => Err(TsmError::MalformedAttr {
            attr: "privlevel_floor",
            value: shown(raw),
        }),
    }
}

/// One request on one entry: keeps the expected generation.
struct Session<'a, F: TsmFs> {
    fs: &'a mut F,
    entry: &'a str,
    expected: u64,
}

impl<F: TsmFs> Session<'_, F> {
    fn read(&mut self, attr: &'static str, max: usize) -> Result<Vec<u8>, TsmError> {
        let out = self
            .fs
            .read_attr(self.entry, attr, max)
            .map_err(|source| self.read_error(attr, max, source))?;
        if out.len() > max {
            return Err(TsmError::Oversized { attr, max });
        }
        Ok(out)
    }

    fn read_error(&self, attr: &'static str, max: usize, source: io::Error) -> TsmError {
        let blob = matches!(attr, "outblob" | "auxblob" | "manifestblob");
        // StdTsmFs reports a read over `max` as InvalidData; the kernel's own cap is EFBIG.
        if blob && (source.raw_os_error() == Some(libc::EFBIG) || source.kind() == io::ErrorKind::InvalidData) {
            return TsmError::Oversized { attr, max };
        }
        if attr == "manifestblob" && source.kind() == io::ErrorKind::NotFound {
            return TsmError::ServiceUnavailable { attr, source };
        }
        io_err(TsmOp::Read(attr), self.entry, source)
    }

    fn generation(&mut self) -> Result<u64, TsmError> {
        let raw = self.read("generation", TEXT_MAX)?;
        parse_decimal("generation", &raw)
    }

    /// Re-reads `generation` after the read of `after` and compares it with our own count.
    fn check(&mut self, after: &'static str) -> Result<(), TsmError> {
        let found = self.generation()?;
        if found == self.expected {
            Ok(())
        } else if found.wrapping_sub(self.expected) < u64::MAX / 2 {
            Err(TsmError::Race {
                after,
                expected: self.expected,
                found,
            })
        } else {
            Err(TsmError::WriteLost {
                after,
                expected: self.expected,
                found,
            })
        }
    }

    /// Reads `attr` and checks the generation afterwards.
    fn checked_read(&mut self, attr: &'static str, max: usize) -> Result<Vec<u8>, TsmError> {
        let out = self.read(attr, max)?;
        self.check(attr)?;
        Ok(out)
    }

    fn write(&mut self, attr: &'static str, value: &[u8]) -> Result<(), TsmError> {
        self.fs.write_attr(self.entry, attr, value).map_err(|source| {
            if attr.starts_with("service_") && source.kind() == io::ErrorKind::NotFound {
                TsmError::ServiceUnavailable { attr, source }
            } else {
                io_err(TsmOp::Write(attr), self.entry, source)
            }
        })?;
        self.expected = self.expected.wrapping_add(1);
        Ok(())
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh entry name: process id, a process-wide counter and a random suffix.
fn entry_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    format!("snp-guest-{}-{n}-{:016x}", std::process::id(), h.finish())
}

/// Creates a uniquely named entry, retrying on `AlreadyExists`.
fn create_entry<F: TsmFs>(fs: &mut F) -> Result<String, TsmError> {
    if !fs.root_exists() {
        return Err(TsmError::RootAbsent);
    }
    for _ in 0..CREATE_ATTEMPTS {
        let name = entry_name();
        match fs.create_entry(&name) {
            Ok(()) => return Ok(name),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound && !fs.root_exists() => {
                return Err(TsmError::RootAbsent);
            }
            Err(source) => return Err(io_err(TsmOp::CreateEntry, &name, source)),
        }
    }
    Err(TsmError::NamesExhausted {
        attempts: CREATE_ATTEMPTS,
    })
}

/// Runs `f` on a fresh entry and removes the entry afterwards, whatever happened. A removal
/// error is reported only when `f` succeeded.
fn with_entry<F: TsmFs, T>(fs: &mut F, f: impl FnOnce(&mut F, &str) -> Result<T, TsmError>) -> Result<T, TsmError> {
    let name = create_entry(fs)?;
    let guard = EntryGuard { fs, name, armed: true };
    let result = f(guard.fs, &guard.name);
    let removed = guard.remove();
    let out = result?;
    removed?;
    Ok(out)
}

impl<F: TsmFs> TsmClient<F> {
    /// A client over `fs`.
    pub fn with_fs(fs: F) -> Self {
        TsmClient { fs, service: None }
    }

    /// Asks the SVSM for the reports (with its service manifest).
    pub fn with_service(mut self, service: SvsmService) -> Self {
        self.service = Some(service);
        self
    }

    /// The SVSM service asked for, if any.
    pub fn service(&self) -> Option<&SvsmService> {
        self.service.as_ref()
    }

    /// The file system.
    pub fn fs(&self) -> &F {
        &self.fs
    }

    /// The file system, mutably.
    pub fn fs_mut(&mut self) -> &mut F {
        &mut self.fs
    }

    /// The file system, giving up the client.
    pub fn into_inner(self) -> F {
        self.fs
    }

    /// Whether configfs-tsm is usable through this client's file system, and why not.
    pub fn probe(&mut self) -> TsmProbe {
        probe(&mut self.fs)
    }

    /// A report carrying `user_data` at privlevel (VMPL) `privlevel`, with the host's
    /// certificate table and, when a service is configured, the SVSM manifest.
    pub fn report(&mut self, user_data: &[u8; 64], privlevel: u32) -> Result<Evidence, TsmError> {
        if privlevel > TSM_REPORT_PRIVLEVEL_MAX {
            return Err(TsmError::PrivlevelAboveMax {
                requested: privlevel,
                max: TSM_REPORT_PRIVLEVEL_MAX,
            });
        }
        let service = self.service.clone();
        with_entry(&mut self.fs, |fs, entry| {
            let mut s = Session { fs, entry, expected: 0 };
            s.expected = s.generation()?;
            let provider = parse_provider(&s.checked_read("provider", TEXT_MAX)?)?;
            if provider != SEV_GUEST_PROVIDER {
                return Err(TsmError::WrongProvider { found: provider });
            }
            let floor = parse_privlevel_floor(&s.checked_read("privlevel_floor", TEXT_MAX)?)?;
            if privlevel < floor {
                return Err(TsmError::PrivlevelBelowFloor {
                    requested: privlevel,
                    floor,
                });
            }
            debug_assert_eq!(user_data.len(), TSM_REPORT_INBLOB_MAX);
            s.write("inblob", user_data)?;
            s.write("privlevel", privlevel.to_string().as_bytes())?;
            if let Some(svc) = &service {
                s.write("service_provider", svc.provider.as_bytes())?;
                if let Some(guid) = svc.guid {
                    s.write("service_guid", guid.to_string().as_bytes())?;
                }
                if let Some(v) = svc.manifest_version {
                    s.write("service_manifest_version", v.to_string().as_bytes())?;
                }
            }
            s.check("the writes")?;
            let report = s.checked_read("outblob", TSM_REPORT_OUTBLOB_MAX)?;
            if report.is_empty() {
                return Err(TsmError::EmptyReport);
            }
            let certs = s.checked_read("auxblob", TSM_REPORT_OUTBLOB_MAX)?;
            let manifest = match service {
                Some(_) => Some(s.checked_read("manifestblob", TSM_REPORT_OUTBLOB_MAX)?),
                None => None,
            };
            Ok(Evidence {
                report,
                certs,
                manifest,
                provider: Provider::Configfs(provider),
            })
        })
    }
}

impl<F: TsmFs> EvidenceSource for TsmClient<F> {
    type Error = TsmError;

    fn evidence(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, TsmError> {
        self.report(user_data, vmpl)
    }
}

/// Whether configfs-tsm is usable, step by step.
#[derive(Debug)]
pub struct TsmProbe {
    /// The report root exists.
    pub root_exists: bool,
    /// An entry could be created (and was removed again).
    pub can_create: bool,
    /// The `provider` attribute, when it could be read.
    pub provider: Option<String>,
    /// `privlevel_floor`, when it could be read.
    pub privlevel_floor: Option<u32>,
    /// Why configfs-tsm is not usable for SEV-SNP reports; `None` when it is.
    pub problem: Option<TsmError>,
}

impl TsmProbe {
    /// Whether reports can be requested.
    pub fn usable(&self) -> bool {
        self.problem.is_none()
    }
}

/// Checks whether configfs-tsm is usable on `fs` for SEV-SNP reports: the root exists, an
/// entry can be created, the provider is `sev_guest` and `privlevel_floor` is readable.
/// Writes nothing; the probe entry is removed.
pub fn probe<F: TsmFs>(fs: &mut F) -> TsmProbe {
    let mut p = TsmProbe {
        root_exists: fs.root_exists(),
        can_create: false,
        provider: None,
        privlevel_floor: None,
        problem: None,
    };
    if !p.root_exists {
        p.problem = Some(TsmError::RootAbsent);
        return p;
    }
    let result = with_entry(fs, |fs, entry| {
        p.can_create = true;
        let mut s = Session { fs, entry, expected: 0 };
        let provider = parse_provider(&s.read("provider", TEXT_MAX)?)?;
        p.provider = Some(provider.clone());
        p.privlevel_floor = Some(parse_privlevel_floor(&s.read("privlevel_floor", TEXT_MAX)?)?);
        if provider != SEV_GUEST_PROVIDER {
            return Err(TsmError::WrongProvider { found: provider });
        }
        Ok(())
    });
    p.problem = result.err();
    p
}
