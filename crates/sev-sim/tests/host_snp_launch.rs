//! SNP launches on the simulated host: the digest of hand-driven OVMF launches against the
//! published sev-snp-measure vectors, and every refusal of KVM and the firmware.

mod host_snp_support;

use host_snp_support::*;
use sev_sim::SimError;
use sev_sim::errno::{EAGAIN, EEXIST, EINVAL, EIO, ENOTTY};
use sev_sim::host::{HostConfig, SimHost, SimSnpVm};
use sev_sys::seam::{MemoryAttributes, MemorySlot, PlatformDevice, SnpLaunchDevice, SnpLaunchFinish, VmMemory};
use sev_types::Product;
use sev_types::guest::SecretsPage;
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::policy::GuestPolicy;
use sev_types::report::Report;
use sev_types::status::FirmwareStatus;

fn host() -> SimHost {
    SimHost::new(HostConfig::new(Product::Genoa))
}

#[track_caller]
fn fails<T: std::fmt::Debug>(r: Result<T, sev_sys::Error>, errno: i32, fw: Option<FirmwareStatus>) {
    let e = r.expect_err("expected a failure");
    assert_eq!(e.errno(), Some(errno), "{e}");
    assert_eq!(e.firmware_status(), fw, "{e}");
}

fn vector_launch(id: &str, vm: &mut SimSnpVm) -> [u8; 48] {
    let row = vector(id);
    let image = vector_image(&row);
    launch_ovmf(
        vm,
        &OvmfLaunch {
            image: &image,
            vcpus: row["vcpus"].parse().unwrap(),
            vcpu_sig: parse_u64(&row["vcpu_sig"]) as u32,
            guest_features: parse_u64(&row["guest_features"]),
            hashes: vector_hashes(&row),
            policy: default_policy(),
        },
    );
    hex48(&row["expected"])
}

#[test]
fn ovmf_launches_measure_the_published_sev_snp_measure_digests() {
    for id in [
        "snp-nokernel-default",
        "snp-nokernel-snp-only",
        "snp-ovmfx64-nokernel-default",
        "snp-ovmfx64-nokernel-snp-only",
        "snp-full-default",
        "snp-full-snp-only",
        "snp-4vcpus-default",
        "snp-4vcpus-snp-only",
    ] {
        let host = host();
        let mut vm = host.create_snp_vm();
        let expected = vector_launch(id, &mut vm);
        vm.snp_launch_finish(&SnpLaunchFinish::default()).unwrap();
        assert_eq!(vm.launch_digest(), expected, "{id}");
        let guest = vm.guest().unwrap();
        let report = guest.report(&[3; 64], 0).unwrap();
        assert_eq!(Report::from_bytes(&report).unwrap().measurement(), &expected, "{id}");
    }
}

#[test]
fn partial_progress_and_eagain_are_resumed_without_changing_the_digest() {
    let host = host();
    let mut vm = host.create_snp_vm();
    vm.set_max_pages_per_update(Some(3));
    vm.inject_update_eagain(4);
    let row = vector("snp-nokernel-default");
    let image = vector_image(&row);
    let calls = launch_ovmf(
        &mut vm,
        &OvmfLaunch {
            image: &image,
            vcpus: 1,
            vcpu_sig: parse_u64(&row["vcpu_sig"]) as u32,
            guest_features: parse_u64(&row["guest_features"]),
            hashes: None,
            policy: default_policy(),
        },
    );
    assert_eq!(calls.eagain, 4);
    // At most 3 pages per call over the firmware page and the AmdSevX64 sections of
    // spec measurement.md section 3 (9, 3, 1, 1, 1, 1 and 15 pages): 1 + 3+1+1+1+1+1+5 calls,
    // plus the 4 refused with EAGAIN.
    assert_eq!(calls.calls, 14 + 4, "{calls:?}");
    vm.snp_launch_finish(&SnpLaunchFinish::default()).unwrap();
    assert_eq!(vm.launch_digest(), hex48(&row["expected"]));
}

