//! Linux ioctl bindings for AMD SEV and SEV-SNP, with one safe wrapper per command.
//!
//! # Layering
//!
//! * **Payloads** (what a command carries: `kvm_sev_*`, `sev_user_data_*`, launch structures,
//!   VMSAs, platform status) are `sev_types` values, defined once there: zero-copy, no
//!   `unsafe`, layout-checked against the kernel table `fixtures/abi/linux-sev-uapi.tsv`.
//! * **Envelopes** (how a command reaches the kernel) are here, in [`uapi`]: `kvm_sev_cmd`,
//!   `sev_issue_cmd`, `snp_guest_request_ioctl`, and KVM's memory plumbing (memslots,
//!   guest_memfd, memory attributes, device attributes, `enable_cap`), with the command ids and
//!   constants; [`ioctls`] has every request number. The `/dev/sev-guest` request and
//!   response buffers still live in [`uapi::sev_guest`].
//! * **Devices** own their fds and wrap each command: [`SevDevice`] (`/dev/sev`),
//!   [`SevGuestDevice`] (`/dev/sev-guest`), [`SevVm`] (an owned KVM VM with its `/dev/sev` fd,
//!   guest_memfds, vCPUs and guest memory) and [`KvmHost`] (`/dev/kvm` queries). The KVM code
//!   is split by kernel object as kvm-ioctls splits its ioctls (system, VM, memory, vCPU).
//! * **Seams** ([`seam`], [`guest_transport`]): the traits `PlatformDevice`, `VmMemory`,
//!   `SevLaunchDevice`, `SnpLaunchDevice` and `GuestTransport`, in the `sev_types` vocabulary,
//!   so a simulator can stand in for the real devices. The devices here implement them, and
//!   each seam method is also an inherent method with the same name and arguments.
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
