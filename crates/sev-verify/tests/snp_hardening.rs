//! The findings of the sev-verify security review, each with the test that guards it: strict
//! report conformance, CRLs in certificate tables, the order in which failures are reported,
//! certificate-table limits, the pinned-ARK rule and the `Verifier` API.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

mod snp_common;

use std::sync::Arc;

use sev_testing::hostile::overlapping_cert_table;
use sev_testing::{FakePki, LeafKey, ReportSpec, TEST_TIME};
use sev_types::Product;
use sev_types::guest::certs::CertTableBuilder;
use sev_types::guest::{CertKind, CertTable};
use sev_types::report::Report;
use sev_verify::crypto::default_provider;
use sev_verify::snp::{
    CertBundle, ChainCache, Endorsement, ErrorKind, Relaxations, Role, SnpError, TrustStore, Verifier, VerifyOptions,
    verify_chain, verify_report_with_table,
};
use snp_common::{NOW, fixture};

const GOSEV: &str = "snp/milan/gosev";

fn real(dir: &str) -> (Vec<u8>, Vec<u8>) {
    (
        fixture(&format!("{dir}/report.bin")),
        fixture(&format!("{dir}/vcek.der")),
    )
}

fn builtin() -> Verifier {
    Verifier::builtin(default_provider())
}

/// A verifier trusting only the fake PKI of `product`.
fn fake_verifier(pki: &FakePki) -> Verifier {
    let provider = default_provider();
    let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
    Verifier::new(provider, store)
}

/// A report from `spec`, signed by a fake VCEK, with that VCEK.
fn fake_signed(pki: &FakePki, spec: &ReportSpec) -> (Vec<u8>, Vec<u8>) {
    let key = LeafKey::vcek_a();
    let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
    (spec.signed(&key), vcek)
}

#[test]
fn unused_signature_area_bytes_are_refused_by_default() {
    let (mut bytes, vcek) = real(GOSEV);
    let v = builtin();
    v.verify_der(&Report::from_bytes(&bytes).unwrap(), &[&vcek], NOW)
        .unwrap();
    for offset in [0x330, 0x3ff, 0x49f] {
        bytes[offset] = 0x5a;
        let err = v
            .verify_der(&Report::from_bytes(&bytes).unwrap(), &[&vcek], NOW)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Nonconforming, "{offset:#x}: {err}");
        assert!(err.to_string().contains("SIGNATURE reserved"), "{err}");
        let relaxed = builtin().with_relaxations(Relaxations {
            reserved_fields: true,
            ..Relaxations::STRICT
        });
        relaxed
            .verify_der(&Report::from_bytes(&bytes).unwrap(), &[&vcek], NOW)
            .unwrap();
        bytes[offset] = 0;
    }
}

#[test]
fn policy_bit_17_clear_is_refused_by_default() {
    let pki = FakePki::new(Product::Milan);
    let mut spec = ReportSpec::new(Product::Milan);
    spec.policy = 0x10000; // bit 17 (must be one) clear
    let (bytes, vcek) = fake_signed(&pki, &spec);
    let err = fake_verifier(&pki)
        .verify_der(&Report::from_bytes(&bytes).unwrap(), &[&vcek], TEST_TIME)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Nonconforming);
    assert!(err.to_string().contains("POLICY bit 17"), "{err}");
    let relax = Relaxations {
        reserved_fields: true,
        ..Relaxations::STRICT
    };
    fake_verifier(&pki)
        .with_relaxations(relax)
        .verify_der(&Report::from_bytes(&bytes).unwrap(), &[&vcek], TEST_TIME)
        .unwrap();
}

#[test]
fn a_report_version_newer_than_5_is_refused_unless_allowed() {
    let pki = FakePki::new(Product::Genoa);
    let mut spec = ReportSpec::new(Product::Genoa);
    spec.version = 6;
    let (bytes, vcek) = fake_signed(&pki, &spec);
    let report = Report::from_bytes(&bytes).unwrap();
    let err = fake_verifier(&pki)
        .verify_der(&report, &[&vcek], TEST_TIME)
        .unwrap_err();
    assert_eq!(err, SnpError::UnknownReportVersion { found: 6, newest: 5 });
    let relax = Relaxations {
        unknown_report_version: true,
        ..Relaxations::STRICT
    };
    fake_verifier(&pki)
        .with_relaxations(relax)
        .verify_der(&report, &[&vcek], TEST_TIME)
        .unwrap();
}

