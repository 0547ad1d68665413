//! `/dev/sev-guest`: attestation reports and derived keys from inside an SNP guest.

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::Path;

pub use sev_types::guest::DerivedKey;
use sev_types::guest::ReportRspHeader;
use sev_types::guest::key::KeyRsp;
use sev_types::status::{ExitInfo2, VmmError};
use zerocopy::FromZeros;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, IoctlError};
use crate::ioctls::raw;
use crate::sev::open_device;
use crate::traits::{CERTS_PAGE_SIZE, ExtReport, ext_report_sized};
use crate::uapi::*;

/// An open `/dev/sev-guest`.
///
/// Note the driver's behaviour: any failure other than the VMM's `INVALID_LEN` wipes the VMPCK,
/// after which every request fails with `ENOTTY` until the guest reboots.
#[derive(Debug)]
pub struct SevGuestDevice {
    file: File,
}

impl SevGuestDevice {
    /// The device node.
    pub const PATH: &'static str = "/dev/sev-guest";

    /// Opens `/dev/sev-guest` read-write; `ENOENT` gives [`Error::DeviceAbsent`].
    pub fn open() -> Result<Self, Error> {
        Self::open_path(Self::PATH)
    }

    /// Opens a given node read-write.
    pub fn open_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        Ok(Self {
            file: open_device(path.as_ref(), true)?,
        })
    }

    /// Wraps an already open `/dev/sev-guest` file.
    pub fn from_file(file: File) -> Self {
        Self { file }
    }

    /// `SNP_GET_REPORT`: an attestation report with `user_data` in REPORT_DATA, at `vmpl`.
    pub fn get_report(&self, user_data: &[u8; SNP_REPORT_USER_DATA_SIZE], vmpl: u32) -> Result<Vec<u8>, Error> {
        const OP: &str = "SNP_GET_REPORT";
        let mut req = SnpReportReq::new(*user_data, vmpl);
        let mut resp = Box::new(SnpReportResp::new_zeroed());
        let mut arg = SnpGuestRequestIoctl::new(&raw mut req as u64, &raw mut *resp as u64);
        // SAFETY: `arg.req_data` points at `req` (96 bytes, read by the kernel) and
        // `arg.resp_data` at the boxed 4000-byte `resp` (written); both outlive the call.
        let r = unsafe { raw::snp_get_report(self.file.as_raw_fd(), &mut arg) };
        check_guest(OP, r, &arg)?;
        report_from_response(OP, &resp.data)
    }

    /// `SNP_GET_DERIVED_KEY`: a key derived from a PSP root key (wiped on drop). The response
    /// buffer is wiped too. Build the request from `sev_types::guest::key::KeyReqV1` with
    /// `SnpDerivedKeyReq::from`.
    pub fn get_derived_key(&self, request: &SnpDerivedKeyReq) -> Result<DerivedKey, Error> {
        const OP: &str = "SNP_GET_DERIVED_KEY";
        let mut req = *request;
        let mut resp = Zeroizing::new(SnpDerivedKeyResp::new_zeroed());
        let mut arg = SnpGuestRequestIoctl::new(&raw mut req as u64, &raw mut *resp as u64);
        // SAFETY: `req_data` points at `req` (32 bytes, read) and `resp_data` at `resp`
        // (64 bytes, written); both live on this frame across the call.
        let r = unsafe { raw::snp_get_derived_key(self.file.as_raw_fd(), &mut arg) };
        check_guest(OP, r, &arg)?;
        let (rsp, _) = KeyRsp::from_prefix(&resp.data).map_err(|e| malformed(OP, e))?;
        if !rsp.status().is_success() {
            return Err(Error::ResponseStatus {
                op: OP,
                status: rsp.status(),
            });
        }
        let key = DerivedKey::from_response(&resp.data).map_err(|e| malformed(OP, e));
        resp.zeroize();
        key
    }

    /// `SNP_GET_EXT_REPORT` with a caller buffer for the certificate table (`certs.len()` must
    /// be a page multiple, at most 16 KiB; empty asks for no certificates).
    ///
    /// Returns the report; `certs` holds the certificate table the host wrote (parse it with
    /// `sev_types::guest::CertTable`). If the buffer is too small, the VMM answers
    /// `INVALID_LEN` and the kernel reports the size needed: that is
    /// [`Error::CertsBufferTooSmall`] (no VMPCK is lost in that case).
    pub fn get_ext_report_into(
        &self,
        user_data: &[u8; SNP_REPORT_USER_DATA_SIZE],
        vmpl: u32,
        certs: &mut [u8],
    ) -> Result<Vec<u8>, Error> {
        const OP: &str = "SNP_GET_EXT_REPORT";
        if !certs.len().is_multiple_of(CERTS_PAGE_SIZE) || certs.len() > SEV_FW_BLOB_MAX_SIZE {
            return Err(Error::InvalidArgument {
                op: OP,
                reason: format!(
                    "certificate buffer must be a multiple of {CERTS_PAGE_SIZE} bytes and at most {SEV_FW_BLOB_MAX_SIZE}, got {}",
                    certs.len()
                ),
            });
        }
        let given = certs.len() as u32;
        let mut req = SnpExtReportReq {
            data: SnpReportReq::new(*user_data, vmpl),
            certs_address: if certs.is_empty() { 0 } else { certs.as_mut_ptr() as u64 },
            certs_len: given,
            _pad: 0,
        };
        let mut resp = Box::new(SnpReportResp::new_zeroed());
        let mut arg = SnpGuestRequestIoctl::new(&raw mut req as u64, &raw mut *resp as u64);
        // SAFETY: `req_data` points at `req` (112 bytes, read, and `certs_len` written back);
        // `req.certs_address`/`certs_len` describe the borrowed `certs` slice (written);
        // `resp_data` points at the boxed 4000-byte `resp` (written). All outlive the call.
        let r = unsafe { raw::snp_get_ext_report(self.file.as_raw_fd(), &mut arg) };
        if let Err(e) = check_guest(OP, r, &arg) {
            if let Error::Ioctl(ioctl) = e {
                if ioctl.vmm == Some(VmmError::InvalidLength) {
                    return Err(Error::CertsBufferTooSmall {
                        needed: req.certs_len,
                        given,
                        ioctl,
                    });
                }
            }
            return Err(e);
        }
        report_from_response(OP, &resp.data)
    }

    /// `SNP_GET_EXT_REPORT`, sizing the certificate buffer automatically: asks with no buffer,
    /// and if the host has certificates (VMM `INVALID_LEN` with the needed size) asks again with
    /// a buffer of that size. The certificate buffer is returned as the host filled it (table,
    /// certificates, zero tail); parse it with `sev_types::guest::CertTable`.
    pub fn get_ext_report(&self, user_data: &[u8; SNP_REPORT_USER_DATA_SIZE], vmpl: u32) -> Result<ExtReport, Error> {
        ext_report_sized(|certs| self.get_ext_report_into(user_data, vmpl, certs))
    }
}

