//! The SNP launch state machine of one VM, as KVM and the firmware run it.
//!
//! | command | KVM refuses (errno only) | the firmware refuses (`EIO` + status) |
//! |---|---|---|
//! | INIT2 | twice, after a vCPU exists, flags ≠ 0, VMSA features KVM lacks, GHCB version 1 or > 2 (`EINVAL`) | — |
//! | vCPU | same id twice (`EEXIST`); after LAUNCH_FINISH (`EINVAL`) | — |
//! | LAUNCH_START | before INIT2 (`ENOTTY`); twice, flags ≠ 0, policy bits KVM does not pass, bit 17 clear (`EINVAL`) | ABI version above the firmware's, SMT not allowed on an SMT platform (POLICY_FAILURE) |
//! | LAUNCH_UPDATE | before LAUNCH_START, length not a non-zero page multiple, no guest_memfd slot (`EINVAL`); page not private (`EINVAL`, or partial progress); page already populated (`EIO`) | after LAUNCH_FINISH (INVALID_GUEST_STATE); bad CPUID table (INVALID_PARAM) |
//! | LAUNCH_FINISH | before INIT2 (`ENOTTY`), before LAUNCH_START (`EINVAL`) | twice (INVALID_GUEST_STATE); ID block ([`super::id_check`]) |
//! | ENABLE_REQ_CERTS | before INIT2 or after a vCPU exists (`EINVAL`) | — |
//!
//! Like KVM's `kvm_gmem_populate`, one LAUNCH_UPDATE stops at the end of the memslot, at the
//! configured page limit, or at the first page that fails after at least one page went in
//! (reporting the pages done); the failing page then fails the next call.

use std::collections::BTreeMap;

use sev_measure::Gctx;
use sev_sys::Error;
use sev_sys::seam::{SnpLaunchDevice, SnpLaunchFinish, SnpUpdateProgress};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::platform_info::PlatformInfo;
use sev_types::policy::GuestPolicy;
use sev_types::status::FirmwareStatus;
use sev_types::tcb::TcbVersion;
use zeroize::Zeroize;

use super::errors::{firmware, kernel};
use super::id_check::{self, IdFields};
use super::pages::{self, Page, SecretsInput};
use super::vm::SimSnpVm;
use crate::errno::{EAGAIN, EEXIST, EINVAL, EIO, ENOTTY};
use crate::host::memory::PAGE_SIZE;

/// SEV_FEATURES bit 0: SNP is active (KVM adds it for SNP VMs).
pub(super) const SNP_ACTIVE: u64 = 1 << 0;
/// SEV_FEATURES bit 5: DebugSwap, the one VMSA feature the simulated KVM offers.
pub(super) const DEBUG_SWAP: u64 = 1 << 5;
/// GHCB protocol version KVM uses when INIT2 asks for 0.
const GHCB_VERSION_DEFAULT: u16 = 2;
/// Highest GHCB protocol version KVM implements.
const GHCB_VERSION_MAX: u16 = 2;

/// Policy bits KVM passes to the firmware: ABI minor/major, SMT, bit 17, DEBUG, SINGLE_SOCKET.
fn kvm_valid_policy() -> u64 {
    0xFFFF | (GuestPolicy::SMT | GuestPolicy::RESERVED_MBO | GuestPolicy::DEBUG | GuestPolicy::SINGLE_SOCKET).bits()
}

/// Where a VM's launch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// No KVM_SEV_INIT2 yet.
    Created,
    /// INIT2 done, no guest context.
    Initialized,
    /// LAUNCH_START done: the guest context exists.
    Started,
    /// LAUNCH_FINISH done: the guest runs.
    Finished,
}

/// What LAUNCH_FINISH fixed for the guest's reports.
#[derive(Debug, Clone)]
pub(super) struct Finished {
    pub(super) measurement: [u8; 48],
    pub(super) host_data: [u8; 32],
    pub(super) vcek_disabled: bool,
    pub(super) id: Option<IdFields>,
}

/// The launch state of one VM.
pub(super) struct Launch {
    pub(super) stage: Stage,
    pub(super) vmsa_features: u64,
    pub(super) ghcb_version: u16,
    pub(super) vcpus: Vec<(u32, SaveArea)>,
    pub(super) req_certs: bool,
    pub(super) policy: u64,
    pub(super) gosvw: [u8; 16],
    /// The guest context's serial number on the machine (0: none).
    pub(super) serial: u64,
    pub(super) launch_tcb: TcbVersion,
    pub(super) gctx: Gctx,
    vmsas_measured: bool,
    pub(super) private: BTreeMap<u64, Box<Page>>,
    pub(super) max_pages: Option<u64>,
    pub(super) eagain: u32,
    pub(super) cpuid_correction: Option<Box<Page>>,
    pub(super) finished: Option<Finished>,
    secrets: Option<SecretsInput>,
}

