//! The real SNP fixture reports and their expected values from `fixtures/snp/reports.json`.
#![allow(dead_code)]

use serde_json::Value;
use sev_types::Product;
use sev_types::report::Report;
use sev_verify::policy::EvidenceContext;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");

/// One fixture report: its bytes and its reports.json entry.
pub struct Fixture {
    pub name: String,
    pub bytes: Vec<u8>,
    pub json: Value,
}

impl Fixture {
    pub fn report(&self) -> Report<'_> {
        Report::from_bytes(&self.bytes).unwrap()
    }

    /// The product named in reports.json (its first word).
    pub fn product(&self) -> Product {
        let name = self.json["product"].as_str().unwrap();
        let first = name.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap();
        first.parse().unwrap()
    }

    pub fn ctx(&self) -> EvidenceContext<'static> {
        EvidenceContext {
            product: Some(self.product()),
            vlek_csp_id: None,
        }
    }

    pub fn str(&self, key: &str) -> &str {
        self.json[key]
            .as_str()
            .unwrap_or_else(|| panic!("{}: {key}", self.name))
    }

    pub fn u64(&self, key: &str) -> u64 {
        let v = &self.json[key];
        match v {
            Value::Number(n) => n.as_u64().unwrap(),
            Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
            _ => panic!("{}: {key} is {v}", self.name),
        }
    }

    pub fn hex<const N: usize>(&self, key: &str) -> [u8; N] {
        hex::decode(self.str(key)).unwrap().try_into().unwrap()
    }

    pub fn tcb(&self, which: &str, component: &str) -> Option<u8> {
        self.json[which][component].as_u64().map(|v| v as u8)
    }

    /// The bytes with `f` applied (signatures are not checked by policy validation).
    pub fn modified(&self, f: impl FnOnce(&mut [u8])) -> Vec<u8> {
        let mut b = self.bytes.clone();
        f(&mut b);
        b
    }
}

pub fn all() -> Vec<Fixture> {
    let text = std::fs::read_to_string(format!("{FIXTURES}snp/reports.json")).unwrap();
    let entries: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(entries.len() >= 14, "reports.json lists {} reports", entries.len());
    entries
        .into_iter()
        .map(|json| {
            let name = json["file"].as_str().unwrap().to_string();
            let bytes = std::fs::read(format!("{FIXTURES}{name}")).unwrap();
            Fixture { name, bytes, json }
        })
        .collect()
}

pub fn by_file(file: &str) -> Fixture {
    all()
        .into_iter()
        .find(|f| f.name == file)
        .unwrap_or_else(|| panic!("no fixture {file}"))
}

pub const GOSEV: &str = "snp/milan/gosev/report.bin";
pub const TRUSTEE: &str = "snp/milan/trustee/report.bin";
pub const AZURE_V2: &str = "snp/milan/azure-v2/report.bin";
pub const MILAN_V3: &str = "snp/milan/routex-v3/report.bin";
pub const GENOA_AZURE: &str = "snp/genoa/azure/report.bin";
pub const GENOA_V5: &str = "snp/genoa/routex-v5/report.bin";
pub const TURIN_V5: &str = "snp/turin/routex-v5/report.bin";
pub const VLEK_MILAN: &str = "snp/vlek/milan/report.bin";
