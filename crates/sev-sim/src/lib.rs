//! A software model of the AMD secure processor, for tests without SEV hardware.
//!
//! Everything it signs is signed with *test* keys committed in this crate: a fake AMD PKI
//! (ARK, ASK, ASVK, VCEK, VLEK) that no real verifier trusts. It plugs in under the same seams
//! as the real devices ([`sev_sys::GuestTransport`], [`sev_sys::TsmFs`]), so the code above the
//! seam is the code under test.
//!
//! * [`pki`]: the fake AMD PKI (TEST keys), every certificate and CRL field overridable.
//! * [`report_spec`]: reports built field by field and signed with a test key.
//! * [`host`]: the host side — one simulated machine ([`host::SimHost`]) behind the platform
//!   seam, and the SEV, SEV-ES and SNP launches of its VMs behind the launch seams.
//! * [`Sim`]: the guest side of the secure processor — a configurable guest ([`GuestConfig`])
//!   whose reports, certificate table and derived keys it produces, with error injection
//!   ([`Fault`]) and a [`sev_sys::GuestTransport`] implementation that answers like
//!   `/dev/sev-guest` does.
//!
//! ```
//! use sev_sim::{GuestConfig, Sim};
//! use sev_types::Product;
//! let sim = Sim::new(GuestConfig::new(Product::Genoa)).unwrap();
//! let report = sim.report(&[7; 64], 0).unwrap();
//! let view = sev_types::report::Report::from_bytes(&report).unwrap();
//! assert_eq!(view.report_data(), &[7; 64]);
//! assert_eq!(view.product(), Some(Product::Genoa));
//! ```
#![forbid(unsafe_code)]

mod config;
mod derive;
mod engine;
pub mod errno;
mod error;
mod fault;
pub mod host;
pub mod pki;
pub mod report_spec;
mod transport;
pub mod tsm;

pub use config::{Endorser, GuestConfig};
pub use engine::Sim;
pub use error::SimError;
pub use fault::Fault;
