//! KVM tests on the real `/dev/kvm` (root only). On a host without KVM they print
//! "skipped: /dev/kvm absent" and return. Expected values come from the kernel ABI facts in
//! `fixtures/abi/README.md` (section 11 describes this kind of machine) and, for capability
//! queries, from kvm-ioctls issuing the same query.
#![cfg(target_os = "linux")]

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::fs::File;

use kvm_ioctls::{Kvm, VmFd};
use sev_sys::uapi::*;
use sev_sys::{Error, KvmHost, SevVm};
use sev_types::launch::snp::{KvmSevInit, KvmSnpLaunchStart};
use sev_types::policy::GuestPolicy;

const MIB2: u64 = 2 << 20;

fn kvm() -> Option<Kvm> {
    if !std::path::Path::new("/dev/kvm").exists() {
        eprintln!("skipped: /dev/kvm absent");
        return None;
    }
    match Kvm::new() {
        Ok(kvm) => Some(kvm),
        Err(e) => {
            eprintln!("skipped: /dev/kvm exists but cannot be opened ({e}); run as a user with access");
            None
        }
    }
}

fn default_vm(kvm: &Kvm) -> VmFd {
    KvmHost::create_vm(kvm, KVM_X86_DEFAULT_VM).expect("KVM_CREATE_VM(0)")
}

/// True (after saying so) when this KVM supports an SEV VM type, where the ENOTTY facts do not hold.
fn kvm_has_sev(kvm: &Kvm) -> bool {
    let t = KvmHost::new(kvm).supported_vm_types().unwrap();
    let sev = t.contains(KVM_X86_SEV_VM) || t.contains(KVM_X86_SEV_ES_VM) || t.contains(KVM_X86_SNP_VM);
    if sev {
        eprintln!(
            "skipped: this KVM supports SEV VM types ({:#x}); the no-SEV path cannot be observed",
            t.0
        );
    }
    sev
}

#[test]
fn check_extension_agrees_with_kvm_ioctls() {
    let Some(kvm) = kvm() else { return };
    let host = KvmHost::new(&kvm);
    let vm = default_vm(&kvm);
    let sev_vm = SevVm::new(&vm, None);
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
            sev_vm.check_extension(cap).unwrap(),
            vm.check_extension_raw(c),
            "VM cap {cap}"
        );
    }
}

#[test]
fn vm_types_include_the_default_vm() {
    let Some(kvm) = kvm() else { return };
    let types = KvmHost::new(&kvm).supported_vm_types().unwrap();
    assert!(types.contains(KVM_X86_DEFAULT_VM), "KVM_CAP_VM_TYPES = {:#x}", types.0);
    // Every type not reported must be refused by KVM_CREATE_VM with EINVAL.
    for ty in [
        KVM_X86_SW_PROTECTED_VM,
        KVM_X86_SEV_VM,
        KVM_X86_SEV_ES_VM,
        KVM_X86_SNP_VM,
        KVM_X86_TDX_VM,
    ] {
        if !types.contains(ty) {
            match KvmHost::create_vm(&kvm, ty) {
                Err(Error::Ioctl(e)) => assert_eq!((e.op, e.errno), ("KVM_CREATE_VM", libc::EINVAL), "type {ty}"),
                other => panic!("type {ty} not in {:#x} but KVM_CREATE_VM gave {other:?}", types.0),
            }
        }
    }
}

