#![no_main]
//! Appraisal policies read from TOML and JSON.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = toml::from_str::<sev_verify::policy::Policy>(s);
        let _ = serde_json::from_str::<sev_verify::policy::Policy>(s);
    }
});
