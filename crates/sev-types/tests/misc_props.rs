//! Property tests for the small parsers: GUID text, AMD ECDSA formats, SNP launch buffers,
//! PAGE_INFO and the VMSA. Each is total: any input gives a value or a typed error.

use proptest::prelude::*;
use sev_types::Guid;
use sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};
use sev_types::launch::page_info::PageInfo;
use sev_types::launch::snp::{
    KvmSevInit, KvmSnpLaunchFinish, KvmSnpLaunchStart, KvmSnpLaunchUpdate, SnpLaunchFinish, SnpLaunchStart,
    SnpLaunchUpdate,
};
use sev_types::launch::vmsa::SaveArea;

fn guid_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![Just('-'), Just('a'), Just('F'), Just('0'), Just('g'), Just('é')],
        30..40,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn guid_text_parses_only_in_canonical_form(s in guid_like()) {
        let canonical = s.len() == 36
            && s.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
        let parsed = Guid::from_str_rfc4122(&s);
        prop_assert_eq!(parsed.is_some(), canonical);
        if let Some(g) = parsed {
            prop_assert_eq!(g.to_string(), s.to_ascii_lowercase());
            prop_assert_eq!(Guid::from_str_efi(&s).unwrap().swap_mixed_endian(), g);
        }
    }

    #[test]
    fn guid_any_string_is_total(s in ".{0,40}") {
        let _ = Guid::from_str_rfc4122(&s);
        let _ = Guid::from_str_efi(&s);
    }

    #[test]
    fn ecdsa_views_are_total(bytes in proptest::collection::vec(any::<u8>(), 0..0x500)) {
        match EcdsaSignature::ref_from_prefix(&bytes) {
            Ok(sig) => {
                prop_assert!(bytes.len() >= EcdsaSignature::SIZE);
                let high_zero = |c: &[u8; 72]| c[48..].iter().all(|&b| b == 0);
                prop_assert_eq!(sig.p384_r_s_be().is_some(), high_zero(&sig.r) && high_zero(&sig.s));
            }
            Err(_) => prop_assert!(bytes.len() < EcdsaSignature::SIZE),
        }
        match EcdsaPublicKey::ref_from_prefix(&bytes) {
            Ok(key) => {
                let point = key.p384_sec1_uncompressed();
                if let Some(p) = point {
                    prop_assert_eq!(p[0], 4);
                    prop_assert_eq!(EcdsaPublicKey::from_p384_be(p[1..49].try_into().unwrap(), p[49..].try_into().unwrap()).p384_sec1_uncompressed(), Some(p));
                }
            }
            Err(_) => prop_assert!(bytes.len() < EcdsaPublicKey::SIZE),
        }
    }

    #[test]
    fn snp_launch_buffers_accept_exactly_their_size(bytes in proptest::collection::vec(any::<u8>(), 0..0x60)) {
        let n = bytes.len();
        prop_assert_eq!(SnpLaunchStart::ref_from_bytes(&bytes).is_ok(), n == SnpLaunchStart::SIZE);
        prop_assert_eq!(SnpLaunchUpdate::ref_from_bytes(&bytes).is_ok(), n == SnpLaunchUpdate::SIZE);
        prop_assert_eq!(SnpLaunchFinish::ref_from_bytes(&bytes).is_ok(), n == SnpLaunchFinish::SIZE);
        prop_assert_eq!(KvmSevInit::ref_from_bytes(&bytes).is_ok(), n == KvmSevInit::SIZE);
        prop_assert_eq!(KvmSnpLaunchStart::ref_from_bytes(&bytes).is_ok(), n == KvmSnpLaunchStart::SIZE);
        prop_assert_eq!(KvmSnpLaunchUpdate::ref_from_bytes(&bytes).is_ok(), n == KvmSnpLaunchUpdate::SIZE);
        prop_assert_eq!(KvmSnpLaunchFinish::ref_from_bytes(&bytes).is_ok(), n == KvmSnpLaunchFinish::SIZE);
        prop_assert_eq!(PageInfo::ref_from_bytes(&bytes).is_ok(), n == 0x70);
    }

    #[test]
    fn vmsa_views_accept_exactly_a_page(len in 0usize..0x1100, fill in any::<u8>()) {
        let bytes = vec![fill; len];
        prop_assert_eq!(SaveArea::ref_from_bytes(&bytes).is_ok(), len == 0x1000);
        prop_assert_eq!(SaveArea::read_from_bytes(&bytes).is_ok(), len == 0x1000);
    }
}
