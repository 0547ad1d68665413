//! How the simulated kernel reports a failed SEV command: `EIO` with the firmware status, as
//! `/dev/sev` and `KVM_MEMORY_ENCRYPT_OP` do, or a bare errno for checks made before the
//! firmware is called.

use sev_sys::{Error, IoctlError};
use sev_types::status::FirmwareStatus;

use crate::errno::EIO;

/// The firmware refused the command with `status`: the ioctl fails with `EIO`.
pub(super) fn firmware(op: &'static str, status: FirmwareStatus) -> Error {
    IoctlError::new(op, EIO).with_firmware_status(status.code()).into()
}

/// The kernel refused the command with `errno` before calling the firmware.
pub(super) fn kernel(op: &'static str, errno: i32) -> Error {
    IoctlError::new(op, errno).into()
}
