//! The ID block checks of LAUNCH_FINISH on the simulated host, with the sev-snp-measure test
//! keys, the ID block and auth info sev-snp-measure generated, and its published key digests
//! (`fixtures/idblock`).

mod host_snp_support;

use base64::Engine;
use host_snp_support::*;
use sev_measure::idblock::{IdAuthInfo, IdBlock, SigningKey, sign_id_auth};
use sev_sim::errno::EIO;
use sev_sim::host::{HostConfig, SimHost, SimSnpVm};
use sev_sys::seam::{SnpLaunchDevice, SnpLaunchFinish};
use sev_types::Product;
use sev_types::key_info::KeyInfo;
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::policy::GuestPolicy;
use sev_types::report::Report;
use sev_types::status::FirmwareStatus;
use zerocopy::IntoBytes;

/// ID_KEY_DIGEST of id_key_test.pem, from `fixtures/idblock/vectors.md`.
const ID_KEY_DIGEST_B64: &str = "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU";
/// AUTHOR_KEY_DIGEST of author_key_test.pem, from the same file.
const AUTHOR_KEY_DIGEST_B64: &str = "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX";

fn b64_48(s: &str) -> [u8; 48] {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .unwrap()
        .try_into()
        .unwrap()
}

fn key(name: &str) -> SigningKey {
    SigningKey::from_pem(&std::fs::read_to_string(fixtures().join("idblock").join(name)).unwrap()).unwrap()
}

fn generated(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("idblock/generated").join(name)).unwrap()
}

/// A VM with one NORMAL page and one vCPU, launched with policy 0x30000 and not finished.
fn started(host: &SimHost) -> SimSnpVm {
    let mut vm = host.create_snp_vm();
    add_memory(&mut vm);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    vm.add_vcpu(0, &SaveArea::zeroed()).unwrap();
    vm.snp_launch_start(&KvmSnpLaunchStart::new(default_policy())).unwrap();
    vm.snp_launch_update(0, KvmPageType::Normal, &[0x3C; 4096]).unwrap();
    vm
}

/// The digest such a launch ends with (the launch is deterministic).
fn final_digest(host: &SimHost) -> [u8; 48] {
    let mut vm = started(host);
    vm.snp_launch_finish(&SnpLaunchFinish::default()).unwrap();
    vm.launch_digest()
}

fn finish_with(vm: &mut SimSnpVm, block: &[u8], auth: &[u8], auth_key_en: bool) -> Result<(), sev_sys::Error> {
    let block: &[u8; 96] = block.try_into().unwrap();
    let auth: &[u8; 4096] = auth.try_into().unwrap();
    vm.snp_launch_finish(&SnpLaunchFinish {
        id_block: Some((block, auth)),
        auth_key_en,
        ..SnpLaunchFinish::default()
    })
}

#[track_caller]
fn refused(r: Result<(), sev_sys::Error>, status: FirmwareStatus) {
    let e = r.expect_err("expected a firmware refusal");
    assert_eq!(e.errno(), Some(EIO), "{e}");
    assert_eq!(e.firmware_status(), Some(status), "{e}");
}

fn genoa() -> SimHost {
    SimHost::new(HostConfig::new(Product::Genoa))
}

#[test]
fn an_accepted_id_block_puts_its_identity_and_the_key_digests_into_reports() {
    let host = genoa();
    let block = IdBlock::new(final_digest(&host), default_policy())
        .with_family_id([0xFA; 16])
        .with_image_id([0x1A; 16])
        .with_guest_svn(7);
    let auth = sign_id_auth(&block, &key("id_key_test.pem"), Some(&key("author_key_test.pem")));
    let mut vm = started(&host);
    finish_with(&mut vm, block.as_bytes(), auth.as_bytes(), true).unwrap();
    let bytes = vm.guest().unwrap().report(&[0; 64], 0).unwrap();
    let r = Report::from_bytes(&bytes).unwrap();
    assert_eq!(r.id_key_digest(), &b64_48(ID_KEY_DIGEST_B64));
    assert_eq!(r.author_key_digest(), &b64_48(AUTHOR_KEY_DIGEST_B64));
    assert!(r.key_info().contains(KeyInfo::AUTHOR_KEY_EN));
    assert_eq!(
        (r.family_id(), r.image_id(), r.guest_svn()),
        (&[0xFA; 16], &[0x1A; 16], 7)
    );
}

