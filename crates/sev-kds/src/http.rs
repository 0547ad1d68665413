//! The blocking HTTP client: ureq over rustls (aws-lc-rs), a configurable base URL, the usual
//! proxy variables, timeouts, a body size cap, and retries on 429/502/503/504.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sev_verify::kds::{KdsRequest, Resource};

use crate::error::{FetchError, status_hint};
use crate::retry::{RetryPolicy, parse_retry_after};

/// AMD's KDS, the default base URL.
pub const AMD_KDS_URL: &str = "https://kdsintf.amd.com";

/// The largest body accepted (KDS objects are a few KiB; CRLs stay well under this).
pub const MAX_BODY: u64 = 1 << 20;

/// Where and how to reach KDS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KdsConfig {
    /// Base URL of the VCEK, chain and CRL endpoints (`https://kdsintf.amd.com`, or a mirror or
    /// a test server such as `http://127.0.0.1:8080`).
    pub base_url: String,
    /// Base URL of the VLEK certificate endpoint; `None` means `base_url`, except that AMD's
    /// own KDS serves VLEKs on port 444.
    pub vlek_base_url: Option<String>,
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for one request, from connecting to the last body byte.
    pub request_timeout: Duration,
    /// Retries on 429, 502, 503 and 504.
    pub retry: RetryPolicy,
    /// Use `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY`. Never used for loopback
    /// base URLs.
    pub proxy_from_env: bool,
}

impl Default for KdsConfig {
    fn default() -> Self {
        KdsConfig {
            base_url: AMD_KDS_URL.to_string(),
            vlek_base_url: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            proxy_from_env: true,
        }
    }
}

impl KdsConfig {
    /// The default configuration against `base_url`.
    pub fn with_base_url(base_url: impl Into<String>) -> Self {
        KdsConfig {
            base_url: base_url.into(),
            ..Self::default()
        }
    }

    /// The URL `request` is fetched from: its KDS path under the configured base.
    ///
    /// ```
    /// use sev_kds::KdsConfig;
    /// use sev_verify::kds::{Endorsement, KdsRequest};
    /// use sev_types::Product;
    /// let req = KdsRequest::crl(Product::Genoa, Endorsement::Vlek)?;
    /// assert_eq!(KdsConfig::default().url_for(&req), "https://kdsintf.amd.com/vlek/v1/Genoa/crl");
    /// let local = KdsConfig::with_base_url("http://127.0.0.1:8080/");
    /// assert_eq!(local.url_for(&req), "http://127.0.0.1:8080/vlek/v1/Genoa/crl");
    /// # Ok::<(), sev_verify::kds::KdsError>(())
    /// ```
    pub fn url_for(&self, request: &KdsRequest) -> String {
        let path = request.path();
        let base = match (request.resource(), &self.vlek_base_url) {
            (Resource::Vlek, Some(b)) => b.as_str(),
            (Resource::Vlek, None) if self.base_url.trim_end_matches('/') == AMD_KDS_URL => {
                return format!("{AMD_KDS_URL}:{}{path}", sev_verify::kds::KDS_VLEK_PORT);
            }
            _ => self.base_url.as_str(),
        };
        format!("{}{path}", base.trim_end_matches('/'))
    }

    fn is_loopback(&self) -> bool {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        let host = rest.split(['/', ':']).next().unwrap_or("");
        matches!(host, "127.0.0.1" | "localhost") || rest.starts_with("[::1]")
    }
}

/// A blocking KDS client. Fetches bodies; checking them is [`crate::Kds`]'s job.
///
/// ```no_run
/// use sev_kds::{HttpClient, KdsConfig};
/// use sev_verify::kds::{Endorsement, KdsRequest};
/// use sev_types::Product;
/// let client = HttpClient::new(KdsConfig::default());
/// let pem = client.get(&KdsRequest::cert_chain(Product::Milan, Endorsement::Vcek)?)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
    config: KdsConfig,
    requests: Arc<AtomicU64>,
}

