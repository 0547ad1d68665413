//! A KVM VM fd (kvm-ioctls' `vm` object): the SEV command interface `KVM_MEMORY_ENCRYPT_OP`,
//! one method per `KVM_SEV_*` command.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use kvm_ioctls::VmFd;
use sev_types::launch::sev::{
    KvmSevAttestationReport, KvmSevDbg, KvmSevGuestStatus, KvmSevLaunchMeasure, KvmSevLaunchSecret, KvmSevLaunchStart,
    KvmSevLaunchUpdateData, KvmSevReceiveStart, KvmSevReceiveUpdateData, KvmSevSendStart, KvmSevSendUpdateData,
    SevPolicy,
};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchFinish, KvmSnpLaunchStart, KvmSnpLaunchUpdate};
use sev_types::{U32, U64};

use crate::error::{Error, IoctlError};
use crate::ioctls::raw;
use crate::seam::SnpLaunchFinish;
use crate::sev::{SevDevice, len_u32};
use crate::uapi::*;

/// Host page size assumed by the SNP launch commands.
pub(crate) const PAGE_SIZE: u64 = 4096;

/// The borrowed command layer under [`super::SevVm`]: one method per `KVM_SEV_*` command on a
/// VM fd, with host slices where the command names user memory.
///
/// A `KVM_MEMORY_ENCRYPT_OP` answered with `ENOTTY` is [`Error::SevUnsupported`]; other failures
/// keep the errno and the firmware status from `kvm_sev_cmd.error`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VmCommands<'a> {
    pub(super) vm: BorrowedFd<'a>,
    sev_fd: Option<BorrowedFd<'a>>,
}

impl<'a> VmCommands<'a> {
    /// Borrows a kvm-ioctls VM, with the `/dev/sev` fd KVM expects in `kvm_sev_cmd.sev_fd`.
    pub(crate) fn new(vm: &'a VmFd, sev: Option<&'a SevDevice>) -> Self {
        // SAFETY: `vm` is borrowed for `'a`, so its fd stays open for the borrow's lifetime.
        let vm = unsafe { BorrowedFd::borrow_raw(vm.as_raw_fd()) };
        Self {
            vm,
            sev_fd: sev.map(|s| s.as_fd()),
        }
    }

    /// `KVM_MEMORY_ENCRYPT_OP` with command `id` and payload address `data` (0 for none).
    ///
    /// # Safety
    /// `data` must be 0 or point to the payload structure of command `id`, valid for reads and
    /// writes of its full size, and every user address inside the payload must point to memory
    /// valid for the access and length the command implies, for the duration of the call.
    pub(crate) unsafe fn encrypt_op(&self, op: &'static str, id: u32, data: u64) -> Result<(), Error> {
        let mut cmd = KvmSevCmd {
            id,
            pad0: 0,
            data,
            error: 0,
            sev_fd: self.sev_fd.map_or(u32::MAX, |f| f.as_raw_fd() as u32),
        };
        // SAFETY: `cmd` is a live `kvm_sev_cmd`; the caller guarantees what `data` points to.
        match unsafe { raw::kvm_memory_encrypt_op(self.vm.as_raw_fd(), &mut cmd) } {
            Ok(_) => Ok(()),
            Err(nix::errno::Errno::ENOTTY) => Err(Error::SevUnsupported { op }),
            Err(e) => Err(IoctlError::new(op, e as i32).with_firmware_status(cmd.error).into()),
        }
    }

    /// `KVM_SEV_INIT2`: initialises an SEV, SEV-ES or SNP VM (6.10+).
    pub(crate) fn sev_init2(&self, init: &KvmSevInit) -> Result<(), Error> {
        let mut p = init.clone();
        // SAFETY: `data` points at `p`, a live `kvm_sev_init` that the kernel only reads.
        unsafe { self.encrypt_op("KVM_SEV_INIT2", KVM_SEV_INIT2, &raw mut p as u64) }
    }

    /// `KVM_SEV_INIT`: legacy SEV initialisation (default VM type only).
    pub(crate) fn sev_init(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_INIT", KVM_SEV_INIT, 0) }
    }

    /// `KVM_SEV_ES_INIT`: legacy SEV-ES initialisation (default VM type only).
    pub(crate) fn sev_es_init(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_ES_INIT", KVM_SEV_ES_INIT, 0) }
    }

