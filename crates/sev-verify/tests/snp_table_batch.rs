//! Certificate tables → chains, and batch verification.
#![cfg(all(feature = "std", any(feature = "aws-lc", feature = "ring", feature = "rustcrypto")))]

mod snp_common;

use sev_types::guest::certs::CertTableBuilder;
use sev_types::guest::{CertKind, CertTable};
use sev_types::report::Report;
use sev_verify::crypto::default_provider;
use sev_verify::snp::batch::{BatchItem, verify_batch};
use sev_verify::snp::{
    CertBundle, ChainCache, ErrorKind, Role, SnpError, TrustStore, VerifyOptions, verify_parsed_chain,
    verify_report_with_table,
};
use snp_common::{CASES, NOW, fixture};

#[test]
fn a_table_with_vcek_ask_ark_verifies_and_roles_ignore_guids() {
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let vcek = fixture("snp/genoa/routex-v5/vcek.der");
    let ask = fixture("snp/genoa/ask.der");
    let ark = fixture("snp/genoa/ark.der");
    let bytes = fixture("snp/genoa/routex-v5/report.bin");
    let report = Report::from_bytes(&bytes).unwrap();
    // GUIDs deliberately swapped: contents decide.
    let buf = CertTableBuilder::new()
        .push(CertKind::Ark, &vcek)
        .push(CertKind::Vcek, &ask)
        .push(CertKind::Ask, &ark)
        .push_guid(sev_types::Guid([9; 16]), b"extra platform info")
        .page_aligned(true)
        .build()
        .unwrap();
    let table = CertTable::from_bytes(&buf).unwrap();
    let v = verify_report_with_table(&provider, &store, &report, &table, &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(v.chain().leaf().role(), Role::Vcek);
}

#[test]
fn a_table_names_what_is_missing_and_prefers_the_vlek() {
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let vlek = fixture("snp/vlek/milan/vlek.der");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let vcek_report = fixture("snp/milan/routex-v3/report.bin");
    let buf = CertTableBuilder::new().push(CertKind::Vlek, &vlek).build().unwrap();
    let table = CertTable::from_bytes(&buf).unwrap();
    let err = verify_report_with_table(
        &provider,
        &store,
        &Report::from_bytes(&vcek_report).unwrap(),
        &table,
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Vcek));
    let both = CertTableBuilder::new()
        .push(CertKind::Vcek, &vcek)
        .push(CertKind::Vlek, &vlek)
        .build()
        .unwrap();
    let contents = CertBundle::from_table(&CertTable::from_bytes(&both).unwrap()).unwrap();
    let chain = verify_parsed_chain(&provider, &store, contents.certs().to_vec(), None, NOW, None).unwrap();
    assert_eq!(chain.leaf().role(), Role::Vlek);
    assert_eq!(chain.intermediate().subject_cn(), "SEV-VLEK-Milan");
    let empty = CertTableBuilder::new().build().unwrap();
    let contents = CertBundle::from_table(&CertTable::from_bytes(&empty).unwrap()).unwrap();
    assert_eq!(
        verify_parsed_chain(&provider, &store, contents.certs().to_vec(), None, NOW, None).unwrap_err(),
        SnpError::MissingCertificate(Role::Vcek)
    );
    // Garbage under a certificate GUID is recorded as refused, and verification reports it.
    let junk = CertTableBuilder::new()
        .push(CertKind::Vcek, b"not a certificate")
        .build()
        .unwrap();
    let junk_table = CertTable::from_bytes(&junk).unwrap();
    let contents = CertBundle::from_table(&junk_table).unwrap();
    assert_eq!(contents.rejected().len(), 1);
    let err = verify_report_with_table(
        &provider,
        &store,
        &Report::from_bytes(&vcek_report).unwrap(),
        &junk_table,
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedCertificate);
}

#[test]
fn batch_results_match_single_verification_in_order() {
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let reports: Vec<Vec<u8>> = CASES.iter().map(|c| c.report()).collect();
    let certs: Vec<Vec<Vec<u8>>> = CASES.iter().map(|c| c.certs()).collect();
    let refs: Vec<Vec<&[u8]>> = certs.iter().map(|c| c.iter().map(Vec::as_slice).collect()).collect();
    let mut tampered = reports[3].clone();
    tampered[0x90] ^= 4;
    let mut items: Vec<BatchItem<'_>> = Vec::new();
    for _ in 0..4 {
        for (r, c) in reports.iter().zip(&refs) {
            items.push(BatchItem { report: r, certs: c });
        }
    }
    items.insert(
        5,
        BatchItem {
            report: &tampered,
            certs: &refs[3],
        },
    );
    items.insert(
        7,
        BatchItem {
            report: &reports[0][..100],
            certs: &refs[0],
        },
    );
    let cache = ChainCache::new(32);
    let mut opts = VerifyOptions::at(NOW);
    opts.cache = Some(&cache);
    let results = verify_batch(&provider, &store, &items, &opts);
    assert_eq!(results.len(), items.len());
    for (i, r) in results.iter().enumerate() {
        match i {
            5 => assert_eq!(r.as_ref().unwrap_err().kind(), sev_verify::snp::ErrorKind::Signature),
            7 => assert_eq!(
                r.as_ref().unwrap_err().kind(),
                sev_verify::snp::ErrorKind::MalformedReport
            ),
            _ => assert!(r.is_ok(), "item {i}: {:?}", r.as_ref().err()),
        }
    }
    // One chain per distinct certificate set (azure-v0 and azure-v1 share one VCEK file).
    let distinct: std::collections::BTreeSet<&Vec<Vec<u8>>> = certs.iter().collect();
    assert_eq!(cache.chains(), distinct.len());
}
