//! Where a kernel envelope of sev-sys carries a sev-types value, the bytes must mean the same
//! thing through both crates. (The /dev/sev and KVM payloads exist only in sev-types; their
//! layouts are checked against the kernel table in `abi_tsv.rs`.)

use sev_sys::uapi::*;
use sev_types::guest::key::{GuestFieldSelect, KeyRequest, RootKeySelect};
use sev_types::{TcbVersion, status::FirmwareStatus};

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
