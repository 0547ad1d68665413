//! The secrets page (SNP_LAUNCH_UPDATE page type SECRETS) as the guest sees it.
//!
//! The view borrows the page; it never copies the VMPCKs, and neither `Debug` nor `Serialize`
//! print them.
//!
//! ```
//! use sev_types::guest::SecretsPage;
//! let mut page = vec![0u8; 4096];
//! page[0] = 3;
//! page[0x40..0x60].fill(0x11);
//! let s = SecretsPage::from_bytes(&page)?;
//! assert_eq!(s.version(), 3);
//! assert_eq!(s.vmpck(1), Some(&[0x11; 32]));
//! assert_eq!(s.vmpck(4), None);
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, view_exact};
use crate::fmt::Hex;
use crate::{ParseError, U32, U64};

/// Size of the secrets page.
pub const SECRETS_PAGE_LEN: usize = 0x1000;

/// The secrets page layout (versions 2 and 3; fields from 0x100 on come from newer firmware and
/// SVSM definitions).
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SecretsPage {
    /// 0x000: layout version.
    pub version: U32,
    /// 0x004: bit 0 IMI_EN (launched as an incoming migration image).
    pub imi_en: U32,
    /// 0x008: CPUID family/model/stepping.
    pub fms: U32,
    /// 0x00C: reserved.
    pub reserved_00c: U32,
    /// 0x010: guest-OS-visible workarounds.
    pub gosvw: [u8; 16],
    /// 0x020: VMPCK0..VMPCK3 (zero for keys below the guest's VMPL).
    pub vmpck: [[u8; 32]; 4],
    /// 0x0A0: area reserved for the guest OS.
    pub guest_os_area: [u8; 96],
    /// 0x100: VMSA tweak bitmap.
    pub vmsa_tweak_bitmap: [u8; 64],
    /// 0x140: SVSM base GPA.
    pub svsm_base: U64,
    /// 0x148: SVSM size.
    pub svsm_size: U64,
    /// 0x150: SVSM calling-area GPA.
    pub svsm_caa: U64,
    /// 0x158: highest SVSM protocol version.
    pub svsm_max_version: U32,
    /// 0x15C: VMPL at which the guest OS runs.
    pub svsm_guest_vmpl: u8,
    /// 0x15D: reserved.
    pub reserved_15d: [u8; 3],
    /// 0x160: Secure TSC factor.
    pub tsc_factor: U32,
    /// 0x164: reserved to the end of the page.
    pub reserved_164: [u8; 3740],
}

assert_offsets!(SecretsPage {
    version: 0x000,
    imi_en: 0x004,
    fms: 0x008,
    reserved_00c: 0x00C,
    gosvw: 0x010,
    vmpck: 0x020,
    guest_os_area: 0x0A0,
    vmsa_tweak_bitmap: 0x100,
    svsm_base: 0x140,
    svsm_size: 0x148,
    svsm_caa: 0x150,
    svsm_max_version: 0x158,
    svsm_guest_vmpl: 0x15C,
    reserved_15d: 0x15D,
    tsc_factor: 0x160,
    reserved_164: 0x164,
});
const _: () = assert!(size_of::<SecretsPage>() == SECRETS_PAGE_LEN);

impl SecretsPage {
    /// Views exactly 4096 bytes as a secrets page.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("secrets page", bytes)
    }

    /// The layout version.
    pub fn version(&self) -> u32 {
        self.version.get()
    }

    /// Whether the guest was launched as an incoming migration image.
    pub fn imi_en(&self) -> bool {
        self.imi_en.get() & 1 != 0
    }

    /// CPUID family/model/stepping.
    pub fn fms(&self) -> u32 {
        self.fms.get()
    }

    /// VMPCK`n` for `n` in 0..=3 (all zero when withheld from this VMPL).
    pub fn vmpck(&self, n: usize) -> Option<&[u8; 32]> {
        self.vmpck.get(n)
    }

    /// Whether VMPCK`n` is present (not all zero).
    pub fn has_vmpck(&self, n: usize) -> bool {
        self.vmpck(n).is_some_and(|k| k.iter().any(|&b| b != 0))
    }

    /// SVSM base GPA (0 without an SVSM).
    pub fn svsm_base(&self) -> u64 {
        self.svsm_base.get()
    }

    /// SVSM size.
    pub fn svsm_size(&self) -> u64 {
        self.svsm_size.get()
    }

    /// SVSM calling-area GPA.
    pub fn svsm_caa(&self) -> u64 {
        self.svsm_caa.get()
    }

    /// Highest SVSM protocol version.
    pub fn svsm_max_version(&self) -> u32 {
        self.svsm_max_version.get()
    }

    /// VMPL of the guest OS under an SVSM.
    pub fn svsm_guest_vmpl(&self) -> u8 {
        self.svsm_guest_vmpl
    }

    /// Secure TSC factor.
    pub fn tsc_factor(&self) -> u32 {
        self.tsc_factor.get()
    }
}

impl fmt::Debug for SecretsPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretsPage")
            .field("version", &self.version())
            .field("imi_en", &self.imi_en())
            .field("fms", &format_args!("{:#x}", self.fms()))
            .field("gosvw", &Hex(&self.gosvw))
            .field("vmpck_present", &[0, 1, 2, 3].map(|n| self.has_vmpck(n)))
            .field("svsm_base", &format_args!("{:#x}", self.svsm_base()))
            .field("svsm_size", &format_args!("{:#x}", self.svsm_size()))
            .field("svsm_caa", &format_args!("{:#x}", self.svsm_caa()))
            .field("svsm_max_version", &self.svsm_max_version())
            .field("svsm_guest_vmpl", &self.svsm_guest_vmpl)
            .field("tsc_factor", &self.tsc_factor())
            .finish_non_exhaustive()
    }
}

/// Serializes every field except the keys and the guest OS area; `vmpck_present` says which
/// keys are there.
#[cfg(feature = "serde")]
impl serde::Serialize for SecretsPage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::fmt::Hex as HexBytes;
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SecretsPage", 12)?;
        st.serialize_field("version", &self.version())?;
        st.serialize_field("imi_en", &self.imi_en())?;
        st.serialize_field("fms", &self.fms())?;
        st.serialize_field("gosvw", &HexBytes(&self.gosvw))?;
        st.serialize_field("vmpck_present", &[0, 1, 2, 3].map(|n| self.has_vmpck(n)))?;
        st.serialize_field("vmsa_tweak_bitmap", &HexBytes(&self.vmsa_tweak_bitmap))?;
        st.serialize_field("svsm_base", &self.svsm_base())?;
        st.serialize_field("svsm_size", &self.svsm_size())?;
        st.serialize_field("svsm_caa", &self.svsm_caa())?;
        st.serialize_field("svsm_max_version", &self.svsm_max_version())?;
        st.serialize_field("svsm_guest_vmpl", &self.svsm_guest_vmpl)?;
        st.serialize_field("tsc_factor", &self.tsc_factor())?;
        st.end()
    }
}
