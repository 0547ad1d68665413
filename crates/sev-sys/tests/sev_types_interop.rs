//! The wrappers hand sev-types structures to the kernel in place of the uapi ones; their bytes
//! must mean the same thing. Each case builds a buffer through one crate and reads it through the
//! other, with the expected values taken from the TSV's bit positions.

use sev_sys::uapi::*;
use sev_types::guest::key::{GuestFieldSelect, KeyRequest, RootKeySelect};
use sev_types::platform::{MaskId, PlatformState, SnpConfig, SnpPlatformFlags, SnpPlatformStatus};
use sev_types::{TcbVersion, status::FirmwareStatus};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

#[test]
fn snp_status_bits_mean_the_same_in_both_crates() {
    let mut raw = SevUserDataSnpStatus::new_zeroed();
    raw.api_major = 1;
    raw.api_minor = 55;
    raw.state = 1;
    raw.rmp_bits = SevUserDataSnpStatus::IS_RMP_INITIALIZED;
    raw.feature_bits = SevUserDataSnpStatus::MASK_CHIP_KEY | SevUserDataSnpStatus::CIPHERTEXT_HIDING_EN;
    raw.guest_count = 3;
    raw.reported_tcb_version = 0x1b00_0000_0000_0004;
    let s = SnpPlatformStatus::read_from_bytes(raw.as_bytes()).unwrap();
    assert_eq!(s.state(), PlatformState::Init);
    assert!(s.is_rmp_initialized());
    assert_eq!(
        s.flags(),
        SnpPlatformFlags::MASK_CHIP_KEY | SnpPlatformFlags::CIPHERTEXT_HIDING_EN
    );
    assert_eq!(s.guest_count(), 3);
    assert!(raw.mask_chip_key() && raw.ciphertext_hiding_en() && !raw.mask_chip_id() && !raw.vlek_en());
}

#[test]
fn snp_config_bytes_mean_the_same_in_both_crates() {
    let ours = SevUserDataSnpConfig::new(0x1b00_0000_0000_0004, true, false);
    let theirs = SnpConfig::new(TcbVersion(0x1b00_0000_0000_0004), MaskId::MASK_CHIP_ID);
    assert_eq!(ours.as_bytes(), theirs.as_bytes());
}

#[test]
fn key_request_v1_converts_to_the_uapi_request() {
    let req = KeyRequest::new()
        .with_root_key(RootKeySelect::Vmrk)
        .with_guest_fields(GuestFieldSelect::MEASUREMENT)
        .with_vmpl(1)
        .with_guest_svn(7)
        .with_tcb_version(TcbVersion(0x1122_3344_5566_7788));
    let v1 = req.to_v1().expect("fits version 1");
    let u = SnpDerivedKeyReq::from(&v1);
    assert_eq!(
        (u.root_key_select & 1, u.vmpl, u.guest_svn, u.tcb_version),
        (1, 1, 7, 0x1122_3344_5566_7788)
    );
    assert_eq!(u.guest_field_select, GuestFieldSelect::MEASUREMENT.bits());
    assert_eq!(u.rsvd, 0);
}

#[test]
fn guest_request_exitinfo2_decodes_through_sev_types() {
    let mut g = SnpGuestRequestIoctl::new(0, 0);
    g.set_vmm_error(SNP_GUEST_VMM_ERR_INVALID_LEN);
    g.set_fw_error(0x16);
    let e = g.exit_info2();
    assert_eq!(e.firmware_status(), FirmwareStatus::InvalidParam);
    assert_eq!(e.vmm_error().map(|v| v.code()), Some(SNP_GUEST_VMM_ERR_INVALID_LEN));
}
