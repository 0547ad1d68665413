//! Every way the server can fail us: rate limits (with and without Retry-After, within and
//! beyond the wait bound), errors, timeouts, truncated, short and wrong bodies. A refused
//! answer is never cached.

mod common;

use std::time::{Duration, Instant};

use common::{Evidence, NOW, Scratch, files};
use sev_kds::testing::{FakeKds, Fault};
use sev_kds::{CheckError, DiskCache, FetchError, Kds, KdsConfig, RetryPolicy};
use sev_testing::{FakePki, LeafKey};
use sev_types::Product;
use sev_types::tcb::TcbLayout;

fn config(server: &FakeKds, retry: RetryPolicy) -> KdsConfig {
    KdsConfig {
        retry,
        request_timeout: Duration::from_secs(5),
        ..KdsConfig::with_base_url(server.base_url())
    }
}

fn fast_retries(max_attempts: u32, max_wait: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(400),
        max_wait,
    }
}

/// A Milan setup: server serving the real VCEK and chain, and a client with a cache.
struct Setup {
    ev: Evidence,
    server: FakeKds,
    dir: Scratch,
}

impl Setup {
    fn new(name: &str) -> Self {
        let ev = Evidence::of(Product::Milan);
        let server = FakeKds::start();
        ev.serve(&server);
        Setup {
            ev,
            server,
            dir: Scratch::new(name),
        }
    }

    fn kds(&self, retry: RetryPolicy) -> Kds {
        Kds::new(config(&self.server, retry)).with_cache(DiskCache::open(self.dir.path()).unwrap())
    }

    fn kds_with(&self, config: KdsConfig) -> Kds {
        Kds::new(config).with_cache(DiskCache::open(self.dir.path()).unwrap())
    }

    fn cached(&self) -> usize {
        files(self.dir.path()).len()
    }
}

