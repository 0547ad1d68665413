//! The SNP_LAUNCH_UPDATE resume loop and the SNP launcher's order and checks, against a tiny
//! scripted device (`fake`).

mod fake;

use fake::{Answer, Call, EAGAIN, EINTR, EIO, FakeSnp, PAGE};
use sev_host::HostError;
use sev_host::launch::{Retry, SnpFinish, SnpInit, SnpLauncher, SnpStart, snp_launch_update_all};
use sev_measure::vmsa::{BSP_EIP, GuestFeatures, VmmType, build};
use sev_types::launch::snp::KvmPageType;
use sev_types::policy::GuestPolicy;
use sev_types::status::FirmwareStatus;

/// Five pages, each filled with its index, so a page delivered to the wrong frame shows.
fn five_pages() -> Vec<u8> {
    (0..5u8).flat_map(|i| [i + 1; PAGE]).collect()
}

fn assert_delivered(dev: &FakeSnp, gfn: u64, src: &[u8]) {
    for (i, page) in src.chunks(PAGE).enumerate() {
        assert_eq!(
            dev.pages.get(&(gfn + i as u64)).map(Vec::as_slice),
            Some(page),
            "frame {}",
            gfn + i as u64
        );
    }
}

#[test]
fn partial_consumption_resumes_at_the_next_frame_with_the_rest() {
    let mut dev = FakeSnp::with_script([Answer::Pages(2), Answer::Pages(2), Answer::Pages(2)]);
    let src = five_pages();
    let stats = snp_launch_update_all(&mut dev, 0x10, KvmPageType::Normal, &src, Retry::default()).unwrap();
    assert_eq!(dev.updates(), vec![(0x10, 2), (0x12, 2), (0x14, 1)]);
    assert_delivered(&dev, 0x10, &src);
    assert_eq!((stats.calls, stats.retries, stats.bytes), (3, 0, 5 * PAGE as u64));
}

#[test]
fn eagain_and_eintr_are_retried_without_advancing() {
    let mut dev = FakeSnp::with_script([
        Answer::Pages(1),
        Answer::Fail(EAGAIN, 0),
        Answer::Fail(EINTR, 0),
        Answer::Pages(10),
    ]);
    let src = five_pages();
    let stats = snp_launch_update_all(&mut dev, 7, KvmPageType::Normal, &src, Retry::default()).unwrap();
    assert_eq!(dev.updates(), vec![(7, 1), (8, 0), (8, 0), (8, 4)]);
    assert_delivered(&dev, 7, &src);
    assert_eq!((stats.calls, stats.retries), (4, 2));
}

