//! The SEV certificate (0x824 = 2084 bytes): PEK, PDH, OCA, CEK and guest-owner DH certificates.

use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{Algorithm, BeInt, KeyKind, Usage};
use crate::ecdsa::{Curve, EcdsaPublicKey, EcdsaSignature};
use crate::launch::assert_offsets;
use crate::{ParseError, U32};

/// Size of an SEV certificate.
pub const SEV_CERT_LEN: usize = 0x824;
/// Length of the signed part (bytes 0x000..0x414: header and key area), shared by both signatures.
pub const SEV_CERT_SIGNED_LEN: usize = 0x414;
/// Size of the key area and of an RSA field's storage.
const KEY_AREA_LEN: usize = 0x404;
const RSA_FIELD_LEN: usize = 0x200;

/// An RSA public key in the SEV certificate's key area (0x404 bytes).
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawRsaPublicKey {
    /// 0x000: modulus size in bits (2048 or 4096).
    pub modulus_bits: U32,
    /// 0x004: public exponent, little-endian, zero-extended to 512 bytes.
    pub exponent: [u8; RSA_FIELD_LEN],
    /// 0x204: modulus, little-endian, zero-extended to 512 bytes.
    pub modulus: [u8; RSA_FIELD_LEN],
}
assert_offsets!(RawRsaPublicKey {
    modulus_bits: 0x000,
    exponent: 0x004,
    modulus: 0x204
});
const _: () = assert!(size_of::<RawRsaPublicKey>() == KEY_AREA_LEN);
const _: () = assert!(size_of::<EcdsaPublicKey>() == KEY_AREA_LEN);

impl RawRsaPublicKey {
    /// Modulus size in bits, as stored.
    pub fn modulus_bits(&self) -> u32 {
        self.modulus_bits.get()
    }

    /// The modulus, big-endian, exactly `modulus_bits / 8` bytes; `None` if the size is not a
    /// multiple of 8, exceeds 4096, or bytes above it are set.
    pub fn modulus_be(&self) -> Option<BeInt<RSA_FIELD_LEN>> {
        le_field_to_be(&self.modulus, self.modulus_bits())
    }

    /// The public exponent, big-endian, `modulus_bits / 8` bytes (see [`BeInt::trimmed`]); `None`
    /// on the same conditions as [`RawRsaPublicKey::modulus_be`].
    pub fn exponent_be(&self) -> Option<BeInt<RSA_FIELD_LEN>> {
        le_field_to_be(&self.exponent, self.modulus_bits())
    }
}

impl core::fmt::Debug for RawRsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RawRsaPublicKey")
            .field("modulus_bits", &self.modulus_bits())
            .finish_non_exhaustive()
    }
}

/// Takes the low `bits / 8` bytes of a zero-extended little-endian field, big-endian.
fn le_field_to_be(field: &[u8; RSA_FIELD_LEN], bits: u32) -> Option<BeInt<RSA_FIELD_LEN>> {
    if !bits.is_multiple_of(8) {
        return None;
    }
    let len = usize::try_from(bits / 8).ok().filter(|&l| l <= RSA_FIELD_LEN)?;
    if field[len..].iter().any(|&b| b != 0) {
        return None;
    }
    BeInt::from_le(&field[..len])
}

/// One signature slot (0x208 bytes): who signed, with what, and the signature.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawSignatureSlot {
    /// Usage of the signing key ([`Usage`]).
    pub usage: U32,
    /// Signature algorithm ([`Algorithm`]).
    pub algo: U32,
    /// ECDSA R ‖ S (72 bytes each, little-endian) or an RSA signature (512 bytes, little-endian).
    pub signature: [u8; RSA_FIELD_LEN],
}
assert_offsets!(RawSignatureSlot {
    usage: 0x000,
    algo: 0x004,
    signature: 0x008
});
const _: () = assert!(size_of::<RawSignatureSlot>() == 0x208);

impl core::fmt::Debug for RawSignatureSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(&SignatureSlot(self), f)
    }
}

