#![no_main]
//! The extended-report certificate table (auxblob).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = sev_types::guest::CertTable::from_bytes(data) {
        for c in t.iter() {
            let _ = (c.kind, c.data.len());
        }
        let _ = t.endorsement_key();
        let _ = serde_json::to_string(&t);
        let Ok(rebuilt) = sev_types::guest::certs::CertTableBuilder::from(t).build() else {
            return;
        };
        let again = sev_types::guest::CertTable::from_bytes(&rebuilt).expect("a rebuilt table parses");
        assert_eq!(again.iter().count(), t.iter().count());
    }
});
