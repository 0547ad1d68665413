//! The pure-Rust RustCrypto backend (feature `rustcrypto`): `p384`, `rsa`, `sha2`, `hmac`,
//! `aes` + `ctr`. Builds without `std`; randomness (and so the ephemeral ECDH of a legacy
//! session) then fails with [`CryptoError::RandomUnavailable`], and comes from the OS with `std`.

use super::{
    BadSignature, CryptoError, CryptoProvider, Digests, EcdsaP384Verifier, EphemeralAgreement, HashAlg, LegacyCrypto,
    RsaPssVerifier, Zeroizing, soft_aes,
};
use hmac::{KeyInit, Mac};
use p384::ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest, Sha256, Sha384};

/// The RustCrypto provider.
///
/// ```
/// let provider = sev_verify::crypto::rustcrypto::provider();
/// assert_eq!(provider.name, "rustcrypto");
/// ```
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        name: "rustcrypto",
        ecdsa_p384: &RustCrypto,
        rsa_pss: &RustCrypto,
        digests: &RustCrypto,
        legacy: &RustCrypto,
    }
}

#[derive(Debug)]
struct RustCrypto;

fn hash_parts<D: Digest>(parts: &[&[u8]]) -> D {
    let mut d = D::new();
    parts.iter().for_each(|p| d.update(p));
    d
}

impl EcdsaP384Verifier for RustCrypto {
    fn verify(&self, public_key: &[u8], hash: HashAlg, msg: &[u8], r_s: &[u8; 96]) -> Result<(), BadSignature> {
        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| BadSignature)?;
        let sig = p384::ecdsa::Signature::from_slice(r_s).map_err(|_| BadSignature)?;
        let result = match hash {
            HashAlg::Sha256 => key.verify_prehash(&Sha256::digest(msg), &sig),
            HashAlg::Sha384 => key.verify_prehash(&Sha384::digest(msg), &sig),
        };
        result.map_err(|_| BadSignature)
    }
}

impl RsaPssVerifier for RustCrypto {
    fn verify(
        &self,
        modulus: &[u8],
        exponent: &[u8],
        hash: HashAlg,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), BadSignature> {
        let n = rsa::BoxedUint::from_be_slice_vartime(modulus);
        let e = rsa::BoxedUint::from_be_slice_vartime(exponent);
        let key = rsa::PublicKey::new(n, e).map_err(|_| BadSignature)?;
        match hash {
            HashAlg::Sha256 => key.verify(rsa::Pss::<Sha256>::new(), &Sha256::digest(msg), sig),
            HashAlg::Sha384 => key.verify(rsa::Pss::<Sha384>::new(), &Sha384::digest(msg), sig),
        }
        .map_err(|_| BadSignature)
    }
}

impl Digests for RustCrypto {
    fn sha256(&self, parts: &[&[u8]]) -> [u8; 32] {
        hash_parts::<Sha256>(parts).finalize().into()
    }

    fn sha384(&self, parts: &[&[u8]]) -> [u8; 48] {
        hash_parts::<Sha384>(parts).finalize().into()
    }

    fn hmac_sha256(&self, key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
        let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(key) else {
            return [0u8; 32];
        };
        parts.iter().for_each(|p| mac.update(p));
        mac.finalize().into_bytes().into()
    }
}

impl LegacyCrypto for RustCrypto {
    fn aes128_ctr(&self, key: &[u8; 16], counter: &[u8; 16], data: &mut [u8]) -> Result<(), CryptoError> {
        soft_aes::aes128_ctr(key, counter, data)
    }

    fn ecdh_p384_ephemeral(&self, peer_public_key: &[u8]) -> Result<EphemeralAgreement, CryptoError> {
        let peer = p384::PublicKey::from_sec1_bytes(peer_public_key).map_err(|_| CryptoError::InvalidPublicKey)?;
        let secret = loop {
            let mut candidate = Zeroizing::new([0u8; 48]);
            self.fill_random(candidate.as_mut_slice())?;
            // Rejection sampling: about 2^-190 of candidates are zero or not below the order.
            if let Ok(secret) = p384::SecretKey::from_slice(candidate.as_slice()) {
                break secret;
            }
        };
        let public_key = uncompressed(&secret.public_key())?;
        let shared = p384::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
        let mut shared_secret = Zeroizing::new([0u8; 48]);
        shared_secret.copy_from_slice(shared.raw_secret_bytes().as_slice());
        Ok(EphemeralAgreement {
            public_key,
            shared_secret,
        })
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError> {
        #[cfg(feature = "std")]
        return getrandom::fill(out).map_err(|_| CryptoError::RandomUnavailable);
        #[cfg(not(feature = "std"))]
        {
            let _ = out;
            Err(CryptoError::RandomUnavailable)
        }
    }
}

fn uncompressed(key: &p384::PublicKey) -> Result<[u8; 97], CryptoError> {
    use p384::elliptic_curve::sec1::ToSec1Point;
    let point = key.as_affine().to_sec1_point(false);
    point.as_bytes().try_into().map_err(|_| CryptoError::Backend)
}
