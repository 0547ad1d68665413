//! The seam under `/dev/sev-guest`: one call per guest-request ioctl, with the request and
//! response payloads as bytes in the kernel's layouts.
//!
//! [`crate::SevGuestDevice`] implements it with the real ioctls (the only code that touches
//! pointers); a simulator implements it in software. Everything above — building requests,
//! the extended-report resize protocol, decoding `exitinfo2` and response headers, retries —
//! is written once, against this trait, so a simulator exercises the same code as a real guest.

/// Granularity of the extended report's certificate buffer (guest pages).
pub const CERTS_PAGE_SIZE: usize = 4096;

/// Which `/dev/sev-guest` ioctl.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GuestCommand {
    /// `SNP_GET_REPORT`: request `struct snp_report_req` (96 bytes), response 4000 bytes.
    Report,
    /// `SNP_GET_DERIVED_KEY`: request `struct snp_derived_key_req` (32 bytes), response 64 bytes.
    DerivedKey,
    /// `SNP_GET_EXT_REPORT`: request `struct snp_report_req` (the `data` member of
    /// `struct snp_ext_report_req`), response 4000 bytes, plus a certificate buffer.
    ExtReport,
}

impl GuestCommand {
    /// The ioctl's name.
    pub const fn name(self) -> &'static str {
        match self {
            GuestCommand::Report => "SNP_GET_REPORT",
            GuestCommand::DerivedKey => "SNP_GET_DERIVED_KEY",
            GuestCommand::ExtReport => "SNP_GET_EXT_REPORT",
        }
    }
}

/// The certificate buffer of an extended report request: `buf` is what the caller offers
/// (empty: no certificates wanted; otherwise a page multiple of at most 16 KiB), and `len` is
/// `certs_len` of `struct snp_ext_report_req`: `buf.len()` going in; the size the host needs
/// when it answers `INVALID_LEN`.
#[derive(Debug)]
pub struct CertsBuffer<'a> {
    /// The buffer the host fills with its certificate table.
    pub buf: &'a mut [u8],
    /// `certs_len`, in and out.
    pub len: u32,
}

/// A guest request the driver failed: the errno, and `exitinfo2` when the driver wrote one
/// back (firmware status in bits 31:0, VMM error in bits 63:32; `0xff` means no answer came).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportError {
    /// The ioctl's errno (`libc::E*`).
    pub errno: i32,
    /// `exitinfo2` as copied back by the driver, if it was.
    pub exit_info2: Option<u64>,
}

/// One guest-request ioctl. `msg_version` is the `msg_version` of
/// `struct snp_guest_request_ioctl`; `req` is the request payload in the kernel's layout, and
/// `resp` the response buffer the driver writes (header, then report or key).
pub trait GuestTransport {
    /// Performs the request.
    fn guest_request(
        &mut self,
        cmd: GuestCommand,
        msg_version: u8,
        req: &[u8],
        resp: &mut [u8],
        certs: Option<&mut CertsBuffer<'_>>,
    ) -> Result<(), TransportError>;
}

impl<T: GuestTransport + ?Sized> GuestTransport for &mut T {
    fn guest_request(
        &mut self,
        cmd: GuestCommand,
        msg_version: u8,
        req: &[u8],
        resp: &mut [u8],
        certs: Option<&mut CertsBuffer<'_>>,
    ) -> Result<(), TransportError> {
        (**self).guest_request(cmd, msg_version, req, resp, certs)
    }
}
