#![no_main]
//! CPUID pages, ID blocks, ID auth info and the legacy SEV attestation report.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sev_types::launch::cpuid_page::CpuidTable::from_bytes(data).map(|t| format!("{t:?}"));
    let _ = sev_types::launch::id_block::IdBlock::ref_from_bytes(data).map(|b| format!("{b}"));
    let _ = sev_types::launch::id_block::IdAuthInfo::ref_from_bytes(data).map(|a| format!("{a:?}"));
    let _ = sev_types::launch::sev::AttestationReport::from_bytes(data).map(|r| format!("{r:?}"));
});
