//! `/dev/sev-guest` (`include/uapi/linux/sev-guest.h`): guest requests for attestation reports
//! and derived keys.

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

/// Size of the response buffers' data area (`snp_report_resp.data`).
pub const SNP_REPORT_RESP_SIZE: usize = 4000;
/// Size of `snp_derived_key_resp.data`.
pub const SNP_DERIVED_KEY_RESP_SIZE: usize = 64;

/// `struct snp_report_req`: SNP_GET_REPORT input (96 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct SnpReportReq {
    /// Caller data placed in the report's REPORT_DATA.
    pub user_data: [u8; SNP_REPORT_USER_DATA_SIZE],
    /// VMPL to put into the report (>= the guest's VMPL).
    pub vmpl: u32,
    /// Reserved, must be zero.
    pub rsvd: [u8; 28],
}
assert_layout!(SnpReportReq, size = 96, align = 4, { user_data @ 0, vmpl @ 64, rsvd @ 68 });

impl SnpReportReq {
    /// A request with the given user data and VMPL; reserved bytes zero.
    pub const fn new(user_data: [u8; SNP_REPORT_USER_DATA_SIZE], vmpl: u32) -> Self {
        Self {
            user_data,
            vmpl,
            rsvd: [0; 28],
        }
    }
}

/// `struct snp_report_resp`: SNP_GET_REPORT / SNP_GET_EXT_REPORT output (4000 bytes): a 32-byte
/// MSG_REPORT_RSP header (status, report size) followed by the report.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct SnpReportResp {
    /// Header then report.
    pub data: [u8; SNP_REPORT_RESP_SIZE],
}
assert_layout!(SnpReportResp, size = 4000, align = 1, { data @ 0 });

/// `struct snp_derived_key_req`: SNP_GET_DERIVED_KEY input (32 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct SnpDerivedKeyReq {
    /// 0 = VCEK, 1 = VMRK (bit 0); bits 2:1 select the key (SNP ABI KEY_SEL).
    pub root_key_select: u32,
    /// Reserved, must be zero.
    pub rsvd: u32,
    /// Which guest fields to mix into the key (SNP ABI GUEST_FIELD_SELECT).
    pub guest_field_select: u64,
    /// VMPL to mix in (>= the guest's VMPL).
    pub vmpl: u32,
    /// Guest SVN to mix in.
    pub guest_svn: u32,
    /// Raw TCB version to mix in.
    pub tcb_version: u64,
}
assert_layout!(SnpDerivedKeyReq, size = 32, align = 8, {
    root_key_select @ 0, rsvd @ 4, guest_field_select @ 8, vmpl @ 16, guest_svn @ 20, tcb_version @ 24,
});

impl From<&sev_types::guest::key::KeyReqV1> for SnpDerivedKeyReq {
    /// The firmware's MSG_KEY_REQ version 1 has exactly this layout; the kernel copies it through.
    fn from(v1: &sev_types::guest::key::KeyReqV1) -> Self {
        const _: () = assert!(size_of::<sev_types::guest::key::KeyReqV1>() == size_of::<SnpDerivedKeyReq>());
        let mut out = Self::default();
        out.as_mut_bytes().copy_from_slice(v1.as_bytes());
        out
    }
}

/// `struct snp_derived_key_resp`: SNP_GET_DERIVED_KEY output (64 bytes): a 32-byte MSG_KEY_RSP
/// header (status at 0) then the 32-byte key. Holds a secret: wipe it after use.
#[repr(C)]
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct SnpDerivedKeyResp {
    /// Header then key.
    pub data: [u8; SNP_DERIVED_KEY_RESP_SIZE],
}
assert_layout!(SnpDerivedKeyResp, size = 64, align = 1, { data @ 0 });

impl core::fmt::Debug for SnpDerivedKeyResp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SnpDerivedKeyResp { .. }")
    }
}

impl zeroize::Zeroize for SnpDerivedKeyResp {
    fn zeroize(&mut self) {
        self.data.zeroize();
    }
}

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

/// `struct snp_ext_report_req`: SNP_GET_EXT_REPORT input (112 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct SnpExtReportReq {
    /// The report request.
    pub data: SnpReportReq,
    /// User address of the certificate buffer.
    pub certs_address: u64,
    /// In: buffer length (page multiple, <= 16 KiB); out on VMM INVALID_LEN: needed length.
    pub certs_len: u32,
    /// Implicit tail padding of the C struct.
    pub _pad: u32,
}
assert_layout!(SnpExtReportReq, size = 112, align = 8, { data @ 0, certs_address @ 96, certs_len @ 104, _pad @ 108 });
