//! SEV and SEV-ES launches of OVMF on the simulator, end to end with a guest owner: the owner
//! verifies the platform chain, starts a session, checks LAUNCH_MEASURE against the published
//! launch digest (`fixtures/measurement/snp-measure-vectors.tsv`) and sev-measure's
//! prediction, injects a secret, and verifies the PEK-signed attestation report.

use sev_host::HostError;
use sev_host::launch::ovmf::OvmfLaunch;
use sev_host::launch::{SevInit, SevLauncher, SevMode, SevStart};
use sev_host::platform::{AmdAnchor, Platform};
use sev_measure::hashes::SevHashes;
use sev_measure::ovmf::Ovmf;
use sev_measure::sev::{sev_launch_digest, seves_launch_digest};
use sev_measure::vmsa::{GuestFeatures, VmmType};
use sev_sim::host::{HostConfig, SimHost, sim_ark, sim_ask};
use sev_sys::seam::VmMemory;
use sev_types::Product;
use sev_types::launch::sev::{AttestationReport, SevGuestState, SevPolicy};
use sev_types::legacy::SevCertificate;
use sev_verify::crypto::default_provider;
use sev_verify::legacy::{
    EfiSecretTable, GuestOwnerSession, LegacyError, SECRET_TABLE_GUID, verify_attestation_report,
};

const EPYC_V4: u32 = 0x0080_0F12;

fn amdsev() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"
    );
    std::fs::read(path).unwrap()
}

/// Launches `plan` as `mode` with a guest owner, checks the measurement against `expected`
/// (which must also be `published`), injects a secret, finishes and checks the report.
fn owner_launch(plan: &OvmfLaunch<'_>, mode: SevMode, expected: [u8; 32], published: &str) {
    assert_eq!(hex::encode(expected), published, "sev-measure vs published");
    let host = SimHost::new(HostConfig::new(Product::Milan));
    let mut platform = Platform::new(host.clone());
    let certs = platform.pdh_cert_export().unwrap();
    certs
        .verify_chain(AmdAnchor::Trusted {
            ark: sim_ark(),
            ask: sim_ask(),
        })
        .unwrap();
    let provider = default_provider();
    let policy = match mode {
        SevMode::Sev => SevPolicy::NODBG,
        SevMode::Es => SevPolicy::NODBG | SevPolicy::ES,
    };
    let (session, material) = GuestOwnerSession::start(&provider, &certs.pdh_cert().unwrap(), policy).unwrap();

    let init = match mode {
        SevMode::Sev => SevInit::sev(),
        SevMode::Es => SevInit::es(),
    };
    let (mut launcher, measurement) = plan
        .launch_sev(
            host.create_sev_vm(mode == SevMode::Es),
            &init,
            &SevStart::from_material(&material),
        )
        .unwrap();
    let version = platform.platform_version().unwrap();
    session
        .verify_measurement(&provider, &measurement, version, &expected)
        .unwrap();
    let mut wrong = expected;
    wrong[0] ^= 1;
    assert_eq!(
        session.verify_measurement(&provider, &measurement, version, &wrong),
        Err(LegacyError::MeasurementMismatch)
    );

    let mut table = EfiSecretTable::new();
    table.add(SECRET_TABLE_GUID, b"disk passphrase");
    let plaintext = table.to_bytes();
    let mut padded = plaintext.to_vec();
    padded.resize(plaintext.len().div_ceil(16) * 16, 0);
    let packet = session
        .package_secret(&provider, &measurement.measure, &padded)
        .unwrap();
    let (secret_gpa, _) = plan.secret_area().unwrap().expect("AmdSev OVMF has a secret area");
    launcher.inject(secret_gpa, &packet).unwrap();

    let mnonce = [0x42; 16];
    let report_bytes = launcher.attestation_report(mnonce).unwrap();
    let mut launched = launcher.finish().unwrap();
    assert_eq!(launched.guest_status().unwrap().state, SevGuestState::Running);

    let report = AttestationReport::from_bytes(&report_bytes).unwrap();
    let pek = SevCertificate::from_bytes(&certs.pek[..]).unwrap();
    verify_attestation_report(&provider, &report, &pek).unwrap();
    assert_eq!(report.launch_digest(), &expected);
    assert_eq!(report.mnonce(), &mnonce);
    assert_eq!(report.policy(), policy);

    let mut in_guest = vec![0u8; padded.len()];
    launched.device_mut().read_memory(secret_gpa, &mut in_guest).unwrap();
    assert_eq!(in_guest, padded);
}

#[test]
fn sev_with_kernel_hashes_is_accepted_by_the_guest_owner() {
    let image = amdsev();
    let ovmf = Ovmf::parse(&image).unwrap();
    let hashes = SevHashes::new(&[], Some(&[]), Some("console=ttyS0 loglevel=7"));
    let plan = OvmfLaunch {
        kernel_hashes: Some(&hashes),
        ..OvmfLaunch::new(&ovmf)
    };
    let expected = sev_launch_digest(&ovmf, Some(&hashes)).unwrap();
    owner_launch(
        &plan,
        SevMode::Sev,
        expected,
        "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff",
    );
}