#[test]
fn encrypt_op_without_sev_is_typed_unsupported() {
    let Some(kvm) = kvm() else { return };
    if kvm_has_sev(&kvm) {
        return;
    }
    let vm = default_vm(&kvm);
    let sev = SevVm::new(&vm, None);
    match sev.sev_init2(&KvmSevInit::default()) {
        Err(Error::SevUnsupported { op }) => assert_eq!(op, "KVM_SEV_INIT2"),
        other => panic!("KVM_SEV_INIT2: {other:?}"),
    }
    let start = KvmSnpLaunchStart::new(GuestPolicy::from_bits_retain(0x3_0000));
    match sev.snp_launch_start(&start) {
        Err(e @ Error::SevUnsupported { .. }) => {
            assert_eq!(e.errno(), Some(libc::ENOTTY));
            assert!(e.to_string().contains("KVM_SEV_SNP_LAUNCH_START"), "{e}");
        }
        other => panic!("KVM_SEV_SNP_LAUNCH_START: {other:?}"),
    }
    assert!(matches!(
        sev.launch_measure(),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_LAUNCH_MEASURE"
        })
    ));
    assert!(matches!(sev.snp_enable_req_certs(), Err(Error::SevUnsupported { .. })));
    assert!(matches!(
        sev.guest_status(),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_GUEST_STATUS"
        })
    ));
    assert!(matches!(
        sev.send_start(&[1; 8], &[], &[]),
        Err(Error::SevUnsupported {
            op: "KVM_SEV_SEND_START"
        })
    ));
    assert!(matches!(
        sev.receive_start(0, 0, &[], &[]),
        Err(Error::SevUnsupported { .. })
    ));
    let mut page = [0u8; 16];
    assert!(matches!(
        sev.launch_update_data(&mut page),
        Err(Error::SevUnsupported { .. })
    ));
    // Argument checks happen before the kernel is asked.
    assert!(matches!(
        sev.dbg_decrypt(&[0; 16], &mut [0; 8]),
        Err(Error::InvalidArgument { .. })
    ));
    let region = KvmEncRegion {
        addr: 0x1000,
        size: 0x1000,
    };
    assert!(matches!(
        sev.register_enc_memory_region(&region),
        Err(Error::SevUnsupported {
            op: "KVM_MEMORY_ENCRYPT_REG_REGION"
        })
    ));
}

