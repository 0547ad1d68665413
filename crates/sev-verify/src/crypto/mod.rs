//! The crypto provider: one struct of trait objects, one constructor per backend.
//!
//! Contract (other modules of this crate rely on these signatures; extend, don't change):
//! * every verify entry point of this crate takes `&CryptoProvider`;
//! * `default_provider()` picks aws-lc, else ring, else rustcrypto, by enabled features.
//!
//! # Backends
//!
//! | feature | module | notes |
//! |---|---|---|
//! | `aws-lc` (default) | `aws_lc` | aws-lc-rs; fastest |
//! | `ring` | `ring` | ring has no raw AES-CTR, so AES-128-CTR (legacy SEV only) is the pure-Rust `aes` + `ctr` |
//! | `rustcrypto` | `rustcrypto` | pure Rust, `no_std`; randomness only with `std` (OS RNG) |
//!
//! RSA moduli of 2048 to 8192 bits verify in every backend (ring and aws-lc-rs take no smaller
//! keys). ring and aws-lc-rs have no fixed-width ECDSA P-384/SHA-256 verifier, so that pairing
//! (legacy SEV certificates) is re-encoded to DER internally; the signed bytes are untouched.
//!
//! Features add up: any combination compiles. With none of them there is no
//! `default_provider()`, and callers build a [`CryptoProvider`] from their own trait objects.
//!
//! ```
//! # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
//! use sev_verify::crypto::{HashAlg, default_provider};
//! let provider = default_provider();
//! let digest = provider.digests.sha256(&[b"a", b"bc"]);
//! assert_eq!(digest, provider.digests.sha256(&[b"abc"]));
//! assert_eq!(digest[..4], [0xba, 0x78, 0x16, 0xbf]); // FIPS 180-2 "abc"
//! assert_eq!(HashAlg::Sha384.len(), 48);
//! # }
//! ```

use core::fmt::Debug;

pub use zeroize::Zeroizing;

#[cfg(feature = "aws-lc")]
pub mod aws_lc;
#[cfg(feature = "ring")]
pub mod ring;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;

#[cfg(any(feature = "aws-lc", feature = "ring"))]
mod der_sig;
#[cfg(feature = "std")]
mod process_default;
#[cfg(any(feature = "aws-lc", feature = "ring"))]
mod ring_api;
#[cfg(any(feature = "ring", feature = "rustcrypto"))]
mod soft_aes;

#[cfg(all(feature = "std", any(feature = "aws-lc", feature = "ring", feature = "rustcrypto")))]
pub use process_default::get_default_or_install;
#[cfg(feature = "std")]
pub use process_default::{get_default, install_default};

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
    #[allow(clippy::len_without_is_empty, reason = "a digest length is never zero")]
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

/// A legacy-SEV crypto operation (key agreement, randomness, cipher) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The peer's public key is not a valid uncompressed P-384 point.
    #[error("invalid P-384 public key: expected an uncompressed SEC1 point on the curve")]
    InvalidPublicKey,
    /// This backend has no source of randomness (the pure-Rust backend without `std`).
    #[error("no random number source in this backend")]
    RandomUnavailable,
    /// The backend reported an internal failure.
    #[error("crypto backend failure")]
    Backend,
}

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

/// The result of an ephemeral P-384 key agreement.
#[derive(Clone)]
pub struct EphemeralAgreement {
    /// Our fresh public key as an uncompressed SEC1 point (`04 ‖ X ‖ Y`, big-endian).
    pub public_key: [u8; 97],
    /// The shared secret: the X coordinate of the shared point, big-endian (zeroized on drop).
    pub shared_secret: Zeroizing<[u8; 48]>,
}

impl Debug for EphemeralAgreement {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EphemeralAgreement")
            .field("public_key", &sev_types::fmt::Hex(&self.public_key))
            .finish_non_exhaustive()
    }
}

/// The primitives only the legacy SEV guest-owner session needs.
pub trait LegacyCrypto: Send + Sync + Debug {
    /// AES-128 in counter mode, in place: `data ^= keystream`. `counter` is the initial
    /// 128-bit counter block, incremented as one big-endian 128-bit integer per block.
    fn aes128_ctr(&self, key: &[u8; 16], counter: &[u8; 16], data: &mut [u8]) -> Result<(), CryptoError>;
    /// Generates a fresh P-384 key pair and agrees a secret with `peer_public_key`
    /// (uncompressed SEC1, 97 bytes). The private key never leaves the backend.
    fn ecdh_p384_ephemeral(&self, peer_public_key: &[u8]) -> Result<EphemeralAgreement, CryptoError>;
    /// Fills `out` with cryptographically secure random bytes.
    fn fill_random(&self, out: &mut [u8]) -> Result<(), CryptoError>;
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
    /// AES-128-CTR, ECDH P-384 and randomness for the legacy SEV session.
    pub legacy: &'static dyn LegacyCrypto,
}

/// The provider of the best enabled backend: aws-lc, else ring, else rustcrypto.
///
/// **The rule, and how to avoid depending on it.** Cargo features add up across a build, so if
/// another crate in the same build enables one more backend, this function returns that one
/// instead (for example ring → aws-lc). Every backend gives the same verdicts (the test suite runs
/// each on the same vectors), but a program that must use one backend — for a certification, or
/// for `no_std` — names it: `crypto::rustcrypto::provider()`, and so on; with `std`,
/// [`install_default`] fixes the process default once and for all (as rustls does).
///
/// ```
/// let p = sev_verify::crypto::default_provider();
/// # #[cfg(feature = "aws-lc")]
/// assert_eq!(p.name, "aws-lc");
/// ```
#[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]
pub fn default_provider() -> CryptoProvider {
    #[cfg(feature = "aws-lc")]
    return aws_lc::provider();
    #[cfg(all(not(feature = "aws-lc"), feature = "ring"))]
    return ring::provider();
    #[cfg(all(not(feature = "aws-lc"), not(feature = "ring"), feature = "rustcrypto"))]
    return rustcrypto::provider();
}

/// Every enabled backend's provider, fastest first (for tests and benchmarks).
pub fn all_providers() -> alloc::vec::Vec<CryptoProvider> {
    let constructors: &[fn() -> CryptoProvider] = &[
        #[cfg(feature = "aws-lc")]
        aws_lc::provider,
        #[cfg(feature = "ring")]
        ring::provider,
        #[cfg(feature = "rustcrypto")]
        rustcrypto::provider,
    ];
    constructors.iter().map(|f| f()).collect()
}

#[cfg(test)]
mod default_rule {
    /// The documented order of [`super::default_provider`], for whichever features this build has.
    #[test]
    #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]
    fn default_provider_follows_the_documented_order() {
        let expected = if cfg!(feature = "aws-lc") {
            "aws-lc"
        } else if cfg!(feature = "ring") {
            "ring"
        } else {
            "rustcrypto"
        };
        assert_eq!(super::default_provider().name, expected);
        assert_eq!(super::all_providers()[0].name, expected);
    }
}
