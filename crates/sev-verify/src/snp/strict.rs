//! The strict defaults of SNP verification, and the named relaxations that switch each off.
//!
//! Every check here follows AMD's specifications: a field the spec says must be zero is zero, a
//! report version newer than this crate knows is refused, certificates and CRLs use AMD's only
//! signature scheme and carry the constraints of their role. A caller that must accept evidence
//! outside these rules names each exception; nothing is relaxed by default.

/// The newest attestation report version whose layout this crate knows.
pub const NEWEST_REPORT_VERSION: u32 = 5;

/// Named exceptions to the strict checks. All `false` (strict) by default.
///
/// With the `serde` feature this is the `relax` table of a policy file:
///
/// ```toml
/// [relax]
/// reserved_fields = true
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Relaxations {
    /// Accept a report whose reserved (must-be-zero) fields are not zero, including the unused
    /// bytes 0x330..0x4A0 of the signature area, or whose POLICY bit 17 (must be one) is clear.
    pub reserved_fields: bool,
    /// Accept a report VERSION above [`NEWEST_REPORT_VERSION`] (its new fields stay unchecked).
    pub unknown_report_version: bool,
    /// Accept a Turin-class report whose CHIP_ID bytes 8..64 are not zero.
    pub chip_id_tail: bool,
    /// Accept RSASSA-PSS parameters other than SHA-384, MGF1-SHA-384, salt 48 (SHA-256 with
    /// MGF1-SHA-256 and salt 32 is then accepted too) in certificates and CRLs.
    pub pss_parameters: bool,
    /// Accept a CRL carrying a critical extension this crate does not evaluate (such as
    /// deltaCRLIndicator).
    pub crl_critical_extensions: bool,
    /// Do not evaluate keyUsage and basicConstraints (ARK/ASK/ASVK must be CAs with
    /// keyCertSign; VCEK/VLEK must not be CAs).
    pub ca_constraints: bool,
}

impl Relaxations {
    /// Every check on.
    pub const STRICT: Relaxations = Relaxations {
        reserved_fields: false,
        unknown_report_version: false,
        chip_id_tail: false,
        pss_parameters: false,
        crl_critical_extensions: false,
        ca_constraints: false,
    };

    /// The name of each relaxation, as the CLI's `--allow` values and policy keys spell it,
    /// with whether it is set.
    pub const fn named(&self) -> [(&'static str, bool); 6] {
        [
            ("reserved_fields", self.reserved_fields),
            ("unknown_report_version", self.unknown_report_version),
            ("chip_id_tail", self.chip_id_tail),
            ("pss_parameters", self.pss_parameters),
            ("crl_critical_extensions", self.crl_critical_extensions),
            ("ca_constraints", self.ca_constraints),
        ]
    }

    /// The union of two sets of relaxations.
    pub const fn union(self, other: Relaxations) -> Relaxations {
        Relaxations {
            reserved_fields: self.reserved_fields || other.reserved_fields,
            unknown_report_version: self.unknown_report_version || other.unknown_report_version,
            chip_id_tail: self.chip_id_tail || other.chip_id_tail,
            pss_parameters: self.pss_parameters || other.pss_parameters,
            crl_critical_extensions: self.crl_critical_extensions || other.crl_critical_extensions,
            ca_constraints: self.ca_constraints || other.ca_constraints,
        }
    }

    /// A compact code of the set, used to key caches.
    pub(crate) const fn bits(&self) -> u8 {
        (self.reserved_fields as u8)
            | (self.unknown_report_version as u8) << 1
            | (self.chip_id_tail as u8) << 2
            | (self.pss_parameters as u8) << 3
            | (self.crl_critical_extensions as u8) << 4
            | (self.ca_constraints as u8) << 5
    }
}
