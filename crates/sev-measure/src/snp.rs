//! SEV-SNP launch digests: `snp`, `snp:ovmf-hash` and `snp:svsm` (sev-snp-measure's modes).
//!
//! Order of measurement (`../shared/spec/measurement.md` §7):
//! 1. NORMAL pages for the firmware image, which ends at 4 GiB (or a precomputed OVMF hash as seed);
//! 2. the SEV metadata sections in descriptor order (EC2: CPUID pages last; GCE: SNP_SEC_MEM as
//!    UNMEASURED);
//! 3. one VMSA per vCPU, BSP first.

use sev_types::launch::page_info::VMSA_GPA;
use zerocopy::IntoBytes;

use crate::gctx::{Origin, PageType};
use crate::hashes::SevHashes;
use crate::ovmf::{Ovmf, SectionKind};
use crate::par::sha384;
use crate::vmsa::{VmmType, VmsaSet, build_svsm};
use crate::{Gctx, MeasureError, PAGE_SIZE, SnpDigest};

/// The firmware image ends at this GPA.
pub const FOUR_GIB: u64 = 1 << 32;

/// Inputs of an SNP launch digest (sev-snp-measure `--mode snp`).
#[derive(Debug, Clone, Copy)]
pub struct SnpInput<'a> {
    /// The parsed firmware image.
    pub ovmf: &'a Ovmf<'a>,
    /// Number of vCPUs.
    pub vcpus: u32,
    /// vCPU signature (RDX for QEMU; ignored by the other profiles).
    pub vcpu_sig: u32,
    /// The VMM profile.
    pub vmm: VmmType,
    /// SEV_FEATURES (guest features).
    pub guest_features: u64,
    /// Kernel hashes for a `-kernel` direct boot.
    pub kernel_hashes: Option<&'a SevHashes>,
    /// A precomputed OVMF hash: seeds the digest instead of measuring the firmware pages.
    pub ovmf_hash: Option<SnpDigest>,
}

impl<'a> SnpInput<'a> {
    /// One vCPU, signature 0, QEMU, guest features 0x1 (sev-snp-measure's default), no kernel.
    pub fn new(ovmf: &'a Ovmf<'a>) -> Self {
        Self {
            ovmf,
            vcpus: 1,
            vcpu_sig: 0,
            vmm: VmmType::Qemu,
            guest_features: 0x1,
            kernel_hashes: None,
            ovmf_hash: None,
        }
    }

    /// The VMSAs this launch measures.
    pub fn vmsas(&self) -> Result<VmsaSet, MeasureError> {
        let eip = if self.vcpus == 0 {
            0
        } else {
            self.ovmf.sev_es_reset_eip()?.ok_or(MeasureError::NoResetBlock)?
        };
        VmsaSet::new(self.vmm, eip, self.vcpus, self.vcpu_sig, self.guest_features)
    }
}

/// The SNP launch digest.
pub fn snp_launch_digest(input: &SnpInput<'_>) -> Result<SnpDigest, MeasureError> {
    let mut gctx = seeded(input.ovmf_hash);
    measure_snp(input, &mut gctx)?;
    Ok(*gctx.digest())
}

fn seeded(seed: Option<SnpDigest>) -> Gctx {
    seed.map_or_else(Gctx::new, Gctx::with_seed)
}

/// Applies every page of an SNP launch to `gctx` (which may be recording).
///
/// Without `input.ovmf_hash` the firmware pages are measured first; with it, `gctx` is expected
/// to already hold that seed (see [`Gctx::with_seed`]) and the firmware pages are skipped.
pub fn measure_snp(input: &SnpInput<'_>, gctx: &mut Gctx) -> Result<(), MeasureError> {
    let ovmf = input.ovmf;
    if input.kernel_hashes.is_some() && !ovmf.has_section(SectionKind::SnpKernelHashes) {
        return Err(MeasureError::NoKernelHashesSection);
    }
    let vmsas = input.vmsas()?;
    if input.ovmf_hash.is_none() {
        measure_ovmf_pages(ovmf, gctx)?;
    }
    measure_metadata(gctx, ovmf, input.kernel_hashes, input.vmm)?;
    // Every AP has the same VMSA: hash each distinct page once.
    let bsp = sha384(vmsas.bsp.as_bytes());
    let ap = vmsas.ap.as_ref().map(|v| sha384(v.as_bytes()));
    for i in 0..vmsas.vcpus {
        gctx.set_origin(Origin::Vmsa { vcpu: i });
        let contents = if i == 0 { &bsp } else { ap.as_ref().unwrap_or(&bsp) };
        gctx.update(PageType::Vmsa, VMSA_GPA, contents);
    }
    Ok(())
}

/// The digest after the firmware pages only (sev-snp-measure `--mode snp:ovmf-hash`).
pub fn snp_ovmf_hash(ovmf: &Ovmf<'_>) -> Result<SnpDigest, MeasureError> {
    let mut gctx = Gctx::new();
    measure_ovmf_pages(ovmf, &mut gctx)?;
    Ok(*gctx.digest())
}

/// Measures the firmware image as NORMAL pages ending at 4 GiB (step 1 of an SNP launch).
pub fn measure_ovmf_pages(ovmf: &Ovmf<'_>, gctx: &mut Gctx) -> Result<(), MeasureError> {
    gctx.set_origin(Origin::Firmware);
    measure_image(gctx, ovmf, FOUR_GIB, "OVMF image")
}

fn measure_image(gctx: &mut Gctx, image: &Ovmf<'_>, end: u64, what: &'static str) -> Result<(), MeasureError> {
    let len = image.len() as u64;
    let gpa = image
        .gpa_ending_at(end)
        .ok_or(MeasureError::DoesNotFit { what, len, end })?;
    if !image.len().is_multiple_of(PAGE_SIZE) {
        return Err(MeasureError::NotPageMultiple { what, len });
    }
    gctx.measure_normal_pages(gpa, image.data())?;
    Ok(())
}

