//! Why an SNP certificate, chain, CRL or report was refused.

use alloc::string::String;
use alloc::vec::Vec;

use sev_types::fmt::Hex;
use sev_types::key_info::SigningKey;
use sev_types::report::ReservedViolation;
use sev_types::{ParseError, Product};

use super::role::Role;

/// A stable, machine-readable class for every failure.
///
/// The `sev` CLI maps these to exit codes: [`ErrorKind::MissingCertificate`] → 3,
/// [`ErrorKind::Revoked`] and [`ErrorKind::Crl`] → 4, [`ErrorKind::Nonconforming`] → 5,
/// [`ErrorKind::MalformedReport`] → 1, all others → 2 (signature or chain failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The report bytes do not parse.
    MalformedReport,
    /// A certificate or CRL does not parse, or uses an algorithm AMD does not use.
    MalformedCertificate,
    /// A signature (certificate, CRL or report) does not verify.
    Signature,
    /// The certificates do not form an AMD chain (wrong issuer, roles, products, extensions).
    Chain,
    /// The chain ends in an ARK that is neither built in nor pinned.
    UntrustedRoot,
    /// A certificate is outside its validity period at the supplied time.
    Validity,
    /// The certificate does not describe the report (hwID, TCB, product, key type).
    Mismatch,
    /// A certificate the chain needs was not supplied.
    MissingCertificate,
    /// A certificate of the chain is listed in the CRL.
    Revoked,
    /// The CRL is malformed, not signed by the ARK, stale or not yet valid.
    Crl,
    /// The report is genuine but breaks a strict rule of AMD's ABI: a reserved field is not
    /// zero, its version is newer than this crate knows, or a Turin CHIP_ID has a non-zero tail.
    /// Each rule has a named relaxation ([`super::Relaxations`]).
    Nonconforming,
    /// A certificate table is malformed or exceeds the limits on entries and size.
    CertTable,
}

impl ErrorKind {
    /// A short stable identifier (`"signature"`, `"missing_certificate"`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::MalformedReport => "malformed_report",
            ErrorKind::MalformedCertificate => "malformed_certificate",
            ErrorKind::Signature => "signature",
            ErrorKind::Chain => "chain",
            ErrorKind::UntrustedRoot => "untrusted_root",
            ErrorKind::Validity => "validity",
            ErrorKind::Mismatch => "mismatch",
            ErrorKind::MissingCertificate => "missing_certificate",
            ErrorKind::Revoked => "revoked",
            ErrorKind::Crl => "crl",
            ErrorKind::Nonconforming => "nonconforming",
            ErrorKind::CertTable => "cert_table",
        }
    }
}

impl core::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which object a signature or parse failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Subject {
    /// A certificate with the given role (or [`Role::Unknown`] before classification).
    Certificate(Role),
    /// A certificate revocation list.
    Crl,
    /// The attestation report.
    Report,
}

impl core::fmt::Display for Subject {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Subject::Certificate(Role::Unknown) => f.write_str("certificate"),
            Subject::Certificate(r) => write!(f, "{r} certificate"),
            Subject::Crl => f.write_str("CRL"),
            Subject::Report => f.write_str("report"),
        }
    }
}

/// Hex bytes in error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl core::fmt::Display for HexBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&Hex(&self.0), f)
    }
}

impl core::fmt::Debug for HexBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&Hex(&self.0), f)
    }
}

