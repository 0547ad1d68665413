//! Guest memory layout: the regions a launch maps as memslots.

use sev_sys::seam::{MemorySlot, VmMemory};

use super::PAGE_SIZE;
use crate::error::{DeviceResultExt, HostError};

/// Four GiB: the firmware image ends here.
pub(crate) const FOUR_GIB: u64 = 1 << 32;

/// The guest-physical regions of a VM, one memslot each (page aligned, not overlapping).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GuestMemoryLayout {
    regions: Vec<(u64, u64)>,
}

impl GuestMemoryLayout {
    /// No regions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Low RAM `[0, ram_size)` and a firmware region of `firmware_len` bytes ending at 4 GiB,
    /// as QEMU maps a guest with at most 3 GiB below 4 GiB.
    pub fn low_ram_and_firmware(ram_size: u64, firmware_len: u64) -> Result<Self, HostError> {
        let fw_gpa = FOUR_GIB
            .checked_sub(firmware_len)
            .ok_or_else(|| HostError::invalid("firmware size", "at most 4 GiB", format!("{firmware_len:#x}")))?;
        let mut layout = Self::new();
        layout.push(0, ram_size)?;
        layout.push(fw_gpa, firmware_len)?;
        Ok(layout)
    }

    /// Adds `[gpa, gpa + size)`.
    pub fn push(&mut self, gpa: u64, size: u64) -> Result<&mut Self, HostError> {
        self.check_free("memory region", gpa, size)?;
        self.regions.push((gpa, size));
        Ok(self)
    }

    /// Checks that `[gpa, gpa + size)` is a valid range overlapping no region.
    fn check_free(&self, what: &'static str, gpa: u64, size: u64) -> Result<(), HostError> {
        check_range(what, gpa, size)?;
        let end = gpa + size;
        if let Some(&(g, s)) = self.regions.iter().find(|&&(g, s)| gpa < g + s && g < end) {
            return Err(HostError::invalid(
                what,
                "no overlap with another region",
                format!("[{gpa:#x}, {end:#x}) overlaps [{g:#x}, {:#x})", g + s),
            ));
        }
        Ok(())
    }

    /// Maps `[gpa, gpa + size)` on `dev` as the next memslot (its id is its index here), backed
    /// by a new guest_memfd of `size` bytes when `private`, and records it.
    pub(crate) fn map(
        &mut self,
        dev: &mut impl VmMemory,
        what: &'static str,
        gpa: u64,
        size: u64,
        private: bool,
    ) -> Result<(), HostError> {
        self.check_free(what, gpa, size)?;
        let slot = u32::try_from(self.regions.len())
            .map_err(|_| HostError::invalid(what, "fewer than 2^32 memslots", self.regions.len().to_string()))?;
        let guest_memfd = match private {
            true => Some((dev.create_guest_memfd(size, 0).step("KVM_CREATE_GUEST_MEMFD")?, 0)),
            false => None,
        };
        let slot = MemorySlot {
            slot,
            gpa,
            size,
            guest_memfd,
        };
        dev.add_memory_slot(&slot).step("KVM_SET_USER_MEMORY_REGION2")?;
        self.regions.push((gpa, size));
        Ok(())
    }

    /// The regions as `(gpa, size)`.
    pub fn regions(&self) -> &[(u64, u64)] {
        &self.regions
    }

    /// Whether `[gpa, gpa + len)` lies inside one region.
    pub fn contains(&self, gpa: u64, len: u64) -> bool {
        gpa.checked_add(len)
            .is_some_and(|end| self.regions.iter().any(|&(g, s)| gpa >= g && end <= g + s))
    }
}

/// Checks that `[gpa, gpa + size)` is a non-empty, page-aligned range that does not wrap.
pub(crate) fn check_range(what: &'static str, gpa: u64, size: u64) -> Result<(), HostError> {
    if size == 0 || !gpa.is_multiple_of(PAGE_SIZE) || !size.is_multiple_of(PAGE_SIZE) || gpa.checked_add(size).is_none()
    {
        return Err(HostError::invalid(
            what,
            "a non-empty, page-aligned range",
            format!("gpa {gpa:#x}, size {size:#x}"),
        ));
    }
    Ok(())
}
