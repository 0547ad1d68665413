//! SNP ID block and ID authentication information: build, sign, verify; key digests.
//!
//! The ID block (0x60 bytes) names the expected launch digest and the guest's family/image IDs,
//! SVN and policy; SNP_LAUNCH_FINISH refuses to finish if the digest differs. The ID auth block
//! (0x1000 bytes) carries the ID key's signature over the ID block and, optionally, an author
//! key's signature over the ID key. Signatures are ECDSA P-384 over SHA-384, in AMD's
//! little-endian format; signing is deterministic (RFC 6979), so no RNG is needed.
//!
//! ```
//! use sev_measure::idblock::{SigningKey, default_id_block, sign_id_auth, verify_id_auth};
//! # let pem = include_str!("../../../fixtures/idblock/id_key_test.pem");
//! let id_key = SigningKey::from_pem(pem)?;
//! let block = default_id_block([0x11; 48]);
//! let auth = sign_id_auth(&block, &id_key, None);
//! let checked = verify_id_auth(&block, &auth)?;
//! assert_eq!(checked.id_key_digest, id_key.key_digest());
//! assert!(checked.author_key_digest.is_none());
//! # Ok::<(), sev_measure::idblock::IdBlockError>(())
//! ```

use alloc::boxed::Box;

use p384::ecdsa::signature::{Signer, Verifier};
use p384::ecdsa::{Signature, VerifyingKey};
use sev_types::ParseError;
use sev_types::ecdsa::{Curve, EcdsaPublicKey, EcdsaSignature};
use sev_types::policy::GuestPolicy;
use sha2::{Digest, Sha384};
use zerocopy::{FromZeros, IntoBytes};

/// ECDSA P-384 with SHA-384, the only algorithm SNP defines for ID and author keys.
pub const ALGO_ECDSA_P384_SHA384: u32 = 1;

/// Default policy of sev-snp-measure and virtee/sev (SMT allowed, reserved bit 17 set).
pub const DEFAULT_POLICY: u64 = 0x30000;

