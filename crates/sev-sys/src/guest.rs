//! `/dev/sev-guest`: the guest-request ioctls, as a [`GuestTransport`].
//!
//! This is the only code that builds `struct snp_guest_request_ioctl` and
//! `struct snp_ext_report_req` ([`SnpExtReportReq`]) with user pointers. It checks every buffer against the size the
//! kernel reads or writes before issuing the ioctl, and reports failures as the kernel left
//! them (errno, `exitinfo2` when the driver wrote it). Interpreting the responses — header
//! status, report size, the certificate-buffer resize protocol, retries — lives above the
//! transport (the `snp-guest` crate), shared with simulators.

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::Path;

pub use sev_types::guest::DerivedKey;
use sev_types::guest::sev_guest::{SnpDerivedKeyReq, SnpExtReportReq, SnpReportReq};
use zerocopy::FromBytes;

use crate::error::Error;
use crate::guest_transport::CERTS_PAGE_SIZE;
use crate::guest_transport::{CertsBuffer, GuestCommand, GuestTransport, TransportError};
use crate::ioctls::raw;
use crate::sev::open_device;
use crate::uapi::*;

/// An open `/dev/sev-guest`.
///
/// Note the driver's behaviour: any failure other than the VMM's `INVALID_LEN` wipes the VMPCK,
/// after which every request fails with `ENOTTY` until the guest reboots. Argument errors this
/// type detects itself (wrong buffer sizes) are reported as `EINVAL` without calling the
/// kernel, so they never cost the VMPCK.
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
}

/// An argument error detected before the ioctl: `EINVAL`, no `exitinfo2`.
const fn einval() -> TransportError {
    TransportError {
        errno: libc::EINVAL,
        exit_info2: None,
    }
}

/// The failure of an issued ioctl: the errno, and `exitinfo2` only when the driver copied the
/// argument back (it does so only when `exitinfo2` is non-zero; the caller zeroed it).
fn failure(errno: nix::errno::Errno, arg: &SnpGuestRequestIoctl) -> TransportError {
    TransportError {
        errno: errno as i32,
        exit_info2: (arg.exitinfo2 != 0).then_some(arg.exitinfo2),
    }
}