/// An SNP verification failure. [`SnpError::kind`] gives its stable class.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnpError {
    /// The report bytes do not parse.
    #[error("report: {0}")]
    Report(#[from] ParseError),
    /// DER decoding failed.
    #[error("{what}: malformed DER: {error}")]
    Der {
        /// What was being decoded.
        what: Subject,
        /// The decoder's error (kind and position).
        error: der::Error,
    },
    /// A PEM block could not be decoded.
    #[error("PEM: {reason}")]
    Pem {
        /// What was wrong.
        reason: &'static str,
    },
    /// A field holds a value AMD certificates never use.
    #[error("{what}: {field} is {found}, expected {expected}")]
    Unexpected {
        /// The object.
        what: Subject,
        /// The field.
        field: &'static str,
        /// What AMD uses.
        expected: &'static str,
        /// What was found.
        found: String,
    },
    /// A certificate is not one of ARK, ASK, ASVK, VCEK, VLEK.
    #[error("certificate with subject CN {subject_cn:?} and issuer CN {issuer_cn:?} has no AMD role")]
    UnknownRole {
        /// Subject common name.
        subject_cn: String,
        /// Issuer common name.
        issuer_cn: String,
    },
    /// A certificate signature does not verify under its issuer's key.
    #[error("signature of the {what} does not verify under the {signer} key")]
    Signature {
        /// The signed object.
        what: Subject,
        /// The role whose key was used.
        signer: Role,
    },
    /// The report's signature does not verify under the VCEK/VLEK key.
    #[error("report signature does not verify under the {signer} key")]
    ReportSignature {
        /// VCEK or VLEK.
        signer: Role,
    },
    /// A certificate names an issuer other than the certificate above it.
    #[error("{role} certificate: issuer is {found:?}, expected {expected:?}")]
    IssuerMismatch {
        /// The certificate.
        role: Role,
        /// Subject CN of the certificate above it.
        expected: String,
        /// The issuer CN it names.
        found: String,
    },
    /// Two parts of the evidence name different products.
    #[error("{what}: product is {found}, expected {expected}")]
    ProductMismatch {
        /// Which part disagrees.
        what: &'static str,
        /// The product established so far.
        expected: Product,
        /// The product this part names.
        found: Product,
    },
    /// A product name does not name an SNP product with AMD roots.
    #[error("{what}: {found:?} names no SNP product")]
    UnknownProduct {
        /// Where the name was found.
        what: &'static str,
        /// The name.
        found: String,
    },
    /// The ARK is neither built in nor pinned by the caller.
    #[error("the ARK ({cn}) is not byte-identical to any built-in or pinned root")]
    UntrustedRoot {
        /// The ARK's subject CN.
        cn: String,
    },
    /// A certificate is not yet valid at the supplied time.
    #[error("{role} certificate is not valid before {not_before} (unix), time given is {now}")]
    NotYetValid {
        /// The certificate.
        role: Role,
        /// Start of validity, seconds since the Unix epoch.
        not_before: u64,
        /// The supplied time.
        now: u64,
    },
    /// A certificate has expired at the supplied time.
    #[error("{role} certificate expired at {not_after} (unix), time given is {now}")]
    Expired {
        /// The certificate.
        role: Role,
        /// End of validity, seconds since the Unix epoch.
        not_after: u64,
        /// The supplied time.
        now: u64,
    },
    /// A certificate the chain needs was not supplied.
    #[error("missing {0} certificate")]
    MissingCertificate(Role),
    /// More than one certificate with the same role was supplied, and they differ.
    #[error("two different {0} certificates supplied")]
    DuplicateCertificate(Role),
    /// An AMD extension is missing.
    #[error("{role} certificate lacks the {name} extension ({oid})")]
    MissingExtension {
        /// The certificate.
        role: Role,
        /// Extension name.
        name: &'static str,
        /// Extension OID.
        oid: &'static str,
    },
    /// An extension appears twice.
    #[error("certificate carries the {name} extension ({oid}) more than once")]
    DuplicateExtension {
        /// Extension name.
        name: &'static str,
        /// Extension OID.
        oid: &'static str,
    },
    /// An AMD extension is present where it must not be, or malformed.
    #[error("{role} certificate: {name} extension: {reason}")]
    BadExtension {
        /// The certificate.
        role: Role,
        /// Extension name.
        name: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The VCEK's hwID is not the report's CHIP_ID.
    #[error("VCEK hwID is {cert}, report CHIP_ID is {report}")]
    HwIdMismatch {
        /// hwID in the certificate.
        cert: HexBytes,
        /// The corresponding CHIP_ID bytes of the report.
        report: HexBytes,
    },
    /// A certificate SPL differs from the report's REPORTED_TCB.
    #[error("{component} SPL: certificate says {cert}, report's REPORTED_TCB says {report}")]
    TcbMismatch {
        /// The TCB component.
        component: &'static str,
        /// Value in the certificate.
        cert: u8,
        /// Value in the report.
        report: u8,
    },
    /// A VCEK was asked to verify a report whose CHIP_ID is masked.
    #[error("report CHIP_ID is masked (all zero): a VCEK can only verify it with the hwID check skipped")]
    ChipIdMasked,
    /// The report was signed by one key type and the certificate is another.
    #[error("report signing_key is {report}, certificate is a {cert}")]
    SigningKeyMismatch {
        /// The report's SIGNING_KEY field.
        report: SigningKey,
        /// The leaf certificate's role.
        cert: Role,
    },
    /// The report's signing key field is neither VCEK nor VLEK.
    #[error("report signing_key is {0}, expected VCEK or VLEK")]
    UnsupportedSigningKey(SigningKey),
    /// The report's SIGNATURE_ALGO is not 1 (ECDSA P-384 with SHA-384).
    #[error("report signature_algo is {found}, expected 1 (ECDSA P-384 with SHA-384)")]
    UnsupportedSignatureAlgo {
        /// The value found.
        found: u32,
    },
    /// The report's product cannot be determined (v2 report, no hint, no chain).
    #[error("cannot determine the report's product; supply one")]
    ProductUnknown,
    /// A certificate is listed as revoked.
    #[error("{role} certificate with serial {serial} is revoked by the CRL")]
    Revoked {
        /// The revoked certificate.
        role: Role,
        /// Its serial number (big-endian).
        serial: HexBytes,
    },
    /// The CRL's thisUpdate is after the supplied time.
    #[error("CRL is not yet valid: thisUpdate {this_update} (unix) is after the time given, {now}")]
    CrlNotYetValid {
        /// thisUpdate, seconds since the Unix epoch.
        this_update: u64,
        /// The supplied time.
        now: u64,
    },
    /// The CRL's nextUpdate is before the supplied time, or absent.
    #[error("CRL is stale: nextUpdate {next_update:?} (unix) is before the time given, {now}")]
    CrlStale {
        /// nextUpdate, seconds since the Unix epoch (`None`: absent).
        next_update: Option<u64>,
        /// The supplied time.
        now: u64,
    },
    /// The CRL's issuer is not the ARK of the chain.
    #[error("CRL issuer is {found:?}, expected the ARK {expected:?}")]
    CrlIssuer {
        /// The ARK's subject CN.
        expected: String,
        /// The CRL's issuer CN.
        found: String,
    },
    /// Reserved (must-be-zero) fields of the report are not zero, or POLICY bit 17 is clear.
    #[error("report reserved fields: {}", ReservedList(.0))]
    ReservedFields(Vec<ReservedViolation>),
    /// The report's VERSION is newer than the newest layout this crate knows.
    #[error("report version {found} is newer than {newest}, the newest this crate knows")]
    UnknownReportVersion {
        /// The report's VERSION.
        found: u32,
        /// [`super::NEWEST_REPORT_VERSION`].
        newest: u32,
    },
    /// A Turin-class report's CHIP_ID has non-zero bytes after the 8-byte hwID.
    #[error("Turin-class CHIP_ID byte {offset} is {found:#04x}, expected zero (only bytes 0..8 hold the hwID)")]
    ChipIdTail {
        /// Index of the first non-zero byte within CHIP_ID (8..64).
        offset: usize,
        /// Its value.
        found: u8,
    },
    /// A certificate table exceeds a limit or its entries overlap.
    #[error("certificate table: {reason}: {found}, expected {expected}")]
    CertTable {
        /// Which rule.
        reason: &'static str,
        /// What the rule allows.
        expected: String,
        /// What the table holds.
        found: String,
    },
    /// basicConstraints or keyUsage contradict the certificate's role: an ARK, ASK or ASVK must
    /// be a CA (cA TRUE) with keyCertSign, a VCEK or VLEK must be neither.
    #[error("{role} certificate: {found}, expected {expected}")]
    CaConstraint {
        /// The certificate.
        role: Role,
        /// What the role requires.
        expected: &'static str,
        /// What the certificate carries.
        found: &'static str,
    },
    /// A CRL, or one of its entries, carries a critical extension this crate does not evaluate.
    #[error(
        "CRL{}: critical extension {oid} is not evaluated",
        .serial.as_ref().map_or_else(String::new, |s| alloc::format!(" entry for serial {s}"))
    )]
    CrlCriticalExtension {
        /// The extension's OID, dotted.
        oid: String,
        /// The serial of the entry carrying it (`None`: in crlExtensions).
        serial: Option<HexBytes>,
    },
}