impl core::fmt::Debug for Launch {
    /// Leaves out page contents: the secrets page holds the guest's VMPCKs.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Launch")
            .field("stage", &self.stage)
            .field("vmsa_features", &self.vmsa_features)
            .field("ghcb_version", &self.ghcb_version)
            .field("vcpus", &self.vcpus.len())
            .field("req_certs", &self.req_certs)
            .field("policy", &self.policy)
            .field("serial", &self.serial)
            .field("digest", self.gctx.digest())
            .field("pages", &self.private.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Launch {
    fn drop(&mut self) {
        for page in self.private.values_mut() {
            page.zeroize();
        }
    }
}

impl Launch {
    pub(super) fn new() -> Self {
        Launch {
            stage: Stage::Created,
            vmsa_features: 0,
            ghcb_version: 0,
            vcpus: Vec::new(),
            req_certs: false,
            policy: 0,
            gosvw: [0; 16],
            serial: 0,
            launch_tcb: TcbVersion(0),
            gctx: Gctx::new(),
            vmsas_measured: false,
            private: BTreeMap::new(),
            max_pages: None,
            eagain: 0,
            cpuid_correction: None,
            finished: None,
            secrets: None,
        }
    }
}

impl SimSnpVm {
    /// The firmware's policy checks of SNP_LAUNCH_START against this machine.
    fn check_policy_on_platform(&self, policy: GuestPolicy) -> Result<(), FirmwareStatus> {
        let s = self.host.lock();
        let t = &s.config.guest_template;
        let (major, minor, _) = t.current_version;
        if (policy.abi_major(), policy.abi_minor()) > (major, minor) {
            return Err(FirmwareStatus::PolicyFailure);
        }
        let smt_platform = PlatformInfo::from_bits_retain(t.platform_info).contains(PlatformInfo::SMT_EN);
        if smt_platform && !policy.contains(GuestPolicy::SMT) {
            return Err(FirmwareStatus::PolicyFailure);
        }
        Ok(())
    }

    /// One page of LAUNCH_UPDATE, from KVM's per-page checks to the firmware.
    fn update_page(&mut self, gfn: u64, page_type: KvmPageType, src: &Page) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_UPDATE";
        if !self.memory.is_private(gfn, 1) {
            return Err(kernel(OP, EINVAL));
        }
        if self.launch.private.contains_key(&gfn) {
            // kvm_gmem_populate finds the page already prepared (EEXIST), reported as EIO.
            return Err(kernel(OP, EIO));
        }
        if self.launch.stage == Stage::Finished {
            return Err(firmware(OP, FirmwareStatus::InvalidGuestState));
        }
        let Some(secrets) = self.launch.secrets.as_ref() else {
            return Err(kernel(OP, EINVAL));
        };
        let gpa = gfn * PAGE_SIZE;
        match pages::apply(&mut self.launch.gctx, page_type, gpa, src, secrets) {
            Ok(contents) => {
                self.launch.private.insert(gfn, contents);
                Ok(())
            }
            Err(refused) => {
                if refused.cpuid_correction.is_some() {
                    self.launch.cpuid_correction = refused.cpuid_correction;
                }
                Err(firmware(OP, refused.status))
            }
        }
    }
}

impl SnpLaunchDevice for SimSnpVm {
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_INIT2";
        let l = &mut self.launch;
        let features = init.vmsa_features.get();
        let ghcb = init.ghcb_version.get();
        if !l.vcpus.is_empty()
            || init.flags.get() != 0
            || features & !SimSnpVm::SUPPORTED_VMSA_FEATURES != 0
            || ghcb > GHCB_VERSION_MAX
            || ghcb == 1
            || l.stage != Stage::Created
        {
            return Err(kernel(OP, EINVAL));
        }
        l.vmsa_features = features | SNP_ACTIVE;
        l.ghcb_version = if ghcb == 0 { GHCB_VERSION_DEFAULT } else { ghcb };
        l.stage = Stage::Initialized;
        Ok(())
    }

    fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error> {
        const OP: &str = "KVM_CREATE_VCPU";
        let l = &mut self.launch;
        if l.vcpus.iter().any(|(i, _)| *i == id) {
            return Err(kernel(OP, EEXIST));
        }
        if l.stage == Stage::Finished {
            return Err(kernel(OP, EINVAL));
        }
        l.vcpus.push((id, state.clone()));
        Ok(())
    }

