//! The ring backend (feature `ring`).
//!
//! ring offers AES only inside its AEADs, so AES-128-CTR comes from the pure-Rust `aes` + `ctr`
//! crates; everything else is ring's.

use super::{CryptoError, CryptoProvider, EphemeralAgreement, LegacyCrypto, Zeroizing, soft_aes};
use ::ring::rand::SecureRandom;
use ::ring::{agreement, rand};

/// The ring provider.
///
/// ```
/// let provider = sev_verify::crypto::ring::provider();
/// assert_eq!(provider.name, "ring");
/// ```
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        name: "ring",
        ecdsa_p384: &Ring,
        rsa_pss: &Ring,
        digests: &Ring,
        legacy: &Ring,
    }
}

#[derive(Debug)]
struct Ring;

super::ring_api::ring_api_impls!(Ring, ring);

impl LegacyCrypto for Ring {
    fn aes128_ctr(&self, key: &[u8; 16], counter: &[u8; 16], data: &mut [u8]) -> Result<(), CryptoError> {
        soft_aes::aes128_ctr(key, counter, data)
    }

    fn ecdh_p384_ephemeral(&self, peer_public_key: &[u8]) -> Result<EphemeralAgreement, CryptoError> {
        let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P384, &rand::SystemRandom::new())
            .map_err(|_| CryptoError::Backend)?;
        let public = private.compute_public_key().map_err(|_| CryptoError::Backend)?;
        let public_key: [u8; 97] = public.as_ref().try_into().map_err(|_| CryptoError::Backend)?;
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P384, peer_public_key);
        let shared_secret = agreement::agree_ephemeral(private, &peer, |z| {
            let mut out = Zeroizing::new([0u8; 48]);
            if z.len() != 48 {
                return Err(CryptoError::Backend);
            }
            out.copy_from_slice(z);
            Ok(out)
        })
        .map_err(|_| CryptoError::InvalidPublicKey)??;
        Ok(EphemeralAgreement {
            public_key,
            shared_secret,
        })
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        rand::SystemRandom::new().fill(out).map_err(|_| CryptoError::Backend)
    }
}
