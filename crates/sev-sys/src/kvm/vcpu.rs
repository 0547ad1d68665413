//! A vCPU fd (kvm-ioctls' `vcpu` object): the SEV-related vCPU ioctls.

use std::os::fd::{AsRawFd, BorrowedFd};

use crate::error::{Error, IoctlError};
use crate::ioctls::raw;
use crate::uapi::*;

/// `KVM_PRE_FAULT_MEMORY` on a vCPU fd: pre-populates the guest mappings of
/// `gpa .. gpa + size`. Returns the range still to do (the kernel advances `gpa`/`size` as it
/// goes; `(_, 0)` means done). Needs `KVM_CAP_PRE_FAULT_MEMORY`.
pub fn pre_fault_memory(vcpu: BorrowedFd<'_>, gpa: u64, size: u64) -> Result<(u64, u64), Error> {
    let mut p = KvmPreFaultMemory {
        gpa,
        size,
        flags: 0,
        padding: [0; 5],
    };
    // SAFETY: the kernel reads and writes back `p` (64 bytes, live on this frame) only.
    match unsafe { raw::kvm_pre_fault_memory(vcpu.as_raw_fd(), &mut p) } {
        Ok(_) => Ok((p.gpa, p.size)),
        Err(e) => Err(IoctlError::new("KVM_PRE_FAULT_MEMORY", e as i32).into()),
    }
}
