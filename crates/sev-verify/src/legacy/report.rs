//! The PEK-signed legacy ATTESTATION report.

use sev_types::launch::sev::AttestationReport;
use sev_types::legacy::{KeyKind, SevCertificate, Usage};

use super::chain::{hash_alg, p384_point};
use super::{LegacyError, LinkFailure};
use crate::crypto::CryptoProvider;

/// Verifies the report's signature (bytes 0x00..0x34 as received) with the PEK of `pek`
/// (ECDSA P-384; the hash is the one the report's SIG_ALGO names, SHA-256 on real firmware).
///
/// Verify `pek` itself first ([`verify_platform`](super::verify_platform)).
pub fn verify_attestation_report(
    provider: &CryptoProvider,
    report: &AttestationReport<'_>,
    pek: &SevCertificate<'_>,
) -> Result<(), LegacyError> {
    let fail = LegacyError::Report;
    if pek.pubkey_usage() != Usage::Pek {
        return Err(fail(LinkFailure::SignerUsage {
            expected: Usage::Pek,
            found: pek.pubkey_usage(),
        }));
    }
    if report.sig_usage() != Usage::Pek {
        return Err(fail(LinkFailure::SignerUsage {
            expected: Usage::Pek,
            found: report.sig_usage(),
        }));
    }
    let algo = report.sig_algo();
    let (Some(KeyKind::Ecdsa), Some(hash)) = (algo.key_kind(), algo.hash()) else {
        return Err(fail(LinkFailure::Algorithm {
            expected: "ECDSA",
            found: algo,
        }));
    };
    if pek.pubkey_algo().key_kind() != Some(KeyKind::Ecdsa) {
        return Err(fail(LinkFailure::SignerKey("not an ECDSA key")));
    }
    let point = p384_point(pek).ok_or(fail(LinkFailure::SignerKey("not a P-384 point")))?;
    let r_s = report
        .signature()
        .p384_r_s_be()
        .ok_or(fail(LinkFailure::SignatureEncoding("R or S wider than 384 bits")))?;
    provider
        .ecdsa_p384
        .verify(&point, hash_alg(hash), report.signed_bytes(), &r_s)
        .map_err(|_| fail(LinkFailure::BadSignature))
}
