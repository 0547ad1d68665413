//! Real evidence end to end: report bytes → `sev-types` view → a certificate table as a guest
//! receives it (auxblob) → `sev-verify` chain and signature checks against the built-in AMD
//! roots, on every crypto backend → the default appraisal policy.

use std::path::{Path, PathBuf};

use sev_types::Product;
use sev_types::guest::certs::CertTableBuilder;
use sev_types::guest::{CertKind, CertTable};
use sev_types::key_info::SigningKey;
use sev_types::report::Report;
use sev_verify::crypto::all_providers;
use sev_verify::policy::{EvidenceContext, Policy};
use sev_verify::snp::pem::split_der_or_pem;
use sev_verify::snp::{
    ErrorKind, Role, TrustStore, VerifyOptions, builtin_cert, verify_report, verify_report_with_table,
};

/// 2025-12-01: inside every fixture certificate's validity period.
const NOW: u64 = 1_764_547_200;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// A fixture directory, its report, its leaf certificate (DER), and the product for v2 reports.
type Case = (&'static str, Vec<u8>, Vec<u8>, Option<Product>);

/// Every report whose leaf certificate is known, as recorded in fixtures/PROVENANCE.md.
fn cases() -> Vec<Case> {
    let leaf = |rel: &str| {
        let bytes = std::fs::read(fixtures().join(rel)).unwrap();
        split_der_or_pem(&bytes).unwrap().remove(0)
    };
    let report = |rel: &str| std::fs::read(fixtures().join(rel)).unwrap();
    [
        ("snp/milan/gosev", "snp/milan/gosev/vcek.der", Some(Product::Milan)),
        ("snp/milan/trustee", "snp/milan/trustee/vcek.der", Some(Product::Milan)),
        (
            "snp/milan/azure-hcl",
            "snp/milan/azure-hcl/vcek-chain.pem",
            Some(Product::Milan),
        ),
        ("snp/milan/azure-v0", "snp/milan/azure-v0/vcek.der", None),
        ("snp/milan/azure-v1", "snp/milan/azure-v1/vcek.der", None),
        ("snp/milan/azure-v2", "snp/milan/azure-v2/vcek.der", None),
        ("snp/milan/routex-v3", "snp/milan/routex-v3/vcek.der", None),
        ("snp/genoa/azure", "snp/genoa/azure/vcek.der", None),
        ("snp/genoa/routex-v3", "snp/genoa/routex-v3/vcek.der", None),
        ("snp/genoa/routex-v5", "snp/genoa/routex-v5/vcek.der", None),
        (
            "snp/genoa/trustee-e2e-model-a0",
            "snp/genoa/trustee-e2e-model-a0/vcek.der",
            None,
        ),
        ("snp/turin/routex-v5", "snp/turin/routex-v5/vcek.der", None),
        ("snp/vlek/milan", "snp/vlek/milan/vlek.der", None),
    ]
    .into_iter()
    .map(|(dir, cert, product)| (dir, report(&format!("{dir}/report.bin")), leaf(cert), product))
    .collect()
}

/// What a host puts in the extended-report certificate table for this report.
fn auxblob(report: &Report<'_>, leaf: &[u8], product: Product) -> Vec<u8> {
    let (leaf_kind, mid_role) = match report.signing_key() {
        SigningKey::Vlek => (CertKind::Vlek, Role::Asvk),
        _ => (CertKind::Vcek, Role::Ask),
    };
    let ark = builtin_cert(product.kds_product(), Role::Ark).unwrap();
    let mid = builtin_cert(product.kds_product(), mid_role).unwrap();
    CertTableBuilder::new()
        .push(CertKind::Ark, ark)
        .push(CertKind::Ask, mid)
        .push(leaf_kind, leaf)
        .page_aligned(true)
        .build()
        .unwrap()
}

#[test]
fn every_real_report_verifies_through_its_certificate_table_on_every_backend() {
    let providers = all_providers();
    assert_eq!(providers.len(), 3, "all three backends are enabled for this test");
    let mut verified = 0;
    for provider in &providers {
        let store = TrustStore::builtin(provider);
        for (dir, bytes, leaf, hint) in cases() {
            let report = Report::from_bytes(&bytes).unwrap();
            let product = report.product().or(hint).unwrap_or_else(|| panic!("{dir}: product"));
            let table_bytes = auxblob(&report, &leaf, product);
            let table = CertTable::from_bytes(&table_bytes).unwrap();
            let opts = VerifyOptions {
                product: hint,
                ..VerifyOptions::at(NOW)
            };
            let by_table = verify_report_with_table(provider, &store, &report, &table, &opts)
                .unwrap_or_else(|e| panic!("{dir} ({}): {e}", provider.name));
            let by_leaf = verify_report(provider, &store, &report, &[&leaf], &opts).unwrap();
            assert_eq!(by_table.product().kds_product(), product.kds_product(), "{dir}");
            assert_eq!(by_table.reported_tcb(), by_leaf.reported_tcb(), "{dir}");
            assert_eq!(by_table.signer().signing_key(), report.signing_key(), "{dir}");
            verified += 1;
        }
    }
    assert_eq!(verified, 13 * 3);
}

#[test]
fn a_table_without_the_leaf_names_what_is_missing() {
    let provider = &all_providers()[0];
    let store = TrustStore::builtin(provider);
    let (_, bytes, _, _) = cases().remove(7);
    let report = Report::from_bytes(&bytes).unwrap();
    let table_bytes = CertTableBuilder::new()
        .push(CertKind::Ark, builtin_cert(Product::Genoa, Role::Ark).unwrap())
        .push(CertKind::Ask, builtin_cert(Product::Genoa, Role::Ask).unwrap())
        .build()
        .unwrap();
    let table = CertTable::from_bytes(&table_bytes).unwrap();
    let err = verify_report_with_table(provider, &store, &report, &table, &VerifyOptions::at(NOW)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingCertificate, "{err}");
    assert!(err.to_string().contains("VCEK"), "{err}");
}

#[test]
fn verified_real_reports_pass_the_default_policy_except_the_debug_one() {
    let provider = &all_providers()[0];
    let store = TrustStore::builtin(provider);
    let policy = Policy::default();
    for (dir, bytes, leaf, hint) in cases() {
        let report = Report::from_bytes(&bytes).unwrap();
        let opts = VerifyOptions {
            product: hint,
            ..VerifyOptions::at(NOW)
        };
        let verified = verify_report(provider, &store, &report, &[&leaf], &opts).unwrap();
        let ctx = EvidenceContext {
            product: Some(verified.product()),
            vlek_csp_id: verified.csp_id(),
        };
        let outcome = policy.validate(&report, &ctx);
        // go-sev-guest's test report was made with policy 0xb0000: DEBUG (bit 19) is set.
        if dir == "snp/milan/gosev" {
            let violations = outcome.unwrap_err();
            assert_eq!(violations.len(), 1, "{violations:?}");
            assert!(violations[0].to_string().contains("DEBUG"), "{}", violations[0]);
        } else {
            outcome.unwrap_or_else(|v| panic!("{dir}: {v:?}"));
        }
    }
}
