//! The cache's age and size bounds, and the cleaning of abandoned temporary files.

mod common;

use std::time::{Duration, SystemTime};

use common::{Evidence, NOW, Scratch, files};
use sev_kds::testing::FakeKds;
use sev_kds::{CacheLimits, DiskCache, Kds, KdsConfig, Source};
use sev_types::Product;

fn set_age(path: &std::path::Path, age: Duration) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[test]
fn entries_older_than_the_age_bound_are_fetched_again() {
    let ev = Evidence::of(Product::Milan);
    let server = FakeKds::start();
    ev.serve(&server);
    let dir = Scratch::new("age");
    let limits = CacheLimits {
        max_age: Some(Duration::from_secs(3600)),
        max_bytes: None,
    };
    let kds = Kds::new(KdsConfig::with_base_url(server.base_url()))
        .with_cache(DiskCache::open(dir.path()).unwrap().with_limits(limits));
    kds.get(&ev.vcek_request(), NOW).unwrap();
    assert_eq!(kds.get(&ev.vcek_request(), NOW).unwrap().source, Source::Cache);
    let path = kds.cache().unwrap().path_for(&ev.vcek_request());
    set_age(&path, Duration::from_secs(7200));
    assert_eq!(kds.get(&ev.vcek_request(), NOW).unwrap().source, Source::Network);
    assert_eq!(server.requests(), 2);
    // The refetched entry is young again.
    assert_eq!(kds.get(&ev.vcek_request(), NOW).unwrap().source, Source::Cache);
    // prune() removes an entry past the age bound.
    set_age(&path, Duration::from_secs(7200));
    let stats = kds.cache().unwrap().prune().unwrap();
    assert_eq!(stats.removed, 1);
    assert!(!path.exists());
}

#[test]
fn prune_keeps_the_newest_entries_within_the_size_bound_and_removes_abandoned_temp_files() {
    let server = FakeKds::start();
    let dir = Scratch::new("size");
    let evidence: Vec<Evidence> = common::PRODUCTS.into_iter().map(Evidence::of).collect();
    for ev in &evidence {
        ev.serve(&server);
    }
    let cache = DiskCache::open(dir.path()).unwrap();
    let kds = Kds::new(KdsConfig::with_base_url(server.base_url())).with_cache(cache.clone());
    for (i, ev) in evidence.iter().enumerate() {
        let f = kds.get(&ev.vcek_request(), NOW).unwrap();
        // Milan oldest, Turin newest.
        set_age(f.path.as_ref().unwrap(), Duration::from_secs(1000 - 100 * i as u64));
    }
    let vceks: u64 = evidence.iter().map(|e| e.vcek.len() as u64).sum();
    // A temporary file left by a writer that died, and one being written now.
    let vdir = dir.path().join("v1/Milan/vcek");
    std::fs::write(vdir.join(".tmp-1-0-0"), b"partial").unwrap();
    set_age(&vdir.join(".tmp-1-0-0"), Duration::from_secs(3600));
    std::fs::write(vdir.join(".tmp-2-0-0"), b"partial").unwrap();
    assert_eq!(cache.entries().unwrap().len(), 3, "temporary files are not entries");

    let turin = evidence[2].vcek.len() as u64;
    let bounded = cache.clone().with_limits(CacheLimits {
        max_age: None,
        max_bytes: Some(vceks - 1),
    });
    let stats = bounded.prune().unwrap();
    assert_eq!(stats.temp_removed, 1);
    assert_eq!(stats.removed, 1);
    assert_eq!(stats.bytes_left, vceks - evidence[0].vcek.len() as u64);
    assert!(
        !bounded.path_for(&evidence[0].vcek_request()).exists(),
        "the oldest goes first"
    );
    assert!(bounded.path_for(&evidence[2].vcek_request()).exists());
    assert!(vdir.join(".tmp-2-0-0").exists(), "a fresh temporary file may be in use");

    let tiny = cache.with_limits(CacheLimits {
        max_age: None,
        max_bytes: Some(turin),
    });
    tiny.prune().unwrap();
    let left: Vec<_> = files(dir.path())
        .into_iter()
        .filter(|p| !p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert_eq!(left, [tiny.path_for(&evidence[2].vcek_request())]);
}
