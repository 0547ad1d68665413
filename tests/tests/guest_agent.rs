//! A guest agent end to end: nonce → extended report from the simulated secure processor
//! through snp-guest's real request code → verification with sev-verify under the simulator's
//! test root and a policy → the same evidence refused under AMD's built-in roots.

use sev_sim::pki::TEST_TIME;
use sev_sim::{GuestConfig, Sim};
use sev_types::Product;
use sev_verify::policy::Policy;
use sev_verify::snp::{Endorsement, ErrorKind, SnpError, TrustStore, Verifier};
use snp_guest::{Evidence, EvidenceSource, GuestClient, Provider};

fn agent(config: GuestConfig, nonce: &[u8; 64]) -> (Evidence, Vec<u8>, Vec<u8>) {
    let sim = Sim::new(config).unwrap();
    let ark = sim.pki().ark().to_vec();
    let asvk = sim.pki().asvk().to_vec();
    let mut client = GuestClient::new(sim).with_provider(Provider::Other("sev-sim".into()));
    (client.evidence(nonce, 0).unwrap(), ark, asvk)
}

fn relying_party(ark: &[u8], asvk: &[u8]) -> Verifier {
    let provider = sev_verify::crypto::default_provider();
    Verifier::new(provider, TrustStore::pinned(&provider, &[ark], &[asvk]).unwrap())
}

#[test]
fn simulated_evidence_verifies_under_the_test_root_and_only_there() {
    let nonce = [0xA5; 64];
    let cases = [
        (GuestConfig::new(Product::Milan), Endorsement::Vcek),
        (GuestConfig::new(Product::Genoa), Endorsement::Vcek),
        (GuestConfig::new(Product::Turin), Endorsement::Vcek),
        (
            GuestConfig::new(Product::Genoa).with_vlek("test-csp"),
            Endorsement::Vlek,
        ),
    ];
    for (config, signer) in cases {
        let product = config.product;
        let measurement = config.measurement;
        let (evidence, ark, asvk) = agent(config, &nonce);
        let policy = Policy {
            report_data: Some(nonce),
            measurements: vec![measurement],
            ..Policy::default()
        };
        let verified = evidence
            .verify(&relying_party(&ark, &asvk), TEST_TIME)
            .unwrap_or_else(|e| panic!("{product} {signer}: {e}"));
        assert_eq!(verified.signer(), signer);
        assert_eq!(verified.product(), product.kds_product());
        verified.appraise(&evidence.parsed_report().unwrap(), &policy).unwrap();

        let wrong_nonce = Policy {
            report_data: Some([0; 64]),
            ..policy.clone()
        };
        let v = verified
            .appraise(&evidence.parsed_report().unwrap(), &wrong_nonce)
            .unwrap_err();
        assert_eq!(v[0].field, "REPORT_DATA");

        let err = evidence
            .verify(&Verifier::builtin(sev_verify::crypto::default_provider()), TEST_TIME)
            .unwrap_err();
        assert!(matches!(err, SnpError::UntrustedRoot { .. }), "{product}: {err}");

        let mut forged = evidence.clone();
        forged.report[0x50] ^= 1;
        let err = forged.verify(&relying_party(&ark, &asvk), TEST_TIME).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Signature, "{product}: {err}");
    }
}
