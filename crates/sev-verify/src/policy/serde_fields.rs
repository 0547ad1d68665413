//! serde adapters for policy fields: byte arrays as hex (via `sev_types::fmt::serde_hex`) and
//! 64-bit masks as `"0x…"` strings (TOML integers stop at 2^63).

use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sev_types::fmt::serde_hex;

struct HexArray<const N: usize>([u8; N]);

impl<const N: usize> Serialize for HexArray<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_hex::serialize(&self.0, s)
    }
}

impl<'de, const N: usize> Deserialize<'de> for HexArray<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_hex::deserialize::<D, N>(d).map(HexArray)
    }
}

/// `Option<[u8; N]>` as an optional hex string.
pub(super) mod opt_hex {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(v: &Option<[u8; N]>, s: S) -> Result<S::Ok, S::Error> {
        v.map(HexArray).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<Option<[u8; N]>, D::Error> {
        Ok(Option::<HexArray<N>>::deserialize(d)?.map(|h| h.0))
    }
}

/// `Vec<[u8; N]>` as a list of hex strings.
pub(super) mod list_hex {
    use super::*;

    pub(crate) fn serialize<S: Serializer, const N: usize>(v: &[[u8; N]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|a| HexArray(*a)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<Vec<[u8; N]>, D::Error> {
        Ok(Vec::<HexArray<N>>::deserialize(d)?.into_iter().map(|h| h.0).collect())
    }
}

/// `Option<u64>` written as `"0x…"`, read from an integer, a `"0x…"` string or a decimal string.
pub(super) mod opt_mask {
    use super::*;

    struct Mask(u64);

    impl Serialize for Mask {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&format_args!("{:#x}", self.0))
        }
    }

    impl<'de> Deserialize<'de> for Mask {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(MaskVisitor)
        }
    }

    struct MaskVisitor;

    impl Visitor<'_> for MaskVisitor {
        type Value = Mask;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 64-bit mask: an integer or a \"0x…\" hex string")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Mask, E> {
            Ok(Mask(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Mask, E> {
            u64::try_from(v)
                .map(Mask)
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Mask, E> {
            let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
                Some(h) if !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()) => u64::from_str_radix(h, 16).ok(),
                Some(_) => None,
                None if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => v.parse().ok(),
                None => None,
            };
            parsed
                .map(Mask)
                .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        v.map(Mask).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(Option::<Mask>::deserialize(d)?.map(|m| m.0))
    }
}
