//! CRLs: fetched, checked, cached, served from the cache until their nextUpdate and fetched
//! again after it. No real AMD CRL is among the fixtures, so these use the fake AMD PKI of
//! sev-testing with its ARK pinned.

mod common;

use common::{Scratch, files};
use sev_kds::testing::FakeKds;
use sev_kds::{CheckError, Checker, DiskCache, FetchError, Kds, KdsConfig, RetryPolicy, Source, Wanted};
use sev_testing::{DAY, FakePki, LeafKey, ReportSpec, Signer, TEST_TIME};
use sev_types::Product;
use sev_types::report::Report;
use sev_verify::crypto::CryptoProvider;
use sev_verify::kds::{Endorsement, KdsRequest};
use sev_verify::snp::{ErrorKind, TrustStore, Verifier};

struct Fake {
    pki: FakePki,
    provider: CryptoProvider,
    store: TrustStore,
    report: Vec<u8>,
    vcek: Vec<u8>,
}

impl Fake {
    fn new() -> Self {
        let pki = FakePki::new(Product::Milan);
        let provider = sev_verify::crypto::default_provider();
        let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
        let key = LeafKey::vcek_a();
        let spec = ReportSpec::new(Product::Milan);
        let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
        let report = spec.signed(&key);
        Fake {
            pki,
            provider,
            store,
            report,
            vcek,
        }
    }

    fn report(&self) -> Report<'_> {
        Report::from_bytes(&self.report).unwrap()
    }

    fn kds(&self, server: &FakeKds, dir: &Scratch) -> Kds {
        let cfg = KdsConfig {
            retry: RetryPolicy::NONE,
            ..KdsConfig::with_base_url(server.base_url())
        };
        Kds::new(cfg)
            .with_cache(DiskCache::open(dir.path()).unwrap())
            .with_checker(Checker::new(self.provider, self.store.clone()))
    }

    fn verifier(&self) -> Verifier {
        Verifier::new(self.provider, self.store.clone())
    }

    fn crl(&self, this_update: u64, next_update: u64, revoked: Vec<Vec<u8>>) -> Vec<u8> {
        let mut spec = self.pki.crl_spec();
        spec.this_update = this_update;
        spec.next_update = Some(next_update);
        spec.revoked = revoked;
        self.pki.issue_crl(&spec)
    }

    fn serve_all(&self, server: &FakeKds, crl: Vec<u8>) {
        let chain = format!(
            "{}{}",
            sev_testing::pem("CERTIFICATE", self.pki.ask()),
            sev_testing::pem("CERTIFICATE", self.pki.ark())
        );
        server.serve_request(
            &KdsRequest::vcek_for_report(&self.report(), None).unwrap(),
            self.vcek.clone(),
        );
        server.serve_request(&chain_req(), chain.into_bytes());
        server.serve_request(&crl_req(), crl);
    }
}

fn crl_req() -> KdsRequest {
    KdsRequest::crl(Product::Milan, Endorsement::Vcek).unwrap()
}

fn chain_req() -> KdsRequest {
    KdsRequest::cert_chain(Product::Milan, Endorsement::Vcek).unwrap()
}

#[test]
fn crl_is_cached_until_next_update_then_refreshed() {
    let f = Fake::new();
    let server = FakeKds::start();
    let first = f.crl(TEST_TIME - DAY, TEST_TIME + 30 * DAY, vec![]);
    f.serve_all(&server, first.clone());
    let dir = Scratch::new("crl-refresh");
    let kds = f.kds(&server, &dir);

    // Fetch → cache → verify, with the CRL applied.
    let c = kds.collateral(&f.report(), None, Wanted::ALL, TEST_TIME).unwrap();
    assert_eq!(c.count(Source::Network), 3);
    let v = f
        .verifier()
        .verify(&f.report(), &c.to_bundle().unwrap(), TEST_TIME)
        .unwrap();
    assert_eq!(v.crls_applied(), 1);

    // Before nextUpdate: from the cache, no request.
    let later = TEST_TIME + 29 * DAY;
    let c = kds.collateral(&f.report(), None, Wanted::ALL, later).unwrap();
    assert_eq!(c.count(Source::Cache), 3);
    assert_eq!(server.requests(), 3);
    f.verifier()
        .verify(&f.report(), &c.to_bundle().unwrap(), later)
        .unwrap();

    // After nextUpdate: the CRL, and only the CRL, is fetched again; KDS now revokes the VCEK.
    let second = f.crl(TEST_TIME + 30 * DAY, TEST_TIME + 60 * DAY, vec![vec![0]]);
    server.serve_request(&crl_req(), second.clone());
    let after = TEST_TIME + 31 * DAY;
    let c = kds.collateral(&f.report(), None, Wanted::ALL, after).unwrap();
    assert_eq!(c.count(Source::Network), 1);
    assert_eq!(c.objects[2].source, Source::Network);
    assert_eq!(server.requests(), 4);
    assert_eq!(server.request_log()[3], "/vcek/v1/Milan/crl");
    assert_eq!(
        std::fs::read(kds.cache().unwrap().path_for(&crl_req())).unwrap(),
        second
    );
    let err = f
        .verifier()
        .verify(&f.report(), &c.to_bundle().unwrap(), after)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Revoked, "{err}");
}

