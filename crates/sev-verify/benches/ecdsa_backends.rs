//! ECDSA P-384 (SHA-384) and RSA-4096 PSS (SHA-384) verification, per backend.
//!
//! ECDSA: a 0x2A0-byte message (the size of an SNP report's signed part) signed with a fixed test
//! key. RSA: the real Milan ARK self-signature (AMD SEV format).

use criterion::{Criterion, criterion_group, criterion_main};
use p384::ecdsa::signature::Signer;
use sev_verify::crypto::{HashAlg, all_providers};
use sev_verify::legacy::Generation;
use std::hint::black_box;

fn ecdsa_p384(c: &mut Criterion) {
    let key = p384::ecdsa::SigningKey::from_slice(&[0x31; 48]).unwrap();
    let public = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
    let msg = vec![0x5au8; 0x2A0];
    let sig: p384::ecdsa::Signature = key.sign(&msg);
    let r_s: [u8; 96] = sig.to_bytes().as_slice().try_into().unwrap();
    let mut group = c.benchmark_group("ecdsa_p384_sha384_verify");
    for p in all_providers() {
        p.ecdsa_p384
            .verify(&public, HashAlg::Sha384, &msg, &r_s)
            .expect("valid signature");
        group.bench_function(p.name, |b| {
            b.iter(|| {
                p.ecdsa_p384
                    .verify(black_box(&public), HashAlg::Sha384, black_box(&msg), black_box(&r_s))
            })
        });
    }
    group.finish();
}

fn rsa4096_pss(c: &mut Criterion) {
    let ark = Generation::Milan.ark();
    let (n, e, sig) = (ark.modulus_be(), ark.exponent_be(), ark.signature_be());
    let msg = ark.signed_bytes();
    let mut group = c.benchmark_group("rsa4096_pss_sha384_verify");
    for p in all_providers() {
        p.rsa_pss
            .verify(n.trimmed(), e.trimmed(), HashAlg::Sha384, msg, &sig)
            .expect("valid signature");
        group.bench_function(p.name, |b| {
            b.iter(|| {
                p.rsa_pss.verify(
                    n.trimmed(),
                    e.trimmed(),
                    HashAlg::Sha384,
                    black_box(msg),
                    black_box(&sig),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, ecdsa_p384, rsa4096_pss);
criterion_main!(benches);
