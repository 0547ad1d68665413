//! Decoding of the /dev/sev platform buffers from spec-derived byte layouts.

use sev_types::ParseError;
use sev_types::TcbVersion;
use sev_types::platform::{
    ChipId, GetId, LinuxStatusFlags, MaskId, PlatformState, PlatformStatus, SevUserDataStatus, SnpConfig,
    SnpPlatformFlags, SnpPlatformStatus, SnpStatusBits,
};
use zerocopy::IntoBytes;

/// The same status in both layouts (sev-legacy.md §2): api 0.24, WORKING, externally owned,
/// SEV-ES configured, build 0x11, 7 guests.
const FIRMWARE: [u8; 12] = [0, 24, 2, 1, 1, 0, 0, 0x11, 7, 0, 0, 0];
const LINUX: [u8; 12] = [0, 24, 2, 0x01, 0x01, 0, 0, 0x11, 7, 0, 0, 0];

#[test]
fn both_platform_status_layouts_decode_to_the_same_status() {
    let fw = PlatformStatus::from_bytes(&FIRMWARE).unwrap().decode();
    let linux = SevUserDataStatus::from_bytes(&LINUX).unwrap().decode();
    assert_eq!(fw, linux);
    assert_eq!(fw.state, PlatformState::Working);
    assert!(fw.externally_owned && fw.config_es);
    assert_eq!((fw.api_major, fw.api_minor, fw.build, fw.guest_count), (0, 24, 0x11, 7));
    assert_eq!(fw.to_firmware().as_bytes(), &FIRMWARE);
    assert_eq!(fw.to_linux().as_bytes(), &LINUX);
}

#[test]
fn linux_flags_use_bit_8_for_config_es() {
    // flags = 0x100 only: ES configured, self-owned.
    let s = SevUserDataStatus::from_bytes(&[1, 0, 1, 0x00, 0x01, 0, 0, 3, 0, 0, 0, 0]).unwrap();
    assert_eq!(s.flags(), LinuxStatusFlags::CONFIG_ES);
    let d = s.decode();
    assert!(d.config_es && !d.externally_owned);
    // Unknown flag bits are kept.
    let s = SevUserDataStatus::from_bytes(&[1, 0, 1, 0x02, 0, 0, 0x80, 3, 0, 0, 0, 0]).unwrap();
    assert_eq!(s.flags().bits(), 0x8000_0002);
    assert!(!s.decode().config_es);
}

