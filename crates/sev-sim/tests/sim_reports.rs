//! Reports signed by the simulator verify under the fake ARK (and only under it), for every
//! product, endorser and report version.

use sev_sim::pki::TEST_TIME;
use sev_sim::{GuestConfig, Sim, SimError};
use sev_types::Product;
use sev_types::guest::{CertKind, CertTable, KeySelect};
use sev_types::key_info::SigningKey;
use sev_types::report::Report;
use sev_types::status::FirmwareStatus;
use sev_verify::crypto::default_provider;
use sev_verify::snp::{ErrorKind, TrustStore, Verifier};

const PRODUCTS: [Product; 3] = [Product::Milan, Product::Genoa, Product::Turin];

fn pinned(sim: &Sim) -> Verifier {
    let provider = default_provider();
    let pki = sim.pki();
    let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
    Verifier::new(provider, store).with_product(sim.config().product)
}

fn verify_with_table(sim: &Sim, report: &[u8]) -> Result<(), sev_verify::snp::SnpError> {
    let table = CertTable::from_bytes(sim.cert_table().unwrap()).unwrap();
    let r = Report::from_bytes(report).unwrap();
    pinned(sim).verify_table(&r, &table, TEST_TIME).map(|_| ())
}

#[test]
fn vcek_reports_verify_under_the_pinned_fake_ark_for_every_product() {
    for product in PRODUCTS {
        let sim = Sim::new(GuestConfig::new(product)).unwrap();
        let report = sim.report(&[0x5A; 64], 0).unwrap();
        verify_with_table(&sim, &report).unwrap_or_else(|e| panic!("{product}: {e}"));
        let r = Report::from_bytes(&report).unwrap();
        assert_eq!(r.signing_key(), SigningKey::Vcek);
        assert_eq!(r.chip_id(), &sim.config().chip_id);
        assert_eq!(r.product(), Some(product));
        assert_eq!(r.report_data(), &[0x5A; 64]);
        assert!(r.reserved_violations().next().is_none(), "{product}");
    }
}

#[test]
fn vlek_reports_verify_with_a_masked_chip_id_and_the_asvk_chain() {
    for product in PRODUCTS {
        let sim = Sim::new(GuestConfig::new(product).with_vlek("fake-csp")).unwrap();
        let report = sim.report(&[1; 64], 0).unwrap();
        let r = Report::from_bytes(&report).unwrap();
        assert_eq!(r.signing_key(), SigningKey::Vlek);
        assert!(r.chip_id_masked());
        let table = CertTable::from_bytes(sim.cert_table().unwrap()).unwrap();
        assert!(table.get(CertKind::Vlek).is_some());
        assert!(table.get(CertKind::Vcek).is_none());
        assert_eq!(table.get(CertKind::Ask), Some(sim.pki().asvk()));
        verify_with_table(&sim, &report).unwrap_or_else(|e| panic!("{product}: {e}"));
        // Asking for the VCEK explicitly gives a VCEK report with the chip id.
        let vcek = sim.report_with_key(&[1; 64], 0, KeySelect::Vcek).unwrap();
        let v = Report::from_bytes(&vcek).unwrap();
        assert_eq!(v.signing_key(), SigningKey::Vcek);
        assert!(!v.chip_id_masked());
    }
}

#[test]
fn sim_reports_are_refused_under_the_built_in_amd_roots() {
    for product in PRODUCTS {
        for sim in [
            Sim::new(GuestConfig::new(product)).unwrap(),
            Sim::new(GuestConfig::new(product).with_vlek("fake-csp")).unwrap(),
        ] {
            let report = sim.report(&[2; 64], 0).unwrap();
            let r = Report::from_bytes(&report).unwrap();
            let table = CertTable::from_bytes(sim.cert_table().unwrap()).unwrap();
            let err = Verifier::builtin(default_provider())
                .with_product(product)
                .verify_table(&r, &table, TEST_TIME)
                .unwrap_err();
            assert!(
                matches!(err.kind(), ErrorKind::UntrustedRoot | ErrorKind::Signature),
                "{product}: {err}"
            );
        }
    }
}

