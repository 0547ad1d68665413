//! AMD's fixed-size ECDSA formats: the 0x200-byte signature and the 0x404-byte public key.
//!
//! Both store integers little-endian, zero-padded to 72 bytes (576 bits). Standard crypto
//! libraries want big-endian, so the accessors here convert.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::{ParseError, U32};

/// Length of one little-endian component (R, S, QX, QY).
pub const COMPONENT_LEN: usize = 72;
/// Length of a P-384 scalar or coordinate.
pub const P384_LEN: usize = 48;

/// An ECDSA signature in AMD's format (0x200 bytes): R and S, little-endian, then reserved bytes.
///
/// Used by the attestation report (offset 0x2A0), the ID block, the ID-key signature, and SEV
/// certificates.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct EcdsaSignature {
    /// R, little-endian, zero-padded.
    pub r: [u8; COMPONENT_LEN],
    /// S, little-endian, zero-padded.
    pub s: [u8; COMPONENT_LEN],
    /// Reserved, must be zero.
    pub reserved: [u8; 0x170],
}

const _: () = assert!(size_of::<EcdsaSignature>() == 0x200);
const _: () = assert!(core::mem::offset_of!(EcdsaSignature, s) == 0x48);
const _: () = assert!(core::mem::offset_of!(EcdsaSignature, reserved) == 0x90);

impl EcdsaSignature {
    /// Size in bytes.
    pub const SIZE: usize = 0x200;

    /// Views the first 0x200 bytes of `bytes` as a signature.
    #[inline]
    pub fn ref_from_prefix(bytes: &[u8]) -> Result<&Self, ParseError> {
        <Self as FromBytes>::ref_from_prefix(bytes)
            .map(|(s, _)| s)
            .map_err(|_| ParseError::truncated("ECDSA signature", Self::SIZE, bytes.len()))
    }

    /// Builds a signature from big-endian P-384 `r` and `s` (as standard libraries produce them).
    #[inline]
    pub fn from_p384_be(r: &[u8; P384_LEN], s: &[u8; P384_LEN]) -> Self {
        let mut sig = Self {
            r: [0; COMPONENT_LEN],
            s: [0; COMPONENT_LEN],
            reserved: [0; 0x170],
        };
        be_into_le(r, &mut sig.r);
        be_into_le(s, &mut sig.s);
        sig
    }

    /// R as a big-endian P-384 scalar, or `None` if bytes above the low 48 are non-zero.
    #[inline]
    pub fn r_p384_be(&self) -> Option<[u8; P384_LEN]> {
        le_to_p384_be(&self.r)
    }

    /// S as a big-endian P-384 scalar, or `None` if bytes above the low 48 are non-zero.
    #[inline]
    pub fn s_p384_be(&self) -> Option<[u8; P384_LEN]> {
        le_to_p384_be(&self.s)
    }

    /// `r ‖ s`, each big-endian, 96 bytes: the fixed-width form most verifiers accept.
    #[inline]
    pub fn p384_r_s_be(&self) -> Option<[u8; 2 * P384_LEN]> {
        let mut out = [0u8; 2 * P384_LEN];
        out[..P384_LEN].copy_from_slice(&self.r_p384_be()?);
        out[P384_LEN..].copy_from_slice(&self.s_p384_be()?);
        Some(out)
    }

    /// Whether the whole signature is zero (an unsigned report).
    #[inline]
    pub fn is_zero(&self) -> bool {
        self.as_bytes().iter().all(|&b| b == 0)
    }
}

impl core::fmt::Debug for EcdsaSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaSignature")
            .field("r", &crate::fmt::Hex(&self.r))
            .field("s", &crate::fmt::Hex(&self.s))
            .finish_non_exhaustive()
    }
}

/// Elliptic curves named in AMD's key formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (1).
    P256,
    /// NIST P-384 (2), the only curve SNP uses.
    P384,
    /// Any other value (kept verbatim).
    Unknown(u32),
}

impl Curve {
    /// The curve for a raw value.
    #[inline]
    pub const fn from_raw(v: u32) -> Self {
        match v {
            1 => Curve::P256,
            2 => Curve::P384,
            v => Curve::Unknown(v),
        }
    }

    /// The raw value.
    #[inline]
    pub const fn raw(self) -> u32 {
        match self {
            Curve::P256 => 1,
            Curve::P384 => 2,
            Curve::Unknown(v) => v,
        }
    }
}

/// An ECDSA public key in AMD's format (0x404 bytes): curve, QX and QY little-endian, reserved.
///
/// SHA-384 over all 0x404 bytes gives the report's ID_KEY_DIGEST and AUTHOR_KEY_DIGEST.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct EcdsaPublicKey {
    /// Curve identifier (2 = P-384).
    pub curve: U32,
    /// QX, little-endian, zero-padded.
    pub qx: [u8; COMPONENT_LEN],
    /// QY, little-endian, zero-padded.
    pub qy: [u8; COMPONENT_LEN],
    /// Reserved, must be zero.
    pub reserved: [u8; 0x370],
}

