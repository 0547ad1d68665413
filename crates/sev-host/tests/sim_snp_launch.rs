//! SNP launches of OVMF images on the simulator: the launcher, written from the launch facts,
//! must reproduce the published launch digests (`fixtures/measurement/snp-measure-vectors.tsv`,
//! sev-snp-measure 0.0.13 and virtee/sev 8) and sev-measure's independent prediction.

use sev_host::HostError;
use sev_host::launch::ovmf::OvmfLaunch;
use sev_host::launch::{SnpFinish, SnpInit, SnpLauncher, SnpStart};
use sev_measure::hashes::SevHashes;
use sev_measure::ovmf::Ovmf;
use sev_measure::snp::{SnpInput, snp_launch_digest};
use sev_sim::host::{HostConfig, SimHost, SimSnpVm};
use sev_types::Product;
use sev_types::launch::snp::KvmPageType;

/// CPUID(1).EAX of QEMU's EPYC-v4 model, as in the vectors.
const EPYC_V4: u32 = 0x0080_0F12;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/measurement/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn host() -> SimHost {
    SimHost::new(HostConfig::new(Product::Genoa))
}

struct Case<'a> {
    image: &'a str,
    vcpus: u32,
    vcpu_sig: u32,
    guest_features: u64,
    kernel: Option<SevHashes>,
    published: &'a str,
}

/// Launches `case` on a fresh simulated VM and returns the VM's launch digest and
/// sev-measure's prediction of it.
fn launch(case: &Case<'_>) -> ([u8; 48], [u8; 48]) {
    let image = fixture(case.image);
    launch_image(&image, case)
}

fn launch_image(image: &[u8], case: &Case<'_>) -> ([u8; 48], [u8; 48]) {
    let ovmf = Ovmf::parse(image).unwrap();
    let plan = OvmfLaunch {
        vcpus: case.vcpus,
        vcpu_sig: case.vcpu_sig,
        kernel_hashes: case.kernel.as_ref(),
        ..OvmfLaunch::new(&ovmf)
    };
    let init = SnpInit::from_guest_features(case.guest_features);
    let vm: SimSnpVm = plan
        .launch_snp(
            host().create_snp_vm(),
            &init,
            &SnpStart::default(),
            &SnpFinish::default(),
        )
        .unwrap()
        .into_device();
    let predicted = snp_launch_digest(&SnpInput {
        vcpus: case.vcpus,
        vcpu_sig: case.vcpu_sig,
        guest_features: case.guest_features,
        kernel_hashes: case.kernel.as_ref(),
        ..SnpInput::new(&ovmf)
    })
    .unwrap();
    assert_eq!(vm.guest().unwrap().config().measurement, vm.launch_digest());
    (vm.launch_digest(), predicted)
}

fn check(case: Case<'_>) {
    let (launched, predicted) = launch(&case);
    assert_eq!(hex::encode(launched), case.published, "launched digest vs published");
    assert_eq!(launched, predicted, "launched digest vs sev-measure");
}

fn empty_kernel(append: Option<&str>) -> Option<SevHashes> {
    Some(SevHashes::new(&[], Some(&[]), append))
}

#[test]
fn amdsev_one_vcpu_without_kernel() {
    check(Case {
        image: "ovmf_AmdSev_suffix.bin",
        vcpus: 1,
        vcpu_sig: EPYC_V4,
        guest_features: 0x1,
        kernel: None,
        published: "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d",
    });
}

#[test]
fn amdsev_one_vcpu_with_debug_swap_without_kernel() {
    check(Case {
        image: "ovmf_AmdSev_suffix.bin",
        vcpus: 1,
        vcpu_sig: EPYC_V4,
        guest_features: 0x21,
        kernel: None,
        published: "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b",
    });
}

#[test]
fn amdsev_one_vcpu_with_kernel_hashes() {
    check(Case {
        image: "ovmf_AmdSev_suffix.bin",
        vcpus: 1,
        vcpu_sig: EPYC_V4,
        guest_features: 0x1,
        kernel: empty_kernel(Some("console=ttyS0 loglevel=7")),
        published: "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa",
    });
}

#[test]
fn amdsev_four_vcpus_with_kernel_hashes() {
    check(Case {
        image: "ovmf_AmdSev_suffix.bin",
        vcpus: 4,
        vcpu_sig: EPYC_V4,
        guest_features: 0x1,
        kernel: empty_kernel(None),
        published: "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5",
    });
}