#[test]
fn snp_launch_update_rejects_unaligned_sources_before_the_kernel() {
    let Some(kvm) = kvm() else { return };
    let vm = default_vm(&kvm);
    let sev = SevVm::new(&vm, None);
    let layout = Layout::from_size_align(3 * 4096, 4096).unwrap();
    // SAFETY: non-zero size; freed below with the same layout.
    let p = unsafe { alloc_zeroed(layout) };
    assert!(!p.is_null());
    // SAFETY: `p` points at 3 pages we own exclusively until `dealloc`.
    let buf = unsafe { std::slice::from_raw_parts_mut(p, 3 * 4096) };
    for (range, what) in [(1..4097, "unaligned"), (0..100, "partial page"), (0..0, "empty")] {
        match sev.snp_launch_update(0, sev_types::launch::snp::KvmPageType::Normal, &mut buf[range]) {
            Err(Error::InvalidArgument { op, .. }) => assert_eq!(op, "KVM_SEV_SNP_LAUNCH_UPDATE", "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    if !kvm_has_sev(&kvm) {
        let r = sev.snp_launch_update(0, sev_types::launch::snp::KvmPageType::Normal, &mut buf[4096..8192]);
        assert!(matches!(r, Err(Error::SevUnsupported { .. })), "{r:?}");
    }
    // SAFETY: allocated above with `layout`; `buf` is no longer used.
    unsafe { dealloc(p, layout) };
}

#[test]
fn guest_memfd_create_and_errors() {
    let Some(kvm) = kvm() else { return };
    let vm = default_vm(&kvm);
    let sev = SevVm::new(&vm, None);
    if sev.check_extension(KVM_CAP_GUEST_MEMFD).unwrap() <= 0 {
        eprintln!("skipped: KVM_CAP_GUEST_MEMFD = 0");
        return;
    }
    let fd = sev.create_guest_memfd(MIB2, 0).expect("KVM_CREATE_GUEST_MEMFD 2 MiB");
    assert_eq!(File::from(fd).metadata().unwrap().len(), MIB2, "guest_memfd size");

    let supported = sev.check_extension(KVM_CAP_GUEST_MEMFD_FLAGS).unwrap().max(0) as u64;
    let both = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
    if supported & both == both {
        let fd = sev
            .create_guest_memfd(MIB2, both)
            .expect("guest_memfd with MMAP|INIT_SHARED");
        assert_eq!(File::from(fd).metadata().unwrap().len(), MIB2);
    }
    for (size, flags, what) in [(4097, 0, "size not a page multiple"), (MIB2, 1 << 63, "unknown flag")] {
        match sev.create_guest_memfd(size, flags) {
            Err(Error::Ioctl(e)) => {
                assert_eq!(
                    (e.op, e.errno, e.fw),
                    ("KVM_CREATE_GUEST_MEMFD", libc::EINVAL, None),
                    "{what}"
                )
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn memory_attributes_follow_the_capability() {
    let Some(kvm) = kvm() else { return };
    let vm = default_vm(&kvm);
    let sev = SevVm::new(&vm, None);
    let mask = sev.check_extension(KVM_CAP_MEMORY_ATTRIBUTES).unwrap();
    let r = sev.set_memory_attributes(0, MIB2, KVM_MEMORY_ATTRIBUTE_PRIVATE);
    if mask == 0 {
        match r {
            Err(Error::Ioctl(e)) => assert_eq!(e.errno, libc::ENOTTY, "{e}"),
            other => panic!("KVM_CAP_MEMORY_ATTRIBUTES = 0 but KVM_SET_MEMORY_ATTRIBUTES gave {other:?}"),
        }
    } else if mask as u64 & KVM_MEMORY_ATTRIBUTE_PRIVATE != 0 {
        r.expect("private attribute is supported");
    }
}

#[test]
fn user_memory_region2_adds_and_deletes_a_slot() {
    let Some(kvm) = kvm() else { return };
    let vm = default_vm(&kvm);
    let sev = SevVm::new(&vm, None);
    if sev.check_extension(KVM_CAP_USER_MEMORY2).unwrap() <= 0 {
        eprintln!("skipped: KVM_CAP_USER_MEMORY2 = 0");
        return;
    }
    let layout = Layout::from_size_align(MIB2 as usize, 4096).unwrap();
    // SAFETY: non-zero size; freed after the slot is deleted.
    let mem = unsafe { alloc_zeroed(layout) };
    assert!(!mem.is_null());
    let mut region = KvmUserspaceMemoryRegion2 {
        slot: 0,
        flags: 0,
        guest_phys_addr: 0,
        memory_size: MIB2,
        userspace_addr: mem as u64,
        guest_memfd_offset: 0,
        guest_memfd: 0,
        pad1: 0,
        pad2: [0; 14],
    };
    // SAFETY: `mem` stays allocated until after the slot is deleted below.
    unsafe { sev.set_user_memory_region2(&region) }.expect("add slot 0");
    region.flags = 1 << 31; // not a KVM_MEM_* flag
    region.slot = 1;
    region.guest_phys_addr = 4 * MIB2;
    // SAFETY: as above.
    match unsafe { sev.set_user_memory_region2(&region) } {
        Err(Error::Ioctl(e)) => assert_eq!((e.op, e.errno), ("KVM_SET_USER_MEMORY_REGION2", libc::EINVAL)),
        other => panic!("bad flags accepted: {other:?}"),
    }
    region.flags = 0;
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = 0;
    // SAFETY: deleting the slot; no memory is referenced afterwards.
    unsafe { sev.set_user_memory_region2(&region) }.expect("delete slot 0");
    // SAFETY: allocated above with `layout`; the slot that used it is gone.
    unsafe { dealloc(mem, layout) };
}

#[test]
fn sev_device_attributes_are_consistent() {
    let Some(kvm) = kvm() else { return };
    let host = KvmHost::new(&kvm);
    if host.check_extension(KVM_CAP_SYS_ATTRIBUTES).unwrap() <= 0 {
        eprintln!("skipped: KVM_CAP_SYS_ATTRIBUTES = 0");
        return;
    }
    for attr in [
        KVM_X86_SEV_VMSA_FEATURES,
        KVM_X86_SNP_POLICY_BITS,
        KVM_X86_SEV_SNP_REQ_CERTS,
    ] {
        let has = host.has_device_attr(KVM_X86_GRP_SEV, attr).unwrap();
        match host.get_device_attr(KVM_X86_GRP_SEV, attr) {
            Ok(_) => assert!(has, "attr {attr}: GET works but HAS says no"),
            Err(Error::Ioctl(e)) => {
                assert!(!has, "attr {attr}: HAS says yes but GET failed: {e}");
                assert_eq!((e.op, e.errno), ("KVM_GET_DEVICE_ATTR", libc::ENXIO));
            }
            Err(e) => panic!("attr {attr}: {e:?}"),
        }
    }
    if !kvm_has_sev(&kvm) {
        assert!(
            !host
                .has_device_attr(KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES)
                .unwrap()
        );
        assert!(!host.snp_req_certs_supported().unwrap());
    }
}

#[test]
fn guest_memfd_backed_slot() {
    use std::os::fd::AsRawFd;
    let Some(kvm) = kvm() else { return };
    let vm = default_vm(&kvm);
    let sev = SevVm::new(&vm, None);
    if sev.check_extension(KVM_CAP_GUEST_MEMFD).unwrap() <= 0 || sev.check_extension(KVM_CAP_USER_MEMORY2).unwrap() <= 0
    {
        eprintln!("skipped: no guest_memfd / KVM_SET_USER_MEMORY_REGION2");
        return;
    }
    let gmem = sev.create_guest_memfd(MIB2, 0).unwrap();
    let layout = Layout::from_size_align(MIB2 as usize, 4096).unwrap();
    // SAFETY: non-zero size; freed after the VM is dropped.
    let mem = unsafe { alloc_zeroed(layout) };
    assert!(!mem.is_null());
    let mut region = KvmUserspaceMemoryRegion2 {
        slot: 0,
        flags: KVM_MEM_GUEST_MEMFD,
        guest_phys_addr: 0,
        memory_size: MIB2,
        userspace_addr: mem as u64,
        guest_memfd_offset: 4096 * 3 + 1, // not page aligned
        guest_memfd: gmem.as_raw_fd() as u32,
        pad1: 0,
        pad2: [0; 14],
    };
    // SAFETY: `mem` outlives the VM (freed after `drop(vm)` below).
    match unsafe { sev.set_user_memory_region2(&region) } {
        Err(Error::Ioctl(e)) => assert_eq!(e.errno, libc::EINVAL, "{e}"),
        other => panic!("unaligned guest_memfd_offset accepted: {other:?}"),
    }
    region.guest_memfd_offset = 0;
    // SAFETY: as above.
    match unsafe { sev.set_user_memory_region2(&region) } {
        Ok(()) => {}
        Err(Error::Ioctl(e)) if e.errno == libc::EINVAL => {
            eprintln!("skipped: this KVM refuses guest_memfd slots on the default VM type")
        }
        Err(e) => panic!("{e}"),
    }
    drop(vm);
    // SAFETY: allocated above with `layout`; the VM that referenced it is gone.
    unsafe { dealloc(mem, layout) };
}

#[test]
fn pre_fault_memory_follows_the_capability() {
    use std::os::fd::{AsRawFd, BorrowedFd};
    let Some(kvm) = kvm() else { return };
    let vm = default_vm(&kvm);
    let cap = SevVm::new(&vm, None).check_extension(KVM_CAP_PRE_FAULT_MEMORY).unwrap();
    let vcpu = vm.create_vcpu(0).expect("KVM_CREATE_VCPU");
    // SAFETY: `vcpu` outlives this borrow.
    let fd = unsafe { BorrowedFd::borrow_raw(vcpu.as_raw_fd()) };
    // The VM has no memslot, so there is nothing to pre-fault: with or without the capability
    // the ioctl must fail, and the errno must come through.
    let e = sev_sys::pre_fault_memory(fd, 0, 4096).expect_err("pre-faulting a VM without memslots");
    eprintln!("KVM_PRE_FAULT_MEMORY (capability {cap}): {e}");
    assert!(
        matches!(e, Error::Ioctl(ref i) if i.op == "KVM_PRE_FAULT_MEMORY" && i.errno > 0),
        "{e:?}"
    );
}
