//! The SNP PAGE_INFO record (0x70 bytes) hashed into the launch digest.
//!
//! At every SNP_LAUNCH_UPDATE the firmware builds one PAGE_INFO from the current launch digest,
//! the page's contents hash and its metadata, and replaces the digest with SHA-384 of it:
//! `LD' = SHA-384(PAGE_INFO { DIGEST_CUR = LD, CONTENTS, LENGTH = 0x70, PAGE_TYPE, IMI, perms, GPA })`.
//!
//! **Byte order of 0x64..0x67 \[DISAGREE\].** AMD's sev-tool header, coconut-svsm `igvmmeasure`
//! and the mushroom project (which launches with non-zero VMPL1 permissions and checks against
//! hardware) use `0x64 reserved, 0x65 VMPL1_PERMS, 0x66 VMPL2_PERMS, 0x67 VMPL3_PERMS`, the same
//! order as the SNP_LAUNCH_UPDATE command buffer. sev-snp-measure and virtee/sev write
//! `VMPL3, VMPL2, VMPL1, reserved` instead. With all permissions zero (every OVMF/QEMU launch)
//! both give the same bytes. This type follows the sev-tool order.
//!
//! ```
//! use sev_types::launch::page_info::PageInfo;
//! use zerocopy::IntoBytes;
//!
//! let info = PageInfo::new(&[0; 48], &[0; 48], 3, 0x80_0000);
//! let bytes = info.as_bytes();
//! assert_eq!(bytes.len(), 0x70);
//! assert_eq!(&bytes[0x60..0x63], &[0x70, 0x00, 3]);
//! assert_eq!(&bytes[0x68..0x70], &0x80_0000u64.to_le_bytes());
//! ```

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::{ParseError, U16, U64};

/// Length of a launch digest (SHA-384).
pub const DIGEST_LEN: usize = 48;

/// The GPA recorded for a VMSA page: the RMP stores all-ones, page-aligned with bits above 51
/// cleared.
pub const VMSA_GPA: u64 = 0xFFFF_FFFF_F000;

/// The PAGE_INFO structure (SEV-SNP firmware ABI, "Layout of the PAGE_INFO structure").
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct PageInfo {
    /// The launch digest before this page.
    pub digest_cur: [u8; DIGEST_LEN],
    /// SHA-384 of the page for NORMAL and VMSA pages; zero for the other types.
    pub contents: [u8; DIGEST_LEN],
    /// Length of this structure, 0x70.
    pub length: U16,
    /// Page type (1 NORMAL, 2 VMSA, 3 ZERO, 4 UNMEASURED, 5 SECRETS, 6 CPUID).
    pub page_type: u8,
    /// Bit 0: IMI_PAGE (the page belongs to an incoming migration image); bits 7:1 reserved.
    pub imi_page: u8,
    /// Reserved (sev-tool order; see the module documentation).
    pub reserved_0x64: u8,
    /// VMPL1 permissions.
    pub vmpl1_perms: u8,
    /// VMPL2 permissions.
    pub vmpl2_perms: u8,
    /// VMPL3 permissions.
    pub vmpl3_perms: u8,
    /// Guest physical address of the page.
    pub gpa: U64,
}

super::assert_offsets!(PageInfo {
    digest_cur: 0x00,
    contents: 0x30,
    length: 0x60,
    page_type: 0x62,
    imi_page: 0x63,
    reserved_0x64: 0x64,
    vmpl1_perms: 0x65,
    vmpl2_perms: 0x66,
    vmpl3_perms: 0x67,
    gpa: 0x68,
});
const _: () = assert!(size_of::<PageInfo>() == PageInfo::SIZE);

impl PageInfo {
    /// Size in bytes (also the value of `length`).
    pub const SIZE: usize = 0x70;

    /// A record with zero permissions and IMI clear, as every OVMF launch uses.
    pub const fn new(digest_cur: &[u8; DIGEST_LEN], contents: &[u8; DIGEST_LEN], page_type: u8, gpa: u64) -> Self {
        Self {
            digest_cur: *digest_cur,
            contents: *contents,
            length: U16::new(Self::SIZE as u16),
            page_type,
            imi_page: 0,
            reserved_0x64: 0,
            vmpl1_perms: 0,
            vmpl2_perms: 0,
            vmpl3_perms: 0,
            gpa: U64::new(gpa),
        }
    }

    /// Views exactly 0x70 bytes as a record.
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("PAGE_INFO", bytes)
    }
}

#[cfg(feature = "serde")]
crate::launch::ser::serialize_fields!(PageInfo, "PageInfo", |v| {
    "digest_cur" => crate::fmt::Hex(&v.digest_cur),
    "contents" => crate::fmt::Hex(&v.contents),
    "length" => v.length.get(),
    "page_type" => v.page_type,
    "imi_page" => v.imi_page,
    "reserved_0x64" => v.reserved_0x64,
    "vmpl1_perms" => v.vmpl1_perms,
    "vmpl2_perms" => v.vmpl2_perms,
    "vmpl3_perms" => v.vmpl3_perms,
    "gpa" => v.gpa.get(),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_follow_the_launch_update_order() {
        let mut info = PageInfo::new(&[1; 48], &[2; 48], 1, 0x1000);
        info.vmpl1_perms = 0x0F;
        info.vmpl3_perms = 0x01;
        let b = info.as_bytes();
        assert_eq!(&b[0x64..0x68], &[0x00, 0x0F, 0x00, 0x01]);
        assert_eq!(PageInfo::ref_from_bytes(b).unwrap(), &info);
        assert!(PageInfo::ref_from_bytes(&b[1..]).is_err());
    }
}