/// An SEV certificate, field by field (0x824 bytes).
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawSevCertificate {
    /// 0x000: format version (1).
    pub version: U32,
    /// 0x004: API major version of the firmware that made the key (0 for owner-made certificates).
    pub api_major: u8,
    /// 0x005: API minor version.
    pub api_minor: u8,
    /// 0x006: reserved.
    pub reserved: [u8; 2],
    /// 0x008: usage of the certified key.
    pub pubkey_usage: U32,
    /// 0x00C: algorithm of the certified key.
    pub pubkey_algo: U32,
    /// 0x010: key area: an EC point ([`EcdsaPublicKey`] layout) or an RSA key ([`RawRsaPublicKey`]).
    pub pubkey: [u8; KEY_AREA_LEN],
    /// 0x414: first signature.
    pub sig1: RawSignatureSlot,
    /// 0x61C: second signature.
    pub sig2: RawSignatureSlot,
}
assert_offsets!(RawSevCertificate {
    version: 0x000,
    api_major: 0x004,
    api_minor: 0x005,
    reserved: 0x006,
    pubkey_usage: 0x008,
    pubkey_algo: 0x00C,
    pubkey: 0x010,
    sig1: 0x414,
    sig2: 0x61C,
});
const _: () = assert!(size_of::<RawSevCertificate>() == SEV_CERT_LEN);
const _: () = assert!(core::mem::offset_of!(RawSevCertificate, sig1) == SEV_CERT_SIGNED_LEN);

impl core::fmt::Debug for RawSevCertificate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(
            &SevCertificate {
                bytes: self.as_bytes(),
                raw: self,
            },
            f,
        )
    }
}

impl RawSevCertificate {
    /// An unsigned version-1 certificate for the P-384 key `key` (both signature slots empty):
    /// what a firmware or a guest owner fills in before signing [`Self::signed_bytes`].
    ///
    /// ```
    /// use sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};
    /// use sev_types::legacy::{Algorithm, RawSevCertificate, SevCertificate, Usage};
    /// let key = EcdsaPublicKey::from_p384_be(&[1; 48], &[2; 48]);
    /// let mut cert = RawSevCertificate::new_ec((0, 0), Usage::Oca, Algorithm::EcdsaSha256, &key);
    /// cert.sig1.set_ecdsa(Usage::Oca, Algorithm::EcdsaSha256, &EcdsaSignature::from_p384_be(&[3; 48], &[4; 48]));
    /// let parsed = SevCertificate::from_bytes(zerocopy::IntoBytes::as_bytes(&cert)).unwrap();
    /// assert_eq!(parsed.pubkey_usage(), Usage::Oca);
    /// ```
    pub fn new_ec(api: (u8, u8), usage: Usage, algo: Algorithm, key: &EcdsaPublicKey) -> Self {
        let mut cert = Self::new_zeroed();
        cert.version = U32::new(1);
        (cert.api_major, cert.api_minor) = api;
        cert.pubkey_usage = U32::new(usage.raw());
        cert.pubkey_algo = U32::new(algo.raw());
        cert.pubkey.copy_from_slice(key.as_bytes());
        cert
    }

    /// The bytes both signatures cover (0x000..0x414).
    pub fn signed_bytes(&self) -> &[u8] {
        &self.as_bytes()[..SEV_CERT_SIGNED_LEN]
    }
}

impl RawSignatureSlot {
    /// Fills the slot with an ECDSA signature made by a key of `usage` with `algo`.
    pub fn set_ecdsa(&mut self, usage: Usage, algo: Algorithm, sig: &EcdsaSignature) {
        self.usage = U32::new(usage.raw());
        self.algo = U32::new(algo.raw());
        self.signature.copy_from_slice(sig.as_bytes());
    }
}

/// The certified key, decoded according to the certificate's algorithm.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum PublicKey<'a> {
    /// An ECDSA or ECDH key: curve, QX and QY little-endian (same layout as [`EcdsaPublicKey`]).
    Ec(&'a EcdsaPublicKey),
    /// An RSA key.
    Rsa(&'a RawRsaPublicKey),
    /// Algorithm none or unknown: the raw key area.
    Other(&'a [u8; KEY_AREA_LEN]),
}

impl PublicKey<'_> {
    /// The uncompressed SEC1 point `04 ‖ X ‖ Y` (big-endian) of a P-256 or P-384 key; `None`
    /// for other keys or when a coordinate does not fit the curve's width.
    pub fn sec1_uncompressed(&self) -> Option<BeInt<{ 1 + 2 * 48 }>> {
        let PublicKey::Ec(k) = self else { return None };
        let width = match k.curve() {
            Curve::P256 => 32,
            Curve::P384 => 48,
            _ => return None,
        };
        if k.qx[width..].iter().chain(&k.qy[width..]).any(|&b| b != 0) {
            return None;
        }
        // Build the point little-endian (Y, X, 04 reversed) and let BeInt reverse it.
        let mut le = [0u8; 1 + 2 * 48];
        le[..width].copy_from_slice(&k.qy[..width]);
        le[width..2 * width].copy_from_slice(&k.qx[..width]);
        le[2 * width] = 0x04;
        BeInt::from_le(&le[..1 + 2 * width])
    }
}

/// A signature slot of an SEV certificate.
#[derive(Clone, Copy)]
pub struct SignatureSlot<'a>(&'a RawSignatureSlot);

