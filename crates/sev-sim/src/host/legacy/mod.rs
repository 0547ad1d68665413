//! The SEV (legacy) platform and SEV / SEV-ES launches. OWNED BY HELPER sim-sev: placeholder.

use sev_sys::Error;
use sev_sys::seam::{GuestMemfdId, MemoryAttributes, MemorySlot};
use sev_sys::seam::{PdhCertExport, SevGuestStatus, SevLaunchDevice, SevLaunchStart, VmMemory};
use sev_types::launch::sev::LaunchSecretHeader;
use sev_types::launch::snp::KvmSevInit;
use sev_types::launch::vmsa::SaveArea;
use sev_types::platform::SevUserDataStatus;

use super::memory::SimMemory;
use super::platform::{HostConfig, SimHost};

fn unimplemented_op(op: &'static str) -> Error {
    sev_sys::IoctlError::new(op, crate::errno::ENOTTY).into()
}

/// The SEV platform state machine (placeholder).
#[derive(Debug)]
pub(crate) struct LegacyPlatform;

impl LegacyPlatform {
    pub(crate) fn new(_config: &HostConfig) -> Self {
        LegacyPlatform
    }
    pub(crate) fn platform_status(&mut self, _config: &HostConfig) -> Result<SevUserDataStatus, Error> {
        Err(unimplemented_op("SEV_PLATFORM_STATUS"))
    }
    pub(crate) fn factory_reset(&mut self, _config: &HostConfig) -> Result<(), Error> {
        Err(unimplemented_op("SEV_FACTORY_RESET"))
    }
    pub(crate) fn pek_gen(&mut self) -> Result<(), Error> {
        Err(unimplemented_op("SEV_PEK_GEN"))
    }
    pub(crate) fn pek_csr(&mut self) -> Result<Vec<u8>, Error> {
        Err(unimplemented_op("SEV_PEK_CSR"))
    }
    pub(crate) fn pdh_gen(&mut self) -> Result<(), Error> {
        Err(unimplemented_op("SEV_PDH_GEN"))
    }
    pub(crate) fn pdh_cert_export(&mut self) -> Result<PdhCertExport, Error> {
        Err(unimplemented_op("SEV_PDH_CERT_EXPORT"))
    }
    pub(crate) fn pek_cert_import(&mut self, _pek: &[u8], _oca: &[u8]) -> Result<(), Error> {
        Err(unimplemented_op("SEV_PEK_CERT_IMPORT"))
    }
}

/// A simulated SEV or SEV-ES VM (placeholder).
#[derive(Debug)]
pub struct SimSevVm {
    _host: SimHost,
    _es: bool,
    memory: SimMemory,
}

impl SimSevVm {
    pub(crate) fn new(host: SimHost, es: bool) -> Self {
        SimSevVm {
            _host: host,
            _es: es,
            memory: SimMemory::new(),
        }
    }
}

impl VmMemory for SimSevVm {
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

impl SevLaunchDevice for SimSevVm {
    fn sev_init2(&mut self, _init: &KvmSevInit) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_INIT2"))
    }
    fn add_vcpu(&mut self, _id: u32, _state: &SaveArea) -> Result<(), Error> {
        Err(unimplemented_op("KVM_CREATE_VCPU"))
    }
    fn register_encrypted_region(&mut self, _gpa: u64, _size: u64) -> Result<(), Error> {
        Err(unimplemented_op("KVM_MEMORY_ENCRYPT_REG_REGION"))
    }
    fn launch_start(&mut self, _start: &SevLaunchStart<'_>) -> Result<u32, Error> {
        Err(unimplemented_op("KVM_SEV_LAUNCH_START"))
    }
    fn launch_update_data(&mut self, _gpa: u64, _len: u64) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_LAUNCH_UPDATE_DATA"))
    }
    fn launch_update_vmsa(&mut self) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_LAUNCH_UPDATE_VMSA"))
    }
    fn launch_measure(&mut self) -> Result<[u8; 48], Error> {
        Err(unimplemented_op("KVM_SEV_LAUNCH_MEASURE"))
    }
    fn launch_secret(&mut self, _header: &LaunchSecretHeader, _gpa: u64, _transport: &[u8]) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_LAUNCH_SECRET"))
    }
    fn launch_finish(&mut self) -> Result<(), Error> {
        Err(unimplemented_op("KVM_SEV_LAUNCH_FINISH"))
    }
    fn guest_status(&mut self) -> Result<SevGuestStatus, Error> {
        Err(unimplemented_op("KVM_SEV_GUEST_STATUS"))
    }
    fn attestation_report(&mut self, _mnonce: [u8; 16]) -> Result<Vec<u8>, Error> {
        Err(unimplemented_op("KVM_SEV_GET_ATTESTATION_REPORT"))
    }
}
