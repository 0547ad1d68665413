//! `/dev/sev`: the platform seam.

use sev_types::guest::VlekHashstick;
use sev_types::platform::{SevUserDataStatus, SnpConfig, SnpPlatformStatus};

use crate::error::Error;

/// The PDH certificate and the platform certificate chain from `SEV_PDH_CERT_EXPORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdhCertExport {
    /// The PDH certificate (legacy SEV certificate format).
    pub pdh: Vec<u8>,
    /// The chain: PEK, OCA, CEK certificates.
    pub chain: Vec<u8>,
}

/// `/dev/sev`: the platform commands, one method per `SEV_*` / `SNP_*` command.
///
/// Every failure is an [`Error`] keeping the errno and the firmware status.
pub trait PlatformDevice {
    /// `SEV_PLATFORM_STATUS`.
    fn platform_status(&mut self) -> Result<SevUserDataStatus, Error>;
    /// `SEV_FACTORY_RESET`.
    fn factory_reset(&mut self) -> Result<(), Error>;
    /// `SEV_PEK_GEN`.
    fn pek_gen(&mut self) -> Result<(), Error>;
    /// `SEV_PEK_CSR`: the PEK certificate signing request (an unsigned SEV certificate).
    fn pek_csr(&mut self) -> Result<Vec<u8>, Error>;
    /// `SEV_PDH_GEN`.
    fn pdh_gen(&mut self) -> Result<(), Error>;
    /// `SEV_PDH_CERT_EXPORT`.
    fn pdh_cert_export(&mut self) -> Result<PdhCertExport, Error>;
    /// `SEV_PEK_CERT_IMPORT`: the PEK signed by the OCA, and the OCA certificate.
    fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error>;
    /// `SEV_GET_ID2`: the chip ID(s), 64 bytes per socket.
    fn get_id(&mut self) -> Result<Vec<u8>, Error>;
    /// `SNP_PLATFORM_STATUS`.
    fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, Error>;
    /// `SNP_COMMIT`.
    fn snp_commit(&mut self) -> Result<(), Error>;
    /// `SNP_SET_CONFIG`.
    fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), Error>;
    /// `SNP_VLEK_LOAD`.
    fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), Error>;
}
