//! KEY_INFO: which key signed the report, and how the ID block was authored (report offset 0x048).

use core::fmt;

bitflags::bitflags! {
    /// The KEY_INFO word. Bits 4:2 are the signing-key field, read with [`KeyInfo::signing_key`].
    ///
    /// ```
    /// use sev_types::key_info::{KeyInfo, SigningKey};
    /// assert_eq!(KeyInfo::from_bits_retain(0x4).signing_key(), SigningKey::Vlek);
    /// assert_eq!(KeyInfo::from_bits_retain(0x1d).signing_key(), SigningKey::None);
    /// assert!(KeyInfo::from_bits_retain(0x1).contains(KeyInfo::AUTHOR_KEY_EN));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct KeyInfo: u32 {
        /// An author key accompanied the ID block; AUTHOR_KEY_DIGEST is populated.
        const AUTHOR_KEY_EN = 1 << 0;
        /// Copy of the platform's MASK_CHIP_KEY setting.
        const MASK_CHIP_KEY = 1 << 1;
    }
}

/// The key that signed a report (KEY_INFO bits 4:2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum SigningKey {
    /// The Versioned Chip Endorsement Key (0).
    Vcek,
    /// The Versioned Loaded Endorsement Key (1).
    Vlek,
    /// Not signed (7); the signature field is zero.
    None,
    /// A reserved value 2..=6 (kept verbatim).
    Reserved(u8),
}

impl SigningKey {
    /// The 3-bit field value.
    #[inline]
    pub const fn raw(self) -> u8 {
        match self {
            SigningKey::Vcek => 0,
            SigningKey::Vlek => 1,
            SigningKey::None => 7,
            SigningKey::Reserved(v) => v,
        }
    }

    /// Decodes the 3-bit field value (higher bits are ignored).
    #[inline]
    pub const fn from_raw(v: u8) -> Self {
        match v & 7 {
            0 => SigningKey::Vcek,
            1 => SigningKey::Vlek,
            7 => SigningKey::None,
            v => SigningKey::Reserved(v),
        }
    }
}

impl fmt::Display for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningKey::Vcek => f.write_str("VCEK"),
            SigningKey::Vlek => f.write_str("VLEK"),
            SigningKey::None => f.write_str("none"),
            SigningKey::Reserved(v) => write!(f, "reserved ({v})"),
        }
    }
}

impl KeyInfo {
    /// Bits no ABI revision names (31:5).
    pub const RESERVED_MASK: u32 = !0x1F;
    const SIGNING_KEY_SHIFT: u32 = 2;

    /// The signing-key field.
    #[inline]
    pub const fn signing_key(self) -> SigningKey {
        SigningKey::from_raw((self.bits() >> Self::SIGNING_KEY_SHIFT) as u8)
    }

    /// The same word with the signing-key field replaced.
    #[inline]
    pub const fn with_signing_key(self, key: SigningKey) -> Self {
        let cleared = self.bits() & !(7 << Self::SIGNING_KEY_SHIFT);
        Self::from_bits_retain(cleared | ((key.raw() as u32 & 7) << Self::SIGNING_KEY_SHIFT))
    }

    /// Set bits that no ABI revision names.
    #[inline]
    pub const fn reserved_bits(self) -> u32 {
        self.bits() & Self::RESERVED_MASK
    }
}

impl fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x} (signing key {}", self.bits(), self.signing_key())?;
        if self.contains(KeyInfo::AUTHOR_KEY_EN) {
            f.write_str(", AUTHOR_KEY_EN")?;
        }
        if self.contains(KeyInfo::MASK_CHIP_KEY) {
            f.write_str(", MASK_CHIP_KEY")?;
        }
        f.write_str(")")
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(KeyInfo, u32, |k, m| {
    m.serialize_entry("signing_key", &k.signing_key().raw())
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_field_round_trips() {
        for v in 0..8u8 {
            let k = KeyInfo::empty().with_signing_key(SigningKey::from_raw(v));
            assert_eq!(k.signing_key().raw(), v);
            assert_eq!(k.bits(), (v as u32) << 2);
        }
    }
}
