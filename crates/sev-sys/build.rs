//! Decides at build time which device nodes this machine has, so tests that need a device (or
//! its absence) are ignored with a reason instead of passing silently:
//!
//! * `has_dev_kvm`: `/dev/kvm` exists;
//! * `has_dev_sev`: `/dev/sev` exists (an SEV host);
//! * `has_dev_sev_guest`: `/dev/sev-guest` exists (an SNP guest).
//!
//! Cargo cannot watch `/dev` for changes: after a device appears or disappears, rebuild with a
//! new value of `SEV_SYS_PROBE` (e.g. `SEV_SYS_PROBE=$(date +%s) cargo test -p sev-sys`) to
//! probe again.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=SEV_SYS_PROBE");
    for (cfg, path) in [
        ("has_dev_kvm", "/dev/kvm"),
        ("has_dev_sev", "/dev/sev"),
        ("has_dev_sev_guest", "/dev/sev-guest"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::path::Path::new(path).exists() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
