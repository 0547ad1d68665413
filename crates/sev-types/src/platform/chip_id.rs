//! GET_ID: the 64-byte chip identifier of each socket.
//!
//! ```
//! use sev_types::platform::GetId;
//! let mut buf = [0u8; 128];
//! buf[..64].fill(0xab);
//! let ids = GetId::from_bytes(&buf)?;
//! assert_eq!(ids.chip_ids().count(), 1);
//! assert!(ids.socket1().to_string().starts_with("abab"));
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::ParseError;
use crate::fmt::Hex;
use crate::guest::{assert_offsets, view_exact};

/// Size of one chip ID.
pub const CHIP_ID_LEN: usize = 64;

/// A 64-byte chip identifier (the `hwid` of KDS VCEK URLs, and CHIP_ID in reports).
///
/// Displays as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(transparent)]
pub struct ChipId(pub [u8; CHIP_ID_LEN]);

impl ChipId {
    /// Views exactly 64 bytes as a chip ID (for example one SEV_GET_ID2 slot).
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("chip ID", bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; CHIP_ID_LEN] {
        &self.0
    }

    /// Whether all bytes are zero (an empty socket slot, or a masked ID).
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&b| b == 0)
    }
}

impl fmt::Display for ChipId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Hex(&self.0), f)
    }
}

impl fmt::Debug for ChipId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChipId({self})")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ChipId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::fmt::serde_hex::serialize(&self.0, s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for ChipId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::fmt::serde_hex::deserialize(d).map(ChipId)
    }
}

/// Linux' deprecated `sev_user_data_get_id` (SEV_GET_ID): two 64-byte slots, one per socket.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct GetId {
    /// 0x00: chip ID of socket 1.
    pub socket1: ChipId,
    /// 0x40: chip ID of socket 2 (zero on single-socket systems).
    pub socket2: ChipId,
}

assert_offsets!(GetId {
    socket1: 0x00,
    socket2: 0x40
});
const _: () = assert!(size_of::<GetId>() == 2 * CHIP_ID_LEN);

impl GetId {
    /// Views exactly 128 bytes as the two slots.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("sev_user_data_get_id", bytes)
    }

    /// Socket 1's chip ID.
    pub fn socket1(&self) -> &ChipId {
        &self.socket1
    }

    /// Socket 2's chip ID.
    pub fn socket2(&self) -> &ChipId {
        &self.socket2
    }

    /// The non-zero chip IDs, socket order.
    pub fn chip_ids(&self) -> impl Iterator<Item = &ChipId> {
        [&self.socket1, &self.socket2].into_iter().filter(|c| !c.is_zero())
    }
}

impl fmt::Display for GetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "socket 1: {}\nsocket 2: {}", self.socket1, self.socket2)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for GetId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("GetId", 2)?;
        st.serialize_field("socket1", &self.socket1)?;
        st.serialize_field("socket2", &self.socket2)?;
        st.end()
    }
}
