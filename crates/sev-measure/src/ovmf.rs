//! OVMF image parsing: the footer GUID table and the SEV metadata (`ASEV`) sections.
//!
//! The parser is total: any input gives either a view or an [`OvmfError`]; it never panics and
//! never reads outside the image. An image without a footer table, or without the SEV metadata
//! entry, parses successfully: [`Ovmf::has_sev_metadata`] tells the two apart.
//!
//! ```
//! use sev_measure::ovmf::{Ovmf, SectionKind};
//! let image = include_bytes!("../../../fixtures/measurement/ovmf_AmdSev_suffix.bin");
//! let ovmf = Ovmf::parse(image)?;
//! assert_eq!(ovmf.sev_es_reset_eip()?, Some(0x80B004));
//! assert_eq!(ovmf.sev_hash_table()?, Some((0x810C00, 0x400)));
//! assert!(ovmf.has_section(SectionKind::SnpKernelHashes));
//! # Ok::<(), sev_measure::OvmfError>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

use sev_types::Guid;

use crate::OvmfError;

/// Length of one table entry's trailer: `u16 size` + GUID.
const ENTRY_HEADER: usize = 18;
/// The footer entry sits this many bytes before the end of the image (reset-vector code follows).
const FOOTER_FROM_END: usize = 32 + ENTRY_HEADER;

/// GUIDs of the footer table, in EFI mixed-endian byte order.
pub mod guids {
    use sev_types::Guid;

    /// The table footer.
    pub const TABLE_FOOTER: Guid = Guid::literal_efi("96b582de-1fb2-45f7-baea-a366c55a082d");
    /// SEV-ES reset block: first u32 = AP reset EIP.
    pub const SEV_ES_RESET_BLOCK: Guid = Guid::literal_efi("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
    /// OVMF SEV metadata: u32 offset of the `ASEV` header, counted back from the end of the image.
    pub const SEV_METADATA: Guid = Guid::literal_efi("dc886566-984a-4798-a75e-5585a7bf67cc");
    /// SEV hash table: u32 GPA, u32 size of the kernel-hashes area.
    pub const SEV_HASH_TABLE: Guid = Guid::literal_efi("7255371f-3a3b-4b04-927b-1da6efa8d454");
    /// SEV secret area (LAUNCH_SECRET target): u32 GPA, u32 size.
    pub const SEV_SECRET: Guid = Guid::literal_efi("4c2eb361-7d9b-4cc3-8081-127c90d3d294");
    /// TDX metadata offset (ignored for SEV).
    pub const TDX_METADATA: Guid = Guid::literal_efi("e47a6535-984a-4798-865e-4685a7bf8ec2");
    /// Coconut SVSM info: u32 entry offset relative to the image base.
    pub const SVSM_INFO: Guid = Guid::literal_efi("a789a612-0597-4c4b-a49f-cbb1fe9d1ddd");
}

/// Type of an SEV metadata section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SectionKind {
    /// 1: pre-validated memory, measured as ZERO pages (UNMEASURED on GCE).
    SnpSecMem,
    /// 2: the SNP secrets page.
    SnpSecrets,
    /// 3: the CPUID page.
    Cpuid,
    /// 4: the SVSM calling-area page(s), measured as ZERO pages.
    SvsmCaa,
    /// 0x10: the kernel-hashes page.
    SnpKernelHashes,
    /// Any other value, kept verbatim.
    Unknown(u32),
}

impl SectionKind {
    /// Decodes a raw type.
    pub const fn from_raw(v: u32) -> Self {
        match v {
            1 => Self::SnpSecMem,
            2 => Self::SnpSecrets,
            3 => Self::Cpuid,
            4 => Self::SvsmCaa,
            0x10 => Self::SnpKernelHashes,
            v => Self::Unknown(v),
        }
    }

    /// The raw type.
    pub const fn raw(self) -> u32 {
        match self {
            Self::SnpSecMem => 1,
            Self::SnpSecrets => 2,
            Self::Cpuid => 3,
            Self::SvsmCaa => 4,
            Self::SnpKernelHashes => 0x10,
            Self::Unknown(v) => v,
        }
    }

