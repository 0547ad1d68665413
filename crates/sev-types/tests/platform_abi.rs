//! Platform structs against the Linux UAPI TSV (fixtures/abi/linux-sev-uapi.tsv) and the AMD
//! tables in shared/spec/sev-legacy.md §2 and snp-report.md §10.

use core::mem::offset_of;

use sev_types::platform::user_data::{
    SevUserDataGetId2, SevUserDataPdhCertExport, SevUserDataPekCertImport, SevUserDataPekCsr, SevUserDataSnpVlekLoad,
};
use sev_types::platform::{
    GetId, LinuxStatusFlags, MaskId, PlatformState, PlatformStatus, SevUserDataStatus, SnpConfig, SnpPlatformFlags,
    SnpPlatformStatus, SnpStatusBits,
};
use zerocopy::FromZeros;

#[macro_use]
mod abi;
use abi::*;

/// Bit position of a flag inside a field, counted from the start of the struct.
fn flag_bit(field_offset: usize, flag_bits: u64) -> u32 {
    assert_eq!(flag_bits.count_ones(), 1);
    field_offset as u32 * 8 + flag_bits.trailing_zeros()
}

#[test]
fn sev_user_data_status_matches_linux() {
    assert_eq!(size_of::<SevUserDataStatus>(), struct_size("sev_user_data_status"));
    check_field!(SevUserDataStatus, "sev_user_data_status", "api_major" => api_major);
    check_field!(SevUserDataStatus, "sev_user_data_status", "api_minor" => api_minor);
    check_field!(SevUserDataStatus, "sev_user_data_status", "state" => state);
    check_field!(SevUserDataStatus, "sev_user_data_status", "flags" => flags);
    check_field!(SevUserDataStatus, "sev_user_data_status", "build" => build);
    check_field!(SevUserDataStatus, "sev_user_data_status", "guest_count" => guest_count);
    assert_eq!(
        constant("SEV_STATUS_FLAGS_CONFIG_ES"),
        u64::from(LinuxStatusFlags::CONFIG_ES.bits())
    );
    for (name, state) in [
        ("SEV_STATE_UNINIT", PlatformState::Uninit),
        ("SEV_STATE_INIT", PlatformState::Init),
        ("SEV_STATE_WORKING", PlatformState::Working),
    ] {
        assert_eq!(constant(name), u64::from(state.raw()), "{name}");
        assert_eq!(PlatformState::from_raw(constant(name) as u8), state);
    }
}

#[test]
fn snp_status_matches_linux() {
    const S: &str = "sev_user_data_snp_status";
    assert_eq!(size_of::<SnpPlatformStatus>(), struct_size(S));
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "api_major" => api_major);
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "api_minor" => api_minor);
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "state" => state);
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "build_id" => build_id);
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "guest_count" => guest_count);
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "current_tcb_version" => current_tcb);
    check_field!(SnpPlatformStatus, "sev_user_data_snp_status", "reported_tcb_version" => reported_tcb);
    let bits = offset_of!(SnpPlatformStatus, status_bits);
    assert_eq!(
        bitfield(S, "is_rmp_initialized"),
        flag_bit(bits, SnpStatusBits::IS_RMP_INITIALIZED.bits().into())
    );
    let flags = offset_of!(SnpPlatformStatus, flags);
    for (name, flag) in [
        ("mask_chip_id", SnpPlatformFlags::MASK_CHIP_ID),
        ("mask_chip_key", SnpPlatformFlags::MASK_CHIP_KEY),
        ("vlek_en", SnpPlatformFlags::VLEK_EN),
        ("feature_info", SnpPlatformFlags::FEATURE_INFO),
        ("rapl_dis", SnpPlatformFlags::RAPL_DIS),
        ("ciphertext_hiding_cap", SnpPlatformFlags::CIPHERTEXT_HIDING_CAP),
        ("ciphertext_hiding_en", SnpPlatformFlags::CIPHERTEXT_HIDING_EN),
    ] {
        assert_eq!(bitfield(S, name), flag_bit(flags, flag.bits().into()), "{name}");
    }
}

