//! What can go wrong when fetching collateral, each error naming the URL, what was found and
//! what to try.

use std::path::PathBuf;
use std::time::Duration;

use sev_verify::kds::{KdsError, UrlError};
use sev_verify::snp::SnpError;

/// Why a KDS response was refused (it is then never cached).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The body does not parse as the certificate, chain or CRL asked for.
    #[error("the body is not a valid {expected}: {reason}")]
    Malformed {
        /// What was expected (`VCEK certificate (DER)`, ...).
        expected: &'static str,
        /// The parser's reason.
        reason: String,
    },
    /// A certificate of the wrong role (say an ASK where a VCEK was asked for).
    #[error("expected {expected}, got {found} (CN {subject_cn:?})")]
    Role {
        /// The role asked for.
        expected: &'static str,
        /// The role found.
        found: &'static str,
        /// The certificate's subject CN.
        subject_cn: String,
    },
    /// The certificate or CRL is another product's.
    #[error("expected {expected}'s, got {found}'s")]
    Product {
        /// The product asked for.
        expected: String,
        /// The product found.
        found: String,
    },
    /// The VCEK's hwID is not the one asked for.
    #[error("the VCEK's hwID is {found}, but {expected} was asked for")]
    HwId {
        /// The hwID asked for (hex).
        expected: String,
        /// The hwID in the certificate (hex), or `absent`.
        found: String,
    },
    /// The VCEK's or VLEK's SPLs are not the TCB asked for.
    #[error("the certificate's TCB does not match the TCB asked for: {reason}")]
    Tcb {
        /// Which component differs.
        reason: String,
    },
    /// A signature in the response does not verify under the trusted AMD certificates.
    #[error("not signed by the trusted AMD key: {reason}")]
    Signature {
        /// The verifier's reason.
        reason: String,
    },
    /// A chain's ARK is not byte-identical to a trusted ARK.
    #[error("the chain's ARK ({subject_cn}) is not a trusted ARK")]
    UntrustedArk {
        /// The ARK's subject CN.
        subject_cn: String,
    },
}

/// Why collateral could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A request cannot be built (bad product, hwID length, missing FMC, masked CHIP_ID, ...).
    #[error(transparent)]
    Request(#[from] KdsError),
    /// A URL is not a KDS URL.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The server answered with a status that is not retried (404, 500, ...).
    #[error("GET {url}: HTTP {status}; {hint}")]
    Status {
        /// The URL fetched.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What to try.
        hint: &'static str,
    },
    /// Still rate-limited (429) or unavailable (503) once the wait bound was spent.
    #[error(
        "GET {url}: HTTP {status} after {attempts} attempt(s) and {waited:?} of waiting{}; KDS limits request rates: try again later, share a cache directory between verifiers (--cache-dir), or verify from an offline bundle (sev kds bundle)",
        retry_after.map(|r| format!(" (the server asked for {r:?} more, beyond the bound of {bound:?})")).unwrap_or_default()
    )]
    RateLimited {
        /// The URL fetched.
        url: String,
        /// The last status (429 or 503).
        status: u16,
        /// Requests made.
        attempts: u32,
        /// Total time slept between them.
        waited: Duration,
        /// A Retry-After the bound did not allow, if that is why we stopped.
        retry_after: Option<Duration>,
        /// The bound on the total wait.
        bound: Duration,
    },
    /// The request did not complete in time.
    #[error(
        "GET {url}: timed out ({detail}); the server is slow or unreachable: raise --timeout or check the network and proxy (HTTPS_PROXY, NO_PROXY)"
    )]
    Timeout {
        /// The URL fetched.
        url: String,
        /// What timed out.
        detail: String,
    },
    /// The connection failed, or the body ended early.
    #[error(
        "GET {url}: {reason}; check the network and proxy (HTTPS_PROXY, NO_PROXY), or verify offline from the cache or a bundle"
    )]
    Transport {
        /// The URL fetched.
        url: String,
        /// The client's reason.
        reason: String,
    },
    /// The body is larger than any KDS object.
    #[error("GET {url}: the body exceeds {limit} bytes; this is not a KDS response")]
    TooLarge {
        /// The URL fetched.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The body was received but is not what was asked for; nothing was cached.
    #[error("GET {url}: response refused, not cached: {error}")]
    Invalid {
        /// The URL fetched.
        url: String,
        /// Why it was refused.
        error: CheckError,
    },
    /// The collateral is not in the cache or bundle, and the network may not be used.
    #[error(
        "{url} is not in the cache or bundle, and the network is off (--offline); fetch it first or import a bundle"
    )]
    Offline {
        /// The KDS URL needed.
        url: String,
    },
    /// A cache file could not be read or written.
    #[error("cache {}: {source}", path.display())]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An offline bundle is malformed.
    #[error("bundle: {0}")]
    Bundle(String),
    /// The response is fine but verification of the collateral failed.
    #[error(transparent)]
    Verify(#[from] SnpError),
}

impl FetchError {
    /// Whether the server said the resource does not exist (HTTP 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FetchError::Status { status: 404, .. })
    }
}

/// The hint for a status that is not retried.
pub(crate) fn status_hint(status: u16) -> &'static str {
    match status {
        400 => "KDS refused the request: check the product name, the hwID length and the SPLs",
        401 | 403 => "KDS refused access: VLEK certificates need the cloud provider's credentials",
        404 => {
            "KDS has no such object: check the product, the hwID (CHIP_ID) and the TCB (a VCEK exists only for TCBs AMD signed)"
        }
        500..=599 => "KDS failed: try again later, or verify from the cache or an offline bundle",
        _ => "unexpected answer: check --kds-url",
    }
}
