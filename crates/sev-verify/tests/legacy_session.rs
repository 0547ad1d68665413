//! The guest owner's session end to end, and the PEK-signed attestation report, on every backend.
//!
//! The platform side is played with the `p384` crate and a fixed test key: it computes Z from the
//! owner's DH certificate, re-derives KEK/KIK per `sev-legacy.md` §6 with the independent `hmac`
//! of this file, unwraps TEK ‖ TIK and checks every MAC the session produced.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

#[macro_use]
mod backends;

use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::elliptic_curve::sec1::ToSec1Point;
use sev_verify::crypto::CryptoProvider;
use sev_verify::legacy::{GuestOwnerSession, LegacyError, LinkFailure, verify_attestation_report};
use sev_verify::sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};
use sev_verify::sev_types::launch::sev::{AttestationReport, SevPolicy};
use sev_verify::sev_types::legacy::{Algorithm, PublicKey, SEV_CERT_LEN, SevCertificate, Usage};
use zerocopy::IntoBytes;

const MILAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/milan/platform/");

fn test_key(seed: u8) -> p384::SecretKey {
    p384::SecretKey::from_slice(&[seed; 48]).unwrap()
}

/// An unsigned SEV certificate holding `key` (the shape firmware exports; signatures are not
/// needed by the code under test here).
fn cert_for(key: &p384::PublicKey, usage: Usage, algo: Algorithm) -> Vec<u8> {
    let point = key.as_affine().to_sec1_point(false);
    let b = point.as_bytes();
    let mut c = vec![0u8; SEV_CERT_LEN];
    c[0..4].copy_from_slice(&1u32.to_le_bytes());
    c[8..12].copy_from_slice(&usage.raw().to_le_bytes());
    c[12..16].copy_from_slice(&algo.raw().to_le_bytes());
    let k = EcdsaPublicKey::from_p384_be(b[1..49].try_into().unwrap(), b[49..97].try_into().unwrap());
    c[0x10..0x414].copy_from_slice(k.as_bytes());
    c
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use sha2::Digest;
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key); // keys here are ≤ 48 bytes
    let pad = |x: u8| k.map(|b| b ^ x);
    let mut inner = sha2::Sha256::new();
    inner.update(pad(0x36));
    parts.iter().for_each(|p| inner.update(p));
    let mut outer = sha2::Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn kdf16(key: &[u8], label: &[u8], context: &[u8]) -> [u8; 16] {
    hmac(key, &[&1u32.to_le_bytes(), label, &[0], context, &128u32.to_le_bytes()])[..16]
        .try_into()
        .unwrap()
}

/// The pure-Rust backend has no random source without `std`: then the operation must say so.
fn lacks_randomness(p: &CryptoProvider) -> bool {
    p.name == "rustcrypto" && !cfg!(feature = "std")
}

fn session_round_trip(p: &CryptoProvider) {
    let platform = test_key(0x17);
    let pdh = cert_for(&platform.public_key(), Usage::Pdh, Algorithm::EcdhSha256);
    let policy = SevPolicy::NODBG | SevPolicy::NOKS | SevPolicy::ES;
    if lacks_randomness(p) {
        let err = GuestOwnerSession::start(p, &SevCertificate::from_bytes(&pdh).unwrap(), policy).unwrap_err();
        assert_eq!(
            err,
            LegacyError::Crypto(sev_verify::crypto::CryptoError::RandomUnavailable)
        );
        return;
    }
    let (session, start) = GuestOwnerSession::start(p, &SevCertificate::from_bytes(&pdh).unwrap(), policy).unwrap();
    assert_eq!(start.policy, policy);

    // The owner's DH certificate: usage PDH, ECDH, P-384, both slots empty.
    let owner = SevCertificate::from_bytes(&start.dh_cert[..]).unwrap();
    assert_eq!(
        (owner.version(), owner.pubkey_usage(), owner.pubkey_algo()),
        (1, Usage::Pdh, Algorithm::EcdhSha256)
    );
    assert!(owner.sig1().is_empty() && owner.sig2().is_empty());
    let PublicKey::Ec(_) = owner.public_key() else {
        panic!("EC key expected")
    };
    let point = owner.public_key().sec1_uncompressed().unwrap();
    let owner_pub = p384::PublicKey::from_sec1_bytes(&point).expect("owner key on the curve");

    // Platform side.
    let z = p384::ecdh::diffie_hellman(platform.to_nonzero_scalar(), owner_pub.as_affine());
    let s = &start.session;
    let master = kdf16(z.raw_secret_bytes(), b"sev-master-secret", &s.nonce);
    let (kek, kik) = (kdf16(&master, b"sev-kek", &[]), kdf16(&master, b"sev-kik", &[]));
    assert_eq!(hmac(&kik, &[&s.wrap_tk]), s.wrap_mac, "WRAP_MAC");
    let mut tk = s.wrap_tk;
    p.legacy.aes128_ctr(&kek, &s.wrap_iv, &mut tk).unwrap();
    assert_eq!(
        (&tk[..16], &tk[16..]),
        (&session.tek()[..], &session.tik()[..]),
        "unwrapped TEK ‖ TIK"
    );
    assert_eq!(
        hmac(session.tik(), &[&policy.bits().to_le_bytes()]),
        s.policy_mac,
        "POLICY_MAC"
    );
    assert_eq!(s.as_bytes().len(), 0x80);
    assert_ne!(session.tek(), session.tik());

    // A second session differs in every random part.
    let (other, again) = GuestOwnerSession::start(p, &SevCertificate::from_bytes(&pdh).unwrap(), policy).unwrap();
    assert_ne!((again.session.nonce, again.session.wrap_iv), (s.nonce, s.wrap_iv));
    assert_ne!(other.tek(), session.tek());
    assert_ne!(&again.dh_cert[0x14..0x5C], &start.dh_cert[0x14..0x5C]);
}