#[test]
fn unknown_states_are_kept() {
    let s = SevUserDataStatus::from_bytes(&[1, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        .unwrap()
        .decode();
    assert_eq!(s.state, PlatformState::Unknown(9));
    assert_eq!(s.state.raw(), 9);
}

#[test]
fn snp_platform_status_decodes_spec_bits() {
    let mut b = [0u8; 32];
    b[0] = 1;
    b[1] = 57;
    b[2] = 1;
    b[3] = 0b1011;
    b[4..8].copy_from_slice(&0x0000_0021u32.to_le_bytes());
    b[8..12].copy_from_slice(&0x0000_01e4u32.to_le_bytes());
    b[12..16].copy_from_slice(&2u32.to_le_bytes());
    b[16..24].copy_from_slice(&0xdb18_0000_0000_0004u64.to_le_bytes());
    b[24..32].copy_from_slice(&0xd315_0000_0000_0003u64.to_le_bytes());
    let s = SnpPlatformStatus::from_bytes(&b).unwrap();
    assert_eq!((s.api_major, s.api_minor, s.state()), (1, 57, PlatformState::Init));
    assert!(s.is_rmp_initialized());
    assert_eq!(
        s.status_bits(),
        SnpStatusBits::IS_RMP_INITIALIZED | SnpStatusBits::ALIAS_CHECK_COMPLETE | SnpStatusBits::TIO_EN
    );
    assert_eq!(s.build_id(), 0x21);
    assert_eq!(
        s.flags(),
        SnpPlatformFlags::VLEK_EN
            | SnpPlatformFlags::CIPHERTEXT_HIDING_CAP
            | SnpPlatformFlags::CIPHERTEXT_HIDING_EN
            | SnpPlatformFlags::TIO_EN
            | SnpPlatformFlags::from_bits_retain(0x100)
    );
    assert_eq!(s.guest_count(), 2);
    assert_eq!(s.current_tcb(), TcbVersion(0xdb18_0000_0000_0004));
    assert_eq!(s.reported_tcb(), TcbVersion(0xd315_0000_0000_0003));
    let text = s.to_string();
    assert!(
        text.contains("VLEK_EN") && text.contains("IS_RMP_INITIALIZED"),
        "{text}"
    );
}

#[test]
fn snp_config_encodes_mask_bits_at_byte_8() {
    let cfg = SnpConfig::new(
        TcbVersion(0x0102_0304_0506_0708),
        MaskId::MASK_CHIP_ID | MaskId::MASK_CHIP_KEY,
    );
    let b = cfg.as_bytes();
    assert_eq!(&b[..8], &[8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(&b[8..12], &[3, 0, 0, 0]);
    assert!(b[12..].iter().all(|&x| x == 0));
    assert_eq!(SnpConfig::from_bytes(b).unwrap(), &cfg);
    assert_eq!(SnpConfig::default().as_bytes(), &[0; 64]);
}

#[test]
fn get_id_slots_and_hex_display() {
    let mut b = [0u8; 128];
    for (i, x) in b[..64].iter_mut().enumerate() {
        *x = i as u8;
    }
    let ids = GetId::from_bytes(&b).unwrap();
    let expected: String = (0..64u8).map(|i| format!("{i:02x}")).collect();
    assert_eq!(ids.socket1().to_string(), expected);
    assert!(ids.socket2().is_zero());
    assert_eq!(ids.chip_ids().collect::<Vec<_>>(), [ids.socket1()]);
    assert_eq!(ChipId::from_bytes(&b[..64]).unwrap(), ids.socket1());
    // CHIP_ID of a real report displays as its bytes in hex.
    let report = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/snp/milan/gosev/report.bin"
    ))
    .unwrap();
    let chip = ChipId::from_bytes(&report[0x1A0..0x1E0]).unwrap();
    assert_eq!(chip.to_string(), hex::encode(&report[0x1A0..0x1E0]));
}

#[test]
fn every_short_buffer_is_truncated_and_long_one_bad_length() {
    fn check<T: ?Sized>(what: &str, len: usize, parse: impl Fn(&[u8]) -> Result<&T, ParseError>) {
        let buf = vec![0u8; len + 1];
        for n in 0..len {
            match parse(&buf[..n]) {
                Err(ParseError::Truncated { what: w, need, got }) => assert_eq!((w, need, got), (what, len, n)),
                Err(e) => panic!("{what} len {n}: {e}"),
                Ok(_) => panic!("{what} len {n} parsed"),
            }
        }
        assert!(parse(&buf[..len]).is_ok());
        assert!(
            matches!(parse(&buf), Err(ParseError::BadLength { expected, got, .. }) if expected == len && got == len + 1)
        );
    }
    check("PLATFORM_STATUS", 12, PlatformStatus::from_bytes);
    check("sev_user_data_status", 12, SevUserDataStatus::from_bytes);
    check("SNP_PLATFORM_STATUS", 32, SnpPlatformStatus::from_bytes);
    check("SNP_SET_CONFIG", 64, SnpConfig::from_bytes);
    check("sev_user_data_get_id", 128, GetId::from_bytes);
    check("chip ID", 64, ChipId::from_bytes);
}

#[cfg(feature = "serde")]
#[test]
fn serde_shapes() {
    use serde_json::json;
    let v = serde_json::to_value(SevUserDataStatus::from_bytes(&LINUX).unwrap()).unwrap();
    assert_eq!(v["state"], json!("WORKING"));
    assert_eq!(v["flags"]["raw"], json!(0x101));
    assert_eq!(v["flags"]["config_es"], json!(true));
    let v = serde_json::to_value(PlatformStatus::from_bytes(&FIRMWARE).unwrap()).unwrap();
    assert_eq!(v["externally_owned"], json!(true));
    assert_eq!(v["build"], json!(0x11));

    let cfg: SnpConfig = serde_json::from_str(r#"{"reported_tcb":"0xdb18000000000004","mask_id":1}"#).unwrap();
    assert_eq!(
        cfg,
        SnpConfig::new(TcbVersion(0xdb18_0000_0000_0004), MaskId::MASK_CHIP_ID)
    );
    let v = serde_json::to_value(&cfg).unwrap();
    assert_eq!(v["reported_tcb"], json!("0xdb18000000000004"));
    assert_eq!(v["mask_id"]["mask_chip_id"], json!(true));
    assert_eq!(serde_json::from_value::<SnpConfig>(v).unwrap(), cfg);

    let chip = ChipId([0xab; 64]);
    let v = serde_json::to_value(chip).unwrap();
    assert_eq!(v, json!("ab".repeat(64)));
    assert_eq!(serde_json::from_value::<ChipId>(v).unwrap(), chip);
    assert_eq!(
        serde_json::from_str::<PlatformState>("\"init\"").unwrap(),
        PlatformState::Init
    );
}
