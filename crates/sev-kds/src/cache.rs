//! The on-disk cache: one plain file per KDS object, keyed by what it is, written atomically.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sev_types::tcb::Tcb;
use sev_verify::kds::{Endorsement, KdsRequest, Resource};

use crate::error::FetchError;

/// Bounds on what the cache keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheLimits {
    /// Entries older than this (by modification time) are fetched again and pruned. `None`:
    /// certificates are kept until pruned by size (CRLs are always refreshed after their
    /// nextUpdate).
    pub max_age: Option<Duration>,
    /// [`DiskCache::prune`] removes the oldest entries until the cache is at most this size.
    pub max_bytes: Option<u64>,
}

/// What [`DiskCache::prune`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PruneStats {
    /// Entries removed for age or size.
    pub removed: usize,
    /// Abandoned temporary files removed.
    pub temp_removed: usize,
    /// Bytes of the entries left.
    pub bytes_left: u64,
}

/// One cached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// Its path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time.
    pub modified: SystemTime,
}

/// A directory of KDS objects shared by every verifier that opens it.
///
/// ```text
/// <root>/v1/<Product>/vcek/<hwID hex>/<TCB>.der   a VCEK, e.g. Milan/vcek/3ac3…/bl02_tee00_snp05_ucode68.der
/// <root>/v1/<Product>/vlek/cert/<TCB>.der         a VLEK
/// <root>/v1/<Product>/{vcek,vlek}/cert_chain.pem  ASK or ASVK, then ARK
/// <root>/v1/<Product>/{vcek,vlek}/crl.der         the ARK-signed CRL
/// ```
///
/// Every file is written to a temporary file in its own directory and renamed into place, so a
/// reader (another thread, another process, another machine on a shared file system) sees the
/// old file or the new one, never part of one. Writers of the same key write the same checked
/// content, so racing writers are harmless. Nothing read back is trusted: [`crate::Kds`] fetches
/// a damaged file again, and verification checks every signature and the binding to the report.
///
/// ```
/// use sev_kds::DiskCache;
/// use sev_verify::kds::{Endorsement, KdsRequest};
/// use sev_types::Product;
/// let dir = std::env::temp_dir().join(format!("sev-kds-doc-cache-{}", std::process::id()));
/// let cache = DiskCache::open(&dir)?;
/// let req = KdsRequest::crl(Product::Turin, Endorsement::Vcek)?;
/// assert!(cache.path_for(&req).ends_with("v1/Turin/vcek/crl.der"));
/// assert_eq!(cache.read(&req)?, None);
/// cache.write(&req, b"bytes")?;
/// assert_eq!(cache.read(&req)?.as_deref(), Some(&b"bytes"[..]));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DiskCache {
    root: PathBuf,
    limits: CacheLimits,
}

