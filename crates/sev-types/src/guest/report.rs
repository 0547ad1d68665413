//! MSG_REPORT_REQ and MSG_REPORT_RSP: asking the firmware for a signed attestation report.
//!
//! ```
//! use sev_types::guest::report::{parse_response, RSP_HEADER_LEN};
//! let report = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev/report.bin"))?;
//! // What the Linux driver hands back: a 4000-byte buffer, header then report.
//! let mut rsp = vec![0u8; 4000];
//! rsp[4..8].copy_from_slice(&0x4a0u32.to_le_bytes());
//! rsp[RSP_HEADER_LEN..RSP_HEADER_LEN + report.len()].copy_from_slice(&report);
//! let view = parse_response(&rsp)?;
//! assert_eq!(view.as_bytes(), &report[..]);
//! rsp[0] = 0x16; // INVALID_PARAM
//! assert!(parse_response(&rsp).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, view_exact, view_prefix};
use crate::fmt::Hex;
use crate::report::{REPORT_LEN, Report};
use crate::status::FirmwareStatus;
use crate::{ParseError, U32};

/// Size of MSG_REPORT_REQ (and of Linux' `snp_report_req`).
pub const REQ_LEN: usize = 0x60;
/// Size of the MSG_REPORT_RSP header before the report.
pub const RSP_HEADER_LEN: usize = 0x20;
/// Size of a complete MSG_REPORT_RSP carrying a current (0x4A0-byte) report.
pub const RSP_LEN: usize = RSP_HEADER_LEN + REPORT_LEN;
/// Size of Linux' `snp_report_resp` buffer, which holds a MSG_REPORT_RSP at its start.
pub const LINUX_RSP_LEN: usize = 4000;

/// Which key signs the report (KEY_SEL, also used by MSG_KEY_REQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum KeySelect {
    /// 0: the VLEK if one is installed, otherwise the VCEK.
    #[default]
    Auto,
    /// 1: the VCEK.
    Vcek,
    /// 2: the VLEK (fails with INVALID_KEY when none is loaded).
    Vlek,
    /// 3: reserved.
    Reserved,
}

impl KeySelect {
    /// Decodes the two-bit field (higher bits ignored).
    pub const fn from_raw(v: u32) -> Self {
        match v & 3 {
            0 => KeySelect::Auto,
            1 => KeySelect::Vcek,
            2 => KeySelect::Vlek,
            _ => KeySelect::Reserved,
        }
    }

    /// The two-bit field value.
    pub const fn raw(self) -> u32 {
        match self {
            KeySelect::Auto => 0,
            KeySelect::Vcek => 1,
            KeySelect::Vlek => 2,
            KeySelect::Reserved => 3,
        }
    }
}

impl fmt::Display for KeySelect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySelect::Auto => "auto (VLEK if installed, else VCEK)",
            KeySelect::Vcek => "VCEK",
            KeySelect::Vlek => "VLEK",
            KeySelect::Reserved => "reserved (3)",
        })
    }
}

/// MSG_REPORT_REQ (0x60 bytes); identical in layout to Linux' `snp_report_req`, whose 28-byte
/// `rsvd` covers KEY_SEL and the reserved tail.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ReportReq {
    /// 0x00: guest data copied into the report.
    pub report_data: [u8; 64],
    /// 0x40: VMPL to put in the report.
    pub vmpl: U32,
    /// 0x44: bits 1:0 KEY_SEL, 31:2 reserved.
    pub key_sel: U32,
    /// 0x48: reserved.
    pub reserved: [u8; 24],
}

assert_offsets!(ReportReq {
    report_data: 0x00,
    vmpl: 0x40,
    key_sel: 0x44,
    reserved: 0x48
});
const _: () = assert!(size_of::<ReportReq>() == REQ_LEN);

impl ReportReq {
    /// A request with all reserved bits zero.
    pub fn new(report_data: [u8; 64], vmpl: u32, key_select: KeySelect) -> Self {
        Self {
            report_data,
            vmpl: U32::new(vmpl),
            key_sel: U32::new(key_select.raw()),
            reserved: [0; 24],
        }
    }

    /// Views exactly 0x60 bytes as a request.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("MSG_REPORT_REQ", bytes)
    }

    /// The VMPL field.
    pub fn vmpl(&self) -> u32 {
        self.vmpl.get()
    }

    /// The KEY_SEL field.
    pub fn key_select(&self) -> KeySelect {
        KeySelect::from_raw(self.key_sel.get())
    }

    /// Set bits of the word at 0x44 outside KEY_SEL (31:2).
    pub fn reserved_key_sel_bits(&self) -> u32 {
        self.key_sel.get() & !3
    }
}

