//! Shared serde plumbing for flag words: `{raw, <flag>: bool, ...}` out, and a number, a hex
//! string or an object with `raw` in.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;

/// Serializes `raw` and one boolean per named flag, plus `extra` entries written by the caller.
pub(crate) fn serialize_flags<S, F>(
    s: S,
    raw: u64,
    names: impl Iterator<Item = (&'static str, bool)>,
    extra: F,
) -> Result<S::Ok, S::Error>
where
    S: serde::Serializer,
    F: FnOnce(&mut S::SerializeMap) -> Result<(), S::Error>,
{
    let mut m = s.serialize_map(None)?;
    m.serialize_entry("raw", &raw)?;
    extra(&mut m)?;
    for (name, set) in names {
        m.serialize_entry(&Lower(name), &set)?;
    }
    m.end()
}

struct Lower(&'static str);

impl serde::Serialize for Lower {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&LowerDisplay(self.0))
    }
}

struct LowerDisplay(&'static str);

impl fmt::Display for LowerDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            fmt::Write::write_char(f, c.to_ascii_lowercase())?;
        }
        Ok(())
    }
}

/// Deserializes a raw flag word from a number, a `"0x…"`/decimal string, or a map holding `raw`.
pub(crate) fn deserialize_raw<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(RawVisitor(PhantomData))
}

struct RawVisitor(PhantomData<()>);

impl<'de> Visitor<'de> for RawVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a flag word: an integer, a hex string, or an object with \"raw\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_u64(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        let mut raw = None;
        while let Some(key) = map.next_key::<KeyName>()? {
            if key.is_raw {
                raw = Some(map.next_value_seed(RawSeed)?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        raw.ok_or_else(|| de::Error::missing_field("raw"))
    }
}

struct RawSeed;

impl<'de> de::DeserializeSeed<'de> for RawSeed {
    type Value = u64;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        deserialize_raw(d)
    }
}

struct KeyName {
    is_raw: bool,
}

impl<'de> serde::Deserialize<'de> for KeyName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName, E> {
                Ok(KeyName { is_raw: v == "raw" })
            }
        }
        d.deserialize_str(V)
    }
}

/// Parses `0x…` hex or plain decimal.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Implements `Serialize`/`Deserialize` for a bitflags type via its raw bits.
macro_rules! flags_serde_impl {
    ($ty:ty, $bits:ty, |$self_:ident, $m:ident| $extra:block) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_imports)]
                use serde::ser::SerializeMap as _;
                let $self_ = self;
                $crate::flags_serde::serialize_flags(
                    s,
                    self.bits() as u64,
                    <$ty>::all().iter_names().map(|(n, f)| (n, self.contains(f))),
                    |$m| $extra,
                )
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = $crate::flags_serde::deserialize_raw(d)?;
                let bits = <$bits>::try_from(raw).map_err(|_| {
                    <D::Error as serde::de::Error>::custom(format_args!(
                        "{raw:#x} does not fit in {} bits",
                        <$bits>::BITS
                    ))
                })?;
                Ok(<$ty>::from_bits_retain(bits))
            }
        }
    };
}
pub(crate) use flags_serde_impl;
