//! Fetch → cache → verify against the fake KDS, with the real Milan, Genoa and Turin fixtures:
//! the second verification, by the same client or a new one on the same cache directory,
//! makes no request.

mod common;

use common::{Evidence, NOW, PRODUCTS, Scratch, files};
use sev_kds::testing::FakeKds;
use sev_kds::{Bundle, DiskCache, FetchError, Kds, KdsConfig, Source, Wanted};
use sev_types::Product;
use sev_verify::kds::KdsFetch;
use sev_verify::snp::Verifier;

const CERTS: Wanted = Wanted {
    leaf: true,
    chain: true,
    crl: false,
};

fn verifier() -> Verifier {
    Verifier::builtin(sev_verify::crypto::default_provider())
}

fn fetch_cache_verify(product: Product) {
    let ev = Evidence::of(product);
    let server = FakeKds::start();
    ev.serve(&server);
    let dir = Scratch::new(&format!("e2e-{product}"));
    let kds = Kds::new(KdsConfig::with_base_url(server.base_url())).with_cache(DiskCache::open(dir.path()).unwrap());

    let first = kds.collateral(&ev.report(), None, CERTS, NOW).unwrap();
    assert_eq!(first.count(Source::Network), 2);
    assert_eq!(server.requests(), 2);
    // The VCEK served is the fixture's, byte for byte.
    assert_eq!(first.objects[0].bytes, ev.vcek);
    let verified = verifier()
        .verify(&ev.report(), &first.to_bundle().unwrap(), NOW)
        .unwrap();
    assert_eq!(verified.product(), product);
    assert!(verified.hwid_checked());

    // Same client: cache hits only.
    let second = kds.collateral(&ev.report(), None, CERTS, NOW).unwrap();
    assert_eq!(second.count(Source::Cache), 2);
    verifier()
        .verify(&ev.report(), &second.to_bundle().unwrap(), NOW)
        .unwrap();
    // Another client (as another process would) on the same directory: still no request.
    let other = Kds::new(KdsConfig::with_base_url(server.base_url())).with_cache(DiskCache::open(dir.path()).unwrap());
    let third = other.collateral(&ev.report(), None, CERTS, NOW).unwrap();
    assert_eq!(third.count(Source::Cache), 2);
    verifier()
        .verify(&ev.report(), &third.to_bundle().unwrap(), NOW)
        .unwrap();
    assert_eq!(server.requests(), 2, "{:?}", server.request_log());
    assert_eq!(other.requests_sent(), 0);

    // The cache holds exactly the two objects, in the documented layout.
    let name = product.kds_name().unwrap();
    let cached = files(dir.path());
    assert_eq!(cached.len(), 2, "{cached:?}");
    assert!(
        cached
            .iter()
            .any(|p| p.ends_with(format!("v1/{name}/vcek/cert_chain.pem")))
    );
    let hwid = ev.vcek_request().hwid().unwrap().to_string();
    assert!(
        cached
            .iter()
            .any(|p| p.parent().unwrap().ends_with(format!("v1/{name}/vcek/{hwid}")))
    );
    assert_eq!(
        std::fs::read(kds.cache().unwrap().path_for(&ev.vcek_request())).unwrap(),
        ev.vcek
    );
}

#[test]
fn milan_fetch_cache_verify() {
    fetch_cache_verify(Product::Milan);
}

#[test]
fn genoa_fetch_cache_verify() {
    fetch_cache_verify(Product::Genoa);
}

#[test]
fn turin_fetch_cache_verify() {
    fetch_cache_verify(Product::Turin);
}

#[test]
fn turin_requests_use_the_8_byte_hwid_and_the_fmc_spl() {
    let ev = Evidence::of(Product::Turin);
    let server = FakeKds::start();
    ev.serve(&server);
    let kds = Kds::new(KdsConfig::with_base_url(server.base_url()));
    kds.get(&ev.vcek_request(), NOW).unwrap();
    // From the fixture's VCEK (PROVENANCE.md: fmcSPL 0, blSPL 1, teeSPL 0, snpSPL 2, ucodeSPL 71)
    // and the report's CHIP_ID, first 8 bytes.
    assert_eq!(
        server.request_log(),
        ["/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=00&blSPL=01&teeSPL=00&snpSPL=02&ucodeSPL=71"]
    );
}

