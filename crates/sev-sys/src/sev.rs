//! `/dev/sev`: platform commands through `SEV_ISSUE_CMD`.

use std::fs::{File, OpenOptions};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, RawFd};
use std::path::Path;

use sev_types::guest::VlekHashstick;
use sev_types::platform::chip_id::CHIP_ID_LEN;
use sev_types::platform::user_data::{
    SevUserDataGetId2, SevUserDataPdhCertExport, SevUserDataPekCertImport, SevUserDataPekCsr, SevUserDataSnpVlekLoad,
};
use sev_types::platform::{ChipId, SevUserDataStatus, SnpConfig, SnpPlatformStatus};
use sev_types::status::FirmwareStatus;
use zerocopy::FromZeros;

use crate::error::{Error, IoctlError};
use crate::ioctls::raw;
use crate::seam::PdhCertExport;
use crate::uapi::*;

/// Opens a device node, mapping `ENOENT` to [`Error::DeviceAbsent`].
pub(crate) fn open_device(path: &Path, write: bool) -> Result<File, Error> {
    OpenOptions::new().read(true).write(write).open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::DeviceAbsent { path: path.to_owned() }
        } else {
            Error::Open {
                path: path.to_owned(),
                source,
            }
        }
    })
}

/// An open `/dev/sev`: the SEV / SNP platform (host side).
///
/// Query commands work on a read-only fd; commands that change platform state need the fd
/// opened for writing ([`SevDevice::open`]), otherwise the kernel answers `EPERM`.
#[derive(Debug)]
pub struct SevDevice {
    file: File,
}

impl SevDevice {
    /// The device node.
    pub const PATH: &'static str = "/dev/sev";

    /// Opens `/dev/sev` read-write (needed for state-changing commands).
    pub fn open() -> Result<Self, Error> {
        Self::open_path(Self::PATH, true)
    }

    /// Opens `/dev/sev` read-only (status queries only).
    pub fn open_read_only() -> Result<Self, Error> {
        Self::open_path(Self::PATH, false)
    }

    /// Opens a given node; `ENOENT` gives [`Error::DeviceAbsent`].
    pub fn open_path(path: impl AsRef<Path>, write: bool) -> Result<Self, Error> {
        Ok(Self {
            file: open_device(path.as_ref(), write)?,
        })
    }

    /// Wraps an already open `/dev/sev` file.
    pub fn from_file(file: File) -> Self {
        Self { file }
    }

    /// Adopts a raw `/dev/sev` fd (e.g. one passed over a socket).
    ///
    /// # Safety
    /// `fd` must be an open file descriptor of `/dev/sev` that nothing else owns or closes: the
    /// returned value takes ownership and closes it on drop.
    pub unsafe fn from_raw_fd(fd: RawFd) -> Self {
        // SAFETY: the caller hands over sole ownership of an open fd.
        Self::from_file(unsafe { File::from_raw_fd(fd) })
    }

    /// Issues one `SEV_ISSUE_CMD`.
    ///
    /// # Safety
    /// `data` must be 0 or the address of a buffer that is valid for reads and writes of the
    /// full command structure of `cmd`, and every user address inside that structure must point
    /// to memory valid for the lengths given next to it, for the duration of the call.
    unsafe fn issue(&self, op: &'static str, cmd: u32, data: u64) -> Result<(), IoctlError> {
        let mut arg = SevIssueCmd { cmd, data, error: 0 };
        // SAFETY: `arg` is a live, correctly laid-out `sev_issue_cmd`; the caller guarantees
        // what `data` points to.
        match unsafe { raw::sev_issue_cmd(self.file.as_raw_fd(), &mut arg) } {
            Ok(_) => Ok(()),
            Err(errno) => Err(IoctlError::new(op, errno as i32).with_firmware_status(arg.error)),
        }
    }

    /// `SEV_FACTORY_RESET`: wipes persistent platform state (needs write access).
    pub fn factory_reset(&self) -> Result<(), Error> {
        // SAFETY: this command has no payload (`data` = 0), so the kernel touches only `arg`.
        unsafe { self.issue("SEV_ISSUE_CMD(SEV_FACTORY_RESET)", SEV_FACTORY_RESET, 0) }.map_err(Error::from)
    }

    /// `SEV_PLATFORM_STATUS`: API version, state, flags, build and guest count.
    /// Decode with [`SevUserDataStatus::decode`].
    pub fn platform_status(&self) -> Result<SevUserDataStatus, Error> {
        let mut out = SevUserDataStatus::new_zeroed();
        let data = &raw mut out as u64;
        // SAFETY: `data` points at `out`, a live 12-byte byte-aligned struct with the layout of
        // `sev_user_data_status` , exactly what the kernel writes.
        unsafe { self.issue("SEV_ISSUE_CMD(SEV_PLATFORM_STATUS)", SEV_PLATFORM_STATUS, data) }?;
        Ok(out)
    }

    /// `SEV_PEK_GEN`: regenerates the Platform Endorsement Key (needs write access).
    pub fn pek_gen(&self) -> Result<(), Error> {
        // SAFETY: no payload (`data` = 0).
        unsafe { self.issue("SEV_ISSUE_CMD(SEV_PEK_GEN)", SEV_PEK_GEN, 0) }.map_err(Error::from)
    }