impl SnpError {
    /// The stable class of this failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SnpError::Report(_) => ErrorKind::MalformedReport,
            SnpError::Der { what: Subject::Crl, .. }
            | SnpError::Unexpected { what: Subject::Crl, .. }
            | SnpError::Signature { what: Subject::Crl, .. }
            | SnpError::CrlNotYetValid { .. }
            | SnpError::CrlStale { .. }
            | SnpError::CrlIssuer { .. } => ErrorKind::Crl,
            SnpError::Der { .. } | SnpError::Pem { .. } | SnpError::Unexpected { .. } => {
                ErrorKind::MalformedCertificate
            }
            SnpError::Signature { .. } | SnpError::ReportSignature { .. } => ErrorKind::Signature,
            SnpError::UnknownRole { .. }
            | SnpError::IssuerMismatch { .. }
            | SnpError::DuplicateCertificate(_)
            | SnpError::MissingExtension { .. }
            | SnpError::DuplicateExtension { .. }
            | SnpError::BadExtension { .. }
            | SnpError::UnknownProduct { .. } => ErrorKind::Chain,
            SnpError::UntrustedRoot { .. } => ErrorKind::UntrustedRoot,
            SnpError::NotYetValid { .. } | SnpError::Expired { .. } => ErrorKind::Validity,
            SnpError::ProductMismatch { .. }
            | SnpError::HwIdMismatch { .. }
            | SnpError::TcbMismatch { .. }
            | SnpError::ChipIdMasked
            | SnpError::SigningKeyMismatch { .. }
            | SnpError::UnsupportedSigningKey(_)
            | SnpError::UnsupportedSignatureAlgo { .. }
            | SnpError::ProductUnknown => ErrorKind::Mismatch,
            SnpError::MissingCertificate(_) => ErrorKind::MissingCertificate,
            SnpError::Revoked { .. } => ErrorKind::Revoked,
            SnpError::ReservedFields(_) | SnpError::UnknownReportVersion { .. } | SnpError::ChipIdTail { .. } => {
                ErrorKind::Nonconforming
            }
            SnpError::CertTable { .. } => ErrorKind::CertTable,
            SnpError::CaConstraint { .. } => ErrorKind::Chain,
            SnpError::CrlCriticalExtension { .. } => ErrorKind::Crl,
        }
    }

    pub(crate) fn der(what: Subject, error: der::Error) -> Self {
        SnpError::Der { what, error }
    }
}

/// Displays a list of reserved-field violations separated by `; `.
struct ReservedList<'a>(&'a [ReservedViolation]);

impl core::fmt::Display for ReservedList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl Subject {
    /// The certificate role, if this subject is a certificate.
    pub fn role(self) -> Option<Role> {
        match self {
            Subject::Certificate(r) => Some(r),
            _ => None,
        }
    }
}
