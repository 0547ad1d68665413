//! Hostile inputs for limit tests.

use sev_types::guest::CertKind;

/// A certificate table with `entries` entries of `kind`, every one pointing at the same
/// `blob_len`-byte blob (which starts like a DER SEQUENCE of 64 KiB), then the terminator: the
/// shape that once made a verifier parse one blob per entry.
pub fn overlapping_cert_table(entries: usize, blob_len: usize, kind: CertKind) -> Vec<u8> {
    let header = (entries + 1) * 24;
    let mut buf = vec![0u8; header + blob_len.max(4)];
    let offset = u32::try_from(header).expect("table header fits in u32");
    let len = u32::try_from(blob_len).expect("blob length fits in u32");
    for entry in buf[..entries * 24].chunks_exact_mut(24) {
        entry[..16].copy_from_slice(&kind.guid().0);
        entry[16..20].copy_from_slice(&offset.to_le_bytes());
        entry[20..24].copy_from_slice(&len.to_le_bytes());
    }
    buf[header..header + 4].copy_from_slice(&[0x30, 0x83, 0xff, 0xff]);
    buf
}
