//! KVM (`include/uapi/linux/kvm.h`, `arch/x86/include/uapi/asm/kvm.h`): the SEV command
//! interface (`KVM_MEMORY_ENCRYPT_OP`), memslots, guest_memfd and memory attributes.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// `KVMIO`: KVM's ioctl type byte.
pub const KVMIO: u8 = 0xAE;
/// `KVM_API_VERSION`: the value `KVM_GET_API_VERSION` returns.
pub const KVM_API_VERSION: i32 = 12;

/// `KVM_MEM_LOG_DIRTY_PAGES`: memslot flag.
pub const KVM_MEM_LOG_DIRTY_PAGES: u32 = 1 << 0;
/// `KVM_MEM_READONLY`: memslot flag.
pub const KVM_MEM_READONLY: u32 = 1 << 1;
/// `KVM_MEM_GUEST_MEMFD`: memslot flag; `guest_memfd`/`guest_memfd_offset` are valid.
pub const KVM_MEM_GUEST_MEMFD: u32 = 1 << 2;
/// `KVM_MEMORY_ATTRIBUTE_PRIVATE`: [`KvmMemoryAttributes::attributes`] bit.
pub const KVM_MEMORY_ATTRIBUTE_PRIVATE: u64 = 1 << 3;
/// `GUEST_MEMFD_FLAG_MMAP`: the guest_memfd may be mmap()ed.
pub const GUEST_MEMFD_FLAG_MMAP: u64 = 1 << 0;
/// `GUEST_MEMFD_FLAG_INIT_SHARED`: the guest_memfd starts shared.
pub const GUEST_MEMFD_FLAG_INIT_SHARED: u64 = 1 << 1;

/// `KVM_EXIT_HYPERCALL`: exit reason.
pub const KVM_EXIT_HYPERCALL: u32 = 3;
/// `KVM_EXIT_SYSTEM_EVENT`: exit reason.
pub const KVM_EXIT_SYSTEM_EVENT: u32 = 24;
/// `KVM_EXIT_MEMORY_FAULT`: exit reason (private/shared conversion needed).
pub const KVM_EXIT_MEMORY_FAULT: u32 = 39;
/// `KVM_EXIT_SNP_REQ_CERTS`: exit reason; `run->snp_req_certs` is a [`KvmExitSnpReqCerts`].
pub const KVM_EXIT_SNP_REQ_CERTS: u32 = 42;
/// `KVM_SYSTEM_EVENT_SEV_TERM`: `system_event.type` when a guest terminates through the GHCB.
pub const KVM_SYSTEM_EVENT_SEV_TERM: u32 = 6;
/// `KVM_MEMORY_EXIT_FLAG_PRIVATE`: `memory_fault.flags` bit.
pub const KVM_MEMORY_EXIT_FLAG_PRIVATE: u64 = 1 << 3;
/// `KVM_EXIT_HYPERCALL_LONG_MODE`: `run->hypercall.flags` bit.
pub const KVM_EXIT_HYPERCALL_LONG_MODE: u64 = 1 << 0;

/// `KVM_CAP_DEVICE_CTRL`.
pub const KVM_CAP_DEVICE_CTRL: u32 = 89;
/// `KVM_CAP_ENABLE_CAP_VM`.
pub const KVM_CAP_ENABLE_CAP_VM: u32 = 98;
/// `KVM_CAP_VM_ATTRIBUTES`.
pub const KVM_CAP_VM_ATTRIBUTES: u32 = 101;
/// `KVM_CAP_CHECK_EXTENSION_VM`.
pub const KVM_CAP_CHECK_EXTENSION_VM: u32 = 105;
/// `KVM_CAP_VM_COPY_ENC_CONTEXT_FROM`.
pub const KVM_CAP_VM_COPY_ENC_CONTEXT_FROM: u32 = 197;
/// `KVM_CAP_EXIT_HYPERCALL`: returns / enables the mask of hypercalls forwarded to userspace.
pub const KVM_CAP_EXIT_HYPERCALL: u32 = 201;
/// `KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM`.
pub const KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM: u32 = 206;
/// `KVM_CAP_SYS_ATTRIBUTES`: `KVM_GET/HAS_DEVICE_ATTR` work on `/dev/kvm`.
pub const KVM_CAP_SYS_ATTRIBUTES: u32 = 209;
/// `KVM_CAP_USER_MEMORY2`: `KVM_SET_USER_MEMORY_REGION2` exists.
pub const KVM_CAP_USER_MEMORY2: u32 = 231;
/// `KVM_CAP_MEMORY_FAULT_INFO`.
pub const KVM_CAP_MEMORY_FAULT_INFO: u32 = 232;
/// `KVM_CAP_MEMORY_ATTRIBUTES`: returns the supported attribute mask.
pub const KVM_CAP_MEMORY_ATTRIBUTES: u32 = 233;
/// `KVM_CAP_GUEST_MEMFD`: `KVM_CREATE_GUEST_MEMFD` exists.
pub const KVM_CAP_GUEST_MEMFD: u32 = 234;
/// `KVM_CAP_VM_TYPES`: returns a bitmask of supported VM types (bit N = type N).
pub const KVM_CAP_VM_TYPES: u32 = 235;
/// `KVM_CAP_PRE_FAULT_MEMORY`.
pub const KVM_CAP_PRE_FAULT_MEMORY: u32 = 236;
/// `KVM_CAP_GUEST_MEMFD_FLAGS`: returns the supported `GUEST_MEMFD_FLAG_*` mask.
pub const KVM_CAP_GUEST_MEMFD_FLAGS: u32 = 244;

