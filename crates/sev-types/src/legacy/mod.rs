//! SEV (pre-SNP) certificate formats: the 2084-byte SEV certificate and AMD's ARK/ASK format.
//!
//! * [`SevCertificate`]: PEK, PDH, OCA, CEK and guest-owner certificates (0x824 bytes).
//! * [`AmdCertificate`]: the AMD root (ARK) and signing (ASK) keys, RSA-2048 or RSA-4096.
//! * [`AmdCertChain`], [`PlatformChain`], [`FullChain`]: the concatenations tools exchange.
//!
//! All integers inside keys and signatures are stored little-endian; the `*_be` accessors give the
//! big-endian forms that crypto libraries expect. Views keep the received bytes, and
//! `signed_bytes()` returns exactly the bytes the signatures cover.
//!
//! ```
//! use sev_types::legacy::{AmdCertChain, Usage};
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
//!     "/../../fixtures/sev-legacy/naples/ask_ark_naples.cert"))?;
//! let chain = AmdCertChain::from_bytes(&bytes)?;
//! assert_eq!(chain.ask.key_usage(), Usage::Ask);
//! assert_eq!(chain.ark.key_usage(), Usage::Ark);
//! assert_eq!(chain.ask.certifying_id(), chain.ark.key_id());
//! assert_eq!(chain.ark.modulus_bits(), 2048);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod amd_cert;
mod be;
mod bundle;
mod sev_cert;

pub use amd_cert::{AMD_CERT_HEADER_LEN, AmdCertHeader, AmdCertificate};
pub use be::BeInt;
pub use bundle::{AmdCertChain, FullChain, PlatformChain};
pub use sev_cert::{
    PublicKey, RawRsaPublicKey, RawSevCertificate, RawSignatureSlot, SEV_CERT_LEN, SEV_CERT_SIGNED_LEN, SevCertificate,
    SignatureSlot,
};

use crate::launch::value_enum;

value_enum! {
    /// What a key is for (`PUBKEY_USAGE`, `SIGx_USAGE`, AMD `KEY_USAGE`).
    pub enum Usage: u32 {
        /// 0x0000: AMD root signing key.
        Ark = 0x0000 => "ARK",
        /// 0x0013: AMD SEV signing key.
        Ask = 0x0013 => "ASK",
        /// 0x1000: invalid; marks an empty signature slot.
        Invalid = 0x1000 => "INVALID",
        /// 0x1001: owner certificate authority.
        Oca = 0x1001 => "OCA",
        /// 0x1002: platform endorsement key.
        Pek = 0x1002 => "PEK",
        /// 0x1003: platform Diffie-Hellman key (also the guest owner's DH key).
        Pdh = 0x1003 => "PDH",
        /// 0x1004: chip endorsement key.
        Cek = 0x1004 => "CEK",
    }
}

value_enum! {
    /// Key and signature algorithm (`PUBKEY_ALGO`, `SIGx_ALGO`).
    pub enum Algorithm: u32 {
        /// 0x0000: none (empty slot).
        None = 0x0000 => "NONE",
        /// 0x0001: RSASSA-PSS with SHA-256.
        RsaSha256 = 0x0001 => "RSA-SHA256",
        /// 0x0002: ECDSA with SHA-256.
        EcdsaSha256 = 0x0002 => "ECDSA-SHA256",
        /// 0x0003: ECDH, SHA-256.
        EcdhSha256 = 0x0003 => "ECDH-SHA256",
        /// 0x0101: RSASSA-PSS with SHA-384.
        RsaSha384 = 0x0101 => "RSA-SHA384",
        /// 0x0102: ECDSA with SHA-384.
        EcdsaSha384 = 0x0102 => "ECDSA-SHA384",
        /// 0x0103: ECDH, SHA-384.
        EcdhSha384 = 0x0103 => "ECDH-SHA384",
    }
}

/// A hash function named by an [`Algorithm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
}

/// The kind of key an [`Algorithm`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum KeyKind {
    /// RSA (signatures are RSASSA-PSS, MGF1 on the same hash, salt = hash length).
    Rsa,
    /// ECDSA signing key.
    Ecdsa,
    /// ECDH key-agreement key.
    Ecdh,
}

impl Algorithm {
    /// The hash the algorithm uses, or `None` for [`Algorithm::None`] and unknown values.
    pub const fn hash(self) -> Option<HashAlgorithm> {
        match self {
            Algorithm::RsaSha256 | Algorithm::EcdsaSha256 | Algorithm::EcdhSha256 => Some(HashAlgorithm::Sha256),
            Algorithm::RsaSha384 | Algorithm::EcdsaSha384 | Algorithm::EcdhSha384 => Some(HashAlgorithm::Sha384),
            Algorithm::None | Algorithm::Unknown(_) => None,
        }
    }

    /// The key kind, or `None` for [`Algorithm::None`] and unknown values.
    pub const fn key_kind(self) -> Option<KeyKind> {
        match self {
            Algorithm::RsaSha256 | Algorithm::RsaSha384 => Some(KeyKind::Rsa),
            Algorithm::EcdsaSha256 | Algorithm::EcdsaSha384 => Some(KeyKind::Ecdsa),
            Algorithm::EcdhSha256 | Algorithm::EcdhSha384 => Some(KeyKind::Ecdh),
            Algorithm::None | Algorithm::Unknown(_) => None,
        }
    }

    /// Whether the key is an elliptic-curve key (ECDSA or ECDH).
    pub const fn is_ec(self) -> bool {
        matches!(self.key_kind(), Some(KeyKind::Ecdsa | KeyKind::Ecdh))
    }

    /// Whether the key is an RSA key.
    pub const fn is_rsa(self) -> bool {
        matches!(self.key_kind(), Some(KeyKind::Rsa))
    }
}