impl<'a> SignatureSlot<'a> {
    /// Usage of the key that made the signature.
    pub fn usage(&self) -> Usage {
        Usage::from_raw(self.0.usage.get())
    }

    /// Signature algorithm.
    pub fn algo(&self) -> Algorithm {
        Algorithm::from_raw(self.0.algo.get())
    }

    /// Whether the slot holds no signature (algorithm none or usage invalid).
    pub fn is_empty(&self) -> bool {
        self.algo() == Algorithm::None || self.usage() == Usage::Invalid
    }

    /// The raw slot.
    pub fn raw(&self) -> &'a RawSignatureSlot {
        self.0
    }

    /// The 0x200 signature bytes as stored.
    pub fn signature_bytes(&self) -> &'a [u8; RSA_FIELD_LEN] {
        &self.0.signature
    }

    /// The ECDSA signature (R, S little-endian), when the algorithm is ECDSA.
    pub fn ecdsa(&self) -> Option<&'a EcdsaSignature> {
        if self.algo().key_kind() != Some(KeyKind::Ecdsa) {
            return None;
        }
        EcdsaSignature::ref_from_prefix(&self.0.signature).ok()
    }

    /// The RSA signature big-endian, `modulus_bits / 8` bytes long (the signer's modulus size),
    /// when the algorithm is RSA; `None` otherwise or if bytes above that length are set.
    pub fn rsa_be(&self, modulus_bits: u32) -> Option<BeInt<RSA_FIELD_LEN>> {
        if !self.algo().is_rsa() {
            return None;
        }
        le_field_to_be(&self.0.signature, modulus_bits)
    }
}

impl core::fmt::Debug for SignatureSlot<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignatureSlot")
            .field("usage", &self.usage())
            .field("algo", &self.algo())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Display for SignatureSlot<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.is_empty() {
            f.write_str("empty")
        } else {
            write!(f, "{} / {}", self.usage(), self.algo())
        }
    }
}

/// A borrowed view of an SEV certificate that keeps the received bytes.
///
/// Parsing checks only the length; the version, usages and algorithms are kept as found.
///
/// ```
/// use sev_types::legacy::{Algorithm, PublicKey, SevCertificate, Usage};
/// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/../../fixtures/sev-legacy/milan/platform/pek.cert"))?;
/// let pek = SevCertificate::from_bytes(&bytes)?;
/// assert_eq!((pek.pubkey_usage(), pek.pubkey_algo()), (Usage::Pek, Algorithm::EcdsaSha256));
/// assert_eq!(pek.sig1().usage(), Usage::Oca);
/// assert_eq!(pek.sig2().usage(), Usage::Cek);
/// assert!(matches!(pek.public_key(), PublicKey::Ec(_)));
/// assert_eq!(pek.signed_bytes().len(), 0x414);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct SevCertificate<'a> {
    bytes: &'a [u8],
    raw: &'a RawSevCertificate,
}

impl<'a> SevCertificate<'a> {
    /// Views exactly [`SEV_CERT_LEN`] bytes as a certificate.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let raw = crate::launch::exact::<RawSevCertificate>("SEV certificate", bytes)?;
        Ok(Self { bytes, raw })
    }

    /// Views the first [`SEV_CERT_LEN`] bytes as a certificate and returns the rest.
    pub fn from_prefix(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), ParseError> {
        let (raw, rest) = crate::launch::prefix::<RawSevCertificate>("SEV certificate", bytes)?;
        Ok((
            Self {
                bytes: &bytes[..SEV_CERT_LEN],
                raw,
            },
            rest,
        ))
    }

    /// The certificate's bytes, exactly as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The bytes both signatures cover (0x000..0x414), exactly as received.
    pub fn signed_bytes(&self) -> &'a [u8] {
        &self.bytes[..SEV_CERT_SIGNED_LEN]
    }

    /// All fields, raw.
    pub fn raw(&self) -> &'a RawSevCertificate {
        self.raw
    }

    /// Format version (1).
    pub fn version(&self) -> u32 {
        self.raw.version.get()
    }

    /// API major version of the firmware that made the key.
    pub fn api_major(&self) -> u8 {
        self.raw.api_major
    }

    /// API minor version of the firmware that made the key.
    pub fn api_minor(&self) -> u8 {
        self.raw.api_minor
    }

    /// Usage of the certified key.
    pub fn pubkey_usage(&self) -> Usage {
        Usage::from_raw(self.raw.pubkey_usage.get())
    }

    /// Algorithm of the certified key.
    pub fn pubkey_algo(&self) -> Algorithm {
        Algorithm::from_raw(self.raw.pubkey_algo.get())
    }

    /// The certified key, decoded by [`SevCertificate::pubkey_algo`].
    pub fn public_key(&self) -> PublicKey<'a> {
        let area = &self.raw.pubkey;
        let algo = self.pubkey_algo();
        if algo.is_ec() {
            if let Ok(k) = EcdsaPublicKey::ref_from_bytes(area) {
                return PublicKey::Ec(k);
            }
        } else if algo.is_rsa() {
            if let Ok(k) = RawRsaPublicKey::ref_from_bytes(area) {
                return PublicKey::Rsa(k);
            }
        }
        PublicKey::Other(area)
    }

    /// The first signature slot.
    pub fn sig1(&self) -> SignatureSlot<'a> {
        SignatureSlot(&self.raw.sig1)
    }

    /// The second signature slot.
    pub fn sig2(&self) -> SignatureSlot<'a> {
        SignatureSlot(&self.raw.sig2)
    }

    /// Both slots, in order.
    pub fn signatures(&self) -> [SignatureSlot<'a>; 2] {
        [self.sig1(), self.sig2()]
    }

    /// The first non-empty slot made by a key of `usage`.
    pub fn signature_by(&self, usage: Usage) -> Option<SignatureSlot<'a>> {
        self.signatures()
            .into_iter()
            .find(|s| !s.is_empty() && s.usage() == usage)
    }
}

