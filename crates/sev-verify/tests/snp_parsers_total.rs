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
