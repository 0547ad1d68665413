//! AMD certificate revocation lists (`/vcek/v1/{product}/crl`, `/vlek/v1/{product}/crl`):
//! signed by the ARK, listing revoked ASK/ASVK (and VCEK) serial numbers.

use alloc::string::String;
use alloc::vec::Vec;

use der::Decode;
use x509_cert::crl::TbsCertList;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::cert::{AmdCert, PssScheme, SignedParts, common_name, parse_pss, split_signed, verify_pss};
use super::chain::VerifiedChain;
use super::error::{HexBytes, SnpError, Subject};
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
    /// Parses a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, SnpError> {
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
                found: alloc::string::ToString::to_string(&outer.oid),
            });
        }
        let scheme = parse_pss(&der[parts.alg.clone()], what)?;
        let issuer_cn = common_name(&tbs.issuer, "issuer").map_err(|e| match e {
            SnpError::Unexpected {
                field, expected, found, ..
            } => SnpError::Unexpected {
                what,
                field,
                expected,
                found,
            },
            other => other,
        })?;
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

    /// Parses CRLs given as DER, PEM (`X509 CRL`) or a PEM bundle.
    pub fn parse_all(input: &[u8]) -> Result<Vec<Self>, SnpError> {
        super::pem::split_der_or_pem(input)?
            .iter()
            .map(|d| Crl::from_der(d))
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

/// Applies every CRL issued by the chain's ARK: signature, time window (unless `allow_stale`),
/// and the serials of the intermediate and the leaf. If CRLs are given but none names the
/// chain's ARK as issuer, that is an error.
pub(crate) fn check_chain(
    provider: &CryptoProvider,
    chain: &VerifiedChain,
    crls: &[Crl],
    now: u64,
    allow_stale: bool,
) -> Result<(), SnpError> {
    let ark = chain.ark();
    let mut applied = false;
    for crl in crls.iter().filter(|c| c.issuer_cn == ark.subject_cn()) {
        crl.verify(provider, ark)?;
        if !allow_stale {
            crl.check_time(now)?;
        }
        for cert in [chain.intermediate(), chain.leaf()] {
            if crl.is_revoked(cert.serial()) {
                return Err(SnpError::Revoked {
                    role: cert.role(),
                    serial: HexBytes(cert.serial().to_vec()),
                });
            }
        }
        applied = true;
    }
    match (applied, crls.first()) {
        (false, Some(c)) => Err(SnpError::CrlIssuer {
            expected: ark.subject_cn().into(),
            found: c.issuer_cn.clone(),
        }),
        _ => Ok(()),
    }
}