/// `KVM_X86_DEFAULT_VM`: `KVM_CREATE_VM` type.
pub const KVM_X86_DEFAULT_VM: u32 = 0;
/// `KVM_X86_SW_PROTECTED_VM`: `KVM_CREATE_VM` type.
pub const KVM_X86_SW_PROTECTED_VM: u32 = 1;
/// `KVM_X86_SEV_VM`: `KVM_CREATE_VM` type (needs `KVM_SEV_INIT2`).
pub const KVM_X86_SEV_VM: u32 = 2;
/// `KVM_X86_SEV_ES_VM`: `KVM_CREATE_VM` type.
pub const KVM_X86_SEV_ES_VM: u32 = 3;
/// `KVM_X86_SNP_VM`: `KVM_CREATE_VM` type.
pub const KVM_X86_SNP_VM: u32 = 4;
/// `KVM_X86_TDX_VM`: `KVM_CREATE_VM` type.
pub const KVM_X86_TDX_VM: u32 = 5;

/// `KVM_X86_GRP_SYSTEM`: device-attribute group on `/dev/kvm`.
pub const KVM_X86_GRP_SYSTEM: u32 = 0;
/// `KVM_X86_XCOMP_GUEST_SUPP`: attribute in [`KVM_X86_GRP_SYSTEM`].
pub const KVM_X86_XCOMP_GUEST_SUPP: u64 = 0;
/// `KVM_X86_GRP_SEV`: device-attribute group on `/dev/kvm` for SEV capabilities.
pub const KVM_X86_GRP_SEV: u32 = 1;
/// `KVM_X86_SEV_VMSA_FEATURES`: u64 mask accepted in [`KvmSevInit::vmsa_features`](sev_types::launch::snp::KvmSevInit::vmsa_features).
pub const KVM_X86_SEV_VMSA_FEATURES: u64 = 0;
/// `KVM_X86_SNP_POLICY_BITS`: u64 mask of SNP policy bits KVM accepts.
pub const KVM_X86_SNP_POLICY_BITS: u64 = 1;
/// `KVM_X86_SEV_SNP_REQ_CERTS`: 1 if `KVM_SEV_SNP_ENABLE_REQ_CERTS` is supported.
pub const KVM_X86_SEV_SNP_REQ_CERTS: u64 = 2;

