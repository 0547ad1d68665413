//! The SNP attestation report as a zero-copy view over the received bytes.
//!
//! [`Report::from_bytes`] checks the length and the version and nothing else: reserved fields,
//! unknown flag bits and unknown later versions all parse. Strict checks live in
//! [`Report::reserved_violations`], a separate step.
//!
//! ```
//! use sev_types::{report::Report, Product, key_info::SigningKey};
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/turin/routex-v5/report.bin"))?;
//! let report = Report::from_bytes(&bytes)?;
//! assert_eq!(report.version(), 5);
//! assert_eq!(report.product(), Some(Product::Turin));
//! assert_eq!(report.signing_key(), SigningKey::Vcek);
//! let tcb = report.reported_tcb_decoded(None).unwrap().tcb();
//! assert_eq!((tcb.fmc, tcb.bootloader, tcb.snp, tcb.microcode), (Some(0), 1, 2, 71));
//! assert!(report.reserved_violations().next().is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod body;
mod describe;
mod validate;

pub use body::{RawReport, ReportBody};
pub use describe::DescribedReport;
pub use validate::ReservedViolation;

use zerocopy::FromBytes;

use crate::ecdsa::EcdsaSignature;
use crate::key_info::{KeyInfo, SigningKey};
use crate::platform_info::PlatformInfo;
use crate::policy::GuestPolicy;
use crate::tcb::{DecodedTcb, TcbLayout, TcbVersion};
use crate::{ParseError, Product};

/// Size of every report version.
pub const REPORT_LEN: usize = 0x4A0;
/// Length of the signed region at the start of the report.
pub const SIGNED_LEN: usize = 0x2A0;
/// The only defined signature algorithm: ECDSA P-384 with SHA-384.
pub const SIG_ALGO_ECDSA_P384_SHA384: u32 = 1;
/// Oldest report version with a known layout.
pub const MIN_VERSION: u32 = 2;

/// A borrowed, zero-copy view of an attestation report.
///
/// The view keeps the original byte slice, so [`Report::signed_bytes`] returns exactly the bytes
/// that were received — verification never re-encodes.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    bytes: &'a [u8],
    raw: &'a RawReport,
}

