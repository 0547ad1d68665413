//! Return codes, [`sev_strerror`], and the boundary every exported function goes through:
//! `guard` catches panics and turns errors of the layer crates into codes.

use core::ffi::{c_char, c_int};
use std::panic::{AssertUnwindSafe, catch_unwind};

use sev::guest::GuestError;
use sev::host::HostError;
use sev::verify::snp::{ErrorKind, SnpError};

/// Success.
pub const SEV_OK: c_int = 0;
/// An input is unusable: malformed bytes, a value out of range, an unparsable policy
/// (the CLI's exit code 1).
pub const SEV_ERR_INVALID: c_int = -1;
/// A signature or the certificate chain does not verify (the CLI's exit code 2).
pub const SEV_ERR_SIGNATURE: c_int = -2;
/// A certificate needed for the chain is missing (the CLI's exit code 3).
pub const SEV_ERR_MISSING_CERT: c_int = -3;
/// A certificate is revoked, or a CRL is unusable (the CLI's exit code 4).
pub const SEV_ERR_REVOKED: c_int = -4;
/// The report violates the policy (the CLI's exit code 5).
pub const SEV_ERR_POLICY: c_int = -5;
/// The device is unavailable: absent, not openable, or this kernel lacks the VM type
/// (`sev host`'s exit code 2).
pub const SEV_ERR_DEVICE: c_int = -6;
/// The kernel or the firmware refused the command; the firmware status, if any, is in the
/// `fw_error` out-parameter (`sev host`'s exit code 3).
pub const SEV_ERR_FIRMWARE: c_int = -7;
/// A required pointer is NULL.
pub const SEV_ERR_NULL_POINTER: c_int = -8;
/// A length is wrong for what the pointer must hold.
pub const SEV_ERR_LENGTH: c_int = -9;
/// An output buffer is too small; the `*_written` out-parameter holds the size needed.
pub const SEV_ERR_BUFFER_TOO_SMALL: c_int = -10;
/// The handle is not in a state where this call is allowed (or a previous call failed and
/// consumed the launch).
pub const SEV_ERR_STATE: c_int = -11;
/// A bug in the library (a caught panic); nothing unwinds into C.
pub const SEV_ERR_INTERNAL: c_int = -12;

/// A failure inside the library: its code, and the firmware status to report, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: c_int,
    pub(crate) firmware: Option<u32>,
}

impl Failure {
    pub(crate) const fn code(code: c_int) -> Self {
        Failure { code, firmware: None }
    }
}

impl From<HostError> for Failure {
    fn from(e: HostError) -> Self {
        let firmware = e.firmware_status().map(|s| s.code());
        let code = match &e {
            HostError::Device { source, .. } | HostError::RetriesExhausted { last: source, .. } => device_code(source),
            HostError::Legacy { .. } => SEV_ERR_SIGNATURE,
            HostError::Random(_) => SEV_ERR_INTERNAL,
            _ => SEV_ERR_INVALID,
        };
        Failure { code, firmware }
    }
}

fn device_code(e: &sev::sys::Error) -> c_int {
    match e {
        sev::sys::Error::DeviceAbsent { .. }
        | sev::sys::Error::Open { .. }
        | sev::sys::Error::SevUnsupported { .. }
        | sev::sys::Error::VmTypeUnsupported { .. } => SEV_ERR_DEVICE,
        _ => SEV_ERR_FIRMWARE,
    }
}

impl From<GuestError> for Failure {
    fn from(e: GuestError) -> Self {
        let firmware = e.firmware_status().map(|s| s.code());
        let code = match &e {
            GuestError::DeviceAbsent { .. } => SEV_ERR_DEVICE,
            _ if firmware.is_some() || e.errno().is_some() => SEV_ERR_FIRMWARE,
            _ => SEV_ERR_INVALID,
        };
        Failure { code, firmware }
    }
}