#[test]
fn retry_after_seconds_is_honoured() {
    let s = Setup::new("retry-after");
    s.server.push_fault(Fault::TooManyRequests {
        retry_after: Some("1".into()),
    });
    let start = Instant::now();
    let got = s
        .kds(fast_retries(4, Duration::from_secs(10)))
        .get(&s.ev.vcek_request(), NOW)
        .unwrap();
    let elapsed = start.elapsed();
    assert_eq!(got.bytes, s.ev.vcek);
    assert_eq!(s.server.requests(), 2);
    // The client waited the second the server asked for, not its own 100 ms backoff.
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[test]
fn retry_after_http_date_on_503_is_honoured() {
    let s = Setup::new("retry-date");
    // A date in the past means "now": the retry follows at once.
    s.server.push_fault(Fault::Unavailable {
        retry_after: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
    });
    let start = Instant::now();
    s.kds(fast_retries(3, Duration::from_secs(10)))
        .get(&s.ev.chain_request(), NOW)
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(s.server.requests(), 2);
}

#[test]
fn retry_after_beyond_the_bound_fails_at_once() {
    let s = Setup::new("retry-bound");
    s.server.push_fault(Fault::TooManyRequests {
        retry_after: Some("120".into()),
    });
    let start = Instant::now();
    let err = s
        .kds(fast_retries(6, Duration::from_secs(2)))
        .get(&s.ev.vcek_request(), NOW)
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
    match &err {
        FetchError::RateLimited {
            url,
            status,
            attempts,
            retry_after,
            bound,
            ..
        } => {
            assert!(
                url.starts_with(&s.server.base_url()) && url.contains("/vcek/v1/Milan/"),
                "{url}"
            );
            assert_eq!((*status, *attempts), (429, 1));
            assert_eq!(*retry_after, Some(Duration::from_secs(120)));
            assert_eq!(*bound, Duration::from_secs(2));
        }
        e => panic!("expected RateLimited, got {e}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("429") && msg.contains("cache") && msg.contains("bundle"),
        "{msg}"
    );
    assert_eq!(s.server.requests(), 1);
    assert_eq!(s.cached(), 0);
}

#[test]
fn backoff_without_retry_after_stops_at_the_attempt_bound() {
    let s = Setup::new("backoff-attempts");
    for _ in 0..10 {
        s.server.push_fault(Fault::TooManyRequests { retry_after: None });
    }
    let start = Instant::now();
    let err = s
        .kds(fast_retries(4, Duration::from_secs(30)))
        .get(&s.ev.vcek_request(), NOW)
        .unwrap_err();
    let elapsed = start.elapsed();
    let FetchError::RateLimited { attempts, waited, .. } = err else {
        panic!("expected RateLimited, got {err}");
    };
    assert_eq!(attempts, 4);
    assert_eq!(s.server.requests(), 4);
    // Three backoffs in [50, 100], [100, 200] and [200, 400] ms.
    assert!(
        waited >= Duration::from_millis(350) && waited <= Duration::from_millis(700),
        "{waited:?}"
    );
    assert!(elapsed >= waited);
    assert_eq!(s.cached(), 0);
}

#[test]
fn backoff_without_retry_after_stops_at_the_wait_bound() {
    let s = Setup::new("backoff-wait");
    for _ in 0..50 {
        s.server.push_fault(Fault::Unavailable { retry_after: None });
    }
    let bound = Duration::from_millis(700);
    let start = Instant::now();
    let err = s
        .kds(fast_retries(50, bound))
        .get(&s.ev.vcek_request(), NOW)
        .unwrap_err();
    let FetchError::RateLimited { waited, status, .. } = err else {
        panic!("expected RateLimited, got {err}");
    };
    assert_eq!(status, 503);
    assert!(waited <= bound, "{waited:?}");
    assert!(start.elapsed() < bound + Duration::from_secs(1));
    assert!(s.server.requests() < 50);
}

#[test]
fn rate_limit_then_success_is_cached_once() {
    let s = Setup::new("429-then-ok");
    s.server.push_fault(Fault::TooManyRequests { retry_after: None });
    s.server.push_fault(Fault::Unavailable { retry_after: None });
    let kds = s.kds(fast_retries(5, Duration::from_secs(5)));
    assert_eq!(kds.get(&s.ev.vcek_request(), NOW).unwrap().bytes, s.ev.vcek);
    assert_eq!(s.server.requests(), 3);
    assert_eq!(s.cached(), 1);
    kds.get(&s.ev.vcek_request(), NOW).unwrap();
    assert_eq!(s.server.requests(), 3);
}

#[test]
fn not_found_names_the_url_and_what_to_check() {
    let s = Setup::new("404");
    s.server.push_fault(Fault::Status(404));
    let err = s
        .kds(fast_retries(5, Duration::from_secs(5)))
        .get(&s.ev.vcek_request(), NOW)
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("HTTP 404") && msg.contains(&s.server.base_url()) && msg.contains("TCB"),
        "{msg}"
    );
    assert_eq!(s.server.requests(), 1, "404 is not retried");
    assert_eq!(s.cached(), 0);
}

#[test]
fn server_error_is_not_retried_and_not_cached() {
    let s = Setup::new("500");
    s.server.push_fault(Fault::Status(500));
    let err = s
        .kds(fast_retries(5, Duration::from_secs(5)))
        .get(&s.ev.chain_request(), NOW)
        .unwrap_err();
    assert!(matches!(err, FetchError::Status { status: 500, .. }), "{err}");
    assert_eq!(s.server.requests(), 1);
    assert_eq!(s.cached(), 0);
}

#[test]
fn slow_answer_times_out() {
    let s = Setup::new("timeout");
    s.server.push_fault(Fault::Slow(Duration::from_secs(3)));
    let cfg = KdsConfig {
        request_timeout: Duration::from_millis(500),
        retry: RetryPolicy::NONE,
        ..KdsConfig::with_base_url(s.server.base_url())
    };
    let start = Instant::now();
    let err = s.kds_with(cfg).get(&s.ev.vcek_request(), NOW).unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    assert!(err.to_string().contains("--timeout"), "{err}");
    assert_eq!(s.cached(), 0);
}

#[test]
fn slow_answer_within_the_timeout_is_fine() {
    let s = Setup::new("slow-ok");
    s.server.push_fault(Fault::Slow(Duration::from_millis(300)));
    let got = s.kds(RetryPolicy::NONE).get(&s.ev.vcek_request(), NOW).unwrap();
    assert_eq!(got.bytes, s.ev.vcek);
}

#[test]
fn truncated_body_is_refused_and_not_cached() {
    let s = Setup::new("truncated");
    s.server.push_fault(Fault::Truncated);
    let err = s.kds(RetryPolicy::NONE).get(&s.ev.vcek_request(), NOW).unwrap_err();
    assert!(matches!(err, FetchError::Transport { .. }), "{err}");
    assert_eq!(s.cached(), 0);
}

#[test]
fn short_body_without_length_is_refused_and_not_cached() {
    let s = Setup::new("short");
    s.server.push_fault(Fault::Short);
    s.server.push_fault(Fault::Short);
    let kds = s.kds(RetryPolicy::NONE);
    let err = kds.get(&s.ev.vcek_request(), NOW).unwrap_err();
    assert!(
        matches!(
            &err,
            FetchError::Invalid {
                error: CheckError::Malformed { .. },
                ..
            }
        ),
        "{err}"
    );
    let err = kds.get(&s.ev.chain_request(), NOW).unwrap_err();
    assert!(matches!(&err, FetchError::Invalid { .. }), "{err}");
    assert!(err.to_string().contains("not cached"), "{err}");
    assert_eq!(s.cached(), 0);
    // The next, whole answer is accepted.
    assert_eq!(kds.get(&s.ev.vcek_request(), NOW).unwrap().bytes, s.ev.vcek);
}

fn refused(s: &Setup, body: Vec<u8>, chain: bool) -> CheckError {
    s.server.push_fault(Fault::Body(body));
    let req = if chain {
        s.ev.chain_request()
    } else {
        s.ev.vcek_request()
    };
    let kds = s.kds(RetryPolicy::NONE);
    let err = kds.get(&req, NOW).unwrap_err();
    assert!(
        !kds.cache().unwrap().path_for(&req).exists(),
        "a refused body was cached"
    );
    // Only the genuine chain may have been cached (fetched to look for the VCEK's issuer).
    for f in files(s.dir.path()) {
        assert_eq!(f, kds.cache().unwrap().path_for(&s.ev.chain_request()));
        assert_eq!(std::fs::read(f).unwrap(), s.ev.chain);
    }
    match err {
        FetchError::Invalid { error, .. } => error,
        e => panic!("expected Invalid, got {e}"),
    }
}

#[test]
fn wrong_certificates_are_refused_and_not_cached() {
    let s = Setup::new("wrong");
    // Another Milan chip's VCEK.
    let other = common::fixture("snp/milan/trustee/vcek.der");
    assert!(matches!(refused(&s, other, false), CheckError::HwId { .. }));
    // Genoa's VCEK.
    let genoa = Evidence::of(Product::Genoa).vcek;
    assert!(matches!(
        refused(&s, genoa, false),
        CheckError::Role { .. } | CheckError::Product { .. }
    ));
    // The ASK where the VCEK belongs.
    let ask = common::fixture("snp/milan/ask.der");
    assert!(matches!(refused(&s, ask, false), CheckError::Role { .. }));
    // Genoa's chain for Milan.
    let chain = Evidence::of(Product::Genoa).chain;
    assert!(matches!(refused(&s, chain, true), CheckError::Product { .. }));
    // The VLEK chain where the VCEK chain belongs.
    let vlek_chain = common::fixture("kds/vlek_cert_chain_milan.pem");
    assert!(matches!(refused(&s, vlek_chain, true), CheckError::Malformed { .. }));
    // A tampered VCEK (trustee's negative fixture) has the wrong hwID and a bad signature.
    let tampered = common::fixture("snp/milan/trustee/vcek-invalid-new.der");
    assert!(matches!(refused(&s, tampered, false), CheckError::HwId { .. }));
    // Garbage.
    assert!(matches!(
        refused(&s, b"<html>busy</html>".to_vec(), false),
        CheckError::Malformed { .. }
    ));
    assert_eq!(s.server.requests(), 7);
}

#[test]
fn a_vcek_with_the_right_hwid_and_tcb_but_not_signed_by_amd_is_refused() {
    let s = Setup::new("forged-vcek");
    // Same hwID and TCB as the real report, signed by the fake PKI's ASK.
    let report = s.ev.report();
    let pki = FakePki::new(Product::Milan);
    let forged = pki.issue(&pki.vcek_spec(&LeafKey::vcek_a(), report.chip_id(), report.reported_tcb()));
    assert!(matches!(refused(&s, forged, false), CheckError::Signature { .. }));
    // The VCEK was checked under AMD's ASK, then under the chain KDS serves: both refuse it.
    assert_eq!(s.server.request_log()[1..], ["/vcek/v1/Milan/cert_chain".to_string()]);
    // The same with another TCB.
    let tcb = report.reported_tcb().decode(TcbLayout::MilanGenoa);
    let other_tcb = sev_types::tcb::Tcb {
        snp: tcb.snp + 1,
        ..tcb
    }
    .encode(TcbLayout::MilanGenoa);
    let forged = pki.issue(&pki.vcek_spec(&LeafKey::vcek_a(), report.chip_id(), other_tcb));
    assert!(matches!(refused(&s, forged, false), CheckError::Tcb { .. }));
    // A chain under the fake ARK (the genuine chain fetched above is dropped from the cache).
    std::fs::remove_dir_all(s.dir.path().join("v1")).unwrap();
    let mut chain = sev_testing::pem("CERTIFICATE", pki.ask());
    chain.push_str(&sev_testing::pem("CERTIFICATE", pki.ark()));
    assert!(matches!(
        refused(&s, chain.into_bytes(), true),
        CheckError::UntrustedArk { .. }
    ));
}

#[test]
fn a_corrupt_cache_entry_is_fetched_again_and_replaced() {
    let s = Setup::new("corrupt-cache");
    let kds = s.kds(RetryPolicy::NONE);
    let path = kds.cache().unwrap().path_for(&s.ev.vcek_request());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &s.ev.vcek[..100]).unwrap();
    let got = kds.get(&s.ev.vcek_request(), NOW).unwrap();
    assert_eq!(got.source, sev_kds::Source::Network);
    assert_eq!(std::fs::read(&path).unwrap(), s.ev.vcek);
    assert_eq!(s.server.requests(), 1);
    // A chain file cut after its first certificate.
    let chain_path = kds.cache().unwrap().path_for(&s.ev.chain_request());
    let cut = s.ev.chain.len() / 2;
    std::fs::write(&chain_path, &s.ev.chain[..cut]).unwrap();
    assert_eq!(
        kds.get(&s.ev.chain_request(), NOW).unwrap().source,
        sev_kds::Source::Network
    );
    assert_eq!(
        kds.get(&s.ev.chain_request(), NOW).unwrap().source,
        sev_kds::Source::Cache
    );
    assert_eq!(s.server.requests(), 2);
}

#[test]
fn unreachable_server_is_a_transport_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = KdsConfig {
        retry: RetryPolicy::NONE,
        ..KdsConfig::with_base_url(format!("http://127.0.0.1:{port}"))
    };
    let ev = Evidence::of(Product::Milan);
    let err = Kds::new(cfg).get(&ev.chain_request(), NOW).unwrap_err();
    assert!(matches!(err, FetchError::Transport { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("127.0.0.1:{port}/vcek/v1/Milan/cert_chain")),
        "{err}"
    );
}

#[test]
fn a_cache_that_cannot_be_written_does_not_stop_fetching() {
    let s = Setup::new("unwritable");
    // A file where the product's directory belongs: every write under it fails, as on a
    // read-only or full file system.
    std::fs::create_dir_all(s.dir.path().join("v1")).unwrap();
    std::fs::write(s.dir.path().join("v1/Milan"), b"not a directory").unwrap();
    let kds = s.kds(RetryPolicy::NONE);
    let got = kds.get(&s.ev.vcek_request(), NOW).unwrap();
    assert_eq!(got.bytes, s.ev.vcek);
    assert_eq!(got.path, None);
    let why = got.cache_error.expect("the write failed");
    assert!(why.contains("v1/Milan"), "{why}");
}