impl GuestTransport for SevGuestDevice {
    /// Issues one `/dev/sev-guest` ioctl.
    ///
    /// `req` must be exactly the kernel's request struct (96 bytes of `struct snp_report_req`
    /// for reports and extended reports, 32 bytes of `struct snp_derived_key_req` for keys);
    /// `resp` at least the kernel's response size (4000 bytes, 64 for keys). For
    /// [`GuestCommand::ExtReport`], `certs` (if any) must be a page multiple of at most 16 KiB;
    /// `certs_len` is sent as `buf.len()` whatever `len` says, and `len` is set to the value
    /// the kernel left in `certs_len` (the size needed after a VMM `INVALID_LEN`). Anything
    /// else is `EINVAL` without a kernel call.
    fn guest_request(
        &mut self,
        cmd: GuestCommand,
        msg_version: u8,
        req: &[u8],
        resp: &mut [u8],
        certs: Option<&mut CertsBuffer<'_>>,
    ) -> Result<(), TransportError> {
        let fd = self.file.as_raw_fd();
        match cmd {
            GuestCommand::Report => {
                if certs.is_some() {
                    return Err(einval());
                }
                let resp = resp.get_mut(..SNP_REPORT_RESP_SIZE).ok_or_else(einval)?;
                // A copy in the aligned kernel struct: the kernel reads exactly these bytes.
                let mut report_req = SnpReportReq::read_from_bytes(req).map_err(|_| einval())?;
                let mut arg = SnpGuestRequestIoctl::new(&raw mut report_req as u64, resp.as_mut_ptr() as u64);
                arg.msg_version = msg_version;
                arg.exitinfo2 = 0;
                // SAFETY: `req_data` points at `report_req` (the 96 bytes of
                // `struct snp_report_req`, read by the kernel), `resp_data` at `resp`, checked
                // above to be exactly the 4000 bytes the kernel writes. The kernel copies both
                // with `copy_{from,to}_user`, so alignment does not matter. Both outlive the
                // call.
                let r = unsafe { raw::snp_get_report(fd, &mut arg) };
                r.map(drop).map_err(|e| failure(e, &arg))
            }
            GuestCommand::DerivedKey => {
                if certs.is_some() {
                    return Err(einval());
                }
                let resp = resp.get_mut(..SNP_DERIVED_KEY_RESP_SIZE).ok_or_else(einval)?;
                let mut key_req = SnpDerivedKeyReq::read_from_bytes(req).map_err(|_| einval())?;
                let mut arg = SnpGuestRequestIoctl::new(&raw mut key_req as u64, resp.as_mut_ptr() as u64);
                arg.msg_version = msg_version;
                arg.exitinfo2 = 0;
                // SAFETY: `req_data` points at `key_req` (the 32 bytes of
                // `struct snp_derived_key_req`, read), `resp_data` at `resp`, checked to be the
                // 64 bytes the kernel writes (copied byte-wise, alignment does not matter).
                // Both outlive the call.
                let r = unsafe { raw::snp_get_derived_key(fd, &mut arg) };
                r.map(drop).map_err(|e| failure(e, &arg))
            }
            GuestCommand::ExtReport => {
                let resp = resp.get_mut(..SNP_REPORT_RESP_SIZE).ok_or_else(einval)?;
                let data = SnpReportReq::read_from_bytes(req).map_err(|_| einval())?;
                let mut certs = certs;
                let (certs_address, certs_len) = match certs.as_deref_mut() {
                    None => (0u64, 0u32),
                    Some(c) => {
                        let len = c.buf.len();
                        if !len.is_multiple_of(CERTS_PAGE_SIZE) || len > SEV_FW_BLOB_MAX_SIZE {
                            return Err(einval());
                        }
                        let address = if len == 0 { 0 } else { c.buf.as_mut_ptr() as u64 };
                        // Cannot truncate: at most 16 KiB, checked above.
                        (address, len as u32)
                    }
                };
                let mut ext = SnpExtReportReq::new(data, certs_address, certs_len);
                let mut arg = SnpGuestRequestIoctl::new(&raw mut ext as u64, resp.as_mut_ptr() as u64);
                arg.msg_version = msg_version;
                arg.exitinfo2 = 0;
                // SAFETY: `req_data` points at `ext` (112 bytes, read; `certs_len` written back);
                // `ext.certs_address`/`certs_len` describe exactly the mutably borrowed
                // `certs.buf` (or are 0/0), which the kernel writes; `resp_data` points at
                // `resp`, checked to be the 4000 bytes the kernel writes. All outlive the call.
                let r = unsafe { raw::snp_get_ext_report(fd, &mut arg) };
                if let Some(c) = certs {
                    c.len = ext.certs_len();
                }
                r.map(drop).map_err(|e| failure(e, &arg))
            }
        }
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

    fn null_device() -> SevGuestDevice {
        SevGuestDevice::from_file(File::open("/dev/null").unwrap())
    }

    #[test]
    fn wrong_sizes_are_einval_without_a_kernel_call() {
        let mut dev = null_device();
        let mut resp = [0u8; SNP_REPORT_RESP_SIZE];
        let mut small = [0u8; 63];
        let cases: [(GuestCommand, &[u8], &mut [u8]); 3] = [
            (GuestCommand::Report, &[0u8; 95], &mut resp[..]),
            (GuestCommand::DerivedKey, &[0u8; 40], &mut small[..]),
            (GuestCommand::ExtReport, &[0u8; 112], &mut [0u8; 10][..]),
        ];
        for (cmd, req, resp) in cases {
            assert_eq!(dev.guest_request(cmd, 1, req, resp, None), Err(einval()), "{cmd:?}");
        }
        let mut resp = [0u8; SNP_REPORT_RESP_SIZE];
        for len in [1usize, 4095, 4097, SEV_FW_BLOB_MAX_SIZE + 4096] {
            let mut buf = vec![0u8; len];
            let mut c = CertsBuffer { buf: &mut buf, len: 0 };
            assert_eq!(
                dev.guest_request(GuestCommand::ExtReport, 1, &[0; 96], &mut resp, Some(&mut c)),
                Err(einval()),
                "len {len}"
            );
        }
        let mut buf = vec![0u8; 4096];
        let mut c = CertsBuffer { buf: &mut buf, len: 0 };
        assert_eq!(
            dev.guest_request(GuestCommand::Report, 1, &[0; 96], &mut resp, Some(&mut c)),
            Err(einval())
        );
    }

    /// On a wrong fd the kernel answers ENOTTY without copying the argument back: the zeroed
    /// `exitinfo2` stays zero, so none is reported.
    #[test]
    fn wrong_fd_keeps_errno_and_reports_no_exitinfo2() {
        let mut dev = null_device();
        let mut resp = [0u8; SNP_REPORT_RESP_SIZE];
        let enotty = Err(TransportError {
            errno: libc::ENOTTY,
            exit_info2: None,
        });
        assert_eq!(
            dev.guest_request(GuestCommand::Report, 1, &[0; 96], &mut resp, None),
            enotty
        );
        assert_eq!(
            dev.guest_request(GuestCommand::DerivedKey, 1, &[0; 32], &mut resp[..64], None),
            enotty
        );
        assert_eq!(
            dev.guest_request(GuestCommand::ExtReport, 1, &[0; 96], &mut resp, None),
            enotty
        );
        let mut buf = vec![0u8; 4096];
        let mut c = CertsBuffer { buf: &mut buf, len: 0 };
        assert_eq!(
            dev.guest_request(GuestCommand::ExtReport, 2, &[0; 96], &mut resp, Some(&mut c)),
            enotty
        );
        assert_eq!(c.len, 4096, "certs_len is sent as the buffer length");
    }
}