    fn snp_launch_start(&mut self, start: &KvmSnpLaunchStart) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_START";
        match self.launch.stage {
            Stage::Created => return Err(kernel(OP, ENOTTY)),
            Stage::Started | Stage::Finished => return Err(kernel(OP, EINVAL)),
            Stage::Initialized => {}
        }
        let policy = start.policy();
        if start.flags.get() != 0
            || policy.bits() & !kvm_valid_policy() != 0
            || !policy.contains(GuestPolicy::RESERVED_MBO)
        {
            return Err(kernel(OP, EINVAL));
        }
        self.check_policy_on_platform(policy).map_err(|s| firmware(OP, s))?;
        let mut s = self.host.lock();
        let serial = s.snp.guest_created();
        let t = &s.config.guest_template;
        let l = &mut self.launch;
        l.serial = serial;
        l.launch_tcb = t.current_tcb;
        l.policy = policy.bits();
        l.gosvw = start.gosvw;
        l.gctx = Gctx::new();
        l.secrets = Some(SecretsInput {
            chip_id: t.chip_id,
            product: t.product,
            serial,
            gosvw: start.gosvw,
        });
        l.stage = Stage::Started;
        Ok(())
    }

    fn snp_launch_update(
        &mut self,
        gfn_start: u64,
        page_type: KvmPageType,
        src: &[u8],
    ) -> Result<SnpUpdateProgress, Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_UPDATE";
        if matches!(self.launch.stage, Stage::Created | Stage::Initialized) {
            return Err(kernel(OP, EINVAL));
        }
        let len = src.len() as u64;
        if len == 0 || !len.is_multiple_of(PAGE_SIZE) {
            return Err(kernel(OP, EINVAL));
        }
        if self.launch.eagain > 0 {
            self.launch.eagain -= 1;
            return Err(kernel(OP, EAGAIN));
        }
        let pages = len / PAGE_SIZE;
        let slot_end = gfn_start
            .checked_mul(PAGE_SIZE)
            .and_then(|gpa| self.memory.slot_of(gpa, PAGE_SIZE))
            .filter(|slot| slot.guest_memfd.is_some())
            .map(|slot| (slot.gpa + slot.size) / PAGE_SIZE)
            .ok_or_else(|| kernel(OP, EINVAL))?;
        let mut todo = pages.min(slot_end - gfn_start);
        if let Some(max) = self.launch.max_pages {
            todo = todo.min(max.max(1));
        }
        let mut done = 0u64;
        for (i, chunk) in src.chunks_exact(PAGE_SIZE as usize).take(todo as usize).enumerate() {
            let Ok(page) = <&Page>::try_from(chunk) else {
                unreachable!("chunks_exact yields whole pages")
            };
            match self.update_page(gfn_start + i as u64, page_type, page) {
                Ok(()) => done += 1,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(SnpUpdateProgress {
            consumed: done * PAGE_SIZE,
        })
    }

    fn snp_launch_finish(&mut self, finish: &SnpLaunchFinish<'_>) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_FINISH";
        let l = &mut self.launch;
        match l.stage {
            Stage::Created => return Err(kernel(OP, ENOTTY)),
            Stage::Initialized => return Err(kernel(OP, EINVAL)),
            Stage::Finished => return Err(firmware(OP, FirmwareStatus::InvalidGuestState)),
            Stage::Started => {}
        }
        if !l.vmsas_measured {
            for (_, state) in &l.vcpus {
                let mut vmsa = state.clone();
                vmsa.sev_features.set(l.vmsa_features);
                l.gctx.measure_vmsa(&vmsa);
            }
            l.vmsas_measured = true;
        }
        let measurement = *l.gctx.digest();
        let id = match finish.id_block {
            Some((block, auth)) => Some(
                id_check::check(block, auth, finish.auth_key_en, &measurement, l.policy)
                    .map_err(|s| firmware(OP, s))?,
            ),
            None => None,
        };
        l.finished = Some(Finished {
            measurement,
            host_data: finish.host_data,
            vcek_disabled: finish.vcek_disabled,
            id,
        });
        l.stage = Stage::Finished;
        Ok(())
    }

    fn snp_enable_req_certs(&mut self) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_SNP_ENABLE_REQ_CERTS";
        let l = &mut self.launch;
        if l.stage == Stage::Created || !l.vcpus.is_empty() {
            return Err(kernel(OP, EINVAL));
        }
        l.req_certs = true;
        Ok(())
    }
}
