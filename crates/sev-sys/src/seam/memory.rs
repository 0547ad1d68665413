//! Guest memory of a VM: memslots, guest_memfd and memory attributes.

use crate::error::Error;

/// A guest_memfd created by [`VmMemory::create_guest_memfd`], owned by the VM that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GuestMemfdId(pub u32);

/// One memslot (`KVM_SET_USER_MEMORY_REGION2`).
///
/// The shared (host-visible) memory behind the slot is allocated and owned by the device, so
/// no user-space address crosses the seam; with `guest_memfd`, the slot's private memory is
/// `size` bytes of that guest_memfd from `guest_memfd_offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemorySlot {
    /// Slot id (address space in bits 31:16).
    pub slot: u32,
    /// Guest physical address of the first byte (page aligned).
    pub gpa: u64,
    /// Size in bytes (a page multiple, not 0).
    pub size: u64,
    /// The guest_memfd backing the slot's private memory, and the offset into it.
    pub guest_memfd: Option<(GuestMemfdId, u64)>,
}

bitflags::bitflags! {
    /// `KVM_MEMORY_ATTRIBUTE_*` bits for `KVM_SET_MEMORY_ATTRIBUTES`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct MemoryAttributes: u64 {
        /// `KVM_MEMORY_ATTRIBUTE_PRIVATE`: the range is backed by guest_memfd.
        const PRIVATE = 1 << 3;
    }
}

/// The memory operations of one VM.
///
/// Writes and reads go to the slot's shared memory, as a VMM writes into guest RAM before the
/// launch encrypts or copies it.
pub trait VmMemory {
    /// `KVM_CREATE_GUEST_MEMFD` of `size` bytes with `GUEST_MEMFD_FLAG_*` `flags`.
    fn create_guest_memfd(&mut self, size: u64, flags: u64) -> Result<GuestMemfdId, Error>;
    /// Adds a memslot whose shared memory the device allocates (zero-filled) and keeps.
    fn add_memory_slot(&mut self, slot: &MemorySlot) -> Result<(), Error>;
    /// `KVM_SET_MEMORY_ATTRIBUTES` on `[gpa, gpa + size)`: sets `attributes`, clears the rest.
    fn set_memory_attributes(&mut self, gpa: u64, size: u64, attributes: MemoryAttributes) -> Result<(), Error>;
    /// Copies `data` into shared guest memory at `gpa` (the range must lie in one slot).
    fn write_memory(&mut self, gpa: u64, data: &[u8]) -> Result<(), Error>;
    /// Copies shared guest memory at `gpa` into `out` (the range must lie in one slot).
    fn read_memory(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), Error>;
}
