//! KVM's SEV and SEV-ES launch commands on one VM.

use sev_types::launch::sev::{LaunchSecretHeader, SevGuestState, SevPolicy};
use sev_types::launch::snp::KvmSevInit;
use sev_types::launch::vmsa::SaveArea;

use super::memory::VmMemory;
use crate::error::Error;

/// The arguments of `KVM_SEV_LAUNCH_START`.
#[derive(Debug, Clone, Copy)]
pub struct SevLaunchStart<'a> {
    /// Handle of a guest to share keys with (0 = new keys).
    pub handle: u32,
    /// The guest policy.
    pub policy: SevPolicy,
    /// The guest owner's PDH certificate (legacy SEV format), or empty.
    pub owner_pdh: &'a [u8],
    /// The launch session blob (`Session`, 0x80 bytes), or empty.
    pub session: &'a [u8],
}

/// `KVM_SEV_GUEST_STATUS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SevGuestStatus {
    /// Guest handle.
    pub handle: u32,
    /// Guest policy.
    pub policy: SevPolicy,
    /// Guest state.
    pub state: SevGuestState,
}

/// `KVM_MEMORY_ENCRYPT_OP` for SEV and SEV-ES guests.
///
/// A VM that is not SEV-capable answers [`Error::SevUnsupported`].
pub trait SevLaunchDevice: VmMemory {
    /// `KVM_SEV_INIT2` (the VM type chose SEV or SEV-ES).
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error>;
    /// Creates vCPU `id` whose registers start as `state` (SEV-ES encrypts it as its VMSA).
    fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error>;
    /// `KVM_MEMORY_ENCRYPT_REG_REGION` over `[gpa, gpa + size)` of shared memory.
    fn register_encrypted_region(&mut self, gpa: u64, size: u64) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_START`: returns the guest handle.
    fn launch_start(&mut self, start: &SevLaunchStart<'_>) -> Result<u32, Error>;
    /// `KVM_SEV_LAUNCH_UPDATE_DATA` over `[gpa, gpa + len)` (encrypted in place).
    fn launch_update_data(&mut self, gpa: u64, len: u64) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_UPDATE_VMSA`: encrypts every vCPU's VMSA (SEV-ES).
    fn launch_update_vmsa(&mut self) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_MEASURE`: the 48-byte `LaunchMeasurement` (MEASURE ‖ MNONCE).
    fn launch_measure(&mut self) -> Result<[u8; 48], Error>;
    /// `KVM_SEV_LAUNCH_SECRET`: injects `transport` (encrypted) at `gpa`.
    fn launch_secret(&mut self, header: &LaunchSecretHeader, gpa: u64, transport: &[u8]) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_FINISH`.
    fn launch_finish(&mut self) -> Result<(), Error>;
    /// `KVM_SEV_GUEST_STATUS`.
    fn guest_status(&mut self) -> Result<SevGuestStatus, Error>;
    /// `KVM_SEV_GET_ATTESTATION_REPORT`: the signed report (`RawAttestationReport` bytes).
    fn attestation_report(&mut self, mnonce: [u8; 16]) -> Result<Vec<u8>, Error>;
}
