//! Property tests: random, truncated and bit-flipped certificate bytes never panic, and whatever
//! parses keeps its slices inside the input.

use proptest::prelude::*;
use sev_types::legacy::{AmdCertChain, AmdCertificate, FullChain, PlatformChain, PublicKey, SevCertificate};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/sev-legacy/{rel}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn exercise_sev(cert: &SevCertificate<'_>, bits: u32) {
    let _ = format!("{cert} {cert:?}");
    assert_eq!(cert.signed_bytes().len(), 0x414);
    match cert.public_key() {
        PublicKey::Ec(k) => {
            let _ = k.p384_sec1_uncompressed();
        }
        PublicKey::Rsa(k) => {
            let _ = (k.modulus_be(), k.exponent_be());
        }
        _ => {}
    }
    let _ = cert.public_key().sec1_uncompressed();
    for slot in cert.signatures() {
        let _ = (
            slot.ecdsa().map(|s| s.p384_r_s_be()),
            slot.rsa_be(bits),
            slot.to_string(),
        );
    }
    #[cfg(feature = "serde")]
    let _ = serde_json::to_string(cert).unwrap();
}

fn exercise_amd(cert: &AmdCertificate<'_>, input_len: usize) {
    let _ = format!("{cert} {cert:?}");
    assert!(cert.as_bytes().len() <= input_len);
    assert_eq!(
        cert.signed_bytes().len() + cert.signature_le().len(),
        cert.as_bytes().len()
    );
    assert!(matches!(cert.modulus_bits(), 2048 | 4096));
    assert_eq!(cert.modulus_be().len(), cert.modulus_bits() as usize / 8);
    let _ = (cert.exponent_be().to_u64(), cert.signature_be());
    #[cfg(feature = "serde")]
    let _ = serde_json::to_string(cert).unwrap();
}

/// An AMD header whose size fields are mostly plausible, followed by random bytes.
fn amd_like() -> impl Strategy<Value = Vec<u8>> {
    let size = prop_oneof![Just(2048u32), Just(4096u32), any::<u32>()];
    (size.clone(), size, prop::collection::vec(any::<u8>(), 0..1800)).prop_map(|(e, m, mut body)| {
        body.resize(body.len().max(0x40), 0);
        body[0x38..0x3C].copy_from_slice(&e.to_le_bytes());
        body[0x3C..0x40].copy_from_slice(&m.to_le_bytes());
        body
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_as_sev_certificate(bytes in prop::collection::vec(any::<u8>(), 0..2200), bits in any::<u32>()) {
        if let Ok(c) = SevCertificate::from_bytes(&bytes) {
            prop_assert_eq!(bytes.len(), 0x824);
            exercise_sev(&c, bits);
        }
        if let Ok((c, rest)) = SevCertificate::from_prefix(&bytes) {
            prop_assert_eq!(c.as_bytes().len() + rest.len(), bytes.len());
        }
    }

    #[test]
    fn random_amd_certificates(bytes in amd_like()) {
        match AmdCertificate::from_prefix(&bytes) {
            Ok((c, rest)) => {
                prop_assert_eq!(c.as_bytes().len() + rest.len(), bytes.len());
                exercise_amd(&c, bytes.len());
            }
            Err(e) => { let _ = e.to_string(); }
        }
        let _ = AmdCertChain::from_bytes(&bytes);
    }

    #[test]
    fn bit_flipped_real_certificates(idx in any::<prop::sample::Index>(), bit in 0u8..8, bits in any::<u32>()) {
        for path in ["milan/platform/pek.cert", "rome/platform-early/cek.cert"] {
            let mut bytes = fixture(path);
            let i = idx.index(bytes.len());
            bytes[i] ^= 1 << bit;
            let c = SevCertificate::from_bytes(&bytes).unwrap(); // only the length matters to parsing
            exercise_sev(&c, bits);
        }
        for path in ["naples/ark.cert", "milan/ask.cert"] {
            let mut bytes = fixture(path);
            let i = idx.index(bytes.len());
            bytes[i] ^= 1 << bit;
            match AmdCertificate::from_bytes(&bytes) {
                Ok(c) => exercise_amd(&c, bytes.len()),
                // Only a flip in a size field may break parsing.
                Err(_) => prop_assert!((0x38..0x40).contains(&i), "flip at {i:#x} broke parsing"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn truncated_and_extended_bundles(cut in any::<prop::sample::Index>(), extra in prop::collection::vec(any::<u8>(), 0..64)) {
        let full: Vec<u8> = [
            "milan/platform/pdh.cert", "milan/platform/pek.cert", "milan/platform/oca.cert",
            "milan/platform/cek.cert", "milan/ask.cert", "milan/ark.cert",
        ].iter().flat_map(|p| fixture(p)).collect();
        let n = cut.index(full.len());
        prop_assert!(FullChain::from_bytes(&full[..n]).is_err());
        let mut longer = full.clone();
        longer.extend_from_slice(&extra);
        prop_assert_eq!(FullChain::from_bytes(&longer).is_ok(), extra.is_empty());
        let chain = &full[0x824..0x824 * 4];
        let _ = PlatformChain::from_bytes(&chain[..cut.index(chain.len())]).unwrap_err();
        let amd = &full[0x824 * 4..];
        let _ = AmdCertChain::from_bytes(&amd[..cut.index(amd.len())]).unwrap_err();
    }
}
