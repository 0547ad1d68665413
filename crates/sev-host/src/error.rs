//! [`HostError`]: every failure of the platform and launch APIs.
//!
//! A device failure keeps the [`sev_sys::Error`] it came from, so the errno and the firmware
//! status (named through [`FirmwareStatus`]) are never lost; a rejected input says what was
//! expected and what was found.

use sev_sys::Error as DeviceError;
use sev_types::status::FirmwareStatus;

/// An error of `sev-host`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// A device command failed (errno, firmware status and VMM status kept).
    #[error("{step}: {source}")]
    Device {
        /// What this crate was doing, e.g. `"PEK_CSR"` or `"launch update of the firmware"`.
        step: &'static str,
        /// The device error.
        #[source]
        source: DeviceError,
    },
    /// A command kept answering `EAGAIN` / `EINTR` (or consumed nothing) past the retry bound.
    #[error("{step}: no progress after {attempts} attempts; last error: {last}")]
    RetriesExhausted {
        /// What this crate was doing.
        step: &'static str,
        /// How many calls were made without progress.
        attempts: u32,
        /// The last device error (a zero-progress answer is reported as `EAGAIN`).
        #[source]
        last: DeviceError,
    },
    /// An input or a device answer is not what it must be, checked before anything is sent.
    #[error("{what}: expected {expected}, found {found}")]
    Invalid {
        /// The value checked.
        what: &'static str,
        /// What it must be.
        expected: String,
        /// What it is.
        found: String,
    },
    /// Bytes did not parse as the structure they must be.
    #[error("{what}: {source}")]
    Parse {
        /// What was parsed.
        what: &'static str,
        /// The parse error.
        #[source]
        source: sev_types::ParseError,
    },
    /// A certificate chain or guest-owner check failed.
    #[error("{what}: {source}")]
    Legacy {
        /// What was verified.
        what: &'static str,
        /// The verification error.
        #[source]
        source: sev_verify::legacy::LegacyError,
    },
    /// The firmware image or the kernel hashes cannot be launched as asked.
    #[error("launch plan: {0}")]
    Plan(#[from] sev_measure::MeasureError),
    /// An OVMF image could not be read.
    #[error("OVMF image: {0}")]
    Ovmf(#[from] sev_measure::OvmfError),
    /// An OCA private key could not be loaded, stored or used.
    #[error("OCA key: {0}")]
    Key(String),
    /// The operating system's random source failed.
    #[error("random source unavailable: {0}")]
    Random(String),
}

impl HostError {
    /// A device failure during `step`.
    pub fn device(step: &'static str, source: DeviceError) -> Self {
        HostError::Device { step, source }
    }

    /// A rejected value: `what` was expected to be `expected` and is `found`.
    pub fn invalid(what: &'static str, expected: impl Into<String>, found: impl Into<String>) -> Self {
        HostError::Invalid {
            what,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// The errno of a device failure, if this is one.
    pub fn errno(&self) -> Option<i32> {
        self.device_error().and_then(DeviceError::errno)
    }

    /// The firmware status of a device failure, if the kernel reported one.
    pub fn firmware_status(&self) -> Option<FirmwareStatus> {
        self.device_error().and_then(DeviceError::firmware_status)
    }

    /// The underlying device error, if this is a device failure.
    pub fn device_error(&self) -> Option<&DeviceError> {
        match self {
            HostError::Device { source, .. } => Some(source),
            HostError::RetriesExhausted { last, .. } => Some(last),
            _ => None,
        }
    }
}

/// Maps a device result to a [`HostError::Device`] naming `step`.
pub(crate) trait DeviceResultExt<T> {
    fn step(self, step: &'static str) -> Result<T, HostError>;
}

impl<T> DeviceResultExt<T> for Result<T, DeviceError> {
    fn step(self, step: &'static str) -> Result<T, HostError> {
        self.map_err(|source| HostError::device(step, source))
    }
}

/// Maps a parse result to a [`HostError::Parse`] naming `what`.
pub(crate) fn parsed<T>(what: &'static str, r: Result<T, sev_types::ParseError>) -> Result<T, HostError> {
    r.map_err(|source| HostError::Parse { what, source })
}
