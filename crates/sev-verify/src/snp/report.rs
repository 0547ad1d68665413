//! Report verification: the signature over the exact received bytes, and the binding between
//! the report and its VCEK/VLEK (key type, product, TCB, hwID).

use alloc::sync::Arc;
use alloc::vec::Vec;

use sev_types::Product;
use sev_types::report::{Report, SIG_ALGO_ECDSA_P384_SHA384};
use sev_types::tcb::{Tcb, TcbLayout};

use super::cache::ChainCache;
use super::cert::{AmdCert, PublicKey};
use super::chain::verify_chain_relaxed;
use super::crl::Crl;
use super::error::{HexBytes, SnpError};
use super::role::{Endorsement, Role};
use super::roots::TrustStore;
use super::strict::{NEWEST_REPORT_VERSION, Relaxations};
use super::verified::{VerifiedChain, VerifiedReport};
use crate::crypto::{CryptoProvider, HashAlg};

/// Everything a report check depends on besides the report and the certificates.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The time to check validity periods and CRLs against, in seconds since the Unix epoch.
    pub now: u64,
    /// The product, for v2 reports that carry no CPUID (otherwise taken from the report, or
    /// from the chain). When given, it must agree with the report and the chain.
    pub product: Option<Product>,
    /// Skip the VCEK hwID = CHIP_ID check. Required to verify a MASK_CHIP_ID report (CHIP_ID
    /// all zero) through a VCEK; VLEKs carry no hwID and never need it.
    pub skip_hwid_check: bool,
    /// CRLs to apply (those issued by the chain's ARK; if some are given and none is, that is
    /// an error).
    pub crls: &'a [Crl],
    /// Accept CRLs outside their thisUpdate..nextUpdate window.
    pub allow_stale_crl: bool,
    /// A chain cache shared between calls.
    pub cache: Option<&'a ChainCache>,
    /// Exceptions to the strict checks (none by default).
    pub relax: Relaxations,
}

impl VerifyOptions<'static> {
    /// Options with every check on, at `now` (seconds since the Unix epoch).
    pub const fn at(now: u64) -> Self {
        VerifyOptions {
            now,
            product: None,
            skip_hwid_check: false,
            crls: &[],
            allow_stale_crl: false,
            cache: None,
            relax: Relaxations::STRICT,
        }
    }

    /// Options with every check on, at the system clock's time.
    #[cfg(feature = "std")]
    pub fn now() -> Self {
        Self::at(unix_now())
    }
}

/// Seconds since the Unix epoch by the system clock (0 if the clock is before 1970).
#[cfg(feature = "std")]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The endorsement key the report's SIGNING_KEY names; an error for "not signed" and reserved
/// values.
pub fn signer_of(report: &Report<'_>) -> Result<Endorsement, SnpError> {
    Endorsement::from_signing_key(report.signing_key()).ok_or(SnpError::UnsupportedSigningKey(report.signing_key()))
}

/// Verifies `report` with certificates given as DER in any order (missing ARK/ASK/ASVK come
/// from `store`), then applies CRLs.
///
/// ```
/// use sev_verify::snp::{verify_report, TrustStore, VerifyOptions};
/// use sev_types::report::Report;
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/genoa/routex-v5");
/// let report = std::fs::read(format!("{dir}/report.bin"))?;
/// let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
/// let report = Report::from_bytes(&report)?;
/// let ok = verify_report(&provider, &store, &report, &[&vcek], &VerifyOptions::at(1_764_547_200))?;
/// assert_eq!(ok.reported_tcb().snp, 27);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_report(
    provider: &CryptoProvider,
    store: &TrustStore,
    report: &Report<'_>,
    certs: &[&[u8]],
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedReport, SnpError> {
    let signer = signer_of(report)?;
    let chain = verify_chain_relaxed(provider, store, certs, Some(signer), opts.now, opts.cache, &opts.relax)?;
    verify_report_with_chain(provider, report, chain, opts)
}

