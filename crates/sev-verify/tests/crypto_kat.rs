//! Known-answer tests of every backend's digests, HMAC, AES-128-CTR and ECDH, plus provider
//! selection. Expected values: FIPS 180-2 examples, RFC 4231, NIST SP 800-38A F.5.1, and ECDH
//! cross-checked against an independent computation with the `p384` crate.
#![cfg_attr(
    not(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto")),
    allow(dead_code, unused_imports)
)]

#[macro_use]
mod backends;

use p384::elliptic_curve::sec1::ToSec1Point;
use sev_verify::crypto::{CryptoError, CryptoProvider};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// The pure-Rust backend has no random source without `std`: then the operation must say so.
fn lacks_randomness(p: &CryptoProvider) -> bool {
    p.name == "rustcrypto" && !cfg!(feature = "std")
}

fn sha256_abc(p: &CryptoProvider) {
    let want = h("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(p.digests.sha256(&[b"abc"]).to_vec(), want);
    assert_eq!(
        p.digests.sha256(&[b"a", b"", b"bc"]).to_vec(),
        want,
        "parts are concatenated"
    );
}

fn sha384_abc(p: &CryptoProvider) {
    let want = h("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    assert_eq!(p.digests.sha384(&[b"abc"]).to_vec(), want);
    assert_eq!(p.digests.sha384(&[b"ab", b"c"]).to_vec(), want);
}

fn hmac_sha256_rfc4231_case2(p: &CryptoProvider) {
    let want = h("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_eq!(
        p.digests
            .hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"])
            .to_vec(),
        want
    );
}

fn aes128_ctr_sp800_38a(p: &CryptoProvider) {
    let key: [u8; 16] = h("2b7e151628aed2a6abf7158809cf4f3c").try_into().unwrap();
    let ctr: [u8; 16] = h("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff").try_into().unwrap();
    let plain = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51\
                   30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
    let cipher = h("874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff\
                    5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
    let mut buf = plain.clone();
    p.legacy.aes128_ctr(&key, &ctr, &mut buf).unwrap();
    assert_eq!(buf, cipher);
    p.legacy.aes128_ctr(&key, &ctr, &mut buf).unwrap();
    assert_eq!(buf, plain, "CTR is its own inverse");
    let mut partial = plain[..21].to_vec();
    p.legacy.aes128_ctr(&key, &ctr, &mut partial).unwrap();
    assert_eq!(partial, cipher[..21], "a partial last block uses a keystream prefix");
}

fn aes128_ctr_counter_is_128_bit(p: &CryptoProvider) {
    // The counter block increments as one 128-bit big-endian integer: all-ones wraps to zero.
    let key = [7u8; 16];
    let mut two = [0u8; 32];
    p.legacy.aes128_ctr(&key, &[0xff; 16], &mut two).unwrap();
    let mut zero_block = [0u8; 16];
    p.legacy.aes128_ctr(&key, &[0; 16], &mut zero_block).unwrap();
    assert_eq!(two[16..], zero_block);
    let mut carry = [0u8; 32];
    let mut start = [0u8; 16];
    start[..8].copy_from_slice(&[0xff; 8]); // carry out of the low 64 bits reaches the high half
    start[8..].copy_from_slice(&[0xff; 8]);
    start[0] = 0x00;
    p.legacy.aes128_ctr(&key, &start, &mut carry).unwrap();
    let mut next = [0u8; 16];
    next[0] = 0x01;
    let mut expect = [0u8; 16];
    p.legacy.aes128_ctr(&key, &next, &mut expect).unwrap();
    assert_eq!(carry[16..], expect);
}

fn ecdh_p384_matches_independent_computation(p: &CryptoProvider) {
    let peer_secret = p384::SecretKey::from_slice(&[0x42; 48]).unwrap();
    let peer_public = peer_secret.public_key().as_affine().to_sec1_point(false);
    if lacks_randomness(p) {
        assert_eq!(
            p.legacy.ecdh_p384_ephemeral(peer_public.as_bytes()).unwrap_err(),
            CryptoError::RandomUnavailable
        );
        return;
    }
    let agreement = p.legacy.ecdh_p384_ephemeral(peer_public.as_bytes()).unwrap();
    assert_eq!(agreement.public_key[0], 0x04);
    let ours = p384::PublicKey::from_sec1_bytes(&agreement.public_key).expect("our key is on the curve");
    let z = p384::ecdh::diffie_hellman(peer_secret.to_nonzero_scalar(), ours.as_affine());
    assert_eq!(agreement.shared_secret.as_slice(), z.raw_secret_bytes().as_slice());
    let again = p.legacy.ecdh_p384_ephemeral(peer_public.as_bytes()).unwrap();
    assert_ne!(again.public_key, agreement.public_key, "each call makes a fresh key");
}

fn ecdh_rejects_bad_points(p: &CryptoProvider) {
    let peer = p384::SecretKey::from_slice(&[0x42; 48]).unwrap().public_key();
    let mut point = peer.as_affine().to_sec1_point(false).as_bytes().to_vec();
    point[96] ^= 1; // off the curve
    assert_eq!(
        p.legacy.ecdh_p384_ephemeral(&point).unwrap_err(),
        CryptoError::InvalidPublicKey
    );
    assert_eq!(
        p.legacy.ecdh_p384_ephemeral(&point[..50]).unwrap_err(),
        CryptoError::InvalidPublicKey
    );
    assert_eq!(
        p.legacy.ecdh_p384_ephemeral(&[]).unwrap_err(),
        CryptoError::InvalidPublicKey
    );
}

fn random_bytes_differ(p: &CryptoProvider) {
    let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
    if lacks_randomness(p) {
        assert_eq!(p.legacy.fill_random(&mut a), Err(CryptoError::RandomUnavailable));
        return;
    }
    p.legacy.fill_random(&mut a).unwrap();
    p.legacy.fill_random(&mut b).unwrap();
    assert_ne!(a, b);
    assert_ne!(a, [0; 32]);
}

fn rsa_and_ecdsa_reject_garbage_keys(p: &CryptoProvider) {
    use sev_verify::crypto::HashAlg;
    assert!(p.ecdsa_p384.verify(&[], HashAlg::Sha384, b"m", &[1; 96]).is_err());
    assert!(p.ecdsa_p384.verify(&[4; 97], HashAlg::Sha256, b"m", &[1; 96]).is_err());
    assert!(
        p.rsa_pss
            .verify(&[], &[1, 0, 1], HashAlg::Sha384, b"m", &[1; 512])
            .is_err()
    );
    assert!(
        p.rsa_pss
            .verify(&[0xff; 512], &[], HashAlg::Sha384, b"m", &[1; 512])
            .is_err()
    );
    assert!(
        p.rsa_pss
            .verify(&[0xff; 512], &[1, 0, 1], HashAlg::Sha384, b"m", &[])
            .is_err()
    );
}

per_backend!(
    sha256_abc,
    sha384_abc,
    hmac_sha256_rfc4231_case2,
    aes128_ctr_sp800_38a,
    aes128_ctr_counter_is_128_bit,
    ecdh_p384_matches_independent_computation,
    ecdh_rejects_bad_points,
    random_bytes_differ,
    rsa_and_ecdsa_reject_garbage_keys,
);

#[test]
fn default_provider_prefers_aws_lc_then_ring_then_rustcrypto() {
    #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]
    {
        let want = if cfg!(feature = "aws-lc") {
            "aws-lc"
        } else if cfg!(feature = "ring") {
            "ring"
        } else {
            "rustcrypto"
        };
        assert_eq!(sev_verify::crypto::default_provider().name, want);
    }
    let names: Vec<_> = sev_verify::crypto::all_providers().iter().map(|p| p.name).collect();
    let mut want = Vec::new();
    if cfg!(feature = "aws-lc") {
        want.push("aws-lc");
    }
    if cfg!(feature = "ring") {
        want.push("ring");
    }
    if cfg!(feature = "rustcrypto") {
        want.push("rustcrypto");
    }
    assert_eq!(names, want);
}

#[cfg(all(feature = "std", any(feature = "aws-lc", feature = "ring", feature = "rustcrypto")))]
#[test]
fn process_default_is_installed_once() {
    use sev_verify::crypto::{default_provider, get_default, get_default_or_install, install_default};
    // This test binary's only user of the process default.
    assert!(get_default().is_none());
    let mut custom = default_provider();
    custom.name = "custom";
    assert!(install_default(custom).is_ok());
    assert_eq!(get_default().unwrap().name, "custom");
    let refused = install_default(default_provider()).unwrap_err();
    assert_eq!(refused.name, default_provider().name, "the refused provider comes back");
    assert_eq!(
        get_default_or_install().name,
        "custom",
        "an installed default is never replaced"
    );
}