impl core::fmt::Debug for SevCertificate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SevCertificate")
            .field("version", &self.version())
            .field("api", &(self.api_major(), self.api_minor()))
            .field("pubkey_usage", &self.pubkey_usage())
            .field("pubkey_algo", &self.pubkey_algo())
            .field("sig1", &self.sig1())
            .field("sig2", &self.sig2())
            .finish()
    }
}

impl core::fmt::Display for SevCertificate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "SEV certificate v{} (API {}.{}): {} {}",
            self.version(),
            self.api_major(),
            self.api_minor(),
            self.pubkey_usage(),
            self.pubkey_algo()
        )?;
        match self.public_key() {
            PublicKey::Ec(k) => write!(f, " {:?}", k.curve())?,
            PublicKey::Rsa(k) => write!(f, " RSA-{}", k.modulus_bits())?,
            PublicKey::Other(_) => {}
        }
        write!(f, "; sig1 {}; sig2 {}", self.sig1(), self.sig2())
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::fmt::Hex as HexBytes;
    use serde::ser::{SerializeStruct, Serializer};

    impl serde::Serialize for PublicKey<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                PublicKey::Ec(k) => k.serialize(s),
                PublicKey::Rsa(k) => k.serialize(s),
                PublicKey::Other(area) => {
                    let mut st = s.serialize_struct("PublicKey", 1)?;
                    st.serialize_field("raw", &HexBytes(&area[..]))?;
                    st.end()
                }
            }
        }
    }

    impl serde::Serialize for RawRsaPublicKey {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("RsaPublicKey", 3)?;
            st.serialize_field("modulus_bits", &self.modulus_bits())?;
            match (self.exponent_be(), self.modulus_be()) {
                (Some(e), Some(m)) => {
                    st.serialize_field("exponent", &HexBytes(e.trimmed()))?;
                    st.serialize_field("modulus", &m)?;
                }
                _ => {
                    st.serialize_field("exponent_le", &HexBytes(&self.exponent))?;
                    st.serialize_field("modulus_le", &HexBytes(&self.modulus))?;
                }
            }
            st.end()
        }
    }

    impl serde::Serialize for SignatureSlot<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("SignatureSlot", 3)?;
            st.serialize_field("usage", &self.usage())?;
            st.serialize_field("algo", &self.algo())?;
            match self.ecdsa() {
                Some(sig) => st.serialize_field("signature", sig)?,
                None if self.is_empty() => st.skip_field("signature")?,
                None => st.serialize_field("signature_le", &HexBytes(&self.0.signature))?,
            }
            st.end()
        }
    }

    impl serde::Serialize for RawSignatureSlot {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            SignatureSlot(self).serialize(s)
        }
    }

    impl serde::Serialize for SevCertificate<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("SevCertificate", 8)?;
            st.serialize_field("version", &self.version())?;
            st.serialize_field("api_major", &self.api_major())?;
            st.serialize_field("api_minor", &self.api_minor())?;
            st.serialize_field("pubkey_usage", &self.pubkey_usage())?;
            st.serialize_field("pubkey_algo", &self.pubkey_algo())?;
            st.serialize_field("pubkey", &self.public_key())?;
            st.serialize_field("sig1", &self.sig1())?;
            st.serialize_field("sig2", &self.sig2())?;
            st.end()
        }
    }

    impl serde::Serialize for RawSevCertificate {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            SevCertificate {
                bytes: self.as_bytes(),
                raw: self,
            }
            .serialize(s)
        }
    }
}