#[test]
fn snp_config_matches_linux() {
    const S: &str = "sev_user_data_snp_config";
    assert_eq!(size_of::<SnpConfig>(), struct_size(S));
    check_field!(SnpConfig, "sev_user_data_snp_config", "reported_tcb" => reported_tcb);
    check_field!(SnpConfig, "sev_user_data_snp_config", "rsvd1" => reserved);
    let mask = offset_of!(SnpConfig, mask_id);
    assert_eq!(
        bitfield(S, "mask_chip_id"),
        flag_bit(mask, MaskId::MASK_CHIP_ID.bits().into())
    );
    assert_eq!(
        bitfield(S, "mask_chip_key"),
        flag_bit(mask, MaskId::MASK_CHIP_KEY.bits().into())
    );
}

#[test]
fn get_id_matches_linux() {
    assert_eq!(size_of::<GetId>(), struct_size("sev_user_data_get_id"));
    check_field!(GetId, "sev_user_data_get_id", "socket1" => socket1);
    check_field!(GetId, "sev_user_data_get_id", "socket2" => socket2);
}

/// sev-legacy.md §2, PLATFORM_STATUS firmware buffer (12 bytes).
#[test]
fn firmware_platform_status_matches_spec_legacy_2() {
    assert_eq!(size_of::<PlatformStatus>(), 12);
    assert_eq!(offset_of!(PlatformStatus, api_major), 0x00);
    assert_eq!(offset_of!(PlatformStatus, api_minor), 0x01);
    assert_eq!(offset_of!(PlatformStatus, state), 0x02);
    assert_eq!(offset_of!(PlatformStatus, owner), 0x03);
    assert_eq!(offset_of!(PlatformStatus, config), 0x04);
    assert_eq!(offset_of!(PlatformStatus, guest_count), 0x08);
    // OWNER is bit 0 of byte 3; CONFIG.ES bit 0 of the u32 at 4; BUILD bits 31:24 (byte 7).
    let s = PlatformStatus::from_bytes(&[0, 0, 0, 1, 1, 0, 0, 0x2a, 5, 0, 0, 0])
        .unwrap()
        .decode();
    assert!(s.externally_owned && s.config_es);
    assert_eq!((s.build, s.guest_count), (0x2a, 5));
    let s = PlatformStatus::from_bytes(&[0, 0, 0, 0xfe, 0xfe, 0xff, 0xff, 0, 0, 0, 0, 0])
        .unwrap()
        .decode();
    assert!(!s.externally_owned && !s.config_es);
    assert_eq!(s.build, 0);
}

/// snp-report.md §10, SNP_PLATFORM_STATUS (0x20 bytes).
#[test]
fn snp_platform_status_matches_spec_report_10() {
    let expect = [
        (offset_of!(SnpPlatformStatus, api_major), 0x00),
        (offset_of!(SnpPlatformStatus, api_minor), 0x01),
        (offset_of!(SnpPlatformStatus, state), 0x02),
        (offset_of!(SnpPlatformStatus, status_bits), 0x03),
        (offset_of!(SnpPlatformStatus, build_id), 0x04),
        (offset_of!(SnpPlatformStatus, flags), 0x08),
        (offset_of!(SnpPlatformStatus, guest_count), 0x0C),
        (offset_of!(SnpPlatformStatus, current_tcb), 0x10),
        (offset_of!(SnpPlatformStatus, reported_tcb), 0x18),
    ];
    for (ours, spec) in expect {
        assert_eq!(ours, spec);
    }
    assert_eq!(size_of::<SnpPlatformStatus>(), 0x20);
    // Byte 3: bit 0 IS_RMP_INITIALIZED, bit 1 ALIAS_CHECK_COMPLETE, bit 3 TIO_EN.
    assert_eq!(SnpStatusBits::IS_RMP_INITIALIZED.bits(), 1 << 0);
    assert_eq!(SnpStatusBits::ALIAS_CHECK_COMPLETE.bits(), 1 << 1);
    assert_eq!(SnpStatusBits::TIO_EN.bits(), 1 << 3);
    // Word at 8: bits 0..7 in spec order.
    let spec_order = [
        SnpPlatformFlags::MASK_CHIP_ID,
        SnpPlatformFlags::MASK_CHIP_KEY,
        SnpPlatformFlags::VLEK_EN,
        SnpPlatformFlags::FEATURE_INFO,
        SnpPlatformFlags::RAPL_DIS,
        SnpPlatformFlags::CIPHERTEXT_HIDING_CAP,
        SnpPlatformFlags::CIPHERTEXT_HIDING_EN,
        SnpPlatformFlags::TIO_EN,
    ];
    for (bit, flag) in spec_order.into_iter().enumerate() {
        assert_eq!(flag.bits(), 1 << bit);
    }
}