#[test]
fn eagain_retries_are_bounded() {
    let mut dev = FakeSnp::with_script(std::iter::repeat_n(Answer::Fail(EAGAIN, 0), 100));
    let err = snp_launch_update_all(&mut dev, 0, KvmPageType::Zero, &[0; PAGE], Retry { max_attempts: 5 }).unwrap_err();
    match &err {
        HostError::RetriesExhausted { attempts, .. } => assert_eq!(*attempts, 5),
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert_eq!(err.errno(), Some(EAGAIN));
    assert_eq!(dev.updates().len(), 5);
}

#[test]
fn the_bound_counts_calls_in_a_row_without_progress() {
    // Two stalls, progress, two stalls, progress: never three stalls in a row.
    let mut dev = FakeSnp::with_script([
        Answer::Fail(EAGAIN, 0),
        Answer::Pages(0),
        Answer::Pages(1),
        Answer::Fail(EINTR, 0),
        Answer::Fail(EAGAIN, 0),
        Answer::Pages(1),
    ]);
    snp_launch_update_all(
        &mut dev,
        0,
        KvmPageType::Normal,
        &[0; 2 * PAGE],
        Retry { max_attempts: 3 },
    )
    .unwrap();
    assert_eq!(dev.updates().len(), 6);
}

#[test]
fn zero_progress_answers_are_bounded_too() {
    let mut dev = FakeSnp::with_script(std::iter::repeat_n(Answer::Pages(0), 10));
    let err =
        snp_launch_update_all(&mut dev, 0, KvmPageType::Normal, &[0; PAGE], Retry { max_attempts: 4 }).unwrap_err();
    assert!(
        matches!(err, HostError::RetriesExhausted { attempts: 4, .. }),
        "{err:?}"
    );
}

#[test]
fn other_errors_end_the_loop_with_errno_and_firmware_status() {
    let mut dev = FakeSnp::with_script([Answer::Pages(1), Answer::Fail(EIO, 0x16)]);
    let err = snp_launch_update_all(&mut dev, 0, KvmPageType::Cpuid, &[0; 2 * PAGE], Retry::default()).unwrap_err();
    assert_eq!(err.errno(), Some(EIO));
    assert_eq!(err.firmware_status(), Some(FirmwareStatus::InvalidParam));
    let text = err.to_string();
    assert!(
        text.contains("INVALID_PARAM") && text.contains("SNP_LAUNCH_UPDATE"),
        "{text}"
    );
    assert_eq!(dev.updates(), vec![(0, 1), (1, 0)]);
}

#[test]
fn impossible_progress_is_refused() {
    for bytes in [100, 3 * PAGE as u64] {
        let mut dev = FakeSnp::with_script([Answer::Bytes(bytes)]);
        let err =
            snp_launch_update_all(&mut dev, 0, KvmPageType::Normal, &[0; 2 * PAGE], Retry::default()).unwrap_err();
        assert!(matches!(err, HostError::Invalid { .. }), "{bytes}: {err:?}");
    }
}

#[test]
fn sources_that_are_not_whole_pages_are_refused_before_any_call() {
    for len in [0, 100, PAGE + 1] {
        let mut dev = FakeSnp::default();
        let err = snp_launch_update_all(&mut dev, 0, KvmPageType::Normal, &vec![0; len], Retry::default()).unwrap_err();
        assert!(matches!(err, HostError::Invalid { .. }), "{len}: {err:?}");
        assert!(dev.calls.is_empty());
    }
}

fn bsp(features: GuestFeatures) -> sev_types::launch::vmsa::SaveArea {
    build(VmmType::Qemu, BSP_EIP, 0x00A1_0F10, features.bits())
}

#[test]
fn launcher_issues_init_memory_start_private_update_finish_in_order() {
    let init = SnpInit {
        vmsa_features: GuestFeatures::DEBUG_SWAP,
        ghcb_version: 2,
    };
    let mut launcher = SnpLauncher::new(FakeSnp::with_script([Answer::Pages(1)]), &init).unwrap();
    launcher.enable_req_certs().unwrap();
    launcher.add_memory(0, 0x10000).unwrap();
    launcher.add_vcpu(0, &bsp(init.guest_features())).unwrap();
    let mut launcher = launcher.start(&SnpStart::default()).unwrap();
    launcher.update(0x2000, KvmPageType::Normal, &[7; 2 * PAGE]).unwrap();
    let finish = SnpFinish {
        host_data: [0x5A; 32],
        ..SnpFinish::default()
    };
    let dev = launcher.finish(&finish).unwrap().into_device();
    assert_eq!(
        dev.calls,
        vec![
            Call::Init2 {
                vmsa_features: 0x20,
                ghcb_version: 2
            },
            Call::ReqCerts,
            Call::Memfd { size: 0x10000 },
            Call::Slot {
                slot: 0,
                gpa: 0,
                size: 0x10000,
                memfd: true
            },
            Call::Vcpu { id: 0 },
            Call::Start { policy: 0x30000 },
            Call::Attributes {
                gpa: 0x2000,
                size: 0x2000,
                private: true
            },
            Call::Update {
                gfn: 2,
                pages: 1,
                page_type: KvmPageType::Normal
            },
            Call::Update {
                gfn: 3,
                pages: 1,
                page_type: KvmPageType::Normal
            },
            Call::Finish {
                host_data: [0x5A; 32],
                id_block: false
            },
        ]
    );
}

#[test]
fn invalid_init_parameters_never_reach_the_device() {
    let cases = [
        // KVM sets SNPActive itself and refuses it from userspace.
        SnpInit {
            vmsa_features: GuestFeatures::SNP_ACTIVE,
            ghcb_version: 0,
        },
        // A feature bit outside the known set.
        SnpInit {
            vmsa_features: GuestFeatures::VTOM,
            ghcb_version: 0,
        },
        // SNP needs GHCB version 2.
        SnpInit {
            vmsa_features: GuestFeatures::empty(),
            ghcb_version: 1,
        },
        SnpInit {
            vmsa_features: GuestFeatures::empty(),
            ghcb_version: 3,
        },
    ];
    for init in cases {
        let err = SnpLauncher::new(FakeSnp::default(), &init).unwrap_err();
        assert!(matches!(err, HostError::Invalid { .. }), "{init:?}: {err:?}");
    }
}

#[test]
fn vcpu_state_must_carry_the_vms_guest_features() {
    let mut launcher = SnpLauncher::new(FakeSnp::default(), &SnpInit::default()).unwrap();
    // SEV_FEATURES 0: not SNPActive.
    let err = launcher.add_vcpu(0, &bsp(GuestFeatures::empty())).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
    launcher.add_vcpu(0, &bsp(GuestFeatures::SNP_ACTIVE)).unwrap();
    assert_eq!(launcher.vcpus(), 1);
    // KVM takes ENABLE_REQ_CERTS only before the first vCPU.
    assert!(matches!(launcher.enable_req_certs(), Err(HostError::Invalid { .. })));
}

#[test]
fn policy_without_the_must_be_one_bit_is_refused() {
    let launcher = SnpLauncher::new(FakeSnp::default(), &SnpInit::default()).unwrap();
    let start = SnpStart {
        policy: GuestPolicy::SMT,
        gosvw: [0; 16],
    };
    let err = launcher.start(&start).unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
}

#[test]
fn updates_outside_mapped_memory_are_refused() {
    let mut launcher = SnpLauncher::new(FakeSnp::default(), &SnpInit::default()).unwrap();
    launcher.add_memory(0, 0x4000).unwrap();
    let mut launcher = launcher.start(&SnpStart::default()).unwrap();
    let err = launcher
        .update(0x3000, KvmPageType::Normal, &[0; 2 * PAGE])
        .unwrap_err();
    assert!(matches!(err, HostError::Invalid { .. }), "{err:?}");
    assert!(launcher.device().updates().is_empty());
}
