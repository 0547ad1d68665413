//! The 0x60-byte header that precedes every encrypted guest message, and the message types.

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, view_prefix};
use crate::{ParseError, U16, U32, U64};

/// Size of the message header.
pub const HEADER_LEN: usize = 0x60;
/// Largest payload that fits in the 4 KiB message page after the header.
pub const MAX_PAYLOAD_LEN: usize = 4000;
/// Bytes of the header covered by the AEAD as additional data (ALGO to the end).
pub const AAD_RANGE: core::ops::Range<usize> = 0x30..HEADER_LEN;
/// The only defined header version.
pub const HDR_VERSION: u8 = 1;

/// A guest message header (SNP ABI "Message header", 0x60 bytes).
///
/// Fields are kept raw; the accessors decode them. Reserved bytes are not checked: the firmware
/// has been seen to leave them non-zero in responses.
///
/// ```
/// use sev_types::guest::{MsgHeader, MsgType, AeadAlgo};
/// let h = MsgHeader::new(MsgType::ReportReq, 1, 0x60, 0, 42);
/// assert_eq!(h.msg_type(), MsgType::ReportReq);
/// assert_eq!(h.algo(), AeadAlgo::Aes256Gcm);
/// assert_eq!(h.iv()[..8], 42u64.to_le_bytes());
/// assert_eq!(h.aad().len(), 48);
/// ```
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MsgHeader {
    /// 0x00: AES-GCM tag in the first 16 bytes, the rest zero.
    pub authtag: [u8; 32],
    /// 0x20: message sequence number (also the IV).
    pub msg_seqno: U64,
    /// 0x28: reserved.
    pub reserved_028: [u8; 8],
    /// 0x30: AEAD algorithm ([`AeadAlgo`]).
    pub algo: u8,
    /// 0x31: header version (1).
    pub hdr_version: u8,
    /// 0x32: header size (0x60).
    pub hdr_sz: U16,
    /// 0x34: message type ([`MsgType`]).
    pub msg_type: u8,
    /// 0x35: message version.
    pub msg_version: u8,
    /// 0x36: payload size in bytes.
    pub msg_sz: U16,
    /// 0x38: reserved.
    pub reserved_038: U32,
    /// 0x3C: index of the VMPCK used (0..=3).
    pub msg_vmpck: u8,
    /// 0x3D: reserved.
    pub reserved_03d: [u8; 35],
}

assert_offsets!(MsgHeader {
    authtag: 0x00,
    msg_seqno: 0x20,
    reserved_028: 0x28,
    algo: 0x30,
    hdr_version: 0x31,
    hdr_sz: 0x32,
    msg_type: 0x34,
    msg_version: 0x35,
    msg_sz: 0x36,
    reserved_038: 0x38,
    msg_vmpck: 0x3C,
    reserved_03d: 0x3D,
});
const _: () = assert!(size_of::<MsgHeader>() == HEADER_LEN);

impl MsgHeader {
    /// A header for an AES-256-GCM message with an empty tag (filled in after encryption).
    pub fn new(msg_type: MsgType, msg_version: u8, msg_sz: u16, vmpck: u8, seqno: u64) -> Self {
        let mut h = <Self as zerocopy::FromZeros>::new_zeroed();
        h.algo = AeadAlgo::Aes256Gcm.raw();
        h.hdr_version = HDR_VERSION;
        h.hdr_sz = U16::new(HEADER_LEN as u16);
        h.msg_type = msg_type.raw();
        h.msg_version = msg_version;
        h.msg_sz = U16::new(msg_sz);
        h.msg_vmpck = vmpck;
        h.msg_seqno = U64::new(seqno);
        h
    }

    /// Views the first 0x60 bytes of `bytes` as a header.
    pub fn from_prefix(bytes: &[u8]) -> Result<(&Self, &[u8]), ParseError> {
        view_prefix("guest message header", bytes)
    }

    /// Splits a message page into its header and exactly `MSG_SZ` bytes of payload.
    ///
    /// Fails with [`ParseError::Truncated`] when the page is shorter than the header plus
    /// `MSG_SZ`; anything after the payload is ignored.
    pub fn split_message(bytes: &[u8]) -> Result<(&Self, &[u8]), ParseError> {
        let (h, rest) = Self::from_prefix(bytes)?;
        let sz = usize::from(h.msg_sz.get());
        let payload = rest.get(..sz).ok_or(ParseError::truncated(
            "guest message payload",
            HEADER_LEN + sz,
            bytes.len(),
        ))?;
        Ok((h, payload))
    }

