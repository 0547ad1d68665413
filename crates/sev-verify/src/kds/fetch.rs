//! The seam for callers who bring a network client. This crate never does I/O.

use alloc::vec::Vec;

use super::KdsRequest;

/// Fetches KDS resources over a client the caller supplies (HTTP with retries, a cache, a
/// test double serving canned bodies).
///
/// Any `Fn(&str) -> Result<Vec<u8>, E>` is a fetcher:
///
/// ```
/// use sev_verify::kds::{KdsFetch, KdsRequest, Endorsement};
/// use sev_types::Product;
/// let canned = |url: &str| -> Result<Vec<u8>, String> {
///     match url {
///         "https://kdsintf.amd.com/vcek/v1/Milan/cert_chain" => Ok(b"-----BEGIN CERTIFICATE-----".to_vec()),
///         _ => Err(format!("404 {url}")),
///     }
/// };
/// let chain = KdsRequest::cert_chain(Product::Milan, Endorsement::Vcek)?;
/// assert!(canned.fetch(&chain).is_ok());
/// assert!(canned.fetch(&KdsRequest::crl(Product::Milan, Endorsement::Vcek)?).is_err());
/// # Ok::<(), sev_verify::kds::KdsError>(())
/// ```
pub trait KdsFetch {
    /// The client's error.
    type Error;

    /// Fetches `url` and returns the response body.
    fn fetch_url(&self, url: &str) -> Result<Vec<u8>, Self::Error>;

    /// Fetches the resource `request` names.
    fn fetch(&self, request: &KdsRequest) -> Result<Vec<u8>, Self::Error> {
        self.fetch_url(&request.url())
    }
}

impl<E, F: Fn(&str) -> Result<Vec<u8>, E>> KdsFetch for F {
    type Error = E;

    fn fetch_url(&self, url: &str) -> Result<Vec<u8>, E> {
        self(url)
    }
}
