//! Peer tools that differential tests compare against.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The version of sev-snp-measure (PyPI) the differential tests pin.
pub const SEV_SNP_MEASURE_VERSION: &str = "0.0.13";

/// The `sev-snp-measure` executable in a virtualenv under `tmpdir` (a test's
/// `CARGO_TARGET_TMPDIR`), created with `python3 -m venv` and pip the first time.
///
/// Panics when python3, venv or PyPI is unavailable: the callers are tests that were asked to
/// run against the peer tool (they are `#[ignore]`d otherwise).
pub fn sev_snp_measure(tmpdir: &Path) -> PathBuf {
    let dir = tmpdir.join("sev-snp-measure-venv");
    let tool = dir.join("bin/sev-snp-measure");
    if !tool.exists() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&dir)
            .status()
            .expect("python3")
            .success();
        assert!(ok, "python3 -m venv failed");
        let ok = Command::new(dir.join("bin/pip"))
            .args(["install", "-q", &format!("sev-snp-measure=={SEV_SNP_MEASURE_VERSION}")])
            .status()
            .expect("pip")
            .success();
        assert!(ok, "pip install sev-snp-measure=={SEV_SNP_MEASURE_VERSION} failed");
    }
    tool
}
