//! Guest launch: typestate launchers over the KVM launch seams.
//!
//! A launcher owns its device (`D: SevLaunchDevice` or `D: SnpLaunchDevice`, taken by value)
//! and moves through the launch states by value, so commands out of order do not compile:
//!
//! * [`SevLauncher`] (SEV and SEV-ES): [`New`] (INIT2, memory, vCPUs) → [`Started`]
//!   (LAUNCH_START; UPDATE_DATA, UPDATE_VMSA) → [`Measured`] (LAUNCH_MEASURE; LAUNCH_SECRET) →
//!   [`Finished`] (LAUNCH_FINISH; guest status, attestation report).
//! * [`SnpLauncher`]: [`New`] (INIT2, guest_memfd memory, vCPUs) → [`Started`]
//!   (SNP_LAUNCH_START; SNP_LAUNCH_UPDATE with resume) → [`Finished`] (SNP_LAUNCH_FINISH).
//! * [`ovmf`]: QEMU's OVMF launch sequences for both, driven through the launchers.
//!
//! ```compile_fail,E0599
//! # use sev_host::launch::{SnpInit, SnpLauncher};
//! # let vm = sev_sim::host::SimHost::new(sev_sim::host::HostConfig::new(sev_types::Product::Genoa)).create_snp_vm();
//! let launcher = SnpLauncher::new(vm, &SnpInit::default())?;
//! // SNP_LAUNCH_FINISH before SNP_LAUNCH_START: `finish` does not exist in state `New`.
//! launcher.finish(&Default::default())?;
//! # Ok::<(), sev_host::HostError>(())
//! ```
//!
//! ```compile_fail,E0599
//! # use sev_host::launch::{SevInit, SevLauncher};
//! # let vm = sev_sim::host::SimHost::new(sev_sim::host::HostConfig::new(sev_types::Product::Milan)).create_sev_vm(false);
//! let mut launcher = SevLauncher::new(vm, &SevInit::sev())?;
//! // LAUNCH_UPDATE_DATA before LAUNCH_START: `update_data` does not exist in state `New`.
//! launcher.update_data(0, &[0; 4096])?;
//! # Ok::<(), sev_host::HostError>(())
//! ```
//!
//! ```compile_fail,E0599
//! # use sev_host::launch::{SevInit, SevLauncher, SevStart};
//! # use sev_types::launch::sev::{LaunchSecretHeader, SevPolicy};
//! # let vm = sev_sim::host::SimHost::new(sev_sim::host::HostConfig::new(sev_types::Product::Milan)).create_sev_vm(false);
//! # let header: LaunchSecretHeader = todo!();
//! let launcher = SevLauncher::new(vm, &SevInit::sev())?;
//! let mut started = launcher.start(&SevStart::without_owner(SevPolicy::empty()))?;
//! // LAUNCH_SECRET before LAUNCH_MEASURE: `inject_secret` exists only once measured.
//! started.inject_secret(0x1000, &header, &[0; 16])?;
//! # Ok::<(), sev_host::HostError>(())
//! ```

mod init;
mod memory;
pub mod ovmf;
mod sev;
mod snp;
mod update;

pub use init::{GHCB_VERSION_MAX, KNOWN_ES_FEATURES, KNOWN_SNP_FEATURES, SevInit, SevMode, SnpInit};
pub use memory::GuestMemoryLayout;
pub use sev::{SevLauncher, SevStart};
pub use snp::{ID_AUTH_SIZE, ID_BLOCK_SIZE, IdBlockPair, SnpFinish, SnpLauncher, SnpStart};
pub use update::{Retry, UpdateStats, snp_launch_update_all};

/// Launch state: the VM is initialised (INIT2); memory and vCPUs may be added.
#[derive(Debug)]
pub struct New;
/// Launch state: LAUNCH_START done; memory and VMSAs are being measured.
#[derive(Debug)]
pub struct Started;
/// Launch state (SEV / SEV-ES): LAUNCH_MEASURE done; secrets may be injected.
#[derive(Debug)]
pub struct Measured;
/// Launch state: LAUNCH_FINISH done; the guest may run.
#[derive(Debug)]
pub struct Finished;

/// Guest page size.
pub const PAGE_SIZE: u64 = 4096;
