//! `/dev/sev-guest` (`include/uapi/linux/sev-guest.h`): guest requests for attestation reports
//! and derived keys.
//!
//! Only the envelope, [`SnpGuestRequestIoctl`], and the constants live here; the payloads it
//! points at are [`sev_types::guest::sev_guest`] types (`struct snp_report_req`,
//! `snp_report_resp`, `snp_derived_key_req`, `snp_derived_key_resp`, `snp_ext_report_req`).

use sev_types::status::ExitInfo2;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `SNP_GUEST_REQ_IOC_TYPE`: ioctl type letter `'S'`.
pub const SNP_GUEST_REQ_IOC_TYPE: u8 = b'S';
/// `SNP_REPORT_USER_DATA_SIZE`: bytes of caller data in a report request.
pub const SNP_REPORT_USER_DATA_SIZE: usize = 64;
/// `SNP_GUEST_FW_ERR_MASK`: firmware-status half of `exitinfo2`.
pub const SNP_GUEST_FW_ERR_MASK: u64 = 0xFFFF_FFFF;
/// `SNP_GUEST_VMM_ERR_SHIFT`: shift of the VMM-error half of `exitinfo2`.
pub const SNP_GUEST_VMM_ERR_SHIFT: u32 = 32;
/// `SNP_GUEST_VMM_ERR_INVALID_LEN`: the extended request's certificate buffer is too small.
pub const SNP_GUEST_VMM_ERR_INVALID_LEN: u32 = 1;
/// `SNP_GUEST_VMM_ERR_BUSY`: the host throttled the request.
pub const SNP_GUEST_VMM_ERR_BUSY: u32 = 2;
/// The message version to put into [`SnpGuestRequestIoctl::msg_version`] (must be non-zero).
pub const SNP_GUEST_MSG_VERSION: u8 = 1;

/// Size of `struct snp_report_resp`
/// ([`SnpReportResp`](sev_types::guest::sev_guest::SnpReportResp)), the response buffer of
/// [`SNP_GET_REPORT`](crate::ioctls::SNP_GET_REPORT) and
/// [`SNP_GET_EXT_REPORT`](crate::ioctls::SNP_GET_EXT_REPORT).
pub const SNP_REPORT_RESP_SIZE: usize = size_of::<sev_types::guest::sev_guest::SnpReportResp>();
/// Size of `struct snp_derived_key_resp`
/// ([`SnpDerivedKeyResp`](sev_types::guest::sev_guest::SnpDerivedKeyResp)), the response
/// buffer of [`SNP_GET_DERIVED_KEY`](crate::ioctls::SNP_GET_DERIVED_KEY).
pub const SNP_DERIVED_KEY_RESP_SIZE: usize = size_of::<sev_types::guest::sev_guest::SnpDerivedKeyResp>();

/// `struct snp_guest_request_ioctl`: the argument of the three `/dev/sev-guest` ioctls (32 bytes).
///
/// The kernel's `exitinfo2` is a union with two `u32` halves (`fw_error` at 24, `vmm_error` at
/// 28); it is kept here as one `u64` with accessors, so no union access is needed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct SnpGuestRequestIoctl {
    /// Message version; must be non-zero ([`SNP_GUEST_MSG_VERSION`]).
    pub msg_version: u8,
    /// Implicit padding of the C struct.
    pub _pad: [u8; 7],
    /// User address of the request struct.
    pub req_data: u64,
    /// User address of the response struct.
    pub resp_data: u64,
    /// Out: firmware status (bits 31:0) and VMM error (bits 63:32).
    pub exitinfo2: u64,
}
assert_layout!(SnpGuestRequestIoctl, size = 32, align = 8, {
    msg_version @ 0, _pad @ 1, req_data @ 8, resp_data @ 16, exitinfo2 @ 24,
});

impl SnpGuestRequestIoctl {
    /// A request with `exitinfo2` zeroed (the driver only writes it back on error).
    pub const fn new(req_data: u64, resp_data: u64) -> Self {
        Self {
            msg_version: SNP_GUEST_MSG_VERSION,
            _pad: [0; 7],
            req_data,
            resp_data,
            exitinfo2: 0,
        }
    }
    /// The whole `exitinfo2` union, decoded.
    pub const fn exit_info2(&self) -> ExitInfo2 {
        ExitInfo2(self.exitinfo2)
    }
    /// The `fw_error` half (bits 31:0).
    pub const fn fw_error(&self) -> u32 {
        (self.exitinfo2 & SNP_GUEST_FW_ERR_MASK) as u32
    }
    /// The `vmm_error` half (bits 63:32).
    pub const fn vmm_error(&self) -> u32 {
        (self.exitinfo2 >> SNP_GUEST_VMM_ERR_SHIFT) as u32
    }
    /// Sets the `fw_error` half, keeping `vmm_error`.
    pub const fn set_fw_error(&mut self, fw: u32) {
        self.exitinfo2 = (self.exitinfo2 & !SNP_GUEST_FW_ERR_MASK) | fw as u64;
    }
    /// Sets the `vmm_error` half, keeping `fw_error`.
    pub const fn set_vmm_error(&mut self, vmm: u32) {
        self.exitinfo2 = (self.exitinfo2 & SNP_GUEST_FW_ERR_MASK) | ((vmm as u64) << SNP_GUEST_VMM_ERR_SHIFT);
    }
}