#[test]
fn sev_es_one_vcpu_is_accepted_by_the_guest_owner() {
    let image = amdsev();
    let ovmf = Ovmf::parse(&image).unwrap();
    let hashes = SevHashes::new(&[], Some(&[]), None);
    let plan = OvmfLaunch {
        vcpu_sig: EPYC_V4,
        kernel_hashes: Some(&hashes),
        ..OvmfLaunch::new(&ovmf)
    };
    let expected = seves_launch_digest(&ovmf, Some(&hashes), 1, EPYC_V4, VmmType::Qemu).unwrap();
    owner_launch(
        &plan,
        SevMode::Es,
        expected,
        "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c",
    );
}

#[test]
fn sev_es_four_vcpus_is_accepted_by_the_guest_owner() {
    let image = amdsev();
    let ovmf = Ovmf::parse(&image).unwrap();
    let hashes = SevHashes::new(&[], Some(&[]), None);
    let plan = OvmfLaunch {
        vcpus: 4,
        vcpu_sig: EPYC_V4,
        kernel_hashes: Some(&hashes),
        ..OvmfLaunch::new(&ovmf)
    };
    let expected = seves_launch_digest(&ovmf, Some(&hashes), 4, EPYC_V4, VmmType::Qemu).unwrap();
    owner_launch(
        &plan,
        SevMode::Es,
        expected,
        "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91",
    );
}

#[test]
fn a_launch_without_an_owner_still_measures_and_finishes() {
    let image = amdsev();
    let ovmf = Ovmf::parse(&image).unwrap();
    let host = SimHost::new(HostConfig::new(Product::Milan));
    let (launcher, measurement) = OvmfLaunch::new(&ovmf)
        .launch_sev(
            host.create_sev_vm(false),
            &SevInit::sev(),
            &SevStart::without_owner(SevPolicy::empty()),
        )
        .unwrap();
    assert_ne!(measurement.measure, [0; 32]);
    let mut launched = launcher.finish().unwrap();
    assert_eq!(launched.guest_status().unwrap().state, SevGuestState::Running);
}

#[test]
fn init_parameters_are_checked_before_init2() {
    let host = SimHost::new(HostConfig::new(Product::Milan));
    let cases = [
        // Plain SEV has no VMSA: no features, no GHCB.
        SevInit {
            vmsa_features: GuestFeatures::DEBUG_SWAP,
            ..SevInit::sev()
        },
        SevInit {
            ghcb_version: 2,
            ..SevInit::sev()
        },
        // SNPActive is no SEV-ES feature (KVM refuses it).
        SevInit {
            vmsa_features: GuestFeatures::SNP_ACTIVE,
            ..SevInit::es()
        },
        SevInit {
            ghcb_version: 3,
            ..SevInit::es()
        },
    ];
    for init in cases {
        let es = init.mode == SevMode::Es;
        let err = SevLauncher::new(host.create_sev_vm(es), &init).unwrap_err();
        assert!(matches!(err, HostError::Invalid { .. }), "{init:?}: {err:?}");
    }
    // DebugSwap is accepted for SEV-ES, and the simulated KVM agrees.
    let init = SevInit {
        vmsa_features: GuestFeatures::DEBUG_SWAP,
        ghcb_version: 2,
        ..SevInit::es()
    };
    SevLauncher::new(host.create_sev_vm(true), &init).unwrap();
}

#[test]
fn policy_must_match_the_mode_and_update_vmsa_needs_sev_es() {
    let host = SimHost::new(HostConfig::new(Product::Milan));
    let mut launcher = SevLauncher::new(host.create_sev_vm(false), &SevInit::sev()).unwrap();
    launcher.add_memory(0, 0x10000).unwrap();
    let err = launcher.start(&SevStart::without_owner(SevPolicy::ES)).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");

    let mut launcher = SevLauncher::new(host.create_sev_vm(false), &SevInit::sev()).unwrap();
    launcher.add_memory(0, 0x10000).unwrap();
    let mut launcher = launcher.start(&SevStart::without_owner(SevPolicy::empty())).unwrap();
    assert!(matches!(launcher.update_vmsa(), Err(HostError::Invalid { .. })));
    launcher.update_data(0x1000, &[0x90; 0x30]).unwrap();
    let err = launcher.update_data(0xFFF8, &[0; 16]).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
}

#[test]
fn owner_pdh_without_session_is_refused() {
    let host = SimHost::new(HostConfig::new(Product::Milan));
    let pdh = Platform::new(host.clone()).pdh_cert_export().unwrap().pdh;
    let launcher = SevLauncher::new(host.create_sev_vm(false), &SevInit::sev()).unwrap();
    let start = SevStart {
        owner_pdh: &pdh[..],
        ..SevStart::without_owner(SevPolicy::empty())
    };
    assert!(matches!(launcher.start(&start), Err(HostError::Invalid { .. })));
}