/// Prefix of temporary files; never a cache entry.
const TMP_PREFIX: &str = ".tmp-";
/// Temporary files older than this were abandoned by a writer that died.
const TMP_ABANDONED: Duration = Duration::from_secs(600);

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl DiskCache {
    /// Opens (creating it if needed) the cache at `root`, with no limits.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, FetchError> {
        let root = root.into();
        let v1 = root.join("v1");
        fs::create_dir_all(&v1).map_err(|source| FetchError::Cache { path: v1, source })?;
        Ok(DiskCache {
            root,
            limits: CacheLimits::default(),
        })
    }

    /// Applies `limits`.
    pub fn with_limits(mut self, limits: CacheLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The cache directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The limits in force.
    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    /// The file that holds `request`'s object.
    pub fn path_for(&self, request: &KdsRequest) -> PathBuf {
        let mut p = self
            .root
            .join("v1")
            .join(request.product().kds_name().unwrap_or("unknown"));
        let side = match request.key_type() {
            Endorsement::Vcek => "vcek",
            Endorsement::Vlek => "vlek",
        };
        p.push(side);
        match request.resource() {
            Resource::Vcek => {
                if let Some(h) = request.hwid() {
                    p.push(h.to_string());
                }
                p.push(tcb_file(request.tcb()));
            }
            Resource::Vlek => {
                p.push("cert");
                p.push(tcb_file(request.tcb()));
            }
            Resource::CertChain => p.push("cert_chain.pem"),
            Resource::Crl => p.push("crl.der"),
        }
        p
    }

    /// The cached bytes of `request`, or `None` when absent or older than the age bound.
    pub fn read(&self, request: &KdsRequest) -> Result<Option<Vec<u8>>, FetchError> {
        let path = self.path_for(request);
        if let Some(max_age) = self.limits.max_age {
            match fs::metadata(&path) {
                Ok(m) if age(m.modified().ok()) > max_age => return Ok(None),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(source) => return Err(FetchError::Cache { path, source }),
            }
        }
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(FetchError::Cache { path, source }),
        }
    }

    /// Stores `bytes` as `request`'s object: written to a temporary file beside it, flushed,
    /// then renamed into place. Returns the path.
    pub fn write(&self, request: &KdsRequest, bytes: &[u8]) -> Result<PathBuf, FetchError> {
        let path = self.path_for(request);
        atomic_write(&path, bytes)?;
        Ok(path)
    }

    /// Removes `request`'s object, if cached.
    pub fn remove(&self, request: &KdsRequest) -> Result<(), FetchError> {
        let path = self.path_for(request);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FetchError::Cache { path, source: e }),
            _ => Ok(()),
        }
    }

    /// Every cached object (temporary files excluded), in no particular order.
    pub fn entries(&self) -> Result<Vec<CacheEntry>, FetchError> {
        let mut out = Vec::new();
        walk(&self.root.join("v1"), &mut |path, meta| {
            if !is_tmp(path) {
                out.push(CacheEntry {
                    path: path.to_path_buf(),
                    size: meta.len(),
                    modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                });
            }
        })?;
        Ok(out)
    }

    /// Removes abandoned temporary files, entries older than the age bound, then the oldest
    /// entries until the cache fits the size bound.
    pub fn prune(&self) -> Result<PruneStats, FetchError> {
        let mut stats = PruneStats::default();
        let mut temps = Vec::new();
        walk(&self.root.join("v1"), &mut |path, meta| {
            if is_tmp(path) && age(meta.modified().ok()) > TMP_ABANDONED {
                temps.push(path.to_path_buf());
            }
        })?;
        for t in temps {
            if fs::remove_file(&t).is_ok() {
                stats.temp_removed += 1;
            }
        }
        let mut entries = self.entries()?;
        entries.sort_by_key(|e| e.modified);
        let mut total: u64 = entries.iter().map(|e| e.size).sum();
        for e in &entries {
            let too_old = self.limits.max_age.is_some_and(|m| age(Some(e.modified)) > m);
            let too_big = self.limits.max_bytes.is_some_and(|m| total > m);
            if (too_old || too_big) && fs::remove_file(&e.path).is_ok() {
                stats.removed += 1;
                total -= e.size;
            }
        }
        stats.bytes_left = total;
        Ok(stats)
    }
}

/// `bl03_tee00_snp08_ucode115.der`, with `fmc00_` first on products with an FMC SPL.
fn tcb_file(tcb: Option<Tcb>) -> String {
    let t = tcb.unwrap_or_default();
    let fmc = t.fmc.map(|f| format!("fmc{f:02}_")).unwrap_or_default();
    format!(
        "{fmc}bl{:02}_tee{:02}_snp{:02}_ucode{:02}.der",
        t.bootloader, t.tee, t.snp, t.microcode
    )
}

fn age(modified: Option<SystemTime>) -> Duration {
    modified
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or(Duration::ZERO)
}

fn is_tmp(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(TMP_PREFIX))
}

/// Writes `bytes` to `path` through a uniquely named temporary file in the same directory.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|source| FetchError::Cache {
        path: dir.to_path_buf(),
        source,
    })?;
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        "{TMP_PREFIX}{}-{}-{nanos}",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|source| {
        let _ = fs::remove_file(&tmp);
        FetchError::Cache {
            path: path.to_path_buf(),
            source,
        }
    })
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path, &fs::Metadata)) -> Result<(), FetchError> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(FetchError::Cache {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    for entry in rd.flatten() {
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, f)?;
        } else if meta.is_file() {
            f(&path, &meta);
        }
    }
    Ok(())
}
