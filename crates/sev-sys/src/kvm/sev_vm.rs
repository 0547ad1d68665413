//! [`SevVm`]: an owned KVM VM with its `/dev/sev` fd, guest_memfds, vCPUs and guest memory,
//! implementing the memory and launch seams.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use kvm_ioctls::{Kvm, VcpuFd, VmFd};
use sev_types::launch::sev::{LaunchSecretHeader, SevGuestState, SevPolicy};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::launch::vmsa::SaveArea;
use zerocopy::IntoBytes;

use super::memory::{HostMapping, Slot, guest_range};
use super::system::KvmHost;
use super::vm::{PAGE_SIZE, VmCommands};
use crate::error::{Error, IoctlError};
use crate::seam::{
    GuestMemfdId, MemoryAttributes, MemorySlot, SevGuestStatus, SevLaunchDevice, SevLaunchStart, SnpLaunchDevice,
    SnpLaunchFinish, SnpUpdateProgress, VmMemory,
};
use crate::sev::SevDevice;
use crate::uapi::{KVM_MEM_GUEST_MEMFD, KvmEnableCap, KvmEncRegion, KvmUserspaceMemoryRegion2};

/// An owned KVM VM for SEV, SEV-ES or SEV-SNP guests: the VM fd, the `/dev/sev` fd KVM needs in
/// `kvm_sev_cmd.sev_fd`, its guest_memfds, its vCPUs and the shared guest memory behind each
/// memslot (anonymous host mappings it allocates).
///
/// Guest memory is named by guest physical address only; no host address leaves this type. It
/// implements [`VmMemory`], [`SevLaunchDevice`] and [`SnpLaunchDevice`], and every seam method
/// is also an inherent method with the same name and arguments.
///
/// On drop, the vCPUs, the VM fd and the guest_memfds are closed before the host memory is
/// unmapped, so KVM never holds a memslot over freed memory.
///
/// ```no_run
/// use sev_sys::kvm_ioctls::Kvm;
/// use sev_sys::seam::{MemoryAttributes, MemorySlot};
/// use sev_sys::uapi::KVM_X86_SNP_VM;
/// use sev_sys::{Error, SevDevice, SevVm};
/// use sev_types::launch::snp::KvmSevInit;
///
/// let kvm = Kvm::new()?;
/// let mut vm = match SevVm::create(&kvm, KVM_X86_SNP_VM, Some(SevDevice::open()?)) {
///     Err(e @ Error::VmTypeUnsupported { .. }) => return Err(e.into()), // no SNP here
///     other => other?,
/// };
/// vm.sev_init2(&KvmSevInit::default())?;
/// let gmem = vm.create_guest_memfd(2 << 20, 0)?;
/// vm.add_memory_slot(&MemorySlot { slot: 0, gpa: 0, size: 2 << 20, guest_memfd: Some((gmem, 0)) })?;
/// vm.write_memory(0x1000, b"firmware bytes")?;
/// vm.set_memory_attributes(0, 2 << 20, MemoryAttributes::PRIVATE)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SevVm {
    // Field order is drop order: everything that keeps the VM alive goes before the memory.
    vcpus: Vec<(u32, VcpuFd)>,
    vm: VmFd,
    guest_memfds: Vec<OwnedFd>,
    sev: Option<SevDevice>,
    slots: Vec<Slot>,
}

impl SevVm {
    /// `KVM_CREATE_VM` of `vm_type` (`KVM_X86_*_VM`) on `kvm`, with the `/dev/sev` device the
    /// SEV commands need (`None` for VMs that never issue one).
    ///
    /// A type missing from `KVM_CAP_VM_TYPES`, or refused with `EINVAL`, is
    /// [`Error::VmTypeUnsupported`].
    pub fn create(kvm: &Kvm, vm_type: u32, sev: Option<SevDevice>) -> Result<Self, Error> {
        let supported = KvmHost::new(kvm).supported_vm_types()?;
        if !supported.contains(vm_type) {
            return Err(Error::VmTypeUnsupported {
                vm_type,
                supported: supported.0,
            });
        }
        let vm = kvm.create_vm_with_type(u64::from(vm_type)).map_err(|e| {
            if e.errno() == libc::EINVAL {
                Error::VmTypeUnsupported {
                    vm_type,
                    supported: supported.0,
                }
            } else {
                IoctlError::new("KVM_CREATE_VM", e.errno()).into()
            }
        })?;
        Ok(Self::from_vm_fd(vm, sev))
    }