    /// The 16-byte AES-GCM tag.
    pub fn auth_tag(&self) -> &[u8; 16] {
        self.authtag.first_chunk().unwrap_or(&[0; 16])
    }

    /// Stores a 16-byte AES-GCM tag (the rest of AUTHTAG is zeroed).
    pub fn set_auth_tag(&mut self, tag: &[u8; 16]) {
        self.authtag = [0; 32];
        self.authtag[..16].copy_from_slice(tag);
    }

    /// The sequence number.
    pub fn seqno(&self) -> u64 {
        self.msg_seqno.get()
    }

    /// The AEAD algorithm.
    pub fn algo(&self) -> AeadAlgo {
        AeadAlgo::from_raw(self.algo)
    }

    /// The header version.
    pub fn hdr_version(&self) -> u8 {
        self.hdr_version
    }

    /// The header size field.
    pub fn hdr_size(&self) -> u16 {
        self.hdr_sz.get()
    }

    /// The message type.
    pub fn msg_type(&self) -> MsgType {
        MsgType::from_raw(self.msg_type)
    }

    /// The message version.
    pub fn msg_version(&self) -> u8 {
        self.msg_version
    }

    /// The payload size.
    pub fn msg_size(&self) -> u16 {
        self.msg_sz.get()
    }

    /// The VMPCK index.
    pub fn vmpck(&self) -> u8 {
        self.msg_vmpck
    }

    /// The 96-bit AES-GCM IV: the sequence number (little-endian) then four zero bytes.
    pub fn iv(&self) -> [u8; 12] {
        let mut iv = [0; 12];
        iv[..8].copy_from_slice(self.msg_seqno.as_bytes());
        iv
    }

    /// The additional authenticated data: header bytes 0x30..0x60.
    pub fn aad(&self) -> &[u8] {
        self.as_bytes().get(AAD_RANGE).unwrap_or(&[])
    }
}

impl fmt::Debug for MsgHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsgHeader")
            .field("seqno", &self.seqno())
            .field("algo", &self.algo())
            .field("hdr_version", &self.hdr_version)
            .field("hdr_size", &self.hdr_size())
            .field("msg_type", &self.msg_type())
            .field("msg_version", &self.msg_version)
            .field("msg_size", &self.msg_size())
            .field("vmpck", &self.msg_vmpck)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for MsgHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} v{} seqno {} vmpck {} size {} ({}, header v{} size {:#x})",
            self.msg_type(),
            self.msg_version,
            self.seqno(),
            self.msg_vmpck,
            self.msg_size(),
            self.algo(),
            self.hdr_version,
            self.hdr_size()
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MsgHeader {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("MsgHeader", 9)?;
        st.serialize_field("auth_tag", &crate::fmt::Hex(self.auth_tag()))?;
        st.serialize_field("seqno", &self.seqno())?;
        st.serialize_field("algo", &self.algo)?;
        st.serialize_field("hdr_version", &self.hdr_version)?;
        st.serialize_field("hdr_size", &self.hdr_size())?;
        st.serialize_field("msg_type", &self.msg_type())?;
        st.serialize_field("msg_version", &self.msg_version)?;
        st.serialize_field("msg_size", &self.msg_size())?;
        st.serialize_field("vmpck", &self.msg_vmpck)?;
        st.end()
    }
}

/// The AEAD algorithm of a guest message (header byte 0x30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AeadAlgo {
    /// 0: invalid.
    Invalid,
    /// 1: AES-256-GCM.
    Aes256Gcm,
    /// Any other value (kept verbatim).
    Unknown(u8),
}

impl AeadAlgo {
    /// Decodes the raw byte.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            0 => AeadAlgo::Invalid,
            1 => AeadAlgo::Aes256Gcm,
            v => AeadAlgo::Unknown(v),
        }
    }

    /// The raw byte.
    pub const fn raw(self) -> u8 {
        match self {
            AeadAlgo::Invalid => 0,
            AeadAlgo::Aes256Gcm => 1,
            AeadAlgo::Unknown(v) => v,
        }
    }
}

impl fmt::Display for AeadAlgo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AeadAlgo::Invalid => f.write_str("invalid (0)"),
            AeadAlgo::Aes256Gcm => f.write_str("AES-256-GCM"),
            AeadAlgo::Unknown(v) => write!(f, "unknown ({v})"),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for AeadAlgo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.raw())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for AeadAlgo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <u8 as serde::Deserialize>::deserialize(d).map(Self::from_raw)
    }
}