/// `KVM_SEV_INIT` (legacy, `KVM_X86_DEFAULT_VM` only; no payload).
pub const KVM_SEV_INIT: u32 = 0;
/// `KVM_SEV_ES_INIT` (legacy; no payload).
pub const KVM_SEV_ES_INIT: u32 = 1;
/// `KVM_SEV_LAUNCH_START`: [`KvmSevLaunchStart`](sev_types::launch::sev::KvmSevLaunchStart).
pub const KVM_SEV_LAUNCH_START: u32 = 2;
/// `KVM_SEV_LAUNCH_UPDATE_DATA`: [`KvmSevLaunchUpdateData`](sev_types::launch::sev::KvmSevLaunchUpdateData).
pub const KVM_SEV_LAUNCH_UPDATE_DATA: u32 = 3;
/// `KVM_SEV_LAUNCH_UPDATE_VMSA` (no payload).
pub const KVM_SEV_LAUNCH_UPDATE_VMSA: u32 = 4;
/// `KVM_SEV_LAUNCH_SECRET`: [`KvmSevLaunchSecret`](sev_types::launch::sev::KvmSevLaunchSecret).
pub const KVM_SEV_LAUNCH_SECRET: u32 = 5;
/// `KVM_SEV_LAUNCH_MEASURE`: [`KvmSevLaunchMeasure`](sev_types::launch::sev::KvmSevLaunchMeasure).
pub const KVM_SEV_LAUNCH_MEASURE: u32 = 6;
/// `KVM_SEV_LAUNCH_FINISH` (no payload).
pub const KVM_SEV_LAUNCH_FINISH: u32 = 7;
/// `KVM_SEV_SEND_START`: [`KvmSevSendStart`](sev_types::launch::sev::KvmSevSendStart).
pub const KVM_SEV_SEND_START: u32 = 8;
/// `KVM_SEV_SEND_UPDATE_DATA`: [`KvmSevSendUpdateData`](sev_types::launch::sev::KvmSevSendUpdateData).
pub const KVM_SEV_SEND_UPDATE_DATA: u32 = 9;
/// `KVM_SEV_SEND_UPDATE_VMSA`.
pub const KVM_SEV_SEND_UPDATE_VMSA: u32 = 10;
/// `KVM_SEV_SEND_FINISH` (no payload).
pub const KVM_SEV_SEND_FINISH: u32 = 11;
/// `KVM_SEV_RECEIVE_START`: [`KvmSevReceiveStart`](sev_types::launch::sev::KvmSevReceiveStart).
pub const KVM_SEV_RECEIVE_START: u32 = 12;
/// `KVM_SEV_RECEIVE_UPDATE_DATA`: [`KvmSevReceiveUpdateData`](sev_types::launch::sev::KvmSevReceiveUpdateData).
pub const KVM_SEV_RECEIVE_UPDATE_DATA: u32 = 13;
/// `KVM_SEV_RECEIVE_UPDATE_VMSA`.
pub const KVM_SEV_RECEIVE_UPDATE_VMSA: u32 = 14;
/// `KVM_SEV_RECEIVE_FINISH` (no payload).
pub const KVM_SEV_RECEIVE_FINISH: u32 = 15;
/// `KVM_SEV_GUEST_STATUS`: [`KvmSevGuestStatus`](sev_types::launch::sev::KvmSevGuestStatus).
pub const KVM_SEV_GUEST_STATUS: u32 = 16;
/// `KVM_SEV_DBG_DECRYPT`: [`KvmSevDbg`](sev_types::launch::sev::KvmSevDbg).
pub const KVM_SEV_DBG_DECRYPT: u32 = 17;
/// `KVM_SEV_DBG_ENCRYPT`: [`KvmSevDbg`](sev_types::launch::sev::KvmSevDbg).
pub const KVM_SEV_DBG_ENCRYPT: u32 = 18;
/// `KVM_SEV_CERT_EXPORT`.
pub const KVM_SEV_CERT_EXPORT: u32 = 19;
/// `KVM_SEV_GET_ATTESTATION_REPORT`: [`KvmSevAttestationReport`](sev_types::launch::sev::KvmSevAttestationReport).
pub const KVM_SEV_GET_ATTESTATION_REPORT: u32 = 20;
/// `KVM_SEV_SEND_CANCEL` (no payload).
pub const KVM_SEV_SEND_CANCEL: u32 = 21;
/// `KVM_SEV_INIT2`: [`KvmSevInit`](sev_types::launch::snp::KvmSevInit); required for the SEV, SEV-ES and SNP VM types.
pub const KVM_SEV_INIT2: u32 = 22;
/// `KVM_SEV_SNP_LAUNCH_START`: [`KvmSnpLaunchStart`](sev_types::launch::snp::KvmSnpLaunchStart).
pub const KVM_SEV_SNP_LAUNCH_START: u32 = 100;
/// `KVM_SEV_SNP_LAUNCH_UPDATE`: [`KvmSnpLaunchUpdate`](sev_types::launch::snp::KvmSnpLaunchUpdate).
pub const KVM_SEV_SNP_LAUNCH_UPDATE: u32 = 101;
/// `KVM_SEV_SNP_LAUNCH_FINISH`: [`KvmSnpLaunchFinish`](sev_types::launch::snp::KvmSnpLaunchFinish).
pub const KVM_SEV_SNP_LAUNCH_FINISH: u32 = 102;
/// `KVM_SEV_SNP_ENABLE_REQ_CERTS` (no payload; Linux 7.0).
pub const KVM_SEV_SNP_ENABLE_REQ_CERTS: u32 = 103;
/// `KVM_SEV_NR_MAX`: one past the last id in the headers this crate follows (moves over time).
pub const KVM_SEV_NR_MAX: u32 = 104;