    /// Adopts a VM fd from kvm-ioctls (no memslots or vCPUs yet).
    pub fn from_vm_fd(vm: VmFd, sev: Option<SevDevice>) -> Self {
        Self {
            vcpus: Vec::new(),
            vm,
            guest_memfds: Vec::new(),
            sev,
            slots: Vec::new(),
        }
    }

    /// Adopts a raw KVM VM fd, e.g. one inherited from another process.
    ///
    /// # Safety
    /// `fd` must be an open KVM VM file descriptor that nothing else owns or closes: the
    /// returned value takes ownership and closes it on drop. The VM must have no memslots that
    /// point at memory of this process, since this value cannot keep such memory alive.
    pub unsafe fn from_raw_fd(kvm: &Kvm, fd: RawFd, sev: Option<SevDevice>) -> Result<Self, Error> {
        // SAFETY: the caller hands over sole ownership of a KVM VM fd, as kvm-ioctls requires.
        let vm = unsafe { kvm.create_vmfd_from_rawfd(fd) }
            .map_err(|e| IoctlError::new("KVM_GET_VCPU_MMAP_SIZE", e.errno()))?;
        Ok(Self::from_vm_fd(vm, sev))
    }

    /// The kvm-ioctls VM fd (for ioctls this type does not wrap).
    pub fn vm_fd(&self) -> &VmFd {
        &self.vm
    }

    /// vCPU `id`, if [`add_vcpu`](Self::add_vcpu) created it.
    pub fn vcpu(&self, id: u32) -> Option<&VcpuFd> {
        self.vcpus.iter().find(|v| v.0 == id).map(|v| &v.1)
    }

    /// The `/dev/sev` device, if one was given.
    pub fn sev_device(&self) -> Option<&SevDevice> {
        self.sev.as_ref()
    }

    /// `KVM_CHECK_EXTENSION` on the VM fd: the raw answer (0 = unsupported).
    pub fn check_extension(&self, cap: u32) -> Result<i32, Error> {
        self.commands().check_extension(cap)
    }

    /// `KVM_ENABLE_CAP` on the VM, e.g. `KVM_CAP_EXIT_HYPERCALL` with `1 << 12`.
    pub fn enable_cap(&mut self, cap: &KvmEnableCap) -> Result<(), Error> {
        self.commands().enable_cap(cap)
    }

