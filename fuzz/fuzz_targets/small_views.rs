#![no_main]
//! GUID text, AMD ECDSA formats, SNP launch buffers, PAGE_INFO and the VMSA.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = sev_types::Guid::from_str_rfc4122(s);
        let _ = sev_types::Guid::from_str_efi(s);
    }
    if let Ok(sig) = sev_types::ecdsa::EcdsaSignature::ref_from_prefix(data) {
        let _ = sig.p384_r_s_be();
    }
    if let Ok(key) = sev_types::ecdsa::EcdsaPublicKey::ref_from_prefix(data) {
        let _ = key.p384_sec1_uncompressed();
    }
    use sev_types::launch::snp::*;
    let _ = SnpLaunchStart::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = SnpLaunchUpdate::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = SnpLaunchFinish::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = KvmSevInit::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = KvmSnpLaunchStart::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = KvmSnpLaunchUpdate::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = KvmSnpLaunchFinish::ref_from_bytes(data).map(|v| serde_json::to_string(v));
    let _ = sev_types::launch::page_info::PageInfo::ref_from_bytes(data).map(|v| format!("{v:?}"));
    let _ = sev_types::launch::vmsa::SaveArea::ref_from_bytes(data).map(|v| format!("{v:?}"));
});
