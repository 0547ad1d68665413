//! The SNP platform commands of the simulated host, seen through SNP_PLATFORM_STATUS and
//! through the reports of guests launched on it (verified with sev-verify under the fake PKI).

mod host_snp_support;

use host_snp_support::*;
use sev_sim::errno::EIO;
use sev_sim::host::{HostConfig, SimHost, SimSnpVm, wrap_vlek_hashstick};
use sev_sim::pki::TEST_TIME;
use sev_sim::{Sim, SimError};
use sev_sys::seam::{PlatformDevice, SnpLaunchDevice, SnpLaunchFinish};
use sev_types::Product;
use sev_types::guest::{CertTable, KeySelect};
use sev_types::key_info::{KeyInfo, SigningKey};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::platform::{MaskId, PlatformState, SnpConfig, SnpPlatformFlags};
use sev_types::report::Report;
use sev_types::status::FirmwareStatus;
use sev_types::tcb::TcbVersion;
use sev_verify::crypto::default_provider;
use sev_verify::snp::{TrustStore, Verifier};

/// bl=4 tee=1 snp=24 ucode=219: the TCB of [`sev_sim::GuestConfig::new`] for Genoa.
const TCB: TcbVersion = TcbVersion(0xdb18_0000_0000_0104);
/// The same with snp=23: below it in one component.
const TCB_SNP23: TcbVersion = TcbVersion(0xdb17_0000_0000_0104);
/// The same with snp=25: above it in one component.
const TCB_SNP25: TcbVersion = TcbVersion(0xdb19_0000_0000_0104);

fn genoa() -> SimHost {
    SimHost::new(HostConfig::new(Product::Genoa))
}

/// A finished launch of one NORMAL page and one vCPU.
fn launched(host: &SimHost, finish: SnpLaunchFinish<'_>) -> SimSnpVm {
    let mut vm = host.create_snp_vm();
    add_memory(&mut vm);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    vm.add_vcpu(0, &sev_types::launch::vmsa::SaveArea::zeroed()).unwrap();
    vm.snp_launch_start(&KvmSnpLaunchStart::new(default_policy())).unwrap();
    vm.snp_launch_update(0, KvmPageType::Normal, &[0xF4; 4096]).unwrap();
    vm.snp_launch_finish(&finish).unwrap();
    vm
}

fn report(guest: &Sim) -> Vec<u8> {
    guest.report(&[0x77; 64], 0).unwrap()
}

fn verifier(guest: &Sim) -> Verifier {
    let provider = default_provider();
    let pki = guest.pki();
    let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()]).unwrap();
    Verifier::new(provider, store).with_product(guest.config().product)
}

/// Verifies `report` with the certificate table of `guest` under the fake ARK.
fn verify(guest: &Sim, report: &[u8]) -> Result<(), sev_verify::snp::SnpError> {
    verify_with(verifier(guest), guest, report)
}

fn verify_with(v: Verifier, guest: &Sim, report: &[u8]) -> Result<(), sev_verify::snp::SnpError> {
    let table = CertTable::from_bytes(guest.cert_table().unwrap()).unwrap();
    v.verify_table(&Report::from_bytes(report).unwrap(), &table, TEST_TIME)
        .map(|_| ())
}

#[track_caller]
fn refused(r: Result<(), sev_sys::Error>, status: FirmwareStatus) {
    let e = r.expect_err("expected a firmware refusal");
    assert_eq!(e.errno(), Some(EIO), "{e}");
    assert_eq!(e.firmware_status(), Some(status), "{e}");
}

#[test]
fn platform_status_describes_the_configured_machine() {
    let mut config = HostConfig::new(Product::Genoa);
    config.guest_template.current_version = (1, 57, 12);
    let mut host = SimHost::new(config);
    let s = host.snp_platform_status().unwrap();
    assert_eq!((s.api_major, s.api_minor, s.build_id()), (1, 57, 12));
    assert_eq!(s.state(), PlatformState::Init);
    assert!(s.is_rmp_initialized());
    assert_eq!(s.flags(), SnpPlatformFlags::empty());
    assert_eq!(s.guest_count(), 0);
    assert_eq!((s.current_tcb(), s.reported_tcb()), (TCB, TCB));
}

