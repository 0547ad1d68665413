//! The certificate table of an extended report (or a configfs-tsm auxblob) → a chain.
//!
//! Table GUIDs only say where a blob came from; roles are taken from the certificates
//! themselves. Blobs under unknown GUIDs are ignored; CRL blobs are parsed and handed back.

use alloc::sync::Arc;
use alloc::vec::Vec;

use sev_types::guest::{CertKind, CertTable};
use sev_types::report::Report;

use super::cert::AmdCert;
use super::chain::{VerifiedChain, verify_parsed_chain};
use super::crl::Crl;
use super::error::SnpError;
use super::report::{VerifiedReport, VerifyOptions, leaf_role_for, verify_report_with_chain};
use super::roots::TrustStore;
use crate::crypto::CryptoProvider;

/// The certificates and CRLs found in a certificate table.
#[derive(Debug, Clone, Default)]
pub struct TableContents {
    /// Every X.509 certificate, parsed and classified by content.
    pub certs: Vec<AmdCert>,
    /// Every CRL (from CRL entries).
    pub crls: Vec<Crl>,
}

impl TableContents {
    /// Parses every ARK/ASK/VCEK/VLEK and CRL blob of `table`. A blob under a certificate GUID
    /// that is not an AMD certificate is an error; unknown GUIDs are skipped.
    ///
    /// ```
    /// use sev_types::guest::{CertKind, CertTable, certs::CertTableBuilder};
    /// use sev_verify::snp::{Role, cert_table::TableContents};
    /// let vlek = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/vlek/milan/vlek.der"))?;
    /// let buf = CertTableBuilder::new().push(CertKind::Vlek, &vlek).build()?;
    /// let contents = TableContents::from_table(&CertTable::from_bytes(&buf)?)?;
    /// assert_eq!(contents.certs[0].role(), Role::Vlek);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_table(table: &CertTable<'_>) -> Result<Self, SnpError> {
        let mut out = TableContents::default();
        for cert in table.iter() {
            match cert.kind {
                CertKind::Ark | CertKind::Ask | CertKind::Vcek | CertKind::Vlek => {
                    out.certs.push(AmdCert::from_der(cert.data)?);
                }
                CertKind::Crl => out.crls.extend(Crl::parse_all(cert.data)?),
                _ => {}
            }
        }
        Ok(out)
    }

    /// Verifies the chain in the table (missing ARK/ASK/ASVK from `store`), preferring the VLEK
    /// when the table has one.
    pub fn verify_chain(
        &self,
        provider: &CryptoProvider,
        store: &TrustStore,
        now: u64,
    ) -> Result<Arc<VerifiedChain>, SnpError> {
        verify_parsed_chain(provider, store, self.certs.clone(), None, now, None).map(Arc::new)
    }
}

/// Verifies `report` with the certificates of its certificate table: the leaf is the one the
/// report's SIGNING_KEY names; whatever is missing is named in [`SnpError::MissingCertificate`].
pub fn verify_report_with_table(
    provider: &CryptoProvider,
    store: &TrustStore,
    report: &Report<'_>,
    table: &CertTable<'_>,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedReport, SnpError> {
    let contents = TableContents::from_table(table)?;
    let role = leaf_role_for(report)?;
    let chain = verify_parsed_chain(provider, store, contents.certs, Some(role), opts.now, opts.cache)?;
    verify_report_with_chain(provider, report, Arc::new(chain), opts)
}