    /// `KVM_SEV_LAUNCH_START`: starts an SEV launch with `policy`, the guest owner's PDH
    /// certificate and session blob (both optional); returns the new guest handle.
    pub(crate) fn launch_start(&self, handle: u32, policy: u32, dh_cert: &[u8], session: &[u8]) -> Result<u32, Error> {
        const OP: &str = "KVM_SEV_LAUNCH_START";
        let mut p = KvmSevLaunchStart::new(handle, SevPolicy::from_bits_retain(policy));
        p.dh_uaddr = U64::new(addr_or_null(dh_cert));
        p.dh_len = U32::new(len_u32(OP, dh_cert.len())?);
        p.session_uaddr = U64::new(addr_or_null(session));
        p.session_len = U32::new(len_u32(OP, session.len())?);
        // SAFETY: `data` points at `p`; its two address/length pairs describe live borrowed
        // slices that the kernel only reads; it writes back `p.handle`.
        unsafe { self.encrypt_op(OP, KVM_SEV_LAUNCH_START, &raw mut p as u64) }?;
        Ok(p.handle.get())
    }

    /// `KVM_SEV_LAUNCH_UPDATE_DATA`: encrypts and measures `guest_memory` in place. The slice
    /// must lie inside a registered memslot's backing memory.
    pub(crate) fn launch_update_data(&self, guest_memory: &mut [u8]) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_UPDATE_DATA";
        let mut p = KvmSevLaunchUpdateData::new(guest_memory.as_mut_ptr() as u64, len_u32(OP, guest_memory.len())?);
        // SAFETY: `data` points at `p`, whose address/length describe the exclusively borrowed
        // `guest_memory`; the kernel pins and rewrites only those bytes.
        unsafe { self.encrypt_op(OP, KVM_SEV_LAUNCH_UPDATE_DATA, &raw mut p as u64) }
    }

    /// `KVM_SEV_LAUNCH_UPDATE_VMSA`: encrypts and measures every vCPU's VMSA (SEV-ES).
    pub(crate) fn launch_update_vmsa(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_LAUNCH_UPDATE_VMSA", KVM_SEV_LAUNCH_UPDATE_VMSA, 0) }
    }

    /// `KVM_SEV_LAUNCH_MEASURE`: the launch measurement blob (length query, then fetch).
    pub(crate) fn launch_measure(&self) -> Result<Vec<u8>, Error> {
        const OP: &str = "KVM_SEV_LAUNCH_MEASURE";
        let mut q = KvmSevLaunchMeasure::default();
        // SAFETY: `data` points at `q`; with `uaddr` 0 the kernel only writes `q.len`.
        let r = unsafe { self.encrypt_op(OP, KVM_SEV_LAUNCH_MEASURE, &raw mut q as u64) };
        let len = length_after_query(r, q.len.get())?;
        let mut buf = vec![0u8; len as usize];
        let mut p = KvmSevLaunchMeasure::new(buf.as_mut_ptr() as u64, len);
        // SAFETY: `data` points at `p`, whose address/length describe `buf`, owned here.
        unsafe { self.encrypt_op(OP, KVM_SEV_LAUNCH_MEASURE, &raw mut p as u64) }?;
        buf.truncate(p.len.get() as usize);
        Ok(buf)
    }

    /// `KVM_SEV_LAUNCH_SECRET`: injects a secret packet (`header`, encrypted `transport`) into
    /// `guest_memory`.
    pub(crate) fn launch_secret(&self, header: &[u8], guest_memory: &mut [u8], transport: &[u8]) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_LAUNCH_SECRET";
        let mut p = KvmSevLaunchSecret::new(
            (header.as_ptr() as u64, len_u32(OP, header.len())?),
            (guest_memory.as_mut_ptr() as u64, len_u32(OP, guest_memory.len())?),
            (transport.as_ptr() as u64, len_u32(OP, transport.len())?),
        );
        // SAFETY: `data` points at `p`; the header and transport slices are only read, and the
        // exclusively borrowed `guest_memory` is the only memory written.
        unsafe { self.encrypt_op(OP, KVM_SEV_LAUNCH_SECRET, &raw mut p as u64) }
    }

    /// `KVM_SEV_LAUNCH_FINISH`: ends an SEV / SEV-ES launch.
    pub(crate) fn launch_finish(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_LAUNCH_FINISH", KVM_SEV_LAUNCH_FINISH, 0) }
    }

    /// `KVM_SEV_GUEST_STATUS`: handle, policy and state of the guest.
    pub(crate) fn guest_status(&self) -> Result<KvmSevGuestStatus, Error> {
        let mut p = KvmSevGuestStatus::default();
        // SAFETY: `data` points at `p`, a live `kvm_sev_guest_status` the kernel writes.
        unsafe { self.encrypt_op("KVM_SEV_GUEST_STATUS", KVM_SEV_GUEST_STATUS, &raw mut p as u64) }?;
        Ok(p)
    }

    /// `KVM_SEV_DBG_DECRYPT`: decrypts guest memory at `src` into `dst` (debug policy only).
    pub(crate) fn dbg_decrypt(&self, src: &[u8], dst: &mut [u8]) -> Result<(), Error> {
        self.dbg("KVM_SEV_DBG_DECRYPT", KVM_SEV_DBG_DECRYPT, src, dst)
    }

    /// `KVM_SEV_DBG_ENCRYPT`: encrypts `src` into guest memory at `dst` (debug policy only).
    pub(crate) fn dbg_encrypt(&self, src: &[u8], dst: &mut [u8]) -> Result<(), Error> {
        self.dbg("KVM_SEV_DBG_ENCRYPT", KVM_SEV_DBG_ENCRYPT, src, dst)
    }

    fn dbg(&self, op: &'static str, id: u32, src: &[u8], dst: &mut [u8]) -> Result<(), Error> {
        if src.len() != dst.len() {
            return Err(Error::InvalidArgument {
                op,
                reason: format!("source is {} bytes, destination {}", src.len(), dst.len()),
            });
        }
        let mut p = KvmSevDbg {
            src_uaddr: U64::new(src.as_ptr() as u64),
            dst_uaddr: U64::new(dst.as_mut_ptr() as u64),
            len: U32::new(len_u32(op, src.len())?),
            pad0: U32::ZERO,
        };
        // SAFETY: `data` points at `p`; `src` (read) and the exclusively borrowed `dst`
        // (written) are live slices of exactly `len` bytes.
        unsafe { self.encrypt_op(op, id, &raw mut p as u64) }
    }

    /// `KVM_SEV_GET_ATTESTATION_REPORT`: an SEV (pre-SNP) attestation report bound to `mnonce`
    /// (length query, then fetch).
    pub(crate) fn get_attestation_report(&self, mnonce: [u8; 16]) -> Result<Vec<u8>, Error> {
        const OP: &str = "KVM_SEV_GET_ATTESTATION_REPORT";
        let mut q = KvmSevAttestationReport {
            mnonce,
            ..Default::default()
        };
        // SAFETY: `data` points at `q`; with `uaddr` 0 the kernel only writes `q.len`.
        let r = unsafe { self.encrypt_op(OP, KVM_SEV_GET_ATTESTATION_REPORT, &raw mut q as u64) };
        let len = length_after_query(r, q.len.get())?;
        let mut buf = vec![0u8; len as usize];
        let mut p = KvmSevAttestationReport {
            mnonce,
            uaddr: U64::new(buf.as_mut_ptr() as u64),
            len: U32::new(len),
            pad0: U32::ZERO,
        };
        // SAFETY: `data` points at `p`, whose address/length describe `buf`, owned here.
        unsafe { self.encrypt_op(OP, KVM_SEV_GET_ATTESTATION_REPORT, &raw mut p as u64) }?;
        buf.truncate(p.len.get() as usize);
        Ok(buf)
    }

    /// `KVM_SEV_SEND_START`: starts an outgoing migration to a platform with the given PDH and
    /// platform certificates and AMD certificates; returns the guest policy and the session
    /// blob (length query, then fetch).
    pub(crate) fn send_start(
        &self,
        pdh_cert: &[u8],
        plat_certs: &[u8],
        amd_certs: &[u8],
    ) -> Result<(u32, Vec<u8>), Error> {
        const OP: &str = "KVM_SEV_SEND_START";
        let mut p = KvmSevSendStart {
            pdh_cert_uaddr: U64::new(addr_or_null(pdh_cert)),
            pdh_cert_len: U32::new(len_u32(OP, pdh_cert.len())?),
            plat_certs_uaddr: U64::new(addr_or_null(plat_certs)),
            plat_certs_len: U32::new(len_u32(OP, plat_certs.len())?),
            amd_certs_uaddr: U64::new(addr_or_null(amd_certs)),
            amd_certs_len: U32::new(len_u32(OP, amd_certs.len())?),
            ..Default::default()
        };
        // SAFETY: `data` points at `p`; the three certificate ranges are live borrowed slices
        // the kernel only reads; with `session_uaddr` 0 it only writes `p.session_len`.
        let r = unsafe { self.encrypt_op(OP, KVM_SEV_SEND_START, &raw mut p as u64) };
        let len = length_after_query(r, p.session_len.get())?;
        let mut session = vec![0u8; len as usize];
        p.session_uaddr = U64::new(session.as_mut_ptr() as u64);
        p.session_len = U32::new(len);
        // SAFETY: as above, plus `session_uaddr`/`session_len` describe `session`, owned here.
        unsafe { self.encrypt_op(OP, KVM_SEV_SEND_START, &raw mut p as u64) }?;
        session.truncate(p.session_len.get() as usize);
        Ok((p.policy.get(), session))
    }

    /// `KVM_SEV_SEND_UPDATE_DATA`: encrypts `guest_memory` for transport into `transport`,
    /// writing the packet header into `header` (sizes as the firmware requires).
    pub(crate) fn send_update_data(
        &self,
        guest_memory: &[u8],
        header: &mut [u8],
        transport: &mut [u8],
    ) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_SEND_UPDATE_DATA";
        let mut p = KvmSevSendUpdateData::new(
            (header.as_mut_ptr() as u64, len_u32(OP, header.len())?),
            (guest_memory.as_ptr() as u64, len_u32(OP, guest_memory.len())?),
            (transport.as_mut_ptr() as u64, len_u32(OP, transport.len())?),
        );
        // SAFETY: `data` points at `p`; `guest_memory` is only read, and the exclusively borrowed
        // `header` and `transport` are the only memory written, within their lengths.
        unsafe { self.encrypt_op(OP, KVM_SEV_SEND_UPDATE_DATA, &raw mut p as u64) }
    }

    /// `KVM_SEV_RECEIVE_START`: starts an incoming migration with the source's PDH certificate
    /// and session blob; returns the new guest handle.
    pub(crate) fn receive_start(
        &self,
        handle: u32,
        policy: u32,
        pdh_cert: &[u8],
        session: &[u8],
    ) -> Result<u32, Error> {
        const OP: &str = "KVM_SEV_RECEIVE_START";
        let mut p = KvmSevReceiveStart {
            handle: U32::new(handle),
            policy: U32::new(policy),
            pdh_uaddr: U64::new(addr_or_null(pdh_cert)),
            pdh_len: U32::new(len_u32(OP, pdh_cert.len())?),
            session_uaddr: U64::new(addr_or_null(session)),
            session_len: U32::new(len_u32(OP, session.len())?),
            ..Default::default()
        };
        // SAFETY: `data` points at `p`; both ranges are live borrowed slices the kernel only
        // reads; it writes back `p.handle`.
        unsafe { self.encrypt_op(OP, KVM_SEV_RECEIVE_START, &raw mut p as u64) }?;
        Ok(p.handle.get())
    }

    /// `KVM_SEV_RECEIVE_UPDATE_DATA`: decrypts a transport packet into `guest_memory`.
    pub(crate) fn receive_update_data(
        &self,
        header: &[u8],
        guest_memory: &mut [u8],
        transport: &[u8],
    ) -> Result<(), Error> {
        const OP: &str = "KVM_SEV_RECEIVE_UPDATE_DATA";
        let mut p = KvmSevReceiveUpdateData::new(
            (header.as_ptr() as u64, len_u32(OP, header.len())?),
            (guest_memory.as_mut_ptr() as u64, len_u32(OP, guest_memory.len())?),
            (transport.as_ptr() as u64, len_u32(OP, transport.len())?),
        );
        // SAFETY: `data` points at `p`; `header` and `transport` are only read, and the
        // exclusively borrowed `guest_memory` is the only memory written.
        unsafe { self.encrypt_op(OP, KVM_SEV_RECEIVE_UPDATE_DATA, &raw mut p as u64) }
    }

    /// `KVM_SEV_SEND_FINISH`: ends an outgoing migration.
    pub(crate) fn send_finish(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_SEND_FINISH", KVM_SEV_SEND_FINISH, 0) }
    }

    /// `KVM_SEV_SEND_CANCEL`: cancels an outgoing migration.
    pub(crate) fn send_cancel(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_SEND_CANCEL", KVM_SEV_SEND_CANCEL, 0) }
    }

    /// `KVM_SEV_RECEIVE_FINISH`: ends an incoming migration.
    pub(crate) fn receive_finish(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_RECEIVE_FINISH", KVM_SEV_RECEIVE_FINISH, 0) }
    }

    /// `KVM_SEV_SNP_LAUNCH_START`: starts an SNP launch (`flags` and padding must be zero).
    pub(crate) fn snp_launch_start(&self, start: &KvmSnpLaunchStart) -> Result<(), Error> {
        let mut p = start.clone();
        // SAFETY: `data` points at `p`, a live `kvm_sev_snp_launch_start` the kernel only reads.
        unsafe { self.encrypt_op("KVM_SEV_SNP_LAUNCH_START", KVM_SEV_SNP_LAUNCH_START, &raw mut p as u64) }
    }

    /// One `KVM_SEV_SNP_LAUNCH_UPDATE` call: copies `src` into the (already private) guest
    /// pages from `gfn_start` and measures them as `page_type`. `src` must be page aligned and a
    /// non-zero page multiple. Returns the bytes the kernel consumed (it may stop early); `EAGAIN`
    /// and `EINTR` are returned as errors for the caller to retry.
    pub(crate) fn snp_launch_update(
        &self,
        gfn_start: u64,
        page_type: KvmPageType,
        src: &mut [u8],
    ) -> Result<u64, Error> {
        const OP: &str = "KVM_SEV_SNP_LAUNCH_UPDATE";
        let addr = src.as_mut_ptr() as u64;
        let len = src.len() as u64;
        if !addr.is_multiple_of(PAGE_SIZE) || !len.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(Error::InvalidArgument {
                op: OP,
                reason: format!("source must be page aligned and a non-zero page multiple, got {addr:#x} + {len:#x}"),
            });
        }
        let mut p = KvmSnpLaunchUpdate::new(gfn_start, addr, len, page_type);
        // SAFETY: `data` points at `p`; `p.uaddr .. p.uaddr + p.len` is exactly the exclusively
        // borrowed `src`, which the kernel reads and, for CPUID pages, writes back.
        unsafe { self.encrypt_op(OP, KVM_SEV_SNP_LAUNCH_UPDATE, &raw mut p as u64) }?;
        let left = p.len.get();
        if left > len {
            return Err(Error::MalformedResponse {
                op: OP,
                reason: format!("the kernel reports {left:#x} bytes left of {len:#x}"),
            });
        }
        Ok(len - left)
    }

    /// `KVM_SEV_SNP_LAUNCH_FINISH`: ends an SNP launch (ID block, host data).
    pub(crate) fn snp_launch_finish(&self, finish: &SnpLaunchFinish<'_>) -> Result<(), Error> {
        let mut p = KvmSnpLaunchFinish::new(finish.host_data).with_vcek_disabled(finish.vcek_disabled);
        if let Some((block, auth)) = finish.id_block {
            p = p.with_id_block(block.as_ptr() as u64, auth.as_ptr() as u64, finish.auth_key_en);
        }
        // SAFETY: `data` points at `p`; the ID block (96 B) and ID auth (4096 B) addresses come
        // from borrowed arrays of exactly the sizes the kernel reads.
        unsafe {
            self.encrypt_op(
                "KVM_SEV_SNP_LAUNCH_FINISH",
                KVM_SEV_SNP_LAUNCH_FINISH,
                &raw mut p as u64,
            )
        }
    }

    /// `KVM_SEV_SNP_ENABLE_REQ_CERTS`: enables `KVM_EXIT_SNP_REQ_CERTS` (7.0+; before vCPUs run).
    pub(crate) fn snp_enable_req_certs(&self) -> Result<(), Error> {
        // SAFETY: no payload.
        unsafe { self.encrypt_op("KVM_SEV_SNP_ENABLE_REQ_CERTS", KVM_SEV_SNP_ENABLE_REQ_CERTS, 0) }
    }
}

fn addr_or_null(s: &[u8]) -> u64 {
    if s.is_empty() { 0 } else { s.as_ptr() as u64 }
}

/// The length reported by a KVM length query (`INVALID_LEN` or success with the length set).
fn length_after_query(r: Result<(), Error>, reported: u32) -> Result<u32, Error> {
    match r {
        Ok(()) => Ok(reported),
        Err(Error::Ioctl(e)) if e.fw == Some(sev_types::status::FirmwareStatus::InvalidLength) && reported > 0 => {
            Ok(reported)
        }
        Err(e) => Err(e),
    }
}