#[test]
fn commit_makes_the_running_firmware_and_tcb_the_committed_ones() {
    let mut config = HostConfig::new(Product::Genoa);
    config.guest_template.current_tcb = TCB_SNP25;
    config.guest_template.current_version = (1, 55, 9);
    let mut host = SimHost::new(config);
    let before = Report::from_bytes(&report(&launched(&host, SnpLaunchFinish::default()).guest().unwrap()))
        .unwrap()
        .committed_tcb();
    assert_eq!(before, TCB);
    host.snp_commit().unwrap();
    let vm = launched(&host, SnpLaunchFinish::default());
    let bytes = report(&vm.guest().unwrap());
    let r = Report::from_bytes(&bytes).unwrap();
    assert_eq!(r.committed_tcb(), TCB_SNP25);
    assert_eq!(r.committed_version(), (1, 55, 9));
    assert_eq!(r.current_tcb(), TCB_SNP25);
    assert_eq!(r.launch_tcb(), TCB_SNP25);
}

#[test]
fn set_config_reported_tcb_shows_in_later_reports_that_still_verify() {
    let mut host = genoa();
    let vm = launched(&host, SnpLaunchFinish::default());
    host.snp_set_config(&SnpConfig::new(TCB_SNP23, MaskId::empty()))
        .unwrap();
    assert_eq!(host.snp_platform_status().unwrap().reported_tcb(), TCB_SNP23);
    // A guest launched before the change reports the new TCB too: reports are built now.
    for guest in [
        vm.guest().unwrap(),
        launched(&host, SnpLaunchFinish::default()).guest().unwrap(),
    ] {
        let bytes = report(&guest);
        let r = Report::from_bytes(&bytes).unwrap();
        assert_eq!(r.reported_tcb(), TCB_SNP23);
        assert_eq!(r.current_tcb(), TCB);
        verify(&guest, &bytes).unwrap();
    }
}

#[test]
fn set_config_refuses_a_tcb_above_the_current_one_unknown_mask_bits_and_reserved_bytes() {
    let mut host = genoa();
    refused(
        host.snp_set_config(&SnpConfig::new(TCB_SNP25, MaskId::empty())),
        FirmwareStatus::InvalidParam,
    );
    // Above in the microcode byte only.
    refused(
        host.snp_set_config(&SnpConfig::new(TcbVersion(0xdc18_0000_0000_0104), MaskId::empty())),
        FirmwareStatus::InvalidParam,
    );
    refused(
        host.snp_set_config(&SnpConfig::new(TCB, MaskId::from_bits_retain(1 << 2))),
        FirmwareStatus::InvalidParam,
    );
    let mut reserved = SnpConfig::new(TCB, MaskId::empty());
    reserved.reserved[51] = 1;
    refused(host.snp_set_config(&reserved), FirmwareStatus::InvalidParam);
    let s = host.snp_platform_status().unwrap();
    assert_eq!((s.reported_tcb(), s.flags()), (TCB, SnpPlatformFlags::empty()));
}

#[test]
fn mask_chip_id_zeroes_chip_id_in_reports_but_not_in_get_id() {
    let mut host = genoa();
    let chip = host.get_id().unwrap();
    host.snp_set_config(&SnpConfig::new(TCB, MaskId::MASK_CHIP_ID)).unwrap();
    assert!(
        host.snp_platform_status()
            .unwrap()
            .flags()
            .contains(SnpPlatformFlags::MASK_CHIP_ID)
    );
    assert_eq!(host.get_id().unwrap(), chip);
    let guest = launched(&host, SnpLaunchFinish::default()).guest().unwrap();
    let bytes = report(&guest);
    let r = Report::from_bytes(&bytes).unwrap();
    assert_eq!(r.chip_id(), &[0; 64]);
    assert_eq!(r.signing_key(), SigningKey::Vcek);
    // A masked CHIP_ID cannot name the VCEK: the verifier says so, and with the hwID check
    // waived (the VCEK obtained another way) the signature verifies.
    assert!(matches!(
        verify(&guest, &bytes),
        Err(sev_verify::snp::SnpError::ChipIdMasked)
    ));
    verify_with(verifier(&guest).skip_hwid_check(), &guest, &bytes).unwrap();
}

#[test]
fn mask_chip_key_leaves_vcek_reports_unsigned() {
    let mut host = genoa();
    host.snp_set_config(&SnpConfig::new(TCB, MaskId::MASK_CHIP_KEY))
        .unwrap();
    let guest = launched(&host, SnpLaunchFinish::default()).guest().unwrap();
    let bytes = report(&guest);
    let r = Report::from_bytes(&bytes).unwrap();
    assert_eq!(r.signing_key(), SigningKey::None);
    assert!(r.key_info().contains(KeyInfo::MASK_CHIP_KEY));
    assert!(r.signature().is_zero());
    assert!(verify(&guest, &bytes).is_err());
}