/// Verifies `report` against a chain already verified (for example from
/// [`super::verify_chain`]), re-checking validity at `opts.now`.
///
/// The checks run in a fixed order, so that the gravest failure is the one reported: validity
/// of the chain, the binding to the leaf (key type, product, TCB, hwID — a wrong certificate is
/// named as such), the report signature, then the strict rules of the ABI (unless relaxed), and
/// last the CRLs in `opts.crls`. A forged report is therefore always refused as a signature or
/// binding failure, never as a nonconforming field or a CRL problem.
pub fn verify_report_with_chain(
    provider: &CryptoProvider,
    report: &Report<'_>,
    chain: Arc<VerifiedChain>,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedReport, SnpError> {
    chain.check_validity(opts.now)?;
    let (product, tcb, hwid_checked) = check_binding(report, chain.leaf(), chain.product(), opts)?;
    verify_report_signature(provider, report, chain.leaf())?;
    check_conformance(report, product, &opts.relax)?;
    let applied = super::revocation::apply_crls(provider, &chain, opts.crls, opts.now, opts.allow_stale_crl)?;
    Ok(VerifiedReport::new(chain, product, tcb, hwid_checked).with_crls_applied(applied))
}

/// The strict rules of the ABI for a report that verified: reserved fields zero (POLICY bit 17
/// one), a known VERSION, and a zero tail after a Turin-class hwID.
pub fn check_conformance(report: &Report<'_>, product: Product, relax: &Relaxations) -> Result<(), SnpError> {
    if !relax.unknown_report_version && report.version() > NEWEST_REPORT_VERSION {
        return Err(SnpError::UnknownReportVersion {
            found: report.version(),
            newest: NEWEST_REPORT_VERSION,
        });
    }
    if !relax.reserved_fields {
        let found: Vec<_> = report.reserved_violations_for(Some(product)).collect();
        if !found.is_empty() {
            return Err(SnpError::ReservedFields(found));
        }
    }
    if !relax.chip_id_tail && product.tcb_layout() == Some(TcbLayout::Turin) {
        if let Some((i, &b)) = report.chip_id().iter().enumerate().skip(8).find(|(_, b)| **b != 0) {
            return Err(SnpError::ChipIdTail { offset: i, found: b });
        }
    }
    Ok(())
}

/// Checks only the report's ECDSA P-384 signature over bytes 0x000..0x2A0 as received, under
/// `leaf`'s key. No binding checks: use [`verify_report`] for a verdict.
pub fn verify_report_signature(provider: &CryptoProvider, report: &Report<'_>, leaf: &AmdCert) -> Result<(), SnpError> {
    if report.signature_algo() != SIG_ALGO_ECDSA_P384_SHA384 {
        return Err(SnpError::UnsupportedSignatureAlgo {
            found: report.signature_algo(),
        });
    }
    let bad = SnpError::ReportSignature { signer: leaf.role() };
    let PublicKey::EcP384(point) = leaf.public_key() else {
        return Err(bad);
    };
    let r_s = report.signature().p384_r_s_be().ok_or(bad.clone())?;
    provider
        .ecdsa_p384
        .verify(point, HashAlg::Sha384, report.signed_bytes(), &r_s)
        .map_err(|_| bad)
}

fn check_binding(
    report: &Report<'_>,
    leaf: &AmdCert,
    chain_product: Product,
    opts: &VerifyOptions<'_>,
) -> Result<(Product, Tcb, bool), SnpError> {
    if report.signature_algo() != SIG_ALGO_ECDSA_P384_SHA384 {
        return Err(SnpError::UnsupportedSignatureAlgo {
            found: report.signature_algo(),
        });
    }
    let role = signer_of(report)?.role();
    if role != leaf.role() {
        return Err(SnpError::SigningKeyMismatch {
            report: report.signing_key(),
            cert: leaf.role(),
        });
    }
    let from_cpuid = report.product();
    for (what, p) in [("report CPUID", from_cpuid), ("product given", opts.product)] {
        if let Some(p) = p {
            if p.kds_product() != chain_product {
                return Err(SnpError::ProductMismatch {
                    what,
                    expected: chain_product,
                    found: p,
                });
            }
        }
    }
    if let (Some(a), Some(b)) = (from_cpuid, opts.product) {
        if a != b && a.kds_product() != b {
            return Err(SnpError::ProductMismatch {
                what: "product given against report CPUID",
                expected: a,
                found: b,
            });
        }
    }
    let product = from_cpuid.or(opts.product).unwrap_or(chain_product);
    let layout = product.tcb_layout().ok_or(SnpError::ProductUnknown)?;
    let amd = leaf.amd_extensions();
    amd.check_tcb(leaf.role(), report.reported_tcb(), layout)?;
    let mut hwid_checked = false;
    if leaf.role() == Role::Vcek && !opts.skip_hwid_check {
        if report.chip_id_masked() {
            return Err(SnpError::ChipIdMasked);
        }
        let hw = amd.hw_id.as_deref().ok_or(SnpError::MissingExtension {
            role: Role::Vcek,
            name: super::amd_ext::HW_ID.name,
            oid: super::amd_ext::HW_ID.dotted,
        })?;
        if hw.len() != product.hwid_len() {
            return Err(SnpError::BadExtension {
                role: Role::Vcek,
                name: "hwID",
                reason: "wrong length for the product",
            });
        }
        let chip = &report.chip_id()[..hw.len()];
        if hw != chip {
            return Err(SnpError::HwIdMismatch {
                cert: HexBytes(hw.to_vec()),
                report: HexBytes(chip.to_vec()),
            });
        }
        hwid_checked = true;
    }
    Ok((product, report.reported_tcb().decode(layout), hwid_checked))
}