#[test]
fn one_update_stops_at_the_end_of_its_memslot() {
    let host = host();
    let mut vm = started_vm(&host);
    // Slot 0 ends at LOW_SIZE: a range across it is cut there.
    let gfn = LOW_SIZE / PAGE - 2;
    let p = vm.snp_launch_update(gfn, KvmPageType::Normal, &[1; 4 * 4096]).unwrap();
    assert_eq!(p.consumed, 2 * PAGE);
    fails(
        vm.snp_launch_update(gfn + 2, KvmPageType::Normal, &[1; 2 * 4096]),
        EINVAL,
        None,
    );
}

/// A VM with memory, INIT2 and LAUNCH_START done (no vCPU).
fn started_vm(host: &SimHost) -> SimSnpVm {
    let mut vm = host.create_snp_vm();
    add_memory(&mut vm);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    vm.snp_launch_start(&KvmSnpLaunchStart::new(default_policy())).unwrap();
    vm
}

#[test]
fn pages_that_are_not_private_or_not_in_a_guest_memfd_slot_are_refused_with_einval() {
    let host = host();
    let mut vm = started_vm(&host);
    vm.set_memory_attributes(0x3000, 0x1000, MemoryAttributes::empty())
        .unwrap();
    // Pages 1 and 2 go in; the call stops before the shared page 3 ...
    let p = vm.snp_launch_update(1, KvmPageType::Normal, &[7; 4 * 4096]).unwrap();
    assert_eq!(p.consumed, 2 * PAGE);
    // ... which then fails on its own.
    fails(vm.snp_launch_update(3, KvmPageType::Normal, &[7; 4096]), EINVAL, None);
    // Memory without guest_memfd cannot be private at all.
    vm.add_memory_slot(&MemorySlot {
        slot: 9,
        gpa: 1 << 30,
        size: 0x10000,
        guest_memfd: None,
    })
    .unwrap();
    vm.set_memory_attributes(1 << 30, 0x10000, MemoryAttributes::PRIVATE)
        .unwrap();
    fails(
        vm.snp_launch_update((1 << 30) / PAGE, KvmPageType::Zero, &[0; 4096]),
        EINVAL,
        None,
    );
    // No memslot at all.
    fails(
        vm.snp_launch_update((2 << 30) / PAGE, KvmPageType::Zero, &[0; 4096]),
        EINVAL,
        None,
    );
    // A page already populated is refused (kvm_gmem_populate's EEXIST surfaces as EIO).
    fails(vm.snp_launch_update(1, KvmPageType::Normal, &[7; 4096]), EIO, None);
}

#[test]
fn only_the_five_kvm_page_types_and_whole_pages_are_accepted() {
    let host = host();
    let mut vm = started_vm(&host);
    for bad in [0u8, 2, 7, 0xFF] {
        fails(vm.snp_launch_update_raw(0, bad, &[0; 4096]), EINVAL, None);
    }
    fails(vm.snp_launch_update(0, KvmPageType::Normal, &[0; 100]), EINVAL, None);
    fails(vm.snp_launch_update(0, KvmPageType::Normal, &[]), EINVAL, None);
    assert_eq!(vm.launch_digest(), [0; 48], "nothing was measured");
    for (gfn, raw) in [(0u64, 1u8), (1, 3), (2, 4), (3, 5)] {
        assert_eq!(vm.snp_launch_update_raw(gfn, raw, &[0; 4096]).unwrap().consumed, PAGE);
    }
    assert_eq!(vm.snp_launch_update_raw(4, 6, &cpuid_table()).unwrap().consumed, PAGE);
}

