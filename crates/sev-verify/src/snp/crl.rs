//! AMD certificate revocation lists (`/vcek/v1/{product}/crl`, `/vlek/v1/{product}/crl`):
//! signed by the ARK, listing revoked ASK/ASVK (and VCEK) serial numbers.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::Decode;
use x509_cert::crl::TbsCertList;
use x509_cert::ext::Extension;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::cert::AmdCert;
use super::error::{HexBytes, SnpError, Subject};
use super::strict::Relaxations;
use super::x509::{PssScheme, SignedParts, common_name, parse_pss, split_signed, verify_pss};
use crate::crypto::CryptoProvider;

/// A parsed CRL, holding its exact bytes. Its signature is checked against the ARK of the chain
/// it is applied to.
#[derive(Debug, Clone)]
pub struct Crl {
    der: Vec<u8>,
    parts: SignedParts,
    scheme: PssScheme,
    issuer_cn: String,
    this_update: u64,
    next_update: Option<u64>,
    revoked: Vec<Vec<u8>>,
}

impl Crl {
    /// Parses a DER CRL with every check on ([`Crl::from_der_with`] with
    /// [`Relaxations::STRICT`]): the signature must be RSASSA-PSS with SHA-384, MGF1-SHA-384 and
    /// salt length 48, and neither the CRL nor any entry may carry a critical extension.
    pub fn from_der(der: &[u8]) -> Result<Self, SnpError> {
        Self::from_der_with(der, &Relaxations::STRICT)
    }

