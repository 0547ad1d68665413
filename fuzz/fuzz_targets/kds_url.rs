#![no_main]
//! KDS URL parsing.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(req) = sev_verify::kds::KdsRequest::parse(s) {
            let again = sev_verify::kds::KdsRequest::parse(&req.url()).expect("a built URL parses");
            assert_eq!(again.url(), req.url());
        }
    }
});