    /// `SEV_PDH_GEN`: regenerates the Platform Diffie-Hellman key (needs write access).
    pub fn pdh_gen(&self) -> Result<(), Error> {
        // SAFETY: no payload (`data` = 0).
        unsafe { self.issue("SEV_ISSUE_CMD(SEV_PDH_GEN)", SEV_PDH_GEN, 0) }.map_err(Error::from)
    }

    /// `SEV_PEK_CSR`: the PEK signing request. Queries the length first (firmware answers
    /// `INVALID_LEN` with the size), then fetches it (needs write access).
    pub fn pek_csr(&self) -> Result<Vec<u8>, Error> {
        const OP: &str = "SEV_ISSUE_CMD(SEV_PEK_CSR)";
        let mut q = SevUserDataPekCsr::new(0, 0);
        let qp = &raw mut q as u64;
        // SAFETY: `qp` points at `q`; with address 0 the kernel only writes `q.length`.
        let r = unsafe { self.issue(OP, SEV_PEK_CSR, qp) };
        let len = length_from_query(r, q.length.get())?;
        let mut buf = vec![0u8; len as usize];
        let mut req = SevUserDataPekCsr::new(buf.as_mut_ptr() as u64, len);
        let rp = &raw mut req as u64;
        // SAFETY: `rp` points at `req`, whose `address`/`length` describe `buf`, owned here and
        // alive across the call.
        unsafe { self.issue(OP, SEV_PEK_CSR, rp) }?;
        buf.truncate(req.length.get() as usize);
        Ok(buf)
    }

    /// `SEV_PDH_CERT_EXPORT`: the PDH certificate and the certificate chain (length query,
    /// then fetch).
    pub fn pdh_cert_export(&self) -> Result<PdhCertExport, Error> {
        const OP: &str = "SEV_ISSUE_CMD(SEV_PDH_CERT_EXPORT)";
        let mut q = SevUserDataPdhCertExport::new_zeroed();
        let qp = &raw mut q as u64;
        // SAFETY: `qp` points at `q`; with null addresses the kernel only writes the lengths.
        let r = unsafe { self.issue(OP, SEV_PDH_CERT_EXPORT, qp) };
        let (pdh_len, chain_len) = (q.pdh_cert_len.get(), q.cert_chain_len.get());
        length_from_query(r, pdh_len.max(chain_len))?;
        let mut pdh = vec![0u8; pdh_len as usize];
        let mut chain = vec![0u8; chain_len as usize];
        let mut req = SevUserDataPdhCertExport::new(
            (pdh.as_mut_ptr() as u64, pdh_len),
            (chain.as_mut_ptr() as u64, chain_len),
        );
        let rp = &raw mut req as u64;
        // SAFETY: `rp` points at `req`; both addresses/lengths describe `pdh` and `chain`,
        // owned here and alive across the call.
        unsafe { self.issue(OP, SEV_PDH_CERT_EXPORT, rp) }?;
        pdh.truncate(req.pdh_cert_len.get() as usize);
        chain.truncate(req.cert_chain_len.get() as usize);
        Ok(PdhCertExport { pdh, chain })
    }