#[test]
fn commands_out_of_order_fail_as_kvm_and_the_firmware_answer() {
    let host = host();
    let mut vm = host.create_snp_vm();
    add_memory(&mut vm);
    let start = KvmSnpLaunchStart::new(default_policy());
    // Before INIT2 the VM is not an SEV guest.
    fails(vm.snp_launch_start(&start), ENOTTY, None);
    fails(vm.snp_launch_update(0, KvmPageType::Normal, &[0; 4096]), EINVAL, None);
    fails(vm.snp_launch_finish(&SnpLaunchFinish::default()), ENOTTY, None);
    fails(vm.snp_enable_req_certs(), EINVAL, None);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    fails(vm.sev_init2(&KvmSevInit::new(0, 0)), EINVAL, None);
    // Before LAUNCH_START there is no guest context.
    fails(vm.snp_launch_update(0, KvmPageType::Normal, &[0; 4096]), EINVAL, None);
    fails(vm.snp_launch_finish(&SnpLaunchFinish::default()), EINVAL, None);
    vm.add_vcpu(0, &SaveArea::zeroed()).unwrap();
    fails(vm.add_vcpu(0, &SaveArea::zeroed()), EEXIST, None);
    vm.snp_launch_start(&start).unwrap();
    fails(vm.snp_launch_start(&start), EINVAL, None);
    assert_eq!(
        vm.guest().unwrap_err(),
        SimError::Firmware(FirmwareStatus::InvalidGuestState)
    );
    vm.snp_launch_update(0, KvmPageType::Normal, &[0; 4096]).unwrap();
    vm.snp_launch_finish(&SnpLaunchFinish::default()).unwrap();
    // The guest runs: the firmware refuses further launch commands.
    let digest = vm.launch_digest();
    fails(
        vm.snp_launch_finish(&SnpLaunchFinish::default()),
        EIO,
        Some(FirmwareStatus::InvalidGuestState),
    );
    fails(
        vm.snp_launch_update(1, KvmPageType::Normal, &[0; 4096]),
        EIO,
        Some(FirmwareStatus::InvalidGuestState),
    );
    fails(vm.add_vcpu(1, &SaveArea::zeroed()), EINVAL, None);
    assert_eq!(vm.launch_digest(), digest);
}

#[test]
fn init2_accepts_only_what_the_simulated_kvm_supports() {
    let host = host();
    let init = |features: u64, ghcb: u16| {
        let mut vm = host.create_snp_vm();
        let r = vm.sev_init2(&KvmSevInit::new(features, ghcb));
        (vm, r)
    };
    // SNP_ACTIVE (bit 0) is KVM's to set; VMPL SSS (bit 8) is not offered.
    fails(init(1, 0).1, EINVAL, None);
    fails(init(1 << 8, 0).1, EINVAL, None);
    // GHCB version 1 is too old for SNP; 3 is above what KVM implements.
    fails(init(0, 1).1, EINVAL, None);
    fails(init(0, 3).1, EINVAL, None);
    let mut flags = KvmSevInit::new(0, 0);
    flags.flags.set(1);
    fails(host.create_snp_vm().sev_init2(&flags), EINVAL, None);
    let (vm, r) = init(0x20, 0);
    r.unwrap();
    assert_eq!(vm.vmsa_features(), 0x21, "DebugSwap plus SNP_ACTIVE");
    assert_eq!(vm.ghcb_version(), 2, "0 asks for KVM's default");
    // Once a vCPU exists INIT2 is too late.
    let mut vm = host.create_snp_vm();
    vm.add_vcpu(0, &SaveArea::zeroed()).unwrap();
    fails(vm.sev_init2(&KvmSevInit::new(0, 2)), EINVAL, None);
}

#[test]
fn launch_start_checks_the_policy_as_kvm_and_the_firmware_do() {
    let host = host();
    let start = |policy: u64| {
        let mut vm = host.create_snp_vm();
        vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
        let r = vm.snp_launch_start(&KvmSnpLaunchStart::new(GuestPolicy::from_bits_retain(policy)));
        (vm, r)
    };
    // KVM: bit 17 must be set; MIGRATE_MA (18) and bits above SINGLE_SOCKET are not passed on.
    fails(start(0x10000).1, EINVAL, None);
    fails(start(0x70000).1, EINVAL, None);
    fails(start(0x230000).1, EINVAL, None);
    // The firmware (API 1.55 here): a newer ABI in the policy, or SMT forbidden on an SMT
    // platform, is a POLICY_FAILURE.
    fails(start(0x30000 | (2 << 8)).1, EIO, Some(FirmwareStatus::PolicyFailure));
    fails(
        start(0x30000 | (1 << 8) | 56).1,
        EIO,
        Some(FirmwareStatus::PolicyFailure),
    );
    fails(start(0x20000).1, EIO, Some(FirmwareStatus::PolicyFailure));
    start(0x30000 | (1 << 8) | 55).1.unwrap();
    start(0x30000 | (1 << 19) | (1 << 20)).1.unwrap();
    // A failed LAUNCH_START leaves no guest context: it can be retried.
    let (mut vm, r) = start(0x20000);
    assert!(r.is_err());
    vm.snp_launch_start(&KvmSnpLaunchStart::new(default_policy())).unwrap();
    let mut flags = KvmSnpLaunchStart::new(default_policy());
    flags.flags.set(1);
    let mut vm = host.create_snp_vm();
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    fails(vm.snp_launch_start(&flags), EINVAL, None);
}