const _: () = assert!(size_of::<EcdsaPublicKey>() == 0x404);
const _: () = assert!(core::mem::offset_of!(EcdsaPublicKey, qx) == 0x04);
const _: () = assert!(core::mem::offset_of!(EcdsaPublicKey, qy) == 0x4C);
const _: () = assert!(core::mem::offset_of!(EcdsaPublicKey, reserved) == 0x94);

impl EcdsaPublicKey {
    /// Size in bytes.
    pub const SIZE: usize = 0x404;

    /// Views the first 0x404 bytes of `bytes` as a public key.
    #[inline]
    pub fn ref_from_prefix(bytes: &[u8]) -> Result<&Self, ParseError> {
        <Self as FromBytes>::ref_from_prefix(bytes)
            .map(|(s, _)| s)
            .map_err(|_| ParseError::truncated("ECDSA public key", Self::SIZE, bytes.len()))
    }

    /// Builds a P-384 key from big-endian affine coordinates.
    #[inline]
    pub fn from_p384_be(x: &[u8; P384_LEN], y: &[u8; P384_LEN]) -> Self {
        let mut k = Self {
            curve: U32::new(Curve::P384.raw()),
            qx: [0; COMPONENT_LEN],
            qy: [0; COMPONENT_LEN],
            reserved: [0; 0x370],
        };
        be_into_le(x, &mut k.qx);
        be_into_le(y, &mut k.qy);
        k
    }

    /// The curve.
    #[inline]
    pub fn curve(&self) -> Curve {
        Curve::from_raw(self.curve.get())
    }

    /// The uncompressed SEC1 point `04 ‖ X ‖ Y` for a P-384 key, or `None` if the curve is not
    /// P-384 or a coordinate does not fit 48 bytes.
    #[inline]
    pub fn p384_sec1_uncompressed(&self) -> Option<[u8; 1 + 2 * P384_LEN]> {
        if self.curve() != Curve::P384 {
            return None;
        }
        let mut out = [0u8; 1 + 2 * P384_LEN];
        out[0] = 0x04;
        out[1..1 + P384_LEN].copy_from_slice(&le_to_p384_be(&self.qx)?);
        out[1 + P384_LEN..].copy_from_slice(&le_to_p384_be(&self.qy)?);
        Some(out)
    }
}

impl core::fmt::Debug for EcdsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdsaPublicKey")
            .field("curve", &self.curve())
            .field("qx", &crate::fmt::Hex(&self.qx))
            .field("qy", &crate::fmt::Hex(&self.qy))
            .finish_non_exhaustive()
    }
}

fn be_into_le(be: &[u8; P384_LEN], le: &mut [u8; COMPONENT_LEN]) {
    for (dst, src) in le.iter_mut().zip(be.iter().rev()) {
        *dst = *src;
    }
}

fn le_to_p384_be(le: &[u8; COMPONENT_LEN]) -> Option<[u8; P384_LEN]> {
    if le[P384_LEN..].iter().any(|&b| b != 0) {
        return None;
    }
    let mut out = [0u8; P384_LEN];
    for (dst, src) in out.iter_mut().zip(le[..P384_LEN].iter().rev()) {
        *dst = *src;
    }
    Some(out)
}

#[cfg(feature = "serde")]
impl serde::Serialize for EcdsaSignature {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("EcdsaSignature", 2)?;
        st.serialize_field("r", &crate::fmt::Hex(&self.r))?;
        st.serialize_field("s", &crate::fmt::Hex(&self.s))?;
        st.end()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for EcdsaPublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("EcdsaPublicKey", 3)?;
        st.serialize_field("curve", &self.curve())?;
        st.serialize_field("qx", &crate::fmt::Hex(&self.qx))?;
        st.serialize_field("qy", &crate::fmt::Hex(&self.qy))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trips_big_endian() {
        let mut r = [0u8; 48];
        let mut s = [0u8; 48];
        r[0] = 0x80;
        r[47] = 0x01;
        s[1] = 0x42;
        let sig = EcdsaSignature::from_p384_be(&r, &s);
        assert_eq!(sig.r[0], 0x01);
        assert_eq!(sig.r[47], 0x80);
        assert_eq!(sig.r_p384_be(), Some(r));
        assert_eq!(sig.s_p384_be(), Some(s));
    }

    #[test]
    fn oversized_components_are_refused() {
        let mut sig = EcdsaSignature::from_p384_be(&[1; 48], &[2; 48]);
        sig.r[48] = 1;
        assert_eq!(sig.r_p384_be(), None);
        assert_eq!(sig.p384_r_s_be(), None);
    }

    #[test]
    fn short_buffers_are_truncation_errors() {
        assert_eq!(
            EcdsaSignature::ref_from_prefix(&[0; 0x1FF]).unwrap_err(),
            ParseError::truncated("ECDSA signature", 0x200, 0x1FF)
        );
        assert!(EcdsaPublicKey::ref_from_prefix(&[0; 0x403]).is_err());
    }
}
