//! The real devices on this machine: `/dev/kvm` without SEV. An SNP or SEV VM is a typed "VM type
//! not supported" error naming the types KVM does support.

use sev_host::launch::SevMode;
use sev_host::real::{create_sev_vm, create_snp_vm};
use sev_sys::uapi::{KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM};

fn expect_unsupported(result: Result<sev_sys::SevVm, sev_host::HostError>, wanted: u32) {
    let err = match result {
        Ok(_) => panic!("VM type {wanted} created on a KVM without SEV"),
        Err(e) => e,
    };
    match err.device_error() {
        Some(sev_sys::Error::VmTypeUnsupported { vm_type, supported }) => {
            assert_eq!(*vm_type, wanted);
            assert_eq!(supported & (1 << wanted), 0);
            assert_ne!(supported & 1, 0, "the default VM type is always supported");
        }
        other => panic!("expected VmTypeUnsupported, got {other:?} ({err})"),
    }
    assert!(err.to_string().contains("not supported"), "{err}");
    assert_eq!(err.errno(), Some(libc::EINVAL));
}

#[test]
#[cfg_attr(not(has_dev_kvm), ignore = "needs /dev/kvm")]
#[cfg_attr(has_dev_sev, ignore = "this host has SEV (/dev/sev)")]
fn sev_and_snp_vms_are_typed_errors_on_a_kvm_without_sev() {
    expect_unsupported(create_snp_vm(), KVM_X86_SNP_VM);
    expect_unsupported(create_sev_vm(SevMode::Sev), KVM_X86_SEV_VM);
    expect_unsupported(create_sev_vm(SevMode::Es), KVM_X86_SEV_ES_VM);
}
