//! Every ioctl request number this crate uses, in one place, grouped by the fd it applies to.
//!
//! The numbers are computed with nix's `request_code_*` macros from (type, number, size) exactly
//! as the kernel's `_IO`/`_IOR`/`_IOW`/`_IOWR` do, and exposed as `u32` constants so tests can
//! compare them with `fixtures/abi/linux-sev-uapi.tsv`. The raw `unsafe fn`s that issue them
//! are crate-private; the safe wrappers are [`crate::SevDevice`], [`crate::SevGuestDevice`],
//! [`crate::SevVm`] and [`crate::KvmHost`].

use core::mem::size_of;

use nix::{request_code_none, request_code_read, request_code_readwrite, request_code_write};

use crate::uapi::*;

// ---- /dev/sev ----

/// `SEV_ISSUE_CMD` = `_IOWR('S', 0x0, struct sev_issue_cmd)` on `/dev/sev`.
pub const SEV_ISSUE_CMD: u32 = request_code_readwrite!(SEV_IOC_TYPE, 0x00, size_of::<SevIssueCmd>()) as u32;

// ---- /dev/sev-guest ----

/// `SNP_GET_REPORT` = `_IOWR('S', 0x0, struct snp_guest_request_ioctl)` on `/dev/sev-guest`.
pub const SNP_GET_REPORT: u32 =
    request_code_readwrite!(SNP_GUEST_REQ_IOC_TYPE, 0x00, size_of::<SnpGuestRequestIoctl>()) as u32;
/// `SNP_GET_DERIVED_KEY` = `_IOWR('S', 0x1, struct snp_guest_request_ioctl)`.
pub const SNP_GET_DERIVED_KEY: u32 =
    request_code_readwrite!(SNP_GUEST_REQ_IOC_TYPE, 0x01, size_of::<SnpGuestRequestIoctl>()) as u32;
/// `SNP_GET_EXT_REPORT` = `_IOWR('S', 0x2, struct snp_guest_request_ioctl)`.
pub const SNP_GET_EXT_REPORT: u32 =
    request_code_readwrite!(SNP_GUEST_REQ_IOC_TYPE, 0x02, size_of::<SnpGuestRequestIoctl>()) as u32;

// ---- /dev/kvm (system fd) ----

/// `KVM_GET_API_VERSION` = `_IO(KVMIO, 0x00)`.
pub const KVM_GET_API_VERSION: u32 = request_code_none!(KVMIO, 0x00) as u32;
/// `KVM_CREATE_VM` = `_IO(KVMIO, 0x01)`; the argument is the VM type.
pub const KVM_CREATE_VM: u32 = request_code_none!(KVMIO, 0x01) as u32;
/// `KVM_CHECK_EXTENSION` = `_IO(KVMIO, 0x03)`; on `/dev/kvm` or a VM fd.
pub const KVM_CHECK_EXTENSION: u32 = request_code_none!(KVMIO, 0x03) as u32;
/// `KVM_GET_DEVICE_ATTR` = `_IOW(KVMIO, 0xe2, struct kvm_device_attr)`.
pub const KVM_GET_DEVICE_ATTR: u32 = request_code_write!(KVMIO, 0xe2, size_of::<KvmDeviceAttr>()) as u32;
/// `KVM_HAS_DEVICE_ATTR` = `_IOW(KVMIO, 0xe3, struct kvm_device_attr)`.
pub const KVM_HAS_DEVICE_ATTR: u32 = request_code_write!(KVMIO, 0xe3, size_of::<KvmDeviceAttr>()) as u32;
/// `KVM_SET_DEVICE_ATTR` = `_IOW(KVMIO, 0xe1, struct kvm_device_attr)`.
pub const KVM_SET_DEVICE_ATTR: u32 = request_code_write!(KVMIO, 0xe1, size_of::<KvmDeviceAttr>()) as u32;

// ---- VM fd ----

/// `KVM_CREATE_VCPU` = `_IO(KVMIO, 0x41)`.
pub const KVM_CREATE_VCPU: u32 = request_code_none!(KVMIO, 0x41) as u32;
/// `KVM_SET_USER_MEMORY_REGION` = `_IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)`.
pub const KVM_SET_USER_MEMORY_REGION: u32 =
    request_code_write!(KVMIO, 0x46, size_of::<KvmUserspaceMemoryRegion>()) as u32;
/// `KVM_SET_USER_MEMORY_REGION2` = `_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)`.
pub const KVM_SET_USER_MEMORY_REGION2: u32 =
    request_code_write!(KVMIO, 0x49, size_of::<KvmUserspaceMemoryRegion2>()) as u32;
/// `KVM_ENABLE_CAP` = `_IOW(KVMIO, 0xa3, struct kvm_enable_cap)`; VM or vCPU fd.
pub const KVM_ENABLE_CAP: u32 = request_code_write!(KVMIO, 0xa3, size_of::<KvmEnableCap>()) as u32;
/// `KVM_MEMORY_ENCRYPT_OP` = `_IOWR(KVMIO, 0xba, unsigned long)`: the size field encodes
/// `unsigned long` (8 on x86_64), not `struct kvm_sev_cmd`.
pub const KVM_MEMORY_ENCRYPT_OP: u32 = request_code_readwrite!(KVMIO, 0xba, size_of::<libc::c_ulong>()) as u32;
/// `KVM_MEMORY_ENCRYPT_REG_REGION` = `_IOR(KVMIO, 0xbb, struct kvm_enc_region)`.
pub const KVM_MEMORY_ENCRYPT_REG_REGION: u32 = request_code_read!(KVMIO, 0xbb, size_of::<KvmEncRegion>()) as u32;
/// `KVM_MEMORY_ENCRYPT_UNREG_REGION` = `_IOR(KVMIO, 0xbc, struct kvm_enc_region)`.
pub const KVM_MEMORY_ENCRYPT_UNREG_REGION: u32 = request_code_read!(KVMIO, 0xbc, size_of::<KvmEncRegion>()) as u32;
/// `KVM_SET_MEMORY_ATTRIBUTES` = `_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)`.
pub const KVM_SET_MEMORY_ATTRIBUTES: u32 = request_code_write!(KVMIO, 0xd2, size_of::<KvmMemoryAttributes>()) as u32;
/// `KVM_CREATE_GUEST_MEMFD` = `_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)`.
pub const KVM_CREATE_GUEST_MEMFD: u32 = request_code_readwrite!(KVMIO, 0xd4, size_of::<KvmCreateGuestMemfd>()) as u32;

