//! The payloads of the `/dev/sev-guest` ioctls (`include/uapi/linux/sev-guest.h`):
//! SNP_GET_REPORT, SNP_GET_DERIVED_KEY and SNP_GET_EXT_REPORT.
//!
//! The driver copies the request payload byte for byte into the firmware message and the
//! firmware's answer back into the response buffer, so three of the five kernel structures
//! are the firmware messages themselves:
//!
//! | kernel | here |
//! | --- | --- |
//! | `struct snp_report_req` (96 bytes) | [`SnpReportReq`] = [`ReportReq`] (MSG_REPORT_REQ) |
//! | `struct snp_report_resp` (4000 bytes) | [`SnpReportResp`]: a MSG_REPORT_RSP at its start |
//! | `struct snp_derived_key_req` (32 bytes) | [`SnpDerivedKeyReq`] = [`KeyReqV1`] (MSG_KEY_REQ v1) |
//! | `struct snp_derived_key_resp` (64 bytes) | [`SnpDerivedKeyResp`] = [`KeyRsp`] (MSG_KEY_RSP) |
//! | `struct snp_ext_report_req` (112 bytes) | [`SnpExtReportReq`] |
//!
//! All are byte-aligned with little-endian fields (the kernel copies them with
//! `copy_from_user`/`copy_to_user`, which need no alignment). The envelope that points at them,
//! `struct snp_guest_request_ioctl`, and the ioctl numbers belong to `sev-sys`.
//!
//! ```
//! use sev_types::guest::sev_guest::{SnpExtReportReq, SnpReportReq, SnpReportResp};
//! use sev_types::guest::KeySelect;
//! use zerocopy::{FromZeros, IntoBytes};
//!
//! let req = SnpExtReportReq::new(SnpReportReq::new([1; 64], 0, KeySelect::Auto), 0x7000, 0x1000);
//! assert_eq!(req.as_bytes().len(), 112);
//! assert_eq!(req.as_bytes()[96..104], 0x7000u64.to_le_bytes()); // certs_address
//!
//! let resp = SnpReportResp::new_zeroed();
//! assert_eq!(resp.as_bytes().len(), 4000);
//! assert!(resp.report().is_err(), "an all-zero response has REPORT_SIZE 0");
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::assert_offsets;
use super::key::{KeyReqV1, KeyRsp};
use super::report::{self, ReportReq, ReportRspHeader};
use crate::report::Report;
use crate::{ParseError, U32, U64};

/// `struct snp_report_req`: the SNP_GET_REPORT and SNP_GET_EXT_REPORT request (96 bytes).
///
/// The kernel names bytes 68..96 `rsvd`; the driver passes them through, and the firmware reads
/// KEY_SEL at 0x44 and requires the rest to be zero.
pub type SnpReportReq = ReportReq;

/// `struct snp_derived_key_req`: the SNP_GET_DERIVED_KEY request (32 bytes), MSG_KEY_REQ
/// version 1. The kernel's `rsvd` at 4 is [`KeyReqV1::reserved_004`].
pub type SnpDerivedKeyReq = KeyReqV1;

/// `struct snp_derived_key_resp`: the SNP_GET_DERIVED_KEY response (64 bytes; the kernel's
/// `data[64]`), a MSG_KEY_RSP. It holds the key: wiped on drop, not `Clone`, and `Debug`
/// does not print it.
pub type SnpDerivedKeyResp = KeyRsp;

/// `struct snp_report_resp`: the SNP_GET_REPORT / SNP_GET_EXT_REPORT response buffer
/// (4000 bytes; the kernel's `data[4000]`): a MSG_REPORT_RSP (32-byte header, then the
/// report) followed by unused bytes.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpReportResp {
    /// 0: the MSG_REPORT_RSP header.
    pub header: ReportRspHeader,
    /// 32: the report (REPORT_SIZE bytes), then unused space.
    pub body: [u8; report::LINUX_RSP_LEN - report::RSP_HEADER_LEN],
}
assert_offsets!(SnpReportResp { header: 0, body: 32 });
const _: () = assert!(size_of::<SnpReportResp>() == report::LINUX_RSP_LEN);

impl SnpReportResp {
    /// The report, after the checks of [`report::parse_response`] (STATUS success,
    /// REPORT_SIZE 0x4A0).
    pub fn report(&self) -> Result<Report<'_>, ParseError> {
        report::parse_response(self.as_bytes())
    }
}

impl fmt::Debug for SnpReportResp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnpReportResp")
            .field("status", &self.header.status())
            .field("report_size", &self.header.report_size())
            .finish_non_exhaustive()
    }
}

/// `struct snp_ext_report_req`: the SNP_GET_EXT_REPORT request (112 bytes): a report
/// request and the buffer for the host's certificate table.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpExtReportReq {
    /// 0: the report request.
    pub data: SnpReportReq,
    /// 96: user address of the certificate buffer (0 with length 0 asks for the size).
    pub certs_address: U64,
    /// 104: in: buffer length (page multiple, at most 16 KiB); out, after the VMM's
    /// INVALID_LEN: the length needed.
    pub certs_len: U32,
    /// 108: the C struct's tail padding, zero.
    pub pad: U32,
}
assert_offsets!(SnpExtReportReq {
    data: 0,
    certs_address: 96,
    certs_len: 104,
    pad: 108,
});
const _: () = assert!(size_of::<SnpExtReportReq>() == 112);

impl SnpExtReportReq {
    /// A request for `data` with a certificate buffer of `certs_len` bytes at user address
    /// `certs_address`.
    pub fn new(data: SnpReportReq, certs_address: u64, certs_len: u32) -> Self {
        Self {
            data,
            certs_address: U64::new(certs_address),
            certs_len: U32::new(certs_len),
            pad: U32::ZERO,
        }
    }

    /// The certificate buffer length (after the call: the length the host needs, if it
    /// answered INVALID_LEN).
    pub fn certs_len(&self) -> u32 {
        self.certs_len.get()
    }
}
