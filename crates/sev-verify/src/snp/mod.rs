//! SEV-SNP verification: AMD certificate chains, report signatures and their binding to the
//! VCEK/VLEK, CRLs, certificate tables, a verified-chain cache and batch verification.
//!
//! The chain is ARK (self-signed, byte-identical to a built-in or pinned root) → ASK → VCEK, or
//! ARK → ASVK → VLEK. Roles come from certificate contents. Every check takes the time from the
//! caller; the core has no clock.
//!
//! ```
//! use sev_verify::snp::{verify_report, TrustStore, VerifyOptions};
//! use sev_types::{report::Report, Product};
//! let provider = sev_verify::crypto::default_provider();
//! let store = TrustStore::builtin(&provider);
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev");
//! let bytes = std::fs::read(format!("{dir}/report.bin"))?;
//! let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
//! let report = Report::from_bytes(&bytes)?;
//! let verified = verify_report(&provider, &store, &report, &[&vcek], &VerifyOptions::at(1_764_547_200))?;
//! assert_eq!(verified.product(), Product::Milan);
//! assert!(verified.hwid_checked());
//!
//! let mut tampered = bytes.clone();
//! tampered[0x50] ^= 1; // one bit of REPORT_DATA
//! let report = Report::from_bytes(&tampered)?;
//! let err = verify_report(&provider, &store, &report, &[&vcek], &VerifyOptions::at(1_764_547_200)).unwrap_err();
//! assert_eq!(err.kind(), sev_verify::snp::ErrorKind::Signature);
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
