//! `/dev/kvm` itself (kvm-ioctls' `system` object): VM types, capabilities and the SEV
//! device-attribute group.

use std::os::fd::{AsRawFd, BorrowedFd};

use kvm_ioctls::{Kvm, VmFd};

use crate::error::{Error, IoctlError};
use crate::ioctls::{self, raw};
use crate::uapi::*;

/// A bitmask of VM types from `KVM_CHECK_EXTENSION(KVM_CAP_VM_TYPES)`: bit N = type N.
///
/// ```
/// use sev_sys::VmTypes;
/// use sev_sys::uapi::{KVM_X86_DEFAULT_VM, KVM_X86_SNP_VM};
/// let t = VmTypes(0b1_0001);
/// assert!(t.contains(KVM_X86_DEFAULT_VM) && t.contains(KVM_X86_SNP_VM));
/// assert!(!t.contains(2) && !t.contains(64));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VmTypes(pub u64);

impl VmTypes {
    /// Whether VM type `ty` (`KVM_X86_*_VM`) is supported.
    pub const fn contains(self, ty: u32) -> bool {
        ty < 64 && self.0 & (1 << ty) != 0
    }
}

/// `/dev/kvm` queries that kvm-ioctls does not cover: VM types and the SEV device-attribute
/// group on the system fd.
///
/// ```
/// use sev_sys::kvm_ioctls::Kvm;
/// use sev_sys::uapi::{KVM_X86_DEFAULT_VM, KVM_X86_SNP_VM};
/// use sev_sys::KvmHost;
///
/// if std::path::Path::new("/dev/kvm").exists() {
///     let kvm = Kvm::new()?;
///     let host = KvmHost::new(&kvm);
///     let types = host.supported_vm_types()?;
///     assert!(types.contains(KVM_X86_DEFAULT_VM));
///     if types.contains(KVM_X86_SNP_VM) {
///         println!("SNP VMSA features: {:#x}", host.sev_vmsa_features()?);
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct KvmHost<'a> {
    fd: BorrowedFd<'a>,
}

impl<'a> KvmHost<'a> {
    /// Borrows an open `/dev/kvm`.
    pub fn new(kvm: &'a Kvm) -> Self {
        // SAFETY: `kvm` is borrowed for `'a`, so its fd stays open for the borrow's lifetime.
        let fd = unsafe { BorrowedFd::borrow_raw(kvm.as_raw_fd()) };
        Self { fd }
    }

    /// Borrows any fd that refers to `/dev/kvm`.
    pub fn from_fd(fd: BorrowedFd<'a>) -> Self {
        Self { fd }
    }

    /// `KVM_CHECK_EXTENSION` on `/dev/kvm`: the raw answer (0 = unsupported).
    pub fn check_extension(&self, cap: u32) -> Result<i32, Error> {
        check_extension(self.fd, cap)
    }

    /// `KVM_CHECK_EXTENSION(KVM_CAP_VM_TYPES)`: the supported `KVM_CREATE_VM` types. Kernels
    /// before 6.8 do not know the capability (answer 0); they support only the default type.
    pub fn supported_vm_types(&self) -> Result<VmTypes, Error> {
        let mask = self.check_extension(KVM_CAP_VM_TYPES)?;
        Ok(if mask == 0 {
            VmTypes(1 << KVM_X86_DEFAULT_VM)
        } else {
            VmTypes(mask as u32 as u64)
        })
    }

    /// `KVM_HAS_DEVICE_ATTR` on `/dev/kvm`: `Ok(false)` when the kernel answers `ENXIO`.
    pub fn has_device_attr(&self, group: u32, attr: u64) -> Result<bool, Error> {
        let a = KvmDeviceAttr {
            flags: 0,
            group,
            attr,
            addr: 0,
        };
        // SAFETY: the kernel only reads `a` (24 bytes, live on this frame); `addr` is unused
        // by KVM_HAS_DEVICE_ATTR.
        match unsafe { raw::kvm_has_device_attr(self.fd.as_raw_fd(), &a) } {
            Ok(_) => Ok(true),
            Err(nix::errno::Errno::ENXIO) => Ok(false),
            Err(e) => Err(IoctlError::new("KVM_HAS_DEVICE_ATTR", e as i32).into()),
        }
    }

    /// `KVM_GET_DEVICE_ATTR` on `/dev/kvm`: a u64 attribute value (`ENXIO` if absent).
    pub fn get_device_attr(&self, group: u32, attr: u64) -> Result<u64, Error> {
        let mut value = 0u64;
        let a = KvmDeviceAttr {
            flags: 0,
            group,
            attr,
            addr: &raw mut value as u64,
        };
        // SAFETY: the kernel reads `a` and writes one u64 through `a.addr`, which points at
        // `value` on this frame; every attribute in the x86 system groups is a u64.
        unsafe { raw::kvm_get_device_attr(self.fd.as_raw_fd(), &a) }
            .map_err(|e| IoctlError::new("KVM_GET_DEVICE_ATTR", e as i32))?;
        Ok(value)
    }

    /// `KVM_X86_SEV_VMSA_FEATURES` (group `KVM_X86_GRP_SEV`): VMSA features accepted by
    /// `KVM_SEV_INIT2` (6.10+).
    pub fn sev_vmsa_features(&self) -> Result<u64, Error> {
        self.get_device_attr(KVM_X86_GRP_SEV, KVM_X86_SEV_VMSA_FEATURES)
    }

    /// `KVM_X86_SNP_POLICY_BITS`: SNP policy bits KVM accepts.
    pub fn snp_policy_bits(&self) -> Result<u64, Error> {
        self.get_device_attr(KVM_X86_GRP_SEV, KVM_X86_SNP_POLICY_BITS)
    }

    /// `KVM_X86_SEV_SNP_REQ_CERTS`: whether `KVM_SEV_SNP_ENABLE_REQ_CERTS` exists (7.0+);
    /// `false` when the attribute is unknown.
    pub fn snp_req_certs_supported(&self) -> Result<bool, Error> {
        if !self.has_device_attr(KVM_X86_GRP_SEV, KVM_X86_SEV_SNP_REQ_CERTS)? {
            return Ok(false);
        }
        Ok(self.get_device_attr(KVM_X86_GRP_SEV, KVM_X86_SEV_SNP_REQ_CERTS)? != 0)
    }

    /// `KVM_CREATE_VM` with a VM type (`KVM_X86_*_VM`), through kvm-ioctls.
    pub fn create_vm(kvm: &Kvm, vm_type: u32) -> Result<VmFd, Error> {
        kvm.create_vm_with_type(u64::from(vm_type))
            .map_err(|e| IoctlError::new("KVM_CREATE_VM", e.errno()).into())
    }
}

pub(crate) fn check_extension(fd: BorrowedFd<'_>, cap: u32) -> Result<i32, Error> {
    // SAFETY: KVM_CHECK_EXTENSION takes its argument by value; no memory is passed.
    unsafe { raw::ioctl_with_val(fd.as_raw_fd(), ioctls::KVM_CHECK_EXTENSION, libc::c_ulong::from(cap)) }
        .map_err(|e| IoctlError::new("KVM_CHECK_EXTENSION", e as i32).into())
}