#[test]
fn launch_start_counts_guests_until_their_vm_goes_away() {
    let mut host = host();
    assert_eq!(host.snp_platform_status().unwrap().guest_count(), 0);
    let a = started_vm(&host);
    let b = started_vm(&host);
    let mut c = host.create_snp_vm();
    c.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    assert_eq!(host.snp_platform_status().unwrap().guest_count(), 2);
    drop(a);
    assert_eq!(host.snp_platform_status().unwrap().guest_count(), 1);
    drop((b, c));
    assert_eq!(host.snp_platform_status().unwrap().guest_count(), 0);
}

#[test]
fn a_bad_cpuid_table_is_refused_with_invalid_param_and_the_firmware_s_table() {
    let host = host();
    let mut vm = started_vm(&host);
    let good = cpuid_table();
    let mut bad = good.clone();
    bad[0..4].copy_from_slice(&65u32.to_le_bytes());
    fails(
        vm.snp_launch_update(5, KvmPageType::Cpuid, &bad),
        EIO,
        Some(FirmwareStatus::InvalidParam),
    );
    let fixed = vm.rejected_cpuid_page().unwrap();
    assert_eq!(u32::from_le_bytes(fixed[0..4].try_into().unwrap()), 64);
    let mut reserved = good.clone();
    reserved[4] = 1;
    fails(
        vm.snp_launch_update(5, KvmPageType::Cpuid, &reserved),
        EIO,
        Some(FirmwareStatus::InvalidParam),
    );
    assert_eq!(vm.rejected_cpuid_page().unwrap(), &good[..]);
    assert_eq!(vm.launch_digest(), [0; 48], "refused pages are not measured");
    vm.snp_launch_update(5, KvmPageType::Cpuid, &good).unwrap();
}

#[test]
fn the_secrets_page_carries_gosvw_and_vmpcks() {
    let host = host();
    let mut vm = host.create_snp_vm();
    add_memory(&mut vm);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    vm.snp_launch_start(&KvmSnpLaunchStart::new(default_policy()).with_gosvw([0x42; 16]))
        .unwrap();
    vm.snp_launch_update(0x80D, KvmPageType::Secrets, &[0xEE; 4096])
        .unwrap();
    let s = SecretsPage::from_bytes(vm.private_page(0x80D).unwrap()).unwrap();
    assert_eq!(s.gosvw, [0x42; 16]);
    for n in 0..4 {
        assert!(s.vmpck(n).unwrap() != &[0; 32] && s.vmpck(n).unwrap() != &[0xEE; 32]);
    }
}

#[test]
fn request_certificates_can_be_enabled_after_init2_until_a_vcpu_exists() {
    let host = host();
    let mut vm = host.create_snp_vm();
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    assert!(!vm.req_certs_enabled());
    vm.snp_enable_req_certs().unwrap();
    assert!(vm.req_certs_enabled());
    vm.add_vcpu(0, &SaveArea::zeroed()).unwrap();
    fails(vm.snp_enable_req_certs(), EINVAL, None);
}

#[test]
fn injected_eagain_consumes_nothing() {
    let host = host();
    let mut vm = started_vm(&host);
    vm.inject_update_eagain(2);
    for _ in 0..2 {
        fails(vm.snp_launch_update(0, KvmPageType::Normal, &[1; 4096]), EAGAIN, None);
    }
    assert_eq!(vm.launch_digest(), [0; 48]);
    vm.snp_launch_update(0, KvmPageType::Normal, &[1; 4096]).unwrap();
    assert_ne!(vm.launch_digest(), [0; 48]);
}
