//! A second opinion on the KVM layouts: rust-vmm's kvm-bindings (generated from Linux 6.15
//! headers) must agree with our structures (sev-sys envelopes, sev-types payloads) wherever it
//! has them. Items newer than 6.15
//! (ENABLE_REQ_CERTS, policy-bits/req-certs attributes, guest_memfd flags) are only in the TSV.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::mem::{offset_of, size_of};

use kvm_bindings as kb;
use sev_sys::uapi::*;
use sev_types::launch::sev::{
    KvmSevAttestationReport, KvmSevDbg, KvmSevGuestStatus, KvmSevLaunchMeasure, KvmSevLaunchSecret, KvmSevLaunchStart,
    KvmSevLaunchUpdateData, KvmSevReceiveStart, KvmSevReceiveUpdateData, KvmSevSendStart, KvmSevSendUpdateData,
};
use sev_types::launch::snp::{KvmSevInit, KvmSnpLaunchFinish, KvmSnpLaunchStart, KvmSnpLaunchUpdate};

macro_rules! same_size {
    ($($ours:ty = $theirs:ty),* $(,)?) => {
        $( assert_eq!(size_of::<$ours>(), size_of::<$theirs>(), stringify!($ours)); )*
    };
}

#[test]
fn struct_sizes_agree_with_kvm_bindings() {
    same_size!(
        KvmSevCmd = kb::kvm_sev_cmd,
        KvmSevInit = kb::kvm_sev_init,
        KvmSevLaunchStart = kb::kvm_sev_launch_start,
        KvmSevLaunchUpdateData = kb::kvm_sev_launch_update_data,
        KvmSevLaunchSecret = kb::kvm_sev_launch_secret,
        KvmSevLaunchMeasure = kb::kvm_sev_launch_measure,
        KvmSevGuestStatus = kb::kvm_sev_guest_status,
        KvmSevDbg = kb::kvm_sev_dbg,
        KvmSevAttestationReport = kb::kvm_sev_attestation_report,
        KvmSevSendStart = kb::kvm_sev_send_start,
        KvmSevSendUpdateData = kb::kvm_sev_send_update_data,
        KvmSevReceiveStart = kb::kvm_sev_receive_start,
        KvmSevReceiveUpdateData = kb::kvm_sev_receive_update_data,
        KvmSnpLaunchStart = kb::kvm_sev_snp_launch_start,
        KvmSnpLaunchUpdate = kb::kvm_sev_snp_launch_update,
        KvmSnpLaunchFinish = kb::kvm_sev_snp_launch_finish,
        KvmUserspaceMemoryRegion = kb::kvm_userspace_memory_region,
        KvmUserspaceMemoryRegion2 = kb::kvm_userspace_memory_region2,
        KvmEncRegion = kb::kvm_enc_region,
        KvmMemoryAttributes = kb::kvm_memory_attributes,
        KvmCreateGuestMemfd = kb::kvm_create_guest_memfd,
        KvmPreFaultMemory = kb::kvm_pre_fault_memory,
        KvmDeviceAttr = kb::kvm_device_attr,
        KvmEnableCap = kb::kvm_enable_cap,
    );
}

#[test]
fn snp_field_offsets_agree_with_kvm_bindings() {
    assert_eq!(
        offset_of!(KvmSnpLaunchUpdate, page_type),
        offset_of!(kb::kvm_sev_snp_launch_update, type_)
    );
    assert_eq!(
        offset_of!(KvmSnpLaunchFinish, vcek_disabled),
        offset_of!(kb::kvm_sev_snp_launch_finish, vcek_disabled)
    );
    assert_eq!(
        offset_of!(KvmSnpLaunchFinish, host_data),
        offset_of!(kb::kvm_sev_snp_launch_finish, host_data)
    );
    assert_eq!(
        offset_of!(KvmSnpLaunchFinish, flags),
        offset_of!(kb::kvm_sev_snp_launch_finish, flags)
    );
    assert_eq!(
        offset_of!(KvmUserspaceMemoryRegion2, guest_memfd),
        offset_of!(kb::kvm_userspace_memory_region2, guest_memfd)
    );
    assert_eq!(offset_of!(KvmSevCmd, sev_fd), offset_of!(kb::kvm_sev_cmd, sev_fd));
}

#[test]
fn constants_agree_with_kvm_bindings() {
    let pairs: &[(&str, u64, u64)] = &[
        (
            "KVM_SEV_INIT2",
            KVM_SEV_INIT2.into(),
            kb::sev_cmd_id_KVM_SEV_INIT2.into(),
        ),
        (
            "KVM_SEV_SNP_LAUNCH_START",
            KVM_SEV_SNP_LAUNCH_START.into(),
            kb::sev_cmd_id_KVM_SEV_SNP_LAUNCH_START.into(),
        ),
        (
            "KVM_SEV_SNP_LAUNCH_UPDATE",
            KVM_SEV_SNP_LAUNCH_UPDATE.into(),
            kb::sev_cmd_id_KVM_SEV_SNP_LAUNCH_UPDATE.into(),
        ),
        (
            "KVM_SEV_SNP_LAUNCH_FINISH",
            KVM_SEV_SNP_LAUNCH_FINISH.into(),
            kb::sev_cmd_id_KVM_SEV_SNP_LAUNCH_FINISH.into(),
        ),
        (
            "KVM_SEV_SEND_CANCEL",
            KVM_SEV_SEND_CANCEL.into(),
            kb::sev_cmd_id_KVM_SEV_SEND_CANCEL.into(),
        ),
        ("KVM_X86_SNP_VM", KVM_X86_SNP_VM.into(), kb::KVM_X86_SNP_VM.into()),
        ("KVM_X86_TDX_VM", KVM_X86_TDX_VM.into(), kb::KVM_X86_TDX_VM.into()),
        ("KVM_X86_GRP_SEV", KVM_X86_GRP_SEV.into(), kb::KVM_X86_GRP_SEV.into()),
        ("KVM_CAP_VM_TYPES", KVM_CAP_VM_TYPES.into(), kb::KVM_CAP_VM_TYPES.into()),
        (
            "KVM_CAP_GUEST_MEMFD",
            KVM_CAP_GUEST_MEMFD.into(),
            kb::KVM_CAP_GUEST_MEMFD.into(),
        ),
        (
            "KVM_MEM_GUEST_MEMFD",
            KVM_MEM_GUEST_MEMFD.into(),
            kb::KVM_MEM_GUEST_MEMFD.into(),
        ),
        (
            "KVM_MEMORY_ATTRIBUTE_PRIVATE",
            KVM_MEMORY_ATTRIBUTE_PRIVATE,
            kb::KVM_MEMORY_ATTRIBUTE_PRIVATE.into(),
        ),
        (
            "KVM_SEV_SNP_PAGE_TYPE_CPUID",
            KVM_SEV_SNP_PAGE_TYPE_CPUID.into(),
            kb::KVM_SEV_SNP_PAGE_TYPE_CPUID.into(),
        ),
        (
            "KVM_EXIT_MEMORY_FAULT",
            KVM_EXIT_MEMORY_FAULT.into(),
            kb::KVM_EXIT_MEMORY_FAULT.into(),
        ),
    ];
    for (name, ours, theirs) in pairs {
        assert_eq!(ours, theirs, "{name}");
    }
}