#[test]
fn kds_fetch_trait_goes_through_the_cache() {
    let ev = Evidence::of(Product::Genoa);
    let server = FakeKds::start();
    ev.serve(&server);
    let dir = Scratch::new("trait");
    let kds = Kds::new(KdsConfig::with_base_url(server.base_url()))
        .with_cache(DiskCache::open(dir.path()).unwrap())
        .at_time(NOW);
    let url = ev.vcek_request().url();
    assert!(url.starts_with("https://kdsintf.amd.com/vcek/v1/Genoa/"));
    assert_eq!(kds.fetch_url(&url).unwrap(), ev.vcek);
    assert_eq!(kds.fetch(&ev.vcek_request()).unwrap(), ev.vcek);
    assert_eq!(server.requests(), 1);
    assert!(matches!(
        kds.fetch_url("https://example.com/vcek/v1/Genoa/crl"),
        Err(FetchError::Url(_))
    ));
    assert_eq!(server.requests(), 1);
}

#[test]
fn offline_uses_only_the_cache_and_names_what_is_missing() {
    let ev = Evidence::of(Product::Milan);
    let dir = Scratch::new("offline");
    let offline = Kds::offline().with_cache(DiskCache::open(dir.path()).unwrap());
    let err = offline.collateral(&ev.report(), None, CERTS, NOW).unwrap_err();
    assert!(
        matches!(&err, FetchError::Offline { url } if *url == ev.vcek_request().url()),
        "{err}"
    );
    assert!(err.to_string().contains("--offline"), "{err}");

    let server = FakeKds::start();
    ev.serve(&server);
    Kds::new(KdsConfig::with_base_url(server.base_url()))
        .with_cache(DiskCache::open(dir.path()).unwrap())
        .collateral(&ev.report(), None, CERTS, NOW)
        .unwrap();
    let got = offline.collateral(&ev.report(), None, CERTS, NOW).unwrap();
    assert_eq!(got.count(Source::Cache), 2);
    verifier().verify(&ev.report(), &got.to_bundle().unwrap(), NOW).unwrap();
}

#[test]
fn bundle_export_then_verify_with_no_network() {
    let server = FakeKds::start();
    let evidence: Vec<Evidence> = PRODUCTS.into_iter().map(Evidence::of).collect();
    for ev in &evidence {
        ev.serve(&server);
    }
    let online = Kds::new(KdsConfig::with_base_url(server.base_url()));
    let reports: Vec<_> = evidence.iter().map(Evidence::report).collect();
    let text = online
        .export_bundle(&reports, None, CERTS, NOW)
        .unwrap()
        .to_text()
        .unwrap();
    assert_eq!(server.requests(), 6);
    drop(server);

    // Read the bundle back: verification needs nothing else.
    let bundle = Bundle::parse(text.as_bytes()).unwrap();
    assert_eq!(bundle.len(), 6);
    let offline = Kds::offline().with_bundle(bundle.clone());
    for ev in &evidence {
        let c = offline.collateral(&ev.report(), None, CERTS, NOW).unwrap();
        assert_eq!(c.count(Source::Bundle), 2);
        verifier().verify(&ev.report(), &c.to_bundle().unwrap(), NOW).unwrap();
    }
    // Imported into a cache, it serves offline verifiers there too.
    let dir = Scratch::new("bundle-import");
    let importer = Kds::offline().with_cache(DiskCache::open(dir.path()).unwrap());
    assert_eq!(importer.import_bundle(&bundle).unwrap(), 6);
    for ev in &evidence {
        let c = importer.collateral(&ev.report(), None, CERTS, NOW).unwrap();
        assert_eq!(c.count(Source::Cache), 2);
        verifier().verify(&ev.report(), &c.to_bundle().unwrap(), NOW).unwrap();
    }
}

#[test]
fn bundle_import_refuses_a_forged_object_and_stores_nothing_for_it() {
    let milan = Evidence::of(Product::Milan);
    let genoa = Evidence::of(Product::Genoa);
    let mut bundle = Bundle::new();
    // Genoa's VCEK filed under Milan's request.
    bundle.insert(milan.vcek_request(), genoa.vcek.clone());
    let text = bundle.to_text().unwrap();
    let bundle = Bundle::parse(text.as_bytes()).unwrap();
    let dir = Scratch::new("bundle-forged");
    let kds = Kds::offline().with_cache(DiskCache::open(dir.path()).unwrap());
    let err = kds.import_bundle(&bundle).unwrap_err();
    assert!(matches!(err, FetchError::Invalid { .. }), "{err}");
    assert!(files(dir.path()).is_empty());
    // Malformed bundles are refused with a reason.
    assert!(matches!(Bundle::parse(b"hello"), Err(FetchError::Bundle(_))));
    let no_url = format!("{}\n-----BEGIN CERTIFICATE-----\n", sev_kds::BUNDLE_HEADER);
    assert!(matches!(Bundle::parse(no_url.as_bytes()), Err(FetchError::Bundle(_))));
}
