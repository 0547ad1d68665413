//! Guest memory plumbing on a VM fd: encrypted regions, memslots, guest_memfd and memory
//! attributes.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::SevVm;
use crate::error::{Error, IoctlError};
use crate::ioctls::raw;
use crate::uapi::*;

impl SevVm<'_> {
    /// `KVM_MEMORY_ENCRYPT_REG_REGION`: pins a host range for an SEV / SEV-ES guest.
    pub fn register_enc_memory_region(&self, region: &KvmEncRegion) -> Result<(), Error> {
        let mut r = *region;
        // SAFETY: the kernel reads `r` only; it pins the described pages by reference count and
        // never writes through the range on our behalf.
        unsafe { raw::kvm_memory_encrypt_reg_region(self.vm.as_raw_fd(), &mut r) }
            .map(drop)
            .map_err(|e| enc_region_error("KVM_MEMORY_ENCRYPT_REG_REGION", e))
    }

    /// `KVM_MEMORY_ENCRYPT_UNREG_REGION`: unpins a range registered before.
    pub fn unregister_enc_memory_region(&self, region: &KvmEncRegion) -> Result<(), Error> {
        let mut r = *region;
        // SAFETY: the kernel reads `r` only.
        unsafe { raw::kvm_memory_encrypt_unreg_region(self.vm.as_raw_fd(), &mut r) }
            .map(drop)
            .map_err(|e| enc_region_error("KVM_MEMORY_ENCRYPT_UNREG_REGION", e))
    }

    /// `KVM_SET_MEMORY_ATTRIBUTES`: marks a GPA range private
    /// ([`KVM_MEMORY_ATTRIBUTE_PRIVATE`]) or shared (0).
    pub fn set_memory_attributes(&self, address: u64, size: u64, attributes: u64) -> Result<(), Error> {
        let a = KvmMemoryAttributes {
            address,
            size,
            attributes,
            flags: 0,
        };
        // SAFETY: the kernel reads `a` (32 bytes, live on this frame) and no user memory.
        unsafe { raw::kvm_set_memory_attributes(self.vm.as_raw_fd(), &a) }
            .map(drop)
            .map_err(|e| IoctlError::new("KVM_SET_MEMORY_ATTRIBUTES", e as i32).into())
    }

    /// `KVM_CREATE_GUEST_MEMFD`: a new guest_memfd of `size` bytes with `GUEST_MEMFD_FLAG_*`.
    pub fn create_guest_memfd(&self, size: u64, flags: u64) -> Result<OwnedFd, Error> {
        let mut g = KvmCreateGuestMemfd {
            size,
            flags,
            reserved: [0; 6],
        };
        // SAFETY: the kernel reads `g` (64 bytes, live on this frame) and returns a new fd.
        let fd = unsafe { raw::kvm_create_guest_memfd(self.vm.as_raw_fd(), &mut g) }
            .map_err(|e| IoctlError::new("KVM_CREATE_GUEST_MEMFD", e as i32))?;
        // SAFETY: on success the ioctl returns a fresh fd that nothing else owns.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// `KVM_SET_USER_MEMORY_REGION2`: adds, changes or deletes a memslot (with guest_memfd).
    ///
    /// # Safety
    /// `userspace_addr .. userspace_addr + memory_size` must be memory mapped in this process
    /// and stay mapped (and not be reused for anything else) until the slot is deleted or the VM
    /// is destroyed, because the guest reads and writes it at any time. `guest_memfd`, if
    /// flagged, must be a guest_memfd of this VM.
    pub unsafe fn set_user_memory_region2(&self, region: &KvmUserspaceMemoryRegion2) -> Result<(), Error> {
        // SAFETY: the kernel reads `region` (160 bytes); the caller guarantees the lifetime of
        // the memory it describes.
        unsafe { raw::kvm_set_user_memory_region2(self.vm.as_raw_fd(), region) }
            .map(drop)
            .map_err(|e| IoctlError::new("KVM_SET_USER_MEMORY_REGION2", e as i32).into())
    }

    /// `KVM_ENABLE_CAP` on the VM, e.g. `KVM_CAP_EXIT_HYPERCALL` with `1 << 12`.
    pub fn enable_cap(&self, cap: &KvmEnableCap) -> Result<(), Error> {
        // SAFETY: the kernel reads `cap` (104 bytes); the capabilities' arguments are values,
        // not pointers.
        unsafe { raw::kvm_enable_cap(self.vm.as_raw_fd(), cap) }
            .map(drop)
            .map_err(|e| IoctlError::new("KVM_ENABLE_CAP", e as i32).into())
    }

    /// `KVM_CHECK_EXTENSION` on the VM fd.
    pub fn check_extension(&self, cap: u32) -> Result<i32, Error> {
        super::system::check_extension(self.vm, cap)
    }
}

fn enc_region_error(op: &'static str, e: nix::errno::Errno) -> Error {
    if e == nix::errno::Errno::ENOTTY {
        Error::SevUnsupported { op }
    } else {
        IoctlError::new(op, e as i32).into()
    }
}
