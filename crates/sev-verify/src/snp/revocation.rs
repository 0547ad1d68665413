//! Applying CRLs to a verified chain.

use super::crl::Crl;
use super::error::{HexBytes, SnpError};
use super::verified::VerifiedChain;
use crate::crypto::CryptoProvider;

/// Applies every CRL issued by the chain's ARK: its signature under the ARK, its time window
/// (unless `allow_stale`), and the serials of the intermediate and the leaf. Returns how many
/// CRLs were applied (0 when `crls` is empty). CRLs are given but none is issued by the chain's
/// ARK: an error, so that a CRL meant for the chain can never be silently skipped.
///
/// ```
/// use sev_verify::snp::{apply_crls, verify_chain, Crl, Endorsement, TrustStore};
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let vcek = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev/vcek.der"))?;
/// let chain = verify_chain(&provider, &store, &[&vcek], Some(Endorsement::Vcek), 1_764_547_200, None)?;
/// assert_eq!(apply_crls(&provider, &chain, &[], 1_764_547_200, false)?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_crls(
    provider: &CryptoProvider,
    chain: &VerifiedChain,
    crls: &[Crl],
    now: u64,
    allow_stale: bool,
) -> Result<usize, SnpError> {
    let ark = chain.ark();
    let mut applied = 0;
    for crl in crls.iter().filter(|c| c.issuer_cn() == ark.subject_cn()) {
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
        applied += 1;
    }
    match (applied, crls.first()) {
        (0, Some(c)) => Err(SnpError::CrlIssuer {
            expected: ark.subject_cn().into(),
            found: c.issuer_cn().into(),
        }),
        _ => Ok(applied),
    }
}