/// `KVM_SEV_PAGE_TYPE_INVALID`: [`KvmSnpLaunchUpdate::page_type`](sev_types::launch::snp::KvmSnpLaunchUpdate::page_type).
pub const KVM_SEV_PAGE_TYPE_INVALID: u8 = 0;
/// `KVM_SEV_SNP_PAGE_TYPE_NORMAL`: measured data page.
pub const KVM_SEV_SNP_PAGE_TYPE_NORMAL: u8 = 1;
/// `KVM_SEV_SNP_PAGE_TYPE_ZERO`: measured zero page.
pub const KVM_SEV_SNP_PAGE_TYPE_ZERO: u8 = 3;
/// `KVM_SEV_SNP_PAGE_TYPE_UNMEASURED`: unmeasured page.
pub const KVM_SEV_SNP_PAGE_TYPE_UNMEASURED: u8 = 4;
/// `KVM_SEV_SNP_PAGE_TYPE_SECRETS`: secrets page.
pub const KVM_SEV_SNP_PAGE_TYPE_SECRETS: u8 = 5;
/// `KVM_SEV_SNP_PAGE_TYPE_CPUID`: CPUID page (firmware may correct it in place).
pub const KVM_SEV_SNP_PAGE_TYPE_CPUID: u8 = 6;

/// `KVM_SEV_SNP_ID_BLOCK_SIZE`: bytes at [`KvmSnpLaunchFinish::id_block_uaddr`](sev_types::launch::snp::KvmSnpLaunchFinish::id_block_uaddr).
pub const KVM_SEV_SNP_ID_BLOCK_SIZE: usize = 96;
/// `KVM_SEV_SNP_ID_AUTH_SIZE`: bytes at [`KvmSnpLaunchFinish::id_auth_uaddr`](sev_types::launch::snp::KvmSnpLaunchFinish::id_auth_uaddr).
pub const KVM_SEV_SNP_ID_AUTH_SIZE: usize = 4096;
/// `KVM_SEV_SNP_FINISH_DATA_SIZE`: bytes of [`KvmSnpLaunchFinish::host_data`](sev_types::launch::snp::KvmSnpLaunchFinish::host_data).
pub const KVM_SEV_SNP_FINISH_DATA_SIZE: usize = 32;

/// `struct kvm_sev_cmd`: the argument of `KVM_MEMORY_ENCRYPT_OP` (24 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevCmd {
    /// Command id (`KVM_SEV_*`).
    pub id: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the command payload, or 0.
    pub data: u64,
    /// Out: firmware status.
    pub error: u32,
    /// An open `/dev/sev` fd.
    pub sev_fd: u32,
}
assert_layout!(KvmSevCmd, size = 24, align = 8, { id @ 0, pad0 @ 4, data @ 8, error @ 16, sev_fd @ 20 });

/// `struct kvm_userspace_memory_region`: `KVM_SET_USER_MEMORY_REGION` argument (32 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmUserspaceMemoryRegion {
    /// Slot id (address space in bits 31:16).
    pub slot: u32,
    /// `KVM_MEM_*` flags.
    pub flags: u32,
    /// Guest physical address.
    pub guest_phys_addr: u64,
    /// Size in bytes (0 deletes the slot).
    pub memory_size: u64,
    /// Host virtual address of the backing memory.
    pub userspace_addr: u64,
}
assert_layout!(KvmUserspaceMemoryRegion, size = 32, align = 8, {
    slot @ 0, flags @ 4, guest_phys_addr @ 8, memory_size @ 16, userspace_addr @ 24,
});

