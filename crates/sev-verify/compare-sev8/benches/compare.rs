//! The same real Milan report and chain (fixtures/snp/milan/routex-v3 with the Milan ARK/ASK),
//! verified by `sev` 8.0 and by sev-verify on each backend, in one run.

use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sev_types::report::Report;
use sev_verify::crypto::all_providers;
use sev_verify::snp::{ChainCache, Endorsement, TrustStore, Verifier, VerifyOptions, verify_chain, verify_report};
use sev8::certs::snp::{Chain, Verifiable};
use sev8::firmware::guest::AttestationReport;
use sev8::parser::ByteParser;

const NOW: u64 = 1_764_547_200;

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn bench(c: &mut Criterion) {
    let report = fixture("snp/milan/routex-v3/report.bin");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let other_vcek = fixture("snp/milan/gosev/vcek.der");
    let ark = fixture("snp/milan/ark.der");
    let ask = fixture("snp/milan/ask.der");
    let backend = if cfg!(feature = "sev-openssl") {
        "openssl"
    } else {
        "crypto_nossl"
    };
    let mut g = c.benchmark_group("milan_report");
    g.bench_function(format!("sev8-{backend}/parse+chain+report"), |b| {
        b.iter(|| {
            let chain = Chain::from_der(&ark, &ask, &vcek).expect("chain");
            let r = AttestationReport::from_bytes(&report).expect("report");
            (&chain, &r).verify().expect("valid");
        })
    });
    let chain = Chain::from_der(&ark, &ask, &vcek).expect("chain");
    let parsed = AttestationReport::from_bytes(&report).expect("report");
    g.bench_function(format!("sev8-{backend}/chain+report (pre-parsed)"), |b| {
        b.iter(|| (&chain, &parsed).verify().expect("valid"))
    });
    let view = Report::from_bytes(&report).expect("report");
    for provider in all_providers() {
        let store = TrustStore::builtin(&provider);
        g.bench_function(format!("sev-verify-{}/cold", provider.name), |b| {
            b.iter(|| verify_report(&provider, &store, &view, &[&vcek], &VerifyOptions::at(NOW)).expect("valid"))
        });
        g.bench_function(format!("sev-verify-{}/new_vcek", provider.name), |b| {
            b.iter_batched(
                || {
                    let cache = ChainCache::new(16);
                    let _ = verify_chain(&provider, &store, &[&other_vcek], Some(Endorsement::Vcek), NOW, Some(&cache));
                    cache
                },
                |cache| {
                    let mut opts = VerifyOptions::at(NOW);
                    opts.cache = Some(&cache);
                    verify_report(&provider, &store, &view, &[&vcek], &opts).expect("valid");
                    cache
                },
                BatchSize::SmallInput,
            )
        });
        let cache = ChainCache::new(16);
        let mut opts = VerifyOptions::at(NOW);
        opts.cache = Some(&cache);
        g.bench_function(format!("sev-verify-{}/cached_chain", provider.name), |b| {
            b.iter(|| verify_report(&provider, &store, &view, &[&vcek], &opts).expect("valid"))
        });
        let verifier = Verifier::new(provider, store.clone()).with_cache(Arc::new(ChainCache::new(16)));
        g.bench_function(format!("sev-verify-{}/verifier_cached", provider.name), |b| {
            b.iter(|| verifier.verify_der(&view, &[&vcek], NOW).expect("valid"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
