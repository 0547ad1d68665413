//! What verification hands back: a verified chain, and a verified report with what it was
//! verified against.

use alloc::sync::Arc;

use sev_types::Product;
use sev_types::report::Report;
use sev_types::tcb::Tcb;

use super::cert::AmdCert;
use super::error::SnpError;
use super::role::Endorsement;
use crate::policy::{EvidenceContext, Policy, Violation};

/// A chain whose signatures, names, products and trust anchor have been verified.
///
/// Validity periods depend on the time and are checked again by every use
/// ([`VerifiedChain::check_validity`]); so is revocation.
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    ark: AmdCert,
    intermediate: AmdCert,
    leaf: AmdCert,
    endorsement: Endorsement,
}

impl VerifiedChain {
    /// Only the chain builder makes these, after every check.
    pub(crate) fn new(ark: AmdCert, intermediate: AmdCert, leaf: AmdCert, endorsement: Endorsement) -> Self {
        VerifiedChain {
            ark,
            intermediate,
            leaf,
            endorsement,
        }
    }

    /// The KDS product of the chain.
    pub fn product(&self) -> Product {
        self.ark.product()
    }

    /// The root.
    pub fn ark(&self) -> &AmdCert {
        &self.ark
    }

    /// The ASK (VCEK chain) or ASVK (VLEK chain).
    pub fn intermediate(&self) -> &AmdCert {
        &self.intermediate
    }

    /// The VCEK or VLEK.
    pub fn leaf(&self) -> &AmdCert {
        &self.leaf
    }

    /// Which endorsement key the leaf is.
    pub fn endorsement(&self) -> Endorsement {
        self.endorsement
    }

    /// The three certificates, root first.
    pub fn certs(&self) -> [&AmdCert; 3] {
        [&self.ark, &self.intermediate, &self.leaf]
    }

    /// Checks every certificate's validity period at `now` (seconds since the Unix epoch).
    pub fn check_validity(&self, now: u64) -> Result<(), SnpError> {
        self.certs().iter().try_for_each(|c| c.check_validity(now))
    }
}

/// A report that verified, with what it was verified against.
#[derive(Debug, Clone)]
pub struct VerifiedReport {
    chain: Arc<VerifiedChain>,
    product: Product,
    tcb: Tcb,
    hwid_checked: bool,
    crls_applied: usize,
}

impl VerifiedReport {
    pub(crate) fn new(chain: Arc<VerifiedChain>, product: Product, tcb: Tcb, hwid_checked: bool) -> Self {
        VerifiedReport {
            chain,
            product,
            tcb,
            hwid_checked,
            crls_applied: 0,
        }
    }

    pub(crate) fn with_crls_applied(mut self, n: usize) -> Self {
        self.crls_applied = n;
        self
    }

    /// The chain (ARK, ASK/ASVK, VCEK/VLEK).
    pub fn chain(&self) -> &VerifiedChain {
        &self.chain
    }

    /// The chain, shared.
    pub fn chain_arc(&self) -> &Arc<VerifiedChain> {
        &self.chain
    }

    /// The report's product (from its CPUID, the caller's hint, or the chain).
    pub fn product(&self) -> Product {
        self.product
    }

    /// The report's REPORTED_TCB, decoded for the product; equal to the certificate's SPLs.
    pub fn reported_tcb(&self) -> Tcb {
        self.tcb
    }

    /// Which key signed the report.
    pub fn signer(&self) -> Endorsement {
        self.chain.endorsement()
    }

    /// The VLEK's cspID (the cloud provider the VLEK was issued to); `None` for a VCEK.
    pub fn csp_id(&self) -> Option<&str> {
        self.chain.leaf().amd_extensions().csp_id.as_deref()
    }

    /// Whether the VCEK hwID was compared with CHIP_ID (false for VLEKs and when skipped).
    pub fn hwid_checked(&self) -> bool {
        self.hwid_checked
    }

    /// How many CRLs issued by the chain's ARK were verified and applied (0: revocation was
    /// not checked).
    pub fn crls_applied(&self) -> usize {
        self.crls_applied
    }

    /// What a [`Policy`] needs to know besides the report: the product and the VLEK's cspID.
    pub fn evidence_context(&self) -> EvidenceContext<'_> {
        EvidenceContext {
            product: Some(self.product),
            vlek_csp_id: self.csp_id(),
        }
    }

    /// Appraises `report` (the one that verified) against `policy`, with this verification's
    /// product and signer; returns every violation.
    ///
    /// ```
    /// use sev_verify::policy::Policy;
    /// use sev_verify::snp::Verifier;
    /// use sev_types::report::Report;
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev");
    /// let bytes = std::fs::read(format!("{dir}/report.bin"))?;
    /// let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
    /// let report = Report::from_bytes(&bytes)?;
    /// let verifier = Verifier::builtin(sev_verify::crypto::default_provider());
    /// let verified = verifier.verify_der(&report, &[&vcek], 1_764_547_200)?;
    /// let strict = Policy { min_guest_svn: Some(u32::MAX), ..Policy::default() };
    /// assert_eq!(verified.appraise(&report, &strict).unwrap_err()[0].field, "GUEST_SVN");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn appraise(&self, report: &Report<'_>, policy: &Policy) -> Result<(), alloc::vec::Vec<Violation>> {
        policy.validate(report, &self.evidence_context())
    }
}
