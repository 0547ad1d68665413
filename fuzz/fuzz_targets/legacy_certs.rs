#![no_main]
//! SEV certificates, AMD ARK/ASK certificates and their bundles.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = sev_types::legacy::SevCertificate::from_bytes(data) {
        let _ = (c.public_key(), c.signatures(), c.signed_bytes().len());
        let _ = serde_json::to_string(&c);
    }
    if let Ok(c) = sev_types::legacy::AmdCertificate::from_bytes(data) {
        let _ = (c.modulus_be(), c.exponent_be(), c.signature_be(), c.signature_hash());
        let _ = serde_json::to_string(&c);
    }
    let _ = sev_types::legacy::AmdCertChain::from_bytes(data).map(|c| format!("{c:?}"));
    let _ = sev_types::legacy::PlatformChain::from_bytes(data).map(|c| format!("{c:?}"));
    let _ = sev_types::legacy::FullChain::from_bytes(data).map(|c| format!("{c:?}"));
});
