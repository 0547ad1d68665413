//! Fetching AMD SEV-SNP collateral — VCEK certificates, CA chains (ASK/ASVK and ARK) and CRLs —
//! from AMD's Key Distribution Service (KDS), with an on-disk cache shared by processes and
//! machines, rate-limit handling, and offline bundles for air-gapped verification.
//!
//! `sev-verify` builds the KDS URLs and verifies; this crate does the I/O:
//!
//! * [`HttpClient`]: blocking HTTPS (ureq over rustls with aws-lc-rs), base URL from
//!   [`KdsConfig`] (AMD's KDS by default), proxy from `HTTPS_PROXY`/`NO_PROXY`, timeouts, and
//!   retries on 429 and 503 that honour `Retry-After` within a bound ([`RetryPolicy`]);
//! * [`Checker`]: every response is parsed and checked against the request (role, product,
//!   hwID, TCB, signatures under the trusted AMD keys) before it is cached or returned;
//! * [`DiskCache`]: one plain file per object, atomic writes, age and size bounds;
//! * [`Kds`]: bundle, then cache, then network; CRLs are refreshed after their nextUpdate; it
//!   implements `sev_verify::kds::KdsFetch`;
//! * [`Bundle`]: the collateral of a set of reports in one file, to verify with no network;
//! * [`testing::FakeKds`]: a fake KDS on 127.0.0.1 with programmable faults, for tests.
//!
//! See [`Kds`] for a runnable example against the fake server.
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]

mod bundle;
mod cache;
mod check;
mod error;
mod fetcher;
mod http;
mod retry;
pub mod testing;

pub use bundle::{BUNDLE_HEADER, Bundle, MAX_BUNDLE};
pub use cache::{CacheEntry, CacheLimits, DiskCache, PruneStats};
pub use check::{Checked, Checker};
pub use error::{CheckError, FetchError};
pub use fetcher::{Collateral, Fetched, Kds, Source, Wanted};
pub use http::{AMD_KDS_URL, HttpClient, KdsConfig, MAX_BODY};
pub use retry::{RetryPolicy, parse_retry_after};
