#![no_main]
//! Guest-request responses, message headers, hashsticks and the secrets page.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = sev_types::guest::parse_report_response(data) {
        let _ = format!("{r}");
    }
    let _ = sev_types::guest::MsgHeader::from_prefix(data).map(|(h, _)| format!("{h:?}"));
    let _ = sev_types::guest::KeyRsp::from_prefix(data).map(|(k, _)| format!("{k:?}"));
    let _ = sev_types::guest::VlekHashstick::from_bytes(data).map(|h| format!("{h:?}"));
    let _ = sev_types::guest::SecretsPage::from_bytes(data).map(|s| serde_json::to_string(s));
});
