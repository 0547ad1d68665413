#![no_main]
//! Platform status, SNP status, SNP config and GET_ID buffers.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = sev_types::platform::PlatformStatus::from_bytes(data).map(|s| format!("{s:?}"));
    let _ = sev_types::platform::SevUserDataStatus::from_bytes(data).map(|s| format!("{s:?}"));
    let _ = sev_types::platform::SnpPlatformStatus::from_bytes(data).map(|s| serde_json::to_string(s));
    let _ = sev_types::platform::SnpConfig::from_bytes(data).map(|s| serde_json::to_string(s));
    let _ = sev_types::platform::GetId::from_bytes(data).map(|s| format!("{s:?}"));
});
