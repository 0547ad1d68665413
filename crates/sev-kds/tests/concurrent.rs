//! Two processes filling one cache directory at the same time end with a consistent cache: every
//! file whole and checked, no temporary file left, and no reader ever sees part of a file.
//!
//! The parent test runs this test binary twice more, each running the ignored `child_fill`
//! test with the server URL and cache directory in the environment.

mod common;

use std::process::Command;

use common::{Evidence, NOW, PRODUCTS, Scratch, files};
use sev_kds::testing::FakeKds;
use sev_kds::{Checker, DiskCache, Kds, KdsConfig, Source, Wanted};

const ENV_URL: &str = "SEV_KDS_TEST_CHILD_URL";
const ENV_DIR: &str = "SEV_KDS_TEST_CHILD_DIR";
const ROUNDS: usize = 40;

const CERTS: Wanted = Wanted {
    leaf: true,
    chain: true,
    crl: false,
};

#[test]
#[ignore = "helper: run as a child process by concurrent_processes_share_one_cache"]
fn child_fill() {
    let url = std::env::var(ENV_URL).expect("run by concurrent_processes_share_one_cache");
    let dir = std::env::var(ENV_DIR).expect("run by concurrent_processes_share_one_cache");
    let evidence: Vec<Evidence> = PRODUCTS.into_iter().map(Evidence::of).collect();
    let checker = Checker::builtin();
    let cache = DiskCache::open(&dir).unwrap();
    for _ in 0..ROUNDS {
        for ev in &evidence {
            // Through the fetcher (network or cache), then rewrite every entry while the other
            // process reads it: each read must be a whole, valid object.
            let kds = Kds::new(KdsConfig::with_base_url(url.clone())).with_cache(cache.clone());
            let c = kds.collateral(&ev.report(), None, CERTS, NOW).unwrap();
            for o in &c.objects {
                cache.write(&o.request, &o.bytes).unwrap();
                let back = cache.read(&o.request).unwrap().expect("entry present");
                checker.check(&o.request, &back).expect("a whole, valid object");
            }
        }
    }
}

#[test]
fn concurrent_processes_share_one_cache() {
    let server = FakeKds::start();
    let evidence: Vec<Evidence> = PRODUCTS.into_iter().map(Evidence::of).collect();
    for ev in &evidence {
        ev.serve(&server);
    }
    let dir = Scratch::new("concurrent");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_fill", "--ignored", "--nocapture", "--test-threads=1"])
                .env(ENV_URL, server.base_url())
                .env(ENV_DIR, dir.path())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a child failed");
    }
    // Each child fetched each object at most once before finding it cached (6 objects, 2
    // children), so there were at most 12 requests and at least 6.
    let n = server.requests();
    assert!((6..=12).contains(&n), "{n} requests: {:?}", server.request_log());

    let all = files(dir.path());
    assert_eq!(all.len(), 6, "{all:?}");
    assert!(
        all.iter()
            .all(|p| !p.file_name().unwrap().to_str().unwrap().starts_with(".tmp-"))
    );
    let checker = Checker::builtin();
    let offline = Kds::offline().with_cache(DiskCache::open(dir.path()).unwrap());
    let verifier = sev_verify::snp::Verifier::builtin(sev_verify::crypto::default_provider());
    for ev in &evidence {
        let c = offline.collateral(&ev.report(), None, CERTS, NOW).unwrap();
        assert_eq!(c.count(Source::Cache), 2);
        for o in &c.objects {
            checker.check(&o.request, &o.bytes).unwrap();
        }
        assert_eq!(c.objects[0].bytes, ev.vcek);
        verifier.verify(&ev.report(), &c.to_bundle().unwrap(), NOW).unwrap();
    }
}
