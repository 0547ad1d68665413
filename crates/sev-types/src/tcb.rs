//! TCB_VERSION: eight bytes of security patch levels whose layout depends on the product.

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::U64;

/// Where each SPL lives inside a TCB_VERSION.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum TcbLayout {
    /// Milan, Genoa, Bergamo, Siena: byte 0 boot loader, 1 TEE, 6 SNP, 7 microcode.
    MilanGenoa,
    /// Turin and later: byte 0 FMC, 1 boot loader, 2 TEE, 3 SNP, 7 microcode.
    Turin,
}

impl TcbLayout {
    /// Byte positions of (fmc, bootloader, tee, snp, microcode).
    const fn positions(self) -> (Option<usize>, usize, usize, usize, usize) {
        match self {
            TcbLayout::MilanGenoa => (None, 0, 1, 6, 7),
            TcbLayout::Turin => (Some(0), 1, 2, 3, 7),
        }
    }

    /// Whether the layout carries an FMC SPL.
    #[inline]
    pub const fn has_fmc(self) -> bool {
        matches!(self, TcbLayout::Turin)
    }
}

/// A raw TCB_VERSION (u64, little-endian on the wire), as stored in reports and platform status.
///
/// ```
/// use sev_types::{TcbVersion, tcb::TcbLayout};
/// let milan = TcbVersion(0x7308_0000_0000_0003).decode(TcbLayout::MilanGenoa);
/// assert_eq!((milan.bootloader, milan.tee, milan.snp, milan.microcode), (3, 0, 8, 0x73));
/// let turin = TcbVersion(0x4700_0000_0200_0100).decode(TcbLayout::Turin);
/// assert_eq!((turin.fmc, turin.bootloader, turin.snp, turin.microcode), (Some(0), 1, 2, 71));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(transparent)]
pub struct TcbVersion(pub u64);

impl TcbVersion {
    /// The eight bytes in wire order.
    #[inline]
    pub const fn to_le_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }

    /// Decodes the SPLs with `layout`.
    #[inline]
    pub const fn decode(self, layout: TcbLayout) -> Tcb {
        let v = self.0;
        let (fmc, bl, tee, snp, ucode) = layout.positions();
        Tcb {
            fmc: match fmc {
                Some(i) => Some(byte(v, i)),
                None => None,
            },
            bootloader: byte(v, bl),
            tee: byte(v, tee),
            snp: byte(v, snp),
            microcode: byte(v, ucode),
        }
    }

    /// The bytes `layout` leaves reserved, in wire order, for strict validation (all zero on real hardware).
    #[inline]
    pub fn reserved_bytes(self, layout: TcbLayout) -> impl Iterator<Item = u8> {
        let b = self.0.to_le_bytes();
        let reserved: &'static [usize] = match layout {
            TcbLayout::MilanGenoa => &[2, 3, 4, 5],
            TcbLayout::Turin => &[4, 5, 6],
        };
        reserved.iter().map(move |&i| b[i])
    }

    /// Pairs the raw value with a layout, for display and serialization.
    #[inline]
    pub const fn with_layout(self, layout: TcbLayout) -> DecodedTcb {
        DecodedTcb { raw: self, layout }
    }
}

const fn byte(v: u64, i: usize) -> u8 {
    (v >> (8 * i)) as u8
}

impl From<u64> for TcbVersion {
    fn from(v: u64) -> Self {
        TcbVersion(v)
    }
}

impl From<U64> for TcbVersion {
    fn from(v: U64) -> Self {
        TcbVersion(v.get())
    }
}

impl fmt::LowerHex for TcbVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

/// The security patch levels of a TCB, by component name.
///
/// Comparison between TCBs is component-wise ([`Tcb::dominates`]); a 64-bit integer compare would
/// be wrong because the components are independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tcb {
    /// FMC SPL (Turin and later only).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub fmc: Option<u8>,
    /// Boot loader SPL.
    pub bootloader: u8,
    /// TEE (PSP OS) SPL.
    pub tee: u8,
    /// SNP firmware SPL.
    pub snp: u8,
    /// Microcode SPL.
    pub microcode: u8,
}

