//! The SNP launch digest, page by page.
//!
//! [`Gctx`] models the firmware's guest context: a 48-byte launch digest (LD) that every
//! SNP_LAUNCH_UPDATE replaces with `SHA-384(PAGE_INFO)` (see
//! [`sev_types::launch::page_info::PageInfo`]). The digest is readable after every page, so a
//! hypervisor (or a simulator) that issues the real commands can keep a prediction in lockstep.
//! With [`Gctx::recording`] it also keeps an explain log ([`PageRecord`]s).
//!
//! ```
//! use sev_measure::{Gctx, PageType};
//! let mut gctx = Gctx::new();
//! gctx.update(PageType::Zero, 0x80_0000, &[0; 48]);
//! let after_one = *gctx.digest();
//! gctx.measure_zero_pages(0x80_1000, 0x1000)?;
//! assert_ne!(after_one, *gctx.digest());
//! # Ok::<(), sev_measure::MeasureError>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

use sev_types::launch::page_info::{PageInfo, VMSA_GPA};
use sev_types::launch::vmsa::SaveArea;
use zerocopy::IntoBytes;

use crate::ovmf::SectionKind;
use crate::par::{sha384, sha384_pages};
use crate::{MeasureError, PAGE_SIZE, SnpDigest};

pub use sev_types::launch::snp::PageType;

/// Where a measured page came from (for explain logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Origin {
    /// Not labelled by the caller.
    Unlabelled,
    /// The firmware (OVMF) image.
    Firmware,
    /// The SVSM image.
    Svsm,
    /// An SEV metadata section, by descriptor index.
    Section {
        /// Descriptor index.
        index: u32,
        /// Section type.
        kind: SectionKind,
    },
    /// The kernel-hashes page.
    KernelHashes,
    /// The VMSA of a vCPU.
    Vmsa {
        /// vCPU index (0 = BSP).
        vcpu: u32,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unlabelled => f.write_str("-"),
            Self::Firmware => f.write_str("firmware"),
            Self::Svsm => f.write_str("svsm"),
            Self::Section { index, kind } => write!(f, "section {index} {kind}"),
            Self::KernelHashes => f.write_str("kernel-hashes"),
            Self::Vmsa { vcpu } => write!(f, "vmsa vcpu {vcpu}"),
        }
    }
}

/// Page metadata other than type and GPA: VMPL permissions and the IMI flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageMeta {
    /// VMPL1 permission mask.
    pub vmpl1_perms: u8,
    /// VMPL2 permission mask.
    pub vmpl2_perms: u8,
    /// VMPL3 permission mask.
    pub vmpl3_perms: u8,
    /// The page belongs to an incoming migration image.
    pub imi: bool,
}

/// One SNP_LAUNCH_UPDATE as measured: the explain-log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PageRecord {
    /// Position in the sequence (0-based).
    pub index: u64,
    /// Where the page came from.
    pub origin: Origin,
    /// Page type.
    pub page_type: PageType,
    /// GPA written into PAGE_INFO.
    pub gpa: u64,
    /// CONTENTS field.
    #[cfg_attr(feature = "serde", serde(with = "sev_types::fmt::serde_hex"))]
    pub contents: [u8; 48],
    /// Launch digest after this page.
    #[cfg_attr(feature = "serde", serde(with = "sev_types::fmt::serde_hex"))]
    pub digest: [u8; 48],
}

impl fmt::Display for PageRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use sev_types::fmt::Hex;
        write!(
            f,
            "{:6} {:#014x} {:<10} {:<28} contents={} ld={}",
            self.index,
            self.gpa,
            self.page_type.name(),
            alloc::format!("{}", self.origin),
            Hex(&self.contents),
            Hex(&self.digest)
        )
    }
}

/// The SNP guest context's launch digest, updated one page at a time.
#[derive(Debug, Clone)]
pub struct Gctx {
    ld: SnpDigest,
    pages: u64,
    origin: Origin,
    log: Option<Vec<PageRecord>>,
}

impl Default for Gctx {
    fn default() -> Self {
        Self::new()
    }
}

const ZEROS: [u8; 48] = [0; 48];

impl Gctx {
    /// A context whose digest is 48 zero bytes (SNP_LAUNCH_START).
    pub const fn new() -> Self {
        Self::with_seed(ZEROS)
    }

    /// A context that continues from an earlier digest (for example a precomputed OVMF hash).
    pub const fn with_seed(seed: SnpDigest) -> Self {
        Self {
            ld: seed,
            pages: 0,
            origin: Origin::Unlabelled,
            log: None,
        }
    }

    /// The same context, also keeping an explain log of every update.
    pub fn recording(mut self) -> Self {
        self.log = Some(Vec::new());
        self
    }

    /// The current launch digest.
    pub fn digest(&self) -> &SnpDigest {
        &self.ld
    }

    /// Number of updates applied so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// The explain log, if recording.
    pub fn log(&self) -> Option<&[PageRecord]> {
        self.log.as_deref()
    }

    /// Takes the explain log out (recording stops).
    pub fn take_log(&mut self) -> Option<Vec<PageRecord>> {
        self.log.take()
    }

    /// Labels the following updates (explain logs only).
    pub fn set_origin(&mut self, origin: Origin) {
        self.origin = origin;
    }

    /// Applies one PAGE_INFO update with zero permissions and IMI clear; returns the new digest.
    pub fn update(&mut self, page_type: PageType, gpa: u64, contents: &[u8; 48]) -> SnpDigest {
        self.update_with(page_type, gpa, contents, PageMeta::default())
    }

