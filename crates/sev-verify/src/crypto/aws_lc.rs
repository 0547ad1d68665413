//! The aws-lc-rs backend (feature `aws-lc`, the default).

use super::{CryptoError, CryptoProvider, EphemeralAgreement, LegacyCrypto, Zeroizing};
use aws_lc_rs::{agreement, cipher, rand};

/// The aws-lc-rs provider.
///
/// ```
/// let provider = sev_verify::crypto::aws_lc::provider();
/// assert_eq!(provider.name, "aws-lc");
/// ```
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        name: "aws-lc",
        ecdsa_p384: &AwsLc,
        rsa_pss: &AwsLc,
        digests: &AwsLc,
        legacy: &AwsLc,
    }
}

#[derive(Debug)]
struct AwsLc;

super::ring_api::ring_api_impls!(AwsLc, aws_lc_rs);

impl LegacyCrypto for AwsLc {
    fn aes128_ctr(&self, key: &[u8; 16], counter: &[u8; 16], data: &mut [u8]) -> Result<(), CryptoError> {
        let key = cipher::UnboundCipherKey::new(&cipher::AES_128, key).map_err(|_| CryptoError::Backend)?;
        let key = cipher::EncryptingKey::ctr(key).map_err(|_| CryptoError::Backend)?;
        key.less_safe_encrypt(data, cipher::EncryptionContext::Iv128((*counter).into()))
            .map(|_| ())
            .map_err(|_| CryptoError::Backend)
    }

    fn ecdh_p384_ephemeral(&self, peer_public_key: &[u8]) -> Result<EphemeralAgreement, CryptoError> {
        let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P384, &rand::SystemRandom::new())
            .map_err(|_| CryptoError::Backend)?;
        let public = private.compute_public_key().map_err(|_| CryptoError::Backend)?;
        let public_key: [u8; 97] = public.as_ref().try_into().map_err(|_| CryptoError::Backend)?;
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P384, peer_public_key);
        let shared_secret = agreement::agree_ephemeral(private, peer, CryptoError::InvalidPublicKey, |z| {
            let mut out = Zeroizing::new([0u8; 48]);
            if z.len() != 48 {
                return Err(CryptoError::Backend);
            }
            out.copy_from_slice(z);
            Ok(out)
        })?;
        Ok(EphemeralAgreement {
            public_key,
            shared_secret,
        })
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        rand::fill(out).map_err(|_| CryptoError::Backend)
    }
}
