//! Property tests: the platform-buffer parsers never panic and decode consistently.

use proptest::prelude::*;
use sev_types::platform::{
    ChipId, GetId, LinuxStatusFlags, PlatformStatus, SevUserDataStatus, SnpConfig, SnpPlatformStatus,
};
use zerocopy::IntoBytes;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn platform_parsers_accept_exactly_their_size(buf in proptest::collection::vec(any::<u8>(), 0..160)) {
        let n = buf.len();
        prop_assert_eq!(PlatformStatus::from_bytes(&buf).is_ok(), n == 12);
        prop_assert_eq!(SevUserDataStatus::from_bytes(&buf).is_ok(), n == 12);
        prop_assert_eq!(SnpPlatformStatus::from_bytes(&buf).is_ok(), n == 32);
        prop_assert_eq!(SnpConfig::from_bytes(&buf).is_ok(), n == 64);
        prop_assert_eq!(GetId::from_bytes(&buf).is_ok(), n == 128);
        prop_assert_eq!(ChipId::from_bytes(&buf).is_ok(), n == 64);
    }

    #[test]
    fn status_layouts_agree_and_round_trip(b in any::<[u8; 12]>()) {
        let fw = PlatformStatus::from_bytes(&b).unwrap();
        let d = fw.decode();
        // Re-encoding keeps every defined field; reserved bits are dropped.
        let mut expect = b;
        expect[3] &= 1;
        expect[4] &= 1;
        expect[5] = 0;
        expect[6] = 0;
        let fw_again = d.to_firmware();
        prop_assert_eq!(fw_again.as_bytes(), &expect);
        let linux = d.to_linux();
        prop_assert_eq!(linux.decode(), d);
        prop_assert_eq!(SevUserDataStatus::from_bytes(linux.as_bytes()).unwrap().decode(), d);

        let l = SevUserDataStatus::from_bytes(&b).unwrap();
        let flags = l.flags();
        prop_assert_eq!(l.decode().config_es, flags.contains(LinuxStatusFlags::CONFIG_ES));
        prop_assert_eq!(flags.bits(), u32::from_le_bytes([b[3], b[4], b[5], b[6]]));
        let _ = (fw.to_string(), l.to_string());
    }

    #[test]
    fn snp_status_and_config_decode_every_value(s in any::<[u8; 32]>(), c in any::<[u8; 64]>()) {
        let st = SnpPlatformStatus::from_bytes(&s).unwrap();
        prop_assert_eq!(st.flags().bits(), u32::from_le_bytes([s[8], s[9], s[10], s[11]]));
        prop_assert_eq!(st.status_bits().bits(), s[3]);
        prop_assert_eq!(st.is_rmp_initialized(), s[3] & 1 == 1);
        prop_assert_eq!(st.reported_tcb().0.to_le_bytes(), <[u8; 8]>::try_from(&s[24..]).unwrap());
        prop_assert_eq!(st.state().raw(), s[2]);
        let _ = st.to_string();
        let cfg = SnpConfig::from_bytes(&c).unwrap();
        prop_assert_eq!(cfg.mask_id().bits(), u32::from_le_bytes([c[8], c[9], c[10], c[11]]));
        let rebuilt = SnpConfig::new(cfg.reported_tcb(), cfg.mask_id());
        prop_assert_eq!(&rebuilt.as_bytes()[..12], &c[..12]);
    }
}