#[test]
fn without_auth_key_en_the_author_key_is_ignored() {
    let host = genoa();
    let block = IdBlock::new(final_digest(&host), default_policy());
    let mut auth = sign_id_auth(&block, &key("id_key_test.pem"), Some(&key("author_key_test.pem")));
    // Even a broken author signature does not matter when AUTH_KEY_EN is clear.
    auth.id_key_sig.as_mut_bytes()[0] ^= 1;
    let mut vm = started(&host);
    finish_with(&mut vm, block.as_bytes(), auth.as_bytes(), false).unwrap();
    let bytes = vm.guest().unwrap().report(&[0; 64], 0).unwrap();
    let r = Report::from_bytes(&bytes).unwrap();
    assert_eq!(r.id_key_digest(), &b64_48(ID_KEY_DIGEST_B64));
    assert_eq!(r.author_key_digest(), &[0; 48]);
    assert!(!r.key_info().contains(KeyInfo::AUTHOR_KEY_EN));
}

#[test]
fn the_id_block_sev_snp_measure_signed_for_another_digest_is_a_bad_measurement() {
    let host = genoa();
    let (block, auth) = (generated("id_block.bin"), generated("id_auth.bin"));
    let mut vm = started(&host);
    // Its signatures are genuine (made by sev-snp-measure); its LD is 076f052d... .
    refused(
        finish_with(&mut vm, &block, &auth, true),
        FirmwareStatus::BadMeasurement,
    );
    // The launch is still open: a matching ID block finishes it.
    let ours = IdBlock::new(vm.launch_digest(), default_policy());
    let auth = sign_id_auth(&ours, &key("id_key_test.pem"), None);
    finish_with(&mut vm, ours.as_bytes(), auth.as_bytes(), false).unwrap();
}

#[test]
fn signatures_that_do_not_verify_are_bad_signatures() {
    let host = genoa();
    let block = IdBlock::new(final_digest(&host), default_policy());
    // sev-snp-measure's auth info signs a different block.
    refused(
        finish_with(&mut started(&host), block.as_bytes(), &generated("id_auth.bin"), true),
        FirmwareStatus::BadSignature,
    );
    let good = sign_id_auth(&block, &key("id_key_test.pem"), Some(&key("author_key_test.pem")));
    let mut bad_block_sig: Box<IdAuthInfo> = good.clone();
    bad_block_sig.id_block_sig.as_mut_bytes()[5] ^= 1;
    refused(
        finish_with(&mut started(&host), block.as_bytes(), bad_block_sig.as_bytes(), false),
        FirmwareStatus::BadSignature,
    );
    let mut bad_author_sig: Box<IdAuthInfo> = good.clone();
    bad_author_sig.id_key_sig.as_mut_bytes()[5] ^= 1;
    refused(
        finish_with(&mut started(&host), block.as_bytes(), bad_author_sig.as_bytes(), true),
        FirmwareStatus::BadSignature,
    );
}

#[test]
fn an_id_block_policy_other_than_the_launch_policy_is_a_policy_failure() {
    let host = genoa();
    let block = IdBlock::new(final_digest(&host), default_policy() | GuestPolicy::DEBUG);
    let auth = sign_id_auth(&block, &key("id_key_test.pem"), None);
    refused(
        finish_with(&mut started(&host), block.as_bytes(), auth.as_bytes(), false),
        FirmwareStatus::PolicyFailure,
    );
}

#[test]
fn malformed_auth_info_is_an_invalid_param() {
    let host = genoa();
    let block = IdBlock::new(final_digest(&host), default_policy());
    let id_only = sign_id_auth(&block, &key("id_key_test.pem"), None);
    // AUTH_KEY_EN without an author key.
    refused(
        finish_with(&mut started(&host), block.as_bytes(), id_only.as_bytes(), true),
        FirmwareStatus::InvalidParam,
    );
    let mut algo: Box<IdAuthInfo> = id_only.clone();
    algo.id_key_algo.set(2);
    refused(
        finish_with(&mut started(&host), block.as_bytes(), algo.as_bytes(), false),
        FirmwareStatus::InvalidParam,
    );
}
