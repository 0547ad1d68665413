//! SNP report verification per backend, on the real Milan report and VCEK of
//! fixtures/snp/milan/routex-v3 with the built-in roots:
//! * `cold`: no cache (ARK self-signature, ARK→ASK, ASK→VCEK, report);
//! * `new_vcek`: the ASK was checked before (a cache warmed with another Milan VCEK's chain),
//!   the VCEK is new (ASK→VCEK, report);
//! * `cached_chain`: the chain is cached (report signature and binding checks only).
//!
//! The published `sev` 8.0 crate is measured on the same files by the separate crate in
//! `crates/sev-verify/compare-sev8/` (its two crypto features cannot coexist in one build).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sev_types::report::Report;
use sev_verify::crypto::all_providers;
use sev_verify::snp::batch::{BatchItem, verify_batch};
use sev_verify::snp::{ChainCache, TrustStore, VerifyOptions, verify_report};

const NOW: u64 = 1_764_547_200;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn bench(c: &mut Criterion) {
    let report_bytes = fixture("snp/milan/routex-v3/report.bin");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let other_vcek = fixture("snp/milan/gosev/vcek.der");
    let report = Report::from_bytes(&report_bytes).expect("report");
    for provider in all_providers() {
        let store = TrustStore::builtin(&provider);
        let mut g = c.benchmark_group(format!("snp_verify/{}", provider.name));
        g.bench_function("cold", |b| {
            b.iter(|| verify_report(&provider, &store, &report, &[&vcek], &VerifyOptions::at(NOW)).expect("valid"))
        });
        g.bench_function("new_vcek", |b| {
            b.iter_batched(
                || {
                    let cache = ChainCache::new(16);
                    let _ = sev_verify::snp::verify_chain(
                        &provider,
                        &store,
                        &[&other_vcek],
                        Some(sev_verify::snp::Endorsement::Vcek),
                        NOW,
                        Some(&cache),
                    );
                    cache
                },
                |cache| {
                    let mut opts = VerifyOptions::at(NOW);
                    opts.cache = Some(&cache);
                    verify_report(&provider, &store, &report, &[&vcek], &opts).expect("valid");
                    cache
                },
                BatchSize::SmallInput,
            )
        });
        let cache = ChainCache::new(16);
        let mut opts = VerifyOptions::at(NOW);
        opts.cache = Some(&cache);
        g.bench_function("cached_chain", |b| {
            b.iter(|| verify_report(&provider, &store, &report, &[&vcek], &opts).expect("valid"))
        });
        let chain = sev_verify::snp::verify_chain(
            &provider,
            &store,
            &[&vcek],
            Some(sev_verify::snp::Endorsement::Vcek),
            NOW,
            None,
        )
        .expect("chain");
        g.bench_function("cached_chain_lookup_only", |b| {
            b.iter(|| {
                sev_verify::snp::verify_chain(
                    &provider,
                    &store,
                    &[&vcek],
                    Some(sev_verify::snp::Endorsement::Vcek),
                    NOW,
                    Some(&cache),
                )
                .expect("valid")
            })
        });
        g.bench_function("floor_report_signature_only", |b| {
            b.iter(|| sev_verify::snp::verify_report_signature(&provider, &report, chain.leaf()).expect("valid"))
        });
        g.finish();
    }
}

/// 64 reports sharing one chain: a loop on one core against [`verify_batch`] on all cores.
fn batch(c: &mut Criterion) {
    let report_bytes = fixture("snp/milan/routex-v3/report.bin");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let provider = all_providers().into_iter().next().expect("a backend");
    let store = TrustStore::builtin(&provider);
    let certs: [&[u8]; 1] = [&vcek];
    let items = vec![
        BatchItem {
            report: &report_bytes,
            certs: &certs
        };
        64
    ];
    let mut g = c.benchmark_group(format!("snp_batch64/{}", provider.name));
    g.bench_function("one_core", |b| {
        b.iter(|| {
            let cache = ChainCache::new(4);
            let mut opts = VerifyOptions::at(NOW);
            opts.cache = Some(&cache);
            for item in &items {
                let r = Report::from_bytes(item.report).expect("report");
                verify_report(&provider, &store, &r, item.certs, &opts).expect("valid");
            }
        })
    });
    g.bench_function("verify_batch", |b| {
        b.iter(|| {
            let results = verify_batch(&provider, &store, &items, &VerifyOptions::at(NOW));
            assert!(results.iter().all(Result::is_ok));
        })
    });
    g.finish();
}

criterion_group!(benches, bench, batch);
criterion_main!(benches);
