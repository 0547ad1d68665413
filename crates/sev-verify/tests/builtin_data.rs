//! The built-in AMD certificates are compiled in from this crate's own `data/` directory (so the
//! published package builds on its own); each copy must stay byte-identical to its original under
//! the workspace's `fixtures/`, where its provenance is recorded.

use sev_types::Product;
use sev_verify::legacy::Generation;
use sev_verify::snp::{Role, builtin_cert};

/// Every file under `data/`, by its path relative to both `data/` and `fixtures/`.
const COPIES: &[&str] = &[
    "sev-legacy/genoa/ark.cert",
    "sev-legacy/genoa/ask.cert",
    "sev-legacy/milan/ark.cert",
    "sev-legacy/milan/ask.cert",
    "sev-legacy/naples/ark.cert",
    "sev-legacy/naples/ask.cert",
    "sev-legacy/rome/ark.cert",
    "sev-legacy/rome/ask.cert",
    "sev-legacy/turin/ark.cert",
    "sev-legacy/turin/ask.cert",
    "snp/genoa/ark.der",
    "snp/genoa/ask.der",
    "snp/milan/ark.der",
    "snp/milan/ask.der",
    "snp/turin/ark.der",
    "snp/turin/ask.der",
    "snp/vlek/genoa/asvk.der",
    "snp/vlek/milan/asvk.der",
    "snp/vlek/turin/asvk.der",
];

fn fixture(rel: &str) -> Vec<u8> {
    sev_testing::data_copies::fixture(env!("CARGO_MANIFEST_DIR"), rel)
}

#[test]
fn data_holds_exactly_the_listed_copies_byte_identical_to_the_fixtures() {
    sev_testing::data_copies::assert_data_copies(env!("CARGO_MANIFEST_DIR"), COPIES);
}

#[test]
fn builtin_snp_certs_are_the_fixtures() {
    let mut checked = 0;
    for (product, dir) in [
        (Product::Milan, "milan"),
        (Product::Genoa, "genoa"),
        (Product::Turin, "turin"),
    ] {
        for (role, rel) in [
            (Role::Ark, format!("snp/{dir}/ark.der")),
            (Role::Ask, format!("snp/{dir}/ask.der")),
            (Role::Asvk, format!("snp/vlek/{dir}/asvk.der")),
        ] {
            let builtin = builtin_cert(product, role).unwrap_or_else(|| panic!("no built-in {role:?} for {product:?}"));
            assert!(
                builtin == fixture(&rel),
                "built-in {role:?} of {product:?} differs from fixtures/{rel}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 9);
}

#[test]
fn builtin_legacy_certs_are_the_fixtures() {
    for generation in Generation::ALL {
        let dir = generation.name().to_ascii_lowercase();
        let ark = format!("sev-legacy/{dir}/ark.cert");
        let ask = format!("sev-legacy/{dir}/ask.cert");
        assert!(
            generation.ark_bytes() == fixture(&ark),
            "built-in ARK of {dir} differs from fixtures/{ark}"
        );
        assert!(
            generation.ask_bytes() == fixture(&ask),
            "built-in ASK of {dir} differs from fixtures/{ask}"
        );
    }
}
