//! SEV-SNP verification: AMD certificate chains, report signatures and their binding to the
//! VCEK/VLEK, the strict rules of the report ABI, CRLs, certificate tables, a verified-chain
//! cache and batch verification.
//!
//! The chain is ARK (self-signed, byte-identical to a built-in or pinned root) → ASK → VCEK, or
//! ARK → ASVK → VLEK. Roles come from certificate contents. Every check takes the time from the
//! caller; the core has no clock. Everything is strict by default: reserved report fields must
//! be zero, unknown report versions are refused, certificates and CRLs must use AMD's only
//! signature scheme and carry their role's constraints. [`Relaxations`] names each exception.
//!
//! [`Verifier`] holds what verification needs (provider, trust store, cache, relaxations); the
//! free functions ([`verify_report`], [`verify_chain`], ...) are thin wrappers for one-off use.
//!
//! ```
//! use sev_verify::snp::{ErrorKind, Verifier};
//! use sev_types::{report::Report, Product};
//! let verifier = Verifier::builtin(sev_verify::crypto::default_provider());
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev");
//! let bytes = std::fs::read(format!("{dir}/report.bin"))?;
//! let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
//! let now = 1_764_547_200; // 2025-12-01
//! let verified = verifier.verify_der(&Report::from_bytes(&bytes)?, &[&vcek], now)?;
//! assert_eq!(verified.product(), Product::Milan);
//! assert!(verified.hwid_checked());
//!
//! let mut tampered = bytes.clone();
//! tampered[0x50] ^= 1; // one bit of REPORT_DATA
//! let err = verifier.verify_der(&Report::from_bytes(&tampered)?, &[&vcek], now).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Signature);
//!
//! let mut padded = bytes.clone();
//! padded[0x400] = 1; // unsigned, but must be zero
//! let err = verifier.verify_der(&Report::from_bytes(&padded)?, &[&vcek], now).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Nonconforming);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod amd_ext;
#[cfg(feature = "std")]
pub mod batch;
pub mod bundle;
mod cache;
mod cert;
pub mod cert_table;
mod chain;
mod crl;
mod error;
pub mod pem;
mod report;
mod revocation;
mod role;
mod roots;
pub mod strict;
mod verified;
mod verifier;
mod x509;

pub use amd_ext::AmdExtensions;
pub use bundle::CertBundle;
pub use cache::ChainCache;
pub use cert::{AmdCert, PssScheme, PublicKey};
pub use cert_table::verify_report_with_table;
pub use chain::{verify_chain, verify_parsed_chain};
pub use crl::Crl;
pub use error::{ErrorKind, HexBytes, SnpError, Subject};
#[cfg(feature = "std")]
pub use report::unix_now;
pub use report::{
    VerifyOptions, check_conformance, signer_of, verify_report, verify_report_signature, verify_report_with_chain,
};
pub use revocation::apply_crls;
pub use role::{Endorsement, Role};
pub use roots::{BUILTIN_PRODUCTS, TrustStore, builtin_cert};
pub use strict::{NEWEST_REPORT_VERSION, Relaxations};
pub use verified::{VerifiedChain, VerifiedReport};
pub use verifier::Verifier;
