//! The committed `include/sev.h` is what cbindgen generates from the source now (the same
//! cbindgen version cargo-c installs it with). Regenerate with
//! `SEV_CAPI_BLESS=1 cargo test -p sev-capi --test header`.

use std::path::Path;

#[test]
fn committed_header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_root_or_default(dir);
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen parses sev-capi")
        .write(&mut generated);
    let path = dir.join("include/sev.h");
    if std::env::var_os("SEV_CAPI_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/sev.h is stale: regenerate it with SEV_CAPI_BLESS=1 cargo test -p sev-capi --test header"
    );
}
