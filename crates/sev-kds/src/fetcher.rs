//! [`Kds`]: the collateral source verifiers use — an offline bundle, then the disk cache, then
//! the network — with every response checked before it is cached.

use std::path::PathBuf;

use sev_types::Product;
use sev_types::report::Report;
use sev_verify::kds::{Endorsement, KdsFetch, KdsRequest, Resource};
use sev_verify::snp::{CertBundle, Crl, SnpError, pem, signer_of};

use crate::bundle::Bundle;
use crate::cache::DiskCache;
use crate::check::Checker;
use crate::error::{CheckError, FetchError};
use crate::http::{HttpClient, KdsConfig};

/// Where an object came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An offline bundle.
    Bundle,
    /// The disk cache.
    Cache,
    /// KDS (then stored in the cache, if there is one).
    Network,
}

/// One object, checked against its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// What was asked for.
    pub request: KdsRequest,
    /// DER for certificates and CRLs; PEM (intermediate, ARK) for chains.
    pub bytes: Vec<u8>,
    /// Where it came from.
    pub source: Source,
    /// Its cache file, when it is in the cache.
    pub path: Option<PathBuf>,
    /// Why an object fetched from the network could not be stored in the cache (a read-only
    /// or full file system). The object was checked all the same and is returned.
    pub cache_error: Option<String>,
}

/// Which objects [`Kds::collateral`] gathers for a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    /// The VCEK (a VLEK cannot be fetched without the provider's credentials, so VLEK-signed
    /// reports never get their leaf here).
    pub leaf: bool,
    /// The CA chain (ASK or ASVK, then ARK).
    pub chain: bool,
    /// The CRL.
    pub crl: bool,
}

impl Wanted {
    /// The VCEK, the chain and the CRL.
    pub const ALL: Wanted = Wanted {
        leaf: true,
        chain: true,
        crl: true,
    };
}

/// The collateral of one report.
#[derive(Debug, Clone, Default)]
pub struct Collateral {
    /// Every object gathered, in request order (leaf, chain, CRL).
    pub objects: Vec<Fetched>,
}

impl Collateral {
    /// Every certificate (DER) and CRL (DER), ready for a [`CertBundle`].
    pub fn ders(&self) -> Result<Vec<Vec<u8>>, SnpError> {
        let mut out = Vec::new();
        for o in &self.objects {
            match o.request.resource() {
                Resource::CertChain => out.extend(pem::split_der_or_pem(&o.bytes)?),
                _ => out.push(o.bytes.clone()),
            }
        }
        Ok(out)
    }

    /// A [`CertBundle`] of everything gathered.
    pub fn to_bundle(&self) -> Result<CertBundle, SnpError> {
        let ders = self.ders()?;
        let refs: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
        CertBundle::from_der(&refs)
    }

    /// How many objects came from `source`.
    pub fn count(&self, source: Source) -> usize {
        self.objects.iter().filter(|o| o.source == source).count()
    }
}

/// Fetches AMD collateral: from an offline [`Bundle`] if one is set, else from the
/// [`DiskCache`] if one is set, else from KDS unless offline. Every body from the network is
/// checked ([`Checker`]: parse, role, product, hwID, TCB, signatures) before it is cached or
/// returned. A cached file that is not whole is fetched again; what it holds is not trusted
/// (verification checks every signature and the binding to the report). A cached CRL past its
/// nextUpdate is fetched again.
///
/// ```
/// use sev_kds::{testing::FakeKds, DiskCache, Kds, KdsConfig, Source, Wanted};
/// use sev_types::report::Report;
/// use sev_verify::snp::Verifier;
/// let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
/// let report = std::fs::read(format!("{fixtures}/snp/milan/routex-v3/report.bin"))?;
/// let report = Report::from_bytes(&report)?;
///
/// // A fake KDS on 127.0.0.1 serving the real Milan VCEK and chain.
/// let server = FakeKds::start();
/// server.serve_request(&sev_verify::kds::KdsRequest::vcek_for_report(&report, None)?,
///     std::fs::read(format!("{fixtures}/snp/milan/routex-v3/vcek.der"))?);
/// server.serve_request(&sev_verify::kds::KdsRequest::cert_chain(sev_types::Product::Milan, sev_verify::kds::Endorsement::Vcek)?,
///     std::fs::read(format!("{fixtures}/kds/vcek_cert_chain_milan.pem"))?);
///
/// let dir = std::env::temp_dir().join(format!("sev-kds-doc-{}", std::process::id()));
/// let kds = Kds::new(KdsConfig::with_base_url(server.base_url())).with_cache(DiskCache::open(&dir)?);
/// let now = 1_764_547_200; // 2025-12-01
/// let wanted = Wanted { crl: false, ..Wanted::ALL };
/// let first = kds.collateral(&report, None, wanted, now)?;
/// assert_eq!(first.count(Source::Network), 2);
/// let second = kds.collateral(&report, None, wanted, now)?;
/// assert_eq!(second.count(Source::Cache), 2);
/// assert_eq!(server.requests(), 2); // the second round made no request
///
/// let verifier = Verifier::builtin(sev_verify::crypto::default_provider());
/// verifier.verify(&report, &second.to_bundle()?, now)?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Kds {
    client: Option<HttpClient>,
    cache: Option<DiskCache>,
    bundle: Option<Bundle>,
    checker: Checker,
    now: Option<u64>,
}

