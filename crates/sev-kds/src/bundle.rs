//! Offline bundles: the collateral of a set of reports in one text file, to verify later with
//! no network.

use std::collections::BTreeMap;

use sev_verify::kds::{KdsFetch, KdsRequest, Resource};
use sev_verify::snp::pem;

use crate::error::FetchError;

/// The first line of a bundle file.
pub const BUNDLE_HEADER: &str = "# sev-kds offline bundle v1";
const URL_PREFIX: &str = "# url: ";
/// The largest bundle file read.
pub const MAX_BUNDLE: usize = 64 << 20;

/// KDS objects keyed by their request: DER for certificates and CRLs, PEM for chains.
///
/// The file is PEM with a comment line naming the KDS URL of each object:
///
/// ```text
/// # sev-kds offline bundle v1
/// # url: https://kdsintf.amd.com/vcek/v1/Milan/<hwID>?blSPL=02&teeSPL=00&snpSPL=05&ucodeSPL=68
/// -----BEGIN CERTIFICATE-----
/// ...
/// # url: https://kdsintf.amd.com/vcek/v1/Milan/cert_chain
/// -----BEGIN CERTIFICATE----- (ASK) ... (ARK)
/// # url: https://kdsintf.amd.com/vcek/v1/Milan/crl
/// -----BEGIN X509 CRL-----
/// ```
///
/// ```
/// use sev_kds::Bundle;
/// use sev_verify::kds::{Endorsement, KdsFetch, KdsRequest};
/// use sev_types::Product;
/// let chain = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/kds/vcek_cert_chain_turin.pem"))?;
/// let req = KdsRequest::cert_chain(Product::Turin, Endorsement::Vcek)?;
/// let mut bundle = Bundle::new();
/// bundle.insert(req, chain);
/// let text = bundle.to_text()?;
/// let back = Bundle::parse(text.as_bytes())?;
/// assert_eq!(back.len(), 1);
/// // A bundle is a fetcher that never touches the network.
/// assert!(back.fetch(&req).is_ok());
/// assert!(back.fetch(&KdsRequest::crl(Product::Turin, Endorsement::Vcek)?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bundle {
    objects: BTreeMap<String, (KdsRequest, Vec<u8>)>,
}

impl Bundle {
    /// An empty bundle.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) `request`'s object.
    pub fn insert(&mut self, request: KdsRequest, bytes: Vec<u8>) {
        self.objects.insert(request.url(), (request, bytes));
    }

    /// `request`'s object, if held.
    pub fn get(&self, request: &KdsRequest) -> Option<&[u8]> {
        self.objects.get(&request.url()).map(|(_, b)| b.as_slice())
    }

    /// Every object, ordered by URL.
    pub fn iter(&self) -> impl Iterator<Item = (&KdsRequest, &[u8])> {
        self.objects.values().map(|(r, b)| (r, b.as_slice()))
    }

    /// The number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the bundle is empty.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The bundle as text (the format is described under [`Bundle`]).
    pub fn to_text(&self) -> Result<String, FetchError> {
        let mut out = format!("{BUNDLE_HEADER}\n");
        for (url, (request, bytes)) in &self.objects {
            out.push_str(URL_PREFIX);
            out.push_str(url);
            out.push('\n');
            match request.resource() {
                Resource::CertChain => {
                    let ders = pem::split_der_or_pem(bytes).map_err(|e| FetchError::Bundle(format!("{url}: {e}")))?;
                    for d in ders {
                        out.push_str(&pem::encode("CERTIFICATE", &d));
                    }
                }
                Resource::Crl => out.push_str(&pem::encode("X509 CRL", bytes)),
                Resource::Vcek | Resource::Vlek => out.push_str(&pem::encode("CERTIFICATE", bytes)),
            }
        }
        Ok(out)
    }

    /// Parses bundle text. Objects are not checked here: [`crate::Kds`] checks what it serves
    /// from a bundle, and [`crate::Kds::import_bundle`] checks signatures too.
    pub fn parse(text: &[u8]) -> Result<Self, FetchError> {
        if text.len() > MAX_BUNDLE {
            return Err(FetchError::Bundle(format!("larger than {MAX_BUNDLE} bytes")));
        }
        let text = std::str::from_utf8(text).map_err(|_| FetchError::Bundle("not UTF-8 text".into()))?;
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some(BUNDLE_HEADER) {
            return Err(FetchError::Bundle(format!("the first line must be {BUNDLE_HEADER:?}")));
        }
        let mut bundle = Bundle::new();
        let mut current: Option<(KdsRequest, String)> = None;
        let finish = |bundle: &mut Bundle, cur: Option<(KdsRequest, String)>| -> Result<(), FetchError> {
            if let Some((request, body)) = cur {
                let ders = pem::split_der_or_pem(body.as_bytes())
                    .map_err(|e| FetchError::Bundle(format!("{}: {e}", request.url())))?;
                let bytes = match (request.resource(), ders.as_slice()) {
                    (Resource::CertChain, _) => body.into_bytes(),
                    (_, [one]) => one.clone(),
                    _ => {
                        return Err(FetchError::Bundle(format!(
                            "{}: expected one PEM block, found {}",
                            request.url(),
                            ders.len()
                        )));
                    }
                };
                bundle.insert(request, bytes);
            }
            Ok(())
        };
        for line in lines {
            if let Some(url) = line.strip_prefix(URL_PREFIX) {
                finish(&mut bundle, current.take())?;
                current = Some((KdsRequest::parse(url.trim())?, String::new()));
            } else if line.starts_with('#') || line.trim().is_empty() {
                continue;
            } else if let Some((_, body)) = current.as_mut() {
                body.push_str(line);
                body.push('\n');
            } else {
                return Err(FetchError::Bundle("PEM before the first `# url:` line".into()));
            }
        }
        finish(&mut bundle, current)?;
        Ok(bundle)
    }
}

impl KdsFetch for Bundle {
    type Error = FetchError;

    /// The object for a KDS URL, or [`FetchError::Offline`]: a bundle never uses the network.
    fn fetch_url(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.fetch(&KdsRequest::parse(url)?)
    }

    fn fetch(&self, request: &KdsRequest) -> Result<Vec<u8>, FetchError> {
        self.get(request)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| FetchError::Offline { url: request.url() })
    }
}
