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
/// `KVM_X86_SEV_VMSA_FEATURES`: u64 mask accepted in [`KvmSevInit::vmsa_features`].
pub const KVM_X86_SEV_VMSA_FEATURES: u64 = 0;
/// `KVM_X86_SNP_POLICY_BITS`: u64 mask of SNP policy bits KVM accepts.
pub const KVM_X86_SNP_POLICY_BITS: u64 = 1;
/// `KVM_X86_SEV_SNP_REQ_CERTS`: 1 if `KVM_SEV_SNP_ENABLE_REQ_CERTS` is supported.
pub const KVM_X86_SEV_SNP_REQ_CERTS: u64 = 2;

/// `KVM_SEV_INIT` (legacy, `KVM_X86_DEFAULT_VM` only; no payload).
pub const KVM_SEV_INIT: u32 = 0;
/// `KVM_SEV_ES_INIT` (legacy; no payload).
pub const KVM_SEV_ES_INIT: u32 = 1;
/// `KVM_SEV_LAUNCH_START`: [`KvmSevLaunchStart`].
pub const KVM_SEV_LAUNCH_START: u32 = 2;
/// `KVM_SEV_LAUNCH_UPDATE_DATA`: [`KvmSevLaunchUpdateData`].
pub const KVM_SEV_LAUNCH_UPDATE_DATA: u32 = 3;
/// `KVM_SEV_LAUNCH_UPDATE_VMSA` (no payload).
pub const KVM_SEV_LAUNCH_UPDATE_VMSA: u32 = 4;
/// `KVM_SEV_LAUNCH_SECRET`: [`KvmSevLaunchSecret`].
pub const KVM_SEV_LAUNCH_SECRET: u32 = 5;
/// `KVM_SEV_LAUNCH_MEASURE`: [`KvmSevLaunchMeasure`].
pub const KVM_SEV_LAUNCH_MEASURE: u32 = 6;
/// `KVM_SEV_LAUNCH_FINISH` (no payload).
pub const KVM_SEV_LAUNCH_FINISH: u32 = 7;
/// `KVM_SEV_SEND_START`: [`KvmSevSendStart`].
pub const KVM_SEV_SEND_START: u32 = 8;
/// `KVM_SEV_SEND_UPDATE_DATA`: [`KvmSevSendUpdateData`].
pub const KVM_SEV_SEND_UPDATE_DATA: u32 = 9;
/// `KVM_SEV_SEND_UPDATE_VMSA`.
pub const KVM_SEV_SEND_UPDATE_VMSA: u32 = 10;
/// `KVM_SEV_SEND_FINISH` (no payload).
pub const KVM_SEV_SEND_FINISH: u32 = 11;
/// `KVM_SEV_RECEIVE_START`: [`KvmSevReceiveStart`].
pub const KVM_SEV_RECEIVE_START: u32 = 12;
/// `KVM_SEV_RECEIVE_UPDATE_DATA`: [`KvmSevReceiveUpdateData`].
pub const KVM_SEV_RECEIVE_UPDATE_DATA: u32 = 13;
/// `KVM_SEV_RECEIVE_UPDATE_VMSA`.
pub const KVM_SEV_RECEIVE_UPDATE_VMSA: u32 = 14;
/// `KVM_SEV_RECEIVE_FINISH` (no payload).
pub const KVM_SEV_RECEIVE_FINISH: u32 = 15;
/// `KVM_SEV_GUEST_STATUS`: [`KvmSevGuestStatus`].
pub const KVM_SEV_GUEST_STATUS: u32 = 16;
/// `KVM_SEV_DBG_DECRYPT`: [`KvmSevDbg`].
pub const KVM_SEV_DBG_DECRYPT: u32 = 17;
/// `KVM_SEV_DBG_ENCRYPT`: [`KvmSevDbg`].
pub const KVM_SEV_DBG_ENCRYPT: u32 = 18;
/// `KVM_SEV_CERT_EXPORT`.
pub const KVM_SEV_CERT_EXPORT: u32 = 19;
/// `KVM_SEV_GET_ATTESTATION_REPORT`: [`KvmSevAttestationReport`].
pub const KVM_SEV_GET_ATTESTATION_REPORT: u32 = 20;
/// `KVM_SEV_SEND_CANCEL` (no payload).
pub const KVM_SEV_SEND_CANCEL: u32 = 21;
/// `KVM_SEV_INIT2`: [`KvmSevInit`]; required for the SEV, SEV-ES and SNP VM types.
pub const KVM_SEV_INIT2: u32 = 22;
/// `KVM_SEV_SNP_LAUNCH_START`: [`KvmSevSnpLaunchStart`].
pub const KVM_SEV_SNP_LAUNCH_START: u32 = 100;
/// `KVM_SEV_SNP_LAUNCH_UPDATE`: [`KvmSevSnpLaunchUpdate`].
pub const KVM_SEV_SNP_LAUNCH_UPDATE: u32 = 101;
/// `KVM_SEV_SNP_LAUNCH_FINISH`: [`KvmSevSnpLaunchFinish`].
pub const KVM_SEV_SNP_LAUNCH_FINISH: u32 = 102;
/// `KVM_SEV_SNP_ENABLE_REQ_CERTS` (no payload; Linux 7.0).
pub const KVM_SEV_SNP_ENABLE_REQ_CERTS: u32 = 103;
/// `KVM_SEV_NR_MAX`: one past the last id in the headers this crate follows (moves over time).
pub const KVM_SEV_NR_MAX: u32 = 104;

