//! Policy: what a relying party accepts in an attestation report, beyond a valid signature.
//!
//! Validation is separate from verification. [`Policy::validate`] looks only at the report's
//! fields (and, for VLEK reports, the VLEK's cspID); it never checks a signature. Call it after
//! the report and its certificate chain have verified.
//!
//! [`Policy::default()`] forbids only a guest policy with DEBUG set; every other knob is off,
//! so a genuine production report passes. Every broken rule is reported, not only the first.
//!
//! With the `serde` feature, a policy reads from and writes to TOML or JSON. Every field is
//! optional, unknown fields are rejected, and byte values are hex strings:
//!
//! ```toml
//! measurements = ["b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01"]
//! min_guest_svn = 1
//! max_vmpl = 0
//! signing_keys = ["vcek"]
//!
//! [min_reported_tcb]
//! snp = 8
//! microcode = 115
//!
//! [guest_policy]
//! allow_smt = false
//! min_abi = "1.51"
//!
//! [platform_info]
//! tsme = true
//!
//! [relax]
//! chip_id_tail = true
//! ```
//!
//! The `[relax]` table names the strict verification checks (see [`Relaxations`]) the
//! relying party switches off; validation only carries it, the caller hands it to verification.
//!
//! [`Policy::merge`] combines two policies, such as a file and command-line rules, and fails
//! on a rule the two set differently. [`Policy::unappraised`] lists what a policy leaves
//! unchecked (no measurement, no TCB floor, ...), so a verifier can say so next to "valid".
//!
//! ```
//! use sev_types::{report::Report, Product};
//! use sev_verify::policy::{EvidenceContext, Policy, TcbFloor};
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/trustee/report.bin"))?;
//! let report = Report::from_bytes(&bytes)?;
//! let ctx = EvidenceContext { product: Some(Product::Milan), ..Default::default() };
//! assert!(Policy::default().validate(&report, &ctx).is_ok());
//!
//! let strict = Policy {
//!     min_guest_svn: Some(5),
//!     min_reported_tcb: TcbFloor { microcode: Some(120), ..Default::default() },
//!     ..Policy::default()
//! };
//! let violations = strict.validate(&report, &ctx).unwrap_err();
//! assert_eq!(violations.len(), 2);
//! assert_eq!(violations[0].to_string(), "report field GUEST_SVN is 4, expected at least 5");
//! assert_eq!(violations[1].to_string(), "report field REPORTED_TCB.microcode is 115, expected at least 120");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod check;
mod knobs;
mod merge;
#[cfg(feature = "serde")]
mod serde_fields;
mod unappraised;
mod violation;

use alloc::string::String;
use alloc::vec::Vec;

use sev_types::key_info::SigningKey;
use sev_types::report::Report;

use crate::snp::Relaxations;

pub use knobs::{BadVersion, EvidenceContext, GuestPolicyRules, PlatformRequirements, TcbFloor, Version};
pub use merge::PolicyConflict;
pub use unappraised::Unappraised;
pub use violation::{Origin, Violation};

