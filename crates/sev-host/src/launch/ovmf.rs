//! OVMF launch plans: the page sequence QEMU issues for an OVMF guest, driven through the
//! launchers.
//!
//! SNP (`measurement.md` §1, §3, §5; `snp-launch.md` §3):
//! 1. the firmware image as NORMAL pages at `4 GiB - len`, ascending;
//! 2. each SEV metadata section in descriptor order: SNP_SEC_MEM → ZERO pages, SNP_SECRETS →
//!    one SECRETS page, CPUID → one CPUID page holding the CPUID table, SNP_KERNEL_HASHES → one
//!    NORMAL page with the hash table at `hash_table_gpa & 0xFFF` when kernel hashes are given
//!    (ZERO pages otherwise), SVSM_CAA → ZERO pages;
//! 3. the vCPUs' initial state (QEMU's reset state: BSP at `0xFFFF_FFF0`, APs at the OVMF
//!    SEV-ES reset block's address; SEV_FEATURES = the guest features), which KVM turns into
//!    VMSAs measured at SNP_LAUNCH_FINISH, BSP first.
//!
//! SEV / SEV-ES: LAUNCH_UPDATE_DATA over the firmware image at `4 GiB - len`, then over the
//! 176-byte padded kernel-hash table at the OVMF hash-table address when kernel hashes are
//! given; SEV-ES then LAUNCH_UPDATE_VMSA (SEV_FEATURES = the INIT2 vmsa_features).

use sev_measure::hashes::{PADDED_TABLE_LEN, SevHashes};
use sev_measure::ovmf::{Ovmf, SectionKind};
use sev_measure::vmsa::{BSP_EIP, VmmType, build};
use sev_sys::seam::{SevLaunchDevice, SnpLaunchDevice};
use sev_types::launch::cpuid_page::CpuidPage;
use sev_types::launch::snp::KvmPageType;
use sev_types::launch::vmsa::SaveArea;
use zerocopy::IntoBytes;

use super::memory::{FOUR_GIB, GuestMemoryLayout};
use super::{
    Finished, Measured, New, PAGE_SIZE, SevInit, SevLauncher, SevMode, SevStart, SnpFinish, SnpInit, SnpLauncher,
    SnpStart, Started,
};
use crate::error::HostError;

/// Low RAM mapped by default: 256 MiB, enough for every OVMF metadata section.
pub const DEFAULT_RAM_SIZE: u64 = 256 << 20;

/// An OVMF guest to launch as QEMU does.
///
/// ```
/// use sev_host::launch::ovmf::OvmfLaunch;
/// use sev_host::launch::{SnpFinish, SnpInit, SnpStart};
/// use sev_measure::ovmf::Ovmf;
/// use sev_measure::snp::{SnpInput, snp_launch_digest};
/// use sev_sim::host::{HostConfig, SimHost};
/// use sev_types::Product;
///
/// let image = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"))?;
/// let ovmf = Ovmf::parse(&image)?;
/// let plan = OvmfLaunch { vcpus: 2, vcpu_sig: 0x00A1_0F10, ..OvmfLaunch::new(&ovmf) };
/// let host = SimHost::new(HostConfig::new(Product::Genoa));
/// let launched = plan.launch_snp(host.create_snp_vm(), &SnpInit::default(), &SnpStart::default(), &SnpFinish::default())?;
/// // The independent prediction of the same launch:
/// let expected = snp_launch_digest(&SnpInput { vcpus: 2, vcpu_sig: 0x00A1_0F10, ..SnpInput::new(&ovmf) })?;
/// assert_eq!(launched.device().launch_digest(), expected);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OvmfLaunch<'a> {
    /// The parsed firmware image.
    pub ovmf: &'a Ovmf<'a>,
    /// Number of vCPUs (at least 1).
    pub vcpus: u32,
    /// The vCPU signature (CPUID 1 EAX), RDX of the reset state.
    pub vcpu_sig: u32,
    /// Kernel, initrd and command-line hashes for a measured direct boot.
    pub kernel_hashes: Option<&'a SevHashes>,
    /// Bytes of low RAM mapped at GPA 0 (a page multiple covering the metadata sections).
    pub ram_size: u64,
    /// The CPUID table for the SNP CPUID page (empty if `None`; a real launch passes the
    /// entries KVM supports, which the firmware checks).
    pub cpuid: Option<&'a CpuidPage>,
    /// SNP: enable `KVM_SEV_SNP_ENABLE_REQ_CERTS` (before the vCPUs are created).
    pub req_certs: bool,
}