/// Maps a guest-request ioctl result: errno kept; `exitinfo2` decoded unless the driver left its
/// "no answer" preset (0xff) in place.
fn check_guest(op: &'static str, r: nix::Result<libc::c_int>, arg: &SnpGuestRequestIoctl) -> Result<(), Error> {
    let errno = match r {
        Ok(_) => return Ok(()),
        Err(errno) => errno as i32,
    };
    let info = arg.exit_info2();
    let mut e = IoctlError::new(op, errno);
    if info != ExitInfo2::NO_ANSWER {
        e = e.with_firmware_status(arg.fw_error()).with_vmm_error(info.vmm_error());
    }
    Err(e.into())
}

fn malformed(op: &'static str, e: sev_types::ParseError) -> Error {
    Error::MalformedResponse {
        op,
        reason: e.to_string(),
    }
}

/// The report following the MSG_REPORT_RSP header, `report_size` bytes long (not forced to the
/// current 0x4A0, so newer report versions pass through; parse them with
/// `sev_types::report::Report::from_bytes`).
fn report_from_response(op: &'static str, data: &[u8; SNP_REPORT_RESP_SIZE]) -> Result<Vec<u8>, Error> {
    let (hdr, rest) = ReportRspHeader::from_prefix(data).map_err(|e| malformed(op, e))?;
    if !hdr.status().is_success() {
        return Err(Error::ResponseStatus {
            op,
            status: hdr.status(),
        });
    }
    let size = hdr.report_size() as usize;
    match rest.get(..size) {
        Some(report) => Ok(report.to_vec()),
        None => Err(Error::MalformedResponse {
            op,
            reason: format!(
                "response header claims a {size}-byte report, at most {} fit",
                rest.len()
            ),
        }),
    }
}

impl AsFd for SevGuestDevice {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sev_types::status::FirmwareStatus;

    #[test]
    fn report_header_bounds_are_checked() {
        let mut data = [0u8; SNP_REPORT_RESP_SIZE];
        data[4..8].copy_from_slice(&0x4A0u32.to_le_bytes());
        data[32] = 2;
        let r = report_from_response("t", &data).unwrap();
        assert_eq!(r.len(), 0x4A0);
        assert_eq!(r[0], 2);
        data[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            report_from_response("t", &data),
            Err(Error::MalformedResponse { .. })
        ));
        data[0] = 0x16;
        assert!(matches!(
            report_from_response("t", &data),
            Err(Error::ResponseStatus {
                status: FirmwareStatus::InvalidParam,
                ..
            })
        ));
    }
}