// ---- vCPU fd ----

/// `KVM_RUN` = `_IO(KVMIO, 0x80)`.
pub const KVM_RUN: u32 = request_code_none!(KVMIO, 0x80) as u32;
/// `KVM_PRE_FAULT_MEMORY` = `_IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)`.
pub const KVM_PRE_FAULT_MEMORY: u32 = request_code_readwrite!(KVMIO, 0xd5, size_of::<KvmPreFaultMemory>()) as u32;

/// Raw ioctl entry points. Each is `unsafe`: the caller guarantees that the argument and every
/// user address inside it point to memory the kernel may read/write for the call's duration.
pub(crate) mod raw {
    use super::*;

    nix::ioctl_readwrite_bad!(
        /// `SEV_ISSUE_CMD`.
        sev_issue_cmd,
        SEV_ISSUE_CMD,
        SevIssueCmd
    );
    nix::ioctl_readwrite_bad!(
        /// `SNP_GET_REPORT`.
        snp_get_report,
        SNP_GET_REPORT,
        SnpGuestRequestIoctl
    );
    nix::ioctl_readwrite_bad!(
        /// `SNP_GET_DERIVED_KEY`.
        snp_get_derived_key,
        SNP_GET_DERIVED_KEY,
        SnpGuestRequestIoctl
    );
    nix::ioctl_readwrite_bad!(
        /// `SNP_GET_EXT_REPORT`.
        snp_get_ext_report,
        SNP_GET_EXT_REPORT,
        SnpGuestRequestIoctl
    );
    nix::ioctl_write_ptr_bad!(
        /// `KVM_GET_DEVICE_ATTR` (the value is written through `addr`).
        kvm_get_device_attr,
        KVM_GET_DEVICE_ATTR,
        KvmDeviceAttr
    );
    nix::ioctl_write_ptr_bad!(
        /// `KVM_HAS_DEVICE_ATTR`.
        kvm_has_device_attr,
        KVM_HAS_DEVICE_ATTR,
        KvmDeviceAttr
    );
    nix::ioctl_write_ptr_bad!(
        /// `KVM_SET_USER_MEMORY_REGION2`.
        kvm_set_user_memory_region2,
        KVM_SET_USER_MEMORY_REGION2,
        KvmUserspaceMemoryRegion2
    );
    nix::ioctl_write_ptr_bad!(
        /// `KVM_ENABLE_CAP`.
        kvm_enable_cap,
        KVM_ENABLE_CAP,
        KvmEnableCap
    );
    nix::ioctl_readwrite_bad!(
        /// `KVM_MEMORY_ENCRYPT_OP` with a `struct kvm_sev_cmd`.
        kvm_memory_encrypt_op,
        KVM_MEMORY_ENCRYPT_OP,
        KvmSevCmd
    );
    nix::ioctl_read_bad!(
        /// `KVM_MEMORY_ENCRYPT_REG_REGION`.
        kvm_memory_encrypt_reg_region,
        KVM_MEMORY_ENCRYPT_REG_REGION,
        KvmEncRegion
    );
    nix::ioctl_read_bad!(
        /// `KVM_MEMORY_ENCRYPT_UNREG_REGION`.
        kvm_memory_encrypt_unreg_region,
        KVM_MEMORY_ENCRYPT_UNREG_REGION,
        KvmEncRegion
    );
    nix::ioctl_write_ptr_bad!(
        /// `KVM_SET_MEMORY_ATTRIBUTES`.
        kvm_set_memory_attributes,
        KVM_SET_MEMORY_ATTRIBUTES,
        KvmMemoryAttributes
    );
    nix::ioctl_readwrite_bad!(
        /// `KVM_CREATE_GUEST_MEMFD`.
        kvm_create_guest_memfd,
        KVM_CREATE_GUEST_MEMFD,
        KvmCreateGuestMemfd
    );
    nix::ioctl_readwrite_bad!(
        /// `KVM_PRE_FAULT_MEMORY`.
        kvm_pre_fault_memory,
        KVM_PRE_FAULT_MEMORY,
        KvmPreFaultMemory
    );

    /// An `_IO` ioctl whose argument is a plain integer (`KVM_CREATE_VM`, `KVM_CHECK_EXTENSION`,
    /// `KVM_GET_API_VERSION`), passed as `unsigned long` as the kernel reads it.
    ///
    /// # Safety
    /// `request` must be an ioctl that takes its argument by value (never as a pointer).
    pub(crate) unsafe fn ioctl_with_val(
        fd: std::os::fd::RawFd,
        request: u32,
        arg: libc::c_ulong,
    ) -> nix::Result<libc::c_int> {
        // SAFETY: by this function's contract the kernel does not dereference `arg`.
        nix::errno::Errno::result(unsafe { libc::ioctl(fd, request as _, arg) })
    }
}