    /// The OVMF name of the section type.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SnpSecMem => "SNP_SEC_MEM",
            Self::SnpSecrets => "SNP_SECRETS",
            Self::Cpuid => "CPUID",
            Self::SvsmCaa => "SVSM_CAA",
            Self::SnpKernelHashes => "SNP_KERNEL_HASHES",
            Self::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for SectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(v) => write!(f, "UNKNOWN({v:#x})"),
            k => f.write_str(k.name()),
        }
    }
}

/// One SEV metadata section descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataSection {
    /// Guest physical address.
    pub gpa: u32,
    /// Size in bytes.
    pub size: u32,
    /// Section type.
    pub kind: SectionKind,
}

/// One entry of the footer GUID table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableEntry<'a> {
    /// The entry GUID (EFI byte order).
    pub guid: Guid,
    /// The entry data (without the size and GUID trailer).
    pub data: &'a [u8],
}

/// A parsed firmware image: the bytes, the footer table and the SEV metadata.
#[derive(Debug, Clone)]
pub struct Ovmf<'a> {
    data: &'a [u8],
    table: Vec<TableEntry<'a>>,
    metadata: Option<Vec<MetadataSection>>,
}

impl<'a> Ovmf<'a> {
    /// Parses the footer table and SEV metadata of an image.
    ///
    /// An image of 50 bytes or more without a footer GUID parses to an empty table.
    pub fn parse(data: &'a [u8]) -> Result<Self, OvmfError> {
        let table = parse_table(data)?;
        let mut ovmf = Ovmf {
            data,
            table,
            metadata: None,
        };
        ovmf.metadata = ovmf.parse_metadata()?;
        Ok(ovmf)
    }

    /// The image bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The image length.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the image is empty (never true for a parsed image).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The footer table entries, in the order they were walked (from the footer backwards).
    pub fn table(&self) -> &[TableEntry<'a>] {
        &self.table
    }

