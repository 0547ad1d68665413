//! The crypto provider: one struct of trait objects, one constructor per backend.
//!
//! Contract (other modules of this crate rely on these signatures; extend, don't change):
//! * every verify entry point of this crate takes `&CryptoProvider`;
//! * `default_provider()` picks aws-lc, else ring, else rustcrypto, by enabled features.

use core::fmt::Debug;

/// Hash functions used by AMD's signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

impl HashAlg {
    /// Digest length in bytes.
    pub const fn len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
        }
    }
}

/// A signature did not verify. Deliberately carries no detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BadSignature;

impl core::fmt::Display for BadSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("signature verification failed")
    }
}

impl core::error::Error for BadSignature {}

/// ECDSA over NIST P-384.
pub trait EcdsaP384Verifier: Send + Sync + Debug {
    /// Verifies `r_s` (r ‖ s, each 48 bytes big-endian) over `msg` hashed with `hash`,
    /// under `public_key` given as an uncompressed SEC1 point (`04 ‖ X ‖ Y`, 97 bytes).
    fn verify(&self, public_key: &[u8], hash: HashAlg, msg: &[u8], r_s: &[u8; 96]) -> Result<(), BadSignature>;
}

/// RSASSA-PSS with MGF1 on the same hash and a salt as long as the hash.
pub trait RsaPssVerifier: Send + Sync + Debug {
    /// Verifies `signature` (big-endian, as long as the modulus) over `msg` under the key
    /// (`modulus`, `exponent`), both big-endian without leading zero bytes required.
    fn verify(
        &self,
        modulus: &[u8],
        exponent: &[u8],
        hash: HashAlg,
        msg: &[u8],
        signature: &[u8],
    ) -> Result<(), BadSignature>;
}

/// Digests and MACs.
pub trait Digests: Send + Sync + Debug {
    /// SHA-256 over the concatenation of `parts`.
    fn sha256(&self, parts: &[&[u8]]) -> [u8; 32];
    /// SHA-384 over the concatenation of `parts`.
    fn sha384(&self, parts: &[&[u8]]) -> [u8; 48];
    /// HMAC-SHA-256 over the concatenation of `parts`.
    fn hmac_sha256(&self, key: &[u8], parts: &[&[u8]]) -> [u8; 32];
}

/// A complete set of algorithms. All fields are public so one part can be swapped.
#[derive(Debug, Clone, Copy)]
pub struct CryptoProvider {
    /// Backend name (`"aws-lc"`, `"ring"`, `"rustcrypto"`).
    pub name: &'static str,
    /// ECDSA P-384 verification.
    pub ecdsa_p384: &'static dyn EcdsaP384Verifier,
    /// RSA-PSS verification.
    pub rsa_pss: &'static dyn RsaPssVerifier,
    /// Digests and MACs.
    pub digests: &'static dyn Digests,
}
