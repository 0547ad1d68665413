//! [`SimSnpVm`]: one simulated SNP VM — its memory, its launch, and the guest it becomes.

use sev_sys::Error;
use sev_sys::seam::SnpLaunchDevice;
use sev_types::launch::snp::KvmPageType;
use sev_types::status::FirmwareStatus;
use sha2::{Digest, Sha384};

use super::errors::kernel;
use super::launch::{DEBUG_SWAP, Launch, Stage};
use crate::errno::EINVAL;
use crate::host::SimHost;
use crate::host::memory::SimMemory;
use crate::{GuestConfig, Sim, SimError};

/// A simulated SNP VM on a [`SimHost`]: guest memory with KVM's memslot, guest_memfd and
/// private-attribute checks, the SNP launch commands ([`SnpLaunchDevice`]) with KVM's and the
/// firmware's checks, and after LAUNCH_FINISH the guest ([`SimSnpVm::guest`]) whose reports
/// carry the measured digest.
///
/// The launch digest is computed from the pages actually handed to LAUNCH_UPDATE and the
/// vCPU states handed to [`SnpLaunchDevice::add_vcpu`], with sev-measure's
/// [`Gctx`](sev_measure::Gctx).
///
/// ```
/// use sev_sim::host::{HostConfig, SimHost};
/// use sev_sys::seam::{MemoryAttributes, MemorySlot, SnpLaunchDevice, SnpLaunchFinish, VmMemory};
/// use sev_types::Product;
/// use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
/// use sev_types::policy::GuestPolicy;
///
/// let host = SimHost::new(HostConfig::new(Product::Genoa));
/// let mut vm = host.create_snp_vm();
/// let fd = vm.create_guest_memfd(0x10000, 0)?;
/// vm.add_memory_slot(&MemorySlot { slot: 0, gpa: 0, size: 0x10000, guest_memfd: Some((fd, 0)) })?;
/// vm.set_memory_attributes(0, 0x10000, MemoryAttributes::PRIVATE)?;
/// vm.sev_init2(&KvmSevInit::new(0, 0))?;
/// vm.snp_launch_start(&KvmSnpLaunchStart::new(GuestPolicy::RESERVED_MBO | GuestPolicy::SMT))?;
/// let progress = vm.snp_launch_update(0, KvmPageType::Normal, &[0x90; 0x2000])?;
/// assert_eq!(progress.consumed, 0x2000);
/// vm.snp_launch_finish(&SnpLaunchFinish::default())?;
/// let guest = vm.guest().unwrap();
/// assert_eq!(guest.config().measurement, vm.launch_digest());
/// # Ok::<(), sev_sys::Error>(())
/// ```
#[derive(Debug)]
pub struct SimSnpVm {
    pub(super) host: SimHost,
    pub(super) memory: SimMemory,
    pub(super) launch: Launch,
}

impl SimSnpVm {
    /// The VMSA features (`KVM_X86_SEV_VMSA_FEATURES`) the simulated KVM accepts in INIT2:
    /// DebugSwap (bit 5).
    pub const SUPPORTED_VMSA_FEATURES: u64 = DEBUG_SWAP;

    /// A new VM on `host` (no memory, not initialised).
    pub fn new(host: SimHost) -> Self {
        SimSnpVm {
            host,
            memory: SimMemory::new(),
            launch: Launch::new(),
        }
    }

    /// Makes each later LAUNCH_UPDATE take at most `pages` pages (at least one), as a kernel
    /// that stops early does; `None` removes the limit.
    pub fn set_max_pages_per_update(&mut self, pages: Option<u64>) {
        self.launch.max_pages = pages;
    }

    /// Makes the next `times` LAUNCH_UPDATE calls with valid arguments fail with `EAGAIN`
    /// before consuming anything.
    pub fn inject_update_eagain(&mut self, times: u32) {
        self.launch.eagain = self.launch.eagain.saturating_add(times);
    }

