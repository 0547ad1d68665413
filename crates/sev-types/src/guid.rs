//! 16-byte GUIDs in both of the byte orders the SEV ecosystem uses.

use core::fmt;

/// A GUID stored as 16 raw bytes, exactly as they appear on the wire.
///
/// Two encodings exist: the certificate table of the extended report stores the bytes in the
/// order of the textual GUID (RFC 4122, [`Guid::from_str_rfc4122`]), while OVMF tables and the
/// kernel-hashes table use the EFI mixed-endian encoding ([`Guid::from_str_efi`]), where the first
/// three groups are byte-swapped.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    zerocopy::FromBytes,
    zerocopy::IntoBytes,
    zerocopy::KnownLayout,
    zerocopy::Immutable,
    zerocopy::Unaligned,
)]
#[repr(transparent)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The all-zero GUID.
    pub const NIL: Guid = Guid([0; 16]);

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` into bytes in textual (RFC 4122) order.
    ///
    /// Usable in `const` context; returns `None` on a malformed string.
    pub const fn from_str_rfc4122(s: &str) -> Option<Guid> {
        let s = s.as_bytes();
        if s.len() != 36 {
            return None;
        }
        let mut out = [0u8; 16];
        let mut nibbles = 0;
        let mut i = 0;
        while i < 36 {
            let dash_here = i == 8 || i == 13 || i == 18 || i == 23;
            if dash_here != (s[i] == b'-') {
                return None;
            }
            if !dash_here {
                let Some(v) = crate::fmt::hex_digit(s[i]) else {
                    return None;
                };
                out[nibbles / 2] |= if nibbles % 2 == 0 { v << 4 } else { v };
                nibbles += 1;
            }
            i += 1;
        }
        Some(Guid(out))
    }

    /// Parses a textual GUID into the EFI mixed-endian byte encoding.
    pub const fn from_str_efi(s: &str) -> Option<Guid> {
        match Self::from_str_rfc4122(s) {
            Some(g) => Some(g.swap_mixed_endian()),
            None => None,
        }
    }

    /// A GUID literal in RFC 4122 byte order, for `const` items; a malformed literal fails the
    /// build (this is for source-code constants, never for input — use
    /// [`Guid::from_str_rfc4122`] there).
    pub const fn literal_rfc4122(s: &str) -> Guid {
        match Self::from_str_rfc4122(s) {
            Some(g) => g,
            None => panic!("malformed GUID literal"),
        }
    }

    /// A GUID literal in EFI mixed-endian byte order, for `const` items (see
    /// [`Guid::literal_rfc4122`]).
    pub const fn literal_efi(s: &str) -> Guid {
        match Self::from_str_efi(s) {
            Some(g) => g,
            None => panic!("malformed GUID literal"),
        }
    }

    /// Converts between the RFC 4122 and the EFI mixed-endian encodings (an involution).
    pub const fn swap_mixed_endian(self) -> Guid {
        let b = self.0;
        Guid([
            b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15],
        ])
    }

    /// Whether all bytes are zero.
    pub fn is_nil(&self) -> bool {
        self.0 == [0; 16]
    }

    /// A displayable form that reads the bytes in EFI mixed-endian order.
    pub fn display_efi(&self) -> impl fmt::Display + '_ {
        EfiDisplay(*self)
    }
}

/// Formats as the RFC 4122 text of the raw bytes (lowercase).
impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guid({self})")
    }
}

struct EfiDisplay(Guid);

impl fmt::Display for EfiDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.swap_mixed_endian(), f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Guid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Guid;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a GUID string xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Guid, E> {
                Guid::from_str_rfc4122(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn rfc4122_round_trips_and_efi_swaps_first_three_groups() {
        let g = Guid::from_str_rfc4122("c0b406a4-a803-4952-9743-3fb6014cd0ae").unwrap();
        assert_eq!(g.0[..4], [0xc0, 0xb4, 0x06, 0xa4]);
        assert_eq!(format!("{g}"), "c0b406a4-a803-4952-9743-3fb6014cd0ae");
        let e = Guid::from_str_efi("96b582de-1fb2-45f7-baea-a366c55a082d").unwrap();
        assert_eq!(e.0[..8], [0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45]);
        assert_eq!(format!("{}", e.display_efi()), "96b582de-1fb2-45f7-baea-a366c55a082d");
    }

    #[test]
    fn malformed_guids_are_rejected() {
        assert!(Guid::from_str_rfc4122("c0b406a4a803-4952-9743-3fb6014cd0ae0").is_none());
        assert!(Guid::from_str_rfc4122("g0b406a4-a803-4952-9743-3fb6014cd0ae").is_none());
        assert!(Guid::from_str_rfc4122("").is_none());
        assert!(Guid::from_str_rfc4122("c0b406a4-a803-4952-9743--3fb6014cd0a").is_none());
        assert!(Guid::from_str_rfc4122("c0b406a4-a803-4952-9743-3fb6014cd0a-").is_none());
        assert!(Guid::from_str_rfc4122("c0b406a4-a803-4952-97433-fb6014cd0ae").is_none());
    }
}