#[test]
fn report_versions_2_3_and_5_decode_and_verify() {
    for product in PRODUCTS {
        for version in [2, 3, 5] {
            let mut cfg = GuestConfig::new(product).with_report_version(version);
            cfg.launch_mit_vector = 0x5;
            cfg.current_mit_vector = 0x7;
            cfg.guest_svn = 9;
            cfg.family_id = [0xF1; 16];
            cfg.image_id = [0x1F; 16];
            cfg.author_key_digest = Some([0xAD; 48]);
            let sim = Sim::new(cfg.clone()).unwrap();
            let report = sim.report(&[3; 64], 2).unwrap();
            let r = Report::from_bytes(&report).unwrap();
            assert_eq!(r.version(), version);
            assert_eq!(r.vmpl(), 2);
            assert_eq!(r.guest_svn(), 9);
            assert_eq!(r.measurement(), &cfg.measurement);
            assert_eq!(r.host_data(), &cfg.host_data);
            assert_eq!(r.family_id(), &cfg.family_id);
            assert_eq!(r.image_id(), &cfg.image_id);
            assert_eq!(r.author_key_digest(), &[0xAD; 48]);
            assert_eq!(r.reported_tcb(), cfg.reported_tcb);
            assert_eq!(r.current_version(), cfg.current_version);
            assert_eq!(r.cpuid_fam_id().is_some(), version >= 3);
            assert_eq!(r.product(), (version >= 3).then_some(product));
            assert_eq!(r.launch_mit_vector(), (version >= 5).then_some(5));
            assert_eq!(r.current_mit_vector(), (version >= 5).then_some(7));
            assert!(
                r.reserved_violations_for(Some(product)).next().is_none(),
                "{product} v{version}"
            );
            verify_with_table(&sim, &report).unwrap_or_else(|e| panic!("{product} v{version}: {e}"));
        }
    }
}

#[test]
fn a_report_below_the_guests_vmpl_is_refused_with_invalid_param() {
    let sim = Sim::new(GuestConfig::new(Product::Genoa).with_vmpl(2)).unwrap();
    for vmpl in [0, 1, 4, u32::MAX] {
        let err = sim.report(&[0; 64], vmpl).unwrap_err();
        assert_eq!(err, SimError::Firmware(FirmwareStatus::InvalidParam), "vmpl {vmpl}");
        assert_eq!(err.firmware_status().map(|s| s.code()), Some(0x16));
    }
    for vmpl in [2, 3] {
        let report = sim.report(&[0; 64], vmpl).unwrap();
        assert_eq!(Report::from_bytes(&report).unwrap().vmpl(), vmpl);
    }
}

#[test]
fn the_table_carries_a_crl_when_asked_and_unsupported_configs_are_typed_errors() {
    let mut sim = Sim::new(GuestConfig::new(Product::Milan)).unwrap();
    let plain = sim.cert_table().unwrap().to_vec();
    assert_eq!(plain.len() % 4096, 0);
    assert!(CertTable::from_bytes(&plain).unwrap().get(CertKind::Crl).is_none());
    sim.config_mut().include_crl = true;
    let with_crl = sim.cert_table().unwrap().to_vec();
    assert!(CertTable::from_bytes(&with_crl).unwrap().get(CertKind::Crl).is_some());
    let report = sim.report(&[4; 64], 0).unwrap();
    verify_with_table(&sim, &report).unwrap();

    assert_eq!(
        Sim::new(GuestConfig::new(Product::Rome)).unwrap_err(),
        SimError::UnsupportedProduct(Product::Rome)
    );
    assert_eq!(
        Sim::new(GuestConfig::new(Product::Milan).with_report_version(4)).unwrap_err(),
        SimError::UnsupportedReportVersion(4)
    );
    sim.config_mut().report_version = 1;
    assert_eq!(sim.report(&[0; 64], 0), Err(SimError::UnsupportedReportVersion(1)));
}