    /// Applies one PAGE_INFO update with explicit VMPL permissions and IMI flag.
    pub fn update_with(&mut self, page_type: PageType, gpa: u64, contents: &[u8; 48], meta: PageMeta) -> SnpDigest {
        let mut info = PageInfo::new(&self.ld, contents, page_type.raw(), gpa);
        info.imi_page = u8::from(meta.imi);
        info.vmpl1_perms = meta.vmpl1_perms;
        info.vmpl2_perms = meta.vmpl2_perms;
        info.vmpl3_perms = meta.vmpl3_perms;
        self.ld = sha384(info.as_bytes());
        if let Some(log) = &mut self.log {
            log.push(PageRecord {
                index: self.pages,
                origin: self.origin,
                page_type,
                gpa,
                contents: *contents,
                digest: self.ld,
            });
        }
        self.pages += 1;
        self.ld
    }

    /// Measures one 4 KiB NORMAL page.
    pub fn measure_normal_page(&mut self, gpa: u64, page: &[u8; PAGE_SIZE]) -> SnpDigest {
        self.update(PageType::Normal, gpa, &sha384(page))
    }

    /// Measures `data` as consecutive NORMAL pages from `gpa`. Page contents are hashed in
    /// parallel (feature `std`); the PAGE_INFO chain stays sequential.
    pub fn measure_normal_pages(&mut self, gpa: u64, data: &[u8]) -> Result<SnpDigest, MeasureError> {
        if !data.len().is_multiple_of(PAGE_SIZE) {
            return Err(MeasureError::NotPageMultiple {
                what: "NORMAL region",
                len: data.len() as u64,
            });
        }
        for (i, h) in sha384_pages(data).iter().enumerate() {
            self.update(PageType::Normal, gpa + (i * PAGE_SIZE) as u64, h);
        }
        Ok(self.ld)
    }

    /// Measures one VMSA page.
    pub fn measure_vmsa(&mut self, vmsa: &SaveArea) -> SnpDigest {
        self.update(PageType::Vmsa, VMSA_GPA, &sha384(vmsa.as_bytes()))
    }

    fn measure_empty_pages(&mut self, page_type: PageType, gpa: u64, len: u64) -> Result<SnpDigest, MeasureError> {
        if !len.is_multiple_of(PAGE_SIZE as u64) {
            return Err(MeasureError::NotPageMultiple {
                what: "ZERO/UNMEASURED region",
                len,
            });
        }
        for i in 0..len / PAGE_SIZE as u64 {
            self.update(page_type, gpa + i * PAGE_SIZE as u64, &ZEROS);
        }
        Ok(self.ld)
    }

    /// Measures `len` bytes (a multiple of 4096) of ZERO pages from `gpa`.
    pub fn measure_zero_pages(&mut self, gpa: u64, len: u64) -> Result<SnpDigest, MeasureError> {
        self.measure_empty_pages(PageType::Zero, gpa, len)
    }

    /// Measures `len` bytes (a multiple of 4096) of UNMEASURED pages from `gpa`.
    pub fn measure_unmeasured_pages(&mut self, gpa: u64, len: u64) -> Result<SnpDigest, MeasureError> {
        self.measure_empty_pages(PageType::Unmeasured, gpa, len)
    }

    /// Measures the SECRETS page.
    pub fn measure_secrets_page(&mut self, gpa: u64) -> SnpDigest {
        self.update(PageType::Secrets, gpa, &ZEROS)
    }

    /// Measures the CPUID page.
    pub fn measure_cpuid_page(&mut self, gpa: u64) -> SnpDigest {
        self.update(PageType::Cpuid, gpa, &ZEROS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_update_hashes_the_112_byte_page_info() {
        // Independent construction of the PAGE_INFO bytes from the spec table (snp-launch.md §4).
        let mut raw = [0u8; 0x70];
        raw[0x30..0x60].copy_from_slice(&[0xAB; 48]);
        raw[0x60] = 0x70;
        raw[0x62] = 1;
        raw[0x68..0x70].copy_from_slice(&0xFFFF_F000u64.to_le_bytes());
        let expected: [u8; 48] = sha2::Sha384::digest(raw).into();
        use sha2::Digest;
        let mut g = Gctx::new();
        assert_eq!(g.update(PageType::Normal, 0xFFFF_F000, &[0xAB; 48]), expected);
    }

    #[test]
    fn parallel_page_hashing_equals_page_by_page() {
        let data: Vec<u8> = (0..300 * PAGE_SIZE).map(|i| (i * 7 % 251) as u8).collect();
        let mut a = Gctx::new();
        a.measure_normal_pages(0x1000, &data).unwrap();
        let mut b = Gctx::new();
        for (i, p) in data.chunks_exact(PAGE_SIZE).enumerate() {
            b.measure_normal_page(0x1000 + (i * PAGE_SIZE) as u64, p.try_into().unwrap());
        }
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.pages(), 300);
    }

    #[test]
    fn unaligned_regions_are_errors() {
        let mut g = Gctx::new();
        assert!(g.measure_normal_pages(0, &[0; 100]).is_err());
        assert!(g.measure_zero_pages(0, 0x800).is_err());
        assert_eq!(g.pages(), 0);
    }

    #[test]
    fn recording_logs_every_update_with_running_digest() {
        let mut g = Gctx::new().recording();
        g.set_origin(Origin::Firmware);
        g.measure_zero_pages(0x1000, 0x2000).unwrap();
        let d = *g.digest();
        let log = g.log().unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].gpa, 0x2000);
        assert_eq!(log[1].digest, d);
        assert_eq!(log[0].origin, Origin::Firmware);
    }
}