#[test]
fn amdsev_four_vcpus_with_debug_swap_and_kernel_hashes() {
    check(Case {
        image: "ovmf_AmdSev_suffix.bin",
        vcpus: 4,
        vcpu_sig: EPYC_V4,
        guest_features: 0x21,
        kernel: empty_kernel(None),
        published: "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942",
    });
}

#[test]
fn ovmfx64_one_vcpu_without_kernel() {
    check(Case {
        image: "ovmf_OvmfX64_suffix.bin",
        vcpus: 1,
        vcpu_sig: EPYC_V4,
        guest_features: 0x1,
        kernel: None,
        published: "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005",
    });
}

#[test]
fn kernel_hashes_without_a_kernel_hashes_section_fail_before_the_launch() {
    let image = fixture("ovmf_OvmfX64_suffix.bin");
    let ovmf = Ovmf::parse(&image).unwrap();
    let hashes = SevHashes::new(&[], Some(&[]), None);
    let plan = OvmfLaunch {
        kernel_hashes: Some(&hashes),
        ..OvmfLaunch::new(&ovmf)
    };
    let err = plan
        .launch_snp(
            host().create_snp_vm(),
            &SnpInit::default(),
            &SnpStart::default(),
            &SnpFinish::default(),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("doesn't include SNP_KERNEL_HASHES section"),
        "{err}"
    );
}

#[test]
fn partial_updates_and_eagain_from_the_simulated_kernel_give_the_same_digest() {
    let image = fixture("ovmf_AmdSev_suffix.bin");
    let ovmf = Ovmf::parse(&image).unwrap();
    let plan = OvmfLaunch {
        vcpus: 4,
        vcpu_sig: EPYC_V4,
        ..OvmfLaunch::new(&ovmf)
    };
    let mut vm = host().create_snp_vm();
    vm.set_max_pages_per_update(Some(1));
    vm.inject_update_eagain(3);
    let init = SnpInit::default();
    let mut launcher = SnpLauncher::new(vm, &init).unwrap();
    plan.prepare_snp(&mut launcher).unwrap();
    let mut launcher = launcher.start(&SnpStart::default()).unwrap();
    plan.update_snp(&mut launcher).unwrap();
    let vm = launcher.finish(&SnpFinish::default()).unwrap().into_device();
    let predicted = snp_launch_digest(&SnpInput {
        vcpus: 4,
        vcpu_sig: EPYC_V4,
        ..SnpInput::new(&ovmf)
    })
    .unwrap();
    assert_eq!(vm.launch_digest(), predicted);
}

#[test]
fn firmware_errors_keep_errno_and_status_and_name_the_step() {
    // LAUNCH_UPDATE over memory that is not private never happens through the launcher; a
    // ZERO page type over a range the firmware already launched is refused by the firmware.
    let mut launcher = SnpLauncher::new(host().create_snp_vm(), &SnpInit::default()).unwrap();
    launcher.add_memory(0, 0x10000).unwrap();
    let mut launcher = launcher.start(&SnpStart::default()).unwrap();
    launcher.update(0x1000, KvmPageType::Normal, &[1; 0x1000]).unwrap();
    let err = launcher.update(0x1000, KvmPageType::Normal, &[1; 0x1000]).unwrap_err();
    assert!(matches!(err, HostError::Device { .. }), "{err:?}");
    assert!(err.errno().is_some(), "{err:?}");
    assert!(err.to_string().contains("SNP_LAUNCH_UPDATE"), "{err}");
}

#[test]
fn host_data_and_req_certs_reach_the_guest() {
    let image = fixture("ovmf_AmdSev_suffix.bin");
    let ovmf = Ovmf::parse(&image).unwrap();
    let finish = SnpFinish {
        host_data: [0xC3; 32],
        ..SnpFinish::default()
    };
    let plan = OvmfLaunch {
        req_certs: true,
        ..OvmfLaunch::new(&ovmf)
    };
    let vm = plan
        .launch_snp(
            host().create_snp_vm(),
            &SnpInit::default(),
            &SnpStart::default(),
            &finish,
        )
        .unwrap()
        .into_device();
    assert!(vm.req_certs_enabled());
    assert_eq!(vm.guest().unwrap().config().host_data, [0xC3; 32]);
    assert_eq!(vm.policy(), 0x30000);
}

