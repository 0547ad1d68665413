//! TEST ONLY: the fake AMD SEV-SNP PKI and report signer, re-exported from `sev-sim`, plus
//! test-only helpers that are not published.
//!
//! The fake PKI itself ([`FakePki`], [`CertSpec`], [`CrlSpec`], [`LeafKey`], [`der_build`], …)
//! lives in [`sev_sim::pki`] and [`sev_sim::report_spec`], so that the publishable simulator can
//! sign with it; this crate keeps the old paths (`sev_testing::FakePki`,
//! `sev_testing::der_build::…`, `sev_testing::report::…`) working. [`hostile`], [`peer`] (the
//! pinned sev-snp-measure) and [`data_copies`] are only used by this workspace's tests and stay
//! here.
//!
//! Never trust anything signed by these keys: their private halves are public.
//!
//! ```
//! use sev_testing::{FakePki, LeafKey, ReportSpec, TEST_TIME};
//! use sev_types::Product;
//! let pki = FakePki::new(Product::Milan);
//! let key = LeafKey::vcek_a();
//! let spec = ReportSpec::new(Product::Milan);
//! let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
//! let report = spec.signed(&key);
//! assert_eq!(report.len(), 0x4A0);
//! assert_eq!(vcek[0], 0x30);
//! assert!(TEST_TIME > 1_700_000_000);
//! ```
#![forbid(unsafe_code)]

pub mod data_copies;
pub mod hostile;
pub mod peer;

pub use report::ReportSpec;
pub use sev_sim::pki::*;
/// Attestation reports built field by field and signed with a [`LeafKey`] (re-exported from
/// [`sev_sim::report_spec`]).
pub use sev_sim::report_spec as report;
