//! SNP_SET_CONFIG (`sev_user_data_snp_config`, 64 bytes): the reported TCB and the chip-ID and
//! chip-key masks.
//!
//! ```
//! use sev_types::{TcbVersion, platform::{MaskId, SnpConfig}};
//! let cfg = SnpConfig::new(TcbVersion(0xdb18_0000_0000_0004), MaskId::MASK_CHIP_ID);
//! let bytes = zerocopy::IntoBytes::as_bytes(&cfg);
//! assert_eq!(bytes.len(), 64);
//! assert_eq!(bytes[8], 1);
//! assert_eq!(SnpConfig::from_bytes(bytes)?.reported_tcb().0, 0xdb18_0000_0000_0004);
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::guest::{assert_offsets, view_exact};
use crate::tcb::{RawTcb, TcbVersion};
use crate::{ParseError, U32, U64};

/// Size of the SNP_SET_CONFIG buffer.
pub const SNP_CONFIG_LEN: usize = 0x40;

bitflags::bitflags! {
    /// The MASK_ID word of SNP_SET_CONFIG. Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MaskId: u32 {
        /// Bit 0: zero CHIP_ID in reports.
        const MASK_CHIP_ID = 1 << 0;
        /// Bit 1: do not sign reports with the VCEK.
        const MASK_CHIP_KEY = 1 << 1;
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(MaskId, u32, |_f, _m| { Ok(()) });

/// SNP_SET_CONFIG input.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SnpConfig {
    /// 0x00: TCB to put into reports (at most the committed TCB).
    pub reported_tcb: RawTcb,
    /// 0x08: [`MaskId`].
    pub mask_id: U32,
    /// 0x0C: reserved.
    pub reserved: [u8; 52],
}

assert_offsets!(SnpConfig {
    reported_tcb: 0x00,
    mask_id: 0x08,
    reserved: 0x0C
});
const _: () = assert!(size_of::<SnpConfig>() == SNP_CONFIG_LEN);

impl SnpConfig {
    /// A configuration with all reserved bytes zero.
    pub fn new(reported_tcb: TcbVersion, mask: MaskId) -> Self {
        SnpConfig {
            reported_tcb: RawTcb(U64::new(reported_tcb.0)),
            mask_id: U32::new(mask.bits()),
            reserved: [0; 52],
        }
    }

    /// Views exactly 64 bytes as SNP_SET_CONFIG.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("SNP_SET_CONFIG", bytes)
    }

    /// The reported TCB.
    pub fn reported_tcb(&self) -> TcbVersion {
        self.reported_tcb.get()
    }

    /// The mask word.
    pub fn mask_id(&self) -> MaskId {
        MaskId::from_bits_retain(self.mask_id.get())
    }
}

impl Default for SnpConfig {
    fn default() -> Self {
        Self::new(TcbVersion(0), MaskId::empty())
    }
}

impl fmt::Display for SnpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SNP config: reported TCB {:#018x}, mask {:#x}",
            self.reported_tcb().0,
            self.mask_id.get()
        )?;
        for (name, _) in self.mask_id().iter_names() {
            write!(f, " {name}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SnpConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SnpConfig", 2)?;
        st.serialize_field("reported_tcb", &self.reported_tcb())?;
        st.serialize_field("mask_id", &self.mask_id())?;
        st.end()
    }
}

/// Reads `{reported_tcb: number | "0x…", mask_id?: flags}`.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for SnpConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Plain {
            reported_tcb: TcbVersion,
            #[serde(default)]
            mask_id: MaskId,
        }
        let p = <Plain as serde::Deserialize>::deserialize(d)?;
        Ok(SnpConfig::new(p.reported_tcb, p.mask_id))
    }
}
