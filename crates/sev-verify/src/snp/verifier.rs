//! [`Verifier`]: one value that holds what report verification needs — a crypto provider, the
//! trusted roots, a cache and the caller's relaxations — and verifies reports against it.

use alloc::sync::Arc;
use alloc::vec::Vec;

use sev_types::Product;
use sev_types::guest::CertTable;
use sev_types::report::Report;

use super::bundle::CertBundle;
use super::cache::ChainCache;
use super::chain::{cached_chain, verify_chain_relaxed};
use super::crl::Crl;
use super::error::SnpError;
use super::report::{VerifyOptions, signer_of, verify_report_with_chain};
use super::roots::TrustStore;
use super::strict::Relaxations;
use super::verified::VerifiedReport;
use crate::crypto::CryptoProvider;

/// Verifies attestation reports: the chain to a trusted ARK, the signature over the received
/// bytes, the binding to the VCEK/VLEK, the strict rules of the ABI, and CRLs.
///
/// Build one and share it: the trust store's own signatures are checked once when it is built,
/// and the optional [`ChainCache`] remembers verified chains across calls. Every check is on by
/// default; [`Verifier::with_relaxations`] names the exceptions.
///
/// ```
/// use sev_types::report::Report;
/// use sev_verify::snp::{CertBundle, ChainCache, ErrorKind, Verifier};
/// use std::sync::Arc;
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/genoa/routex-v5");
/// let bytes = std::fs::read(format!("{dir}/report.bin"))?;
/// let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
/// let verifier = Verifier::builtin(sev_verify::crypto::default_provider())
///     .with_cache(Arc::new(ChainCache::new(64)));
/// let now = 1_764_547_200; // 2025-12-01
///
/// let report = Report::from_bytes(&bytes)?;
/// let verified = verifier.verify(&report, &CertBundle::from_der(&[&vcek])?, now)?;
/// assert_eq!(verified.reported_tcb().snp, 27);
///
/// let mut forged = bytes.clone();
/// forged[0x90] ^= 0x80; // one bit of MEASUREMENT
/// let err = verifier.verify_der(&Report::from_bytes(&forged)?, &[&vcek], now).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Signature);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    provider: CryptoProvider,
    store: TrustStore,
    cache: Option<Arc<ChainCache>>,
    relax: Relaxations,
    product: Option<Product>,
    skip_hwid_check: bool,
    allow_stale_crl: bool,
    crls: Vec<Crl>,
}

impl Verifier {
    /// A verifier trusting `store`, with every check on and no cache.
    pub fn new(provider: CryptoProvider, store: TrustStore) -> Self {
        Verifier {
            provider,
            store,
            cache: None,
            relax: Relaxations::STRICT,
            product: None,
            skip_hwid_check: false,
            allow_stale_crl: false,
            crls: Vec::new(),
        }
    }

    /// A verifier trusting AMD's built-in roots ([`TrustStore::builtin`]).
    pub fn builtin(provider: CryptoProvider) -> Self {
        let store = TrustStore::builtin(&provider);
        Self::new(provider, store)
    }

    /// Remembers verified chains and signatures in `cache` (shareable between verifiers and
    /// threads).
    pub fn with_cache(mut self, cache: Arc<ChainCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Relaxes the named strict checks.
    pub fn with_relaxations(mut self, relax: Relaxations) -> Self {
        self.relax = relax;
        self
    }

    /// The product, for v2 reports that carry no CPUID; it must agree with report and chain.
    pub fn with_product(mut self, product: Product) -> Self {
        self.product = Some(product);
        self
    }

    /// Applies these CRLs to every chain (in addition to CRLs that come with the certificates).
    pub fn with_crls(mut self, crls: Vec<Crl>) -> Self {
        self.crls = crls;
        self
    }

    /// Does not compare a VCEK's hwID with CHIP_ID (needed for MASK_CHIP_ID reports).
    pub fn skip_hwid_check(mut self) -> Self {
        self.skip_hwid_check = true;
        self
    }

    /// Accepts CRLs outside their thisUpdate..nextUpdate window.
    pub fn allow_stale_crl(mut self) -> Self {
        self.allow_stale_crl = true;
        self
    }

    /// The crypto provider.
    pub fn provider(&self) -> &CryptoProvider {
        &self.provider
    }

    /// The trusted roots.
    pub fn store(&self) -> &TrustStore {
        &self.store
    }

    /// The relaxations in force.
    pub fn relaxations(&self) -> &Relaxations {
        &self.relax
    }

    fn options(&self, now: u64) -> VerifyOptions<'_> {
        VerifyOptions {
            now,
            product: self.product,
            skip_hwid_check: self.skip_hwid_check,
            crls: &self.crls,
            allow_stale_crl: self.allow_stale_crl,
            cache: self.cache.as_deref(),
            relax: self.relax,
        }
    }

    /// Verifies `report` with the certificates and CRLs of `certs` (missing ARK/ASK/ASVK come
    /// from the store), at `now` (seconds since the Unix epoch).
    ///
    /// A certificate in the bundle that was refused makes verification fail with that reason; a
    /// CRL that was refused is reported only after chain and signature have verified, so it
    /// cannot hide a forgery.
    pub fn verify(&self, report: &Report<'_>, certs: &CertBundle, now: u64) -> Result<VerifiedReport, SnpError> {
        verify_with_bundle(&self.provider, &self.store, report, certs, &self.options(now))
    }

    /// Verifies `report` with DER certificates (any order, any mix of roles).
    pub fn verify_der(&self, report: &Report<'_>, certs: &[&[u8]], now: u64) -> Result<VerifiedReport, SnpError> {
        let opts = self.options(now);
        let signer = signer_of(report)?;
        let chain = verify_chain_relaxed(
            &self.provider,
            &self.store,
            certs,
            Some(signer),
            now,
            opts.cache,
            &self.relax,
        )?;
        verify_report_with_chain(&self.provider, report, chain, &opts)
    }

    /// Verifies `report` with the certificates and CRLs of its certificate table (an extended
    /// report's, or a configfs-tsm auxblob).
    pub fn verify_table(
        &self,
        report: &Report<'_>,
        table: &CertTable<'_>,
        now: u64,
    ) -> Result<VerifiedReport, SnpError> {
        let mut bundle = CertBundle::with_relaxations(self.relax);
        bundle.add_table(table)?;
        self.verify(report, &bundle, now)
    }
}

/// The bundle path shared by [`Verifier::verify`] and the free functions.
pub(crate) fn verify_with_bundle(
    provider: &CryptoProvider,
    store: &TrustStore,
    report: &Report<'_>,
    bundle: &CertBundle,
    opts: &VerifyOptions<'_>,
) -> Result<VerifiedReport, SnpError> {
    if let Some((_, e)) = bundle.rejected().first() {
        return Err(e.clone());
    }
    let signer = signer_of(report)?;
    let ders: Vec<&[u8]> = bundle.certs().iter().map(|c| c.der()).collect();
    let chain = cached_chain(
        provider,
        store,
        &ders,
        Some(signer),
        opts.now,
        opts.cache,
        bundle.relaxations(),
        || Ok(bundle.certs().to_vec()),
    )?;
    let mut crls: Vec<Crl> = opts.crls.to_vec();
    crls.extend_from_slice(bundle.crls());
    let verified = verify_report_with_chain(provider, report, chain, &VerifyOptions { crls: &crls, ..*opts })?;
    match bundle.crl_errors().first() {
        Some((_, e)) => Err(e.clone()),
        None => Ok(verified),
    }
}