/// Errors of ID-block signing and verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdBlockError {
    /// The PEM text is neither a SEC1 nor a PKCS#8 P-384 private key.
    #[error("not a P-384 private key in SEC1 (\"EC PRIVATE KEY\") or PKCS#8 (\"PRIVATE KEY\") PEM form")]
    BadPrivateKey,
    /// The PEM text is not a P-384 key (private SEC1/PKCS#8 or public SubjectPublicKeyInfo).
    #[error("not a P-384 key in PEM form (EC PRIVATE KEY, PRIVATE KEY or PUBLIC KEY)")]
    BadKey,
    /// A buffer is not an ID block or ID auth block.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// An algorithm field is not 1 (ECDSA P-384 with SHA-384).
    #[error("{field} is {found}, expected 1 (ECDSA P-384 with SHA-384)")]
    BadAlgorithm {
        /// The field.
        field: &'static str,
        /// The value found.
        found: u32,
    },
    /// A public key is not a valid P-384 point in AMD's format.
    #[error("{0} is not a valid P-384 public key")]
    BadPublicKey(&'static str),
    /// A signature does not verify.
    #[error("{0} does not verify")]
    BadSignature(&'static str),
}

pub use sev_types::launch::id_block::{IdAuthInfo, IdBlock};

/// An ID block with the tooling defaults of sev-snp-measure and virtee/sev: zero family and image
/// IDs, version 1, SVN 0, policy 0x30000.
pub fn default_id_block(ld: [u8; 48]) -> IdBlock {
    IdBlock::new(ld, GuestPolicy::from_bits_retain(DEFAULT_POLICY))
}

/// A P-384 signing key (zeroized on drop by `p384`).
#[derive(Clone)]
pub struct SigningKey(p384::ecdsa::SigningKey);

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads a P-384 private key from PEM: SEC1 (`EC PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, IdBlockError> {
        use p384::pkcs8::DecodePrivateKey;
        let secret = p384::SecretKey::from_sec1_pem(pem)
            .or_else(|_| p384::SecretKey::from_pkcs8_pem(pem))
            .map_err(|_| IdBlockError::BadPrivateKey)?;
        Ok(Self(secret.into()))
    }

    /// The public key in AMD's 0x404-byte format.
    pub fn public_key(&self) -> EcdsaPublicKey {
        amd_public_key(self.0.verifying_key())
    }

    /// SHA-384 of [`public_key`](Self::public_key): the report's ID_KEY_DIGEST or AUTHOR_KEY_DIGEST.
    pub fn key_digest(&self) -> [u8; 48] {
        key_digest(&self.public_key())
    }

    /// Signs `msg` (ECDSA P-384, SHA-384, RFC 6979) and returns AMD's signature format.
    pub fn sign(&self, msg: &[u8]) -> EcdsaSignature {
        let sig: Signature = self.0.sign(msg);
        let (r, s) = sig.split_bytes();
        EcdsaSignature::from_p384_be(&r.into(), &s.into())
    }
}

fn amd_public_key(vk: &VerifyingKey) -> EcdsaPublicKey {
    let point = vk.to_sec1_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        unreachable!("an uncompressed SEC1 point has both coordinates")
    };
    EcdsaPublicKey::from_p384_be(&(*x).into(), &(*y).into())
}

/// SHA-384 over the 0x404-byte public key.
pub fn key_digest(key: &EcdsaPublicKey) -> [u8; 48] {
    Sha384::digest(key.as_bytes()).into()
}

/// Reads a P-384 key from PEM, private (SEC1 or PKCS#8) or public (SubjectPublicKeyInfo), and
/// returns its public key in AMD's format.
pub fn public_key_from_pem(pem: &str) -> Result<EcdsaPublicKey, IdBlockError> {
    use p384::pkcs8::DecodePublicKey;
    if let Ok(k) = SigningKey::from_pem(pem) {
        return Ok(k.public_key());
    }
    let pk = p384::PublicKey::from_public_key_pem(pem).map_err(|_| IdBlockError::BadKey)?;
    Ok(amd_public_key(&VerifyingKey::from(pk)))
}

/// Builds and signs the ID auth block for `block`. Without an author key the author fields stay
/// zero (AUTH_KEY_EN must then be 0 at SNP_LAUNCH_FINISH).
pub fn sign_id_auth(block: &IdBlock, id_key: &SigningKey, author_key: Option<&SigningKey>) -> Box<IdAuthInfo> {
    let mut auth = Box::new(IdAuthInfo::new_zeroed());
    auth.id_key_algo.set(ALGO_ECDSA_P384_SHA384);
    auth.author_key_algo.set(ALGO_ECDSA_P384_SHA384);
    auth.id_block_sig = id_key.sign(block.as_bytes());
    auth.id_key = id_key.public_key();
    if let Some(author) = author_key {
        auth.id_key_sig = author.sign(auth.id_key.as_bytes());
        auth.author_key = author.public_key();
    }
    auth
}

/// What [`verify_id_auth`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdAuth {
    /// SHA-384 of the ID key (the report's ID_KEY_DIGEST).
    pub id_key_digest: [u8; 48],
    /// SHA-384 of the author key, when the block carries a verified author signature.
    pub author_key_digest: Option<[u8; 48]>,
}

fn verifying_key(key: &EcdsaPublicKey, what: &'static str) -> Result<VerifyingKey, IdBlockError> {
    if key.curve() != Curve::P384 {
        return Err(IdBlockError::BadPublicKey(what));
    }
    let sec1 = key.p384_sec1_uncompressed().ok_or(IdBlockError::BadPublicKey(what))?;
    VerifyingKey::from_sec1_bytes(&sec1).map_err(|_| IdBlockError::BadPublicKey(what))
}

fn verify(key: &VerifyingKey, msg: &[u8], sig: &EcdsaSignature, what: &'static str) -> Result<(), IdBlockError> {
    let rs = sig.p384_r_s_be().ok_or(IdBlockError::BadSignature(what))?;
    let sig = Signature::from_slice(&rs).map_err(|_| IdBlockError::BadSignature(what))?;
    key.verify(msg, &sig).map_err(|_| IdBlockError::BadSignature(what))
}

/// Verifies an ID auth block against its ID block: the algorithms, the ID-block signature under
/// the ID key and, if an author key is present (non-zero), the ID-key signature under it.
pub fn verify_id_auth(block: &IdBlock, auth: &IdAuthInfo) -> Result<VerifiedIdAuth, IdBlockError> {
    if auth.id_key_algo.get() != ALGO_ECDSA_P384_SHA384 {
        return Err(IdBlockError::BadAlgorithm {
            field: "ID_KEY_ALGO",
            found: auth.id_key_algo.get(),
        });
    }
    let id_key = verifying_key(&auth.id_key, "ID key")?;
    verify(&id_key, block.as_bytes(), &auth.id_block_sig, "ID block signature")?;
    let author_key_digest = if auth.has_author_key() {
        if auth.author_key_algo.get() != ALGO_ECDSA_P384_SHA384 {
            return Err(IdBlockError::BadAlgorithm {
                field: "AUTHOR_KEY_ALGO",
                found: auth.author_key_algo.get(),
            });
        }
        let author = verifying_key(&auth.author_key, "author key")?;
        verify(&author, auth.id_key.as_bytes(), &auth.id_key_sig, "ID key signature")?;
        Some(key_digest(&auth.author_key))
    } else {
        None
    };
    Ok(VerifiedIdAuth {
        id_key_digest: key_digest(&auth.id_key),
        author_key_digest,
    })
}