impl HttpClient {
    /// A client for `config`.
    pub fn new(config: KdsConfig) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(provider)
            .build();
        let proxy = if config.proxy_from_env && !config.is_loopback() {
            ureq::Proxy::try_from_env()
        } else {
            None
        };
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .proxy(proxy)
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.request_timeout))
            .user_agent(concat!("sev-kds/", env!("CARGO_PKG_VERSION")))
            .max_redirects(3)
            .build()
            .new_agent();
        HttpClient {
            agent,
            config,
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &KdsConfig {
        &self.config
    }

    /// HTTP requests sent so far (retries included), by this client and its clones.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Fetches `request` from the configured base URL, retrying per the policy.
    pub fn get(&self, request: &KdsRequest) -> Result<Vec<u8>, FetchError> {
        self.get_url(&self.config.url_for(request))
    }

    /// Fetches `url` as is, retrying on 429, 502, 503 and 504 per the policy.
    pub fn get_url(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let policy = self.config.retry;
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let (status, retry_after) = match self.once(url)? {
                Answer::Body(b) => return Ok(b),
                Answer::Retry { status, retry_after } => (status, retry_after),
            };
            let wait = retry_after.unwrap_or_else(|| policy.backoff(attempt - 1));
            let over_bound = waited.saturating_add(wait) > policy.max_wait;
            if attempt >= policy.max_attempts || over_bound {
                return Err(FetchError::RateLimited {
                    url: url.to_string(),
                    status,
                    attempts: attempt,
                    waited,
                    retry_after: retry_after.filter(|_| over_bound),
                    bound: policy.max_wait,
                });
            }
            std::thread::sleep(wait);
            waited += wait;
        }
    }

    fn once(&self, url: &str) -> Result<Answer, FetchError> {
        let response = self.agent.get(url).call().map_err(|e| transport_error(url, e))?;
        let status = response.status().as_u16();
        if matches!(status, 429 | 502 | 503 | 504) {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            return Ok(Answer::Retry { status, retry_after });
        }
        if status != 200 {
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
                hint: status_hint(status),
            });
        }
        let body = response
            .into_body()
            .into_with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                    url: url.to_string(),
                    limit: MAX_BODY,
                },
                e => transport_error(url, e),
            })?;
        Ok(Answer::Body(body))
    }
}

enum Answer {
    Body(Vec<u8>),
    Retry { status: u16, retry_after: Option<Duration> },
}

fn transport_error(url: &str, e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::Timeout(t) => FetchError::Timeout {
            url: url.to_string(),
            detail: t.to_string(),
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => FetchError::Timeout {
            url: url.to_string(),
            detail: io.to_string(),
        },
        e => FetchError::Transport {
            url: url.to_string(),
            reason: e.to_string(),
        },
    }
}

impl sev_verify::kds::KdsFetch for HttpClient {
    type Error = FetchError;

    /// Fetches a KDS URL (`https://kdsintf.amd.com/...`) from the configured base, unchecked.
    fn fetch_url(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        self.get(&KdsRequest::parse(url)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sev_types::Product;
    use sev_types::tcb::Tcb;

    fn vlek() -> KdsRequest {
        let tcb = Tcb {
            fmc: None,
            bootloader: 4,
            tee: 0,
            snp: 24,
            microcode: 217,
        };
        KdsRequest::vlek(Product::Milan, tcb).unwrap()
    }

    #[test]
    fn vlek_certificates_come_from_port_444_of_amd_kds_only() {
        // AMD's documented VLEK endpoint (sev-verify's KDS_VLEK_PORT).
        assert_eq!(
            KdsConfig::default().url_for(&vlek()),
            "https://kdsintf.amd.com:444/vlek/v1/Milan/cert?blSPL=04&teeSPL=00&snpSPL=24&ucodeSPL=217"
        );
        let mirror = KdsConfig::with_base_url("https://mirror.example/kds");
        assert_eq!(
            mirror.url_for(&vlek()),
            "https://mirror.example/kds/vlek/v1/Milan/cert?blSPL=04&teeSPL=00&snpSPL=24&ucodeSPL=217"
        );
        let split = KdsConfig {
            vlek_base_url: Some("https://vlek.example".into()),
            ..mirror
        };
        assert!(
            split
                .url_for(&vlek())
                .starts_with("https://vlek.example/vlek/v1/Milan/cert?")
        );
    }

    #[test]
    fn loopback_base_urls_never_use_a_proxy() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost/",
            "http://[::1]:99",
            "https://127.0.0.1",
        ] {
            assert!(KdsConfig::with_base_url(url).is_loopback(), "{url}");
        }
        for url in ["https://kdsintf.amd.com", "http://localhost.example", "http://10.0.0.1"] {
            assert!(!KdsConfig::with_base_url(url).is_loopback(), "{url}");
        }
    }
}