fn session_with_the_real_milan_pdh(p: &CryptoProvider) {
    let pdh = std::fs::read(format!("{MILAN}pdh.cert")).unwrap();
    if lacks_randomness(p) {
        return; // covered by session_round_trip
    }
    let (_, start) = GuestOwnerSession::start(p, &SevCertificate::from_bytes(&pdh).unwrap(), SevPolicy::NODBG).unwrap();
    assert_eq!(start.dh_cert.len(), SEV_CERT_LEN);
    // The PEK is no key-agreement key.
    let pek = std::fs::read(format!("{MILAN}pek.cert")).unwrap();
    let err = GuestOwnerSession::start(p, &SevCertificate::from_bytes(&pek).unwrap(), SevPolicy::NODBG).unwrap_err();
    assert_eq!(err, LegacyError::Pdh("certificate usage is not PDH"));
    // A PDH whose point is off the curve.
    let mut bad = pdh.clone();
    bad[0x14] ^= 1;
    let err = GuestOwnerSession::start(p, &SevCertificate::from_bytes(&bad).unwrap(), SevPolicy::NODBG).unwrap_err();
    assert!(matches!(err, LegacyError::Crypto(_)), "{err}");
}

/// A 0xD0-byte report signed with `key` over bytes 0x00..0x34 (ECDSA P-384, SHA-256).
fn signed_report(key: &p384::SecretKey) -> Vec<u8> {
    use sha2::Digest;
    let mut r = vec![0u8; 0xD0];
    r[..16].copy_from_slice(&[0xA5; 16]);
    r[0x10..0x30].copy_from_slice(&[0x5A; 32]);
    r[0x30..0x34].copy_from_slice(&SevPolicy::NODBG.bits().to_le_bytes());
    r[0x34..0x38].copy_from_slice(&Usage::Pek.raw().to_le_bytes());
    r[0x38..0x3C].copy_from_slice(&Algorithm::EcdsaSha256.raw().to_le_bytes());
    let digest = sha2::Sha256::digest(&r[..0x34]);
    let sig: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(key).sign_prehash(&digest).unwrap();
    let sig_bytes = sig.to_bytes();
    let amd = EcdsaSignature::from_p384_be(sig_bytes[..48].try_into().unwrap(), sig_bytes[48..].try_into().unwrap());
    r[0x40..0x88].copy_from_slice(&amd.r);
    r[0x88..0xD0].copy_from_slice(&amd.s);
    r
}

fn attestation_report_signature(p: &CryptoProvider) {
    let key = test_key(0x23);
    let pek = cert_for(&key.public_key(), Usage::Pek, Algorithm::EcdsaSha256);
    let pek = SevCertificate::from_bytes(&pek).unwrap();
    let report = signed_report(&key);
    verify_attestation_report(p, &AttestationReport::from_bytes(&report).unwrap(), &pek).unwrap();

    // Every signed byte and every byte of R ‖ S is covered.
    let mut copy = report.clone();
    for i in (0..0x34).chain(0x40..0xD0) {
        copy[i] ^= 0x04;
        let r = AttestationReport::from_bytes(&copy).unwrap();
        assert!(
            verify_attestation_report(p, &r, &pek).is_err(),
            "flipping byte {i:#x} still verifies"
        );
        copy[i] ^= 0x04;
    }
    // Another PEK, a non-PEK signer, a report naming another signer.
    let other = cert_for(&test_key(0x24).public_key(), Usage::Pek, Algorithm::EcdsaSha256);
    let r = AttestationReport::from_bytes(&report).unwrap();
    assert_eq!(
        verify_attestation_report(p, &r, &SevCertificate::from_bytes(&other).unwrap()),
        Err(LegacyError::Report(LinkFailure::BadSignature))
    );
    let oca = cert_for(&key.public_key(), Usage::Oca, Algorithm::EcdsaSha256);
    assert_eq!(
        verify_attestation_report(p, &r, &SevCertificate::from_bytes(&oca).unwrap()),
        Err(LegacyError::Report(LinkFailure::SignerUsage {
            expected: Usage::Pek,
            found: Usage::Oca
        }))
    );
    let real_pek = std::fs::read(format!("{MILAN}pek.cert")).unwrap();
    assert!(verify_attestation_report(p, &r, &SevCertificate::from_bytes(&real_pek).unwrap()).is_err());
}

per_backend!(
    session_round_trip,
    session_with_the_real_milan_pdh,
    attestation_report_signature
);
