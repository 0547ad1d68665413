//! Report verification: the signature over the exact received bytes, and the binding between
//! the report and its VCEK/VLEK (key type, product, TCB, hwID).

use alloc::sync::Arc;

use sev_types::Product;
use sev_types::key_info::SigningKey;
use sev_types::report::{Report, SIG_ALGO_ECDSA_P384_SHA384};
use sev_types::tcb::Tcb;

use super::cache::ChainCache;
use super::cert::{AmdCert, PublicKey};
use super::chain::{VerifiedChain, verify_chain};
use super::crl::Crl;
use super::error::{HexBytes, SnpError};
use super::role::Role;
use super::roots::TrustStore;
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

/// A report that verified, with what it was verified against.
#[derive(Debug, Clone)]
pub struct VerifiedReport {
    chain: Arc<VerifiedChain>,
    product: Product,
    tcb: Tcb,
    hwid_checked: bool,
}

impl VerifiedReport {
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
    pub fn signing_key(&self) -> SigningKey {
        match self.chain.leaf().role() {
            Role::Vlek => SigningKey::Vlek,
            _ => SigningKey::Vcek,
        }
    }

    /// The VLEK's cspID (the cloud provider the VLEK was issued to); `None` for a VCEK.
    pub fn csp_id(&self) -> Option<&str> {
        self.chain.leaf().amd_extensions().csp_id.as_deref()
    }

    /// Whether the VCEK hwID was compared with CHIP_ID (false for VLEKs and when skipped).
    pub fn hwid_checked(&self) -> bool {
        self.hwid_checked
    }
}

/// The certificate role that signs reports with this SIGNING_KEY.
pub fn leaf_role_for(report: &Report<'_>) -> Result<Role, SnpError> {
    match report.signing_key() {
        SigningKey::Vcek => Ok(Role::Vcek),
        SigningKey::Vlek => Ok(Role::Vlek),
        other => Err(SnpError::UnsupportedSigningKey(other)),
    }
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
    let role = leaf_role_for(report)?;
    let chain = verify_chain(provider, store, certs, Some(role), opts.now, opts.cache)?;
    verify_report_with_chain(provider, report, chain, opts)
}

/// Verifies `report` against a chain already verified (for example from
/// [`super::verify_chain`]), re-checking validity at `opts.now` and the CRLs.
pub fn verify_report_with_chain(
    provider: &CryptoProvider,
    report: &Report<'_>,
    chain: Arc<VerifiedChain>,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedReport, SnpError> {
    chain.check_validity(opts.now)?;
    if !opts.crls.is_empty() {
        super::crl::check_chain(provider, &chain, opts.crls, opts.now, opts.allow_stale_crl)?;
    }
    let (product, tcb, hwid_checked) = check_binding(report, chain.leaf(), chain.product(), opts)?;
    verify_report_signature(provider, report, chain.leaf())?;
    Ok(VerifiedReport {
        chain,
        product,
        tcb,
        hwid_checked,
    })
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
    let role = leaf_role_for(report)?;
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
