//! TEST ONLY: attestation reports built field by field and signed with a [`LeafKey`] (a test
//! key of the fake PKI, see [`crate::pki`]).

use sev_types::Product;
use sev_types::key_info::SigningKey;
use sev_types::tcb::TcbVersion;

use crate::pki::LeafKey;

/// The fields of a fake report. Unlisted fields stay zero; `patch` edits raw bytes after them.
#[derive(Clone, Debug)]
pub struct ReportSpec {
    /// VERSION (2, 3 or 5).
    pub version: u32,
    /// The product written into the CPUID fields (v3+); `None` leaves them zero.
    pub cpuid_product: Option<Product>,
    /// SIGNING_KEY field.
    pub signing_key: SigningKey,
    /// SIGNATURE_ALGO.
    pub signature_algo: u32,
    /// REPORTED_TCB (also written to CURRENT, COMMITTED and LAUNCH TCB).
    pub reported_tcb: TcbVersion,
    /// CHIP_ID.
    pub chip_id: [u8; 64],
    /// REPORT_DATA.
    pub report_data: [u8; 64],
    /// GUEST POLICY.
    pub policy: u64,
    /// Raw byte edits `(offset, bytes)` applied last, before signing.
    pub patch: Vec<(usize, Vec<u8>)>,
}

/// CPUID family, model and stepping of a typical part of `product`.
pub(crate) fn cpuid(product: Product) -> (u8, u8, u8) {
    match product {
        Product::Milan => (0x19, 0x01, 1),
        Product::Genoa => (0x19, 0x11, 1),
        Product::BergamoSiena => (0x19, 0xA0, 2),
        Product::Turin => (0x1A, 0x02, 1),
        other => panic!("no SNP CPUID for {other}"),
    }
}

impl ReportSpec {
    /// A v5 VCEK report for `product`: chip id 0x01 0x02 ..., TCB bl=4 tee=1 snp=24 ucode=219 (Turin:
    /// fmc=3 as well).
    pub fn new(product: Product) -> Self {
        let mut chip_id = [0u8; 64];
        let len = product.hwid_len();
        for (i, b) in chip_id[..len].iter_mut().enumerate() {
            *b = i as u8 + 1;
        }
        let tcb = match product.tcb_layout() {
            Some(sev_types::tcb::TcbLayout::Turin) => TcbVersion(0xdb00_0000_1801_0403),
            _ => TcbVersion(0xdb18_0000_0000_0104),
        };
        ReportSpec {
            version: 5,
            cpuid_product: Some(product),
            signing_key: SigningKey::Vcek,
            signature_algo: 1,
            reported_tcb: tcb,
            chip_id,
            report_data: [0xAA; 64],
            policy: 0x30000,
            patch: Vec::new(),
        }
    }

    /// The same report as a VLEK report with a masked CHIP_ID.
    pub fn vlek(mut self) -> Self {
        self.signing_key = SigningKey::Vlek;
        self.chip_id = [0; 64];
        self
    }

    /// The unsigned 0x4A0 bytes.
    pub fn unsigned(&self) -> Vec<u8> {
        let mut r = vec![0u8; 0x4A0];
        let put = |r: &mut Vec<u8>, off: usize, b: &[u8]| r[off..off + b.len()].copy_from_slice(b);
        put(&mut r, 0x00, &self.version.to_le_bytes());
        put(&mut r, 0x08, &self.policy.to_le_bytes());
        put(&mut r, 0x34, &self.signature_algo.to_le_bytes());
        let tcb = self.reported_tcb.0.to_le_bytes();
        put(&mut r, 0x38, &tcb);
        put(&mut r, 0x48, &(u32::from(self.signing_key.raw()) << 2).to_le_bytes());
        put(&mut r, 0x50, &self.report_data);
        put(&mut r, 0x180, &tcb);
        if let (Some(p), true) = (self.cpuid_product, self.version >= 3) {
            let (f, m, s) = cpuid(p);
            put(&mut r, 0x188, &[f, m, s]);
        }
        put(&mut r, 0x1A0, &self.chip_id);
        put(&mut r, 0x1E0, &tcb);
        put(&mut r, 0x1E8, &[3, 55, 1]);
        put(&mut r, 0x1EC, &[3, 55, 1]);
        put(&mut r, 0x1F0, &tcb);
        for (off, bytes) in &self.patch {
            put(&mut r, *off, bytes);
        }
        r
    }

    /// The report signed by `key`.
    pub fn signed(&self, key: &LeafKey) -> Vec<u8> {
        let mut r = self.unsigned();
        sign_report(&mut r, key);
        r
    }
}

/// Signs bytes 0x000..0x2A0 of `report` with `key` and writes R and S (little-endian, 72 bytes
/// each) at 0x2A0 and 0x2E8.
pub fn sign_report(report: &mut [u8], key: &LeafKey) {
    let rs = key.sign(&report[..0x2A0]);
    for (i, half) in rs.chunks(48).enumerate() {
        let field = &mut report[0x2A0 + i * 72..0x2A0 + (i + 1) * 72];
        field.fill(0);
        for (j, b) in half.iter().rev().enumerate() {
            field[j] = *b;
        }
    }
}