impl<'a> OvmfLaunch<'a> {
    /// One vCPU, signature 0, no kernel, [`DEFAULT_RAM_SIZE`], empty CPUID table, no
    /// certificate-request exits.
    pub fn new(ovmf: &'a Ovmf<'a>) -> Self {
        OvmfLaunch {
            ovmf,
            vcpus: 1,
            vcpu_sig: 0,
            kernel_hashes: None,
            ram_size: DEFAULT_RAM_SIZE,
            cpuid: None,
            req_certs: false,
        }
    }

    /// GPA of the firmware image's first byte (it ends at 4 GiB).
    pub fn firmware_gpa(&self) -> Result<u64, HostError> {
        let len = self.ovmf.len() as u64;
        if len == 0 || !len.is_multiple_of(PAGE_SIZE) {
            return Err(HostError::invalid(
                "OVMF image size",
                "a non-zero multiple of 4096 bytes",
                format!("{len:#x} bytes"),
            ));
        }
        FOUR_GIB
            .checked_sub(len)
            .ok_or_else(|| HostError::invalid("OVMF image size", "at most 4 GiB", format!("{len:#x} bytes")))
    }

    /// The memory this launch maps: low RAM and the firmware region.
    pub fn layout(&self) -> Result<GuestMemoryLayout, HostError> {
        GuestMemoryLayout::low_ram_and_firmware(self.ram_size, self.ovmf.len() as u64)
    }

    /// SEV-ES and SNP firmware must carry the SEV-ES reset block (QEMU refuses to launch
    /// without it, and no launch digest is defined without it), whatever the vCPU count.
    fn require_reset_block(&self) -> Result<(), HostError> {
        match self.ovmf.sev_es_reset_eip()? {
            Some(eip) if eip != 0 => Ok(()),
            _ => Err(HostError::invalid(
                "OVMF SEV-ES reset block",
                "present (SEV-ES and SNP firmware)",
                "none",
            )),
        }
    }

    /// The initial state of each vCPU, BSP first, with SEV_FEATURES `features`.
    pub fn vcpu_states(&self, features: u64) -> Result<Vec<SaveArea>, HostError> {
        if self.vcpus == 0 {
            return Err(HostError::invalid("vCPU count", "at least 1", "0"));
        }
        let ap_eip = if self.vcpus > 1 {
            let eip = self.ovmf.sev_es_reset_eip()?.unwrap_or(0);
            if eip == 0 {
                return Err(HostError::invalid(
                    "OVMF SEV-ES reset block",
                    "an AP reset address (more than one vCPU)",
                    "none",
                ));
            }
            eip
        } else {
            0
        };
        Ok((0..self.vcpus)
            .map(|i| {
                build(
                    VmmType::Qemu,
                    if i == 0 { BSP_EIP } else { ap_eip },
                    self.vcpu_sig,
                    features,
                )
            })
            .collect())
    }

    /// The SEV secret area `(gpa, size)` from the OVMF footer, if the image has one.
    pub fn secret_area(&self) -> Result<Option<(u64, u64)>, HostError> {
        Ok(self
            .ovmf
            .sev_secret_area()?
            .filter(|&(gpa, _)| gpa != 0)
            .map(|(gpa, size)| (u64::from(gpa), u64::from(size))))
    }

    fn check_kernel_hashes_snp(&self) -> Result<(), HostError> {
        if self.kernel_hashes.is_some() && !self.ovmf.has_section(SectionKind::SnpKernelHashes) {
            return Err(sev_measure::MeasureError::NoKernelHashesSection.into());
        }
        Ok(())
    }

    /// Maps memory and adds the vCPUs to a new SNP launcher.
    pub fn prepare_snp<D: SnpLaunchDevice>(&self, launcher: &mut SnpLauncher<D, New>) -> Result<(), HostError> {
        self.check_kernel_hashes_snp()?;
        self.require_reset_block()?;
        if self.req_certs {
            launcher.enable_req_certs()?;
        }
        launcher.add_layout(&self.layout()?)?;
        let features = launcher.init().guest_features().bits();
        for (id, state) in (0u32..).zip(self.vcpu_states(features)?) {
            launcher.add_vcpu(id, &state)?;
        }
        Ok(())
    }

