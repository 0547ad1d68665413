//! What a guest hands a relying party: the report, the host's certificate table, the SVSM
//! manifest, and which interface produced them.

use sev_types::ParseError;
use sev_types::guest::CertTable;
use sev_types::report::Report;

/// Which interface produced the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// The `/dev/sev-guest` ioctls.
    Ioctl,
    /// configfs-tsm; the string is the report entry's `provider` attribute (`sev_guest` for SNP).
    Configfs(String),
    /// Another source (a simulator, a test double), by name.
    Other(String),
}

impl core::fmt::Display for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Provider::Ioctl => f.write_str("ioctl (/dev/sev-guest)"),
            Provider::Configfs(p) => write!(f, "configfs-tsm ({p})"),
            Provider::Other(p) => f.write_str(p),
        }
    }
}

/// Attestation evidence: the report bytes exactly as the firmware produced them, the
/// certificate table the host attached (empty when none), and the SVSM service manifest
/// (configfs-tsm with a service provider only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The attestation report (0x4A0 bytes, or more for future versions).
    pub report: Vec<u8>,
    /// The certificate table (GHCB layout), as the host filled it; empty when none.
    pub certs: Vec<u8>,
    /// The SVSM service manifest, when one was asked for.
    pub manifest: Option<Vec<u8>>,
    /// Where the evidence came from.
    pub provider: Provider,
}

impl Evidence {
    /// The report, parsed (a borrowed view).
    pub fn parsed_report(&self) -> Result<Report<'_>, ParseError> {
        Report::from_bytes(&self.report)
    }

    /// The certificate table, parsed (empty when the host supplied none).
    pub fn cert_table(&self) -> Result<CertTable<'_>, ParseError> {
        CertTable::from_bytes(&self.certs)
    }
}

/// A source of evidence, at the level a guest agent thinks in: 64 bytes of user data and a
/// VMPL in, evidence out. Implemented by the ioctl and configfs-tsm backends and by tests.
pub trait EvidenceSource {
    /// The error of this source.
    type Error: core::error::Error + Send + Sync + 'static;

    /// Asks for a report carrying `user_data` in REPORT_DATA, at `vmpl`, with the host's
    /// certificates when it has any.
    fn evidence(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, Self::Error>;
}

#[cfg(feature = "verify")]
impl Evidence {
    /// The certificates and CRLs of the certificate table as a `sev-verify` bundle (empty when
    /// the host supplied none). The table's limits and parsing rules are
    /// [`sev_verify::snp::CertBundle::add_table`]'s.
    pub fn cert_bundle(&self) -> Result<sev_verify::snp::CertBundle, sev_verify::snp::SnpError> {
        if self.certs.is_empty() {
            return Ok(sev_verify::snp::CertBundle::new());
        }
        let table = self.cert_table()?;
        sev_verify::snp::CertBundle::from_table(&table)
    }

    /// Verifies the report with `verifier` at `now` (seconds since the Unix epoch): with the
    /// certificate table when there is one (parsed under the verifier's relaxations),
    /// otherwise with the certificates of the verifier's store and cache alone (a VCEK or VLEK
    /// must then come from there).
    pub fn verify(
        &self,
        verifier: &sev_verify::snp::Verifier,
        now: u64,
    ) -> Result<sev_verify::snp::VerifiedReport, sev_verify::snp::SnpError> {
        let report = self.parsed_report()?;
        if self.certs.is_empty() {
            verifier.verify(&report, &sev_verify::snp::CertBundle::new(), now)
        } else {
            verifier.verify_table(&report, &self.cert_table()?, now)
        }
    }
}