#[test]
fn a_turin_chip_id_with_a_non_zero_tail_is_refused_unless_allowed() {
    let pki = FakePki::new(Product::Turin);
    let mut spec = ReportSpec::new(Product::Turin);
    let key = LeafKey::vcek_a();
    // The VCEK's hwID is the first 8 bytes: binding holds, only the tail is wrong.
    let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
    spec.chip_id[40] = 0x77;
    let bytes = spec.signed(&key);
    let report = Report::from_bytes(&bytes).unwrap();
    let err = fake_verifier(&pki)
        .verify_der(&report, &[&vcek], TEST_TIME)
        .unwrap_err();
    assert_eq!(
        err,
        SnpError::ChipIdTail {
            offset: 40,
            found: 0x77
        }
    );
    let relax = Relaxations {
        chip_id_tail: true,
        ..Relaxations::STRICT
    };
    fake_verifier(&pki)
        .with_relaxations(relax)
        .verify_der(&report, &[&vcek], TEST_TIME)
        .unwrap();
    // The same bytes on a Milan-class part are the hwID itself, not a tail.
    let pki = FakePki::new(Product::Milan);
    let mut spec = ReportSpec::new(Product::Milan);
    spec.chip_id[40] = 0x77;
    let (bytes, vcek) = fake_signed(&pki, &spec);
    fake_verifier(&pki)
        .verify_der(&Report::from_bytes(&bytes).unwrap(), &[&vcek], TEST_TIME)
        .unwrap();
}

#[test]
fn every_real_report_conforms() {
    for case in snp_common::CASES {
        let bytes = case.report();
        let certs = case.certs();
        let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        let report = Report::from_bytes(&bytes).unwrap();
        let v = builtin();
        let v = if case.product == Product::BergamoSiena {
            v.with_product(case.product)
        } else {
            v
        };
        v.verify_der(&report, &refs, NOW)
            .unwrap_or_else(|e| panic!("{}: {e}", case.dir));
    }
}

fn table(parts: &[(CertKind, &[u8])]) -> Vec<u8> {
    parts
        .iter()
        .fold(CertTableBuilder::new(), |b, (k, d)| b.push(*k, d))
        .build()
        .unwrap()
}

#[test]
fn a_forged_report_is_a_signature_failure_whatever_crl_comes_with_it() {
    let (bytes, vcek) = real(GOSEV);
    let other_issuer = FakePki::new(Product::Genoa).issue_crl(&FakePki::new(Product::Genoa).crl_spec());
    let mut forged = bytes.clone();
    forged[0x50] ^= 1;
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    for crl in [&b"not a CRL at all"[..], &other_issuer] {
        let buf = table(&[(CertKind::Vcek, &vcek), (CertKind::Crl, crl)]);
        let t = CertTable::from_bytes(&buf).unwrap();
        let opts = VerifyOptions::at(NOW);
        let err =
            verify_report_with_table(&provider, &store, &Report::from_bytes(&forged).unwrap(), &t, &opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Signature, "{err}");
        // The genuine report with the same table: the CRL is what fails.
        let err =
            verify_report_with_table(&provider, &store, &Report::from_bytes(&bytes).unwrap(), &t, &opts).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Crl, "{err}");
    }
}

#[test]
fn crls_in_a_certificate_table_are_applied() {
    let pki = FakePki::new(Product::Milan);
    let spec = ReportSpec::new(Product::Milan);
    let (bytes, vcek) = fake_signed(&pki, &spec);
    let leaf = sev_verify::snp::AmdCert::from_der(&vcek).unwrap();
    let mut revoking = pki.crl_spec();
    revoking.revoked.push(if leaf.serial().is_empty() {
        vec![0]
    } else {
        leaf.serial().to_vec()
    });
    let report = Report::from_bytes(&bytes).unwrap();
    let v = fake_verifier(&pki);
    let clean = table(&[
        (CertKind::Vcek, &vcek),
        (CertKind::Crl, &pki.issue_crl(&pki.crl_spec())),
    ]);
    let ok = v
        .verify_table(&report, &CertTable::from_bytes(&clean).unwrap(), TEST_TIME)
        .unwrap();
    assert_eq!(ok.crls_applied(), 1);
    let revoked = table(&[(CertKind::Vcek, &vcek), (CertKind::Crl, &pki.issue_crl(&revoking))]);
    let err = v
        .verify_table(&report, &CertTable::from_bytes(&revoked).unwrap(), TEST_TIME)
        .unwrap_err();
    assert!(matches!(err, SnpError::Revoked { role: Role::Vcek, .. }), "{err}");
}

