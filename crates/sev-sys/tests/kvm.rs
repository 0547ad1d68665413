//! KVM tests on the real `/dev/kvm`, through the owned [`SevVm`] and [`KvmHost`].
//!
//! `build.rs` decides at build time whether they can run: without `/dev/kvm` every test here is
//! ignored ("needs /dev/kvm"), and the tests of the no-SEV behaviour are ignored on an SEV host
//! (`/dev/sev` present). A `/dev/kvm` that exists but cannot be opened fails loudly. Expected
//! values come from the kernel ABI facts in `fixtures/abi/README.md` (section 11 describes this
//! kind of machine: VM type 0 only, `KVM_MEMORY_ENCRYPT_OP` answers `ENOTTY`) and, for
//! capability-dependent outcomes, from the capabilities KVM reports.
#![cfg(target_os = "linux")]

use std::os::fd::AsRawFd;

use kvm_ioctls::Kvm;
use sev_sys::seam::{MemoryAttributes, MemorySlot, SevLaunchDevice, SnpLaunchDevice, VmMemory};
use sev_sys::uapi::*;
use sev_sys::{Error, KvmHost, SevVm};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use sev_types::policy::GuestPolicy;
use zerocopy::FromZeros;

const MIB2: u64 = 2 << 20;

fn kvm() -> Kvm {
    Kvm::new().unwrap_or_else(|e| panic!("/dev/kvm exists but cannot be opened ({e}); run with access to it"))
}

