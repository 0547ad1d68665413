//! The OVMF images the unit tests in `src/ovmf.rs` compile in come from this crate's own `data/`
//! directory (so nothing in `src/` reads outside the package); each copy must stay byte-identical
//! to its original under the workspace's `fixtures/`, where its provenance is recorded.

/// Every file under `data/`, by its path relative to both `data/` and `fixtures/`.
const COPIES: &[&str] = &[
    "measurement/ovmf_AmdSev_suffix.bin",
    "measurement/ovmf_OvmfX64_suffix.bin",
];

#[test]
fn data_holds_exactly_the_listed_copies_byte_identical_to_the_fixtures() {
    sev_testing::data_copies::assert_data_copies(env!("CARGO_MANIFEST_DIR"), COPIES);
}
