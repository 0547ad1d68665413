//! Errors of the device wrappers: errno is always kept, with the firmware (and VMM) status
//! where the kernel reported one.

use core::fmt;
use std::path::PathBuf;

use sev_types::status::{FirmwareStatus, VmmError};

/// A failed ioctl: which command, the errno, and the firmware / VMM status if the kernel
/// reported one.
///
/// ```
/// use sev_sys::IoctlError;
/// use sev_types::status::FirmwareStatus;
/// let e = IoctlError::new("SEV_ISSUE_CMD(SNP_COMMIT)", 5).with_firmware_status(0x01);
/// assert_eq!(e.errno, 5);
/// assert_eq!(e.fw, Some(FirmwareStatus::InvalidPlatformState));
/// assert!(e.to_string().contains("INVALID_PLATFORM_STATE"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IoctlError {
    /// The command that failed, e.g. `"SEV_ISSUE_CMD(SNP_PLATFORM_STATUS)"`.
    pub op: &'static str,
    /// The errno the ioctl returned (`libc::E*`).
    pub errno: i32,
    /// The firmware status the kernel reported, if any (never `SUCCESS`).
    pub fw: Option<FirmwareStatus>,
    /// The hypervisor error of a guest request, if any.
    pub vmm: Option<VmmError>,
}

impl IoctlError {
    /// An error with only an errno.
    pub const fn new(op: &'static str, errno: i32) -> Self {
        Self {
            op,
            errno,
            fw: None,
            vmm: None,
        }
    }

    /// Adds the firmware status from a kernel `error` field; 0 (no status) is dropped.
    pub const fn with_firmware_status(mut self, code: u32) -> Self {
        self.fw = if code == 0 {
            None
        } else {
            Some(FirmwareStatus::from_code(code))
        };
        self
    }

    /// Adds a hypervisor error.
    pub const fn with_vmm_error(mut self, vmm: Option<VmmError>) -> Self {
        self.vmm = vmm;
        self
    }

    /// The errno (`libc::E*`).
    pub const fn errno(&self) -> i32 {
        self.errno
    }

    /// The errno as an [`std::io::Error`].
    pub fn io_error(&self) -> std::io::Error {
        std::io::Error::from_raw_os_error(self.errno)
    }
}

impl fmt::Display for IoctlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed: {} (errno {})", self.op, self.io_error(), self.errno)?;
        if let Some(fw) = self.fw {
            write!(f, "; firmware status {fw}")?;
        }
        if let Some(vmm) = self.vmm {
            write!(f, "; VMM error {vmm}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IoctlError {}

/// Errors of the `/dev/sev`, `/dev/sev-guest` and KVM wrappers (and of any implementation of
/// the device traits in [`crate::traits`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The device node does not exist (`ENOENT` at open): no driver / not this kind of host.
    #[error("{} is absent (no such device node)", path.display())]
    DeviceAbsent {
        /// The path that was opened.
        path: PathBuf,
    },
    /// Opening the device failed for another reason (e.g. `EACCES`).
    #[error("opening {}: {source}", path.display())]
    Open {
        /// The path that was opened.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `KVM_MEMORY_ENCRYPT_OP` returned `ENOTTY`: this KVM has no SEV support (no AMD host, SEV
    /// disabled, or a VM type that has no encryption ops).
    #[error("SEV is not supported by this KVM ({op} returned ENOTTY)")]
    SevUnsupported {
        /// The command that was attempted.
        op: &'static str,
    },
    /// A caller-supplied argument was rejected before calling the kernel.
    #[error("invalid argument for {op}: {reason}")]
    InvalidArgument {
        /// The command.
        op: &'static str,
        /// Expected versus found.
        reason: String,
    },
    /// The kernel or firmware returned a response this crate cannot interpret.
    #[error("{op}: malformed response: {reason}")]
    MalformedResponse {
        /// The command.
        op: &'static str,
        /// Expected versus found.
        reason: String,
    },
    /// The firmware response carried a non-success status in its header.
    #[error("{op}: response status {status}")]
    ResponseStatus {
        /// The command.
        op: &'static str,
        /// The status from the response header.
        status: FirmwareStatus,
    },
    /// A failed ioctl (errno always kept).
    #[error(transparent)]
    Ioctl(#[from] IoctlError),
}

impl Error {
    /// The errno of the failure, where there was one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Ioctl(e) => Some(e.errno),
            Error::Open { source, .. } => source.raw_os_error(),
            Error::DeviceAbsent { .. } => Some(libc::ENOENT),
            Error::SevUnsupported { .. } => Some(libc::ENOTTY),
            Error::InvalidArgument { .. } | Error::ResponseStatus { .. } | Error::MalformedResponse { .. } => None,
        }
    }

    /// The firmware status of the failure, where there was one.
    pub fn firmware_status(&self) -> Option<FirmwareStatus> {
        match self {
            Error::Ioctl(e) => e.fw,
            Error::ResponseStatus { status, .. } => Some(*status),
            _ => None,
        }
    }
}
