//! The SNP ID block (0x60 bytes) and its authentication information (0x1000 bytes), handed to
//! SNP_LAUNCH_FINISH.
//!
//! ```
//! use sev_types::launch::id_block::IdBlock;
//! use sev_types::policy::GuestPolicy;
//! use zerocopy::IntoBytes;
//! let block = IdBlock::new([0x11; 48], GuestPolicy::from_bits_retain(0x30000)).with_guest_svn(2);
//! assert_eq!(block.version(), 1);
//! assert_eq!(block.as_bytes().len(), 0x60);
//! assert_eq!(IdBlock::ref_from_bytes(block.as_bytes())?.guest_svn(), 2);
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, value_enum};
use crate::ecdsa::{EcdsaPublicKey, EcdsaSignature};
use crate::policy::GuestPolicy;
use crate::{ParseError, U32, U64};

/// The ID block format version this crate writes.
pub const ID_BLOCK_VERSION: u32 = 1;

/// ID_BLOCK (0x60 bytes): the launch digest and identity the guest owner expects.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct IdBlock {
    /// 0x00: expected launch digest; LAUNCH_FINISH fails if the measured digest differs.
    pub ld: [u8; 48],
    /// 0x30: family ID, copied to the report.
    pub family_id: [u8; 16],
    /// 0x40: image ID, copied to the report.
    pub image_id: [u8; 16],
    /// 0x50: format version (1).
    pub version: U32,
    /// 0x54: guest SVN, copied to the report.
    pub guest_svn: U32,
    /// 0x58: policy; must equal the policy given to SNP_LAUNCH_START.
    pub policy: U64,
}
assert_offsets!(IdBlock {
    ld: 0x00,
    family_id: 0x30,
    image_id: 0x40,
    version: 0x50,
    guest_svn: 0x54,
    policy: 0x58
});
const _: () = assert!(size_of::<IdBlock>() == 0x60);

impl IdBlock {
    /// Size in bytes.
    pub const SIZE: usize = 0x60;

    /// An ID block (version 1) for launch digest `ld` and `policy`; IDs and SVN zero.
    pub fn new(ld: [u8; 48], policy: GuestPolicy) -> Self {
        Self {
            ld,
            family_id: [0; 16],
            image_id: [0; 16],
            version: U32::new(ID_BLOCK_VERSION),
            guest_svn: U32::new(0),
            policy: U64::new(policy.bits()),
        }
    }

    /// The same block with the family ID replaced.
    pub fn with_family_id(mut self, family_id: [u8; 16]) -> Self {
        self.family_id = family_id;
        self
    }

    /// The same block with the image ID replaced.
    pub fn with_image_id(mut self, image_id: [u8; 16]) -> Self {
        self.image_id = image_id;
        self
    }

    /// The same block with the guest SVN replaced.
    pub fn with_guest_svn(mut self, svn: u32) -> Self {
        self.guest_svn.set(svn);
        self
    }

    /// Views exactly 0x60 bytes as an ID block (any version parses).
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("ID block", bytes)
    }

    /// Expected launch digest.
    pub fn ld(&self) -> &[u8; 48] {
        &self.ld
    }

    /// Format version.
    pub fn version(&self) -> u32 {
        self.version.get()
    }

    /// Guest SVN.
    pub fn guest_svn(&self) -> u32 {
        self.guest_svn.get()
    }

    /// Policy.
    pub fn policy(&self) -> GuestPolicy {
        GuestPolicy::from_bits_retain(self.policy.get())
    }
}

impl core::fmt::Display for IdBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::fmt::Hex;
        write!(
            f,
            "ID block v{}: ld {}, family {}, image {}, svn {}, policy {}",
            self.version(),
            Hex(&self.ld),
            Hex(&self.family_id),
            Hex(&self.image_id),
            self.guest_svn(),
            self.policy()
        )
    }
}

value_enum! {
    /// Signature algorithm of the ID and author keys (ID_KEY_ALGO, AUTHOR_KEY_ALGO).
    pub enum IdKeyAlgorithm: u32 {
        /// 1: ECDSA P-384 with SHA-384.
        EcdsaP384Sha384 = 1 => "ECDSA-P384-SHA384",
    }
}

