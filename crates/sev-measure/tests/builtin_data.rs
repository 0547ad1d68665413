//! The OVMF images the unit tests in `src/ovmf.rs` compile in come from this crate's own `data/`
//! directory (so nothing in `src/` reads outside the package); each copy must stay byte-identical
//! to its original under the workspace's `fixtures/`, where its provenance is recorded.

use std::path::{Path, PathBuf};

/// Every file under `data/`, by its path relative to both `data/` and `fixtures/`.
const COPIES: &[&str] = &[
    "measurement/ovmf_AmdSev_suffix.bin",
    "measurement/ovmf_OvmfX64_suffix.bin",
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The workspace's `fixtures/`. Missing (e.g. testing an unpacked `.crate`) is a failure, not a skip.
fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    assert!(
        dir.is_dir(),
        "{} not found: this test compares the crate's data with the workspace's fixtures",
        dir.display()
    );
    dir
}

fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type().unwrap().is_dir() {
            files_under(&entry.path(), &rel, out);
        } else {
            out.push(rel);
        }
    }
}

#[test]
fn data_holds_exactly_the_listed_copies() {
    let mut found = Vec::new();
    files_under(&data_dir(), "", &mut found);
    found.sort();
    assert_eq!(
        found, COPIES,
        "data/ and COPIES disagree: update both, and fixtures/PROVENANCE.md"
    );
}

#[test]
fn every_copy_is_byte_identical_to_its_fixture() {
    for rel in COPIES {
        let copy = std::fs::read(data_dir().join(rel)).unwrap();
        let path = fixtures_dir().join(rel);
        let original = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(copy == original, "data/{rel} differs from fixtures/{rel}");
    }
}
