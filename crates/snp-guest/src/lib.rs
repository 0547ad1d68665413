//! Attestation evidence and derived keys from inside an AMD SEV-SNP guest.
//!
//! Two kernel interfaces lead to the secure processor: the `/dev/sev-guest` ioctls and the
//! configfs-tsm report tree (Linux 6.7 and later, the only one that carries SVSM manifests).
//! Both sit behind seams of `sev-sys` ([`sev_sys::GuestTransport`], [`sev_sys::TsmFs`]), so the
//! code here runs unchanged against real devices and against `sev-sim`.
//!
//! * [`GuestClient`] ([`ioctl`]): `/dev/sev-guest` — reports, extended reports with the host's
//!   certificate table (two-call resize protocol), derived keys ([`DerivedKeyRequest`]), busy
//!   retries ([`RetryPolicy`]) and typed failures with a diagnosis ([`GuestError`]).
//! * [`configfs`]: configfs-tsm reports (with SVSM manifests).
//! * [`Evidence`]: what either produces; with the default `verify` feature it converts to a
//!   `sev-verify` certificate bundle and verifies itself.
//!
//! ```no_run
//! # #[cfg(target_os = "linux")] {
//! use snp_guest::{DEFAULT_VMPL, GuestClient, GuestError};
//! match GuestClient::open() {
//!     Ok(mut guest) => {
//!         let evidence = guest.ext_report(&[0; 64], DEFAULT_VMPL)?;
//!         println!("{} report bytes, {} certificate bytes", evidence.report.len(), evidence.certs.len());
//!     }
//!     Err(e @ GuestError::DeviceAbsent { .. }) => eprintln!("{e}: {}", e.diagnosis()),
//!     Err(e) => return Err(e),
//! }
//! # }
//! # Ok::<(), snp_guest::GuestError>(())
//! ```
#![forbid(unsafe_code)]

pub mod auto;
pub mod configfs;
pub mod error;
pub mod evidence;
pub mod ioctl;
pub mod retry;

pub use error::GuestError;
pub use evidence::{Evidence, EvidenceSource, Provider};
pub use ioctl::{DEFAULT_VMPL, DerivedKeyRequest, GuestClient};
pub use retry::RetryPolicy;