/// `KVM_SEV_PAGE_TYPE_INVALID`: [`KvmSevSnpLaunchUpdate::type_`].
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

/// `KVM_SEV_SNP_ID_BLOCK_SIZE`: bytes at [`KvmSevSnpLaunchFinish::id_block_uaddr`].
pub const KVM_SEV_SNP_ID_BLOCK_SIZE: usize = 96;
/// `KVM_SEV_SNP_ID_AUTH_SIZE`: bytes at [`KvmSevSnpLaunchFinish::id_auth_uaddr`].
pub const KVM_SEV_SNP_ID_AUTH_SIZE: usize = 4096;
/// `KVM_SEV_SNP_FINISH_DATA_SIZE`: bytes of [`KvmSevSnpLaunchFinish::host_data`].
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

/// `struct kvm_sev_init`: `KVM_SEV_INIT2` payload (48 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevInit {
    /// VMSA SEV_FEATURES to set (subset of [`KVM_X86_SEV_VMSA_FEATURES`]).
    pub vmsa_features: u64,
    /// Must be 0.
    pub flags: u32,
    /// GHCB protocol version (0 = KVM's default).
    pub ghcb_version: u16,
    /// Padding.
    pub pad1: u16,
    /// Padding.
    pub pad2: [u32; 8],
}
assert_layout!(KvmSevInit, size = 48, align = 8, {
    vmsa_features @ 0, flags @ 8, ghcb_version @ 12, pad1 @ 14, pad2 @ 16,
});

/// `struct kvm_sev_launch_start`: `KVM_SEV_LAUNCH_START` payload (40 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevLaunchStart {
    /// In: handle of a guest to share keys with (0 = new); out: the new guest's handle.
    pub handle: u32,
    /// SEV guest policy.
    pub policy: u32,
    /// User address of the guest owner's PDH certificate.
    pub dh_uaddr: u64,
    /// Its length.
    pub dh_len: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the launch session blob.
    pub session_uaddr: u64,
    /// Its length.
    pub session_len: u32,
    /// Padding.
    pub pad1: u32,
}
assert_layout!(KvmSevLaunchStart, size = 40, align = 8, {
    handle @ 0, policy @ 4, dh_uaddr @ 8, dh_len @ 16, pad0 @ 20, session_uaddr @ 24, session_len @ 32, pad1 @ 36,
});

/// `struct kvm_sev_launch_update_data`: `KVM_SEV_LAUNCH_UPDATE_DATA` payload (16 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevLaunchUpdateData {
    /// User address of guest memory to encrypt in place.
    pub uaddr: u64,
    /// Its length.
    pub len: u32,
    /// Padding.
    pub pad0: u32,
}
assert_layout!(KvmSevLaunchUpdateData, size = 16, align = 8, { uaddr @ 0, len @ 8, pad0 @ 12 });

/// `struct kvm_sev_launch_secret`: `KVM_SEV_LAUNCH_SECRET` payload (48 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevLaunchSecret {
    /// User address of the packet header.
    pub hdr_uaddr: u64,
    /// Its length.
    pub hdr_len: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the guest memory receiving the secret.
    pub guest_uaddr: u64,
    /// Its length.
    pub guest_len: u32,
    /// Padding.
    pub pad1: u32,
    /// User address of the encrypted secret.
    pub trans_uaddr: u64,
    /// Its length.
    pub trans_len: u32,
    /// Padding.
    pub pad2: u32,
}
assert_layout!(KvmSevLaunchSecret, size = 48, align = 8, {
    hdr_uaddr @ 0, hdr_len @ 8, pad0 @ 12, guest_uaddr @ 16, guest_len @ 24, pad1 @ 28,
    trans_uaddr @ 32, trans_len @ 40, pad2 @ 44,
});

