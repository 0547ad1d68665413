//! Checks that a crate's `data/` (the built-in data it compiles in, so that its published package
//! builds on its own) holds exactly the listed files, each byte-identical to its original under
//! the workspace's `fixtures/`, where its provenance is recorded.

use std::path::{Path, PathBuf};

/// The workspace's `fixtures/`, seen from a crate directory. Missing (as when testing an unpacked
/// `.crate`) is a failure, not a skip.
pub fn fixtures_dir(manifest_dir: &str) -> PathBuf {
    let dir = Path::new(manifest_dir).join("../../fixtures");
    assert!(
        dir.is_dir(),
        "{} not found: the crate's data/ is compared with the workspace's fixtures",
        dir.display()
    );
    dir
}

/// The bytes of `fixtures/<rel>`.
pub fn fixture(manifest_dir: &str, rel: &str) -> Vec<u8> {
    let path = fixtures_dir(manifest_dir).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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

/// Asserts that `<manifest_dir>/data/` holds exactly `copies` (sorted paths relative to both
/// `data/` and `fixtures/`), each byte-identical to its fixture.
pub fn assert_data_copies(manifest_dir: &str, copies: &[&str]) {
    let data = Path::new(manifest_dir).join("data");
    let mut found = Vec::new();
    files_under(&data, "", &mut found);
    found.sort();
    assert_eq!(
        found, copies,
        "data/ and the list of copies disagree: update both, and fixtures/PROVENANCE.md"
    );
    for rel in copies {
        let copy = std::fs::read(data.join(rel)).unwrap();
        assert!(
            copy == fixture(manifest_dir, rel),
            "data/{rel} differs from fixtures/{rel}"
        );
    }
}
