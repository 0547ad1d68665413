//! The aws-lc-rs backend (feature `aws-lc`, the default).

use super::{
    BadSignature, CryptoError, CryptoProvider, Digests, EcdsaP384Verifier, EphemeralAgreement, HashAlg, LegacyCrypto,
    RsaPssVerifier, Zeroizing, der_sig,
};
use aws_lc_rs::{agreement, cipher, digest, hmac, rand, signature};

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

impl EcdsaP384Verifier for AwsLc {
    fn verify(&self, public_key: &[u8], hash: HashAlg, msg: &[u8], r_s: &[u8; 96]) -> Result<(), BadSignature> {
        match hash {
            HashAlg::Sha384 => {
                signature::UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, public_key).verify(msg, r_s)
            }
            HashAlg::Sha256 => {
                let (der, len) = der_sig::encode(r_s);
                signature::UnparsedPublicKey::new(&signature::ECDSA_P384_SHA256_ASN1, public_key)
                    .verify(msg, &der[..len])
            }
        }
        .map_err(|_| BadSignature)
    }
}

impl RsaPssVerifier for AwsLc {
    fn verify(
        &self,
        modulus: &[u8],
        exponent: &[u8],
        hash: HashAlg,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let params = match hash {
            HashAlg::Sha256 => &signature::RSA_PSS_2048_8192_SHA256,
            HashAlg::Sha384 => &signature::RSA_PSS_2048_8192_SHA384,
        };
        signature::RsaPublicKeyComponents {
            n: trim(modulus),
            e: trim(exponent),
        }
        .verify(params, msg, sig)
        .map_err(|_| BadSignature)
    }
}

/// Drops leading zero bytes: the library rejects non-minimal integers.
fn trim(int: &[u8]) -> &[u8] {
    let first = int.iter().position(|&b| b != 0).unwrap_or(int.len());
    &int[first..]
}

fn digest_parts(alg: &'static digest::Algorithm, parts: &[&[u8]]) -> digest::Digest {
    let mut ctx = digest::Context::new(alg);
    parts.iter().for_each(|p| ctx.update(p));
    ctx.finish()
}

impl Digests for AwsLc {
    fn sha256(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(digest_parts(&digest::SHA256, parts).as_ref());
        out
    }

    fn sha384(&self, parts: &[&[u8]]) -> [u8; 48] {
        let mut out = [0u8; 48];
        out.copy_from_slice(digest_parts(&digest::SHA384, parts).as_ref());
        out
    }

    fn hmac_sha256(&self, key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, key));
        parts.iter().for_each(|p| ctx.update(p));
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }
}

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
