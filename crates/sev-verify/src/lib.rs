//! Verification of AMD SEV-SNP and SEV evidence.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub use sev_types;

pub mod crypto;
pub mod kds;
pub mod legacy;
pub mod policy;
pub mod snp;
pub mod time;