#[test]
fn a_loaded_vlek_signs_the_reports_of_guests_on_the_machine() {
    let mut host = genoa();
    let stick = host.vlek_hashstick("csp-sim");
    host.snp_vlek_load(&stick).unwrap();
    assert!(
        host.snp_platform_status()
            .unwrap()
            .flags()
            .contains(SnpPlatformFlags::VLEK_EN)
    );
    let guest = launched(&host, SnpLaunchFinish::default()).guest().unwrap();
    let bytes = report(&guest);
    let r = Report::from_bytes(&bytes).unwrap();
    assert_eq!(r.signing_key(), SigningKey::Vlek);
    assert!(r.chip_id_masked());
    verify(&guest, &bytes).unwrap();
}

#[test]
fn hashsticks_for_another_chip_or_tcb_or_changed_ones_are_refused() {
    let mut host = genoa();
    let chip: [u8; 64] = host.get_id().unwrap().try_into().unwrap();
    let mut other_chip = chip;
    other_chip[0] ^= 0xFF;
    refused(
        host.snp_vlek_load(&wrap_vlek_hashstick(&other_chip, TCB, "x", [1; 12])),
        FirmwareStatus::BadSignature,
    );
    refused(
        host.snp_vlek_load(&wrap_vlek_hashstick(&chip, TCB_SNP23, "x", [1; 12])),
        FirmwareStatus::InvalidParam,
    );
    let mut changed = wrap_vlek_hashstick(&chip, TCB, "x", [1; 12]);
    changed.wrapped_vlek[100] ^= 1;
    refused(host.snp_vlek_load(&changed), FirmwareStatus::BadSignature);
    let mut reserved = wrap_vlek_hashstick(&chip, TCB, "x", [1; 12]);
    reserved.reserved_198[0] = 1;
    refused(host.snp_vlek_load(&reserved), FirmwareStatus::InvalidParam);
    assert!(
        !host
            .snp_platform_status()
            .unwrap()
            .flags()
            .contains(SnpPlatformFlags::VLEK_EN)
    );
    // After SET_CONFIG the hashstick must be for the new reported TCB.
    host.snp_set_config(&SnpConfig::new(TCB_SNP23, MaskId::empty()))
        .unwrap();
    host.snp_vlek_load(&wrap_vlek_hashstick(&chip, TCB_SNP23, "x", [1; 12]))
        .unwrap();
}

#[test]
fn a_vcek_disabled_guest_gets_reports_only_once_a_vlek_is_loaded() {
    let mut host = genoa();
    let vm = launched(
        &host,
        SnpLaunchFinish {
            vcek_disabled: true,
            ..SnpLaunchFinish::default()
        },
    );
    let guest = vm.guest().unwrap();
    for key in [KeySelect::Auto, KeySelect::Vcek, KeySelect::Vlek] {
        assert_eq!(
            guest.report_with_key(&[0; 64], 0, key).unwrap_err(),
            SimError::Firmware(FirmwareStatus::InvalidKey),
            "{key:?}"
        );
    }
    host.snp_vlek_load(&host.vlek_hashstick("csp")).unwrap();
    let guest = vm.guest().unwrap();
    let bytes = report(&guest);
    assert_eq!(Report::from_bytes(&bytes).unwrap().signing_key(), SigningKey::Vlek);
    verify(&guest, &bytes).unwrap();
    assert_eq!(
        guest.report_with_key(&[0; 64], 0, KeySelect::Vcek).unwrap_err(),
        SimError::Firmware(FirmwareStatus::InvalidKey)
    );
}

#[test]
fn reports_carry_the_launch_policy_host_data_and_a_report_id_per_guest() {
    let host = genoa();
    let a = launched(
        &host,
        SnpLaunchFinish {
            host_data: [0xD7; 32],
            ..SnpLaunchFinish::default()
        },
    );
    let b = launched(&host, SnpLaunchFinish::default());
    let (ra, rb) = (report(&a.guest().unwrap()), report(&b.guest().unwrap()));
    let (ra, rb) = (Report::from_bytes(&ra).unwrap(), Report::from_bytes(&rb).unwrap());
    assert_eq!(ra.host_data(), &[0xD7; 32]);
    assert_eq!(rb.host_data(), &[0; 32]);
    assert_eq!(ra.policy(), default_policy());
    assert_eq!(ra.measurement(), rb.measurement(), "same pages, same vCPU");
    assert_ne!(ra.report_id(), rb.report_id());
    assert_eq!(ra.family_id(), &[0; 16]);
    assert_eq!(ra.id_key_digest(), &[0; 48]);
}
