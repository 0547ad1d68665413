//! Errors of legacy SEV verification and of the guest owner's session.

use core::fmt;

use sev_types::ParseError;
use sev_types::fmt::Hex;
use sev_types::legacy::{Algorithm, Usage};

use crate::crypto::CryptoError;

/// One link of the legacy SEV chain: `signer` signs `subject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Usage of the signing key (ARK, ASK, OCA, CEK or PEK).
    pub signer: Usage,
    /// Usage of the certified key.
    pub subject: Usage,
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \u{2192} {}", self.signer, self.subject)
    }
}

/// Why one link of the chain (or the report signature) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkFailure {
    /// The certificate does not certify the kind of key this link needs.
    #[error("expected a certificate for a {expected} key, found one for {found}")]
    SubjectUsage {
        /// Usage this link needs.
        expected: Usage,
        /// Usage in the certificate.
        found: Usage,
    },
    /// The signing certificate holds the wrong kind of key for this link.
    #[error("expected a {expected} signing key, found {found}")]
    SignerUsage {
        /// Usage this link needs.
        expected: Usage,
        /// Usage of the key offered as signer.
        found: Usage,
    },
    /// No SEV link lets a key of this usage sign a certificate of that usage.
    #[error("a {signer} key may not sign a certificate for a {subject} key")]
    NotAllowed {
        /// Usage of the key offered as signer.
        signer: Usage,
        /// Usage of the certified key.
        subject: Usage,
    },
    /// Neither signature slot names the signer.
    #[error("no signature slot is by {signer} (slot 1: {slot1}, slot 2: {slot2})")]
    NoSignature {
        /// Signer the slot should name.
        signer: Usage,
        /// Usage named by slot 1.
        slot1: Usage,
        /// Usage named by slot 2.
        slot2: Usage,
    },
    /// The slot's algorithm does not fit the signer's key.
    #[error("expected an {expected} signature algorithm, found {found}")]
    Algorithm {
        /// Algorithm family the signer's key makes.
        expected: &'static str,
        /// Algorithm in the slot.
        found: Algorithm,
    },
    /// The signer's key cannot be used as stored.
    #[error("signer key unusable: {0}")]
    SignerKey(&'static str),
    /// The signature cannot be decoded for the signer's key.
    #[error("signature unusable: {0}")]
    SignatureEncoding(&'static str),
    /// An AMD certificate's CERTIFYING_ID is not the signer's KEY_ID.
    #[error("expected certifying ID {}, found {}", Hex(expected), Hex(found))]
    CertifyingId {
        /// The signer's KEY_ID.
        expected: [u8; 16],
        /// The certificate's CERTIFYING_ID.
        found: [u8; 16],
    },
    /// The signature does not verify.
    #[error("signature does not verify")]
    BadSignature,
}

/// Errors of legacy SEV verification and session handling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LegacyError {
    /// A link of the certificate chain failed.
    #[error("{link}: {reason}")]
    Link {
        /// Which link.
        link: Link,
        /// Why.
        reason: LinkFailure,
    },
    /// No built-in ASK signs the CEK.
    #[error("the CEK is signed by none of the built-in ASKs (Naples, Rome, Milan, Genoa, Turin)")]
    UnknownGeneration,
    /// The chain ends at a root that is not built in: an ARK that is byte-identical to none of
    /// the built-in ARKs, or an ASK whose certifying ID names none of them.
    #[error(
        "the root key {} is not one of the built-in AMD roots (Naples, Rome, Milan, Genoa, Turin)",
        Hex(key_id)
    )]
    UntrustedRoot {
        /// KEY_ID of the offered ARK, or the CERTIFYING_ID of an ASK offered without one.
        key_id: [u8; 16],
    },
    /// A certificate the chain needs is absent.
    #[error("missing the {usage} certificate{}", NeededBy(needed_by))]
    Missing {
        /// Usage of the absent certificate.
        usage: Usage,
        /// The certificate it is needed to verify; `None` when nothing present reaches an AMD
        /// root (no CEK, ASK or ARK).
        needed_by: Option<Usage>,
    },
    /// Two different certificates for the same kind of key.
    #[error("two different {usage} certificates")]
    Duplicate {
        /// Their usage.
        usage: Usage,
    },
    /// Input that begins with legacy certificates continues with bytes that are none.
    #[error("the {len} bytes at offset {offset:#x} are not an SEV or AMD certificate")]
    Unrecognized {
        /// Where the unrecognised bytes begin.
        offset: usize,
        /// How many bytes are left from there.
        len: usize,
    },
    /// The attestation report's signature check failed.
    #[error("attestation report: {0}")]
    Report(LinkFailure),
    /// The platform's PDH certificate cannot be used for key agreement.
    #[error("PDH unusable: {0}")]
    Pdh(&'static str),
    /// The LAUNCH_MEASURE value differs from the one expected for this launch.
    #[error("launch measurement does not match the expected launch digest and session")]
    MeasurementMismatch,
    /// A secret does not fit the LAUNCH_SECRET length fields.
    #[error("secret of {found} bytes exceeds the maximum of {max}")]
    SecretTooLarge {
        /// Largest accepted length.
        max: usize,
        /// Length given.
        found: usize,
    },
    /// Bytes did not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A crypto operation failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// The tail of [`LegacyError::Missing`]'s message.
struct NeededBy<'a>(&'a Option<Usage>);

impl fmt::Display for NeededBy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(subject) => write!(f, ", needed to verify the {subject}"),
            None => f.write_str(" (or an ASK or ARK) that ties the certificates to an AMD root"),
        }
    }
}

impl LegacyError {
    pub(crate) fn link(signer: Usage, subject: Usage, reason: LinkFailure) -> Self {
        LegacyError::Link {
            link: Link { signer, subject },
            reason,
        }
    }
}
