//! Decides at build time, as kvm-ioctls does, whether this machine has an SEV-SNP guest
//! interface or an SEV host device (`/dev/sev`), so tests that need their absence are ignored
//! (with a reason) rather than passing silently where they exist.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(sev_guest_interface)");
    println!("cargo::rerun-if-changed=build.rs");
    let present = ["/dev/sev-guest", "/sys/kernel/config/tsm/report"]
        .iter()
        .any(|p| std::path::Path::new(p).exists());
    if present {
        println!("cargo::rustc-cfg=sev_guest_interface");
    }
    println!("cargo::rustc-check-cfg=cfg(sev_host_device)");
    if std::path::Path::new("/dev/sev").exists() {
        println!("cargo::rustc-cfg=sev_host_device");
    }
}
