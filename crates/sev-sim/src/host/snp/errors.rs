//! The two kinds of failure: a check the kernel makes (errno only) and a firmware refusal
//! (`EIO` with the firmware status).

use sev_sys::{Error, IoctlError};
use sev_types::status::FirmwareStatus;

use crate::errno::EIO;

/// A failure the kernel reports before (or instead of) calling the firmware.
pub(super) fn kernel(op: &'static str, errno: i32) -> Error {
    IoctlError::new(op, errno).into()
}

/// A firmware refusal: `EIO` with `status`, as the kernel reports every failed command.
pub(super) fn firmware(op: &'static str, status: FirmwareStatus) -> Error {
    IoctlError::new(op, EIO).with_firmware_status(status.code()).into()
}
