//! `/dev/sev` (`include/uapi/linux/psp-sev.h`): the `SEV_ISSUE_CMD` argument, platform command
//! ids and the packed command buffers.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `SEV_IOC_TYPE`: the ioctl type letter `'S'` of `/dev/sev` (and of `/dev/sev-guest`).
pub const SEV_IOC_TYPE: u8 = b'S';

/// `SEV_FACTORY_RESET`: wipe persistent platform state (no payload; needs write access).
pub const SEV_FACTORY_RESET: u32 = 0;
/// `SEV_PLATFORM_STATUS`: read [`SevUserDataStatus`].
pub const SEV_PLATFORM_STATUS: u32 = 1;
/// `SEV_PEK_GEN`: regenerate the Platform Endorsement Key (no payload).
pub const SEV_PEK_GEN: u32 = 2;
/// `SEV_PEK_CSR`: export a signing request for the PEK ([`SevUserDataPekCsr`]).
pub const SEV_PEK_CSR: u32 = 3;
/// `SEV_PDH_GEN`: regenerate the Platform Diffie-Hellman key (no payload).
pub const SEV_PDH_GEN: u32 = 4;
/// `SEV_PDH_CERT_EXPORT`: export the PDH certificate and chain ([`SevUserDataPdhCertExport`]).
pub const SEV_PDH_CERT_EXPORT: u32 = 5;
/// `SEV_PEK_CERT_IMPORT`: import the signed PEK and the OCA ([`SevUserDataPekCertImport`]).
pub const SEV_PEK_CERT_IMPORT: u32 = 6;
/// `SEV_GET_ID`: deprecated chip-id query ([`SevUserDataGetId`]).
pub const SEV_GET_ID: u32 = 7;
/// `SEV_GET_ID2`: chip id into a caller buffer ([`SevUserDataGetId2`]).
pub const SEV_GET_ID2: u32 = 8;
/// `SNP_PLATFORM_STATUS`: read [`SevUserDataSnpStatus`].
pub const SNP_PLATFORM_STATUS: u32 = 9;
/// `SNP_COMMIT`: commit the running firmware as the minimum version (no payload).
pub const SNP_COMMIT: u32 = 10;
/// `SNP_SET_CONFIG`: set the reported TCB and chip-id/key masking ([`SevUserDataSnpConfig`]).
pub const SNP_SET_CONFIG: u32 = 11;
/// `SNP_VLEK_LOAD`: load a wrapped VLEK ([`SevUserDataSnpVlekLoad`]).
pub const SNP_VLEK_LOAD: u32 = 12;
/// `SEV_MAX`: one past the last platform command id in the headers this crate follows
/// (9 in Linux 6.1; it moves whenever a command is added).
pub const SEV_MAX: u32 = 13;

/// `SEV_STATUS_FLAGS_CONFIG_ES`: bit in [`SevUserDataStatus::flags`]: SEV-ES is configured.
pub const SEV_STATUS_FLAGS_CONFIG_ES: u32 = 0x100;

/// `SEV_STATE_UNINIT` (kernel-internal): platform state in [`SevUserDataStatus::state`].
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

/// `struct sev_user_data_status`: SEV_PLATFORM_STATUS output (packed, 12 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataStatus {
    /// Firmware API major version.
    pub api_major: u8,
    /// Firmware API minor version.
    pub api_minor: u8,
    /// Platform state (`SEV_STATE_*`).
    pub state: u8,
    /// Flags; [`SEV_STATUS_FLAGS_CONFIG_ES`] and the owner bit (bit 0).
    pub flags: u32,
    /// Firmware build id.
    pub build: u8,
    /// Number of active guests.
    pub guest_count: u32,
}
assert_layout!(SevUserDataStatus, size = 12, align = 1, {
    api_major @ 0, api_minor @ 1, state @ 2, flags @ 3, build @ 7, guest_count @ 8,
});

/// `struct sev_user_data_pek_csr`: SEV_PEK_CSR buffer (packed, 12 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataPekCsr {
    /// User address of the CSR buffer (0 to query the needed length).
    pub address: u64,
    /// In: buffer length; out: length written or needed.
    pub length: u32,
}
assert_layout!(SevUserDataPekCsr, size = 12, align = 1, { address @ 0, length @ 8 });

/// `struct sev_user_data_pek_cert_import`: SEV_PEK_CERT_IMPORT buffer (packed, 24 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataPekCertImport {
    /// User address of the signed PEK certificate.
    pub pek_cert_address: u64,
    /// Its length.
    pub pek_cert_len: u32,
    /// User address of the OCA certificate.
    pub oca_cert_address: u64,
    /// Its length.
    pub oca_cert_len: u32,
}
assert_layout!(SevUserDataPekCertImport, size = 24, align = 1, {
    pek_cert_address @ 0, pek_cert_len @ 8, oca_cert_address @ 12, oca_cert_len @ 20,
});

