//! SEV and SEV-ES launches on the simulated host, with the guest owner as an independent
//! party (`sev-verify`'s `GuestOwnerSession`) and the expected launch digest predicted by
//! `sev-measure` from Debian's OVMF.

mod host_legacy_support;

use host_legacy_support::*;
use sev_measure::ovmf::Ovmf;
use sev_measure::sev::{sev_launch_digest, seves_launch_digest, seves_vmsas};
use sev_measure::vcpu::VcpuType;
use sev_measure::vmsa::VmmType;
use sev_sim::host::{SimHost, SimSevVm};
use sev_sys::Error;
use sev_sys::seam::{MemorySlot, PlatformDevice, SevLaunchDevice, SevLaunchStart, VmMemory};
use sev_types::Product;
use sev_types::launch::sev::{AttestationReport, LaunchMeasurement, SevGuestState, SevPolicy};
use sev_types::launch::snp::KvmSevInit;
use sev_types::legacy::{PlatformChain, SevCertificate};
use sev_types::status::FirmwareStatus;
use sev_verify::legacy::{GuestOwnerSession, LaunchStartMaterial, verify_attestation_report};
use sha2::{Digest, Sha256};
use zerocopy::IntoBytes;

const OVMF: &str = "/usr/share/ovmf/OVMF.fd";
/// Low RAM slot, where the secret goes.
const RAM: u64 = 0x10_0000;
const SECRET_GPA: u64 = 0x8000;
/// The firmware is mapped to end at 4 GiB.
const FOUR_GIB: u64 = 1 << 32;

fn ovmf_bytes() -> Vec<u8> {
    std::fs::read(OVMF).expect("Debian's OVMF (package ovmf) is installed")
}

/// A VM with RAM at 0 and the OVMF image loaded below 4 GiB, both registered.
fn vm_with_ovmf(host: &SimHost, es: bool, image: &[u8]) -> (SimSevVm, u64) {
    let mut vm = host.create_sev_vm(es);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    let size = image.len() as u64;
    let base = FOUR_GIB - size;
    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: RAM,
        guest_memfd: None,
    })
    .unwrap();
    vm.add_memory_slot(&MemorySlot {
        slot: 1,
        gpa: base,
        size,
        guest_memfd: None,
    })
    .unwrap();
    vm.write_memory(base, image).unwrap();
    vm.register_encrypted_region(0, RAM).unwrap();
    vm.register_encrypted_region(base, size).unwrap();
    (vm, base)
}

fn start<'a>(policy: SevPolicy, material: Option<&'a LaunchStartMaterial>) -> SevLaunchStart<'a> {
    match material {
        Some(m) => SevLaunchStart {
            handle: 0,
            policy,
            owner_pdh: &m.dh_cert[..],
            session: m.session.as_bytes(),
        },
        None => SevLaunchStart {
            handle: 0,
            policy,
            owner_pdh: &[],
            session: &[],
        },
    }
}

/// The owner verifies the platform, then starts a session on its PDH.
fn owner_session(host: &mut SimHost, policy: SevPolicy) -> (GuestOwnerSession, LaunchStartMaterial) {
    let (pdh, chain) = export(host);
    verify_under_sim(&pdh, &chain).unwrap();
    GuestOwnerSession::start(&provider(), &SevCertificate::from_bytes(&pdh).unwrap(), policy).unwrap()
}

fn measurement(bytes: &[u8; 48]) -> LaunchMeasurement {
    LaunchMeasurement::ref_from_bytes(bytes).unwrap().clone()
}