/// `struct kvm_sev_launch_measure`: `KVM_SEV_LAUNCH_MEASURE` payload (16 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevLaunchMeasure {
    /// User address of the measurement buffer (0 to query the length).
    pub uaddr: u64,
    /// In: buffer length; out: length written or needed.
    pub len: u32,
    /// Padding.
    pub pad0: u32,
}
assert_layout!(KvmSevLaunchMeasure, size = 16, align = 8, { uaddr @ 0, len @ 8, pad0 @ 12 });

/// `struct kvm_sev_guest_status`: `KVM_SEV_GUEST_STATUS` output (12 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevGuestStatus {
    /// Guest handle.
    pub handle: u32,
    /// Guest policy.
    pub policy: u32,
    /// Guest state.
    pub state: u32,
}
assert_layout!(KvmSevGuestStatus, size = 12, align = 4, { handle @ 0, policy @ 4, state @ 8 });

/// `struct kvm_sev_dbg`: `KVM_SEV_DBG_DECRYPT` / `KVM_SEV_DBG_ENCRYPT` payload (24 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevDbg {
    /// Source user address.
    pub src_uaddr: u64,
    /// Destination user address.
    pub dst_uaddr: u64,
    /// Length.
    pub len: u32,
    /// Padding.
    pub pad0: u32,
}
assert_layout!(KvmSevDbg, size = 24, align = 8, { src_uaddr @ 0, dst_uaddr @ 8, len @ 16, pad0 @ 20 });

/// `struct kvm_sev_attestation_report`: `KVM_SEV_GET_ATTESTATION_REPORT` payload (32 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevAttestationReport {
    /// Caller nonce.
    pub mnonce: [u8; 16],
    /// User address of the report buffer (0 to query the length).
    pub uaddr: u64,
    /// In: buffer length; out: length written or needed.
    pub len: u32,
    /// Padding.
    pub pad0: u32,
}
assert_layout!(KvmSevAttestationReport, size = 32, align = 8, { mnonce @ 0, uaddr @ 16, len @ 24, pad0 @ 28 });

/// `struct kvm_sev_send_start`: `KVM_SEV_SEND_START` payload (72 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevSendStart {
    /// Guest policy.
    pub policy: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the target's PDH certificate.
    pub pdh_cert_uaddr: u64,
    /// Its length.
    pub pdh_cert_len: u32,
    /// Padding.
    pub pad1: u32,
    /// User address of the target's platform certificates.
    pub plat_certs_uaddr: u64,
    /// Their length.
    pub plat_certs_len: u32,
    /// Padding.
    pub pad2: u32,
    /// User address of the AMD certificates.
    pub amd_certs_uaddr: u64,
    /// Their length.
    pub amd_certs_len: u32,
    /// Padding.
    pub pad3: u32,
    /// User address of the session buffer (out).
    pub session_uaddr: u64,
    /// In: buffer length; out: length written or needed.
    pub session_len: u32,
    /// Padding.
    pub pad4: u32,
}
assert_layout!(KvmSevSendStart, size = 72, align = 8, {
    policy @ 0, pad0 @ 4, pdh_cert_uaddr @ 8, pdh_cert_len @ 16, pad1 @ 20, plat_certs_uaddr @ 24,
    plat_certs_len @ 32, pad2 @ 36, amd_certs_uaddr @ 40, amd_certs_len @ 48, pad3 @ 52, session_uaddr @ 56,
    session_len @ 64, pad4 @ 68,
});

/// `struct kvm_sev_send_update_data`: `KVM_SEV_SEND_UPDATE_DATA` payload (48 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevSendUpdateData {
    /// User address of the packet header (out).
    pub hdr_uaddr: u64,
    /// Its length.
    pub hdr_len: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the guest memory to send.
    pub guest_uaddr: u64,
    /// Its length.
    pub guest_len: u32,
    /// Padding.
    pub pad1: u32,
    /// User address of the transport buffer (out).
    pub trans_uaddr: u64,
    /// Its length.
    pub trans_len: u32,
    /// Padding.
    pub pad2: u32,
}
assert_layout!(KvmSevSendUpdateData, size = 48, align = 8, {
    hdr_uaddr @ 0, hdr_len @ 8, pad0 @ 12, guest_uaddr @ 16, guest_len @ 24, pad1 @ 28,
    trans_uaddr @ 32, trans_len @ 40, pad2 @ 44,
});