/// snp-report.md §10, SNP_CONFIG (0x40 bytes).
#[test]
fn snp_config_matches_spec_report_10() {
    assert_eq!(offset_of!(SnpConfig, reported_tcb), 0x00);
    assert_eq!(offset_of!(SnpConfig, mask_id), 0x08);
    assert_eq!(offset_of!(SnpConfig, reserved), 0x0C);
    assert_eq!(size_of::<SnpConfig>(), 0x40);
    assert_eq!(MaskId::MASK_CHIP_ID.bits(), 1);
    assert_eq!(MaskId::MASK_CHIP_KEY.bits(), 2);
}

#[test]
fn address_carrying_buffers_match_linux() {
    assert_eq!(size_of::<SevUserDataPekCsr>(), struct_size("sev_user_data_pek_csr"));
    check_field!(SevUserDataPekCsr, "sev_user_data_pek_csr", "address" => address);
    check_field!(SevUserDataPekCsr, "sev_user_data_pek_csr", "length" => length);
    assert_eq!(size_of::<SevUserDataGetId2>(), struct_size("sev_user_data_get_id2"));
    check_field!(SevUserDataGetId2, "sev_user_data_get_id2", "address" => address);
    check_field!(SevUserDataGetId2, "sev_user_data_get_id2", "length" => length);
    assert_eq!(
        size_of::<SevUserDataPekCertImport>(),
        struct_size("sev_user_data_pek_cert_import")
    );
    check_field!(SevUserDataPekCertImport, "sev_user_data_pek_cert_import", "pek_cert_address" => pek_cert_address);
    check_field!(SevUserDataPekCertImport, "sev_user_data_pek_cert_import", "pek_cert_len" => pek_cert_len);
    check_field!(SevUserDataPekCertImport, "sev_user_data_pek_cert_import", "oca_cert_address" => oca_cert_address);
    check_field!(SevUserDataPekCertImport, "sev_user_data_pek_cert_import", "oca_cert_len" => oca_cert_len);
    assert_eq!(
        size_of::<SevUserDataPdhCertExport>(),
        struct_size("sev_user_data_pdh_cert_export")
    );
    check_field!(SevUserDataPdhCertExport, "sev_user_data_pdh_cert_export", "pdh_cert_address" => pdh_cert_address);
    check_field!(SevUserDataPdhCertExport, "sev_user_data_pdh_cert_export", "pdh_cert_len" => pdh_cert_len);
    check_field!(SevUserDataPdhCertExport, "sev_user_data_pdh_cert_export", "cert_chain_address" => cert_chain_address);
    check_field!(SevUserDataPdhCertExport, "sev_user_data_pdh_cert_export", "cert_chain_len" => cert_chain_len);
    assert_eq!(
        size_of::<SevUserDataSnpVlekLoad>(),
        struct_size("sev_user_data_snp_vlek_load")
    );
    check_field!(SevUserDataSnpVlekLoad, "sev_user_data_snp_vlek_load", "len" => len);
    check_field!(SevUserDataSnpVlekLoad, "sev_user_data_snp_vlek_load", "vlek_wrapped_version" => vlek_wrapped_version);
    check_field!(SevUserDataSnpVlekLoad, "sev_user_data_snp_vlek_load", "rsvd" => rsvd);
    check_field!(SevUserDataSnpVlekLoad, "sev_user_data_snp_vlek_load", "vlek_wrapped_address" => vlek_wrapped_address);
    // The kernel checks `len` against the struct size it knows.
    assert_eq!(
        SevUserDataSnpVlekLoad::new(0).len.get() as usize,
        struct_size("sev_user_data_snp_vlek_load")
    );
}
