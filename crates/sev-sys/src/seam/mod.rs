//! The device seams: one trait per kernel object, one typed method per command.
//!
//! Code above the seams (`sev-host`'s platform and launch APIs, `snp-guest`) is written once
//! against these traits, so the simulator in `sev-sim` can stand behind every call on any
//! machine. The real Linux objects implement them: [`crate::SevDevice`] for `/dev/sev`, the
//! owned KVM VM wrappers for launches, and [`crate::SevGuestDevice`] for `/dev/sev-guest`
//! (whose seam is [`crate::GuestTransport`]).
//!
//! One vocabulary runs through them: payloads are `sev_types` values (policies, page types,
//! INIT2 and launch-start payloads, VMSAs, platform status), never kernel envelopes, and no
//! user-space address crosses a seam: guest memory is owned by the device behind it and named
//! by guest physical address.
//!
//! ```
//! use sev_sys::seam::PlatformDevice;
//! use sev_sys::Error;
//!
//! /// Platform logic written once, runnable against hardware or a simulator.
//! fn snp_ready(dev: &mut impl PlatformDevice) -> Result<bool, Error> {
//!     Ok(dev.snp_platform_status()?.is_rmp_initialized())
//! }
//! ```

mod memory;
mod platform;
mod sev_launch;
mod snp_launch;

pub use memory::{GuestMemfdId, MemoryAttributes, MemorySlot, VmMemory};
pub use platform::{PdhCertExport, PlatformDevice};
pub use sev_launch::{SevGuestStatus, SevLaunchDevice, SevLaunchStart};
pub use snp_launch::{SnpLaunchDevice, SnpLaunchFinish, SnpUpdateProgress};
