//! KVM's SEV interface, split by kernel object as kvm-ioctls splits its ioctls:
//!
//! * [`system`]: `/dev/kvm` ([`KvmHost`], [`VmTypes`]);
//! * [`vm`]: a VM fd and `KVM_MEMORY_ENCRYPT_OP` ([`SevVm`]);
//! * [`memory`]: memslots, guest_memfd, memory attributes and encrypted regions on a VM fd;
//! * [`vcpu`]: vCPU fds ([`pre_fault_memory`]).

mod memory;
mod system;
mod vcpu;
mod vm;

pub use system::{KvmHost, VmTypes};
pub use vcpu::pre_fault_memory;
pub use vm::SevVm;
