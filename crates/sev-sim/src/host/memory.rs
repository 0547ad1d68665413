//! [`SimMemory`]: a VM's guest memory as KVM keeps it — memslots, guest_memfds and the
//! private attribute — checked the way KVM checks it.

use std::collections::BTreeMap;

use sev_sys::Error;
use sev_sys::seam::{GuestMemfdId, MemoryAttributes, MemorySlot};

use crate::errno::{EEXIST, EFAULT, EINVAL};

/// Guest page size.
pub const PAGE_SIZE: u64 = 4096;

/// The guest memory of one simulated VM.
///
/// Shared memory is stored sparsely (pages never written read as zero), so a slot of several
/// GiB costs only what the launch writes.
#[derive(Debug, Default, Clone)]
pub struct SimMemory {
    slots: Vec<MemorySlot>,
    memfds: Vec<u64>,
    shared: BTreeMap<u64, Box<[u8; PAGE_SIZE as usize]>>,
    /// Private ranges as `start gfn -> end gfn` (exclusive), never overlapping or touching.
    private: BTreeMap<u64, u64>,
}

fn einval(op: &'static str) -> Error {
    sev_sys::IoctlError::new(op, EINVAL).into()
}

fn page_aligned(v: u64) -> bool {
    v.is_multiple_of(PAGE_SIZE)
}

impl SimMemory {
    /// An empty address space.
    pub fn new() -> Self {
        Self::default()
    }

    /// `KVM_CREATE_GUEST_MEMFD`: `size` must be a non-zero page multiple; flags other than
    /// `GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED` are refused.
    pub fn create_guest_memfd(&mut self, size: u64, flags: u64) -> Result<GuestMemfdId, Error> {
        const OP: &str = "KVM_CREATE_GUEST_MEMFD";
        if size == 0 || !page_aligned(size) {
            return Err(einval(OP));
        }
        if flags & !0b11 != 0 {
            return Err(einval(OP));
        }
        let id = u32::try_from(self.memfds.len()).map_err(|_| einval(OP))?;
        self.memfds.push(size);
        Ok(GuestMemfdId(id))
    }

    /// `KVM_SET_USER_MEMORY_REGION2` adding a slot: aligned, non-empty, inside its guest_memfd,
    /// and overlapping no other slot (EEXIST, as KVM answers).
    pub fn add_memory_slot(&mut self, slot: &MemorySlot) -> Result<(), Error> {
        const OP: &str = "KVM_SET_USER_MEMORY_REGION2";
        if slot.size == 0 || !page_aligned(slot.size) || !page_aligned(slot.gpa) {
            return Err(einval(OP));
        }
        let end = slot.gpa.checked_add(slot.size).ok_or_else(|| einval(OP))?;
        if let Some((id, offset)) = slot.guest_memfd {
            let size = *self.memfds.get(id.0 as usize).ok_or_else(|| einval(OP))?;
            if !page_aligned(offset) || offset.checked_add(slot.size).is_none_or(|e| e > size) {
                return Err(einval(OP));
            }
        }
        for s in &self.slots {
            if s.slot == slot.slot || (slot.gpa < s.gpa + s.size && s.gpa < end) {
                return Err(sev_sys::IoctlError::new(OP, EEXIST).into());
            }
        }
        self.slots.push(*slot);
        Ok(())
    }

    /// The slot holding all of `[gpa, gpa + len)`.
    pub fn slot_of(&self, gpa: u64, len: u64) -> Option<&MemorySlot> {
        let end = gpa.checked_add(len)?;
        self.slots.iter().find(|s| gpa >= s.gpa && end <= s.gpa + s.size)
    }

