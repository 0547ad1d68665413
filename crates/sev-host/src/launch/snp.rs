//! [`SnpLauncher`]: an SNP launch over any [`SnpLaunchDevice`].

use core::marker::PhantomData;

use sev_sys::seam::{MemoryAttributes, SnpLaunchDevice, SnpLaunchFinish};
use sev_types::launch::snp::{KvmPageType, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::policy::GuestPolicy;

use super::init::check_vcpu_features;
use super::memory::{GuestMemoryLayout, check_range};
use super::update::{Retry, UpdateStats, snp_launch_update_all};
use super::{Finished, New, PAGE_SIZE, SnpInit, Started};
use crate::error::{DeviceResultExt, HostError};

/// Bytes of an ID block.
pub const ID_BLOCK_SIZE: usize = 96;
/// Bytes of an ID authentication structure.
pub const ID_AUTH_SIZE: usize = 4096;

/// An ID block and its ID authentication structure.
pub type IdBlockPair = (Box<[u8; ID_BLOCK_SIZE]>, Box<[u8; ID_AUTH_SIZE]>);

/// SNP_LAUNCH_START parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnpStart {
    /// The guest policy (bit 17 must be set; no reserved bit may be).
    pub policy: GuestPolicy,
    /// Guest-OS-visible workarounds (copied to the secrets page).
    pub gosvw: [u8; 16],
}

impl Default for SnpStart {
    /// Policy `0x30000` (SMT allowed, the must-be-one bit), no workarounds.
    fn default() -> Self {
        SnpStart {
            policy: GuestPolicy::SMT | GuestPolicy::RESERVED_MBO,
            gosvw: [0; 16],
        }
    }
}

/// SNP_LAUNCH_FINISH parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SnpFinish {
    /// The ID block (96 bytes) and ID authentication structure (4096 bytes), if any.
    pub id_block: Option<IdBlockPair>,
    /// Whether the ID authentication structure carries an author key (needs `id_block`).
    pub auth_key_en: bool,
    /// Whether VCEK-signed reports are disabled for this guest.
    pub vcek_disabled: bool,
    /// Host data placed in every report.
    pub host_data: [u8; 32],
}

/// An SNP launch that owns its device; `S` is the launch state ([`New`], [`Started`],
/// [`Finished`]).
///
/// ```
/// use sev_host::launch::{SnpFinish, SnpInit, SnpLauncher, SnpStart};
/// use sev_measure::vmsa::{BSP_EIP, VmmType, build};
/// use sev_sim::host::{HostConfig, SimHost};
/// use sev_types::Product;
/// use sev_types::launch::snp::KvmPageType;
///
/// let host = SimHost::new(HostConfig::new(Product::Genoa));
/// let init = SnpInit::default();
/// let mut launcher = SnpLauncher::new(host.create_snp_vm(), &init)?;
/// launcher.add_memory(0, 0x10_0000)?;
/// launcher.add_vcpu(0, &build(VmmType::Qemu, BSP_EIP, 0x00A1_0F10, init.guest_features().bits()))?;
/// let mut launcher = launcher.start(&SnpStart::default())?;
/// launcher.update(0x1000, KvmPageType::Normal, &[0x90; 0x2000])?;
/// launcher.update_zero(0x3000, 0x1000, KvmPageType::Zero)?;
/// let _vm = launcher.finish(&SnpFinish::default())?.into_device();
/// # Ok::<(), sev_host::HostError>(())
/// ```
#[derive(Debug)]
pub struct SnpLauncher<D, S> {
    dev: D,
    init: SnpInit,
    layout: GuestMemoryLayout,
    vcpus: u32,
    retry: Retry,
    _state: PhantomData<S>,
}

impl<D, S> SnpLauncher<D, S> {
    fn into_state<T>(self) -> SnpLauncher<D, T> {
        SnpLauncher {
            dev: self.dev,
            init: self.init,
            layout: self.layout,
            vcpus: self.vcpus,
            retry: self.retry,
            _state: PhantomData,
        }
    }

    /// The device.
    pub fn device(&self) -> &D {
        &self.dev
    }

    /// Gives the device back (in whatever state the launch left it).
    pub fn into_device(self) -> D {
        self.dev
    }

    /// The INIT2 parameters the VM was initialised with.
    pub fn init(&self) -> &SnpInit {
        &self.init
    }

    /// The memory mapped so far.
    pub fn layout(&self) -> &GuestMemoryLayout {
        &self.layout
    }

    /// Number of vCPUs added.
    pub fn vcpus(&self) -> u32 {
        self.vcpus
    }

    /// Sets the retry bound of SNP_LAUNCH_UPDATE.
    pub fn set_retry(&mut self, retry: Retry) {
        self.retry = retry;
    }
}

impl<D: SnpLaunchDevice> SnpLauncher<D, New> {
    /// Validates `init` and issues `KVM_SEV_INIT2` on `dev` (an SNP VM).
    pub fn new(mut dev: D, init: &SnpInit) -> Result<Self, HostError> {
        let payload = init.payload()?;
        dev.sev_init2(&payload).step("KVM_SEV_INIT2 (SNP)")?;
        Ok(SnpLauncher {
            dev,
            init: *init,
            layout: GuestMemoryLayout::new(),
            vcpus: 0,
            retry: Retry::default(),
            _state: PhantomData,
        })
    }