/// `struct sev_user_data_pdh_cert_export`: SEV_PDH_CERT_EXPORT buffer (packed, 24 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataPdhCertExport {
    /// User address of the PDH certificate buffer.
    pub pdh_cert_address: u64,
    /// In: buffer length; out: length written or needed.
    pub pdh_cert_len: u32,
    /// User address of the certificate-chain buffer.
    pub cert_chain_address: u64,
    /// In: buffer length; out: length written or needed.
    pub cert_chain_len: u32,
}
assert_layout!(SevUserDataPdhCertExport, size = 24, align = 1, {
    pdh_cert_address @ 0, pdh_cert_len @ 8, cert_chain_address @ 12, cert_chain_len @ 20,
});

/// `struct sev_user_data_get_id`: deprecated SEV_GET_ID output (packed, 128 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataGetId {
    /// Chip id of socket 1.
    pub socket1: [u8; 64],
    /// Chip id of socket 2.
    pub socket2: [u8; 64],
}
assert_layout!(SevUserDataGetId, size = 128, align = 1, { socket1 @ 0, socket2 @ 64 });

/// `struct sev_user_data_get_id2`: SEV_GET_ID2 buffer (packed, 12 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataGetId2 {
    /// User address of the id buffer (0 to query the needed length).
    pub address: u64,
    /// In: buffer length; out: length written or needed.
    pub length: u32,
}
assert_layout!(SevUserDataGetId2, size = 12, align = 1, { address @ 0, length @ 8 });

/// `struct sev_user_data_snp_status`: SNP_PLATFORM_STATUS output (packed, 32 bytes).
///
/// The kernel declares two bitfield words; they are kept here as raw storage
/// ([`rmp_bits`](Self::rmp_bits) at byte 3 and [`feature_bits`](Self::feature_bits) at byte 8)
/// with one mask constant and accessor per bit.
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataSnpStatus {
    /// Firmware API major version.
    pub api_major: u8,
    /// Firmware API minor version.
    pub api_minor: u8,
    /// SNP platform state (0 UNINIT, 1 INIT).
    pub state: u8,
    /// Bitfield byte: `is_rmp_initialized` (bit 0), reserved (bits 1-7).
    pub rmp_bits: u8,
    /// Firmware build id.
    pub build_id: u32,
    /// Bitfield word: `mask_chip_id`, `mask_chip_key`, `vlek_en`, `feature_info`, `rapl_dis`,
    /// `ciphertext_hiding_cap`, `ciphertext_hiding_en` (bits 0-6), reserved (bits 7-31).
    pub feature_bits: u32,
    /// Number of active SNP guests.
    pub guest_count: u32,
    /// Raw TCB version of the running firmware.
    pub current_tcb_version: u64,
    /// Raw TCB version put into attestation reports.
    pub reported_tcb_version: u64,
}
assert_layout!(SevUserDataSnpStatus, size = 32, align = 1, {
    api_major @ 0, api_minor @ 1, state @ 2, rmp_bits @ 3, build_id @ 4, feature_bits @ 8,
    guest_count @ 12, current_tcb_version @ 16, reported_tcb_version @ 24,
});

impl SevUserDataSnpStatus {
    /// `is_rmp_initialized` in [`rmp_bits`](Self::rmp_bits).
    pub const IS_RMP_INITIALIZED: u8 = 1 << 0;
    /// Reserved bits of [`rmp_bits`](Self::rmp_bits) (`rsvd`).
    pub const RMP_BITS_RESERVED: u8 = !Self::IS_RMP_INITIALIZED;
    /// `mask_chip_id` in [`feature_bits`](Self::feature_bits).
    pub const MASK_CHIP_ID: u32 = 1 << 0;
    /// `mask_chip_key` in [`feature_bits`](Self::feature_bits).
    pub const MASK_CHIP_KEY: u32 = 1 << 1;
    /// `vlek_en`: a VLEK is loaded.
    pub const VLEK_EN: u32 = 1 << 2;
    /// `feature_info`: SNP_FEATURE_INFO is supported.
    pub const FEATURE_INFO: u32 = 1 << 3;
    /// `rapl_dis`: RAPL is disabled.
    pub const RAPL_DIS: u32 = 1 << 4;
    /// `ciphertext_hiding_cap`: ciphertext hiding is supported.
    pub const CIPHERTEXT_HIDING_CAP: u32 = 1 << 5;
    /// `ciphertext_hiding_en`: ciphertext hiding is enabled.
    pub const CIPHERTEXT_HIDING_EN: u32 = 1 << 6;
    /// Reserved bits of [`feature_bits`](Self::feature_bits) (`rsvd1`).
    pub const FEATURE_BITS_RESERVED: u32 = !0x7F;

    const fn feature(&self, mask: u32) -> bool {
        self.feature_bits & mask != 0
    }