/// The guest-owner flow end to end; `es` chooses SEV-ES with two vCPUs.
fn full_flow(es: bool) {
    let image = ovmf_bytes();
    let ovmf = Ovmf::parse(&image).unwrap();
    let mut host = machine(Product::Milan, 0x20 + u8::from(es));
    let policy = if es {
        SevPolicy::NODBG | SevPolicy::ES
    } else {
        SevPolicy::NODBG | SevPolicy::NOKS
    };
    let (owner, material) = owner_session(&mut host, policy);

    let (mut vm, base) = vm_with_ovmf(&host, es, &image);
    let sig = VcpuType::by_name("EPYC-v4").unwrap().signature();
    let expected_ld = if es {
        let vmsas = seves_vmsas(&ovmf, 2, sig, VmmType::Qemu).unwrap();
        for (id, vmsa) in vmsas.iter().enumerate() {
            vm.add_vcpu(id as u32, vmsa).unwrap();
        }
        seves_launch_digest(&ovmf, None, 2, sig, VmmType::Qemu).unwrap()
    } else {
        sev_launch_digest(&ovmf, None).unwrap()
    };

    let handle = vm.launch_start(&start(policy, Some(&material))).unwrap();
    assert_ne!(handle, 0);
    vm.launch_update_data(base, image.len() as u64).unwrap();
    if es {
        vm.launch_update_vmsa().unwrap();
    }
    let raw = vm.launch_measure().unwrap();
    let m = measurement(&raw);
    let version = version(&mut host);
    owner
        .verify_measurement(&provider(), &m, version, &expected_ld)
        .unwrap();
    assert_eq!(
        m.measure,
        owner.expected_measure(&provider(), version, &expected_ld, &m.mnonce)
    );
    let mut wrong_ld = expected_ld;
    wrong_ld[0] ^= 1;
    assert!(owner.verify_measurement(&provider(), &m, version, &wrong_ld).is_err());
    assert_eq!(vm.guest_status().unwrap().state, SevGuestState::LaunchSecret);

    // The PEK-signed report carries the same digest.
    let report_bytes = vm.attestation_report([0x5A; 16]).unwrap();
    let report = AttestationReport::from_bytes(&report_bytes).unwrap();
    let (_, chain) = export(&mut host);
    let pek = PlatformChain::from_bytes(&chain).unwrap().pek;
    verify_attestation_report(&provider(), &report, &pek).unwrap();
    assert_eq!(report.raw().launch_digest, expected_ld);
    assert_eq!(report.raw().mnonce, [0x5A; 16]);
    assert_eq!(report.policy(), policy);

    let secret = b"owner's disk passphrase: correct horse battery staple".repeat(2);
    let packet = owner.package_secret(&provider(), &m.measure, &secret).unwrap();
    vm.launch_secret(&packet.header, SECRET_GPA, &packet.ciphertext)
        .unwrap();
    let mut in_guest = vec![0u8; secret.len()];
    vm.read_memory(SECRET_GPA, &mut in_guest).unwrap();
    assert_eq!(in_guest, secret);

    vm.launch_finish().unwrap();
    let status = vm.guest_status().unwrap();
    assert_eq!(
        (status.handle, status.policy, status.state),
        (handle, policy, SevGuestState::Running)
    );
}

#[test]
fn sev_guest_owner_flow_measures_ovmf_and_receives_the_secret() {
    full_flow(false);
}

#[test]
fn sev_es_guest_owner_flow_measures_ovmf_and_vmsas_and_receives_the_secret() {
    full_flow(true);
}

/// A VM launched with an owner session, some RAM updated and measured.
fn measured(host: &mut SimHost, policy: SevPolicy) -> (SimSevVm, GuestOwnerSession, LaunchMeasurement) {
    let (owner, material) = owner_session(host, policy);
    let mut vm = host.create_sev_vm(false);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: RAM,
        guest_memfd: None,
    })
    .unwrap();
    vm.write_memory(0, &[0xC3; 0x3000]).unwrap();
    vm.register_encrypted_region(0, RAM).unwrap();
    vm.launch_start(&start(policy, Some(&material))).unwrap();
    vm.launch_update_data(0, 0x3000).unwrap();
    let m = measurement(&vm.launch_measure().unwrap());
    (vm, owner, m)
}