/// `struct kvm_sev_receive_start`: `KVM_SEV_RECEIVE_START` payload (40 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevReceiveStart {
    /// In/out: guest handle.
    pub handle: u32,
    /// Guest policy.
    pub policy: u32,
    /// User address of the source's PDH certificate.
    pub pdh_uaddr: u64,
    /// Its length.
    pub pdh_len: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the session blob.
    pub session_uaddr: u64,
    /// Its length.
    pub session_len: u32,
    /// Padding.
    pub pad1: u32,
}
assert_layout!(KvmSevReceiveStart, size = 40, align = 8, {
    handle @ 0, policy @ 4, pdh_uaddr @ 8, pdh_len @ 16, pad0 @ 20, session_uaddr @ 24, session_len @ 32, pad1 @ 36,
});

/// `struct kvm_sev_receive_update_data`: `KVM_SEV_RECEIVE_UPDATE_DATA` payload (48 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevReceiveUpdateData {
    /// User address of the packet header.
    pub hdr_uaddr: u64,
    /// Its length.
    pub hdr_len: u32,
    /// Padding.
    pub pad0: u32,
    /// User address of the guest memory receiving the data.
    pub guest_uaddr: u64,
    /// Its length.
    pub guest_len: u32,
    /// Padding.
    pub pad1: u32,
    /// User address of the transport buffer.
    pub trans_uaddr: u64,
    /// Its length.
    pub trans_len: u32,
    /// Padding.
    pub pad2: u32,
}
assert_layout!(KvmSevReceiveUpdateData, size = 48, align = 8, {
    hdr_uaddr @ 0, hdr_len @ 8, pad0 @ 12, guest_uaddr @ 16, guest_len @ 24, pad1 @ 28,
    trans_uaddr @ 32, trans_len @ 40, pad2 @ 44,
});

/// `struct kvm_sev_snp_launch_start`: `KVM_SEV_SNP_LAUNCH_START` payload (64 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevSnpLaunchStart {
    /// SNP guest policy.
    pub policy: u64,
    /// Guest OS-visible workarounds.
    pub gosvw: [u8; 16],
    /// Must be 0.
    pub flags: u16,
    /// Padding.
    pub pad0: [u8; 6],
    /// Padding.
    pub pad1: [u64; 4],
}
assert_layout!(KvmSevSnpLaunchStart, size = 64, align = 8, {
    policy @ 0, gosvw @ 8, flags @ 24, pad0 @ 26, pad1 @ 32,
});

/// `struct kvm_sev_snp_launch_update`: `KVM_SEV_SNP_LAUNCH_UPDATE` payload (64 bytes).
///
/// `gfn_start`, `uaddr` and `len` are updated by the kernel as pages are consumed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevSnpLaunchUpdate {
    /// First guest frame number (already private).
    pub gfn_start: u64,
    /// User address of the source data (page aligned).
    pub uaddr: u64,
    /// Remaining bytes (page multiple).
    pub len: u64,
    /// Page type (`KVM_SEV_SNP_PAGE_TYPE_*`); the kernel field is named `type`.
    pub type_: u8,
    /// Padding.
    pub pad0: u8,
    /// Must be 0.
    pub flags: u16,
    /// Padding.
    pub pad1: u32,
    /// Padding.
    pub pad2: [u64; 4],
}
assert_layout!(KvmSevSnpLaunchUpdate, size = 64, align = 8, {
    gfn_start @ 0, uaddr @ 8, len @ 16, type_ @ 24, pad0 @ 25, flags @ 26, pad1 @ 28, pad2 @ 32,
});

/// `struct kvm_sev_snp_launch_finish`: `KVM_SEV_SNP_LAUNCH_FINISH` payload (88 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromBytes, IntoBytes, Immutable, KnownLayout)]
pub struct KvmSevSnpLaunchFinish {
    /// User address of the 96-byte ID block (if `id_block_en`).
    pub id_block_uaddr: u64,
    /// User address of the 4096-byte ID authentication structure (if `id_block_en`).
    pub id_auth_uaddr: u64,
    /// 1 if an ID block is supplied.
    pub id_block_en: u8,
    /// 1 if the ID auth structure carries an author key.
    pub auth_key_en: u8,
    /// 1 to disable VCEK-signed reports for this guest.
    pub vcek_disabled: u8,
    /// Host data placed in reports.
    pub host_data: [u8; KVM_SEV_SNP_FINISH_DATA_SIZE],
    /// Padding.
    pub pad0: [u8; 3],
    /// Must be 0.
    pub flags: u16,
    /// Padding.
    pub pad1: [u64; 4],
}
assert_layout!(KvmSevSnpLaunchFinish, size = 88, align = 8, {
    id_block_uaddr @ 0, id_auth_uaddr @ 8, id_block_en @ 16, auth_key_en @ 17, vcek_disabled @ 18,
    host_data @ 19, pad0 @ 51, flags @ 54, pad1 @ 56,
});

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
