//! Guest memory plumbing on a VM fd: encrypted regions, memslots, guest_memfd and memory
//! attributes.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use super::vm::VmCommands;
use crate::error::{Error, IoctlError};
use crate::ioctls::raw;
use crate::seam::MemorySlot;
use crate::uapi::*;

impl VmCommands<'_> {
    /// `KVM_MEMORY_ENCRYPT_REG_REGION`: pins a host range for an SEV / SEV-ES guest.
    pub(crate) fn register_enc_memory_region(&self, region: &KvmEncRegion) -> Result<(), Error> {
        let mut r = *region;
        // SAFETY: the kernel reads `r` only; it pins the described pages by reference count and
        // never writes through the range on our behalf.
        unsafe { raw::kvm_memory_encrypt_reg_region(self.vm.as_raw_fd(), &mut r) }
            .map(drop)
            .map_err(|e| enc_region_error("KVM_MEMORY_ENCRYPT_REG_REGION", e))
    }

    /// `KVM_MEMORY_ENCRYPT_UNREG_REGION`: unpins a range registered before.
    pub(crate) fn unregister_enc_memory_region(&self, region: &KvmEncRegion) -> Result<(), Error> {
        let mut r = *region;
        // SAFETY: the kernel reads `r` only.
        unsafe { raw::kvm_memory_encrypt_unreg_region(self.vm.as_raw_fd(), &mut r) }
            .map(drop)
            .map_err(|e| enc_region_error("KVM_MEMORY_ENCRYPT_UNREG_REGION", e))
    }

    /// `KVM_SET_MEMORY_ATTRIBUTES`: marks a GPA range private
    /// ([`KVM_MEMORY_ATTRIBUTE_PRIVATE`]) or shared (0).
    pub(crate) fn set_memory_attributes(&self, address: u64, size: u64, attributes: u64) -> Result<(), Error> {
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
    pub(crate) fn create_guest_memfd(&self, size: u64, flags: u64) -> Result<OwnedFd, Error> {
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
    pub(crate) unsafe fn set_user_memory_region2(&self, region: &KvmUserspaceMemoryRegion2) -> Result<(), Error> {
        // SAFETY: the kernel reads `region` (160 bytes); the caller guarantees the lifetime of
        // the memory it describes.
        unsafe { raw::kvm_set_user_memory_region2(self.vm.as_raw_fd(), region) }
            .map(drop)
            .map_err(|e| IoctlError::new("KVM_SET_USER_MEMORY_REGION2", e as i32).into())
    }

    /// `KVM_ENABLE_CAP` on the VM, e.g. `KVM_CAP_EXIT_HYPERCALL` with `1 << 12`.
    pub(crate) fn enable_cap(&self, cap: &KvmEnableCap) -> Result<(), Error> {
        // SAFETY: the kernel reads `cap` (104 bytes); the capabilities' arguments are values,
        // not pointers.
        unsafe { raw::kvm_enable_cap(self.vm.as_raw_fd(), cap) }
            .map(drop)
            .map_err(|e| IoctlError::new("KVM_ENABLE_CAP", e as i32).into())
    }

    /// `KVM_CHECK_EXTENSION` on the VM fd.
    pub(crate) fn check_extension(&self, cap: u32) -> Result<i32, Error> {
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

/// Anonymous, page-aligned, zero-filled host memory, unmapped on drop.
#[derive(Debug)]
pub(crate) struct HostMapping {
    ptr: std::ptr::NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; nothing in it is tied to a thread.
unsafe impl Send for HostMapping {}

impl HostMapping {
    /// Maps `len` bytes (a non-zero page multiple) of private anonymous memory.
    pub(crate) fn new(op: &'static str, len: u64) -> Result<Self, Error> {
        let len = usize::try_from(len).map_err(|_| Error::InvalidArgument {
            op,
            reason: format!("{len:#x} bytes do not fit this address space"),
        })?;
        if len == 0 || !(len as u64).is_multiple_of(super::vm::PAGE_SIZE) {
            return Err(Error::InvalidArgument {
                op,
                reason: format!("size must be a non-zero multiple of 4096, got {len:#x}"),
            });
        }
        // SAFETY: an anonymous private mapping at an address of the kernel's choice touches no
        // existing memory; the result is checked for MAP_FAILED below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::ENOMEM);
            return Err(IoctlError::new("mmap", errno).into());
        }
        let ptr = std::ptr::NonNull::new(p.cast::<u8>()).ok_or(Error::MalformedResponse {
            op: "mmap",
            reason: "the kernel returned a null mapping".into(),
        })?;
        Ok(Self { ptr, len })
    }

    /// The user address of the first byte.
    pub(crate) fn addr(&self) -> u64 {
        self.ptr.as_ptr() as u64
    }

    /// Bytes mapped.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// `len` bytes from `offset`, or `None` when the range leaves the mapping.
    pub(crate) fn range_mut(&mut self, offset: u64, len: usize) -> Option<&mut [u8]> {
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(len)?;
        if end > self.len {
            return None;
        }
        // SAFETY: `start..end` lies inside the mapping, which lives as long as `self`; the
        // exclusive borrow of `self` keeps any other Rust reference to it away.
        Some(unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr().add(start), len) })
    }
}

impl Drop for HostMapping {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` are exactly the mapping made in `new`, unmapped only here.
        unsafe { libc::munmap(self.ptr.as_ptr().cast(), self.len) };
    }
}

/// One memslot and the shared host memory behind it.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) slot: MemorySlot,
    pub(crate) memory: HostMapping,
}

/// Finds the slot holding `[gpa, gpa + len)` and returns the host bytes of that range.
pub(crate) fn guest_range<'m>(
    slots: &'m mut [Slot],
    op: &'static str,
    gpa: u64,
    len: usize,
) -> Result<&'m mut [u8], Error> {
    let slot = slots
        .iter_mut()
        .find(|s| gpa >= s.slot.gpa && gpa - s.slot.gpa < s.slot.size)
        .ok_or_else(|| Error::InvalidArgument {
            op,
            reason: format!("GPA {gpa:#x} is in no memory slot"),
        })?;
    let (start, size) = (slot.slot.gpa, slot.slot.size);
    slot.memory
        .range_mut(gpa - start, len)
        .ok_or_else(|| Error::InvalidArgument {
            op,
            reason: format!(
                "{len:#x} bytes at GPA {gpa:#x} run past the slot [{start:#x}, {:#x})",
                start.saturating_add(size)
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(gpa: u64, size: u64) -> Slot {
        Slot {
            slot: MemorySlot {
                slot: 0,
                gpa,
                size,
                guest_memfd: None,
            },
            memory: HostMapping::new("test", size).unwrap(),
        }
    }

    #[test]
    fn mappings_are_whole_zeroed_pages() {
        for bad in [0, 1, 4095, 4097] {
            assert!(
                matches!(HostMapping::new("t", bad), Err(Error::InvalidArgument { op: "t", .. })),
                "{bad}"
            );
        }
        let mut m = HostMapping::new("t", 8192).unwrap();
        assert_eq!(m.addr() % 4096, 0);
        assert!(m.range_mut(0, 8192).unwrap().iter().all(|&b| b == 0));
        assert!(m.range_mut(8191, 1).is_some());
        assert!(m.range_mut(8191, 2).is_none());
        assert!(m.range_mut(u64::MAX, 1).is_none());
        assert!(m.range_mut(1, usize::MAX).is_none());
    }

    #[test]
    fn guest_ranges_stay_inside_one_slot() {
        let mut slots = [slot(0x10_0000, 0x2000), slot(0x20_0000, 0x1000)];
        guest_range(&mut slots, "t", 0x10_1FF0, 0x10).unwrap().fill(7);
        assert_eq!(guest_range(&mut slots, "t", 0x10_1FFF, 1).unwrap(), &[7]);
        assert_eq!(guest_range(&mut slots, "t", 0x20_0000, 0x1000).unwrap().len(), 0x1000);
        for (gpa, len) in [
            (0x10_1FF0, 0x11),      // one byte past the first slot
            (0x0F_FFFF, 1),         // just below it
            (0x10_2000, 1),         // the gap between the slots
            (0x20_0FFF, 2),         // past the second
            (u64::MAX, usize::MAX), // arithmetic at the edges
        ] {
            assert!(
                matches!(
                    guest_range(&mut slots, "t", gpa, len),
                    Err(Error::InvalidArgument { op: "t", .. })
                ),
                "{gpa:#x} + {len:#x}"
            );
        }
    }
}
