//! The GUIDed secret table that OVMF and Linux' `efi_secret` read from the launch secret area.

use alloc::vec::Vec;

use sev_types::Guid;

use crate::crypto::Zeroizing;

/// GUID of the table header (`1e74f542-71dd-4d66-963e-ef4287ff173b`, EFI encoding).
pub const SECRET_TABLE_GUID: Guid = Guid::literal_efi("1e74f542-71dd-4d66-963e-ef4287ff173b");

/// GUID that confidential-containers tooling uses for a disk passphrase
/// (`736869e5-84f0-4973-92ec-06879ce3da0b`, EFI encoding).
pub const DISK_PASSPHRASE_GUID: Guid = Guid::literal_efi("736869e5-84f0-4973-92ec-06879ce3da0b");

/// Builds the EFI secret table: header GUID ‖ LE32 total length, then per entry GUID ‖ LE32
/// (20 + data length) ‖ data, zero-padded to a multiple of 16 bytes (as SEV-ES requires).
///
/// ```
/// use sev_verify::legacy::{DISK_PASSPHRASE_GUID, EfiSecretTable, SECRET_TABLE_GUID};
/// let mut table = EfiSecretTable::new();
/// table.add(DISK_PASSPHRASE_GUID, b"pw");
/// let bytes = table.to_bytes();
/// assert_eq!(&bytes[..16], &SECRET_TABLE_GUID.0);
/// assert_eq!(&bytes[16..20], &(20u32 + 22).to_le_bytes());
/// assert_eq!(bytes.len(), 48);
/// ```
#[derive(Default)]
pub struct EfiSecretTable {
    entries: Vec<(Guid, Zeroizing<Vec<u8>>)>,
}

impl EfiSecretTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a secret (copied; the copy is zeroized on drop).
    pub fn add(&mut self, guid: Guid, data: &[u8]) -> &mut Self {
        self.entries.push((guid, Zeroizing::new(data.to_vec())));
        self
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The encoded table, zeroized on drop. Lengths beyond `u32` saturate (such a table cannot be
    /// injected anyway: LAUNCH_SECRET lengths are 32-bit).
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
        let total = 20 + self.entries.iter().map(|(_, d)| 20 + d.len()).sum::<usize>();
        let mut out = Zeroizing::new(Vec::with_capacity(total.next_multiple_of(16)));
        out.extend_from_slice(&SECRET_TABLE_GUID.0);
        out.extend_from_slice(&len32(total));
        for (guid, data) in &self.entries {
            out.extend_from_slice(&guid.0);
            out.extend_from_slice(&len32(20 + data.len()));
            out.extend_from_slice(data);
        }
        out.resize(total.next_multiple_of(16), 0);
        out
    }
}

impl core::fmt::Debug for EfiSecretTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|(g, d)| (g, d.len())))
            .finish()
    }
}