#[test]
fn offline_serves_a_stale_crl_and_verification_reports_it() {
    let f = Fake::new();
    let server = FakeKds::start();
    f.serve_all(&server, f.crl(TEST_TIME - DAY, TEST_TIME + DAY, vec![]));
    let dir = Scratch::new("crl-offline");
    f.kds(&server, &dir)
        .collateral(&f.report(), None, Wanted::ALL, TEST_TIME)
        .unwrap();
    drop(server);
    let offline = Kds::offline()
        .with_cache(DiskCache::open(dir.path()).unwrap())
        .with_checker(Checker::new(f.provider, f.store.clone()));
    let late = TEST_TIME + 10 * DAY;
    let c = offline.collateral(&f.report(), None, Wanted::ALL, late).unwrap();
    assert_eq!(c.count(Source::Cache), 3);
    let err = f
        .verifier()
        .verify(&f.report(), &c.to_bundle().unwrap(), late)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Crl, "{err}");
}

#[test]
fn forged_or_foreign_crls_are_refused_and_not_cached() {
    let f = Fake::new();
    let server = FakeKds::start();
    let dir = Scratch::new("crl-forged");
    let kds = f.kds(&server, &dir);
    // Signed by Genoa's fake ARK but naming Milan's ARK as issuer.
    let genoa = FakePki::new(Product::Genoa);
    let mut spec = f.pki.crl_spec();
    spec.signer = Signer::Key(Box::new(genoa.key(&Signer::Ark)));
    server.serve_request(&crl_req(), f.pki.issue_crl(&spec));
    let err = kds.get(&crl_req(), TEST_TIME).unwrap_err();
    assert!(
        matches!(
            &err,
            FetchError::Invalid {
                error: CheckError::Signature { .. },
                ..
            }
        ),
        "{err}"
    );
    // Genoa's CRL served for Milan.
    server.serve_request(&crl_req(), genoa.issue_crl(&genoa.crl_spec()));
    let err = kds.get(&crl_req(), TEST_TIME).unwrap_err();
    assert!(
        matches!(
            &err,
            FetchError::Invalid {
                error: CheckError::Product { .. },
                ..
            }
        ),
        "{err}"
    );
    // A certificate where the CRL belongs.
    server.serve_request(&crl_req(), f.pki.ark().to_vec());
    assert!(matches!(
        kds.get(&crl_req(), TEST_TIME),
        Err(FetchError::Invalid { .. })
    ));
    assert!(files(dir.path()).is_empty());
}

#[test]
fn a_bundle_of_a_pinned_pki_imports_and_verifies_offline() {
    let f = Fake::new();
    let server = FakeKds::start();
    f.serve_all(&server, f.crl(TEST_TIME - DAY, TEST_TIME + 30 * DAY, vec![]));
    let dir = Scratch::new("crl-bundle");
    let bundle = f
        .kds(&server, &dir)
        .export_bundle(&[f.report()], None, Wanted::ALL, TEST_TIME)
        .unwrap();
    assert_eq!(bundle.len(), 3);
    drop(server);
    // Only the ARK is pinned here: the VCEK is checked under the bundle's chain.
    let store = TrustStore::builtin(&f.provider)
        .with_pinned_arks(&f.provider, &[f.pki.ark()])
        .unwrap();
    let other = Scratch::new("crl-bundle-import");
    let importer = Kds::offline()
        .with_cache(DiskCache::open(other.0.clone()).unwrap())
        .with_checker(Checker::new(f.provider, store.clone()));
    let parsed = sev_kds::Bundle::parse(bundle.to_text().unwrap().as_bytes()).unwrap();
    assert_eq!(importer.import_bundle(&parsed).unwrap(), 3);
    let c = importer.collateral(&f.report(), None, Wanted::ALL, TEST_TIME).unwrap();
    assert_eq!(c.count(Source::Cache), 3);
    let v = Verifier::new(f.provider, store.prefer_pinned())
        .verify(&f.report(), &c.to_bundle().unwrap(), TEST_TIME)
        .unwrap();
    assert_eq!(v.crls_applied(), 1);
}

#[test]
fn kds_is_shareable_between_threads() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Kds>();
    send_sync::<sev_kds::HttpClient>();
    send_sync::<DiskCache>();
    send_sync::<sev_kds::Bundle>();
}