fn status_of(r: Result<impl std::fmt::Debug, Error>) -> Option<FirmwareStatus> {
    fw_status(&r.unwrap_err())
}

#[test]
fn the_measurement_covers_the_updated_bytes_in_order() {
    let mut host = machine(Product::Milan, 0x30);
    let (owner, material) = owner_session(&mut host, SevPolicy::NODBG);
    let mut vm = host.create_sev_vm(false);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: RAM,
        guest_memfd: None,
    })
    .unwrap();
    let low: Vec<u8> = (0..0x1000u32).map(|i| i as u8).collect();
    vm.write_memory(0, &low).unwrap();
    vm.write_memory(0x1000, &[0xA5; 0x2000]).unwrap();
    vm.register_encrypted_region(0, 0x1000).unwrap();
    vm.register_encrypted_region(0x1000, 0x2000).unwrap();
    vm.launch_start(&start(SevPolicy::NODBG, Some(&material))).unwrap();
    vm.launch_update_data(0x1000, 0x2000).unwrap();
    vm.launch_update_data(0, 0x1000).unwrap();
    let m = measurement(&vm.launch_measure().unwrap());
    let version = version(&mut host);

    let in_order: [u8; 32] = Sha256::new()
        .chain_update([0xA5; 0x2000])
        .chain_update(&low)
        .finalize()
        .into();
    owner.verify_measurement(&provider(), &m, version, &in_order).unwrap();
    let swapped: [u8; 32] = Sha256::new()
        .chain_update(&low)
        .chain_update([0xA5; 0x2000])
        .finalize()
        .into();
    assert!(owner.verify_measurement(&provider(), &m, version, &swapped).is_err());
}

#[test]
fn tampered_secrets_are_refused_and_leave_guest_memory_alone() {
    let mut host = machine(Product::Milan, 0x31);
    let (mut vm, owner, m) = measured(&mut host, SevPolicy::NODBG);
    let secret = [0x11u8; 64];
    let packet = owner.package_secret(&provider(), &m.measure, &secret).unwrap();

    let mut ciphertext = packet.ciphertext.clone();
    ciphertext[3] ^= 0x80;
    assert_eq!(
        status_of(vm.launch_secret(&packet.header, SECRET_GPA, &ciphertext)),
        Some(FirmwareStatus::BadMeasurement)
    );
    let mut header = packet.header.clone();
    header.mac[0] ^= 1;
    assert_eq!(
        status_of(vm.launch_secret(&header, SECRET_GPA, &packet.ciphertext)),
        Some(FirmwareStatus::BadMeasurement)
    );
    let mut header = packet.header.clone();
    header.iv[15] ^= 1;
    assert_eq!(
        status_of(vm.launch_secret(&header, SECRET_GPA, &packet.ciphertext)),
        Some(FirmwareStatus::BadMeasurement)
    );
    // Bound to another MEASURE.
    let mut other = m.measure;
    other[0] ^= 1;
    let stale = owner.package_secret(&provider(), &other, &secret).unwrap();
    assert_eq!(
        status_of(vm.launch_secret(&stale.header, SECRET_GPA, &stale.ciphertext)),
        Some(FirmwareStatus::BadMeasurement)
    );
    let mut mem = [0xEEu8; 64];
    vm.read_memory(SECRET_GPA, &mut mem).unwrap();
    assert_eq!(mem, [0; 64], "nothing was written");

    vm.launch_secret(&packet.header, SECRET_GPA, &packet.ciphertext)
        .unwrap();
    vm.read_memory(SECRET_GPA, &mut mem).unwrap();
    assert_eq!(mem, secret);
}

