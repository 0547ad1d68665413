#![no_main]
//! The attestation report view, its accessors, Display, JSON and reserved-field validation.

use libfuzzer_sys::fuzz_target;
use sev_types::report::Report;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Report::from_bytes(data) {
        let described = r.describe(None);
        let _ = format!("{described}");
        let _ = serde_json::to_string(&described);
        let _ = r.reserved_violations().count();
        let _ = r.signature().p384_r_s_be();
    }
    let _ = Report::from_prefix(data);
});
