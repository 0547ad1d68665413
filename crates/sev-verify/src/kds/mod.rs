//! AMD Key Distribution Service (KDS) URLs: builders and parsers, no network.
//!
//! A [`KdsRequest`] names one KDS resource: a VCEK or VLEK certificate, a CA chain or a CRL.
//! Build it from a report ([`KdsRequest::vcek_for_report`]) or from explicit parameters, turn it
//! into a URL with [`KdsRequest::url`], and turn a URL back into a request with
//! [`KdsRequest::parse`]. Callers who want to download bring their own client through
//! [`KdsFetch`].
//!
//! ```
//! use sev_types::{report::Report, Product};
//! use sev_verify::kds::{KdsRequest, Resource};
//! let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/turin/routex-v5/report.bin"))?;
//! let report = Report::from_bytes(&bytes)?;
//! let req = KdsRequest::vcek_for_report(&report, None)?;
//! assert_eq!(
//!     req.url(),
//!     "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=00&blSPL=01&teeSPL=00&snpSPL=02&ucodeSPL=71"
//! );
//! let back = KdsRequest::parse("https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71")?;
//! assert_eq!(back, req);
//! assert_eq!(back.resource(), Resource::Vcek);
//! assert_eq!(back.product(), Product::Turin);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod error;
mod fetch;
mod parse;

use core::fmt;

use sev_types::Product;
use sev_types::tcb::Tcb;

pub use error::{KdsError, UrlError};
pub use fetch::KdsFetch;

/// The KDS host name.
pub const KDS_HOST: &str = "kdsintf.amd.com";
/// The port of KDS's provider-authenticated endpoints (VLEK certificates).
pub const KDS_VLEK_PORT: u16 = 444;

pub use crate::snp::Endorsement;

/// The kind of resource a [`KdsRequest`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// A VCEK certificate (DER).
    Vcek,
    /// A VLEK certificate (DER; provider credentials required).
    Vlek,
    /// The CA chain: ASK then ARK, or ASVK then ARK (PEM).
    CertChain,
    /// The ARK-signed CRL (DER).
    Crl,
}

/// A hardware ID as used in VCEK URLs: the 64-byte CHIP_ID, or its first 8 bytes from Turin on.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HwId {
    bytes: [u8; 64],
    len: u8,
}

impl HwId {
    /// The hwID bytes (64 or 8).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn new(bytes: &[u8]) -> Self {
        let mut out = [0u8; 64];
        let len = bytes.len().min(64);
        out[..len].copy_from_slice(&bytes[..len]);
        HwId {
            bytes: out,
            len: len as u8,
        }
    }
}

impl fmt::Debug for HwId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HwId({})", sev_types::fmt::Hex(self.as_bytes()))
    }
}

impl fmt::Display for HwId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&sev_types::fmt::Hex(self.as_bytes()), f)
    }
}

/// One KDS resource, validated: its product is one KDS serves (Bergamo and Siena become Genoa),
/// a VCEK's hwID has the product's length, and the TCB has an FMC SPL exactly when the product's
/// layout does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KdsRequest {
    product: Product,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Vcek { hwid: HwId, tcb: Tcb },
    Vlek { tcb: Tcb },
    CertChain(Endorsement),
    Crl(Endorsement),
}

impl KdsRequest {
    /// The KDS product (`Milan`, `Genoa`, `Turin`, ...), never Bergamo/Siena.
    pub fn product(&self) -> Product {
        self.product
    }

    /// What is requested.
    pub fn resource(&self) -> Resource {
        match self.kind {
            Kind::Vcek { .. } => Resource::Vcek,
            Kind::Vlek { .. } => Resource::Vlek,
            Kind::CertChain(_) => Resource::CertChain,
            Kind::Crl(_) => Resource::Crl,
        }
    }

    /// The side of the PKI: VCEK for VCEK certificates, VLEK for VLEK certificates, and the
    /// chosen side for chains and CRLs.
    pub fn key_type(&self) -> Endorsement {
        match self.kind {
            Kind::Vcek { .. } => Endorsement::Vcek,
            Kind::Vlek { .. } => Endorsement::Vlek,
            Kind::CertChain(k) | Kind::Crl(k) => k,
        }
    }

    /// The hwID of a VCEK request.
    pub fn hwid(&self) -> Option<&HwId> {
        match &self.kind {
            Kind::Vcek { hwid, .. } => Some(hwid),
            _ => None,
        }
    }

    /// The TCB (SPLs) of a VCEK or VLEK request.
    pub fn tcb(&self) -> Option<Tcb> {
        match self.kind {
            Kind::Vcek { tcb, .. } | Kind::Vlek { tcb } => Some(tcb),
            _ => None,
        }
    }
}

impl fmt::Display for KdsRequest {
    /// Writes the URL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_url(f)
    }
}
