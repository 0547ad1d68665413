//! The simulator's typed errors.

use sev_types::Product;
use sev_types::status::FirmwareStatus;

/// Why the simulator refused to build or to answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The product has no SNP TCB layout or no fake PKI (only Milan, Genoa, Bergamo/Siena and
    /// Turin are modelled).
    #[error("no simulated SNP secure processor for {0}")]
    UnsupportedProduct(Product),
    /// The report version is not one the simulator lays out (2, 3 or 5).
    #[error("report version {0} is not simulated (2, 3 or 5)")]
    UnsupportedReportVersion(u32),
    /// The firmware refused the request with this status (what MSG_REPORT_RSP or MSG_KEY_RSP
    /// would carry in STATUS).
    #[error("the simulated firmware refused the request: {0}")]
    Firmware(FirmwareStatus),
    /// The certificate table does not fit in a GHCB-style table.
    #[error("certificate table too large: {len} bytes")]
    CertTableTooLarge {
        /// The size it would have had.
        len: u64,
    },
}

impl SimError {
    /// The firmware status of a [`SimError::Firmware`] refusal.
    pub fn firmware_status(&self) -> Option<FirmwareStatus> {
        match self {
            SimError::Firmware(s) => Some(*s),
            _ => None,
        }
    }
}