    /// The data of the table entry with `guid`. If the GUID occurs more than once, the entry
    /// nearest the start of the table wins (as in sev-snp-measure).
    pub fn entry(&self, guid: &Guid) -> Option<&'a [u8]> {
        self.table.iter().rev().find(|e| e.guid == *guid).map(|e| e.data)
    }

    fn entry_u32(&self, guid: &Guid, index: usize) -> Result<Option<u32>, OvmfError> {
        let Some(data) = self.entry(guid) else { return Ok(None) };
        let need = 4 * (index + 1);
        match data.get(4 * index..need) {
            Some(b) => Ok(Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
            None => Err(OvmfError::EntryTooShort {
                guid: *guid,
                need,
                got: data.len(),
            }),
        }
    }

    /// The AP reset address from the SEV-ES reset block, if the entry exists.
    pub fn sev_es_reset_eip(&self) -> Result<Option<u32>, OvmfError> {
        self.entry_u32(&guids::SEV_ES_RESET_BLOCK, 0)
    }

    /// `(gpa, size)` of the SEV kernel-hashes table, if the entry exists.
    pub fn sev_hash_table(&self) -> Result<Option<(u32, u32)>, OvmfError> {
        Ok(match self.entry_u32(&guids::SEV_HASH_TABLE, 0)? {
            Some(gpa) => Some((gpa, self.entry_u32(&guids::SEV_HASH_TABLE, 1)?.unwrap_or(0))),
            None => None,
        })
    }

    /// `(gpa, size)` of the SEV secret area, if the entry exists.
    pub fn sev_secret_area(&self) -> Result<Option<(u32, u32)>, OvmfError> {
        Ok(match self.entry_u32(&guids::SEV_SECRET, 0)? {
            Some(gpa) => Some((gpa, self.entry_u32(&guids::SEV_SECRET, 1)?.unwrap_or(0))),
            None => None,
        })
    }

    /// The Coconut-SVSM entry offset (relative to the image base), if the entry exists.
    pub fn svsm_entry_offset(&self) -> Result<Option<u32>, OvmfError> {
        self.entry_u32(&guids::SVSM_INFO, 0)
    }

    /// Whether kernel/initrd/cmdline hashing is supported: the hash-table entry exists and its
    /// GPA is non-zero.
    pub fn supports_kernel_hashes(&self) -> bool {
        matches!(self.sev_hash_table(), Ok(Some((gpa, _))) if gpa != 0)
    }

    /// Whether the image has an SEV metadata (`ASEV`) table.
    pub fn has_sev_metadata(&self) -> bool {
        self.metadata.is_some()
    }

    /// The SEV metadata sections in descriptor order (empty without metadata).
    pub fn sections(&self) -> &[MetadataSection] {
        self.metadata.as_deref().unwrap_or(&[])
    }

    /// Whether a section of this kind exists.
    pub fn has_section(&self, kind: SectionKind) -> bool {
        self.sections().iter().any(|s| s.kind == kind)
    }

    /// The GPA of the first byte when the image ends at `end` (4 GiB for OVMF).
    pub fn gpa_ending_at(&self, end: u64) -> Option<u64> {
        end.checked_sub(self.data.len() as u64)
    }

    fn parse_metadata(&self) -> Result<Option<Vec<MetadataSection>>, OvmfError> {
        let Some(offset) = self.entry_u32(&guids::SEV_METADATA, 0)? else {
            return Ok(None);
        };
        let len = self.data.len();
        let start = len
            .checked_sub(offset as usize)
            .ok_or(OvmfError::MetadataOutOfBounds { offset, len })?;
        let header = self
            .data
            .get(start..start + 16)
            .ok_or(OvmfError::MetadataOutOfBounds { offset, len })?;
        let word = |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
        let signature = [header[0], header[1], header[2], header[3]];
        if &signature != b"ASEV" {
            return Err(OvmfError::BadMetadataSignature { found: signature });
        }
        let (size, version, count) = (word(4), word(8), word(12));
        if version != 1 {
            return Err(OvmfError::BadMetadataVersion { found: version });
        }
        let need = 16 + 12 * u64::from(count);
        let available = u64::from(size).min((len - start) as u64);
        if need > available {
            return Err(OvmfError::MetadataTruncated { count, need, available });
        }
        let descriptors = &self.data[start + 16..start + need as usize];
        let sections = descriptors
            .chunks_exact(12)
            .map(|d| {
                let w = |i: usize| u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
                MetadataSection {
                    gpa: w(0),
                    size: w(4),
                    kind: SectionKind::from_raw(w(8)),
                }
            })
            .collect();
        Ok(Some(sections))
    }
}