impl From<&SnpError> for Failure {
    fn from(e: &SnpError) -> Self {
        Failure::code(snp_code(e.kind()))
    }
}

/// The code of a verification failure class, as the CLI's `sev verify` maps it.
pub(crate) fn snp_code(kind: ErrorKind) -> c_int {
    match kind {
        ErrorKind::MalformedReport => SEV_ERR_INVALID,
        ErrorKind::MissingCertificate => SEV_ERR_MISSING_CERT,
        ErrorKind::Revoked | ErrorKind::Crl => SEV_ERR_REVOKED,
        ErrorKind::Nonconforming => SEV_ERR_POLICY,
        _ => SEV_ERR_SIGNATURE,
    }
}

/// Runs `f` at the C boundary: a panic becomes [`SEV_ERR_INTERNAL`], an error its code; the
/// firmware status goes to `fw_error` (0 when there is none).
pub(crate) fn guard(fw_error: *mut u32, f: impl FnOnce() -> Result<(), Failure>) -> c_int {
    let result = catch_unwind(AssertUnwindSafe(f)).unwrap_or(Err(Failure::code(SEV_ERR_INTERNAL)));
    let (code, firmware) = match result {
        Ok(()) => (SEV_OK, None),
        Err(f) => (f.code, f.firmware),
    };
    if !fw_error.is_null() {
        // SAFETY: the caller passes either NULL (checked above) or a valid, writable, aligned
        // `uint32_t *`, as the header documents for every `fw_error` parameter.
        unsafe { fw_error.write(firmware.unwrap_or(0)) };
    }
    code
}

/// A static, NUL-terminated description of a return code of this library
/// (`"unknown error code"` for any other value). Never NULL; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn sev_strerror(code: c_int) -> *const c_char {
    let text: &'static core::ffi::CStr = match code {
        SEV_OK => c"success",
        SEV_ERR_INVALID => c"invalid input",
        SEV_ERR_SIGNATURE => c"signature or certificate chain verification failed",
        SEV_ERR_MISSING_CERT => c"a certificate needed for the chain is missing",
        SEV_ERR_REVOKED => c"a certificate is revoked or a CRL is unusable",
        SEV_ERR_POLICY => c"the report violates the policy",
        SEV_ERR_DEVICE => c"device unavailable",
        SEV_ERR_FIRMWARE => c"the kernel or the firmware refused the command",
        SEV_ERR_NULL_POINTER => c"a required pointer is NULL",
        SEV_ERR_LENGTH => c"wrong length",
        SEV_ERR_BUFFER_TOO_SMALL => c"output buffer too small",
        SEV_ERR_STATE => c"the handle is not in a state that allows this call",
        SEV_ERR_INTERNAL => c"internal error",
        _ => c"unknown error code",
    };
    text.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_internal_and_fw_error_is_cleared() {
        let mut fw = 7u32;
        let code = guard(&mut fw, || panic!("boom"));
        assert_eq!(code, SEV_ERR_INTERNAL);
        assert_eq!(fw, 0);
    }

    #[test]
    fn firmware_status_reaches_the_out_parameter() {
        let mut fw = 0u32;
        let code = guard(&mut fw, || {
            Err(Failure {
                code: SEV_ERR_FIRMWARE,
                firmware: Some(0x16),
            })
        });
        assert_eq!((code, fw), (SEV_ERR_FIRMWARE, 0x16));
    }

    #[test]
    fn every_code_has_its_own_text() {
        let codes = (SEV_ERR_INTERNAL..=SEV_OK).collect::<Vec<_>>();
        let texts: std::collections::HashSet<_> = codes
            .iter()
            .map(|&c| {
                // SAFETY: sev_strerror returns a static NUL-terminated string.
                unsafe { core::ffi::CStr::from_ptr(sev_strerror(c)) }
            })
            .collect();
        assert_eq!(texts.len(), codes.len());
    }
}