    /// `KVM_SEV_SNP_LAUNCH_UPDATE` with a raw page type byte: anything but the five types KVM
    /// accepts (0 INVALID, 2 VMSA, 7..) fails with `EINVAL`.
    pub fn snp_launch_update_raw(
        &mut self,
        gfn_start: u64,
        page_type: u8,
        src: &[u8],
    ) -> Result<sev_sys::seam::SnpUpdateProgress, Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_UPDATE";
        if matches!(self.launch.stage, Stage::Created | Stage::Initialized) {
            return Err(kernel(OP, EINVAL));
        }
        let t = KvmPageType::from_raw(page_type).ok_or_else(|| kernel(OP, EINVAL))?;
        self.snp_launch_update(gfn_start, t, src)
    }

    /// The launch digest so far (48 zero bytes before LAUNCH_START).
    pub fn launch_digest(&self) -> [u8; 48] {
        *self.launch.gctx.digest()
    }

    /// The VMSA features of INIT2 with SNP_ACTIVE, as every measured VMSA carries them (0
    /// before INIT2).
    pub fn vmsa_features(&self) -> u64 {
        self.launch.vmsa_features
    }

    /// The GHCB protocol version INIT2 settled on (0 before INIT2).
    pub fn ghcb_version(&self) -> u16 {
        self.launch.ghcb_version
    }

    /// The guest policy of LAUNCH_START (0 before).
    pub fn policy(&self) -> u64 {
        self.launch.policy
    }

    /// Whether `KVM_SEV_SNP_ENABLE_REQ_CERTS` was accepted.
    pub fn req_certs_enabled(&self) -> bool {
        self.launch.req_certs
    }

    /// The private contents of guest frame `gfn` after LAUNCH_UPDATE (the secrets page the
    /// firmware wrote, zeros for a ZERO page), or `None` if it was never populated.
    pub fn private_page(&self, gfn: u64) -> Option<&[u8]> {
        self.launch.private.get(&gfn).map(|p| &p[..])
    }

    /// The CPUID table the firmware would have accepted, after the last CPUID page it refused
    /// (the kernel copies it over the caller's source page).
    pub fn rejected_cpuid_page(&self) -> Option<&[u8]> {
        self.launch.cpuid_correction.as_deref().map(|p| &p[..])
    }

    /// The guest after LAUNCH_FINISH: a [`Sim`] whose reports carry this launch (MEASUREMENT,
    /// POLICY, HOST_DATA, the ID block's FAMILY_ID, IMAGE_ID, GUEST_SVN, ID and author key
    /// digests, LAUNCH_TCB) and the machine as it is now (product, CHIP_ID and its mask, TCBs,
    /// firmware versions, the loaded VLEK, MASK_CHIP_KEY). Call it again after a platform
    /// command to see the change.
    ///
    /// Before LAUNCH_FINISH: [`SimError::Firmware`] with INVALID_GUEST_STATE.
    pub fn guest(&self) -> Result<Sim, SimError> {
        let done = self
            .launch
            .finished
            .as_ref()
            .ok_or(SimError::Firmware(FirmwareStatus::InvalidGuestState))?;
        let mut c: GuestConfig = self.host.lock().config.guest_template.clone();
        c.policy = self.launch.policy;
        c.measurement = done.measurement;
        c.host_data = done.host_data;
        c.vcek_disabled = done.vcek_disabled;
        c.launch_tcb = self.launch.launch_tcb;
        c.vmpl = 0;
        let (family_id, image_id, guest_svn, id_key_digest, author_key_digest) = match &done.id {
            Some(id) => (
                id.family_id,
                id.image_id,
                id.guest_svn,
                id.id_key_digest,
                id.author_key_digest,
            ),
            None => ([0; 16], [0; 16], 0, [0; 48], None),
        };
        (c.family_id, c.image_id, c.guest_svn) = (family_id, image_id, guest_svn);
        (c.id_key_digest, c.author_key_digest) = (id_key_digest, author_key_digest);
        let mut h = Sha384::new();
        h.update(b"sev-sim TEST report id\0");
        h.update(c.chip_id);
        h.update(self.launch.serial.to_le_bytes());
        c.report_id.copy_from_slice(&h.finalize()[..32]);
        Sim::new(c)
    }
}

impl Drop for SimSnpVm {
    fn drop(&mut self) {
        if self.launch.serial != 0 {
            self.host.lock().snp.guest_destroyed();
        }
    }
}

crate::host::memory::delegate_vm_memory!(SimSnpVm);