impl Kds {
    /// Fetches from the network per `config`; no cache; AMD's built-in roots.
    pub fn new(config: KdsConfig) -> Self {
        Kds {
            client: Some(HttpClient::new(config)),
            cache: None,
            bundle: None,
            checker: Checker::builtin(),
            now: None,
        }
    }

    /// Never uses the network: only a bundle or the cache.
    pub fn offline() -> Self {
        Kds {
            client: None,
            cache: None,
            bundle: None,
            checker: Checker::builtin(),
            now: None,
        }
    }

    /// Reads and fills `cache`.
    pub fn with_cache(mut self, cache: DiskCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Serves what `bundle` holds before anything else.
    pub fn with_bundle(mut self, bundle: Bundle) -> Self {
        self.bundle = Some(bundle);
        self
    }

    /// Checks responses with `checker` (for example against pinned roots).
    pub fn with_checker(mut self, checker: Checker) -> Self {
        self.checker = checker;
        self
    }

    /// The time (seconds since the Unix epoch) [`KdsFetch`] calls use to decide whether a
    /// cached CRL is stale; the system clock when unset.
    pub fn at_time(mut self, now: u64) -> Self {
        self.now = Some(now);
        self
    }

    /// The HTTP client, unless offline.
    pub fn client(&self) -> Option<&HttpClient> {
        self.client.as_ref()
    }

    /// The cache, if any.
    pub fn cache(&self) -> Option<&DiskCache> {
        self.cache.as_ref()
    }

    /// The checker.
    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// HTTP requests sent so far (0 when offline).
    pub fn requests_sent(&self) -> u64 {
        self.client.as_ref().map_or(0, HttpClient::requests_sent)
    }

    /// The object `request` names, checked; `now` decides whether a cached CRL is stale.
    pub fn get(&self, request: &KdsRequest, now: u64) -> Result<Fetched, FetchError> {
        if let Some(bytes) = self.bundle.as_ref().and_then(|b| b.get(request)) {
            let checked = self
                .checker
                .check_with(request, bytes, false)
                .map_err(|error| FetchError::Invalid {
                    url: request.url(),
                    error,
                })?;
            return Ok(Fetched {
                request: *request,
                bytes: checked.into_bytes(),
                source: Source::Bundle,
                path: None,
                cache_error: None,
            });
        }
        if let Some(cache) = &self.cache {
            // An unreadable cache is only a miss when the network can stand in for it.
            let cached = match cache.read(request) {
                Err(e) if self.client.is_none() => return Err(e),
                read => read.ok().flatten(),
            };
            if let Some(bytes) = cached {
                let usable =
                    looks_whole(request, &bytes) && (self.client.is_none() || !stale_crl(request, &bytes, now));
                if usable {
                    return Ok(Fetched {
                        request: *request,
                        bytes,
                        source: Source::Cache,
                        path: Some(cache.path_for(request)),
                        cache_error: None,
                    });
                }
            }
        }
        let Some(client) = &self.client else {
            return Err(FetchError::Offline { url: request.url() });
        };
        let url = client.config().url_for(request);
        let body = client.get_url(&url)?;
        let checked = match self.checker.check(request, &body) {
            // Not signed by the store's intermediate: try the product's chain from KDS (an
            // intermediate the store lacks, under a trusted ARK).
            Err(CheckError::Signature { .. }) if matches!(request.resource(), Resource::Vcek | Resource::Vlek) => {
                let chain_req = KdsRequest::cert_chain(request.product(), request.key_type())?;
                let chain = self.get(&chain_req, now)?;
                self.checker.check_with_chain(request, &body, &chain.bytes)
            }
            other => other,
        }
        .map_err(|error| FetchError::Invalid { url, error })?;
        let (path, cache_error) = match self.cache.as_ref().map(|c| c.write(request, checked.bytes())) {
            Some(Ok(p)) => (Some(p), None),
            Some(Err(e)) => (None, Some(e.to_string())),
            None => (None, None),
        };
        Ok(Fetched {
            request: *request,
            bytes: checked.into_bytes(),
            source: Source::Network,
            path,
            cache_error,
        })
    }

    /// The KDS requests for `report`'s collateral: its VCEK (VCEK-signed reports only), the
    /// chain and the CRL of its signing side, as `wanted` says.
    pub fn requests_for(
        report: &Report<'_>,
        hint: Option<Product>,
        wanted: Wanted,
    ) -> Result<Vec<KdsRequest>, FetchError> {
        let side = signer_of(report)?;
        let product = report
            .product()
            .or(hint)
            .ok_or(sev_verify::kds::KdsError::UnknownProduct {
                version: report.version(),
            })?;
        let mut out = Vec::new();
        if wanted.leaf && side == Endorsement::Vcek {
            out.push(KdsRequest::vcek_for_report(report, hint)?);
        }
        if wanted.chain {
            out.push(KdsRequest::cert_chain(product, side)?);
        }
        if wanted.crl {
            out.push(KdsRequest::crl(product, side)?);
        }
        Ok(out)
    }

    /// Gathers `report`'s collateral ([`Kds::requests_for`]) through [`Kds::get`].
    pub fn collateral(
        &self,
        report: &Report<'_>,
        hint: Option<Product>,
        wanted: Wanted,
        now: u64,
    ) -> Result<Collateral, FetchError> {
        let objects = Self::requests_for(report, hint, wanted)?
            .iter()
            .map(|r| self.get(r, now))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Collateral { objects })
    }

