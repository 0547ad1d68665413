//! What a policy leaves unchecked: the report says something, and nobody looked.

use alloc::vec::Vec;
use core::fmt;

use super::{Policy, TcbFloor};

/// A property of the evidence that was not appraised.
///
/// A valid signature proves who produced a report, not that its contents are acceptable: a
/// verifier that prints "valid" should also say what it did not compare. [`Policy::unappraised`]
/// lists the gaps a policy leaves; [`Unappraised::Revocation`] depends on whether the caller
/// applied a CRL, so the caller adds it.
///
/// [`name`](Self::name) is a stable snake_case identifier (also the serde form);
/// [`sentence`](Self::sentence) explains it to a person. `Display` prints the name.
///
/// ```
/// use sev_verify::policy::{Policy, TcbFloor, Unappraised};
///
/// let open = Policy::default().unappraised();
/// assert_eq!(open.first(), Some(&Unappraised::Measurement));
/// assert!(open.contains(&Unappraised::MinimumTcb));
///
/// let pinned = Policy {
///     measurements: vec![[0x11; 48]],
///     min_reported_tcb: TcbFloor { snp: Some(8), ..TcbFloor::default() },
///     ..Policy::default()
/// };
/// let names: Vec<&str> = pinned.unappraised().iter().map(|u| u.name()).collect();
/// assert_eq!(names, ["host_data", "report_data", "id_key"]);
/// assert_eq!(Unappraised::Revocation.name(), "revocation");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Unappraised {
    /// No MEASUREMENT allow-list: any launched image is accepted.
    Measurement,
    /// No HOST_DATA value.
    HostData,
    /// No REPORT_DATA value: the report is not bound to a nonce or key of the relying party.
    ReportData,
    /// No floor on any REPORTED_TCB component: firmware of any age is accepted.
    MinimumTcb,
    /// No ID_KEY_DIGEST or AUTHOR_KEY_DIGEST allow-list: any ID block signer, or none, is
    /// accepted.
    IdKey,
    /// No CRL was applied, so a revoked ASK/ASVK or VCEK/VLEK would go unnoticed.
    Revocation,
}

impl Unappraised {
    /// Every variant, in the order [`Policy::unappraised`] lists them (revocation last).
    pub const ALL: [Unappraised; 6] = [
        Unappraised::Measurement,
        Unappraised::HostData,
        Unappraised::ReportData,
        Unappraised::MinimumTcb,
        Unappraised::IdKey,
        Unappraised::Revocation,
    ];

    /// The stable snake_case name (`measurement`, `host_data`, `report_data`, `minimum_tcb`,
    /// `id_key`, `revocation`).
    pub const fn name(self) -> &'static str {
        match self {
            Unappraised::Measurement => "measurement",
            Unappraised::HostData => "host_data",
            Unappraised::ReportData => "report_data",
            Unappraised::MinimumTcb => "minimum_tcb",
            Unappraised::IdKey => "id_key",
            Unappraised::Revocation => "revocation",
        }
    }

    /// One sentence saying what was not checked and what that admits.
    pub const fn sentence(self) -> &'static str {
        match self {
            Unappraised::Measurement => {
                "MEASUREMENT was not compared with an expected launch digest, so any guest image is accepted."
            }
            Unappraised::HostData => "HOST_DATA was not compared with an expected value.",
            Unappraised::ReportData => {
                "REPORT_DATA was not compared with an expected value, so the report is not bound to a nonce and may be replayed."
            }
            Unappraised::MinimumTcb => {
                "REPORTED_TCB has no minimum, so firmware with known vulnerabilities is accepted."
            }
            Unappraised::IdKey => {
                "ID_KEY_DIGEST and AUTHOR_KEY_DIGEST were not compared with trusted keys, so any ID block signer (or none) is accepted."
            }
            Unappraised::Revocation => {
                "No CRL was applied, so a revoked AMD certificate in the chain would not be noticed."
            }
        }
    }

    /// Whether `policy` leaves this unchecked; always `false` for [`Unappraised::Revocation`],
    /// which no policy field decides.
    pub fn left_open_by(self, policy: &Policy) -> bool {
        match self {
            Unappraised::Measurement => policy.measurements.is_empty(),
            Unappraised::HostData => policy.host_data.is_none(),
            Unappraised::ReportData => policy.report_data.is_none(),
            Unappraised::MinimumTcb => policy.min_reported_tcb == TcbFloor::default(),
            Unappraised::IdKey => policy.id_key_digests.is_empty() && policy.author_key_digests.is_empty(),
            Unappraised::Revocation => false,
        }
    }
}

impl fmt::Display for Unappraised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Policy {
    /// What this policy leaves unchecked, in the order of [`Unappraised::ALL`].
    ///
    /// Never contains [`Unappraised::Revocation`]: whether a CRL was applied is up to the
    /// caller, who appends it. See [`Unappraised`] for an example.
    pub fn unappraised(&self) -> Vec<Unappraised> {
        Unappraised::ALL.into_iter().filter(|u| u.left_open_by(self)).collect()
    }
}
