//! The ring backend (feature `ring`).
//!
//! ring offers AES only inside its AEADs, so AES-128-CTR comes from the pure-Rust `aes` + `ctr`
//! crates; everything else is ring's.

use super::{
    BadSignature, CryptoError, CryptoProvider, Digests, EcdsaP384Verifier, EphemeralAgreement, HashAlg, LegacyCrypto,
    RsaPssVerifier, Zeroizing, der_sig, soft_aes,
};
use ::ring::rand::SecureRandom;
use ::ring::{agreement, digest, hmac, rand, signature};

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

impl EcdsaP384Verifier for Ring {
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

impl RsaPssVerifier for Ring {
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

impl Digests for Ring {
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