    /// Gathers the collateral of every report into one offline bundle.
    pub fn export_bundle(
        &self,
        reports: &[Report<'_>],
        hint: Option<Product>,
        wanted: Wanted,
        now: u64,
    ) -> Result<Bundle, FetchError> {
        let mut bundle = Bundle::new();
        for r in reports {
            for o in self.collateral(r, hint, wanted, now)?.objects {
                bundle.insert(o.request, o.bytes);
            }
        }
        Ok(bundle)
    }

    /// Checks every object of `bundle` (signatures included) and stores it in the cache.
    /// Returns the number stored; fails on the first object refused, before storing it.
    pub fn import_bundle(&self, bundle: &Bundle) -> Result<usize, FetchError> {
        let cache = self
            .cache
            .as_ref()
            .ok_or_else(|| FetchError::Bundle("no cache to import into".into()))?;
        let mut n = 0;
        for (request, bytes) in bundle.iter() {
            let checked = match self.checker.check(request, bytes) {
                // A leaf whose issuer the store lacks: check it under the bundle's chain.
                Err(CheckError::Signature { .. }) if matches!(request.resource(), Resource::Vcek | Resource::Vlek) => {
                    let chain_req = KdsRequest::cert_chain(request.product(), request.key_type())?;
                    match bundle.get(&chain_req) {
                        Some(chain) => self.checker.check_with_chain(request, bytes, chain),
                        None => self.checker.check(request, bytes),
                    }
                }
                other => other,
            }
            .map_err(|error| FetchError::Invalid {
                url: request.url(),
                error,
            })?;
            cache.write(request, checked.bytes())?;
            n += 1;
        }
        Ok(n)
    }
}

/// Whether a cached file is whole: one DER SEQUENCE of exactly its length, or a PEM chain of two
/// complete certificates. Its contents are not trusted either way (verification checks every
/// signature and the binding to the report); this only spots a damaged file, which is then
/// fetched again. Parsing is left to verification, so a warm cache costs no more than files
/// given by hand.
fn looks_whole(request: &KdsRequest, bytes: &[u8]) -> bool {
    match request.resource() {
        Resource::CertChain => {
            let text = String::from_utf8_lossy(bytes);
            text.matches("-----BEGIN CERTIFICATE-----").count() == 2
                && text.matches("-----END CERTIFICATE-----").count() == 2
                && text.trim_end().ends_with("-----END CERTIFICATE-----")
        }
        _ => der_sequence_len(bytes) == Some(bytes.len()),
    }
}

/// The total length a DER SEQUENCE header announces.
fn der_sequence_len(b: &[u8]) -> Option<usize> {
    match (b.first(), b.get(1)) {
        (Some(0x30), Some(&l)) if l < 0x80 => Some(2 + usize::from(l)),
        (Some(0x30), Some(&l)) if (0x81..=0x84).contains(&l) => {
            let n = usize::from(l - 0x80);
            let len = b
                .get(2..2 + n)?
                .iter()
                .fold(0usize, |acc, &x| (acc << 8) | usize::from(x));
            len.checked_add(2 + n)
        }
        _ => None,
    }
}

/// Whether `bytes` is a CRL for `request` that is past its nextUpdate (or has none) at `now`.
fn stale_crl(request: &KdsRequest, bytes: &[u8], now: u64) -> bool {
    request.resource() == Resource::Crl
        && Crl::from_der(bytes).map_or(true, |c| c.next_update().is_none_or(|n| now > n))
}

impl KdsFetch for Kds {
    type Error = FetchError;

    /// Fetches a KDS URL through the bundle, cache and network, checked.
    fn fetch_url(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.fetch(&KdsRequest::parse(url)?)
    }

    fn fetch(&self, request: &KdsRequest) -> Result<Vec<u8>, FetchError> {
        let now = self.now.unwrap_or_else(sev_verify::snp::unix_now);
        self.get(request, now).map(|f| f.bytes)
    }
}
