//! Zero-copy types for the AMD SEV, SEV-ES and SEV-SNP ABIs.
//!
//! Every structure that AMD firmware or the Linux kernel exchanges is modelled here as a
//! `#[repr(C)]` type with explicit little-endian fields ([`zerocopy`] `U16`/`U32`/`U64`), so a
//! received buffer can be viewed in place without copying and without alignment concerns.
//! Parsers are total: they return [`ParseError`] on short or malformed input and never panic.
//!
//! * [`report`]: the SNP attestation report (versions 2, 3, 5 and later) as a borrowed view.
//! * [`product`] and [`tcb`]: the product table and product-specific TCB layouts.
//! * [`policy`], [`platform_info`], [`key_info`]: the report's flag words.
//! * [`guest`]: guest-request messages, the extended-report certificate table, VLEK hashsticks.
//! * [`platform`]: `/dev/sev` platform buffers (PLATFORM_STATUS, SNP_PLATFORM_STATUS, ...).
//! * [`launch`]: SEV and SNP launch buffers, ID block, PAGE_INFO, VMSA.
//! * [`legacy`]: SEV (pre-SNP) certificate formats.
//! * [`status`]: every firmware status and VMM error code, named.
//!
//! ```
//! use sev_types::report::Report;
//! # let bytes = include_bytes!("../../../fixtures/snp/milan/gosev/report.bin");
//! let report = Report::from_bytes(bytes)?;
//! assert_eq!(report.version(), 2);
//! assert_eq!(report.signed_bytes().len(), 0x2A0);
//! # Ok::<(), sev_types::ParseError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
#[allow(unused_extern_crates)]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod ecdsa;
mod error;
#[cfg(feature = "serde")]
mod flags_serde;
pub mod fmt;
pub mod guest;
pub mod guid;
pub mod key_info;
pub mod launch;
pub mod legacy;
pub mod platform;
pub mod platform_info;
pub mod policy;
pub mod product;
pub mod report;
pub mod status;
pub mod tcb;
mod view;

pub use error::ParseError;
pub use guid::Guid;
pub use product::Product;
pub use tcb::{Tcb, TcbVersion};

/// Little-endian integer types used in every wire structure.
pub use zerocopy::byteorder::little_endian::{U16, U32, U64};
