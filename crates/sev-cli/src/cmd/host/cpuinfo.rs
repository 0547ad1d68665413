//! `<root>/proc/cpuinfo`, parsed by sev-host's [`CpuInfo`].

use std::path::Path;

pub use sev_host::cpuinfo::CpuInfo;

/// Reads and parses `<root>/proc/cpuinfo`.
pub fn read(root: &Path) -> std::io::Result<CpuInfo> {
    let path = super::under(root, "/proc/cpuinfo");
    let text = crate::input::read_capped(&path).map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    Ok(CpuInfo::parse(&String::from_utf8_lossy(&text)))
}
