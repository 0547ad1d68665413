//! The wrapped VLEK hashstick that AMD's KDS issues for a platform and SNP_VLEK_LOAD installs.
//!
//! ```
//! use sev_types::guest::VlekHashstick;
//! let mut bytes = [0u8; 0x1B0];
//! bytes[0x190..0x198].copy_from_slice(&0xdb18_0000_0000_0004u64.to_le_bytes());
//! let h = VlekHashstick::from_bytes(&bytes)?;
//! assert_eq!(h.tcb_version().0, 0xdb18_0000_0000_0004);
//! assert!(VlekHashstick::from_bytes(&bytes[..0x1AF]).is_err());
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, view_exact};
use crate::ParseError;
use crate::fmt::Hex;
use crate::tcb::{RawTcb, TcbVersion};

/// Size of a wrapped VLEK hashstick.
pub const HASHSTICK_LEN: usize = 0x1B0;

/// A wrapped VLEK hashstick (0x1B0 bytes; Linux `sev_user_data_snp_wrapped_vlek_hashstick`,
/// which the kernel treats as opaque).
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct VlekHashstick {
    /// 0x000: AES-GCM IV.
    pub iv: [u8; 12],
    /// 0x00C: reserved.
    pub reserved_00c: [u8; 4],
    /// 0x010: the VLEK, wrapped.
    pub wrapped_vlek: [u8; 384],
    /// 0x190: TCB the VLEK was derived for.
    pub tcb_version: RawTcb,
    /// 0x198: reserved.
    pub reserved_198: [u8; 8],
    /// 0x1A0: AES-256-GCM tag.
    pub tag: [u8; 16],
}

assert_offsets!(VlekHashstick {
    iv: 0x000,
    reserved_00c: 0x00C,
    wrapped_vlek: 0x010,
    tcb_version: 0x190,
    reserved_198: 0x198,
    tag: 0x1A0,
});
const _: () = assert!(size_of::<VlekHashstick>() == HASHSTICK_LEN);

impl VlekHashstick {
    /// Views exactly 0x1B0 bytes as a hashstick.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("VLEK hashstick", bytes)
    }

    /// The TCB the VLEK was derived for.
    pub fn tcb_version(&self) -> TcbVersion {
        self.tcb_version.get()
    }
}

impl fmt::Debug for VlekHashstick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VlekHashstick")
            .field("iv", &Hex(&self.iv))
            .field("tcb_version", &self.tcb_version())
            .field("tag", &Hex(&self.tag))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for VlekHashstick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VLEK hashstick: tcb {:#018x}, iv {}, tag {}",
            self.tcb_version().0,
            Hex(&self.iv),
            Hex(&self.tag)
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for VlekHashstick {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::fmt::Hex as HexBytes;
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("VlekHashstick", 4)?;
        st.serialize_field("iv", &HexBytes(&self.iv))?;
        st.serialize_field("wrapped_vlek", &HexBytes(&self.wrapped_vlek))?;
        st.serialize_field("tcb_version", &self.tcb_version())?;
        st.serialize_field("tag", &HexBytes(&self.tag))?;
        st.end()
    }
}
