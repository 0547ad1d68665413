//! Concatenations of certificates that tools and firmware exchange.

use super::{AmdCertificate, SevCertificate};
use crate::ParseError;

/// AMD's `ask_ark_<product>.cert` bundle: the ASK followed by the ARK, both in AMD format.
///
/// Parsing checks the structure only; which key signed which is the verifier's job.
#[derive(Debug, Clone, Copy)]
pub struct AmdCertChain<'a> {
    /// The AMD SEV signing key.
    pub ask: AmdCertificate<'a>,
    /// The AMD root key.
    pub ark: AmdCertificate<'a>,
}

impl<'a> AmdCertChain<'a> {
    /// Parses `ASK ‖ ARK` with nothing after it.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (chain, rest) = Self::from_prefix(bytes)?;
        if !rest.is_empty() {
            return Err(ParseError::BadLength {
                what: "AMD ASK/ARK bundle",
                expected: bytes.len() - rest.len(),
                got: bytes.len(),
            });
        }
        Ok(chain)
    }

    /// Parses `ASK ‖ ARK` at the start of `bytes` and returns the rest.
    pub fn from_prefix(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), ParseError> {
        let (ask, rest) = AmdCertificate::from_prefix(bytes)?;
        let (ark, rest) = AmdCertificate::from_prefix(rest)?;
        Ok((Self { ask, ark }, rest))
    }
}

/// The certificate chain PDH_CERT_EXPORT returns: PEK ‖ OCA ‖ CEK (3 × 0x824 bytes).
#[derive(Debug, Clone, Copy)]
pub struct PlatformChain<'a> {
    /// Platform endorsement key, signed by the OCA and the CEK.
    pub pek: SevCertificate<'a>,
    /// Owner certificate authority.
    pub oca: SevCertificate<'a>,
    /// Chip endorsement key.
    pub cek: SevCertificate<'a>,
}

impl<'a> PlatformChain<'a> {
    /// Size of the chain.
    pub const LEN: usize = 3 * super::SEV_CERT_LEN;

    /// Parses exactly `PEK ‖ OCA ‖ CEK`.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (chain, rest) = Self::from_prefix(bytes)?;
        if !rest.is_empty() {
            return Err(ParseError::BadLength {
                what: "SEV platform chain",
                expected: Self::LEN,
                got: bytes.len(),
            });
        }
        Ok(chain)
    }

    /// Parses `PEK ‖ OCA ‖ CEK` at the start of `bytes` and returns the rest.
    pub fn from_prefix(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), ParseError> {
        if bytes.len() < Self::LEN {
            return Err(ParseError::truncated("SEV platform chain", Self::LEN, bytes.len()));
        }
        let (pek, rest) = SevCertificate::from_prefix(bytes)?;
        let (oca, rest) = SevCertificate::from_prefix(rest)?;
        let (cek, rest) = SevCertificate::from_prefix(rest)?;
        Ok((Self { pek, oca, cek }, rest))
    }
}

/// A full chain as `sevctl export --full` writes it: PDH ‖ PEK ‖ OCA ‖ CEK ‖ ASK ‖ ARK.
#[derive(Debug, Clone, Copy)]
pub struct FullChain<'a> {
    /// Platform Diffie-Hellman key, signed by the PEK.
    pub pdh: SevCertificate<'a>,
    /// PEK, OCA and CEK.
    pub platform: PlatformChain<'a>,
    /// ASK and ARK.
    pub amd: AmdCertChain<'a>,
}

impl<'a> FullChain<'a> {
    /// Parses the six certificates with nothing after them.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (pdh, rest) = SevCertificate::from_prefix(bytes)?;
        let (platform, rest) = PlatformChain::from_prefix(rest)?;
        let amd = AmdCertChain::from_bytes(rest)?;
        Ok(Self { pdh, platform, amd })
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(AmdCertChain<'_>, "AmdCertChain", |v| { "ask" => v.ask, "ark" => v.ark });
    serialize_fields!(PlatformChain<'_>, "PlatformChain", |v| { "pek" => v.pek, "oca" => v.oca, "cek" => v.cek });
    serialize_fields!(FullChain<'_>, "FullChain", |v| {
        "pdh" => v.pdh,
        "pek" => v.platform.pek,
        "oca" => v.platform.oca,
        "cek" => v.platform.cek,
        "ask" => v.amd.ask,
        "ark" => v.amd.ark,
    });
}