    /// `KVM_SEV_SNP_ENABLE_REQ_CERTS` (Linux 7.0): the guest's certificate requests exit to
    /// the VMM, which answers them. KVM takes it only before the first vCPU is created.
    pub fn enable_req_certs(&mut self) -> Result<(), HostError> {
        if self.vcpus != 0 {
            return Err(HostError::invalid(
                "SNP_ENABLE_REQ_CERTS",
                "no vCPU created yet",
                format!("{} vCPUs", self.vcpus),
            ));
        }
        self.dev.snp_enable_req_certs().step("SNP_ENABLE_REQ_CERTS")
    }

    /// Maps `[gpa, gpa + size)` as a memslot backed by a new guest_memfd of `size` bytes.
    pub fn add_memory(&mut self, gpa: u64, size: u64) -> Result<(), HostError> {
        self.layout.map(&mut self.dev, "SNP memory region", gpa, size, true)
    }

    /// Maps every region of `layout` ([`Self::add_memory`]).
    pub fn add_layout(&mut self, layout: &GuestMemoryLayout) -> Result<(), HostError> {
        for &(gpa, size) in layout.regions() {
            self.add_memory(gpa, size)?;
        }
        Ok(())
    }

    /// Creates vCPU `id` with initial state `state`, whose SEV_FEATURES must be the VM's
    /// guest features ([`SnpInit::guest_features`]).
    pub fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), HostError> {
        check_vcpu_features(
            self.init.guest_features().bits(),
            state,
            "SNPActive and the INIT2 vmsa_features",
        )?;
        self.dev.add_vcpu(id, state).step("KVM_CREATE_VCPU")?;
        self.vcpus += 1;
        Ok(())
    }

    /// `KVM_SEV_SNP_LAUNCH_START` with a checked policy.
    pub fn start(mut self, start: &SnpStart) -> Result<SnpLauncher<D, Started>, HostError> {
        let policy = start.policy;
        if !policy.contains(GuestPolicy::RESERVED_MBO) || policy.reserved_bits() != 0 {
            return Err(HostError::invalid(
                "SNP guest policy",
                "bit 17 set and bits 63:26 clear",
                format!("{:#x}", policy.bits()),
            ));
        }
        let payload = KvmSnpLaunchStart::new(policy).with_gosvw(start.gosvw);
        self.dev.snp_launch_start(&payload).step("SNP_LAUNCH_START")?;
        Ok(self.into_state())
    }
}

impl<D: SnpLaunchDevice> SnpLauncher<D, Started> {
    /// Makes `[gpa, gpa + data.len())` private and launches `data` into it as `page_type`,
    /// resuming partial updates ([`snp_launch_update_all`]).
    pub fn update(&mut self, gpa: u64, page_type: KvmPageType, data: &[u8]) -> Result<UpdateStats, HostError> {
        let len = data.len() as u64;
        check_range("SNP launch update range", gpa, len)?;
        if !self.layout.contains(gpa, len) {
            return Err(HostError::invalid(
                "SNP launch update range",
                "inside one mapped memory region",
                format!("[{gpa:#x}, {:#x})", gpa + len),
            ));
        }
        self.dev
            .set_memory_attributes(gpa, len, MemoryAttributes::PRIVATE)
            .step("KVM_SET_MEMORY_ATTRIBUTES (private)")?;
        snp_launch_update_all(&mut self.dev, gpa / PAGE_SIZE, page_type, data, self.retry)
    }

    /// Launches `len` bytes of pages whose contents the firmware chooses or ignores (ZERO,
    /// SECRETS, UNMEASURED) from an all-zero source.
    pub fn update_zero(&mut self, gpa: u64, len: u64, page_type: KvmPageType) -> Result<UpdateStats, HostError> {
        let size = usize::try_from(len)
            .map_err(|_| HostError::invalid("SNP launch update length", "addressable", len.to_string()))?;
        self.update(gpa, page_type, &vec![0u8; size])
    }

    /// `KVM_SEV_SNP_LAUNCH_FINISH`: KVM measures each vCPU's VMSA, then the launch finishes.
    pub fn finish(mut self, finish: &SnpFinish) -> Result<SnpLauncher<D, Finished>, HostError> {
        if finish.auth_key_en && finish.id_block.is_none() {
            return Err(HostError::invalid(
                "SNP_LAUNCH_FINISH auth_key_en",
                "an ID block and ID auth structure",
                "auth_key_en without an ID block",
            ));
        }
        let args = SnpLaunchFinish {
            id_block: finish.id_block.as_ref().map(|(block, auth)| (&**block, &**auth)),
            auth_key_en: finish.auth_key_en,
            vcek_disabled: finish.vcek_disabled,
            host_data: finish.host_data,
        };
        self.dev.snp_launch_finish(&args).step("SNP_LAUNCH_FINISH")?;
        Ok(self.into_state())
    }
}

impl<D> SnpLauncher<D, Finished> {
    /// The device, to run the guest.
    pub fn device_mut(&mut self) -> &mut D {
        &mut self.dev
    }
}
