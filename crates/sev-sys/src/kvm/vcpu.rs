//! A vCPU fd (kvm-ioctls' `vcpu` object): the SEV-related vCPU ioctls.

use std::os::fd::{AsRawFd, BorrowedFd};

use kvm_ioctls::VcpuFd;
use sev_types::launch::vmsa::{SaveArea, VmcbSegment};

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

/// A KVM segment from a VMCB segment (`attrib` is the VMCB's packed form: type 3:0, S 4,
/// DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11).
fn segment(s: &VmcbSegment) -> kvm_bindings::kvm_segment {
    let a = s.attrib.get();
    let bit = |n: u16| ((a >> n) & 1) as u8;
    kvm_bindings::kvm_segment {
        base: s.base.get(),
        limit: s.limit.get(),
        selector: s.selector.get(),
        type_: (a & 0xF) as u8,
        s: bit(4),
        dpl: ((a >> 5) & 3) as u8,
        present: bit(7),
        avl: bit(8),
        l: bit(9),
        db: bit(10),
        g: bit(11),
        unusable: u8::from(bit(7) == 0),
        padding: 0,
    }
}

/// A descriptor table register (GDTR / IDTR) from a VMCB segment.
fn dtable(s: &VmcbSegment) -> kvm_bindings::kvm_dtable {
    kvm_bindings::kvm_dtable {
        base: s.base.get(),
        // GDTR/IDTR limits are 16 bits; the VMCB keeps them in a 32-bit field.
        limit: s.limit.get() as u16,
        padding: [0; 3],
    }
}

/// Sets a new vCPU's registers from a save area: segments, descriptor tables, CR0/CR3/CR4,
/// EFER, RIP, RFLAGS, RSP and the general-purpose registers the save area holds.
pub(crate) fn set_registers(vcpu: &VcpuFd, state: &SaveArea) -> Result<(), Error> {
    let mut sregs = vcpu
        .get_sregs()
        .map_err(|e| IoctlError::new("KVM_GET_SREGS", e.errno()))?;
    sregs.es = segment(&state.es);
    sregs.cs = segment(&state.cs);
    sregs.ss = segment(&state.ss);
    sregs.ds = segment(&state.ds);
    sregs.fs = segment(&state.fs);
    sregs.gs = segment(&state.gs);
    sregs.ldt = segment(&state.ldtr);
    sregs.tr = segment(&state.tr);
    sregs.gdt = dtable(&state.gdtr);
    sregs.idt = dtable(&state.idtr);
    sregs.cr0 = state.cr0.get();
    sregs.cr3 = state.cr3.get();
    sregs.cr4 = state.cr4.get();
    sregs.efer = state.efer.get();
    vcpu.set_sregs(&sregs)
        .map_err(|e| IoctlError::new("KVM_SET_SREGS", e.errno()))?;
    let regs = kvm_bindings::kvm_regs {
        rax: state.rax.get(),
        rbx: state.rbx.get(),
        rcx: state.rcx.get(),
        rdx: state.rdx.get(),
        rsi: state.rsi.get(),
        rdi: state.rdi.get(),
        rsp: state.rsp.get(),
        rbp: state.rbp.get(),
        r8: state.r8.get(),
        r9: state.r9.get(),
        r10: state.r10.get(),
        r11: state.r11.get(),
        r12: state.r12.get(),
        r13: state.r13.get(),
        r14: state.r14.get(),
        r15: state.r15.get(),
        rip: state.rip.get(),
        rflags: state.rflags.get(),
    };
    vcpu.set_regs(&regs)
        .map_err(|e| IoctlError::new("KVM_SET_REGS", e.errno()).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sev_types::{U16, U32, U64};

    /// The reset CS of an x86 CPU (APM vol. 2, table 14-1): selector F000, base FFFF0000,
    /// limit FFFF, attributes 0x9B (present, DPL 0, code, readable, accessed).
    #[test]
    fn reset_code_segment_converts_field_by_field() {
        let cs = VmcbSegment {
            selector: U16::new(0xF000),
            attrib: U16::new(0x009B),
            limit: U32::new(0xFFFF),
            base: U64::new(0xFFFF_0000),
        };
        let k = segment(&cs);
        assert_eq!((k.selector, k.base, k.limit), (0xF000, 0xFFFF_0000, 0xFFFF));
        assert_eq!((k.type_, k.s, k.dpl, k.present), (0xB, 1, 0, 1));
        assert_eq!((k.avl, k.l, k.db, k.g, k.unusable), (0, 0, 0, 0, 0));
        let long = VmcbSegment {
            attrib: U16::new(0x0A9B),
            ..cs
        };
        let k = segment(&long);
        assert_eq!((k.l, k.db, k.g), (1, 0, 1));
        let absent = VmcbSegment {
            attrib: U16::new(0x0002), // P (bit 7) clear
            ..cs
        };
        assert_eq!(segment(&absent).unusable, 1);
    }
}
