//! The SNP CPUID page (page type 6): a count and up to 64 CPUID function entries.
//!
//! ```
//! use sev_types::launch::cpuid_page::{CpuidEntry, CpuidPage, CpuidTable};
//! use zerocopy::IntoBytes;
//! let mut page = CpuidPage::new();
//! page.push(CpuidEntry::new(0x8000_001f, 0, [0x1, 0x2, 0x3, 0x4]))?;
//! let table = CpuidTable::from_bytes(page.as_bytes())?;
//! assert_eq!(table.entries().len(), 1);
//! assert_eq!(table.entries()[0].eax_in.get(), 0x8000_001f);
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::assert_offsets;
use crate::{ParseError, U32, U64};

/// Most entries a CPUID page holds.
pub const MAX_ENTRIES: usize = 64;
/// Size of the CPUID page.
pub const PAGE_LEN: usize = 0x1000;

/// One CPUID function (48 bytes): the inputs and the four result registers.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CpuidEntry {
    /// 0x00: EAX input (function).
    pub eax_in: U32,
    /// 0x04: ECX input (sub-function).
    pub ecx_in: U32,
    /// 0x08: XCR0 input.
    pub xcr0_in: U64,
    /// 0x10: XSS input.
    pub xss_in: U64,
    /// 0x18: EAX output.
    pub eax: U32,
    /// 0x1C: EBX output.
    pub ebx: U32,
    /// 0x20: ECX output.
    pub ecx: U32,
    /// 0x24: EDX output.
    pub edx: U32,
    /// 0x28: reserved.
    pub reserved: U64,
}
assert_offsets!(CpuidEntry {
    eax_in: 0x00,
    ecx_in: 0x04,
    xcr0_in: 0x08,
    xss_in: 0x10,
    eax: 0x18,
    ebx: 0x1C,
    ecx: 0x20,
    edx: 0x24,
    reserved: 0x28,
});
const _: () = assert!(size_of::<CpuidEntry>() == 48);

impl CpuidEntry {
    /// An entry for function `eax_in`/`ecx_in` with results `[eax, ebx, ecx, edx]` and zero XCR0/XSS.
    pub fn new(eax_in: u32, ecx_in: u32, regs: [u32; 4]) -> Self {
        Self {
            eax_in: U32::new(eax_in),
            ecx_in: U32::new(ecx_in),
            eax: U32::new(regs[0]),
            ebx: U32::new(regs[1]),
            ecx: U32::new(regs[2]),
            edx: U32::new(regs[3]),
            ..Self::default()
        }
    }

    /// The result registers `[eax, ebx, ecx, edx]`.
    pub fn regs(&self) -> [u32; 4] {
        [self.eax.get(), self.ebx.get(), self.ecx.get(), self.edx.get()]
    }
}

/// The 16-byte header of the CPUID page.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CpuidPageHeader {
    /// 0x00: number of valid entries (at most 64).
    pub count: U32,
    /// 0x04: reserved.
    pub reserved_04: U32,
    /// 0x08: reserved.
    pub reserved_08: U64,
}
assert_offsets!(CpuidPageHeader {
    count: 0x00,
    reserved_04: 0x04,
    reserved_08: 0x08
});
const _: () = assert!(size_of::<CpuidPageHeader>() == 0x10);

/// A whole CPUID page (4096 bytes), for building one.
#[derive(Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CpuidPage {
    /// 0x000: count and reserved words.
    pub header: CpuidPageHeader,
    /// 0x010: entry slots; the first `count` are valid.
    pub entries: [CpuidEntry; MAX_ENTRIES],
    /// 0xC10: unused rest of the page.
    pub reserved: [u8; PAGE_LEN - 0x10 - 48 * MAX_ENTRIES],
}
assert_offsets!(CpuidPage {
    header: 0x000,
    entries: 0x010,
    reserved: 0xC10
});
const _: () = assert!(size_of::<CpuidPage>() == PAGE_LEN);

impl CpuidPage {
    /// An empty page.
    pub fn new() -> Self {
        Self::new_zeroed()
    }

    /// Appends an entry; fails when the page already holds 64 (or a corrupt count).
    pub fn push(&mut self, entry: CpuidEntry) -> Result<(), ParseError> {
        let n = self.header.count.get();
        let slot = usize::try_from(n)
            .ok()
            .and_then(|i| self.entries.get_mut(i))
            .ok_or(ParseError::BadValue {
                what: "CPUID page",
                field: "count",
                found: n.into(),
                expected: "fewer than 64 entries before a push",
            })?;
        *slot = entry;
        self.header.count.set(n + 1);
        Ok(())
    }

    /// The valid entries (none if the count is corrupt).
    pub fn entries(&self) -> &[CpuidEntry] {
        let n = usize::try_from(self.header.count.get()).unwrap_or(usize::MAX);
        self.entries.get(..n).unwrap_or(&[])
    }
}

impl Default for CpuidPage {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for CpuidPage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CpuidPage")
            .field("count", &self.header.count.get())
            .field("entries", &self.entries())
            .finish()
    }
}

/// A borrowed view of a CPUID table: the header and its `count` entries.
#[derive(Debug, Clone, Copy)]
pub struct CpuidTable<'a> {
    header: &'a CpuidPageHeader,
    entries: &'a [CpuidEntry],
}

impl<'a> CpuidTable<'a> {
    /// Views a CPUID page (or just its used part). Fails when COUNT exceeds 64 or the buffer is
    /// shorter than the header plus COUNT entries.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (header, rest) = super::prefix::<CpuidPageHeader>("CPUID page", bytes)?;
        let count = header.count.get();
        if count as usize > MAX_ENTRIES {
            return Err(ParseError::BadValue {
                what: "CPUID page",
                field: "count",
                found: count.into(),
                expected: "at most 64",
            });
        }
        let (entries, _) = <[CpuidEntry]>::ref_from_prefix_with_elems(rest, count as usize).map_err(|_| {
            ParseError::truncated(
                "CPUID page",
                size_of::<CpuidPageHeader>() + 48 * count as usize,
                bytes.len(),
            )
        })?;
        Ok(Self { header, entries })
    }

    /// The header.
    pub fn header(&self) -> &'a CpuidPageHeader {
        self.header
    }

    /// The valid entries.
    pub fn entries(&self) -> &'a [CpuidEntry] {
        self.entries
    }

    /// The entry for function `eax_in` / sub-function `ecx_in`, if present.
    pub fn find(&self, eax_in: u32, ecx_in: u32) -> Option<&'a CpuidEntry> {
        self.entries
            .iter()
            .find(|e| e.eax_in.get() == eax_in && e.ecx_in.get() == ecx_in)
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(CpuidEntry, "CpuidEntry", |v| {
        "eax_in" => v.eax_in.get(),
        "ecx_in" => v.ecx_in.get(),
        "xcr0_in" => v.xcr0_in.get(),
        "xss_in" => v.xss_in.get(),
        "eax" => v.eax.get(),
        "ebx" => v.ebx.get(),
        "ecx" => v.ecx.get(),
        "edx" => v.edx.get(),
    });
    serialize_fields!(CpuidPageHeader, "CpuidPageHeader", |v| { "count" => v.count.get() });
    serialize_fields!(CpuidPage, "CpuidPage", |v| { "entries" => v.entries() });
    serialize_fields!(CpuidTable<'_>, "CpuidTable", |v| { "entries" => v.entries() });
}
