//! KVM's SEV-SNP launch commands on one VM.

use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;

use super::memory::VmMemory;
use crate::error::Error;

/// Bytes of an ID block.
pub const ID_BLOCK_SIZE: usize = 96;
/// Bytes of an ID authentication structure.
pub const ID_AUTH_SIZE: usize = 4096;

/// The arguments of `KVM_SEV_SNP_LAUNCH_FINISH`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SnpLaunchFinish<'a> {
    /// The 96-byte ID block and the 4096-byte ID authentication structure, if any.
    pub id_block: Option<(&'a [u8; ID_BLOCK_SIZE], &'a [u8; ID_AUTH_SIZE])>,
    /// Whether the ID authentication structure carries an author key.
    pub auth_key_en: bool,
    /// Whether VCEK-signed reports are disabled for this guest.
    pub vcek_disabled: bool,
    /// Host data placed in every report.
    pub host_data: [u8; 32],
}

/// How far one `KVM_SEV_SNP_LAUNCH_UPDATE` call got: the kernel advances `gfn_start`, `uaddr`
/// and `len` as it consumes pages and may stop early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnpUpdateProgress {
    /// Bytes consumed by this call (a page multiple).
    pub consumed: u64,
}

/// `KVM_MEMORY_ENCRYPT_OP` for SEV-SNP guests (VM type `KVM_X86_SNP_VM`).
pub trait SnpLaunchDevice: VmMemory {
    /// `KVM_SEV_INIT2`.
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error>;
    /// Creates vCPU `id` whose registers start as `state`; KVM turns it into the vCPU's VMSA
    /// at launch finish.
    fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error>;
    /// `KVM_SEV_SNP_LAUNCH_START`.
    fn snp_launch_start(&mut self, start: &KvmSnpLaunchStart) -> Result<(), Error>;
    /// One `KVM_SEV_SNP_LAUNCH_UPDATE` call: `src` (a page multiple) into private memory from
    /// frame `gfn_start`. It may consume less than all of `src` (resume with the rest) or fail
    /// with `EAGAIN` (retry); callers loop, as `sev-host`'s launcher does.
    fn snp_launch_update(
        &mut self,
        gfn_start: u64,
        page_type: KvmPageType,
        src: &[u8],
    ) -> Result<SnpUpdateProgress, Error>;
    /// `KVM_SEV_SNP_LAUNCH_FINISH`: measures each vCPU's VMSA, then finishes the launch.
    fn snp_launch_finish(&mut self, finish: &SnpLaunchFinish<'_>) -> Result<(), Error>;
    /// `KVM_SEV_SNP_ENABLE_REQ_CERTS` (Linux 7.0): guest certificate requests exit to the VMM.
    fn snp_enable_req_certs(&mut self) -> Result<(), Error>;
}
