//! The certificate table of an extended report (or a configfs-tsm auxblob) → a verified report.
//!
//! Table GUIDs only say where a blob came from; roles are taken from the certificates
//! themselves. The table's limits are checked first (see [`CertBundle::add_table`]), so a
//! hostile table costs memory linear in its size.

use sev_types::guest::CertTable;
use sev_types::report::Report;

use super::VerifyOptions;
use super::bundle::CertBundle;
use super::error::SnpError;
use super::roots::TrustStore;
use super::verified::VerifiedReport;
use super::verifier::verify_with_bundle;
use crate::crypto::CryptoProvider;

/// Verifies `report` with the certificates of its certificate table: the leaf is the one the
/// report's SIGNING_KEY names; whatever is missing is named in [`SnpError::MissingCertificate`].
/// The CRLs in the table are applied together with `opts.crls`.
///
/// ```
/// use sev_types::guest::{CertKind, CertTable, certs::CertTableBuilder};
/// use sev_types::report::Report;
/// use sev_verify::snp::{verify_report_with_table, TrustStore, VerifyOptions};
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/vlek/milan");
/// let vlek = std::fs::read(format!("{dir}/vlek.der"))?;
/// let bytes = std::fs::read(format!("{dir}/report.bin"))?;
/// let buf = CertTableBuilder::new().push(CertKind::Vlek, &vlek).build()?;
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let table = CertTable::from_bytes(&buf)?;
/// let report = Report::from_bytes(&bytes)?;
/// let ok = verify_report_with_table(&provider, &store, &report, &table, &VerifyOptions::at(1_764_547_200))?;
/// assert_eq!(ok.signer(), sev_verify::snp::Endorsement::Vlek);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_report_with_table(
    provider: &CryptoProvider,
    store: &TrustStore,
    report: &Report<'_>,
    table: &CertTable<'_>,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedReport, SnpError> {
    let mut bundle = CertBundle::with_relaxations(opts.relax);
    bundle.add_table(table)?;
    verify_with_bundle(provider, store, report, &bundle, opts)
}
