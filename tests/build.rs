//! Decides at build time whether Debian's OVMF (`apt-get install ovmf`) is installed, so the
//! end-to-end launches of it are ignored, with a reason, where it is absent.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(debian_ovmf)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=/usr/share/ovmf/OVMF.fd");
    if std::path::Path::new("/usr/share/ovmf/OVMF.fd").exists() {
        println!("cargo::rustc-cfg=debian_ovmf");
    }
}
