//! Verification with a warm cache against verification with the certificates given as files
//! (as `sev verify report --vcek`): the cache path must cost at most 10 % more.
//!
//! Both paths read files, parse them and verify the chain and the report signature; the cache
//! path also finds its files by request and matches them against the request. After the
//! criterion groups, `cargo bench` measures both paths interleaved in the same run, prints the
//! ratio and fails if it exceeds 1.1.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use sev_kds::testing::FakeKds;
use sev_kds::{DiskCache, Kds, KdsConfig, Wanted};
use sev_types::report::Report;
use sev_verify::kds::{Endorsement, KdsRequest};
use sev_verify::snp::{CertBundle, Verifier};

const NOW: u64 = 1_764_547_200;
const CERTS: Wanted = Wanted {
    leaf: true,
    chain: true,
    crl: false,
};

struct Setup {
    report: Vec<u8>,
    vcek_file: PathBuf,
    chain_file: PathBuf,
    cache_dir: PathBuf,
    verifier: Verifier,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn setup() -> Setup {
    let dir = fixtures();
    let report = std::fs::read(dir.join("snp/genoa/routex-v5/report.bin")).unwrap();
    let vcek_file = dir.join("snp/genoa/routex-v5/vcek.der");
    let chain_file = dir.join("kds/vcek_cert_chain_genoa.pem");
    let cache_dir = std::env::temp_dir().join(format!("sev-kds-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache_dir);
    // Warm the cache through the fake KDS once.
    let server = FakeKds::start();
    let r = Report::from_bytes(&report).unwrap();
    server.serve_request(
        &KdsRequest::vcek_for_report(&r, None).unwrap(),
        std::fs::read(&vcek_file).unwrap(),
    );
    let chain_req = KdsRequest::cert_chain(sev_types::Product::Genoa, Endorsement::Vcek).unwrap();
    server.serve_request(&chain_req, std::fs::read(&chain_file).unwrap());
    Kds::new(KdsConfig::with_base_url(server.base_url()))
        .with_cache(DiskCache::open(&cache_dir).unwrap())
        .collateral(&r, None, CERTS, NOW)
        .unwrap();
    Setup {
        report,
        vcek_file,
        chain_file,
        cache_dir,
        verifier: Verifier::builtin(sev_verify::crypto::default_provider()),
    }
}

/// As `sev verify report --vcek FILE` with the chain file added: read, parse, verify.
fn given(s: &Setup) {
    let report = Report::from_bytes(&s.report).unwrap();
    let mut bundle = CertBundle::new();
    bundle.add_file(&std::fs::read(&s.vcek_file).unwrap()).unwrap();
    bundle.add_file(&std::fs::read(&s.chain_file).unwrap()).unwrap();
    black_box(s.verifier.verify(&report, &bundle, NOW).unwrap());
}

/// As `sev verify report --fetch` with a warm cache: open the cache, look up, read, match,
/// parse, verify.
fn cached(s: &Setup) {
    let report = Report::from_bytes(&s.report).unwrap();
    let kds = Kds::offline().with_cache(DiskCache::open(&s.cache_dir).unwrap());
    let c = kds.collateral(&report, None, CERTS, NOW).unwrap();
    black_box(s.verifier.verify(&report, &c.to_bundle().unwrap(), NOW).unwrap());
}

fn bench(c: &mut Criterion) {
    let s = setup();
    let mut g = c.benchmark_group("verify_genoa");
    g.bench_function("certificates_given", |b| b.iter(|| given(&s)));
    g.bench_function("warm_cache", |b| b.iter(|| cached(&s)));
    g.finish();
}

/// The median of `rounds` interleaved batches of each path, and their ratio.
fn ratio(s: &Setup, rounds: usize, batch: usize) -> (Duration, Duration, f64) {
    let time = |f: &dyn Fn(&Setup)| {
        let t = Instant::now();
        for _ in 0..batch {
            f(s);
        }
        t.elapsed() / batch as u32
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        a.push(time(&given));
        b.push(time(&cached));
    }
    a.sort();
    b.sort();
    let (ma, mb) = (a[rounds / 2], b[rounds / 2]);
    (ma, mb, mb.as_secs_f64() / ma.as_secs_f64())
}

criterion_group!(benches, bench);

fn main() {
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
    let measuring = std::env::args().any(|a| a == "--bench");
    let s = setup();
    let (rounds, batch) = if measuring { (31, 50) } else { (3, 1) };
    let (given_t, cached_t, r) = ratio(&s, rounds, batch);
    println!("verify_genoa: certificates given {given_t:?}, warm cache {cached_t:?}, ratio {r:.3}");
    let _ = std::fs::remove_dir_all(&s.cache_dir);
    if measuring {
        assert!(
            r <= 1.1,
            "warm-cache verification costs {r:.3}x verification with the certificates given (bound 1.1)"
        );
    }
}
