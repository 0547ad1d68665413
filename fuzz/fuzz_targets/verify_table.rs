#![no_main]
//! A report and a certificate table from the host, through the whole verifier: never a panic,
//! and the same verdict twice (the cache may only save work, never change an answer).

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static VERIFIER: OnceLock<sev_verify::snp::Verifier> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let verifier = VERIFIER.get_or_init(|| sev_verify::snp::Verifier::builtin(sev_verify::crypto::default_provider()));
    if data.len() < 0x4A0 {
        return;
    }
    let (report, table) = data.split_at(0x4A0);
    let (Ok(report), Ok(table)) = (
        sev_types::report::Report::from_bytes(report),
        sev_types::guest::CertTable::from_bytes(table),
    ) else {
        return;
    };
    let mut bundle = sev_verify::snp::CertBundle::new();
    bundle.add_lenient(table.as_bytes(), "fuzz");
    let _ = bundle.describe();
    let first = verifier.verify_table(&report, &table, 1_764_547_200).map(|v| v.product());
    let again = verifier.verify_table(&report, &table, 1_764_547_200).map(|v| v.product());
    assert_eq!(first, again);
});