    /// [`Crl::from_der`] with the named exceptions of `relax`.
    ///
    /// [`Relaxations::pss_parameters`] also accepts RSASSA-PSS with SHA-256, MGF1-SHA-256 and
    /// salt length 32; [`Relaxations::crl_critical_extensions`] accepts critical extensions in
    /// crlExtensions and crlEntryExtensions, which stay unevaluated. The other fields are ignored
    /// here.
    ///
    /// ```
    /// use sev_testing::{Ext, FakePki};
    /// use sev_types::Product;
    /// use sev_verify::snp::{Crl, ErrorKind, Relaxations};
    /// let pki = FakePki::new(Product::Milan);
    /// let mut spec = pki.crl_spec();
    /// // deltaCRLIndicator, critical: this CRL only lists changes to a base CRL.
    /// spec.extensions.push(Ext { oid: "2.5.29.27".into(), critical: true, value: vec![0x02, 0x01, 0x07] });
    /// let der = pki.issue_crl(&spec);
    /// assert_eq!(Crl::from_der(&der).unwrap_err().kind(), ErrorKind::Crl);
    /// let relax = Relaxations { crl_critical_extensions: true, ..Relaxations::STRICT };
    /// assert_eq!(Crl::from_der_with(&der, &relax)?.issuer_cn(), "ARK-Milan");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_der_with(der: &[u8], relax: &Relaxations) -> Result<Self, SnpError> {
        let what = Subject::Crl;
        let parts = split_signed(der, what)?;
        let tbs = TbsCertList::<x509_cert::certificate::Rfc5280>::from_der(&der[parts.tbs.clone()])
            .map_err(|e| SnpError::der(what, e))?;
        let outer = AlgorithmIdentifierOwned::from_der(&der[parts.alg.clone()]).map_err(|e| SnpError::der(what, e))?;
        if outer != tbs.signature {
            return Err(SnpError::Unexpected {
                what,
                field: "signatureAlgorithm",
                expected: "the same algorithm as the TBS signature field",
                found: outer.oid.to_string(),
            });
        }
        let scheme = parse_pss(&der[parts.alg.clone()], what, relax)?;
        let issuer_cn = common_name(&tbs.issuer, what, "issuer")?;
        if !relax.crl_critical_extensions {
            refuse_critical(tbs.crl_extensions.as_deref(), None)?;
            for entry in tbs.revoked_certificates.iter().flatten() {
                refuse_critical(
                    entry.crl_entry_extensions.as_deref(),
                    Some(entry.serial_number.as_bytes()),
                )?;
            }
        }
        let revoked = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .map(|r| r.serial_number.as_bytes().to_vec())
            .collect();
        Ok(Crl {
            der: der.to_vec(),
            parts,
            scheme,
            issuer_cn,
            this_update: tbs.this_update.to_unix_duration().as_secs(),
            next_update: tbs.next_update.map(|t| t.to_unix_duration().as_secs()),
            revoked,
        })
    }

    /// Parses CRLs given as DER, PEM (`X509 CRL`) or a PEM bundle, with every check on.
    pub fn parse_all(input: &[u8]) -> Result<Vec<Self>, SnpError> {
        Self::parse_all_with(input, &Relaxations::STRICT)
    }

    /// [`Crl::parse_all`] with the named exceptions of `relax` (see [`Crl::from_der_with`]).
    /// Input that is neither DER nor PEM is a CRL failure ([`super::ErrorKind::Crl`]).
    pub fn parse_all_with(input: &[u8], relax: &Relaxations) -> Result<Vec<Self>, SnpError> {
        super::pem::split_der_or_pem(input)
            .map_err(|e| match e {
                SnpError::Pem { reason } => SnpError::Unexpected {
                    what: Subject::Crl,
                    field: "encoding",
                    expected: "DER, or PEM with an X509 CRL block",
                    found: reason.to_string(),
                },
                other => other,
            })?
            .iter()
            .map(|d| Crl::from_der_with(d, relax))
            .collect()
    }

    /// The CRL's bytes, exactly as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Issuer common name (`ARK-<product>` for AMD CRLs).
    pub fn issuer_cn(&self) -> &str {
        &self.issuer_cn
    }

    /// thisUpdate, seconds since the Unix epoch.
    pub fn this_update(&self) -> u64 {
        self.this_update
    }

    /// nextUpdate, seconds since the Unix epoch.
    pub fn next_update(&self) -> Option<u64> {
        self.next_update
    }

    /// Revoked serial numbers, big-endian, as certificates carry them.
    pub fn revoked_serials(&self) -> &[Vec<u8>] {
        &self.revoked
    }

    /// Whether `serial` is listed.
    pub fn is_revoked(&self, serial: &[u8]) -> bool {
        self.revoked.iter().any(|s| s == serial)
    }

    /// Verifies the CRL's signature under `ark` and that `ark` is its issuer.
    pub fn verify(&self, provider: &CryptoProvider, ark: &AmdCert) -> Result<(), SnpError> {
        if self.issuer_cn != ark.subject_cn() {
            return Err(SnpError::CrlIssuer {
                expected: ark.subject_cn().into(),
                found: self.issuer_cn.clone(),
            });
        }
        let msg = &self.der[self.parts.tbs.clone()];
        let sig = &self.der[self.parts.sig.clone()];
        verify_pss(provider, ark, self.scheme, msg, sig, Subject::Crl)
    }

    /// Checks thisUpdate ≤ `now` ≤ nextUpdate.
    pub fn check_time(&self, now: u64) -> Result<(), SnpError> {
        if now < self.this_update {
            return Err(SnpError::CrlNotYetValid {
                this_update: self.this_update,
                now,
            });
        }
        match self.next_update {
            Some(n) if now <= n => Ok(()),
            next_update => Err(SnpError::CrlStale { next_update, now }),
        }
    }
}

/// Refuses the first critical extension in `extensions` (no CRL extension is evaluated here);
/// `serial` names the entry they belong to, `None` for crlExtensions.
fn refuse_critical(extensions: Option<&[Extension]>, serial: Option<&[u8]>) -> Result<(), SnpError> {
    match extensions.unwrap_or_default().iter().find(|e| e.critical) {
        Some(ext) => Err(SnpError::CrlCriticalExtension {
            oid: ext.extn_id.to_string(),
            serial: serial.map(|s| HexBytes(s.to_vec())),
        }),
        None => Ok(()),
    }
}