fn measure_metadata(
    gctx: &mut Gctx,
    ovmf: &Ovmf<'_>,
    hashes: Option<&SevHashes>,
    vmm: VmmType,
) -> Result<(), MeasureError> {
    for (index, s) in ovmf.sections().iter().enumerate() {
        gctx.set_origin(Origin::Section {
            index: index as u32,
            kind: s.kind,
        });
        let (gpa, size) = (u64::from(s.gpa), u64::from(s.size));
        let whole_pages = || {
            if size.is_multiple_of(PAGE_SIZE as u64) {
                Ok(())
            } else {
                Err(MeasureError::SectionNotPageMultiple {
                    index,
                    kind: s.kind.raw(),
                    size: s.size,
                })
            }
        };
        match s.kind {
            SectionKind::SnpSecMem if vmm == VmmType::Gce => {
                whole_pages()?;
                gctx.measure_unmeasured_pages(gpa, size)?;
            }
            SectionKind::SnpSecMem | SectionKind::SvsmCaa => {
                whole_pages()?;
                gctx.measure_zero_pages(gpa, size)?;
            }
            SectionKind::SnpSecrets => {
                gctx.measure_secrets_page(gpa);
            }
            SectionKind::Cpuid if vmm == VmmType::Ec2 => {}
            SectionKind::Cpuid => {
                gctx.measure_cpuid_page(gpa);
            }
            SectionKind::SnpKernelHashes => match hashes {
                Some(h) => {
                    if s.size as usize != PAGE_SIZE {
                        return Err(MeasureError::KernelHashesSectionSize { size: s.size });
                    }
                    let (table_gpa, _) = ovmf.sev_hash_table()?.ok_or(MeasureError::NoHashTableEntry)?;
                    let page = h.page(table_gpa & 0xFFF)?;
                    gctx.set_origin(Origin::KernelHashes);
                    gctx.measure_normal_pages(gpa, &page)?;
                }
                None => {
                    whole_pages()?;
                    gctx.measure_zero_pages(gpa, size)?;
                }
            },
            SectionKind::Unknown(kind) => return Err(MeasureError::UnknownSectionType { index, kind }),
        }
    }
    if vmm == VmmType::Ec2 {
        for (index, s) in ovmf
            .sections()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == SectionKind::Cpuid)
        {
            gctx.set_origin(Origin::Section {
                index: index as u32,
                kind: s.kind,
            });
            gctx.measure_cpuid_page(u64::from(s.gpa));
        }
    }
    Ok(())
}

/// Inputs of a Coconut-SVSM launch digest (sev-snp-measure `--mode snp:svsm`, QEMU only).
#[derive(Debug, Clone, Copy)]
pub struct SvsmInput<'a> {
    /// The OVMF image (ends at 4 GiB).
    pub ovmf: &'a Ovmf<'a>,
    /// The SVSM image; it ends where the OVMF vars area begins.
    pub svsm: &'a Ovmf<'a>,
    /// Size of the OVMF_VARS area, in bytes.
    pub vars_size: u64,
    /// Number of vCPUs.
    pub vcpus: u32,
    /// vCPU signature (RDX).
    pub vcpu_sig: u32,
}

impl SvsmInput<'_> {
    /// GPA of the SVSM image's first byte.
    pub fn svsm_gpa(&self) -> Result<u64, MeasureError> {
        let what = "SVSM image";
        let len = self.svsm.len() as u64;
        let ovmf_gpa = self.ovmf.gpa_ending_at(FOUR_GIB).ok_or(MeasureError::DoesNotFit {
            what: "OVMF image",
            len: self.ovmf.len() as u64,
            end: FOUR_GIB,
        })?;
        let end = ovmf_gpa
            .checked_sub(self.vars_size)
            .ok_or(MeasureError::DoesNotFit { what, len, end: 0 })?;
        self.svsm
            .gpa_ending_at(end)
            .ok_or(MeasureError::DoesNotFit { what, len, end })
    }

    /// The save area every vCPU uses (EIP = SVSM base + SVSM info entry offset).
    pub fn vmsa(&self) -> Result<sev_types::launch::vmsa::SaveArea, MeasureError> {
        let base = self.svsm_gpa()?;
        let entry = self.svsm.svsm_entry_offset()?.ok_or(MeasureError::NoSvsmInfo)?;
        Ok(build_svsm((base + u64::from(entry)) as u32, self.vcpu_sig))
    }
}

/// The SVSM launch digest.
pub fn svsm_launch_digest(input: &SvsmInput<'_>) -> Result<SnpDigest, MeasureError> {
    let mut gctx = Gctx::new();
    measure_svsm(input, &mut gctx)?;
    Ok(*gctx.digest())
}

/// Applies every page of an SVSM launch to `gctx`.
pub fn measure_svsm(input: &SvsmInput<'_>, gctx: &mut Gctx) -> Result<(), MeasureError> {
    let vmsa = input.vmsa()?;
    let svsm_end = input.svsm_gpa()? + input.svsm.len() as u64;
    measure_ovmf_pages(input.ovmf, gctx)?;
    gctx.set_origin(Origin::Svsm);
    measure_image(gctx, input.svsm, svsm_end, "SVSM image")?;
    measure_metadata(gctx, input.svsm, None, VmmType::Qemu)?;
    let contents = sha384(vmsa.as_bytes());
    for i in 0..input.vcpus {
        gctx.set_origin(Origin::Vmsa { vcpu: i });
        gctx.update(PageType::Vmsa, VMSA_GPA, &contents);
    }
    Ok(())
}