/// `struct kvm_userspace_memory_region2`: `KVM_SET_USER_MEMORY_REGION2` argument (160 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmUserspaceMemoryRegion2 {
    /// Slot id (address space in bits 31:16).
    pub slot: u32,
    /// `KVM_MEM_*` flags.
    pub flags: u32,
    /// Guest physical address.
    pub guest_phys_addr: u64,
    /// Size in bytes (0 deletes the slot).
    pub memory_size: u64,
    /// Host virtual address of the shared backing memory.
    pub userspace_addr: u64,
    /// Offset into the guest_memfd (with [`KVM_MEM_GUEST_MEMFD`]).
    pub guest_memfd_offset: u64,
    /// guest_memfd fd (with [`KVM_MEM_GUEST_MEMFD`]).
    pub guest_memfd: u32,
    /// Padding.
    pub pad1: u32,
    /// Padding.
    pub pad2: [u64; 14],
}
assert_layout!(KvmUserspaceMemoryRegion2, size = 160, align = 8, {
    slot @ 0, flags @ 4, guest_phys_addr @ 8, memory_size @ 16, userspace_addr @ 24, guest_memfd_offset @ 32,
    guest_memfd @ 40, pad1 @ 44, pad2 @ 48,
});

/// `struct kvm_enc_region`: `KVM_MEMORY_ENCRYPT_REG_REGION` / `UNREG_REGION` argument (16 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmEncRegion {
    /// Host virtual address.
    pub addr: u64,
    /// Size in bytes.
    pub size: u64,
}
assert_layout!(KvmEncRegion, size = 16, align = 8, { addr @ 0, size @ 8 });

/// `struct kvm_memory_attributes`: `KVM_SET_MEMORY_ATTRIBUTES` argument (32 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmMemoryAttributes {
    /// Guest physical address (page aligned).
    pub address: u64,
    /// Size in bytes (page multiple).
    pub size: u64,
    /// `KVM_MEMORY_ATTRIBUTE_*` bits to set (others cleared).
    pub attributes: u64,
    /// Must be 0.
    pub flags: u64,
}
assert_layout!(KvmMemoryAttributes, size = 32, align = 8, { address @ 0, size @ 8, attributes @ 16, flags @ 24 });

/// `struct kvm_create_guest_memfd`: `KVM_CREATE_GUEST_MEMFD` argument (64 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmCreateGuestMemfd {
    /// Size in bytes (page multiple).
    pub size: u64,
    /// `GUEST_MEMFD_FLAG_*`.
    pub flags: u64,
    /// Reserved, must be zero.
    pub reserved: [u64; 6],
}
assert_layout!(KvmCreateGuestMemfd, size = 64, align = 8, { size @ 0, flags @ 8, reserved @ 16 });

/// `struct kvm_pre_fault_memory`: `KVM_PRE_FAULT_MEMORY` argument (64 bytes, vCPU fd).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmPreFaultMemory {
    /// In/out: guest physical address.
    pub gpa: u64,
    /// In/out: remaining size.
    pub size: u64,
    /// Must be 0.
    pub flags: u64,
    /// Padding.
    pub padding: [u64; 5],
}
assert_layout!(KvmPreFaultMemory, size = 64, align = 8, { gpa @ 0, size @ 8, flags @ 16, padding @ 24 });

/// `struct kvm_device_attr`: `KVM_{GET,HAS,SET}_DEVICE_ATTR` argument (24 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmDeviceAttr {
    /// Must be 0.
    pub flags: u32,
    /// Attribute group (e.g. [`KVM_X86_GRP_SEV`]).
    pub group: u32,
    /// Attribute id within the group.
    pub attr: u64,
    /// User address of the value.
    pub addr: u64,
}
assert_layout!(KvmDeviceAttr, size = 24, align = 8, { flags @ 0, group @ 4, attr @ 8, addr @ 16 });

/// `struct kvm_enable_cap`: `KVM_ENABLE_CAP` argument (104 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmEnableCap {
    /// Capability (`KVM_CAP_*`).
    pub cap: u32,
    /// Must be 0.
    pub flags: u32,
    /// Capability arguments.
    pub args: [u64; 4],
    /// Padding.
    pub pad: [u8; 64],
}
assert_layout!(KvmEnableCap, size = 104, align = 8, { cap @ 0, flags @ 4, args @ 8, pad @ 40 });

/// `struct kvm_exit_snp_req_certs`: `run->snp_req_certs` for [`KVM_EXIT_SNP_REQ_CERTS`] (24 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmExitSnpReqCerts {
    /// Guest physical address of the guest's certificate buffer.
    pub gpa: u64,
    /// Its size in pages (out on ENOSPC: pages needed).
    pub npages: u64,
    /// Set by the VMM: 0, ENOSPC, EAGAIN or EIO.
    pub ret: u64,
}
assert_layout!(KvmExitSnpReqCerts, size = 24, align = 8, { gpa @ 0, npages @ 8, ret @ 16 });