    /// Whether the RMP is initialised.
    pub const fn is_rmp_initialized(&self) -> bool {
        self.rmp_bits & Self::IS_RMP_INITIALIZED != 0
    }
    /// Whether the chip id is masked in reports.
    pub const fn mask_chip_id(&self) -> bool {
        self.feature(Self::MASK_CHIP_ID)
    }
    /// Whether the chip key is masked (reports unsigned).
    pub const fn mask_chip_key(&self) -> bool {
        self.feature(Self::MASK_CHIP_KEY)
    }
    /// Whether a VLEK is loaded.
    pub const fn vlek_en(&self) -> bool {
        self.feature(Self::VLEK_EN)
    }
    /// Whether SNP_FEATURE_INFO is supported.
    pub const fn feature_info(&self) -> bool {
        self.feature(Self::FEATURE_INFO)
    }
    /// Whether RAPL is disabled.
    pub const fn rapl_dis(&self) -> bool {
        self.feature(Self::RAPL_DIS)
    }
    /// Whether ciphertext hiding is supported.
    pub const fn ciphertext_hiding_cap(&self) -> bool {
        self.feature(Self::CIPHERTEXT_HIDING_CAP)
    }
    /// Whether ciphertext hiding is enabled.
    pub const fn ciphertext_hiding_en(&self) -> bool {
        self.feature(Self::CIPHERTEXT_HIDING_EN)
    }
}

/// `struct sev_user_data_snp_config`: SNP_SET_CONFIG input (packed, 64 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataSnpConfig {
    /// Raw TCB version to put into reports.
    pub reported_tcb: u64,
    /// Bitfield word: `mask_chip_id` (bit 0), `mask_chip_key` (bit 1), reserved (bits 2-31).
    pub mask_bits: u32,
    /// Reserved, must be zero.
    pub rsvd1: [u8; 52],
}
assert_layout!(SevUserDataSnpConfig, size = 64, align = 1, { reported_tcb @ 0, mask_bits @ 8, rsvd1 @ 12 });

impl SevUserDataSnpConfig {
    /// `mask_chip_id` in [`mask_bits`](Self::mask_bits).
    pub const MASK_CHIP_ID: u32 = 1 << 0;
    /// `mask_chip_key` in [`mask_bits`](Self::mask_bits).
    pub const MASK_CHIP_KEY: u32 = 1 << 1;
    /// Reserved bits of [`mask_bits`](Self::mask_bits) (`rsvd`).
    pub const MASK_BITS_RESERVED: u32 = !0x3;

    /// A configuration with every reserved byte zero.
    ///
    /// ```
    /// use sev_sys::uapi::SevUserDataSnpConfig;
    /// let c = SevUserDataSnpConfig::new(0x1b00_0000_0000_0003, true, false);
    /// assert!(c.mask_chip_id() && !c.mask_chip_key());
    /// assert_eq!({ c.reported_tcb }, 0x1b00_0000_0000_0003);
    /// ```
    pub const fn new(reported_tcb: u64, mask_chip_id: bool, mask_chip_key: bool) -> Self {
        let mut mask_bits = 0;
        if mask_chip_id {
            mask_bits |= Self::MASK_CHIP_ID;
        }
        if mask_chip_key {
            mask_bits |= Self::MASK_CHIP_KEY;
        }
        Self {
            reported_tcb,
            mask_bits,
            rsvd1: [0; 52],
        }
    }
    /// Whether the chip id is to be masked.
    pub const fn mask_chip_id(&self) -> bool {
        self.mask_bits & Self::MASK_CHIP_ID != 0
    }
    /// Whether the chip key is to be masked.
    pub const fn mask_chip_key(&self) -> bool {
        self.mask_bits & Self::MASK_CHIP_KEY != 0
    }
}

/// `struct sev_user_data_snp_vlek_load`: SNP_VLEK_LOAD input (packed, 16 bytes).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataSnpVlekLoad {
    /// Must be `size_of::<SevUserDataSnpVlekLoad>()` (16).
    pub len: u32,
    /// Must be 0.
    pub vlek_wrapped_version: u8,
    /// Reserved.
    pub rsvd: [u8; 3],
    /// User address of a [`SevUserDataSnpWrappedVlekHashstick`].
    pub vlek_wrapped_address: u64,
}
assert_layout!(SevUserDataSnpVlekLoad, size = 16, align = 1, {
    len @ 0, vlek_wrapped_version @ 4, rsvd @ 5, vlek_wrapped_address @ 8,
});

/// Size of the wrapped VLEK hashstick from AMD's KDS.
pub const SNP_WRAPPED_VLEK_HASHSTICK_SIZE: usize = 432;

/// `struct sev_user_data_snp_wrapped_vlek_hashstick`: the opaque 432-byte wrapped VLEK.
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout, Unaligned)]
pub struct SevUserDataSnpWrappedVlekHashstick {
    /// The hashstick bytes as delivered by the KDS.
    pub data: [u8; SNP_WRAPPED_VLEK_HASHSTICK_SIZE],
}
assert_layout!(SevUserDataSnpWrappedVlekHashstick, size = 432, align = 1, { data @ 0 });
