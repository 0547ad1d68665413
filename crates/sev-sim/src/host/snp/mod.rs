//! The SNP platform and SNP launches. OWNED BY HELPER sim-snp: placeholder.

use sev_sys::Error;
use sev_sys::seam::{GuestMemfdId, MemoryAttributes, MemorySlot, VmMemory};
use sev_sys::seam::{SnpLaunchDevice, SnpLaunchFinish, SnpUpdateProgress};
use sev_types::guest::VlekHashstick;
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::platform::{SnpConfig, SnpPlatformStatus};

use super::memory::SimMemory;
use super::platform::{HostConfig, SimHost};

fn unimplemented_op(op: &'static str) -> Error {
    sev_sys::IoctlError::new(op, crate::errno::ENOTTY).into()
}

/// The SNP platform state (placeholder).
#[derive(Debug)]
pub(crate) struct SnpPlatform;

impl SnpPlatform {
    pub(crate) fn new(_config: &HostConfig) -> Self {
        SnpPlatform
    }
    pub(crate) fn status(&mut self, _config: &HostConfig) -> Result<SnpPlatformStatus, Error> {
        Err(unimplemented_op("SNP_PLATFORM_STATUS"))
    }
    pub(crate) fn commit(&mut self, _config: &mut HostConfig) -> Result<(), Error> {
        Err(unimplemented_op("SNP_COMMIT"))
    }
    pub(crate) fn set_config(&mut self, _config: &mut HostConfig, _c: &SnpConfig) -> Result<(), Error> {
        Err(unimplemented_op("SNP_SET_CONFIG"))
    }
    pub(crate) fn vlek_load(&mut self, _config: &mut HostConfig, _h: &VlekHashstick) -> Result<(), Error> {
        Err(unimplemented_op("SNP_VLEK_LOAD"))
    }
}

/// A simulated SNP VM (placeholder).
#[derive(Debug)]
pub struct SimSnpVm {
    _host: SimHost,
    memory: SimMemory,
}

impl SimSnpVm {
    pub(crate) fn new(host: SimHost) -> Self {
        SimSnpVm {
            _host: host,
            memory: SimMemory::new(),
        }
    }
}

impl VmMemory for SimSnpVm {
    fn create_guest_memfd(&mut self, size: u64, flags: u64) -> Result<GuestMemfdId, Error> {
        self.memory.create_guest_memfd(size, flags)
    }
    fn add_memory_slot(&mut self, slot: &MemorySlot) -> Result<(), Error> {
        self.memory.add_memory_slot(slot)
    }
    fn set_memory_attributes(&mut self, gpa: u64, size: u64, attributes: MemoryAttributes) -> Result<(), Error> {
        self.memory.set_memory_attributes(gpa, size, attributes)
    }
    fn write_memory(&mut self, gpa: u64, data: &[u8]) -> Result<(), Error> {
        self.memory.write(gpa, data)
    }
    fn read_memory(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), Error> {
        self.memory.read(gpa, out)
    }
}

impl SnpLaunchDevice for SimSnpVm {
    fn sev_init2(&mut self, _init: &KvmSevInit) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_INIT2"))
    }
    fn add_vcpu(&mut self, _id: u32, _state: &SaveArea) -> Result<(), Error> {
        Err(unimplemented_op("KVM_CREATE_VCPU"))
    }
    fn snp_launch_start(&mut self, _start: &KvmSnpLaunchStart) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_SNP_LAUNCH_START"))
    }
    fn snp_launch_update(&mut self, _gfn: u64, _t: KvmPageType, _src: &[u8]) -> Result<SnpUpdateProgress, Error> {
        Err(unimplemented_op("KVM_SEV_SNP_LAUNCH_UPDATE"))
    }
    fn snp_launch_finish(&mut self, _finish: &SnpLaunchFinish<'_>) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_SNP_LAUNCH_FINISH"))
    }
    fn snp_enable_req_certs(&mut self) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_SNP_ENABLE_REQ_CERTS"))
    }
}
