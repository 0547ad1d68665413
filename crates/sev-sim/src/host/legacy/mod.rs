//! The SEV (legacy) platform and SEV / SEV-ES launches of a simulated machine.
//!
//! * `platform`: the platform state machine and its keys (CEK, OCA, PEK, PDH, all P-384,
//!   derived from the chip ID so a machine is reproducible), behind `/dev/sev`.
//! * `pki`: the TEST ONLY AMD roots ([`sim_ark`], [`sim_ask`]) that sign every chip's CEK.
//! * `session`, `launch`, `vm`: LAUNCH_START with a guest owner's session, the launch context
//!   and [`SimSevVm`] behind [`sev_sys::seam::SevLaunchDevice`].
//!
//! Formats and formulas: `sev-legacy.md` §2–§6.

mod crypto;
mod launch;
mod pki;
mod platform;
mod session;
mod status;
mod vm;

pub use pki::{SIM_ARK_KEY_ID, SIM_ASK_KEY_ID, sim_ark, sim_ask};
pub(crate) use platform::LegacyPlatform;
pub use vm::{GHCB_VERSION_MAX, SEV_ES_DEBUG_SWAP, SimSevVm};