impl<'a> Report<'a> {
    /// Views `bytes`, which must be exactly [`REPORT_LEN`] bytes, as a report.
    ///
    /// Fails on any other length and on versions below 2; everything else parses.
    #[inline]
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let (report, rest) = Self::from_prefix(bytes)?;
        if !rest.is_empty() {
            return Err(ParseError::BadLength {
                what: "attestation report",
                expected: REPORT_LEN,
                got: bytes.len(),
            });
        }
        Ok(report)
    }

    /// Views the first [`REPORT_LEN`] bytes of `bytes` as a report and returns the rest.
    #[inline]
    pub fn from_prefix(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), ParseError> {
        let (raw, rest) = RawReport::ref_from_prefix(bytes)
            .map_err(|_| ParseError::truncated("attestation report", REPORT_LEN, bytes.len()))?;
        let version = raw.body.version.get();
        if version < MIN_VERSION {
            return Err(ParseError::BadValue {
                what: "attestation report",
                field: "version",
                found: version.into(),
                expected: "2 or later",
            });
        }
        Ok((
            Report {
                bytes: &bytes[..REPORT_LEN],
                raw,
            },
            rest,
        ))
    }

    /// The report's bytes, exactly as received (0x4A0 bytes).
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The signed region, bytes 0x000..0x2A0, exactly as received.
    #[inline]
    pub fn signed_bytes(&self) -> &'a [u8] {
        &self.bytes[..SIGNED_LEN]
    }

    /// The raw signature bytes 0x2A0..0x4A0.
    #[inline]
    pub fn signature_bytes(&self) -> &'a [u8] {
        &self.bytes[SIGNED_LEN..]
    }

    /// The signature, parsed.
    #[inline]
    pub fn signature(&self) -> &'a EcdsaSignature {
        &self.raw.signature
    }

    /// All fields, raw.
    #[inline]
    pub fn body(&self) -> &'a ReportBody {
        &self.raw.body
    }

    /// Report format version.
    #[inline]
    pub fn version(&self) -> u32 {
        self.raw.body.version.get()
    }

    /// Guest SVN.
    #[inline]
    pub fn guest_svn(&self) -> u32 {
        self.raw.body.guest_svn.get()
    }

    /// Guest policy.
    #[inline]
    pub fn policy(&self) -> GuestPolicy {
        GuestPolicy::from_bits_retain(self.raw.body.policy.get())
    }

    /// Family ID.
    #[inline]
    pub fn family_id(&self) -> &'a [u8; 16] {
        &self.raw.body.family_id
    }

    /// Image ID.
    #[inline]
    pub fn image_id(&self) -> &'a [u8; 16] {
        &self.raw.body.image_id
    }

    /// VMPL of the report.
    #[inline]
    pub fn vmpl(&self) -> u32 {
        self.raw.body.vmpl.get()
    }

    /// Signature algorithm (1 = ECDSA P-384 with SHA-384).
    #[inline]
    pub fn signature_algo(&self) -> u32 {
        self.raw.body.signature_algo.get()
    }

    /// Running TCB, raw.
    #[inline]
    pub fn current_tcb(&self) -> TcbVersion {
        self.raw.body.current_tcb.get()
    }

    /// Platform configuration.
    #[inline]
    pub fn platform_info(&self) -> PlatformInfo {
        PlatformInfo::from_bits_retain(self.raw.body.platform_info.get())
    }

    /// KEY_INFO word.
    #[inline]
    pub fn key_info(&self) -> KeyInfo {
        KeyInfo::from_bits_retain(self.raw.body.key_info.get())
    }

    /// Which key signed the report.
    #[inline]
    pub fn signing_key(&self) -> SigningKey {
        self.key_info().signing_key()
    }

    /// Guest-supplied REPORT_DATA.
    #[inline]
    pub fn report_data(&self) -> &'a [u8; 64] {
        &self.raw.body.report_data
    }

    /// Launch digest.
    #[inline]
    pub fn measurement(&self) -> &'a [u8; 48] {
        &self.raw.body.measurement
    }

    /// HOST_DATA.
    #[inline]
    pub fn host_data(&self) -> &'a [u8; 32] {
        &self.raw.body.host_data
    }

    /// SHA-384 of the ID key (zero without ID block).
    #[inline]
    pub fn id_key_digest(&self) -> &'a [u8; 48] {
        &self.raw.body.id_key_digest
    }

    /// SHA-384 of the author key (zero without author key).
    #[inline]
    pub fn author_key_digest(&self) -> &'a [u8; 48] {
        &self.raw.body.author_key_digest
    }

    /// Report ID.
    #[inline]
    pub fn report_id(&self) -> &'a [u8; 32] {
        &self.raw.body.report_id
    }

    /// Report ID of the migration agent.
    #[inline]
    pub fn report_id_ma(&self) -> &'a [u8; 32] {
        &self.raw.body.report_id_ma
    }

    /// Reported TCB, raw (the TCB the VCEK is derived from).
    #[inline]
    pub fn reported_tcb(&self) -> TcbVersion {
        self.raw.body.reported_tcb.get()
    }

    /// CPUID family (report v3+).
    #[inline]
    pub fn cpuid_fam_id(&self) -> Option<u8> {
        (self.version() >= 3).then_some(self.raw.body.cpuid_fam_id)
    }

    /// CPUID model (report v3+).
    #[inline]
    pub fn cpuid_mod_id(&self) -> Option<u8> {
        (self.version() >= 3).then_some(self.raw.body.cpuid_mod_id)
    }

    /// CPUID stepping (report v3+).
    #[inline]
    pub fn cpuid_step(&self) -> Option<u8> {
        (self.version() >= 3).then_some(self.raw.body.cpuid_step)
    }

    /// CHIP_ID (all zero when masked).
    #[inline]
    pub fn chip_id(&self) -> &'a [u8; 64] {
        &self.raw.body.chip_id
    }

    /// Whether CHIP_ID is all zero (MASK_CHIP_ID set, or a VLEK-only platform).
    #[inline]
    pub fn chip_id_masked(&self) -> bool {
        self.raw.body.chip_id.iter().all(|&b| b == 0)
    }

    /// Committed TCB, raw.
    #[inline]
    pub fn committed_tcb(&self) -> TcbVersion {
        self.raw.body.committed_tcb.get()
    }

    /// Running firmware version as (major, minor, build).
    #[inline]
    pub fn current_version(&self) -> (u8, u8, u8) {
        let b = &self.raw.body;
        (b.current_major, b.current_minor, b.current_build)
    }

    /// Committed firmware version as (major, minor, build).
    #[inline]
    pub fn committed_version(&self) -> (u8, u8, u8) {
        let b = &self.raw.body;
        (b.committed_major, b.committed_minor, b.committed_build)
    }

    /// TCB at launch, raw.
    #[inline]
    pub fn launch_tcb(&self) -> TcbVersion {
        self.raw.body.launch_tcb.get()
    }

    /// Mitigation vector verified at launch (report v5+).
    #[inline]
    pub fn launch_mit_vector(&self) -> Option<u64> {
        (self.version() >= 5).then(|| self.raw.body.launch_mit_vector.get())
    }

    /// Mitigation vector verified now (report v5+).
    #[inline]
    pub fn current_mit_vector(&self) -> Option<u64> {
        (self.version() >= 5).then(|| self.raw.body.current_mit_vector.get())
    }

    /// The product named by the report's CPUID fields (v3+), or `None` for v2 reports and
    /// unrecognised CPUIDs.
    #[inline]
    pub fn product(&self) -> Option<Product> {
        Product::from_cpuid(self.cpuid_fam_id()?, self.cpuid_mod_id()?)
    }

    /// The TCB layout of this report.
    ///
    /// Order of evidence: the report's own CPUID (v3+); then `hint`, a product the caller knows
    /// (for v2 reports, from configuration or certificates; a hint without SNP, such as Rome,
    /// gives `None`); then, for v2 reports only, the CHIP_ID shape (only the first 8 bytes set
    /// means a Turin-class part). `None` when undecidable: a v3+ report with an unknown CPUID and
    /// no hint, or a v2 report with a masked CHIP_ID and no hint.
    #[inline]
    pub fn tcb_layout(&self, hint: Option<Product>) -> Option<TcbLayout> {
        if let Some(p) = self.product() {
            return p.tcb_layout();
        }
        if let Some(p) = hint {
            return p.tcb_layout();
        }
        if self.version() >= 3 {
            return None;
        }
        let chip = &self.raw.body.chip_id;
        if self.chip_id_masked() {
            None
        } else if chip[8..].iter().all(|&b| b == 0) {
            Some(TcbLayout::Turin)
        } else {
            Some(TcbLayout::MilanGenoa)
        }
    }

    /// The reported TCB decoded with [`Report::tcb_layout`].
    #[inline]
    pub fn reported_tcb_decoded(&self, hint: Option<Product>) -> Option<DecodedTcb> {
        Some(self.reported_tcb().with_layout(self.tcb_layout(hint)?))
    }

    /// Pairs the report with a product hint for display and serialization.
    #[inline]
    pub fn describe(self, hint: Option<Product>) -> DescribedReport<'a> {
        DescribedReport::new(self, hint)
    }

    /// Every reserved field or bit that is not zero (and the must-be-one policy bit if clear),
    /// according to the report's version and product. Parsing never depends on this.
    #[inline]
    pub fn reserved_violations(&self) -> impl Iterator<Item = ReservedViolation> + 'a {
        validate::violations(*self, None)
    }

    /// [`Report::reserved_violations`], with a product hint for the TCB reserved bytes of reports
    /// whose CPUID does not name the product (see [`Report::tcb_layout`]).
    #[inline]
    pub fn reserved_violations_for(&self, hint: Option<Product>) -> impl Iterator<Item = ReservedViolation> + 'a {
        validate::violations(*self, hint)
    }
}

impl core::fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Report")
            .field("version", &self.version())
            .field("product", &self.product())
            .field("measurement", &crate::fmt::Hex(self.measurement()))
            .finish_non_exhaustive()
    }
}

impl core::fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.describe(None), f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Report<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.describe(None).serialize(s)
    }
}