macro_rules! msg_types {
    ($( $(#[$doc:meta])* $name:ident = $v:literal, $label:literal; )*) => {
        /// A guest message type (header byte 0x34). Responses are the request value plus one.
        ///
        /// ```
        /// use sev_types::guest::MsgType;
        /// assert_eq!(MsgType::from_raw(5), MsgType::ReportReq);
        /// assert_eq!(MsgType::ReportReq.response(), Some(MsgType::ReportRsp));
        /// assert_eq!(MsgType::from_raw(0x81), MsgType::Unknown(0x81));
        /// assert_eq!(MsgType::KeyRsp.name(), "KEY_RSP");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum MsgType {
            $( $(#[$doc])* $name, )*
            /// A value this crate does not name (kept verbatim).
            Unknown(u8),
        }

        impl MsgType {
            /// Every named type, in value order.
            pub const ALL: &'static [MsgType] = &[$(MsgType::$name,)*];

            /// Decodes the raw byte.
            pub const fn from_raw(v: u8) -> Self {
                match v {
                    $( $v => MsgType::$name, )*
                    v => MsgType::Unknown(v),
                }
            }

            /// The raw byte.
            pub const fn raw(self) -> u8 {
                match self {
                    $( MsgType::$name => $v, )*
                    MsgType::Unknown(v) => v,
                }
            }

            /// The spec name (`MSG_` prefix dropped), or `UNKNOWN`.
            pub const fn name(self) -> &'static str {
                match self {
                    $( MsgType::$name => $label, )*
                    MsgType::Unknown(_) => "UNKNOWN",
                }
            }

            /// Looks a type up by its spec name (as returned by [`MsgType::name`]).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $label => Some(MsgType::$name), )*
                    _ => None,
                }
            }
        }
    };
}

msg_types! {
    /// 0: invalid.
    Invalid = 0, "INVALID";
    /// 1: CPUID request.
    CpuidReq = 1, "CPUID_REQ";
    /// 2: CPUID response.
    CpuidRsp = 2, "CPUID_RSP";
    /// 3: derived-key request.
    KeyReq = 3, "KEY_REQ";
    /// 4: derived-key response.
    KeyRsp = 4, "KEY_RSP";
    /// 5: attestation-report request.
    ReportReq = 5, "REPORT_REQ";
    /// 6: attestation-report response.
    ReportRsp = 6, "REPORT_RSP";
    /// 7: migration export request.
    ExportReq = 7, "EXPORT_REQ";
    /// 8: migration export response.
    ExportRsp = 8, "EXPORT_RSP";
    /// 9: migration import request.
    ImportReq = 9, "IMPORT_REQ";
    /// 10: migration import response.
    ImportRsp = 10, "IMPORT_RSP";
    /// 11: absorb request.
    AbsorbReq = 11, "ABSORB_REQ";
    /// 12: absorb response.
    AbsorbRsp = 12, "ABSORB_RSP";
    /// 13: VM root key request.
    VmrkReq = 13, "VMRK_REQ";
    /// 14: VM root key response.
    VmrkRsp = 14, "VMRK_RSP";
    /// 15: absorb request without migration agent.
    AbsorbNomaReq = 15, "ABSORB_NOMA_REQ";
    /// 16: absorb response without migration agent.
    AbsorbNomaRsp = 16, "ABSORB_NOMA_RSP";
    /// 17: Secure TSC information request.
    TscInfoReq = 17, "TSC_INFO_REQ";
    /// 18: Secure TSC information response.
    TscInfoRsp = 18, "TSC_INFO_RSP";
}

impl MsgType {
    /// Whether this is a named request type (odd values 1..=17).
    pub const fn is_request(self) -> bool {
        let v = self.raw();
        v % 2 == 1 && v <= 17
    }

    /// The response type that answers this request type.
    pub const fn response(self) -> Option<MsgType> {
        if self.is_request() {
            Some(MsgType::from_raw(self.raw() + 1))
        } else {
            None
        }
    }
}

impl fmt::Display for MsgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MsgType::Unknown(v) => write!(f, "UNKNOWN ({v})"),
            t => write!(f, "MSG_{}", t.name()),
        }
    }
}

/// Serialized as the spec name, or as the number when unnamed.
#[cfg(feature = "serde")]
impl serde::Serialize for MsgType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MsgType::Unknown(v) => s.serialize_u8(*v),
            t => s.serialize_str(t.name()),
        }
    }
}

/// Accepts a spec name (`"REPORT_REQ"`) or a number.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for MsgType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = MsgType;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a message type name or number 0..=255")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<MsgType, E> {
                u8::try_from(v)
                    .map(MsgType::from_raw)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<MsgType, E> {
                u8::try_from(v)
                    .map(MsgType::from_raw)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MsgType, E> {
                let name = v.strip_prefix("MSG_").unwrap_or(v);
                MsgType::from_name(name).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}