impl fmt::Debug for ReportReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportReq")
            .field("report_data", &Hex(&self.report_data))
            .field("vmpl", &self.vmpl())
            .field("key_select", &self.key_select())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ReportReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "report request: vmpl {}, key {}, report_data {}",
            self.vmpl(),
            self.key_select(),
            Hex(&self.report_data)
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ReportReq {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ReportReq", 3)?;
        st.serialize_field("report_data", &Hex(&self.report_data))?;
        st.serialize_field("vmpl", &self.vmpl())?;
        st.serialize_field("key_select", &self.key_select())?;
        st.end()
    }
}

/// Reads `{report_data: hex, vmpl?: u32, key_select?: "auto"|"vcek"|"vlek"|"reserved"}`.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ReportReq {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Plain {
            #[serde(deserialize_with = "crate::fmt::serde_hex::deserialize")]
            report_data: [u8; 64],
            #[serde(default)]
            vmpl: u32,
            #[serde(default)]
            key_select: KeySelect,
        }
        let p = <Plain as serde::Deserialize>::deserialize(d)?;
        Ok(ReportReq::new(p.report_data, p.vmpl, p.key_select))
    }
}

/// The 0x20-byte header of MSG_REPORT_RSP (Linux `snp_msg_report_resp_hdr`).
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ReportRspHeader {
    /// 0x00: firmware status.
    pub status: U32,
    /// 0x04: size of the report that follows.
    pub report_size: U32,
    /// 0x08: reserved.
    pub reserved: [u8; 24],
}

assert_offsets!(ReportRspHeader {
    status: 0x00,
    report_size: 0x04,
    reserved: 0x08
});
const _: () = assert!(size_of::<ReportRspHeader>() == RSP_HEADER_LEN);

impl ReportRspHeader {
    /// A header for a successful response carrying a current report.
    pub fn success() -> Self {
        Self {
            status: U32::new(0),
            report_size: U32::new(REPORT_LEN as u32),
            reserved: [0; 24],
        }
    }

    /// Views the first 0x20 bytes of `bytes` as the header; returns the rest.
    pub fn from_prefix(bytes: &[u8]) -> Result<(&Self, &[u8]), ParseError> {
        view_prefix("MSG_REPORT_RSP", bytes)
    }

    /// The firmware status.
    pub fn status(&self) -> FirmwareStatus {
        FirmwareStatus::from_code(self.status.get())
    }

    /// The REPORT_SIZE field.
    pub fn report_size(&self) -> u32 {
        self.report_size.get()
    }
}

impl fmt::Display for ReportRspHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "report response: status {}, report size {:#x}",
            self.status(),
            self.report_size()
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ReportRspHeader {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ReportRspHeader", 2)?;
        st.serialize_field("status", &self.status())?;
        st.serialize_field("report_size", &self.report_size())?;
        st.end()
    }
}

/// Parses a MSG_REPORT_RSP (or a Linux `snp_report_resp` buffer, which holds one at its start)
/// and returns a view of exactly the report bytes.
///
/// Checks, in order: the 0x20-byte header is present ([`ParseError::Truncated`]); STATUS is
/// SUCCESS ([`ParseError::BadValue`] with field `status`; the code converts back with
/// [`ParseError::Firmware`]); REPORT_SIZE is 0x4A0 ([`ParseError::BadValue`]); the buffer
/// holds the whole report ([`ParseError::Truncated`]). Bytes after the report are ignored.
pub fn parse_response(bytes: &[u8]) -> Result<Report<'_>, ParseError> {
    const WHAT: &str = "MSG_REPORT_RSP";
    let (hdr, rest) = ReportRspHeader::from_prefix(bytes)?;
    let status = hdr.status.get();
    if status != 0 {
        return Err(ParseError::Firmware {
            what: WHAT,
            status: FirmwareStatus::from_code(status),
        });
    }
    let size = hdr.report_size.get();
    if size as usize != REPORT_LEN {
        return Err(ParseError::BadValue {
            what: WHAT,
            field: "report_size",
            found: size.into(),
            expected: "0x4a0",
        });
    }
    let report = rest
        .get(..REPORT_LEN)
        .ok_or(ParseError::truncated(WHAT, RSP_LEN, bytes.len()))?;
    Report::from_bytes(report)
}
