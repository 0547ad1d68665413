//! Property tests: the launch parsers and bit-field accessors never panic on any input.

use proptest::prelude::*;
use sev_types::launch::cpuid_page::CpuidTable;
use sev_types::launch::id_block::{IdAuthInfo, IdBlock};
use sev_types::launch::sev::{AttestationReport, LaunchMeasurement, LaunchSecretHeader, Session};
use sev_types::launch::snp::{
    KvmPageType, KvmSnpLaunchFinish, KvmSnpLaunchUpdate, PageSize, PageType, SnpLaunchUpdate,
};
use zerocopy::FromBytes;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn cpuid_tables(count in prop_oneof![0u32..80, any::<u32>()], body in prop::collection::vec(any::<u8>(), 0..3200)) {
        let mut bytes = count.to_le_bytes().to_vec();
        bytes.extend_from_slice(&body);
        match CpuidTable::from_bytes(&bytes) {
            Ok(t) => {
                prop_assert!(count <= 64);
                prop_assert_eq!(t.entries().len(), count as usize);
                prop_assert!(16 + 48 * t.entries().len() <= bytes.len());
                let _ = t.find(0, 0);
            }
            Err(e) => { let _ = e.to_string(); }
        }
    }

    #[test]
    fn small_launch_views(bytes in prop::collection::vec(any::<u8>(), 0..0x120)) {
        if let Ok(r) = AttestationReport::from_bytes(&bytes) {
            prop_assert_eq!(bytes.len(), 0xD0);
            let _ = (r.to_string(), format!("{r:?}"), r.signature().p384_r_s_be(), r.policy().to_string());
            prop_assert_eq!(r.signed_bytes(), &bytes[..0x34]);
        }
        if let Ok(b) = IdBlock::ref_from_bytes(&bytes) {
            let _ = (b.version(), b.policy().to_string());
        }
        let _ = Session::ref_from_bytes(&bytes);
        let _ = LaunchMeasurement::ref_from_bytes(&bytes);
        if let Ok(h) = LaunchSecretHeader::ref_from_bytes(&bytes) {
            let _ = h.flags();
        }
    }

    #[test]
    fn page_info_words_decode_and_re_encode(word in any::<u32>(), t in any::<u8>(), imi in any::<bool>()) {
        let mut raw = [0u8; 0x20];
        raw[8..12].copy_from_slice(&word.to_le_bytes());
        let u = SnpLaunchUpdate::read_from_bytes(&raw).unwrap();
        let (size, ty, reserved) = (u.page_size(), u.page_type(), u.reserved_page_info_bits());
        prop_assert_eq!(ty.raw(), ((word >> 1) & 7) as u8);
        prop_assert_eq!(reserved, word & !0x1F);
        let mut v = u.clone().with_imi_page(imi);
        v.set_page_type(PageType::from_raw(t));
        v.set_page_size(size);
        prop_assert_eq!(v.page_type().raw(), t & 7);
        prop_assert_eq!(v.imi_page(), imi);
        prop_assert_eq!(v.page_size(), if word & 1 == 1 { PageSize::Size2M } else { PageSize::Size4K });
        prop_assert_eq!(v.reserved_page_info_bits(), reserved);
    }

    #[test]
    fn kvm_payloads_from_any_bytes(bytes in prop::collection::vec(any::<u8>(), 88)) {
        let u = KvmSnpLaunchUpdate::read_from_prefix(&bytes).unwrap().0;
        prop_assert_eq!(u.page_type().map(KvmPageType::raw), KvmPageType::from_raw(bytes[24]).map(|t| t.raw()));
        let f = KvmSnpLaunchFinish::read_from_bytes(&bytes).unwrap();
        prop_assert_eq!(f.vcek_disabled(), bytes[18] != 0);
        let _ = f.firmware_flags();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn id_auth_info_any_bytes(len in 0usize..0x1100, fill in any::<u8>()) {
        let bytes = vec![fill; len];
        match IdAuthInfo::ref_from_bytes(&bytes) {
            Ok(a) => {
                prop_assert_eq!(len, 0x1000);
                let _ = (a.id_key_algo(), a.id_key.p384_sec1_uncompressed(), a.has_author_key(), format!("{a:?}"));
            }
            Err(e) => { let _ = e.to_string(); }
        }
    }
}

#[test]
fn every_kvm_type_byte_maps_consistently() {
    for v in 0..=u8::MAX {
        match KvmPageType::from_raw(v) {
            Some(t) => assert_eq!((t.raw(), PageType::from_raw(v).is_kvm_accepted()), (v, true)),
            None => assert!(!PageType::from_raw(v).is_kvm_accepted(), "{v}"),
        }
    }
}