    fn commands(&self) -> VmCommands<'_> {
        VmCommands::new(&self.vm, self.sev.as_ref())
    }

    /// The host bytes of `[gpa, gpa + len)` and the command layer, borrowed together.
    fn range_and_commands(
        &mut self,
        op: &'static str,
        gpa: u64,
        len: usize,
    ) -> Result<(&mut [u8], VmCommands<'_>), Error> {
        let cmds = VmCommands::new(&self.vm, self.sev.as_ref());
        let range = guest_range(&mut self.slots, op, gpa, len)?;
        Ok((range, cmds))
    }

    // ---- VmMemory ----

    /// `KVM_CREATE_GUEST_MEMFD` of `size` bytes with `GUEST_MEMFD_FLAG_*` `flags`; the fd is
    /// kept by this VM.
    pub fn create_guest_memfd(&mut self, size: u64, flags: u64) -> Result<GuestMemfdId, Error> {
        let fd = self.commands().create_guest_memfd(size, flags)?;
        let id = u32::try_from(self.guest_memfds.len()).map_err(|_| Error::InvalidArgument {
            op: "KVM_CREATE_GUEST_MEMFD",
            reason: "too many guest_memfds".into(),
        })?;
        self.guest_memfds.push(fd);
        Ok(GuestMemfdId(id))
    }

    /// `KVM_SET_USER_MEMORY_REGION2`: adds a memslot backed by new zero-filled host memory of
    /// `slot.size` bytes, and by the guest_memfd (`KVM_MEM_GUEST_MEMFD`) if one is named.
    pub fn add_memory_slot(&mut self, slot: &MemorySlot) -> Result<(), Error> {
        const OP: &str = "KVM_SET_USER_MEMORY_REGION2";
        if !slot.gpa.is_multiple_of(PAGE_SIZE) {
            return Err(Error::InvalidArgument {
                op: OP,
                reason: format!("GPA must be page aligned, got {:#x}", slot.gpa),
            });
        }
        let memory = HostMapping::new(OP, slot.size)?;
        let (flags, guest_memfd, guest_memfd_offset) = match slot.guest_memfd {
            None => (0, 0, 0),
            Some((id, offset)) => {
                let fd = self
                    .guest_memfds
                    .get(id.0 as usize)
                    .ok_or_else(|| Error::InvalidArgument {
                        op: OP,
                        reason: format!("guest_memfd {} was not created by this VM", id.0),
                    })?;
                (KVM_MEM_GUEST_MEMFD, fd.as_raw_fd() as u32, offset)
            }
        };
        let region = KvmUserspaceMemoryRegion2 {
            slot: slot.slot,
            flags,
            guest_phys_addr: slot.gpa,
            memory_size: slot.size,
            userspace_addr: memory.addr(),
            guest_memfd_offset,
            guest_memfd,
            pad1: 0,
            pad2: [0; 14],
        };
        // SAFETY: `memory` is a fresh mapping of exactly `memory_size` bytes; on success it is
        // kept in `self.slots`, which is dropped after the VM fd (field order), so the mapping
        // outlives the slot. The guest_memfd is one of this VM's.
        unsafe { self.commands().set_user_memory_region2(&region) }?;
        self.slots.push(Slot { slot: *slot, memory });
        Ok(())
    }

    /// `KVM_SET_MEMORY_ATTRIBUTES` on `[gpa, gpa + size)`: sets `attributes`, clears the rest.
    pub fn set_memory_attributes(&mut self, gpa: u64, size: u64, attributes: MemoryAttributes) -> Result<(), Error> {
        self.commands().set_memory_attributes(gpa, size, attributes.bits())
    }

    /// Copies `data` into shared guest memory at `gpa` (the range must lie in one slot).
    pub fn write_memory(&mut self, gpa: u64, data: &[u8]) -> Result<(), Error> {
        guest_range(&mut self.slots, "write_memory", gpa, data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// Copies shared guest memory at `gpa` into `out` (the range must lie in one slot).
    pub fn read_memory(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), Error> {
        out.copy_from_slice(guest_range(&mut self.slots, "read_memory", gpa, out.len())?);
        Ok(())
    }

    // ---- shared by the SEV and SNP seams ----

    /// `KVM_SEV_INIT2`: initialises an SEV, SEV-ES or SNP VM (6.10+). On a VM without SEV
    /// support this is [`Error::SevUnsupported`].
    pub fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
        self.commands().sev_init2(init)
    }

    /// `KVM_CREATE_VCPU` of vCPU `id`, with its registers set from `state` (segments, CR0/CR3/
    /// CR4, EFER, RIP, RFLAGS and the general-purpose registers).
    pub fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error> {
        let vcpu = self
            .vm
            .create_vcpu(u64::from(id))
            .map_err(|e| IoctlError::new("KVM_CREATE_VCPU", e.errno()))?;
        super::vcpu::set_registers(&vcpu, state)?;
        self.vcpus.push((id, vcpu));
        Ok(())
    }

    // ---- SevLaunchDevice ----

    /// `KVM_SEV_INIT` (legacy SEV initialisation of a default-type VM).
    pub fn sev_init(&mut self) -> Result<(), Error> {
        self.commands().sev_init()
    }

    /// `KVM_SEV_ES_INIT` (legacy SEV-ES initialisation of a default-type VM).
    pub fn sev_es_init(&mut self) -> Result<(), Error> {
        self.commands().sev_es_init()
    }

    /// `KVM_MEMORY_ENCRYPT_REG_REGION` over `[gpa, gpa + size)` of shared memory.
    pub fn register_encrypted_region(&mut self, gpa: u64, size: u64) -> Result<(), Error> {
        const OP: &str = "KVM_MEMORY_ENCRYPT_REG_REGION";
        let len = usize::try_from(size).map_err(|_| Error::InvalidArgument {
            op: OP,
            reason: format!("size {size:#x} does not fit this address space"),
        })?;
        let (range, cmds) = self.range_and_commands(OP, gpa, len)?;
        cmds.register_enc_memory_region(&KvmEncRegion {
            addr: range.as_ptr() as u64,
            size,
        })
    }

    /// `KVM_MEMORY_ENCRYPT_UNREG_REGION` over a range registered before.
    pub fn unregister_encrypted_region(&mut self, gpa: u64, size: u64) -> Result<(), Error> {
        const OP: &str = "KVM_MEMORY_ENCRYPT_UNREG_REGION";
        let len = usize::try_from(size).map_err(|_| Error::InvalidArgument {
            op: OP,
            reason: format!("size {size:#x} does not fit this address space"),
        })?;
        let (range, cmds) = self.range_and_commands(OP, gpa, len)?;
        cmds.unregister_enc_memory_region(&KvmEncRegion {
            addr: range.as_ptr() as u64,
            size,
        })
    }

    /// `KVM_SEV_LAUNCH_START`: returns the guest handle.
    pub fn launch_start(&mut self, start: &SevLaunchStart<'_>) -> Result<u32, Error> {
        self.commands()
            .launch_start(start.handle, start.policy.bits(), start.owner_pdh, start.session)
    }

    /// `KVM_SEV_LAUNCH_UPDATE_DATA` over `[gpa, gpa + len)` (encrypted in place).
    pub fn launch_update_data(&mut self, gpa: u64, len: u64) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_UPDATE_DATA";
        let len = usize::try_from(len).map_err(|_| Error::InvalidArgument {
            op: OP,
            reason: format!("length {len:#x} does not fit this address space"),
        })?;
        let (range, cmds) = self.range_and_commands(OP, gpa, len)?;
        cmds.launch_update_data(range)
    }

    /// `KVM_SEV_LAUNCH_UPDATE_VMSA`: encrypts every vCPU's VMSA (SEV-ES).
    pub fn launch_update_vmsa(&mut self) -> Result<(), Error> {
        self.commands().launch_update_vmsa()
    }

    /// `KVM_SEV_LAUNCH_MEASURE`: the 48-byte `LaunchMeasurement` (MEASURE ‖ MNONCE).
    pub fn launch_measure(&mut self) -> Result<[u8; 48], Error> {
        let blob = self.commands().launch_measure()?;
        <[u8; 48]>::try_from(blob.as_slice()).map_err(|_| Error::MalformedResponse {
            op: "KVM_SEV_LAUNCH_MEASURE",
            reason: format!("expected a 48-byte measurement, got {} bytes", blob.len()),
        })
    }

    /// `KVM_SEV_LAUNCH_SECRET`: injects `transport` (encrypted) at `gpa`.
    pub fn launch_secret(&mut self, header: &LaunchSecretHeader, gpa: u64, transport: &[u8]) -> Result<(), Error> {
        let (range, cmds) = self.range_and_commands("KVM_SEV_LAUNCH_SECRET", gpa, transport.len())?;
        cmds.launch_secret(header.as_bytes(), range, transport)
    }

    /// `KVM_SEV_LAUNCH_FINISH`.
    pub fn launch_finish(&mut self) -> Result<(), Error> {
        self.commands().launch_finish()
    }

    /// `KVM_SEV_GUEST_STATUS`.
    pub fn guest_status(&mut self) -> Result<SevGuestStatus, Error> {
        let s = self.commands().guest_status()?;
        Ok(SevGuestStatus {
            handle: s.handle.get(),
            policy: SevPolicy::from_bits_retain(s.policy.get()),
            state: SevGuestState::from_raw(s.state.get()),
        })
    }

    /// `KVM_SEV_GET_ATTESTATION_REPORT`: the signed report (`RawAttestationReport` bytes).
    pub fn attestation_report(&mut self, mnonce: [u8; 16]) -> Result<Vec<u8>, Error> {
        self.commands().get_attestation_report(mnonce)
    }

    /// `KVM_SEV_DBG_DECRYPT`: decrypts guest memory at `gpa` into `out` (debug policy only).
    pub fn dbg_decrypt(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), Error> {
        let (range, cmds) = self.range_and_commands("KVM_SEV_DBG_DECRYPT", gpa, out.len())?;
        cmds.dbg_decrypt(range, out)
    }

    /// `KVM_SEV_DBG_ENCRYPT`: encrypts `data` into guest memory at `gpa` (debug policy only).
    pub fn dbg_encrypt(&mut self, gpa: u64, data: &[u8]) -> Result<(), Error> {
        let (range, cmds) = self.range_and_commands("KVM_SEV_DBG_ENCRYPT", gpa, data.len())?;
        cmds.dbg_encrypt(data, range)
    }

    /// `KVM_SEV_SEND_START`: starts an outgoing migration to the platform with these PDH,
    /// platform and AMD certificates; returns the guest policy and the session blob.
    pub fn send_start(
        &mut self,
        pdh_cert: &[u8],
        plat_certs: &[u8],
        amd_certs: &[u8],
    ) -> Result<(u32, Vec<u8>), Error> {
        self.commands().send_start(pdh_cert, plat_certs, amd_certs)
    }

    /// `KVM_SEV_SEND_UPDATE_DATA`: encrypts `len` bytes at `gpa` for transport, writing the
    /// packet header into `header` and the data into `transport`.
    pub fn send_update_data(&mut self, gpa: u64, header: &mut [u8], transport: &mut [u8]) -> Result<(), Error> {
        let (range, cmds) = self.range_and_commands("KVM_SEV_SEND_UPDATE_DATA", gpa, transport.len())?;
        cmds.send_update_data(range, header, transport)
    }

    /// `KVM_SEV_SEND_FINISH`.
    pub fn send_finish(&mut self) -> Result<(), Error> {
        self.commands().send_finish()
    }

    /// `KVM_SEV_SEND_CANCEL`.
    pub fn send_cancel(&mut self) -> Result<(), Error> {
        self.commands().send_cancel()
    }

    /// `KVM_SEV_RECEIVE_START`: starts an incoming migration; returns the new guest handle.
    pub fn receive_start(&mut self, handle: u32, policy: u32, pdh_cert: &[u8], session: &[u8]) -> Result<u32, Error> {
        self.commands().receive_start(handle, policy, pdh_cert, session)
    }

    /// `KVM_SEV_RECEIVE_UPDATE_DATA`: decrypts a transport packet into guest memory at `gpa`.
    pub fn receive_update_data(&mut self, header: &[u8], gpa: u64, transport: &[u8]) -> Result<(), Error> {
        let (range, cmds) = self.range_and_commands("KVM_SEV_RECEIVE_UPDATE_DATA", gpa, transport.len())?;
        cmds.receive_update_data(header, range, transport)
    }

    /// `KVM_SEV_RECEIVE_FINISH`.
    pub fn receive_finish(&mut self) -> Result<(), Error> {
        self.commands().receive_finish()
    }

    // ---- SnpLaunchDevice ----

    /// `KVM_SEV_SNP_LAUNCH_START`.
    pub fn snp_launch_start(&mut self, start: &KvmSnpLaunchStart) -> Result<(), Error> {
        self.commands().snp_launch_start(start)
    }

    /// One `KVM_SEV_SNP_LAUNCH_UPDATE` call: `src` (a non-zero page multiple) is copied into a
    /// page-aligned buffer and handed to KVM for the private pages from frame `gfn_start`.
    /// Returns how many bytes the kernel consumed (it may stop early: resume with the rest);
    /// `EAGAIN` and `EINTR` are returned as errors for the caller to retry. For a CPUID page
    /// the firmware's corrected table, which KVM writes back on failure, lands in the staging
    /// copy and is not returned (the seam takes `src` by shared reference).
    pub fn snp_launch_update(
        &mut self,
        gfn_start: u64,
        page_type: KvmPageType,
        src: &[u8],
    ) -> Result<SnpUpdateProgress, Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_UPDATE";
        let mut buf = HostMapping::new(OP, src.len() as u64)?;
        let len = buf.len();
        let staged = buf.range_mut(0, len).ok_or(Error::InvalidArgument {
            op: OP,
            reason: "staging buffer too small".into(),
        })?;
        staged.copy_from_slice(src);
        let consumed = self.commands().snp_launch_update(gfn_start, page_type, staged)?;
        Ok(SnpUpdateProgress { consumed })
    }

    /// `KVM_SEV_SNP_LAUNCH_FINISH`: measures each vCPU's VMSA, then finishes the launch.
    pub fn snp_launch_finish(&mut self, finish: &SnpLaunchFinish<'_>) -> Result<(), Error> {
        self.commands().snp_launch_finish(finish)
    }

    /// `KVM_SEV_SNP_ENABLE_REQ_CERTS` (Linux 7.0): guest certificate requests exit to the VMM.
    pub fn snp_enable_req_certs(&mut self) -> Result<(), Error> {
        self.commands().snp_enable_req_certs()
    }
}

