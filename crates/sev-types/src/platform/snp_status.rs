//! SNP_PLATFORM_STATUS (`sev_user_data_snp_status`, 32 bytes; firmware and Linux agree).

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::PlatformState;
use crate::guest::{assert_offsets, view_exact};
use crate::tcb::{RawTcb, TcbVersion};
use crate::{ParseError, U32};

/// Size of the SNP_PLATFORM_STATUS buffer.
pub const SNP_STATUS_LEN: usize = 0x20;

bitflags::bitflags! {
    /// Byte 0x03 of SNP_PLATFORM_STATUS. Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SnpStatusBits: u8 {
        /// Bit 0: the RMP is initialised.
        const IS_RMP_INITIALIZED = 1 << 0;
        /// Bit 1: the alias check has completed.
        const ALIAS_CHECK_COMPLETE = 1 << 1;
        /// Bit 3: SEV-TIO is enabled.
        const TIO_EN = 1 << 3;
    }
}

bitflags::bitflags! {
    /// The platform configuration word at 0x08 of SNP_PLATFORM_STATUS. Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SnpPlatformFlags: u32 {
        /// Bit 0: CHIP_ID is zeroed in reports.
        const MASK_CHIP_ID = 1 << 0;
        /// Bit 1: reports are not signed with the VCEK.
        const MASK_CHIP_KEY = 1 << 1;
        /// Bit 2: a VLEK hashstick is loaded.
        const VLEK_EN = 1 << 2;
        /// Bit 3: SNP_FEATURE_INFO is available.
        const FEATURE_INFO = 1 << 3;
        /// Bit 4: RAPL is disabled.
        const RAPL_DIS = 1 << 4;
        /// Bit 5: ciphertext hiding is supported.
        const CIPHERTEXT_HIDING_CAP = 1 << 5;
        /// Bit 6: ciphertext hiding is enabled.
        const CIPHERTEXT_HIDING_EN = 1 << 6;
        /// Bit 7: SEV-TIO is enabled.
        const TIO_EN = 1 << 7;
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(SnpStatusBits, u8, |_f, _m| { Ok(()) });
#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(SnpPlatformFlags, u32, |_f, _m| { Ok(()) });

/// SNP_PLATFORM_STATUS output.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpPlatformStatus {
    /// 0x00: API major version.
    pub api_major: u8,
    /// 0x01: API minor version.
    pub api_minor: u8,
    /// 0x02: SNP state (0 UNINIT, 1 INIT).
    pub state: u8,
    /// 0x03: [`SnpStatusBits`].
    pub status_bits: u8,
    /// 0x04: firmware build ID.
    pub build_id: U32,
    /// 0x08: [`SnpPlatformFlags`].
    pub flags: U32,
    /// 0x0C: number of SNP guests.
    pub guest_count: U32,
    /// 0x10: TCB currently running.
    pub current_tcb: RawTcb,
    /// 0x18: TCB reported in attestation reports (set by SNP_SET_CONFIG).
    pub reported_tcb: RawTcb,
}

assert_offsets!(SnpPlatformStatus {
    api_major: 0x00,
    api_minor: 0x01,
    state: 0x02,
    status_bits: 0x03,
    build_id: 0x04,
    flags: 0x08,
    guest_count: 0x0C,
    current_tcb: 0x10,
    reported_tcb: 0x18,
});
const _: () = assert!(size_of::<SnpPlatformStatus>() == SNP_STATUS_LEN);

impl SnpPlatformStatus {
    /// Views exactly 32 bytes as SNP_PLATFORM_STATUS.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("SNP_PLATFORM_STATUS", bytes)
    }

    /// The SNP state.
    pub fn state(&self) -> PlatformState {
        PlatformState::from_raw(self.state)
    }

    /// Byte 0x03.
    pub fn status_bits(&self) -> SnpStatusBits {
        SnpStatusBits::from_bits_retain(self.status_bits)
    }

    /// Whether the RMP is initialised.
    pub fn is_rmp_initialized(&self) -> bool {
        self.status_bits().contains(SnpStatusBits::IS_RMP_INITIALIZED)
    }

    /// The firmware build ID.
    pub fn build_id(&self) -> u32 {
        self.build_id.get()
    }

    /// The platform configuration flags.
    pub fn flags(&self) -> SnpPlatformFlags {
        SnpPlatformFlags::from_bits_retain(self.flags.get())
    }

    /// Number of SNP guests.
    pub fn guest_count(&self) -> u32 {
        self.guest_count.get()
    }

    /// The running TCB.
    pub fn current_tcb(&self) -> TcbVersion {
        self.current_tcb.get()
    }

    /// The TCB put into reports.
    pub fn reported_tcb(&self) -> TcbVersion {
        self.reported_tcb.get()
    }
}

impl fmt::Display for SnpPlatformStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SNP API {}.{} build {}, state {}, status bits {:#x}, flags {:#x}",
            self.api_major,
            self.api_minor,
            self.build_id(),
            self.state(),
            self.status_bits,
            self.flags.get()
        )?;
        let names = self.status_bits().iter_names().map(|(n, _)| n);
        for name in names.chain(self.flags().iter_names().map(|(n, _)| n)) {
            write!(f, " {name}")?;
        }
        write!(
            f,
            ", {} guests, current TCB {:#018x}, reported TCB {:#018x}",
            self.guest_count(),
            self.current_tcb().0,
            self.reported_tcb().0
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SnpPlatformStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SnpPlatformStatus", 9)?;
        st.serialize_field("api_major", &self.api_major)?;
        st.serialize_field("api_minor", &self.api_minor)?;
        st.serialize_field("state", &self.state())?;
        st.serialize_field("status_bits", &self.status_bits())?;
        st.serialize_field("build_id", &self.build_id())?;
        st.serialize_field("flags", &self.flags())?;
        st.serialize_field("guest_count", &self.guest_count())?;
        st.serialize_field("current_tcb", &self.current_tcb())?;
        st.serialize_field("reported_tcb", &self.reported_tcb())?;
        st.end()
    }
}