    /// `SEV_PEK_CERT_IMPORT`: takes ownership with a signed PEK and the OCA certificate (needs
    /// write access).
    pub fn pek_cert_import(&self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error> {
        const OP: &str = "SEV_ISSUE_CMD(SEV_PEK_CERT_IMPORT)";
        let mut req = SevUserDataPekCertImport::new(
            (pek_cert.as_ptr() as u64, len_u32(OP, pek_cert.len())?),
            (oca_cert.as_ptr() as u64, len_u32(OP, oca_cert.len())?),
        );
        let rp = &raw mut req as u64;
        // SAFETY: `rp` points at `req`; the kernel only reads the two certificates, whose
        // addresses and lengths come from live slices.
        unsafe { self.issue(OP, SEV_PEK_CERT_IMPORT, rp) }.map_err(Error::from)
    }

    /// `SEV_GET_ID2`: the chip id (64 bytes per socket on current parts). Queries the length
    /// first (firmware answers `INVALID_LEN` with the size), then fetches it.
    pub fn get_id(&self) -> Result<Vec<u8>, Error> {
        const OP: &str = "SEV_ISSUE_CMD(SEV_GET_ID2)";
        let mut q = SevUserDataGetId2::new(0, 0);
        let qp = &raw mut q as u64;
        // SAFETY: `qp` points at `q`; with address 0 the kernel only writes `q.length`.
        let r = unsafe { self.issue(OP, SEV_GET_ID2, qp) };
        let len = length_from_query(r, q.length.get())?;
        let mut buf = vec![0u8; len as usize];
        let mut req = SevUserDataGetId2::new(buf.as_mut_ptr() as u64, len);
        let rp = &raw mut req as u64;
        // SAFETY: `rp` points at `req`, whose address/length describe `buf`, owned here.
        unsafe { self.issue(OP, SEV_GET_ID2, rp) }?;
        buf.truncate(req.length.get() as usize);
        Ok(buf)
    }

    /// The chip ids from [`get_id`](Self::get_id), one per socket, empty slots dropped.
    pub fn chip_ids(&self) -> Result<Vec<ChipId>, Error> {
        let raw = self.get_id()?;
        let mut ids = Vec::new();
        for chunk in raw.chunks(CHIP_ID_LEN) {
            let id = ChipId::from_bytes(chunk).map_err(|e| Error::MalformedResponse {
                op: "SEV_ISSUE_CMD(SEV_GET_ID2)",
                reason: e.to_string(),
            })?;
            if !id.is_zero() {
                ids.push(*id);
            }
        }
        Ok(ids)
    }

    /// `SNP_PLATFORM_STATUS`: SNP state, TCB versions and feature bits.
    pub fn snp_platform_status(&self) -> Result<SnpPlatformStatus, Error> {
        let mut out = SnpPlatformStatus::new_zeroed();
        let data = &raw mut out as u64;
        // SAFETY: `data` points at `out`, a live 32-byte byte-aligned struct with the layout of
        // `sev_user_data_snp_status` , exactly what the kernel writes.
        unsafe { self.issue("SEV_ISSUE_CMD(SNP_PLATFORM_STATUS)", SNP_PLATFORM_STATUS, data) }?;
        Ok(out)
    }

    /// `SNP_COMMIT`: commits the running firmware as the minimum version (needs write access).
    pub fn snp_commit(&self) -> Result<(), Error> {
        // SAFETY: no payload (`data` = 0).
        unsafe { self.issue("SEV_ISSUE_CMD(SNP_COMMIT)", SNP_COMMIT, 0) }.map_err(Error::from)
    }

    /// `SNP_SET_CONFIG`: sets the reported TCB and chip-id/key masking (needs write access).
    pub fn snp_set_config(&self, config: &SnpConfig) -> Result<(), Error> {
        let mut c = config.clone();
        let data = &raw mut c as u64;
        // SAFETY: `data` points at `c`, a live 64-byte struct with the layout of
        // `sev_user_data_snp_config` ; the kernel only reads it.
        unsafe { self.issue("SEV_ISSUE_CMD(SNP_SET_CONFIG)", SNP_SET_CONFIG, data) }.map_err(Error::from)
    }

    /// `SNP_VLEK_LOAD`: loads a wrapped VLEK hashstick from AMD's KDS (needs write access).
    pub fn snp_vlek_load(&self, hashstick: &VlekHashstick) -> Result<(), Error> {
        let mut req = SevUserDataSnpVlekLoad::new(hashstick as *const _ as u64);
        let data = &raw mut req as u64;
        // SAFETY: `data` points at `req`; its `vlek_wrapped_address` points at the borrowed
        // 432-byte hashstick, which the kernel only reads.
        unsafe { self.issue("SEV_ISSUE_CMD(SNP_VLEK_LOAD)", SNP_VLEK_LOAD, data) }.map_err(Error::from)
    }
}

/// The length reported by a length query: the firmware answers `INVALID_LEN` (or success on
/// some kernels) and writes the size it needs.
fn length_from_query(r: Result<(), IoctlError>, reported: u32) -> Result<u32, Error> {
    match r {
        Ok(()) => Ok(reported),
        Err(e) if e.fw == Some(FirmwareStatus::InvalidLength) && reported > 0 => Ok(reported),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn len_u32(op: &'static str, len: usize) -> Result<u32, Error> {
    u32::try_from(len).map_err(|_| Error::InvalidArgument {
        op,
        reason: format!("length {len} does not fit the kernel's u32"),
    })
}

impl AsFd for SevDevice {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl crate::seam::PlatformDevice for SevDevice {
    fn platform_status(&mut self) -> Result<SevUserDataStatus, Error> {
        SevDevice::platform_status(self)
    }
    fn factory_reset(&mut self) -> Result<(), Error> {
        SevDevice::factory_reset(self)
    }
    fn pek_gen(&mut self) -> Result<(), Error> {
        SevDevice::pek_gen(self)
    }
    fn pek_csr(&mut self) -> Result<Vec<u8>, Error> {
        SevDevice::pek_csr(self)
    }
    fn pdh_gen(&mut self) -> Result<(), Error> {
        SevDevice::pdh_gen(self)
    }
    fn pdh_cert_export(&mut self) -> Result<PdhCertExport, Error> {
        SevDevice::pdh_cert_export(self)
    }
    fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error> {
        SevDevice::pek_cert_import(self, pek_cert, oca_cert)
    }
    fn get_id(&mut self) -> Result<Vec<u8>, Error> {
        SevDevice::get_id(self)
    }
    fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, Error> {
        SevDevice::snp_platform_status(self)
    }
    fn snp_commit(&mut self) -> Result<(), Error> {
        SevDevice::snp_commit(self)
    }
    fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), Error> {
        SevDevice::snp_set_config(self, config)
    }
    fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), Error> {
        SevDevice::snp_vlek_load(self, hashstick)
    }
}