#[test]
fn certificate_tables_over_the_limits_are_refused_before_parsing() {
    let (bytes, _) = real(GOSEV);
    let report = Report::from_bytes(&bytes).unwrap();
    let v = builtin();
    let cases = [
        (
            overlapping_cert_table(60, 6_600_000, CertKind::Vcek),
            "entries span too many bytes",
        ),
        (
            overlapping_cert_table(100, 6_600_000, CertKind::Vcek),
            "too many entries",
        ),
        (
            overlapping_cert_table(2, 1000, CertKind::Vcek),
            "two entries share bytes",
        ),
        (overlapping_cert_table(100_000, 8, CertKind::Vcek), "too many entries"),
    ];
    for (buf, reason) in cases {
        let t = CertTable::from_bytes(&buf).unwrap();
        let err = v.verify_table(&report, &t, NOW).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::CertTable, "{err}");
        assert!(
            matches!(&err, SnpError::CertTable { reason: r, .. } if *r == reason),
            "{err}"
        );
    }
    // Zero-length entries share no bytes.
    let buf = CertTableBuilder::new()
        .push(CertKind::Unknown(sev_types::guid::Guid([7; 16])), b"")
        .push(CertKind::Unknown(sev_types::guid::Guid([8; 16])), b"")
        .build()
        .unwrap();
    assert!(CertBundle::from_table(&CertTable::from_bytes(&buf).unwrap()).is_ok());
}

#[test]
fn a_pinned_ark_is_preferred_only_when_asked() {
    let provider = default_provider();
    let pki = FakePki::new(Product::Milan);
    let spec = ReportSpec::new(Product::Milan);
    let (_, vcek) = fake_signed(&pki, &spec);
    let store = TrustStore::builtin(&provider)
        .with_pinned_arks(&provider, &[pki.ark()])
        .unwrap();
    // No ARK in the chain: the built-in ARK-Milan fills it and does not sign the fake ASK.
    let err = verify_chain(&provider, &store, &[&vcek, pki.ask()], None, TEST_TIME, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Signature, "{err}");
    let store = store.prefer_pinned();
    verify_chain(&provider, &store, &[&vcek, pki.ask()], None, TEST_TIME, None).unwrap();
    // Real chains still verify with the preference set (no pinned Genoa ARK: the built-in one).
    let (_, genoa_vcek) = real("snp/genoa/routex-v5");
    verify_chain(&provider, &store, &[&genoa_vcek], None, NOW, None).unwrap();
    // A real Milan VCEK takes the built-in ASK from the store, so its chain ends in the ARK that
    // signed that ASK — the built-in one — although a pinned Milan ARK is preferred.
    let (_, milan_vcek) = real(GOSEV);
    let chain = verify_chain(&provider, &store, &[&milan_vcek], None, NOW, None).unwrap();
    assert_ne!(chain.ark().der(), pki.ark());
}

#[test]
fn pinned_roots_can_be_parsed_under_relaxations() {
    use sev_testing::der_build::{SHA256, pss_alg};
    let provider = default_provider();
    let pki = FakePki::new(Product::Genoa);
    let mut spec = pki.ark_spec();
    spec.tbs_alg = pss_alg(SHA256, SHA256, 32);
    spec.outer_alg = spec.tbs_alg.clone();
    let sha256_ark = pki.issue(&spec);
    let err = TrustStore::pinned(&provider, &[&sha256_ark], &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedCertificate, "{err}");
    let relax = Relaxations {
        pss_parameters: true,
        ..Relaxations::STRICT
    };
    let store = TrustStore::pinned_with(&provider, &[&sha256_ark], &[], &relax).unwrap();
    assert_eq!(store.arks().len(), 1);
    let store = TrustStore::builtin(&provider)
        .with_pinned_arks_relaxed(&provider, &[&sha256_ark], &relax)
        .unwrap();
    assert_eq!(store.arks().len(), 4);
}

#[test]
fn the_verifier_api_agrees_with_the_free_functions_and_caches() {
    let (bytes, vcek) = real(GOSEV);
    let report = Report::from_bytes(&bytes).unwrap();
    let cache = Arc::new(ChainCache::new(8));
    let v = builtin().with_cache(cache.clone());
    let a = v.verify_der(&report, &[&vcek], NOW).unwrap();
    let b = v
        .verify(&report, &CertBundle::from_der(&[&vcek]).unwrap(), NOW)
        .unwrap();
    let buf = table(&[(CertKind::Vcek, &vcek)]);
    let c = v
        .verify_table(&report, &CertTable::from_bytes(&buf).unwrap(), NOW)
        .unwrap();
    for r in [&a, &b, &c] {
        assert_eq!(r.signer(), Endorsement::Vcek);
        assert_eq!(r.product(), Product::Milan);
        assert!(r.hwid_checked());
        assert_eq!(r.crls_applied(), 0);
    }
    assert_eq!(cache.chains(), 1, "DER input, bundle and table share one cache key");
    v.verify_der(&report, &[&vcek], NOW).unwrap();
    assert_eq!(cache.chains(), 1);
    let ctx = a.evidence_context();
    assert_eq!((ctx.product, ctx.vlek_csp_id), (Some(Product::Milan), None));
    // A leaf kind that the certificates lack is named.
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let err = verify_chain(&provider, &store, &[&vcek], Some(Endorsement::Vlek), NOW, None).unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Vlek));
}