#[test]
fn a_session_for_another_policy_or_another_pdh_is_refused() {
    let mut host = machine(Product::Milan, 0x32);
    let (_, material) = owner_session(&mut host, SevPolicy::NODBG);
    let mut vm = host.create_sev_vm(false);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    let wrong_policy = SevPolicy::NODBG | SevPolicy::NOKS;
    assert_eq!(
        status_of(vm.launch_start(&start(wrong_policy, Some(&material)))),
        Some(FirmwareStatus::BadMeasurement),
        "POLICY_MAC binds the session to its policy"
    );

    let mut elsewhere = machine(Product::Milan, 0x33);
    let (_, foreign) = owner_session(&mut elsewhere, SevPolicy::NODBG);
    assert_eq!(
        status_of(vm.launch_start(&start(SevPolicy::NODBG, Some(&foreign)))),
        Some(FirmwareStatus::BadMeasurement),
        "a session made for another platform's PDH does not unwrap"
    );

    let mut altered = material.clone();
    altered.session.wrap_tk[0] ^= 1;
    assert_eq!(
        status_of(vm.launch_start(&start(SevPolicy::NODBG, Some(&altered)))),
        Some(FirmwareStatus::BadMeasurement)
    );
    let mut not_dh = material.clone();
    not_dh.dh_cert[0x08] = 0x02; // usage PEK
    assert_eq!(
        status_of(vm.launch_start(&start(SevPolicy::NODBG, Some(&not_dh)))),
        Some(FirmwareStatus::InvalidCertificate)
    );
    let half = SevLaunchStart {
        handle: 0,
        policy: SevPolicy::NODBG,
        owner_pdh: &material.dh_cert[..],
        session: &[],
    };
    assert_eq!(status_of(vm.launch_start(&half)), Some(FirmwareStatus::InvalidParam));
    assert_eq!(guest_count(&mut host), 0);

    vm.launch_start(&start(SevPolicy::NODBG, Some(&material))).unwrap();
}

/// PLATFORM_STATUS's guest count, read through the platform seam.
fn guest_count(host: &mut SimHost) -> u32 {
    host.platform_status().unwrap().guest_count.get()
}

#[test]
fn policies_the_firmware_cannot_honour_are_refused() {
    let mut host = machine(Product::Milan, 0x34);
    let (major, minor, _) = sev_sim::GuestConfig::new(Product::Milan).current_version;
    let mut vm = host.create_sev_vm(false);
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    let too_new = SevPolicy::NODBG.with_api(major, minor + 1);
    assert_eq!(
        status_of(vm.launch_start(&start(too_new, None))),
        Some(FirmwareStatus::PolicyFailure)
    );
    assert_eq!(
        status_of(vm.launch_start(&start(SevPolicy::ES, None))),
        Some(FirmwareStatus::PolicyFailure)
    );
    let reserved = SevPolicy::from_bits_retain(1 << 6);
    assert_eq!(
        status_of(vm.launch_start(&start(reserved, None))),
        Some(FirmwareStatus::InvalidParam)
    );
    vm.launch_start(&start(SevPolicy::NODBG.with_api(major, minor), None))
        .unwrap();

    let mut es = host.create_sev_vm(true);
    es.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    assert_eq!(
        status_of(es.launch_start(&start(SevPolicy::NODBG, None))),
        Some(FirmwareStatus::PolicyFailure)
    );
    assert_eq!(guest_count(&mut host), 1);
}

#[test]
fn key_sharing_needs_an_existing_guest_and_no_noks() {
    let mut host = machine(Product::Milan, 0x35);
    let mut first = host.create_sev_vm(false);
    first.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    let h = first.launch_start(&start(SevPolicy::NODBG, None)).unwrap();
    let mut second = host.create_sev_vm(false);
    second.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    let shared = |handle, policy| SevLaunchStart {
        handle,
        policy,
        owner_pdh: &[],
        session: &[],
    };
    assert_eq!(
        status_of(second.launch_start(&shared(h + 100, SevPolicy::NODBG))),
        Some(FirmwareStatus::InvalidGuest)
    );
    assert_eq!(
        status_of(second.launch_start(&shared(h, SevPolicy::NOKS))),
        Some(FirmwareStatus::PolicyFailure)
    );
    let h2 = second.launch_start(&shared(h, SevPolicy::NODBG)).unwrap();
    assert_ne!(h2, h);
    assert_eq!(guest_count(&mut host), 2);
}

