//! Raw Linux ioctl bindings for AMD SEV and SEV-SNP, with one safe wrapper per command.
//!
//! * [`uapi`]: `#[repr(C)]` copies of every kernel structure and constant, layout-asserted.
//! * [`ioctls`]: every ioctl request number, in one file.
//! * [`SevDevice`]: `/dev/sev` platform commands (`SEV_ISSUE_CMD`).
//! * [`SevGuestDevice`]: `/dev/sev-guest`, as a [`GuestTransport`] (the guest-request ioctls;
//!   reports and derived keys are built on it by `snp-guest`).
//! * [`SevVm`] and [`KvmHost`]: KVM's SEV interface on a VM fd (`KVM_MEMORY_ENCRYPT_OP`,
//!   guest_memfd, memory attributes) and SEV capabilities of `/dev/kvm`.
//! * [`seam`] and [`guest_transport`]: the seams (`PlatformDevice`, `VmMemory`,
//!   `SevLaunchDevice`, `SnpLaunchDevice`, `GuestTransport`) that let a simulator stand in for
//!   the real devices; implemented here for the real ones.
//!
//! Every failure keeps its errno ([`IoctlError`]) together with the firmware status the kernel
//! reported ([`sev_types::status::FirmwareStatus`]); a missing device node is
//! [`Error::DeviceAbsent`], and a KVM without SEV support is [`Error::SevUnsupported`].
//!
//! ```no_run
//! # #[cfg(target_os = "linux")] {
//! use sev_sys::{Error, SevDevice};
//! match SevDevice::open_read_only() {
//!     Ok(dev) => println!("{:?}", dev.snp_platform_status()?),
//!     Err(Error::DeviceAbsent { .. }) => eprintln!("not an SEV host"),
//!     Err(e) => return Err(e),
//! }
//! # }
//! # Ok::<(), sev_sys::Error>(())
//! ```
#![warn(missing_docs, rust_2018_idioms, unused_qualifications, unnameable_types)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod error;
pub mod guest_transport;
pub mod seam;
pub mod tsm_fs;
pub mod uapi;

#[cfg(target_os = "linux")]
mod guest;
#[cfg(target_os = "linux")]
pub mod ioctls;
#[cfg(target_os = "linux")]
mod kvm;
#[cfg(target_os = "linux")]
mod sev;

pub use error::{Error, IoctlError};
#[cfg(target_os = "linux")]
pub use guest::{DerivedKey, SevGuestDevice};
pub use guest_transport::{CERTS_PAGE_SIZE, CertsBuffer, GuestCommand, GuestTransport, TransportError};
#[cfg(target_os = "linux")]
pub use kvm::{KvmHost, SevVm, VmTypes, pre_fault_memory};
/// The kvm-ioctls version this crate's KVM wrappers borrow from (`Kvm`, `VmFd`).
#[cfg(target_os = "linux")]
pub use kvm_ioctls;
pub use seam::PdhCertExport;
#[cfg(target_os = "linux")]
pub use sev::SevDevice;
pub use tsm_fs::{StdTsmFs, TsmFs};
