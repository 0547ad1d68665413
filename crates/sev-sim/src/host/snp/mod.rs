//! The SNP side of a simulated machine: the platform commands of `/dev/sev` (SNP_PLATFORM_STATUS,
//! SNP_COMMIT, SNP_SET_CONFIG, SNP_VLEK_LOAD) and SNP launches behind
//! [`sev_sys::seam::SnpLaunchDevice`].
//!
//! * [`platform`]: the platform state and its commands; the reported TCB, the chip-ID / chip-key
//!   masks and a loaded VLEK go into the machine's guest template, so later reports show them.
//! * [`vlek`]: the sim-only hashstick wrapping ([`wrap_vlek_hashstick`]) and its check.
//! * [`vm`]: [`SimSnpVm`], one VM: memory (KVM's checks), the launch commands and the guest
//!   [`crate::Sim`] it becomes after LAUNCH_FINISH.
//! * [`launch`]: the launch state machine (INIT2, vCPUs, LAUNCH_START / UPDATE / FINISH).
//! * [`pages`]: what the firmware does with each page type (digest, CPUID check, secrets page).
//! * [`id_check`]: the ID block and ID authentication checks of LAUNCH_FINISH.
//!
//! Errors follow the kernel: checks KVM makes itself fail with their errno and no firmware
//! status; firmware refusals fail with `EIO` and the [`FirmwareStatus`] in the error.
//!
//! [`FirmwareStatus`]: sev_types::status::FirmwareStatus

mod errors;
mod id_check;
mod launch;
mod pages;
mod platform;
mod vlek;
mod vm;

pub(crate) use platform::SnpPlatform;
pub use vlek::wrap_vlek_hashstick;
pub use vm::SimSnpVm;