impl VmMemory for SevVm {
    fn create_guest_memfd(&mut self, size: u64, flags: u64) -> Result<GuestMemfdId, Error> {
        SevVm::create_guest_memfd(self, size, flags)
    }
    fn add_memory_slot(&mut self, slot: &MemorySlot) -> Result<(), Error> {
        SevVm::add_memory_slot(self, slot)
    }
    fn set_memory_attributes(&mut self, gpa: u64, size: u64, attributes: MemoryAttributes) -> Result<(), Error> {
        SevVm::set_memory_attributes(self, gpa, size, attributes)
    }
    fn write_memory(&mut self, gpa: u64, data: &[u8]) -> Result<(), Error> {
        SevVm::write_memory(self, gpa, data)
    }
    fn read_memory(&mut self, gpa: u64, out: &mut [u8]) -> Result<(), Error> {
        SevVm::read_memory(self, gpa, out)
    }
}

impl SevLaunchDevice for SevVm {
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
        SevVm::sev_init2(self, init)
    }
    fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error> {
        SevVm::add_vcpu(self, id, state)
    }
    fn register_encrypted_region(&mut self, gpa: u64, size: u64) -> Result<(), Error> {
        SevVm::register_encrypted_region(self, gpa, size)
    }
    fn launch_start(&mut self, start: &SevLaunchStart<'_>) -> Result<u32, Error> {
        SevVm::launch_start(self, start)
    }
    fn launch_update_data(&mut self, gpa: u64, len: u64) -> Result<(), Error> {
        SevVm::launch_update_data(self, gpa, len)
    }
    fn launch_update_vmsa(&mut self) -> Result<(), Error> {
        SevVm::launch_update_vmsa(self)
    }
    fn launch_measure(&mut self) -> Result<[u8; 48], Error> {
        SevVm::launch_measure(self)
    }
    fn launch_secret(&mut self, header: &LaunchSecretHeader, gpa: u64, transport: &[u8]) -> Result<(), Error> {
        SevVm::launch_secret(self, header, gpa, transport)
    }
    fn launch_finish(&mut self) -> Result<(), Error> {
        SevVm::launch_finish(self)
    }
    fn guest_status(&mut self) -> Result<SevGuestStatus, Error> {
        SevVm::guest_status(self)
    }
    fn attestation_report(&mut self, mnonce: [u8; 16]) -> Result<Vec<u8>, Error> {
        SevVm::attestation_report(self, mnonce)
    }
}

impl SnpLaunchDevice for SevVm {
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
        SevVm::sev_init2(self, init)
    }
    fn add_vcpu(&mut self, id: u32, state: &SaveArea) -> Result<(), Error> {
        SevVm::add_vcpu(self, id, state)
    }
    fn snp_launch_start(&mut self, start: &KvmSnpLaunchStart) -> Result<(), Error> {
        SevVm::snp_launch_start(self, start)
    }
    fn snp_launch_update(
        &mut self,
        gfn_start: u64,
        page_type: KvmPageType,
        src: &[u8],
    ) -> Result<SnpUpdateProgress, Error> {
        SevVm::snp_launch_update(self, gfn_start, page_type, src)
    }
    fn snp_launch_finish(&mut self, finish: &SnpLaunchFinish<'_>) -> Result<(), Error> {
        SevVm::snp_launch_finish(self, finish)
    }
    fn snp_enable_req_certs(&mut self) -> Result<(), Error> {
        SevVm::snp_enable_req_certs(self)
    }
}
