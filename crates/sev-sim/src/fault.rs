//! Error injection: what the next guest requests fail with.

use sev_sys::{GuestCommand, TransportError};
use sev_types::status::{ExitInfo2, FirmwareStatus, VmmError};

use crate::errno;

/// How one injected request fails. Build with [`Fault::firmware`], [`Fault::vmm`],
/// [`Fault::errno`] or [`Fault::response_status`], combine with the `with_*` methods.
///
/// As seen through [`sev_sys::GuestTransport`]:
///
/// * with a firmware status and/or a VMM error, the ioctl fails with `errno` (default:
///   `ETIMEDOUT` for VMM BUSY, as the driver gives up after retrying; `EIO` otherwise) and
///   `exit_info2` = `(vmm << 32) | firmware`; an injected VMM INVALID_LEN on an extended report
///   also writes the size the certificate table needs into `certs.len`;
/// * with only an errno, the ioctl fails with that errno and no `exit_info2`;
/// * with only a response status, the ioctl succeeds and the response header carries that
///   STATUS (report size 0, no report or key), as when the firmware refuses the request itself.
///
/// A fault makes the simulated driver wipe the VMPCK ([`Fault::wipes_vmpck`]) unless it is a
/// VMM INVALID_LEN, an errno-only EINVAL or ENOTTY (argument checks before any message is
/// sent), or a response status (the message exchange itself succeeded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fault {
    /// The errno of the failed ioctl.
    pub errno: Option<i32>,
    /// The firmware status in `exit_info2` bits 31:0.
    pub firmware: Option<FirmwareStatus>,
    /// The VMM error in `exit_info2` bits 63:32.
    pub vmm: Option<VmmError>,
    /// The STATUS of a successful exchange's response header (used only when the other three
    /// are `None`).
    pub response_status: Option<FirmwareStatus>,
}

impl Fault {
    /// The guest request fails with firmware status `status`: `EIO`, `exit_info2` = status.
    pub fn firmware(status: FirmwareStatus) -> Self {
        Fault {
            firmware: Some(status),
            ..Fault::default()
        }
    }

    /// The hypervisor fails the request with `vmm` (`INVALID_LEN` or `BUSY`).
    pub fn vmm(vmm: VmmError) -> Self {
        Fault {
            vmm: Some(vmm),
            ..Fault::default()
        }
    }

    /// The ioctl fails with `errno` alone (no `exit_info2`).
    pub fn errno(errno: i32) -> Self {
        Fault {
            errno: Some(errno),
            ..Fault::default()
        }
    }

    /// The exchange succeeds but the response header carries `status`.
    pub fn response_status(status: FirmwareStatus) -> Self {
        Fault {
            response_status: Some(status),
            ..Fault::default()
        }
    }

    /// Also sets the errno.
    pub fn with_errno(mut self, errno: i32) -> Self {
        self.errno = Some(errno);
        self
    }

    /// Also sets the firmware status.
    pub fn with_firmware(mut self, status: FirmwareStatus) -> Self {
        self.firmware = Some(status);
        self
    }

    /// Also sets the VMM error.
    pub fn with_vmm(mut self, vmm: VmmError) -> Self {
        self.vmm = Some(vmm);
        self
    }

    /// The transport error this fault produces, or `None` for a response-status fault (or an
    /// empty one).
    pub fn transport_error(&self) -> Option<TransportError> {
        let exit_info2 = (self.firmware.is_some() || self.vmm.is_some())
            .then(|| ExitInfo2::new(self.vmm, self.firmware.unwrap_or(FirmwareStatus::Success)).0);
        if exit_info2.is_none() {
            return self.errno.map(|errno| TransportError {
                errno,
                exit_info2: None,
            });
        }
        let default_errno = if self.vmm == Some(VmmError::Busy) {
            errno::ETIMEDOUT
        } else {
            errno::EIO
        };
        Some(TransportError {
            errno: self.errno.unwrap_or(default_errno),
            exit_info2,
        })
    }

    /// Whether the simulated driver wipes the VMPCK after this fault (see the type's docs).
    pub fn wipes_vmpck(&self) -> bool {
        let Some(err) = self.transport_error() else {
            return false;
        };
        if self.vmm == Some(VmmError::InvalidLength) {
            return false;
        }
        !(err.exit_info2.is_none() && matches!(err.errno, errno::EINVAL | errno::ENOTTY))
    }
}

/// Faults queued for the next requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultQueue {
    entries: Vec<Pending>,
}

#[derive(Debug, Clone)]
struct Pending {
    cmd: Option<GuestCommand>,
    fault: Fault,
    remaining: u32,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, cmd: Option<GuestCommand>, fault: Fault, times: u32) {
        if times > 0 {
            self.entries.push(Pending {
                cmd,
                fault,
                remaining: times,
            });
        }
    }

    /// Takes one use of the oldest fault that applies to `cmd`.
    pub(crate) fn take(&mut self, cmd: GuestCommand) -> Option<Fault> {
        let i = self.entries.iter().position(|p| p.cmd.is_none_or(|c| c == cmd))?;
        let p = &mut self.entries[i];
        let fault = p.fault;
        p.remaining -= 1;
        if p.remaining == 0 {
            self.entries.remove(i);
        }
        Some(fault)
    }

    pub(crate) fn pending(&self, cmd: GuestCommand) -> u32 {
        self.entries
            .iter()
            .filter(|p| p.cmd.is_none_or(|c| c == cmd))
            .map(|p| p.remaining)
            .sum()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}
