//! Formatting helpers: lowercase hex for byte fields, in `Display` and in serde.

use core::fmt;

/// Displays a byte slice as lowercase hex with no separators.
///
/// ```
/// use sev_types::fmt::Hex;
/// assert_eq!(format!("{}", Hex(&[0xde, 0xad, 0x01])), "dead01");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Serializes as a lowercase hex string.
#[cfg(feature = "serde")]
impl serde::Serialize for Hex<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Decodes lowercase or uppercase hex into `out`, which must be exactly half as long as `s`.
///
/// Returns `None` on a wrong length or a non-hex digit.
pub fn decode_hex_into(s: &str, out: &mut [u8]) -> Option<()> {
    let s = s.as_bytes();
    if s.len() != out.len() * 2 {
        return None;
    }
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        *o = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
    }
    Some(())
}

/// The value of one hex digit (either case).
pub(crate) const fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Serializes a 64-bit word as a `0x`-prefixed, 16-digit hex string.
#[cfg(feature = "serde")]
pub(crate) struct HexU64(pub u64);

#[cfg(feature = "serde")]
impl serde::Serialize for HexU64 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:#018x}", self.0))
    }
}

/// serde adapters: byte arrays as lowercase hex strings.
#[cfg(feature = "serde")]
pub mod serde_hex {
    use super::{Hex, decode_hex_into};
    use core::fmt;
    use serde::{Deserializer, Serializer, de};

    /// Serializes any byte slice as a lowercase hex string.
    pub fn serialize<S: Serializer, T: AsRef<[u8]>>(bytes: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&Hex(bytes.as_ref()))
    }

    /// Deserializes a fixed-size byte array from a hex string of exactly `2 * N` digits.
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
        struct V<const N: usize>;
        impl<const N: usize> de::Visitor<'_> for V<N> {
            type Value = [u8; N];
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a hex string of {} digits", 2 * N)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<[u8; N], E> {
                let mut out = [0u8; N];
                decode_hex_into(v, &mut out).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))?;
                Ok(out)
            }
        }
        d.deserialize_str(V::<N>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_bad_digits_and_lengths() {
        let mut out = [0u8; 2];
        assert_eq!(decode_hex_into("00Ff", &mut out), Some(()));
        assert_eq!(out, [0x00, 0xff]);
        assert_eq!(decode_hex_into("00f", &mut out), None);
        assert_eq!(decode_hex_into("00fg", &mut out), None);
    }
}
