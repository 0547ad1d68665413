//! `/dev/sev` (`include/uapi/linux/psp-sev.h`): the `SEV_ISSUE_CMD` argument, platform command
//! ids. The packed command buffers are `sev_types` values ([`sev_types::platform`]).

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `SEV_IOC_TYPE`: the ioctl type letter `'S'` of `/dev/sev` (and of `/dev/sev-guest`).
pub const SEV_IOC_TYPE: u8 = b'S';

/// `SEV_FACTORY_RESET`: wipe persistent platform state (no payload; needs write access).
pub const SEV_FACTORY_RESET: u32 = 0;
/// `SEV_PLATFORM_STATUS`: read [`SevUserDataStatus`](sev_types::platform::SevUserDataStatus).
pub const SEV_PLATFORM_STATUS: u32 = 1;
/// `SEV_PEK_GEN`: regenerate the Platform Endorsement Key (no payload).
pub const SEV_PEK_GEN: u32 = 2;
/// `SEV_PEK_CSR`: export a signing request for the PEK ([`SevUserDataPekCsr`](sev_types::platform::user_data::SevUserDataPekCsr)).
pub const SEV_PEK_CSR: u32 = 3;
/// `SEV_PDH_GEN`: regenerate the Platform Diffie-Hellman key (no payload).
pub const SEV_PDH_GEN: u32 = 4;
/// `SEV_PDH_CERT_EXPORT`: export the PDH certificate and chain ([`SevUserDataPdhCertExport`](sev_types::platform::user_data::SevUserDataPdhCertExport)).
pub const SEV_PDH_CERT_EXPORT: u32 = 5;
/// `SEV_PEK_CERT_IMPORT`: import the signed PEK and the OCA ([`SevUserDataPekCertImport`](sev_types::platform::user_data::SevUserDataPekCertImport)).
pub const SEV_PEK_CERT_IMPORT: u32 = 6;
/// `SEV_GET_ID`: deprecated chip-id query ([`GetId`](sev_types::platform::GetId)).
pub const SEV_GET_ID: u32 = 7;
/// `SEV_GET_ID2`: chip id into a caller buffer ([`SevUserDataGetId2`](sev_types::platform::user_data::SevUserDataGetId2)).
pub const SEV_GET_ID2: u32 = 8;
/// `SNP_PLATFORM_STATUS`: read [`SnpPlatformStatus`](sev_types::platform::SnpPlatformStatus).
pub const SNP_PLATFORM_STATUS: u32 = 9;
/// `SNP_COMMIT`: commit the running firmware as the minimum version (no payload).
pub const SNP_COMMIT: u32 = 10;
/// `SNP_SET_CONFIG`: set the reported TCB and chip-id/key masking ([`SnpConfig`](sev_types::platform::SnpConfig)).
pub const SNP_SET_CONFIG: u32 = 11;
/// `SNP_VLEK_LOAD`: load a wrapped VLEK ([`SevUserDataSnpVlekLoad`](sev_types::platform::user_data::SevUserDataSnpVlekLoad)).
pub const SNP_VLEK_LOAD: u32 = 12;
/// `SEV_MAX`: one past the last platform command id in the headers this crate follows
/// (9 in Linux 6.1; it moves whenever a command is added).
pub const SEV_MAX: u32 = 13;

/// `SEV_STATUS_FLAGS_CONFIG_ES`: bit in [`SevUserDataStatus::flags`](sev_types::platform::SevUserDataStatus::flags): SEV-ES is configured.
pub const SEV_STATUS_FLAGS_CONFIG_ES: u32 = 0x100;

/// `SEV_STATE_UNINIT` (kernel-internal): platform state in [`SevUserDataStatus::state`](sev_types::platform::SevUserDataStatus::state).
pub const SEV_STATE_UNINIT: u8 = 0;
/// `SEV_STATE_INIT` (kernel-internal): platform initialised.
pub const SEV_STATE_INIT: u8 = 1;
/// `SEV_STATE_WORKING` (kernel-internal): platform has at least one guest.
pub const SEV_STATE_WORKING: u8 = 2;

/// `struct sev_issue_cmd`: the argument of `SEV_ISSUE_CMD` (packed, 16 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevIssueCmd {
    /// Platform command id (`SEV_*` / `SNP_*` constants of this module).
    pub cmd: u32,
    /// User address of the command buffer, or 0 for commands without one.
    pub data: u64,
    /// Out: firmware status (`SEV_RET_*`, see [`sev_types::status::FirmwareStatus`]).
    pub error: u32,
}
assert_layout!(SevIssueCmd, size = 16, align = 1, { cmd @ 0, data @ 4, error @ 12 });
