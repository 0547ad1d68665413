//! Offline verification of SNP attestation reports.

use core::ffi::{c_char, c_int};

use sev::types::guest::CertTable;
use sev::types::report::Report;
use sev::verify::crypto::default_provider;
use sev::verify::policy::Policy;
use sev::verify::snp::{SnpError, TrustStore, VerifiedReport, Verifier};

use crate::error::{Failure, SEV_ERR_INVALID, SEV_ERR_POLICY, guard, snp_code};
use crate::ffi;

/// The seconds since the Unix epoch, for certificate validity.
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A failure with the text to hand back as the reason.
struct Refusal {
    failure: Failure,
    reason: String,
}

impl Refusal {
    fn new(code: c_int, reason: impl Into<String>) -> Self {
        Refusal {
            failure: Failure::code(code),
            reason: reason.into(),
        }
    }
}

impl From<Failure> for Refusal {
    fn from(failure: Failure) -> Self {
        // SAFETY: sev_strerror returns a static NUL-terminated string.
        let text = unsafe { core::ffi::CStr::from_ptr(crate::error::sev_strerror(failure.code)) };
        Refusal {
            failure,
            reason: text.to_string_lossy().into_owned(),
        }
    }
}

impl From<SnpError> for Refusal {
    fn from(e: SnpError) -> Self {
        Refusal::new(snp_code(e.kind()), e.to_string())
    }
}

/// Parses the optional policy JSON (a `sev::verify::policy::Policy`).
fn parse_policy(json: Option<&str>) -> Result<Option<Policy>, Refusal> {
    json.map(|j| {
        serde_json::from_str::<Policy>(j).map_err(|e| Refusal::new(SEV_ERR_INVALID, format!("policy JSON: {e}")))
    })
    .transpose()
}

/// Appraises a verified report under `policy`: every violation joined into the reason.
fn appraise(verified: &VerifiedReport, report: &Report<'_>, policy: Option<&Policy>) -> Result<(), Refusal> {
    let Some(policy) = policy else { return Ok(()) };
    verified.appraise(report, policy).map_err(|violations| {
        let text = violations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        Refusal::new(SEV_ERR_POLICY, text)
    })
}

/// Runs a verification at the boundary: the reason is written for every failure, and emptied
/// (when given) on success.
fn run(reason: *mut c_char, reason_len: usize, f: impl FnOnce() -> Result<(), Refusal>) -> c_int {
    let mut text = String::new();
    let code = guard(core::ptr::null_mut(), || {
        f().map_err(|r| {
            text = r.reason;
            r.failure
        })
    });
    if code != 0 && text.is_empty() {
        text = String::from("internal error");
    }
    // SAFETY: the caller passes NULL or `reason_len` writable bytes at `reason`.
    unsafe { ffi::write_text(reason, reason_len, &text) };
    code
}

/// Verifies an SNP attestation report offline against the built-in AMD roots (ARK, ASK and
/// ASVK of Milan, Genoa and Turin) at the current time.
///
/// `report`/`report_len`: the report as the firmware produced it (at least 0x4A0 bytes).
/// `vek_der`/`vek_len`: the VCEK or VLEK certificate (DER) that signed it.
/// `policy_json`: NULL, or a NUL-terminated JSON policy (sev-verify's `Policy`, the format of
/// `sev verify report --policy`), e.g. `{"measurements": ["<96 hex digits>"]}`.
/// `reason`/`reason_len`: NULL and 0, or a buffer that receives a NUL-terminated reason on
/// failure (cut to fit) and an empty string on success.
///
/// Returns `SEV_OK` when the report is valid; `SEV_ERR_SIGNATURE` when a signature or the
/// chain fails; `SEV_ERR_POLICY` when the policy is violated; `SEV_ERR_INVALID` for malformed
/// input or policy; `SEV_ERR_MISSING_CERT` / `SEV_ERR_REVOKED` as the CLI's `sev verify`;
/// `SEV_ERR_NULL_POINTER` for a NULL `report` or `vek_der`.
///
/// # Safety
/// Non-NULL pointers must point to as many readable (or, for `reason`, writable) bytes as their
/// lengths say; `policy_json` must be NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_verify_report(
    report: *const u8,
    report_len: usize,
    vek_der: *const u8,
    vek_len: usize,
    policy_json: *const c_char,
    reason: *mut c_char,
    reason_len: usize,
) -> c_int {
    run(reason, reason_len, || {
        // SAFETY: the caller's guarantees for each pointer and length, as documented above.
        let (report, vek, policy) = unsafe {
            (
                ffi::input(report, report_len)?,
                ffi::input(vek_der, vek_len)?,
                ffi::optional_str(policy_json)?,
            )
        };
        let policy = parse_policy(policy)?;
        let parsed = Report::from_bytes(report).map_err(|e| Refusal::new(SEV_ERR_INVALID, format!("report: {e}")))?;
        let verifier = Verifier::builtin(default_provider());
        let verified = verifier.verify_der(&parsed, &[vek], now())?;
        appraise(&verified, &parsed, policy.as_ref())
    })
}

/// Verifies an SNP report with the certificate table of an extended report (GHCB layout:
/// ARK, ASK or ASVK, VCEK or VLEK, optional CRL), at the current time.
///
/// `ark_der`/`ark_len`: NULL and 0 to trust the built-in AMD roots, or the one ARK (DER) to
/// trust instead (e.g. the simulator's test root). Everything else is as
/// [`sev_snp_verify_report`].
///
/// # Safety
/// As [`sev_snp_verify_report`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_verify_extended_report(
    report: *const u8,
    report_len: usize,
    cert_table: *const u8,
    cert_table_len: usize,
    ark_der: *const u8,
    ark_len: usize,
    policy_json: *const c_char,
    reason: *mut c_char,
    reason_len: usize,
) -> c_int {
    run(reason, reason_len, || {
        // SAFETY: the caller's guarantees for each pointer and length, as documented above.
        let (report, table, ark, policy) = unsafe {
            (
                ffi::input(report, report_len)?,
                ffi::input(cert_table, cert_table_len)?,
                ffi::optional_input(ark_der, ark_len)?,
                ffi::optional_str(policy_json)?,
            )
        };
        let policy = parse_policy(policy)?;
        let parsed = Report::from_bytes(report).map_err(|e| Refusal::new(SEV_ERR_INVALID, format!("report: {e}")))?;
        let table = CertTable::from_bytes(table)
            .map_err(|e| Refusal::new(SEV_ERR_INVALID, format!("certificate table: {e}")))?;
        let provider = default_provider();
        let verifier = match ark {
            None => Verifier::builtin(provider),
            Some(ark) => Verifier::new(provider, TrustStore::pinned(&provider, &[ark], &[])?),
        };
        let verified = verifier.verify_table(&parsed, &table, now())?;
        appraise(&verified, &parsed, policy.as_ref())
    })
}