fn default_vm(kvm: &Kvm) -> SevVm {
    SevVm::create(kvm, KVM_X86_DEFAULT_VM, None).expect("KVM_CREATE_VM(KVM_X86_DEFAULT_VM)")
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn check_extension_agrees_with_kvm_ioctls() {
    let kvm = kvm();
    let host = KvmHost::new(&kvm);
    let vm = default_vm(&kvm);
    for cap in [
        KVM_CAP_VM_TYPES,
        KVM_CAP_GUEST_MEMFD,
        KVM_CAP_USER_MEMORY2,
        KVM_CAP_MEMORY_ATTRIBUTES,
        KVM_CAP_SYS_ATTRIBUTES,
        KVM_CAP_EXIT_HYPERCALL,
        KVM_CAP_GUEST_MEMFD_FLAGS,
        KVM_CAP_PRE_FAULT_MEMORY,
    ] {
        let c = libc::c_ulong::from(cap);
        assert_eq!(
            host.check_extension(cap).unwrap(),
            kvm.check_extension_raw(c),
            "system cap {cap}"
        );
        assert_eq!(
            vm.check_extension(cap).unwrap(),
            vm.vm_fd().check_extension_raw(c),
            "VM cap {cap}"
        );
    }
}

/// Every VM type KVM does not report is refused: by the kernel with `EINVAL`, and by
/// [`SevVm::create`] as the typed [`Error::VmTypeUnsupported`] naming what is supported.
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn unsupported_vm_types_are_typed() {
    let kvm = kvm();
    let types = KvmHost::new(&kvm).supported_vm_types().unwrap();
    assert!(types.contains(KVM_X86_DEFAULT_VM), "KVM_CAP_VM_TYPES = {:#x}", types.0);
    for ty in [
        KVM_X86_SW_PROTECTED_VM,
        KVM_X86_SEV_VM,
        KVM_X86_SEV_ES_VM,
        KVM_X86_SNP_VM,
        KVM_X86_TDX_VM,
    ] {
        if types.contains(ty) {
            SevVm::create(&kvm, ty, None).unwrap_or_else(|e| panic!("type {ty} is reported but: {e}"));
            continue;
        }
        match KvmHost::create_vm(&kvm, ty) {
            Err(Error::Ioctl(e)) => assert_eq!((e.op, e.errno), ("KVM_CREATE_VM", libc::EINVAL), "type {ty}"),
            other => panic!("type {ty} not in {:#x} but KVM_CREATE_VM gave {other:?}", types.0),
        }
        match SevVm::create(&kvm, ty, None) {
            Err(e @ Error::VmTypeUnsupported { .. }) => {
                assert!(
                    matches!(e, Error::VmTypeUnsupported { vm_type, supported } if vm_type == ty && supported == types.0)
                );
                assert_eq!(e.errno(), Some(libc::EINVAL));
            }
            other => panic!("type {ty}: {other:?}"),
        }
    }
}

/// Item 5: on a KVM without SEV, creating an SNP VM is the typed "VM type not supported".
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
#[cfg_attr(has_dev_sev, ignore = "this host has /dev/sev: the no-SEV path cannot be observed")]
fn snp_vm_is_unsupported_without_sev() {
    let kvm = kvm();
    let e = SevVm::create(&kvm, KVM_X86_SNP_VM, None).expect_err("an SNP VM on a host without SEV");
    assert!(
        matches!(e, Error::VmTypeUnsupported { vm_type: KVM_X86_SNP_VM, supported } if supported & (1 << KVM_X86_SNP_VM) == 0),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("KVM_X86_SNP_VM") && msg.contains("not supported") && msg.contains("KVM_X86_DEFAULT_VM (0)"),
        "{msg}"
    );
}

/// Item 5: `KVM_SEV_INIT2` (and every other `KVM_MEMORY_ENCRYPT_OP`) on a default VM of a KVM
/// without SEV is `Error::SevUnsupported` (the kernel's `ENOTTY`), through both seams.
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
#[cfg_attr(has_dev_sev, ignore = "this host has /dev/sev: the no-SEV path cannot be observed")]
fn encrypt_ops_on_a_default_vm_are_sev_unsupported() {
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    let e = SnpLaunchDevice::sev_init2(&mut vm, &KvmSevInit::default()).expect_err("INIT2 without SEV");
    assert!(matches!(e, Error::SevUnsupported { op: "KVM_SEV_INIT2" }), "{e:?}");
    assert_eq!(e.errno(), Some(libc::ENOTTY));
    assert_eq!(
        e.to_string(),
        "SEV is not supported by this KVM (KVM_SEV_INIT2 returned ENOTTY)"
    );
    let e = SevLaunchDevice::sev_init2(&mut vm, &KvmSevInit::new(0, 2)).unwrap_err();
    assert!(matches!(e, Error::SevUnsupported { op: "KVM_SEV_INIT2" }), "{e:?}");

    let start = KvmSnpLaunchStart::new(GuestPolicy::from_bits_retain(0x3_0000));
    assert!(matches!(
        vm.snp_launch_start(&start),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_SNP_LAUNCH_START"
        })
    ));
    let page = [0u8; 4096];
    assert!(matches!(
        vm.snp_launch_update(0, KvmPageType::Normal, &page),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_SNP_LAUNCH_UPDATE"
        })
    ));
    assert!(matches!(
        vm.launch_measure(),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_LAUNCH_MEASURE"
        })
    ));
    assert!(matches!(
        vm.guest_status(),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_GUEST_STATUS"
        })
    ));
    assert!(matches!(vm.snp_enable_req_certs(), Err(Error::SevUnsupported { .. })));

    vm.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: MIB2,
        guest_memfd: None,
    })
    .expect("a plain memslot");
    assert!(matches!(
        vm.launch_update_data(0x1000, 0x1000),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_LAUNCH_UPDATE_DATA"
        })
    ));
    assert!(matches!(
        vm.register_encrypted_region(0, MIB2),
        Err(Error::SevUnsupported {
            op: "KVM_MEMORY_ENCRYPT_REG_REGION"
        })
    ));
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn snp_launch_update_rejects_partial_pages_before_the_kernel() {
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    for (len, what) in [(100usize, "partial page"), (0, "empty"), (4097, "page and a byte")] {
        let src = vec![0u8; len];
        match vm.snp_launch_update(0, KvmPageType::Normal, &src) {
            Err(Error::InvalidArgument { op, .. }) => assert_eq!(op, "KVM_SEV_SNP_LAUNCH_UPDATE", "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// Shared memory behind a plain memslot: written and read back by GPA, with ranges outside the
/// slot refused before anything is copied.
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn shared_memory_round_trips_by_gpa_with_bounds_checks() {
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    let base = 4 * MIB2;
    vm.add_memory_slot(&MemorySlot {
        slot: 1,
        gpa: base,
        size: MIB2,
        guest_memfd: None,
    })
    .expect("a plain memslot");
    let mut out = [0u8; 5];
    vm.read_memory(base + 0x10, &mut out).unwrap();
    assert_eq!(out, [0; 5], "new memory is zero-filled");
    vm.write_memory(base + MIB2 - 5, b"hello").unwrap();
    vm.read_memory(base + MIB2 - 5, &mut out).unwrap();
    assert_eq!(&out, b"hello");
    for (gpa, what) in [
        (base + MIB2 - 4, "runs past the slot"),
        (base - 1, "below the slot"),
        (0, "no slot"),
    ] {
        match vm.write_memory(gpa, b"hello") {
            Err(Error::InvalidArgument {
                op: "write_memory",
                reason,
            }) => {
                assert!(reason.contains(&format!("{gpa:#x}")), "{what}: {reason}")
            }
            other => panic!("{what}: {other:?}"),
        }
    }
    // A second slot over the same GPAs is refused by KVM (EEXIST), and its memory is not kept.
    match vm.add_memory_slot(&MemorySlot {
        slot: 2,
        gpa: base,
        size: MIB2,
        guest_memfd: None,
    }) {
        Err(Error::Ioctl(e)) => assert_eq!((e.op, e.errno), ("KVM_SET_USER_MEMORY_REGION2", libc::EEXIST)),
        other => panic!("overlapping slot: {other:?}"),
    }
    for (gpa, size, what) in [
        (base + 1, MIB2, "unaligned GPA"),
        (8 * MIB2, 100, "partial page"),
        (8 * MIB2, 0, "empty"),
    ] {
        match vm.add_memory_slot(&MemorySlot {
            slot: 3,
            gpa,
            size,
            guest_memfd: None,
        }) {
            Err(Error::InvalidArgument { op, .. }) => assert_eq!(op, "KVM_SET_USER_MEMORY_REGION2", "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// A VM type with private memory if KVM offers one (`KVM_X86_SW_PROTECTED_VM`), else the default.
fn private_capable_vm(kvm: &Kvm) -> (u32, SevVm) {
    let types = KvmHost::new(kvm).supported_vm_types().unwrap();
    let ty = if types.contains(KVM_X86_SW_PROTECTED_VM) {
        KVM_X86_SW_PROTECTED_VM
    } else {
        KVM_X86_DEFAULT_VM
    };
    (ty, SevVm::create(kvm, ty, None).unwrap())
}

/// Item 5: guest_memfd creation, a guest_memfd memslot and `KVM_SET_MEMORY_ATTRIBUTES(PRIVATE)`
/// each work, or fail with the typed error the VM's reported capabilities predict.
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn guest_memfd_slot_and_private_attribute_follow_the_capabilities() {
    let kvm = kvm();
    let (ty, mut vm) = private_capable_vm(&kvm);
    let gmem_cap = vm.check_extension(KVM_CAP_GUEST_MEMFD).unwrap();
    let attr_mask = vm.check_extension(KVM_CAP_MEMORY_ATTRIBUTES).unwrap().max(0) as u64;
    let private = attr_mask & KVM_MEMORY_ATTRIBUTE_PRIVATE != 0;
    eprintln!("VM type {ty}: KVM_CAP_GUEST_MEMFD = {gmem_cap}, KVM_CAP_MEMORY_ATTRIBUTES = {attr_mask:#x}");

    let gmem = match vm.create_guest_memfd(MIB2, 0) {
        Ok(id) => {
            assert!(gmem_cap > 0, "guest_memfd created although KVM_CAP_GUEST_MEMFD = 0");
            Some(id)
        }
        Err(Error::Ioctl(e)) => {
            assert!(
                gmem_cap <= 0,
                "KVM_CAP_GUEST_MEMFD = {gmem_cap} but creation failed: {e}"
            );
            assert_eq!(e.op, "KVM_CREATE_GUEST_MEMFD");
            eprintln!("guest_memfd unavailable on VM type {ty}: {e}");
            None
        }
        Err(e) => panic!("{e:?}"),
    };

    if let Some(id) = gmem {
        let slot = MemorySlot {
            slot: 0,
            gpa: 0,
            size: MIB2,
            guest_memfd: Some((id, 0)),
        };
        match vm.add_memory_slot(&slot) {
            Ok(()) => assert!(private, "a guest_memfd slot on a VM without private memory"),
            Err(Error::Ioctl(e)) => {
                assert!(
                    !private,
                    "VM type {ty} has private memory but the guest_memfd slot failed: {e}"
                );
                // KVM accepts KVM_MEM_GUEST_MEMFD only on VM types with private memory.
                assert_eq!((e.op, e.errno), ("KVM_SET_USER_MEMORY_REGION2", libc::EINVAL), "{e}");
            }
            Err(e) => panic!("{e:?}"),
        }
        // A guest_memfd this VM did not create is refused before the kernel.
        let foreign = MemorySlot {
            slot: 5,
            gpa: 8 * MIB2,
            size: MIB2,
            guest_memfd: Some((sev_sys::seam::GuestMemfdId(7), 0)),
        };
        assert!(matches!(
            vm.add_memory_slot(&foreign),
            Err(Error::InvalidArgument { .. })
        ));
    }

    match vm.set_memory_attributes(0, MIB2, MemoryAttributes::PRIVATE) {
        Ok(()) => assert!(
            private,
            "PRIVATE set although KVM_CAP_MEMORY_ATTRIBUTES = {attr_mask:#x}"
        ),
        Err(Error::Ioctl(e)) => {
            assert!(!private, "PRIVATE is supported but setting it failed: {e}");
            assert_eq!(e.op, "KVM_SET_MEMORY_ATTRIBUTES");
            // ENOTTY without CONFIG_KVM_GENERIC_MEMORY_ATTRIBUTES, EINVAL for an attribute the
            // VM does not support.
            assert!([libc::ENOTTY, libc::EINVAL].contains(&e.errno), "{e}");
        }
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn guest_memfd_sizes_and_flags() {
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    let cap = vm.check_extension(KVM_CAP_GUEST_MEMFD).unwrap();
    if cap > 0 {
        vm.create_guest_memfd(MIB2, 0).expect("KVM_CAP_GUEST_MEMFD is reported");
        let supported = vm.check_extension(KVM_CAP_GUEST_MEMFD_FLAGS).unwrap().max(0) as u64;
        let both = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
        if supported & both == both {
            vm.create_guest_memfd(MIB2, both)
                .expect("guest_memfd with MMAP|INIT_SHARED");
        }
    } else {
        match vm.create_guest_memfd(MIB2, 0) {
            Err(Error::Ioctl(e)) => assert_eq!(e.op, "KVM_CREATE_GUEST_MEMFD"),
            other => panic!("KVM_CAP_GUEST_MEMFD = {cap} but: {other:?}"),
        }
    }
    // Invalid requests fail either way: EINVAL where the ioctl exists, ENOTTY where it does not.
    let expected = if cap > 0 { libc::EINVAL } else { libc::ENOTTY };
    for (size, flags, what) in [(4097, 0, "size not a page multiple"), (MIB2, 1 << 63, "unknown flag")] {
        match vm.create_guest_memfd(size, flags) {
            Err(Error::Ioctl(e)) => {
                assert_eq!((e.op, e.fw), ("KVM_CREATE_GUEST_MEMFD", None), "{what}");
                assert!(
                    e.errno == expected || (cap <= 0 && e.errno == libc::EINVAL),
                    "{what}: {e}"
                );
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// `add_vcpu` creates the vCPU and loads the save area: read back through kvm-ioctls.
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn add_vcpu_loads_the_save_area() {
    use sev_types::{U16, U32, U64};
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    let mut state = SaveArea::new_zeroed();
    // The x86 reset state (APM vol. 2, table 14-1): CS F000 / base FFFF0000, RIP FFF0.
    state.cs.selector = U16::new(0xF000);
    state.cs.base = U64::new(0xFFFF_0000);
    state.cs.limit = U32::new(0xFFFF);
    state.cs.attrib = U16::new(0x9B);
    for s in [
        &mut state.ds,
        &mut state.es,
        &mut state.ss,
        &mut state.fs,
        &mut state.gs,
    ] {
        s.limit = U32::new(0xFFFF);
        s.attrib = U16::new(0x93);
    }
    state.gdtr.limit = U32::new(0xFFFF);
    state.idtr.limit = U32::new(0xFFFF);
    state.cr0 = U64::new(0x6000_0010);
    state.rip = U64::new(0xFFF0);
    state.rflags = U64::new(0x2);
    state.rdx = U64::new(0x00A0_0F11);
    state.r15 = U64::new(0x1515);
    SevLaunchDevice::add_vcpu(&mut vm, 0, &state).expect("KVM_CREATE_VCPU + registers");
    let vcpu = vm.vcpu(0).expect("vCPU 0 is kept");
    let regs = vcpu.get_regs().unwrap();
    assert_eq!(
        (regs.rip, regs.rflags, regs.rdx, regs.r15),
        (0xFFF0, 0x2, 0x00A0_0F11, 0x1515)
    );
    let sregs = vcpu.get_sregs().unwrap();
    assert_eq!(
        (sregs.cs.selector, sregs.cs.base, sregs.cs.limit),
        (0xF000, 0xFFFF_0000, 0xFFFF)
    );
    assert_eq!((sregs.cs.type_, sregs.cs.s, sregs.cs.present), (0xB, 1, 1));
    assert_eq!(sregs.cr0 & 0xFFFF_FFFF, 0x6000_0010);
    assert_eq!((sregs.gdt.limit, sregs.idt.limit), (0xFFFF, 0xFFFF));
    assert!(vm.vcpu(1).is_none());
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn sev_device_attributes_are_consistent() {
    let kvm = kvm();
    let host = KvmHost::new(&kvm);
    let attrs = host.check_extension(KVM_CAP_SYS_ATTRIBUTES).unwrap();
    for attr in [
        KVM_X86_SEV_VMSA_FEATURES,
        KVM_X86_SNP_POLICY_BITS,
        KVM_X86_SEV_SNP_REQ_CERTS,
    ] {
        let has = host.has_device_attr(KVM_X86_GRP_SEV, attr);
        let get = host.get_device_attr(KVM_X86_GRP_SEV, attr);
        if attrs <= 0 {
            // Without KVM_CAP_SYS_ATTRIBUTES the ioctls do not exist on /dev/kvm.
            assert!(has.is_err() && get.is_err(), "attr {attr}: {has:?} {get:?}");
            continue;
        }
        match (has.unwrap(), get) {
            (true, Ok(_)) => {}
            (false, Err(Error::Ioctl(e))) => assert_eq!((e.op, e.errno), ("KVM_GET_DEVICE_ATTR", libc::ENXIO)),
            (has, get) => panic!("attr {attr}: HAS = {has}, GET = {get:?}"),
        }
    }
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
#[cfg_attr(has_dev_sev, ignore = "this host has /dev/sev: the no-SEV path cannot be observed")]
fn no_sev_attributes_without_sev() {
    let kvm = kvm();
    let host = KvmHost::new(&kvm);
    if host.check_extension(KVM_CAP_SYS_ATTRIBUTES).unwrap() > 0 {
        assert!(
            !host
                .has_device_attr(KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES)
                .unwrap()
        );
    }
    assert!(!host.snp_req_certs_supported().unwrap_or(false));
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn pre_fault_memory_without_memslots_fails_with_its_errno() {
    use std::os::fd::BorrowedFd;
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    SevLaunchDevice::add_vcpu(&mut vm, 0, &SaveArea::new_zeroed()).unwrap();
    let vcpu = vm.vcpu(0).unwrap();
    // SAFETY: `vcpu` outlives this borrow.
    let fd = unsafe { BorrowedFd::borrow_raw(vcpu.as_raw_fd()) };
    // Nothing to pre-fault: with or without KVM_CAP_PRE_FAULT_MEMORY the ioctl fails, and the
    // errno must come through.
    let e = sev_sys::pre_fault_memory(fd, 0, 4096).expect_err("pre-faulting a VM without memslots");
    assert!(
        matches!(e, Error::Ioctl(ref i) if i.op == "KVM_PRE_FAULT_MEMORY" && i.errno > 0),
        "{e:?}"
    );
}

/// The seams are usable as trait objects over the real device.
#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
fn the_owned_vm_is_a_vm_memory_seam() {
    let kvm = kvm();
    let mut vm = default_vm(&kvm);
    let mem: &mut dyn VmMemory = &mut vm;
    mem.add_memory_slot(&MemorySlot {
        slot: 0,
        gpa: 0,
        size: 4096,
        guest_memfd: None,
    })
    .unwrap();
    mem.write_memory(4090, &[1, 2, 3, 4, 5, 6]).unwrap();
    let mut out = [0u8; 6];
    mem.read_memory(4090, &mut out).unwrap();
    assert_eq!(out, [1, 2, 3, 4, 5, 6]);
}
