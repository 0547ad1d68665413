//! Building requests and writing their URLs.

use alloc::string::{String, ToString};
use core::fmt;

use sev_types::Product;
use sev_types::report::Report;
use sev_types::tcb::{Tcb, TcbLayout};

use super::{Endorsement, HwId, KDS_HOST, KDS_VLEK_PORT, KdsError, KdsRequest, Kind};

/// The product KDS serves for `product`, and its TCB layout.
pub(super) fn kds_product(product: Product) -> Result<(Product, TcbLayout), KdsError> {
    let p = product.kds_product();
    match (p.kds_name(), p.tcb_layout()) {
        (Some(_), Some(layout)) => Ok((p, layout)),
        _ => Err(KdsError::UnsupportedProduct(product)),
    }
}

fn check_fmc(product: Product, layout: TcbLayout, tcb: &Tcb) -> Result<(), KdsError> {
    if layout.has_fmc() == tcb.fmc.is_some() {
        Ok(())
    } else {
        Err(KdsError::Fmc {
            product,
            required: layout.has_fmc(),
        })
    }
}

fn report_product(report: &Report<'_>, hint: Option<Product>) -> Result<Product, KdsError> {
    report.product().or(hint).ok_or(KdsError::UnknownProduct {
        version: report.version(),
    })
}

impl KdsRequest {
    /// A VCEK certificate for `product`, `hwid` and the reported TCB `tcb`.
    ///
    /// `hwid` is the product's hwID (64 bytes; 8 from Turin on). For 8-byte products the full
    /// 64-byte CHIP_ID is also accepted when its remaining bytes are zero. `tcb.fmc` must be
    /// set exactly for products whose TCB has an FMC SPL.
    pub fn vcek(product: Product, hwid: &[u8], tcb: Tcb) -> Result<Self, KdsError> {
        let (p, layout) = kds_product(product)?;
        let len = p.hwid_len();
        let hwid = if hwid.len() == len {
            hwid
        } else if hwid.len() == 64 && len < 64 {
            if hwid[len..].iter().any(|&b| b != 0) {
                return Err(KdsError::HwidTail {
                    product: p,
                    hwid_len: len,
                });
            }
            &hwid[..len]
        } else {
            return Err(KdsError::HwidLength {
                product: p,
                expected: len,
                found: hwid.len(),
            });
        };
        check_fmc(p, layout, &tcb)?;
        Ok(KdsRequest {
            product: p,
            kind: Kind::Vcek {
                hwid: HwId::new(hwid),
                tcb,
            },
        })
    }

    /// The VCEK that signed `report`: its CHIP_ID and REPORTED_TCB, decoded for its product.
    ///
    /// The product comes from the report's CPUID (v3+), else from `hint`. Fails on a masked
    /// CHIP_ID.
    pub fn vcek_for_report(report: &Report<'_>, hint: Option<Product>) -> Result<Self, KdsError> {
        let product = report_product(report, hint)?;
        let (_, layout) = kds_product(product)?;
        if report.chip_id_masked() {
            return Err(KdsError::MaskedChipId);
        }
        Self::vcek(product, report.chip_id(), report.reported_tcb().decode(layout))
    }

    /// A VLEK certificate for `product` and the reported TCB `tcb`.
    pub fn vlek(product: Product, tcb: Tcb) -> Result<Self, KdsError> {
        let (p, layout) = kds_product(product)?;
        check_fmc(p, layout, &tcb)?;
        Ok(KdsRequest {
            product: p,
            kind: Kind::Vlek { tcb },
        })
    }

    /// The VLEK certificate for `report`'s product and REPORTED_TCB.
    pub fn vlek_for_report(report: &Report<'_>, hint: Option<Product>) -> Result<Self, KdsError> {
        let product = report_product(report, hint)?;
        let (_, layout) = kds_product(product)?;
        Self::vlek(product, report.reported_tcb().decode(layout))
    }

    /// The CA chain (ASK or ASVK, then ARK) of `product`.
    pub fn cert_chain(product: Product, key: Endorsement) -> Result<Self, KdsError> {
        let (p, _) = kds_product(product)?;
        Ok(KdsRequest {
            product: p,
            kind: Kind::CertChain(key),
        })
    }

    /// The CRL of `product` for the VCEK or VLEK side.
    pub fn crl(product: Product, key: Endorsement) -> Result<Self, KdsError> {
        let (p, _) = kds_product(product)?;
        Ok(KdsRequest {
            product: p,
            kind: Kind::Crl(key),
        })
    }

    /// The URL, with SPLs as two-digit decimals (`blSPL=03`).
    pub fn url(&self) -> String {
        self.to_string()
    }

    /// The path and query of [`KdsRequest::url`], after the host and port (for a client with
    /// another base URL, such as a mirror or a test server).
    ///
    /// ```
    /// use sev_verify::kds::{Endorsement, KdsRequest};
    /// use sev_types::Product;
    /// let chain = KdsRequest::cert_chain(Product::Milan, Endorsement::Vcek)?;
    /// assert_eq!(chain.path(), "/vcek/v1/Milan/cert_chain");
    /// # Ok::<(), sev_verify::kds::KdsError>(())
    /// ```
    pub fn path(&self) -> String {
        struct Path<'a>(&'a KdsRequest);
        impl fmt::Display for Path<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write_path(f)
            }
        }
        Path(self).to_string()
    }

    pub(super) fn write_url(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Vlek { .. } => write!(f, "https://{KDS_HOST}:{KDS_VLEK_PORT}")?,
            _ => write!(f, "https://{KDS_HOST}")?,
        }
        self.write_path(f)
    }

    fn write_path(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // kds_product() admitted only products with a KDS name.
        let name = self.product.kds_name().unwrap_or_default();
        match &self.kind {
            Kind::Vcek { hwid, tcb } => {
                write!(f, "/vcek/v1/{name}/{hwid}?")?;
                write_spls(f, tcb)
            }
            Kind::Vlek { tcb } => {
                write!(f, "/vlek/v1/{name}/cert?")?;
                write_spls(f, tcb)
            }
            Kind::CertChain(key) => write!(f, "/{}/v1/{name}/cert_chain", key.path()),
            Kind::Crl(key) => write!(f, "/{}/v1/{name}/crl", key.path()),
        }
    }
}

fn write_spls(f: &mut fmt::Formatter<'_>, t: &Tcb) -> fmt::Result {
    if let Some(fmc) = t.fmc {
        write!(f, "fmcSPL={fmc:02}&")?;
    }
    write!(
        f,
        "blSPL={:02}&teeSPL={:02}&snpSPL={:02}&ucodeSPL={:02}",
        t.bootloader, t.tee, t.snp, t.microcode
    )
}