/// `deb-snp-4-genoa-gf21` of `fixtures/measurement/debian-ovmf-vectors.tsv`: the whole 2 MiB
/// Debian OVMF (OvmfPkgX64), 4 vCPUs of EPYC-Genoa (0x00A10F10), guest features 0x21.
#[test]
#[cfg_attr(
    not(debian_ovmf),
    ignore = "Debian's OVMF.fd (sha256 7b456907…) is not installed here"
)]
fn debian_ovmf_four_genoa_vcpus_with_debug_swap() {
    let image = std::fs::read("/usr/share/ovmf/OVMF.fd").unwrap();
    let (launched, predicted) = launch_image(
        &image,
        &Case {
            image: "",
            vcpus: 4,
            vcpu_sig: 0x00A1_0F10,
            guest_features: 0x21,
            kernel: None,
            published: "",
        },
    );
    assert_eq!(
        hex::encode(launched),
        "73d55f03b799be6fb6fee9cb50b12949677b4a0e647ee286337a1c23332aee4479675b8b7816858dfd5dd60d15de7ea3"
    );
    assert_eq!(launched, predicted);
}

fn id_key(name: &str) -> sev_measure::idblock::SigningKey {
    let path = format!("{}/../../fixtures/idblock/{name}", env!("CARGO_MANIFEST_DIR"));
    sev_measure::idblock::SigningKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// LAUNCH_FINISH with an ID block: the firmware compares the block's launch digest with the
/// measured one, so the launcher's digest must equal sev-measure's prediction for the signed
/// block to be accepted; a block for another digest fails with BAD_MEASUREMENT.
#[test]
fn id_block_for_the_predicted_digest_is_accepted_and_another_is_refused() {
    use sev_measure::idblock::{default_id_block, sign_id_auth};
    use zerocopy::IntoBytes;

    let image = fixture("ovmf_AmdSev_suffix.bin");
    let ovmf = Ovmf::parse(&image).unwrap();
    let plan = OvmfLaunch {
        vcpus: 2,
        vcpu_sig: EPYC_V4,
        ..OvmfLaunch::new(&ovmf)
    };
    let predicted = snp_launch_digest(&SnpInput {
        vcpus: 2,
        vcpu_sig: EPYC_V4,
        ..SnpInput::new(&ovmf)
    })
    .unwrap();
    let (id, author) = (id_key("id_key_test.pem"), id_key("author_key_test.pem"));
    let finish_for = |ld: [u8; 48]| {
        let block = default_id_block(ld);
        let auth = sign_id_auth(&block, &id, Some(&author));
        let mut block_bytes = Box::new([0u8; 96]);
        block_bytes.copy_from_slice(block.as_bytes());
        let mut auth_bytes = Box::new([0u8; 4096]);
        auth_bytes.copy_from_slice(auth.as_bytes());
        SnpFinish {
            id_block: Some((block_bytes, auth_bytes)),
            auth_key_en: true,
            ..SnpFinish::default()
        }
    };

    let vm = plan
        .launch_snp(
            host().create_snp_vm(),
            &SnpInit::default(),
            &SnpStart::default(),
            &finish_for(predicted),
        )
        .unwrap()
        .into_device();
    let guest = vm.guest().unwrap();
    assert_eq!(guest.config().measurement, predicted);
    assert_eq!(guest.config().id_key_digest, id.key_digest());
    assert_eq!(guest.config().author_key_digest, Some(author.key_digest()));

    let mut other = predicted;
    other[47] ^= 0xFF;
    let err = plan
        .launch_snp(
            host().create_snp_vm(),
            &SnpInit::default(),
            &SnpStart::default(),
            &finish_for(other),
        )
        .unwrap_err();
    assert_eq!(
        err.firmware_status(),
        Some(sev_types::status::FirmwareStatus::BadMeasurement),
        "{err}"
    );
    assert!(err.errno().is_some(), "{err:?}");
    assert!(err.to_string().contains("SNP_LAUNCH_FINISH"), "{err}");
}

/// An image without the SEV-ES reset block (found by the `host_platform_parsers` fuzz target)
/// has no launch digest: sev-measure refuses to predict one, and the launcher refuses to launch
/// it, whatever the vCPU count, rather than launch something no one can attest.
#[test]
fn an_image_without_the_reset_block_is_refused_even_with_one_vcpu() {
    let image = vec![0xFF; 4096];
    let ovmf = Ovmf::parse(&image).unwrap();
    assert!(snp_launch_digest(&SnpInput::new(&ovmf)).is_err());
    let launched = OvmfLaunch::new(&ovmf).launch_snp(
        host().create_snp_vm(),
        &SnpInit::default(),
        &SnpStart::default(),
        &SnpFinish::default(),
    );
    let Err(err) = launched else {
        panic!("launched an image without the SEV-ES reset block");
    };
    assert!(err.to_string().contains("reset block"), "{err}");
}
