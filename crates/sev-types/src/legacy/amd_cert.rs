//! AMD's signing-key certificate format for the ARK and ASK (832 or 1600 bytes).

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{BeInt, HashAlgorithm, Usage};
use crate::launch::assert_offsets;
use crate::{ParseError, U32};

/// Length of the fixed header before the exponent.
pub const AMD_CERT_HEADER_LEN: usize = 0x40;
const MAX_FIELD_LEN: usize = 4096 / 8;

/// The fixed header of an AMD-format certificate (0x40 bytes).
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct AmdCertHeader {
    /// 0x00: format version (1).
    pub version: U32,
    /// 0x04: ID of the certified key.
    pub key_id: [u8; 16],
    /// 0x14: ID of the signing key (equal to `key_id` for the self-signed ARK).
    pub certifying_id: [u8; 16],
    /// 0x24: key usage (0 = ARK, 0x13 = ASK).
    pub key_usage: U32,
    /// 0x28: reserved, must be zero.
    pub reserved: [u8; 16],
    /// 0x38: public exponent size in bits.
    pub pubexp_size: U32,
    /// 0x3C: modulus size in bits.
    pub modulus_size: U32,
}
assert_offsets!(AmdCertHeader {
    version: 0x00,
    key_id: 0x04,
    certifying_id: 0x14,
    key_usage: 0x24,
    reserved: 0x28,
    pubexp_size: 0x38,
    modulus_size: 0x3C,
});
const _: () = assert!(size_of::<AmdCertHeader>() == AMD_CERT_HEADER_LEN);

/// A borrowed view of an AMD ARK or ASK certificate.
///
/// Parsing requires the exponent and modulus sizes to be 2048 or 4096 bits and the buffer to hold
/// all three variable fields; any other size is a [`ParseError`], never a panic.
///
/// ```
/// use sev_types::legacy::{AmdCertificate, Usage};
/// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/milan/ark.cert"))?;
/// let ark = AmdCertificate::from_bytes(&bytes)?;
/// assert_eq!(format!("{}", sev_types::fmt::Hex(ark.key_id())), "94c38e4177d0479292a7ae671d083fb6");
/// assert_eq!(ark.key_usage(), Usage::Ark);
/// assert_eq!(ark.modulus_bits(), 4096);
/// assert!(ark.is_self_signed());
/// assert_eq!(ark.exponent_be().trimmed(), &[0x01, 0x00, 0x01]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct AmdCertificate<'a> {
    bytes: &'a [u8],
    header: &'a AmdCertHeader,
    exponent: &'a [u8],
    modulus: &'a [u8],
    signature: &'a [u8],
}

const WHAT: &str = "AMD certificate";

fn field_len(field: &'static str, bits: u32) -> Result<usize, ParseError> {
    match bits {
        2048 | 4096 => Ok(bits as usize / 8),
        _ => Err(ParseError::BadValue {
            what: WHAT,
            field,
            found: bits.into(),
            expected: "2048 or 4096 (bits)",
        }),
    }
}

