//! Property tests: the report parser and every accessor are total on hostile input.

use proptest::prelude::*;
use sev_types::report::{REPORT_LEN, Report};

const REAL: &[&[u8]] = &[
    include_bytes!("../../../fixtures/snp/milan/gosev/report.bin"),
    include_bytes!("../../../fixtures/snp/genoa/routex-v5/report.bin"),
    include_bytes!("../../../fixtures/snp/turin/routex-v5/report.bin"),
    include_bytes!("../../../fixtures/snp/vlek/milan/report.bin"),
];

/// Touches every accessor and both renderings; returns whether parsing succeeded.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(r) = Report::from_bytes(bytes) else {
        return false;
    };
    let _ = (
        r.version(),
        r.policy(),
        r.platform_info(),
        r.key_info(),
        r.signing_key(),
        r.product(),
    );
    let _ = (
        r.cpuid_fam_id(),
        r.launch_mit_vector(),
        r.current_mit_vector(),
        r.chip_id_masked(),
    );
    let _ = r.signature().p384_r_s_be();
    for hint in [None, Some(sev_types::Product::Turin), Some(sev_types::Product::Naples)] {
        let _ = r.reported_tcb_decoded(hint);
        let text = format!("{}", r.describe(hint));
        assert!(text.starts_with("Attestation report"));
        #[cfg(feature = "serde")]
        {
            let json = serde_json::to_value(r.describe(hint)).unwrap();
            assert_eq!(json["version"].as_u64(), Some(u64::from(r.version())));
        }
    }
    let _ = r.reserved_violations().count();
    true
}

fn mutated_real() -> impl Strategy<Value = Vec<u8>> {
    (
        0..REAL.len(),
        proptest::collection::vec((0..REPORT_LEN, any::<u8>()), 1..16),
    )
        .prop_map(|(i, flips)| {
            let mut b = REAL[i].to_vec();
            for (pos, x) in flips {
                b[pos] ^= x;
            }
            b
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(15_000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1400)) {
        let ok = exercise(&bytes);
        let version = bytes.get(..4).map(|v| u32::from_le_bytes(v.try_into().unwrap()));
        prop_assert_eq!(ok, bytes.len() == REPORT_LEN && version >= Some(2));
    }

    #[test]
    fn bit_flipped_real_reports_parse_unless_the_version_drops(b in mutated_real()) {
        let version = u32::from_le_bytes(b[..4].try_into().unwrap());
        prop_assert_eq!(exercise(&b), version >= 2);
    }

    #[test]
    fn truncated_and_extended_real_reports_are_rejected(i in 0..REAL.len(), cut in 0..REPORT_LEN, extra in proptest::collection::vec(any::<u8>(), 1..64)) {
        prop_assert!(!exercise(&REAL[i][..cut]));
        let mut long = REAL[i].to_vec();
        long.extend_from_slice(&extra);
        prop_assert!(!exercise(&long));
        let (r, rest) = Report::from_prefix(&long).unwrap();
        prop_assert_eq!(r.as_bytes(), REAL[i]);
        prop_assert_eq!(rest, &extra[..]);
    }
}
