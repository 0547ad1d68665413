//! KVM's SEV interface, split by kernel object as kvm-ioctls splits its ioctls:
//!
//! * `system`: `/dev/kvm` ([`KvmHost`], [`VmTypes`]);
//! * `vm`: the `KVM_MEMORY_ENCRYPT_OP` command layer on a VM fd (one method per `KVM_SEV_*`
//!   command, crate-private);
//! * `memory`: host mappings, memslots, guest_memfd, memory attributes, encrypted regions;
//! * `vcpu`: vCPU fds (register setup from a save area, [`pre_fault_memory`]);
//! * `sev_vm`: [`SevVm`], the owned VM implementing the memory and launch seams.

mod memory;
mod sev_vm;
mod system;
mod vcpu;
mod vm;

pub use sev_vm::SevVm;
pub use system::{KvmHost, VmTypes};
pub use vcpu::pre_fault_memory;