/// ID_AUTH_INFO (0x1000 bytes): the ID block's signature, the ID key, and optionally the author
/// key and its signature over the ID key.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct IdAuthInfo {
    /// 0x000: algorithm of the ID key.
    pub id_key_algo: U32,
    /// 0x004: algorithm of the author key.
    pub author_key_algo: U32,
    /// 0x008: reserved.
    pub reserved_008: [u8; 0x38],
    /// 0x040: signature of the ID key over the 0x60-byte ID block.
    pub id_block_sig: EcdsaSignature,
    /// 0x240: the ID public key.
    pub id_key: EcdsaPublicKey,
    /// 0x644: reserved.
    pub reserved_644: [u8; 0x3C],
    /// 0x680: signature of the author key over the 0x404-byte ID key.
    pub id_key_sig: EcdsaSignature,
    /// 0x880: the author public key.
    pub author_key: EcdsaPublicKey,
    /// 0xC84: reserved.
    pub reserved_c84: [u8; 0x37C],
}
assert_offsets!(IdAuthInfo {
    id_key_algo: 0x000,
    author_key_algo: 0x004,
    reserved_008: 0x008,
    id_block_sig: 0x040,
    id_key: 0x240,
    reserved_644: 0x644,
    id_key_sig: 0x680,
    author_key: 0x880,
    reserved_c84: 0xC84,
});
const _: () = assert!(size_of::<IdAuthInfo>() == 0x1000);

impl IdAuthInfo {
    /// Size in bytes.
    pub const SIZE: usize = 0x1000;

    /// Auth info with the ID block signature and ID key; both algorithms ECDSA P-384/SHA-384, no
    /// author key (its fields zero).
    pub fn new(id_block_sig: EcdsaSignature, id_key: EcdsaPublicKey) -> Self {
        let mut info = Self::new_zeroed();
        info.id_key_algo.set(IdKeyAlgorithm::EcdsaP384Sha384.raw());
        info.author_key_algo.set(IdKeyAlgorithm::EcdsaP384Sha384.raw());
        info.id_block_sig = id_block_sig;
        info.id_key = id_key;
        info
    }

    /// The same auth info with an author key and its signature over the ID key
    /// (LAUNCH_FINISH then needs AUTH_KEY_EN).
    pub fn with_author_key(mut self, id_key_sig: EcdsaSignature, author_key: EcdsaPublicKey) -> Self {
        self.id_key_sig = id_key_sig;
        self.author_key = author_key;
        self
    }

    /// Views exactly 0x1000 bytes as auth info.
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("ID auth info", bytes)
    }

    /// Algorithm of the ID key.
    pub fn id_key_algo(&self) -> IdKeyAlgorithm {
        IdKeyAlgorithm::from_raw(self.id_key_algo.get())
    }

    /// Algorithm of the author key.
    pub fn author_key_algo(&self) -> IdKeyAlgorithm {
        IdKeyAlgorithm::from_raw(self.author_key_algo.get())
    }

    /// The 0x404 bytes of the ID key, the input of the report's ID_KEY_DIGEST (SHA-384).
    pub fn id_key_bytes(&self) -> &[u8] {
        self.id_key.as_bytes()
    }

    /// The 0x404 bytes of the author key, the input of AUTHOR_KEY_DIGEST (SHA-384).
    pub fn author_key_bytes(&self) -> &[u8] {
        self.author_key.as_bytes()
    }

    /// Whether an author key is present (its area is not all zero).
    pub fn has_author_key(&self) -> bool {
        self.author_key.as_bytes().iter().any(|&b| b != 0)
    }
}

impl core::fmt::Debug for IdAuthInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IdAuthInfo")
            .field("id_key_algo", &self.id_key_algo())
            .field("author_key_algo", &self.author_key_algo())
            .field("id_key", &self.id_key)
            .field("author_key", &self.author_key)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::fmt::Hex as HexBytes;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(IdBlock, "IdBlock", |v| {
        "ld" => HexBytes(&v.ld),
        "family_id" => HexBytes(&v.family_id),
        "image_id" => HexBytes(&v.image_id),
        "version" => v.version(),
        "guest_svn" => v.guest_svn(),
        "policy" => v.policy(),
    });
    serialize_fields!(IdAuthInfo, "IdAuthInfo", |v| {
        "id_key_algo" => v.id_key_algo(),
        "author_key_algo" => v.author_key_algo(),
        "id_block_sig" => v.id_block_sig,
        "id_key" => v.id_key,
        "id_key_sig" => v.id_key_sig,
        "author_key" => v.author_key,
    });
}
