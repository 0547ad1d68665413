//! Shared by the integration tests: the real fixtures of each product served by a fake KDS,
//! and scratch directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sev_kds::testing::FakeKds;
use sev_types::Product;
use sev_types::report::Report;
use sev_verify::kds::{Endorsement, KdsRequest};

/// 2025-12-01T00:00:00Z: inside the validity of every fixture certificate.
pub const NOW: u64 = 1_764_547_200;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub fn fixture(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One product's real evidence: a VCEK-signed report, its VCEK and the KDS chain.
pub struct Evidence {
    pub product: Product,
    pub report: Vec<u8>,
    pub vcek: Vec<u8>,
    pub chain: Vec<u8>,
}

impl Evidence {
    pub fn of(product: Product) -> Self {
        let (dir, chain) = match product {
            Product::Milan => ("snp/milan/routex-v3", "kds/vcek_cert_chain_milan.pem"),
            Product::Genoa => ("snp/genoa/routex-v5", "kds/vcek_cert_chain_genoa.pem"),
            Product::Turin => ("snp/turin/routex-v5", "kds/vcek_cert_chain_turin.pem"),
            p => panic!("no fixture for {p}"),
        };
        Evidence {
            product,
            report: fixture(&format!("{dir}/report.bin")),
            vcek: fixture(&format!("{dir}/vcek.der")),
            chain: fixture(chain),
        }
    }

    pub fn report(&self) -> Report<'_> {
        Report::from_bytes(&self.report).expect("fixture report parses")
    }

    pub fn vcek_request(&self) -> KdsRequest {
        KdsRequest::vcek_for_report(&self.report(), None).expect("VCEK request")
    }

    pub fn chain_request(&self) -> KdsRequest {
        KdsRequest::cert_chain(self.product, Endorsement::Vcek).expect("chain request")
    }

    /// Serves this product's VCEK and chain on `server`.
    pub fn serve(&self, server: &FakeKds) {
        server.serve_request(&self.vcek_request(), self.vcek.clone());
        server.serve_request(&self.chain_request(), self.chain.clone());
    }
}

pub const PRODUCTS: [Product; 3] = [Product::Milan, Product::Genoa, Product::Turin];

/// A fresh directory under the system temp dir, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("sev-kds-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create scratch dir");
        Scratch(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir`, recursively.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