    /// `KVM_SET_MEMORY_ATTRIBUTES`: aligned, non-empty, and only [`MemoryAttributes::PRIVATE`].
    pub fn set_memory_attributes(&mut self, gpa: u64, size: u64, attributes: MemoryAttributes) -> Result<(), Error> {
        const OP: &str = "KVM_SET_MEMORY_ATTRIBUTES";
        if size == 0 || !page_aligned(size) || !page_aligned(gpa) || gpa.checked_add(size).is_none() {
            return Err(einval(OP));
        }
        let (start, end) = (gpa / PAGE_SIZE, (gpa + size) / PAGE_SIZE);
        self.clear_private(start, end);
        if attributes.contains(MemoryAttributes::PRIVATE) {
            self.insert_private(start, end);
        }
        Ok(())
    }

    fn clear_private(&mut self, start: u64, end: u64) {
        let overlapping: Vec<(u64, u64)> = self
            .private
            .range(..end)
            .filter(|&(_, &e)| e > start)
            .map(|(&s, &e)| (s, e))
            .collect();
        for (s, e) in overlapping {
            self.private.remove(&s);
            if s < start {
                self.private.insert(s, start);
            }
            if e > end {
                self.private.insert(end, e);
            }
        }
    }

    fn insert_private(&mut self, mut start: u64, mut end: u64) {
        if let Some((&s, &e)) = self.private.range(..=start).next_back() {
            if e >= start {
                start = s;
                end = end.max(e);
                self.private.remove(&s);
            }
        }
        if let Some(&e) = self.private.get(&end) {
            self.private.remove(&end);
            end = e;
        }
        self.private.insert(start, end);
    }

    /// Whether every page of `[gfn, gfn + pages)` is private and backed by a guest_memfd slot.
    pub fn is_private(&self, gfn: u64, pages: u64) -> bool {
        let Some(end) = gfn.checked_add(pages) else {
            return false;
        };
        let covered = self.private.range(..=gfn).next_back().is_some_and(|(_, &e)| e >= end);
        covered
            && gfn
                .checked_mul(PAGE_SIZE)
                .and_then(|gpa| self.slot_of(gpa, pages * PAGE_SIZE))
                .is_some_and(|s| s.guest_memfd.is_some())
    }

    /// Writes shared memory (EFAULT outside every slot).
    pub fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), Error> {
        if self.slot_of(gpa, data.len() as u64).is_none() {
            return Err(sev_sys::IoctlError::new("write guest memory", EFAULT).into());
        }
        let mut off = 0usize;
        while off < data.len() {
            let addr = gpa + off as u64;
            let (page, in_page) = (addr / PAGE_SIZE, (addr % PAGE_SIZE) as usize);
            let n = (PAGE_SIZE as usize - in_page).min(data.len() - off);
            let p = self
                .shared
                .entry(page)
                .or_insert_with(|| Box::new([0; PAGE_SIZE as usize]));
            p[in_page..in_page + n].copy_from_slice(&data[off..off + n]);
            off += n;
        }
        Ok(())
    }

    /// Reads shared memory (EFAULT outside every slot).
    pub fn read(&self, gpa: u64, out: &mut [u8]) -> Result<(), Error> {
        if self.slot_of(gpa, out.len() as u64).is_none() {
            return Err(sev_sys::IoctlError::new("read guest memory", EFAULT).into());
        }
        let mut off = 0usize;
        while off < out.len() {
            let addr = gpa + off as u64;
            let (page, in_page) = (addr / PAGE_SIZE, (addr % PAGE_SIZE) as usize);
            let n = (PAGE_SIZE as usize - in_page).min(out.len() - off);
            match self.shared.get(&page) {
                Some(p) => out[off..off + n].copy_from_slice(&p[in_page..in_page + n]),
                None => out[off..off + n].fill(0),
            }
            off += n;
        }
        Ok(())
    }
}

