//! The certificate, CRL and PEM parsers never panic: every prefix and many random mutations of
//! real certificates and fake CRLs are either parsed or refused with an error.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

mod snp_common;

use sev_testing::FakePki;
use sev_types::Product;
use sev_verify::snp::{AmdCert, Crl, pem::split_der_or_pem};
use snp_common::fixture;

const CERTS: &[&str] = &[
    "snp/milan/ark.der",
    "snp/genoa/ask.der",
    "snp/turin/routex-v5/vcek.der",
    "snp/milan/trustee/vcek-invalid-new.der",
    "snp/vlek/milan/vlek.der",
    "snp/turin/negative/vcek-genoa-issuer-turin-product.der",
];

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn inputs() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = CERTS.iter().map(|p| fixture(p)).collect();
    let pki = FakePki::new(Product::Milan);
    let mut crl = pki.crl_spec();
    crl.revoked = vec![vec![1], vec![0x01, 0x00, 0x01]];
    v.push(pki.issue_crl(&crl));
    v
}

#[test]
fn every_prefix_is_refused_without_panicking() {
    for input in inputs() {
        for len in 0..input.len() {
            assert!(AmdCert::from_der(&input[..len]).is_err(), "prefix {len} accepted");
            assert!(Crl::from_der(&input[..len]).is_err(), "prefix {len} accepted");
        }
    }
}

#[test]
fn random_mutations_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for input in inputs() {
        for _ in 0..3000 {
            let mut m = input.clone();
            for _ in 0..1 + rng.next() % 4 {
                let i = (rng.next() % m.len() as u64) as usize;
                m[i] = rng.next() as u8;
            }
            parsed += usize::from(AmdCert::from_der(&m).is_ok());
            let _ = Crl::from_der(&m);
            let _ = split_der_or_pem(&m);
        }
    }
    eprintln!("{parsed} mutated inputs still parsed as certificates (signatures are checked later)");
}

#[test]
fn pem_splitting_is_total() {
    let bundle = fixture("kds/vcek_cert_chain_turin.pem");
    for len in 0..bundle.len() {
        let _ = split_der_or_pem(&bundle[..len]);
    }
    assert_eq!(split_der_or_pem(&bundle).unwrap().len(), 2);
    assert!(split_der_or_pem(b"").is_err());
    assert!(split_der_or_pem(b"-----BEGIN CERTIFICATE-----\nAAAA").is_err());
}

/// Random certificate tables (random entry counts, GUIDs, offsets and lengths over a buffer that
/// holds real certificates and a CRL) through the verifier: refused or verified, never a panic,
/// and never more work than the limits allow.
#[test]
fn random_certificate_tables_never_panic() {
    use sev_types::guest::{CertKind, CertTable};
    use sev_types::report::Report;
    let verifier = sev_verify::snp::Verifier::builtin(sev_verify::crypto::default_provider());
    let report = fixture("snp/milan/gosev/report.bin");
    let report = Report::from_bytes(&report).unwrap();
    let kinds = [
        CertKind::Ark,
        CertKind::Ask,
        CertKind::Vcek,
        CertKind::Vlek,
        CertKind::Crl,
    ];
    let payload: Vec<u8> = inputs().concat();
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    let mut outcomes = [0usize; 2];
    for _ in 0..400 {
        let entries = (rng.next() % 8) as usize;
        let header = (entries + 1) * 24;
        let mut buf = vec![0u8; header];
        buf.extend_from_slice(&payload);
        for i in 0..entries {
            let kind = kinds[(rng.next() % kinds.len() as u64) as usize];
            let offset = header as u64 + rng.next() % payload.len() as u64;
            let len = rng.next() % (buf.len() as u64 - offset + 1);
            let e = &mut buf[i * 24..(i + 1) * 24];
            e[..16].copy_from_slice(&kind.guid().0);
            e[16..20].copy_from_slice(&(offset as u32).to_le_bytes());
            e[20..24].copy_from_slice(&(len as u32).to_le_bytes());
        }
        let Ok(table) = CertTable::from_bytes(&buf) else {
            continue;
        };
        let ok = verifier.verify_table(&report, &table, snp_common::NOW).is_ok();
        outcomes[usize::from(ok)] += 1;
    }
    assert!(outcomes[0] > 300, "{outcomes:?}");
}
