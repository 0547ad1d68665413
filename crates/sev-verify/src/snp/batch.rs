//! Many reports on all cores (std).

use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};

use sev_types::report::Report;

use super::cache::ChainCache;
use super::error::SnpError;
use super::report::{VerifyOptions, verify_report};
use super::roots::TrustStore;
use super::verified::VerifiedReport;
use crate::crypto::CryptoProvider;

/// One report and its certificates (DER, any order).
#[derive(Debug, Clone, Copy)]
pub struct BatchItem<'a> {
    /// The report bytes.
    pub report: &'a [u8],
    /// Its certificates.
    pub certs: &'a [&'a [u8]],
}

/// Verifies every item with [`verify_report`] on all available cores, returning one result per
/// item in input order. Without a cache in `opts`, a batch-local one is used, so a chain shared
/// by many reports is verified once.
///
/// ```
/// use sev_verify::snp::{batch::{verify_batch, BatchItem}, TrustStore, VerifyOptions};
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/azure-v0");
/// let report = std::fs::read(format!("{dir}/report.bin"))?;
/// let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
/// let certs: [&[u8]; 1] = [&vcek];
/// let items = vec![BatchItem { report: &report, certs: &certs }; 8];
/// let results = verify_batch(&provider, &store, &items, &VerifyOptions::at(1_764_547_200));
/// assert!(results.iter().all(Result::is_ok));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_batch(
    provider: &CryptoProvider,
    store: &TrustStore,
    items: &[BatchItem<'_>],
    opts: &VerifyOptions<'_>,
) -> Vec<Result<VerifiedReport, SnpError>> {
    let local = ChainCache::new(64);
    let mut opts = *opts;
    if opts.cache.is_none() {
        opts.cache = Some(&local);
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let one = |item: &BatchItem<'_>| {
        let report = Report::from_bytes(item.report)?;
        verify_report(provider, store, &report, item.certs, &opts)
    };
    let mut done: Vec<(usize, Result<VerifiedReport, SnpError>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, one(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