impl<'a> AmdCertificate<'a> {
    /// Views `bytes`, which must hold exactly one certificate.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (cert, rest) = Self::from_prefix(bytes)?;
        if !rest.is_empty() {
            return Err(ParseError::BadLength {
                what: WHAT,
                expected: cert.bytes.len(),
                got: bytes.len(),
            });
        }
        Ok(cert)
    }

    /// Views the certificate at the start of `bytes` and returns the rest.
    pub fn from_prefix(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), ParseError> {
        let (header, _) = crate::launch::prefix::<AmdCertHeader>(WHAT, bytes)?;
        let exp_len = field_len("pubexp_size", header.pubexp_size.get())?;
        let mod_len = field_len("modulus_size", header.modulus_size.get())?;
        let total = AMD_CERT_HEADER_LEN + exp_len + 2 * mod_len;
        let Some((cert, rest)) = bytes.split_at_checked(total) else {
            return Err(ParseError::truncated(WHAT, total, bytes.len()));
        };
        let (exponent, tail) = cert[AMD_CERT_HEADER_LEN..].split_at(exp_len);
        let (modulus, signature) = tail.split_at(mod_len);
        Ok((
            Self {
                bytes: cert,
                header,
                exponent,
                modulus,
                signature,
            },
            rest,
        ))
    }

    /// The certificate's bytes, exactly as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The signed bytes: header, exponent and modulus, exactly as received.
    pub fn signed_bytes(&self) -> &'a [u8] {
        &self.bytes[..self.bytes.len() - self.signature.len()]
    }

    /// The fixed header.
    pub fn header(&self) -> &'a AmdCertHeader {
        self.header
    }

    /// Format version (1).
    pub fn version(&self) -> u32 {
        self.header.version.get()
    }

    /// ID of the certified key.
    pub fn key_id(&self) -> &'a [u8; 16] {
        &self.header.key_id
    }

    /// ID of the signing key.
    pub fn certifying_id(&self) -> &'a [u8; 16] {
        &self.header.certifying_id
    }

    /// Whether the certificate names itself as signer (the ARK).
    pub fn is_self_signed(&self) -> bool {
        self.header.key_id == self.header.certifying_id
    }

    /// Key usage (ARK or ASK).
    pub fn key_usage(&self) -> Usage {
        Usage::from_raw(self.header.key_usage.get())
    }

    /// Public exponent size in bits (2048 or 4096).
    pub fn pubexp_bits(&self) -> u32 {
        self.header.pubexp_size.get()
    }

    /// Modulus size in bits (2048 or 4096).
    pub fn modulus_bits(&self) -> u32 {
        self.header.modulus_size.get()
    }

    /// The hash of the RSASSA-PSS signature this key makes: SHA-256 for 2048-bit keys, SHA-384 for
    /// 4096-bit keys.
    pub fn signature_hash(&self) -> HashAlgorithm {
        if self.modulus_bits() == 2048 {
            HashAlgorithm::Sha256
        } else {
            HashAlgorithm::Sha384
        }
    }

    /// The public exponent, little-endian as stored.
    pub fn exponent_le(&self) -> &'a [u8] {
        self.exponent
    }

    /// The modulus, little-endian as stored.
    pub fn modulus_le(&self) -> &'a [u8] {
        self.modulus
    }

    /// The signature, little-endian as stored.
    pub fn signature_le(&self) -> &'a [u8] {
        self.signature
    }

    /// The public exponent, big-endian (use [`BeInt::trimmed`] for the minimal form).
    pub fn exponent_be(&self) -> BeInt<MAX_FIELD_LEN> {
        be(self.exponent)
    }

    /// The modulus, big-endian, `modulus_bits / 8` bytes.
    pub fn modulus_be(&self) -> BeInt<MAX_FIELD_LEN> {
        be(self.modulus)
    }

    /// The signature, big-endian, `modulus_bits / 8` bytes: the form PKCS#1 libraries take.
    pub fn signature_be(&self) -> BeInt<MAX_FIELD_LEN> {
        be(self.signature)
    }
}

fn be(le: &[u8]) -> BeInt<MAX_FIELD_LEN> {
    // Parsing bounds every field to at most MAX_FIELD_LEN bytes, so nothing is cut here.
    BeInt::from_le_prefix(le)
}

impl core::fmt::Debug for AmdCertificate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AmdCertificate")
            .field("version", &self.version())
            .field("key_id", &crate::fmt::Hex(self.key_id()))
            .field("certifying_id", &crate::fmt::Hex(self.certifying_id()))
            .field("key_usage", &self.key_usage())
            .field("modulus_bits", &self.modulus_bits())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Display for AmdCertificate<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "AMD {} certificate v{}: key {} RSA-{}, certified by {}",
            self.key_usage(),
            self.version(),
            crate::fmt::Hex(self.key_id()),
            self.modulus_bits(),
            crate::fmt::Hex(self.certifying_id())
        )
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::fmt::Hex as HexBytes;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(AmdCertificate<'_>, "AmdCertificate", |v| {
        "version" => v.version(),
        "key_id" => HexBytes(v.key_id()),
        "certifying_id" => HexBytes(v.certifying_id()),
        "key_usage" => v.key_usage(),
        "pubexp_size" => v.pubexp_bits(),
        "modulus_size" => v.modulus_bits(),
        "exponent" => HexBytes(v.exponent_be().trimmed()),
        "modulus" => v.modulus_be(),
        "signature" => v.signature_be(),
    });
    serialize_fields!(AmdCertHeader, "AmdCertHeader", |v| {
        "version" => v.version.get(),
        "key_id" => HexBytes(&v.key_id),
        "certifying_id" => HexBytes(&v.certifying_id),
        "key_usage" => Usage::from_raw(v.key_usage.get()),
        "reserved" => HexBytes(&v.reserved),
        "pubexp_size" => v.pubexp_size.get(),
        "modulus_size" => v.modulus_size.get(),
    });
}