#[test]
fn commands_out_of_order_get_the_kernel_and_firmware_answers() {
    let host = machine(Product::Milan, 0x36);
    let mut vm = host.create_sev_vm(false);
    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: RAM,
        guest_memfd: None,
    })
    .unwrap();
    assert!(matches!(
        vm.launch_start(&start(SevPolicy::NODBG, None)),
        Err(Error::SevUnsupported { .. })
    ));
    assert!(matches!(
        vm.register_encrypted_region(0, RAM),
        Err(Error::SevUnsupported { .. })
    ));

    assert_eq!(
        vm.sev_init2(&KvmSevInit::new(1 << 5, 0)).unwrap_err().errno(),
        Some(22),
        "SEV takes no VMSA features"
    );
    assert_eq!(
        vm.sev_init2(&KvmSevInit::new(0, 1)).unwrap_err().errno(),
        Some(22),
        "nor a GHCB version"
    );
    vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap();
    assert_eq!(
        vm.sev_init2(&KvmSevInit::new(0, 0)).unwrap_err().errno(),
        Some(22),
        "INIT2 once"
    );

    assert_eq!(
        status_of(vm.launch_update_data(0, 0x1000)),
        Some(FirmwareStatus::InvalidGuest)
    );
    assert_eq!(status_of(vm.launch_measure()), Some(FirmwareStatus::InvalidGuest));
    assert_eq!(status_of(vm.guest_status()), Some(FirmwareStatus::InvalidGuest));

    vm.launch_start(&start(SevPolicy::NODBG, None)).unwrap();
    assert_eq!(
        vm.launch_update_data(0, 0x1000).unwrap_err().errno(),
        Some(14),
        "region not registered"
    );
    vm.register_encrypted_region(0, 0x2000).unwrap();
    assert_eq!(
        vm.launch_update_data(0x1000, 0x2000).unwrap_err().errno(),
        Some(14),
        "runs past the region"
    );
    assert_eq!(
        status_of(vm.launch_update_data(8, 0x100)),
        Some(FirmwareStatus::InvalidAddress)
    );
    assert_eq!(
        status_of(vm.launch_update_data(0, 0x101)),
        Some(FirmwareStatus::InvalidLength)
    );
    assert!(
        matches!(vm.launch_update_vmsa(), Err(Error::SevUnsupported { .. })),
        "no VMSAs on SEV"
    );
    assert_eq!(
        status_of(vm.launch_finish()),
        Some(FirmwareStatus::InvalidGuestState),
        "finish before measure"
    );
    assert_eq!(
        status_of(vm.attestation_report([0; 16])),
        Some(FirmwareStatus::InvalidGuestState)
    );
    vm.launch_update_data(0, 0x2000).unwrap();
    assert_eq!(
        status_of(vm.launch_start(&start(SevPolicy::NODBG, None))),
        Some(FirmwareStatus::InvalidGuestState)
    );

    vm.launch_measure().unwrap();
    assert_eq!(
        status_of(vm.launch_update_data(0, 0x1000)),
        Some(FirmwareStatus::InvalidGuestState)
    );
    assert_eq!(status_of(vm.launch_measure()), Some(FirmwareStatus::InvalidGuestState));
    vm.launch_finish().unwrap();
    assert_eq!(status_of(vm.launch_finish()), Some(FirmwareStatus::InvalidGuestState));
    let header = sev_types::launch::sev::LaunchSecretHeader::default();
    assert_eq!(
        status_of(vm.launch_secret(&header, SECRET_GPA, &[0; 16])),
        Some(FirmwareStatus::InvalidGuestState)
    );
    assert_eq!(
        vm.launch_secret(&header, 0xFF8, &[0; 16]).unwrap_err().errno(),
        Some(22),
        "crosses a page"
    );
}

