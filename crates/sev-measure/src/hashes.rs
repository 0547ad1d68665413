//! The kernel / initrd / command-line hashes table (QEMU's measured direct boot).
//!
//! QEMU writes this 176-byte table into the guest's hash-table area when it boots with
//! `-kernel`; OVMF then checks the files against it. For SNP the table sits in a zero-filled
//! page at `hash_table_gpa & 0xFFF`, measured as NORMAL; for SEV and SEV-ES the padded table is
//! appended to the SHA-256 input.
//!
//! ```
//! use sev_measure::hashes::SevHashes;
//! let h = SevHashes::new(b"", None, Some("console=ttyS0"));
//! let table = h.table();
//! assert_eq!(table.len(), 176);
//! assert_eq!(&table[0x10..0x12], &168u16.to_le_bytes());
//! ```

use sev_types::Guid;
use sha2::{Digest, Sha256};

use crate::{MeasureError, PAGE_SIZE};

/// Header GUID of the table.
pub const TABLE_GUID: Guid = Guid::literal_efi("9438d606-4f22-4cc9-b479-a793d411fd21");
/// Entry GUID of the command-line hash.
pub const CMDLINE_GUID: Guid = Guid::literal_efi("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");
/// Entry GUID of the initrd hash.
pub const INITRD_GUID: Guid = Guid::literal_efi("44baf731-3a2f-4bd7-9af1-41e29169781d");
/// Entry GUID of the kernel hash.
pub const KERNEL_GUID: Guid = Guid::literal_efi("4de79437-abd2-427f-b835-d5b172d2045b");

/// Length of the table without padding (header + three entries), the value of its length field.
pub const TABLE_LEN: usize = 16 + 2 + 3 * ENTRY_LEN;
/// Length of the table padded to a multiple of 16.
pub const PADDED_TABLE_LEN: usize = TABLE_LEN.div_ceil(16) * 16;
const ENTRY_LEN: usize = 16 + 2 + 32;

/// The three SHA-256 digests that make up the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SevHashes {
    /// SHA-256 of the kernel file.
    pub kernel: [u8; 32],
    /// SHA-256 of the initrd file (of the empty string when there is none).
    pub initrd: [u8; 32],
    /// SHA-256 of the command line plus a trailing NUL (of a single NUL when there is none).
    pub cmdline: [u8; 32],
}

impl SevHashes {
    /// Hashes in-memory kernel, initrd and command line.
    pub fn new(kernel: &[u8], initrd: Option<&[u8]>, append: Option<&str>) -> Self {
        Self {
            kernel: Sha256::digest(kernel).into(),
            initrd: Sha256::digest(initrd.unwrap_or_default()).into(),
            cmdline: cmdline_hash(append),
        }
    }

    /// The 176-byte padded table.
    pub fn table(&self) -> [u8; PADDED_TABLE_LEN] {
        let mut t = [0u8; PADDED_TABLE_LEN];
        t[..16].copy_from_slice(&TABLE_GUID.0);
        t[16..18].copy_from_slice(&(TABLE_LEN as u16).to_le_bytes());
        let entries = [
            (CMDLINE_GUID, &self.cmdline),
            (INITRD_GUID, &self.initrd),
            (KERNEL_GUID, &self.kernel),
        ];
        for (i, (guid, hash)) in entries.into_iter().enumerate() {
            let e = &mut t[18 + i * ENTRY_LEN..18 + (i + 1) * ENTRY_LEN];
            e[..16].copy_from_slice(&guid.0);
            e[16..18].copy_from_slice(&(ENTRY_LEN as u16).to_le_bytes());
            e[18..].copy_from_slice(hash);
        }
        t
    }

    /// A zero page with the padded table at `offset`; an error if it does not fit.
    pub fn page(&self, offset: u32) -> Result<[u8; PAGE_SIZE], MeasureError> {
        let start = offset as usize;
        if start + PADDED_TABLE_LEN > PAGE_SIZE {
            return Err(MeasureError::HashTableDoesNotFit { offset });
        }
        let mut page = [0u8; PAGE_SIZE];
        page[start..start + PADDED_TABLE_LEN].copy_from_slice(&self.table());
        Ok(page)
    }
}

/// SHA-256 of the command line followed by a NUL byte; `None` and `""` both hash a single NUL.
pub fn cmdline_hash(append: Option<&str>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(append.unwrap_or_default().as_bytes());
    h.update([0u8]);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_spec_table() {
        let h = SevHashes {
            kernel: [3; 32],
            initrd: [2; 32],
            cmdline: [1; 32],
        };
        let t = h.table();
        assert_eq!(TABLE_LEN, 0xA8);
        assert_eq!(PADDED_TABLE_LEN, 0xB0);
        assert_eq!(&t[..4], &[0x06, 0xd6, 0x38, 0x94]);
        assert_eq!(&t[0x12..0x16], &[0xd8, 0x2d, 0xd0, 0x97]);
        assert_eq!(&t[0x22..0x24], &50u16.to_le_bytes());
        assert_eq!(t[0x24], 1);
        assert_eq!(&t[0x44..0x48], &[0x31, 0xf7, 0xba, 0x44]);
        assert_eq!(t[0x56], 2);
        assert_eq!(&t[0x76..0x7A], &[0x37, 0x94, 0xe7, 0x4d]);
        assert_eq!(t[0x88], 3);
        assert_eq!(&t[0xA8..], &[0; 8]);
    }

    #[test]
    fn missing_and_empty_cmdline_hash_one_nul() {
        let nul: [u8; 32] = Sha256::digest([0u8]).into();
        assert_eq!(cmdline_hash(None), nul);
        assert_eq!(cmdline_hash(Some("")), nul);
        let x: [u8; 32] = Sha256::digest(b"a\0").into();
        assert_eq!(cmdline_hash(Some("a")), x);
    }

    #[test]
    fn page_offset_must_leave_room() {
        let h = SevHashes::new(b"k", None, None);
        assert!(h.page(0xC00).is_ok());
        assert!(h.page(4096 - 176).is_ok());
        assert_eq!(
            h.page(4096 - 175),
            Err(MeasureError::HashTableDoesNotFit { offset: 4096 - 175 })
        );
        assert!(h.page(u32::MAX).is_err());
    }
}