/// Every rule a relying party can set on an attestation report. See the [module docs](self).
///
/// Exact values are `None` and allow-lists are empty when unchecked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Policy {
    /// REPORT_DATA must equal this.
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_hex", skip_serializing_if = "Option::is_none")
    )]
    pub report_data: Option<[u8; 64]>,
    /// HOST_DATA must equal this.
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_hex", skip_serializing_if = "Option::is_none")
    )]
    pub host_data: Option<[u8; 32]>,
    /// FAMILY_ID must equal this.
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_hex", skip_serializing_if = "Option::is_none")
    )]
    pub family_id: Option<[u8; 16]>,
    /// IMAGE_ID must equal this.
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_hex", skip_serializing_if = "Option::is_none")
    )]
    pub image_id: Option<[u8; 16]>,
    /// REPORT_ID must equal this.
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_hex", skip_serializing_if = "Option::is_none")
    )]
    pub report_id: Option<[u8; 32]>,
    /// REPORT_ID_MA must equal this (all `ff` when the guest has no migration agent).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_hex", skip_serializing_if = "Option::is_none")
    )]
    pub report_id_ma: Option<[u8; 32]>,

    /// MEASUREMENT must be one of these (unchecked when empty).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::list_hex", skip_serializing_if = "Vec::is_empty")
    )]
    pub measurements: Vec<[u8; 48]>,
    /// CHIP_ID must be one of these (unchecked when empty).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::list_hex", skip_serializing_if = "Vec::is_empty")
    )]
    pub chip_ids: Vec<[u8; 64]>,
    /// ID_KEY_DIGEST must be one of these (unchecked when empty).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::list_hex", skip_serializing_if = "Vec::is_empty")
    )]
    pub id_key_digests: Vec<[u8; 48]>,
    /// AUTHOR_KEY_DIGEST must be one of these (unchecked when empty).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::list_hex", skip_serializing_if = "Vec::is_empty")
    )]
    pub author_key_digests: Vec<[u8; 48]>,

    /// The guest must have been launched with an ID block (ID_KEY_DIGEST not zero).
    pub require_id_block: bool,
    /// The ID block must have been signed by an author key (KEY_INFO.AUTHOR_KEY_EN).
    pub require_author_key: bool,

    /// Minimum GUEST_SVN.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub min_guest_svn: Option<u32>,
    /// Minimum REPORTED_TCB, per component.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default"))]
    pub min_reported_tcb: TcbFloor,
    /// Minimum CURRENT_TCB, per component.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default"))]
    pub min_current_tcb: TcbFloor,
    /// Minimum COMMITTED_TCB, per component.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default"))]
    pub min_committed_tcb: TcbFloor,
    /// Minimum LAUNCH_TCB, per component.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default"))]
    pub min_launch_tcb: TcbFloor,
    /// Minimum firmware build number, for both the current and the committed firmware.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub min_build: Option<u8>,
    /// Minimum firmware `major.minor`, for both the current and the committed firmware.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub min_version: Option<Version>,
    /// Minimum report VERSION.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub min_report_version: Option<u32>,
    /// Maximum report VERSION.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub max_report_version: Option<u32>,
    /// LAUNCH_MIT_VECTOR must have at least these bits (needs a v5+ report).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_mask", skip_serializing_if = "Option::is_none")
    )]
    pub min_launch_mit_vector: Option<u64>,
    /// CURRENT_MIT_VECTOR must have at least these bits (needs a v5+ report).
    #[cfg_attr(
        feature = "serde",
        serde(with = "serde_fields::opt_mask", skip_serializing_if = "Option::is_none")
    )]
    pub min_current_mit_vector: Option<u64>,
    /// Whether the committed firmware (TCB and version) may be older than the running one.
    /// Default `true`; with `false`, provisional firmware is a violation.
    pub allow_provisional_firmware: bool,

    /// VMPL must equal this.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub vmpl: Option<u32>,
    /// VMPL must be at most this.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub max_vmpl: Option<u32>,

    /// The guest-policy ceiling.
    pub guest_policy: GuestPolicyRules,
    /// Required PLATFORM_INFO bits.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default"))]
    pub platform_info: PlatformRequirements,

    /// Allowed signing keys (KEY_INFO.SIGNING_KEY): any when empty.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub signing_keys: Vec<SigningKey>,
    /// Allowed cspIDs of the VLEK that signed a VLEK report: any when empty.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub vlek_csp_ids: Vec<String>,

    /// Strict verification checks this policy switches off (the `[relax]` table). Validation
    /// does not read them: the caller passes them to report and chain verification.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default"))]
    pub relax: Relaxations,
}

#[cfg(feature = "serde")]
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            report_data: None,
            host_data: None,
            family_id: None,
            image_id: None,
            report_id: None,
            report_id_ma: None,
            measurements: Vec::new(),
            chip_ids: Vec::new(),
            id_key_digests: Vec::new(),
            author_key_digests: Vec::new(),
            require_id_block: false,
            require_author_key: false,
            min_guest_svn: None,
            min_reported_tcb: TcbFloor::default(),
            min_current_tcb: TcbFloor::default(),
            min_committed_tcb: TcbFloor::default(),
            min_launch_tcb: TcbFloor::default(),
            min_build: None,
            min_version: None,
            min_report_version: None,
            max_report_version: None,
            min_launch_mit_vector: None,
            min_current_mit_vector: None,
            allow_provisional_firmware: true,
            vmpl: None,
            max_vmpl: None,
            guest_policy: GuestPolicyRules::default(),
            platform_info: PlatformRequirements::default(),
            signing_keys: Vec::new(),
            vlek_csp_ids: Vec::new(),
            relax: Relaxations::STRICT,
        }
    }
}

impl Policy {
    /// Checks `report` against every rule and returns every violation, in a fixed order
    /// (report fields in layout order, then the VLEK cspID).
    ///
    /// Does not check any signature.
    pub fn validate(&self, report: &Report<'_>, ctx: &EvidenceContext<'_>) -> Result<(), Vec<Violation>> {
        let violations = self.violations(report, ctx);
        if violations.is_empty() { Ok(()) } else { Err(violations) }
    }

    /// Like [`Policy::validate`], returning the (possibly empty) list of violations.
    pub fn violations(&self, report: &Report<'_>, ctx: &EvidenceContext<'_>) -> Vec<Violation> {
        check::run(self, report, ctx)
    }
}