#[test]
fn sev_es_init2_and_vmsa_rules() {
    let host = machine(Product::Genoa, 0x37);
    let mut vm = host.create_sev_vm(true);
    assert_eq!(
        vm.sev_init2(&KvmSevInit::new(1 << 7, 0)).unwrap_err().errno(),
        Some(22),
        "unsupported feature"
    );
    assert_eq!(
        vm.sev_init2(&KvmSevInit::new(0, 3)).unwrap_err().errno(),
        Some(22),
        "GHCB version above 2"
    );
    vm.sev_init2(&KvmSevInit::new(sev_sim::host::SEV_ES_DEBUG_SWAP, 2))
        .unwrap();
    let vmsa = sev_measure::vmsa::build(VmmType::Qemu, 0xFFFF_FFF0, 0x00A0_0F11, 0);
    vm.add_vcpu(0, &vmsa).unwrap();
    assert_eq!(vm.add_vcpu(0, &vmsa).unwrap_err().errno(), Some(17));
    assert_eq!(status_of(vm.launch_update_vmsa()), Some(FirmwareStatus::InvalidGuest));
    vm.launch_start(&start(SevPolicy::ES, None)).unwrap();
    vm.launch_update_vmsa().unwrap();
    assert_eq!(
        vm.launch_update_vmsa().unwrap_err().errno(),
        Some(22),
        "VMSAs are encrypted once"
    );
    assert_eq!(
        vm.add_vcpu(1, &vmsa).unwrap_err().errno(),
        Some(22),
        "no vCPUs after that"
    );
}

#[test]
fn init2_vmsa_features_are_written_into_the_measured_vmsas() {
    use sev_sim::host::SEV_ES_DEBUG_SWAP;
    let image = ovmf_bytes();
    let ovmf = Ovmf::parse(&image).unwrap();
    let mut host = machine(Product::Genoa, 0x38);
    let policy = SevPolicy::NODBG | SevPolicy::ES;
    let (owner, material) = owner_session(&mut host, policy);
    let mut vm = host.create_sev_vm(true);
    vm.sev_init2(&KvmSevInit::new(SEV_ES_DEBUG_SWAP, 0)).unwrap();
    let size = image.len() as u64;
    let base = FOUR_GIB - size;
    vm.add_memory_slot(&MemorySlot {
        slot: 1,
        gpa: base,
        size,
        guest_memfd: None,
    })
    .unwrap();
    vm.write_memory(base, &image).unwrap();
    vm.register_encrypted_region(base, size).unwrap();
    let sig = VcpuType::by_name("EPYC-Milan").unwrap().signature();
    // The VMM hands KVM plain register state (SEV_FEATURES 0); KVM sets the features itself.
    for (id, vmsa) in seves_vmsas(&ovmf, 1, sig, VmmType::Qemu).unwrap().iter().enumerate() {
        vm.add_vcpu(id as u32, vmsa).unwrap();
    }
    vm.launch_start(&start(policy, Some(&material))).unwrap();
    vm.launch_update_data(base, size).unwrap();
    vm.launch_update_vmsa().unwrap();
    let m = measurement(&vm.launch_measure().unwrap());
    let version = version(&mut host);

    let eip = ovmf.sev_es_reset_eip().unwrap().unwrap();
    let with_features = sev_measure::vmsa::VmsaSet::new(VmmType::Qemu, eip, 1, sig, SEV_ES_DEBUG_SWAP).unwrap();
    let mut h = Sha256::new().chain_update(ovmf.data());
    for v in with_features.iter() {
        h.update(v.as_bytes());
    }
    let expected: [u8; 32] = h.finalize().into();
    owner.verify_measurement(&provider(), &m, version, &expected).unwrap();
    let without = seves_launch_digest(&ovmf, None, 1, sig, VmmType::Qemu).unwrap();
    assert!(owner.verify_measurement(&provider(), &m, version, &without).is_err());
}