    /// Launches the firmware and the metadata sections into a started SNP launcher.
    pub fn update_snp<D: SnpLaunchDevice>(&self, launcher: &mut SnpLauncher<D, Started>) -> Result<(), HostError> {
        self.check_kernel_hashes_snp()?;
        launcher.update(self.firmware_gpa()?, KvmPageType::Normal, self.ovmf.data())?;
        for (index, section) in self.ovmf.sections().iter().enumerate() {
            let (gpa, size) = (u64::from(section.gpa), u64::from(section.size));
            match section.kind {
                SectionKind::SnpSecMem | SectionKind::SvsmCaa => {
                    launcher.update_zero(gpa, size, KvmPageType::Zero)?;
                }
                SectionKind::SnpSecrets => {
                    launcher.update_zero(gpa, PAGE_SIZE, KvmPageType::Secrets)?;
                }
                SectionKind::Cpuid => {
                    let empty = CpuidPage::new();
                    let table = self.cpuid.unwrap_or(&empty);
                    launcher.update(gpa, KvmPageType::Cpuid, table.as_bytes())?;
                }
                SectionKind::SnpKernelHashes => match self.kernel_hashes {
                    Some(hashes) => {
                        if size != PAGE_SIZE {
                            return Err(
                                sev_measure::MeasureError::KernelHashesSectionSize { size: section.size }.into(),
                            );
                        }
                        let (table_gpa, _) = self
                            .ovmf
                            .sev_hash_table()?
                            .ok_or(sev_measure::MeasureError::NoHashTableEntry)?;
                        let page = hashes.page(table_gpa & 0xFFF)?;
                        launcher.update(gpa, KvmPageType::Normal, &page)?;
                    }
                    None => {
                        launcher.update_zero(gpa, size, KvmPageType::Zero)?;
                    }
                },
                SectionKind::Unknown(kind) => {
                    return Err(sev_measure::MeasureError::UnknownSectionType { index, kind }.into());
                }
                _ => {
                    return Err(HostError::invalid(
                        "OVMF metadata section",
                        "a section type this launcher knows",
                        section.kind.to_string(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The whole SNP launch on `dev`: INIT2, memory, vCPUs, LAUNCH_START, the pages, and
    /// LAUNCH_FINISH.
    pub fn launch_snp<D: SnpLaunchDevice>(
        &self,
        dev: D,
        init: &SnpInit,
        start: &SnpStart,
        finish: &SnpFinish,
    ) -> Result<SnpLauncher<D, Finished>, HostError> {
        let mut launcher = SnpLauncher::new(dev, init)?;
        self.prepare_snp(&mut launcher)?;
        let mut launcher = launcher.start(start)?;
        self.update_snp(&mut launcher)?;
        launcher.finish(finish)
    }

    /// Maps memory and adds the vCPUs to a new SEV or SEV-ES launcher.
    pub fn prepare_sev<D: SevLaunchDevice>(&self, launcher: &mut SevLauncher<D, New>) -> Result<(), HostError> {
        if self.kernel_hashes.is_some() && !self.ovmf.supports_kernel_hashes() {
            return Err(sev_measure::MeasureError::KernelHashesUnsupported.into());
        }
        if launcher.init().mode == SevMode::Es {
            self.require_reset_block()?;
        }
        launcher.add_layout(&self.layout()?)?;
        let features = launcher.init().guest_features().bits();
        for (id, state) in (0u32..).zip(self.vcpu_states(features)?) {
            launcher.add_vcpu(id, &state)?;
        }
        Ok(())
    }

    /// Encrypts the firmware, the kernel-hash table and (SEV-ES) the VMSAs in a started launch.
    pub fn update_sev<D: SevLaunchDevice>(&self, launcher: &mut SevLauncher<D, Started>) -> Result<(), HostError> {
        launcher.update_data(self.firmware_gpa()?, self.ovmf.data())?;
        if let Some(hashes) = self.kernel_hashes {
            let (gpa, size) = self
                .ovmf
                .sev_hash_table()?
                .filter(|&(gpa, _)| gpa != 0)
                .ok_or(sev_measure::MeasureError::KernelHashesUnsupported)?;
            if (size as usize) < PADDED_TABLE_LEN {
                return Err(HostError::invalid(
                    "OVMF SEV hash-table area",
                    format!("at least {PADDED_TABLE_LEN} bytes"),
                    format!("{size} bytes"),
                ));
            }
            launcher.update_data(u64::from(gpa), &hashes.table())?;
        }
        if launcher.init().mode == SevMode::Es {
            launcher.update_vmsa()?;
        }
        Ok(())
    }

    /// The SEV or SEV-ES launch on `dev` up to LAUNCH_MEASURE: INIT2, memory, vCPUs,
    /// LAUNCH_START, the firmware (and kernel hashes), the VMSAs (SEV-ES), LAUNCH_MEASURE.
    /// The guest owner checks the measurement; then inject a secret and finish.
    pub fn launch_sev<D: SevLaunchDevice>(
        &self,
        dev: D,
        init: &SevInit,
        start: &SevStart<'_>,
    ) -> Result<(SevLauncher<D, Measured>, sev_types::launch::sev::LaunchMeasurement), HostError> {
        let mut launcher = SevLauncher::new(dev, init)?;
        self.prepare_sev(&mut launcher)?;
        let mut launcher = launcher.start(start)?;
        self.update_sev(&mut launcher)?;
        launcher.measure()
    }
}
