//! Attestation evidence and derived keys from inside an AMD SEV-SNP guest.
//!
//! Two kernel interfaces lead to the secure processor: the `/dev/sev-guest` ioctls and the
//! configfs-tsm report tree (Linux 6.7 and later, the only one that carries SVSM manifests).
//! Both sit behind seams of `sev-sys` ([`sev_sys::GuestTransport`], [`sev_sys::TsmFs`]), so the
//! code here runs unchanged against real devices and against `sev-sim`.

pub mod evidence;

pub use evidence::{Evidence, EvidenceSource, Provider};
