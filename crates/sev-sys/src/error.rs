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
/// the device seams in [`crate::seam`]).
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
    /// `KVM_CREATE_VM` cannot make a VM of this type here: the type is missing from
    /// `KVM_CAP_VM_TYPES` (or the kernel answered `EINVAL`), e.g. an SNP VM on a host without
    /// SEV-SNP.
    #[error("KVM VM type {vm_type} ({}) is not supported by this KVM (supported: {})",
        vm_type_name(*vm_type), supported_list(*supported))]
    VmTypeUnsupported {
        /// The requested `KVM_X86_*_VM` type.
        vm_type: u32,
        /// The supported types as a bitmask (bit N = type N), from `KVM_CAP_VM_TYPES`.
        supported: u64,
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
            Error::VmTypeUnsupported { .. } => Some(libc::EINVAL),
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

/// The name of a `KVM_X86_*_VM` type.
pub(crate) const fn vm_type_name(vm_type: u32) -> &'static str {
    match vm_type {
        0 => "KVM_X86_DEFAULT_VM",
        1 => "KVM_X86_SW_PROTECTED_VM",
        2 => "KVM_X86_SEV_VM",
        3 => "KVM_X86_SEV_ES_VM",
        4 => "KVM_X86_SNP_VM",
        5 => "KVM_X86_TDX_VM",
        _ => "unknown VM type",
    }
}

/// The types of a `KVM_CAP_VM_TYPES` mask, by name.
fn supported_list(mask: u64) -> String {
    let names: Vec<String> = (0..64u32)
        .filter(|t| mask & (1 << t) != 0)
        .map(|t| format!("{} ({t})", vm_type_name(t)))
        .collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_type_unsupported_names_both_sides() {
        let e = Error::VmTypeUnsupported {
            vm_type: 4,
            supported: 0b11,
        };
        assert_eq!(
            e.to_string(),
            "KVM VM type 4 (KVM_X86_SNP_VM) is not supported by this KVM (supported: \
             KVM_X86_DEFAULT_VM (0), KVM_X86_SW_PROTECTED_VM (1))"
        );
        assert_eq!(e.errno(), Some(libc::EINVAL));
    }
}
