//! The host side of the simulated secure processor: the platform behind
//! [`sev_sys::seam::PlatformDevice`] and launches behind [`sev_sys::seam::SevLaunchDevice`] and
//! [`sev_sys::seam::SnpLaunchDevice`].
//!
//! One [`SimHost`] is one simulated machine: cloning it gives another handle on the same
//! platform (as opening `/dev/sev` twice does), and the VMs it creates share its state, so a
//! TCB set with `SNP_SET_CONFIG` or a VLEK loaded with `SNP_VLEK_LOAD` shows in the reports of
//! guests launched afterwards.

mod legacy;
mod memory;
mod platform;
mod snp;

pub use legacy::SimSevVm;
pub use legacy::{GHCB_VERSION_MAX, SEV_ES_DEBUG_SWAP, SIM_ARK_KEY_ID, SIM_ASK_KEY_ID, sim_ark, sim_ask};
pub use memory::SimMemory;
pub use platform::{HostConfig, SimHost};
pub use snp::{SimSnpVm, wrap_vlek_hashstick};
