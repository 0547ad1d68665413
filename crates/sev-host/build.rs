//! Decides at build time, as kvm-ioctls does, what this machine has, so tests that need something
//! absent are ignored with a reason: Debian's OVMF build with published launch digests
//! (`fixtures/measurement/debian-ovmf-vectors.tsv`; `debian_ovmf`), `/dev/kvm` (`has_dev_kvm`)
//! and `/dev/sev` (`has_dev_sev`). Rebuild with a new `SEV_HOST_PROBE` value to probe again.

use sha2::{Digest, Sha256};

const DEBIAN_OVMF: &str = "/usr/share/ovmf/OVMF.fd";
const DEBIAN_OVMF_SHA256: &str = "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(debian_ovmf)");
    println!("cargo::rustc-check-cfg=cfg(has_dev_kvm)");
    println!("cargo::rustc-check-cfg=cfg(has_dev_sev)");
    println!("cargo::rerun-if-env-changed=SEV_HOST_PROBE");
    for (node, cfg) in [("/dev/kvm", "has_dev_kvm"), ("/dev/sev", "has_dev_sev")] {
        if std::path::Path::new(node).exists() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={DEBIAN_OVMF}");
    let matches = std::fs::read(DEBIAN_OVMF).is_ok_and(|bytes| {
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        hex == DEBIAN_OVMF_SHA256
    });
    if matches {
        println!("cargo::rustc-cfg=debian_ovmf");
    }
}
