//! Shared fixture table for the SNP tests.
#![allow(dead_code)]

use sev_types::Product;

/// 2025-12-01T00:00:00Z: inside every fixture certificate's validity (openssl x509 -dates: the
/// VLEK runs 2024-12-10..2025-12-10, the newest VCEK starts 2025-11-11).
pub const NOW: u64 = 1_764_547_200;

pub fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One verifiable fixture report; expected values from fixtures/PROVENANCE.md.
pub struct Case {
    pub dir: &'static str,
    pub cert: &'static str,
    pub product: Product,
    pub vlek: bool,
    /// Reported TCB as (fmc, bl, tee, snp, ucode).
    pub tcb: (Option<u8>, u8, u8, u8, u8),
}

const fn case(dir: &'static str, cert: &'static str, product: Product, tcb: (Option<u8>, u8, u8, u8, u8)) -> Case {
    Case {
        dir,
        cert,
        product,
        vlek: false,
        tcb,
    }
}

pub const CASES: &[Case] = &[
    case("snp/milan/gosev", "vcek.der", Product::Milan, (None, 2, 0, 5, 68)),
    case("snp/milan/trustee", "vcek.der", Product::Milan, (None, 3, 0, 8, 115)),
    case(
        "snp/milan/azure-hcl",
        "vcek-chain.pem",
        Product::Milan,
        (None, 3, 0, 8, 115),
    ),
    case("snp/milan/azure-v0", "vcek.der", Product::Milan, (None, 4, 0, 24, 219)),
    case("snp/milan/azure-v1", "vcek.der", Product::Milan, (None, 4, 0, 24, 219)),
    case("snp/milan/azure-v2", "vcek.der", Product::Milan, (None, 4, 0, 24, 219)),
    case("snp/milan/routex-v3", "vcek.der", Product::Milan, (None, 4, 0, 24, 219)),
    case("snp/genoa/azure", "vcek.der", Product::Genoa, (None, 10, 0, 23, 84)),
    case("snp/genoa/routex-v3", "vcek.der", Product::Genoa, (None, 9, 0, 23, 72)),
    case("snp/genoa/routex-v5", "vcek.der", Product::Genoa, (None, 10, 0, 27, 88)),
    case(
        "snp/genoa/trustee-e2e-model-a0",
        "vcek.der",
        Product::BergamoSiena,
        (None, 10, 0, 23, 25),
    ),
    case(
        "snp/turin/routex-v5",
        "vcek.der",
        Product::Turin,
        (Some(0), 1, 0, 2, 71),
    ),
    Case {
        dir: "snp/vlek/milan",
        cert: "vlek.der",
        product: Product::Milan,
        vlek: true,
        tcb: (None, 4, 0, 24, 217),
    },
];

impl Case {
    pub fn report(&self) -> Vec<u8> {
        fixture(&format!("{}/report.bin", self.dir))
    }

    /// The certificate file split into DER certificates (one, or the PEM chain).
    pub fn certs(&self) -> Vec<Vec<u8>> {
        sev_verify::snp::pem::split_der_or_pem(&fixture(&format!("{}/{}", self.dir, self.cert))).unwrap()
    }
}
