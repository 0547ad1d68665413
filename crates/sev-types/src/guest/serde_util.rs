//! Small serde adapters shared by the guest and platform modules.

use serde::{Serialize, Serializer};

use crate::fmt::Hex;
use crate::tcb::TcbVersion;

/// Serializes a byte slice as lowercase hex.
pub(crate) struct HexBytes<'a>(pub &'a [u8]);

impl Serialize for HexBytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Hex(self.0))
    }
}

/// Serializes a 64-bit word as a `0x`-prefixed, 16-digit hex string.
pub(crate) struct HexU64(pub u64);

impl Serialize for HexU64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:#018x}", self.0))
    }
}

/// `#[serde(with = ...)]` for a raw [`TcbVersion`]: out as a hex string, in as a number, a hex
/// string or an object with `raw`.
pub(crate) mod tcb_hex {
    use super::HexU64;
    use crate::tcb::TcbVersion;

    pub(crate) fn serialize<S: serde::Serializer>(t: &TcbVersion, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&HexU64(t.0), s)
    }

    pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<TcbVersion, D::Error> {
        crate::flags_serde::deserialize_raw(d).map(TcbVersion)
    }
}

/// A TCB_VERSION serialized with [`tcb_hex`].
pub(crate) struct TcbHex(pub TcbVersion);

impl Serialize for TcbHex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        tcb_hex::serialize(&self.0, s)
    }
}