fn parse_table(data: &[u8]) -> Result<Vec<TableEntry<'_>>, OvmfError> {
    let footer_start = data.len().checked_sub(FOOTER_FROM_END).ok_or(OvmfError::TooShort {
        need: FOOTER_FROM_END,
        got: data.len(),
    })?;
    let footer = &data[footer_start..footer_start + ENTRY_HEADER];
    let mut table = Vec::new();
    if footer[2..] != guids::TABLE_FOOTER.0 {
        return Ok(table);
    }
    let total = usize::from(u16::from_le_bytes([footer[0], footer[1]]));
    let Some(size) = total.checked_sub(ENTRY_HEADER) else {
        return Ok(table);
    };
    let table_start = footer_start.checked_sub(size).ok_or(OvmfError::TableTooLarge {
        size,
        available: footer_start,
    })?;
    let mut end = footer_start;
    while end - table_start >= ENTRY_HEADER {
        let trailer = &data[end - ENTRY_HEADER..end];
        let entry_size = usize::from(u16::from_le_bytes([trailer[0], trailer[1]]));
        let max = end - table_start;
        if entry_size < ENTRY_HEADER || entry_size > max {
            return Err(OvmfError::BadEntrySize {
                end,
                size: entry_size,
                max,
            });
        }
        let mut guid = [0u8; 16];
        guid.copy_from_slice(&trailer[2..]);
        table.push(TableEntry {
            guid: Guid(guid),
            data: &data[end - entry_size..end - ENTRY_HEADER],
        });
        end -= entry_size;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Copies of fixtures/measurement/, inside the package (checked by tests/builtin_data.rs).
    const AMDSEV: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/measurement/ovmf_AmdSev_suffix.bin"
    ));
    const OVMFX64: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/measurement/ovmf_OvmfX64_suffix.bin"
    ));

    #[test]
    fn amdsev_build_matches_the_spec_table() {
        let o = Ovmf::parse(AMDSEV).unwrap();
        assert_eq!(o.sev_es_reset_eip().unwrap(), Some(0x0080_B004));
        assert_eq!(o.sev_secret_area().unwrap(), Some((0x81_0000, 0xC00)));
        assert_eq!(o.sev_hash_table().unwrap(), Some((0x81_0C00, 0x400)));
        assert_eq!(
            o.entry(&guids::SEV_METADATA).map(|d| &d[..4]),
            Some(&0x554u32.to_le_bytes()[..])
        );
        let s: Vec<_> = o.sections().iter().map(|s| (s.gpa, s.size, s.kind.raw())).collect();
        assert_eq!(
            s,
            [
                (0x80_0000, 0x9000, 1),
                (0x80_A000, 0x3000, 1),
                (0x80_D000, 0x1000, 2),
                (0x80_E000, 0x1000, 3),
                (0x80_F000, 0x1000, 4),
                (0x81_0000, 0x1000, 0x10),
                (0x81_1000, 0xF000, 1),
            ]
        );
        assert!(o.supports_kernel_hashes());
    }

    #[test]
    fn ovmfx64_build_has_no_kernel_hashes() {
        let o = Ovmf::parse(OVMFX64).unwrap();
        assert_eq!(o.sev_es_reset_eip().unwrap(), Some(0x0080_B004));
        assert_eq!(o.sev_hash_table().unwrap(), Some((0, 0)));
        assert_eq!(o.sev_secret_area().unwrap(), Some((0, 0)));
        assert!(!o.supports_kernel_hashes());
        assert!(!o.has_section(SectionKind::SnpKernelHashes));
        assert_eq!(
            o.sections().last().map(|s| (s.gpa, s.size, s.kind)),
            Some((0x81_0000, 0x1_0000, SectionKind::SnpSecMem))
        );
    }

    #[test]
    fn image_without_footer_guid_has_no_table_and_no_metadata() {
        let o = Ovmf::parse(&[0u8; 4096]).unwrap();
        assert!(o.table().is_empty());
        assert!(!o.has_sev_metadata());
        assert_eq!(o.sev_es_reset_eip().unwrap(), None);
    }

    #[test]
    fn every_short_image_is_an_error_and_never_panics() {
        for len in 0..FOOTER_FROM_END {
            assert_eq!(
                Ovmf::parse(&AMDSEV[..len]).unwrap_err(),
                OvmfError::TooShort { need: 50, got: len }
            );
        }
        for cut in 1..AMDSEV.len() {
            let _ = Ovmf::parse(&AMDSEV[cut..]);
        }
    }

    #[test]
    fn bad_metadata_signature_and_version_are_named() {
        let mut img = AMDSEV.to_vec();
        let start = img.len() - 0x554;
        img[start] = b'B';
        assert!(matches!(Ovmf::parse(&img), Err(OvmfError::BadMetadataSignature { found }) if &found == b"BSEV"));
        img[start] = b'A';
        img[start + 8] = 2;
        assert_eq!(
            Ovmf::parse(&img).unwrap_err(),
            OvmfError::BadMetadataVersion { found: 2 }
        );
    }

    #[test]
    fn oversized_entry_is_rejected() {
        let mut img = AMDSEV.to_vec();
        let footer = img.len() - FOOTER_FROM_END;
        // The first entry's size field sits just before the footer.
        img[footer - ENTRY_HEADER] = 0xFF;
        img[footer - ENTRY_HEADER + 1] = 0x7F;
        assert!(matches!(
            Ovmf::parse(&img),
            Err(OvmfError::BadEntrySize { size: 0x7FFF, .. })
        ));
        img[footer - ENTRY_HEADER] = 3;
        img[footer - ENTRY_HEADER + 1] = 0;
        assert!(matches!(
            Ovmf::parse(&img),
            Err(OvmfError::BadEntrySize { size: 3, .. })
        ));
    }
}