/// Implements [`sev_sys::seam::VmMemory`] for a simulated VM by delegating to its
/// `memory: SimMemory` field.
macro_rules! delegate_vm_memory {
    ($vm:ty) => {
        impl sev_sys::seam::VmMemory for $vm {
            fn create_guest_memfd(
                &mut self,
                size: u64,
                flags: u64,
            ) -> Result<sev_sys::seam::GuestMemfdId, sev_sys::Error> {
                self.memory.create_guest_memfd(size, flags)
            }
            fn add_memory_slot(&mut self, slot: &sev_sys::seam::MemorySlot) -> Result<(), sev_sys::Error> {
                self.memory.add_memory_slot(slot)
            }
            fn set_memory_attributes(
                &mut self,
                gpa: u64,
                size: u64,
                attributes: sev_sys::seam::MemoryAttributes,
            ) -> Result<(), sev_sys::Error> {
                self.memory.set_memory_attributes(gpa, size, attributes)
            }
            fn write_memory(&mut self, gpa: u64, data: &[u8]) -> Result<(), sev_sys::Error> {
                self.memory.write(gpa, data)
            }
            fn read_memory(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), sev_sys::Error> {
                self.memory.read(gpa, out)
            }
        }
    };
}
pub(crate) use delegate_vm_memory;

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(gpa: u64, size: u64, memfd: Option<GuestMemfdId>) -> MemorySlot {
        MemorySlot {
            slot: (gpa >> 20) as u32,
            gpa,
            size,
            guest_memfd: memfd.map(|m| (m, 0)),
        }
    }

    #[test]
    fn private_ranges_merge_split_and_need_a_guest_memfd_slot() {
        let mut m = SimMemory::new();
        let fd = m.create_guest_memfd(1 << 20, 0).unwrap();
        m.add_memory_slot(&slot(0, 1 << 20, Some(fd))).unwrap();
        m.add_memory_slot(&slot(1 << 20, 1 << 20, None)).unwrap();
        assert!(!m.is_private(0, 1));
        m.set_memory_attributes(0, 0x4000, MemoryAttributes::PRIVATE).unwrap();
        m.set_memory_attributes(0x4000, 0x4000, MemoryAttributes::PRIVATE)
            .unwrap();
        assert!(m.is_private(0, 8));
        assert!(!m.is_private(0, 9));
        m.set_memory_attributes(0x2000, 0x1000, MemoryAttributes::empty())
            .unwrap();
        assert!(m.is_private(0, 2) && !m.is_private(2, 1) && m.is_private(3, 5));
        m.set_memory_attributes(1 << 20, 0x1000, MemoryAttributes::PRIVATE)
            .unwrap();
        assert!(
            !m.is_private(256, 1),
            "a slot without guest_memfd has no private memory"
        );
    }

    #[test]
    fn slots_refuse_overlap_misalignment_and_memfd_overrun() {
        let mut m = SimMemory::new();
        let fd = m.create_guest_memfd(0x2000, 0).unwrap();
        assert_eq!(
            m.add_memory_slot(&slot(0, 0x3000, Some(fd))).unwrap_err().errno(),
            Some(EINVAL)
        );
        assert_eq!(
            m.add_memory_slot(&slot(0x800, 0x1000, None)).unwrap_err().errno(),
            Some(EINVAL)
        );
        m.add_memory_slot(&slot(0, 0x2000, Some(fd))).unwrap();
        let mut other = slot(0x1000, 0x1000, None);
        other.slot = 9;
        assert_eq!(m.add_memory_slot(&other).unwrap_err().errno(), Some(EEXIST));
        assert_eq!(m.create_guest_memfd(100, 0).unwrap_err().errno(), Some(EINVAL));
    }

    #[test]
    fn shared_memory_round_trips_across_pages_and_reads_zero_elsewhere() {
        let mut m = SimMemory::new();
        m.add_memory_slot(&slot(0, 0x10000, None)).unwrap();
        let data: Vec<u8> = (0..6000u32).map(|i| i as u8).collect();
        m.write(0xF00, &data).unwrap();
        let mut back = vec![0xAA; 6000];
        m.read(0xF00, &mut back).unwrap();
        assert_eq!(back, data);
        let mut zero = [0xAA; 16];
        m.read(0x8000, &mut zero).unwrap();
        assert_eq!(zero, [0; 16]);
        assert_eq!(m.write(0xFFFF, &[1, 2]).unwrap_err().errno(), Some(EFAULT));
    }
}