impl Tcb {
    /// Encodes the SPLs with `layout`. A missing FMC encodes as 0; an FMC SPL is dropped by layouts without one.
    #[inline]
    pub const fn encode(&self, layout: TcbLayout) -> TcbVersion {
        let mut b = [0u8; 8];
        let (fmc, bl, tee, snp, ucode) = layout.positions();
        if let (Some(i), Some(v)) = (fmc, self.fmc) {
            b[i] = v;
        }
        b[bl] = self.bootloader;
        b[tee] = self.tee;
        b[snp] = self.snp;
        b[ucode] = self.microcode;
        TcbVersion(u64::from_le_bytes(b))
    }

    /// Whether every component of `self` is at least the same component of `floor`.
    ///
    /// A floor's FMC is only compared when both sides have one.
    #[inline]
    pub fn dominates(&self, floor: &Tcb) -> bool {
        let fmc_ok = match (self.fmc, floor.fmc) {
            (Some(a), Some(b)) => a >= b,
            _ => true,
        };
        fmc_ok
            && self.bootloader >= floor.bootloader
            && self.tee >= floor.tee
            && self.snp >= floor.snp
            && self.microcode >= floor.microcode
    }
}

impl fmt::Display for Tcb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(fmc) = self.fmc {
            write!(f, "fmc={fmc} ")?;
        }
        write!(
            f,
            "bootloader={} tee={} snp={} microcode={}",
            self.bootloader, self.tee, self.snp, self.microcode
        )
    }
}

/// A raw TCB_VERSION together with the layout used to read it.
///
/// Serializes as `{fmc?, bootloader, tee, snp, microcode, raw}` with `raw` as a hex string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecodedTcb {
    /// The raw value.
    pub raw: TcbVersion,
    /// The layout used to decode it.
    pub layout: TcbLayout,
}

impl DecodedTcb {
    /// The decoded components.
    #[inline]
    pub const fn tcb(&self) -> Tcb {
        self.raw.decode(self.layout)
    }
}

impl fmt::Display for DecodedTcb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (raw {:#018x})", self.tcb(), self.raw.0)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for DecodedTcb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let t = self.tcb();
        let mut m = s.serialize_map(None)?;
        if let Some(fmc) = t.fmc {
            m.serialize_entry("fmc", &fmc)?;
        }
        m.serialize_entry("bootloader", &t.bootloader)?;
        m.serialize_entry("tee", &t.tee)?;
        m.serialize_entry("snp", &t.snp)?;
        m.serialize_entry("microcode", &t.microcode)?;
        m.serialize_entry("raw", &crate::fmt::HexU64(self.raw.0))?;
        m.end()
    }
}

/// Serializes as the raw value in hex (`"0x…"`, 16 digits); deserializes from that, a decimal
/// string, or a number.
#[cfg(feature = "serde")]
impl serde::Serialize for TcbVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::fmt::HexU64(self.0).serialize(s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for TcbVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::flags_serde::deserialize_raw(d).map(TcbVersion)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for RawTcb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

/// TCB_VERSION as it appears inside wire structures (unaligned little-endian u64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(transparent)]
pub struct RawTcb(pub U64);

impl RawTcb {
    /// The value.
    #[inline]
    pub fn get(self) -> TcbVersion {
        TcbVersion(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_inverts_decode_for_both_layouts() {
        for raw in [0x7308_0000_0000_0003u64, 0xdb18_0000_0000_0004, 0x4700_0000_0200_0100] {
            for layout in [TcbLayout::MilanGenoa, TcbLayout::Turin] {
                let t = TcbVersion(raw).decode(layout);
                let back = t.encode(layout);
                let reserved_zero = TcbVersion(raw).reserved_bytes(layout).all(|b| b == 0);
                assert_eq!(back == TcbVersion(raw), reserved_zero, "{raw:#x} {layout:?}");
            }
        }
    }

    #[test]
    fn dominance_is_component_wise() {
        let a = Tcb {
            fmc: None,
            bootloader: 4,
            tee: 0,
            snp: 24,
            microcode: 219,
        };
        let b = Tcb {
            fmc: None,
            bootloader: 3,
            tee: 0,
            snp: 25,
            microcode: 1,
        };
        assert!(!a.dominates(&b));
        assert!(!b.dominates(&a));
        assert!(a.dominates(&a));
        let turin = Tcb { fmc: Some(1), ..a };
        assert!(!turin.dominates(&Tcb { fmc: Some(2), ..a }));
    }
}
