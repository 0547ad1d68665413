//! Where a kernel envelope of sev-sys carries a sev-types value, the bytes must mean the same
//! thing through both crates. The payloads exist only in sev-types (their layouts are checked
//! against the kernel table by kernel name in `abi_tsv.rs`); here the values sev-types encodes
//! are read back at the kernel's field offsets, taken from `fixtures/abi/linux-sev-uapi.tsv`.

use sev_sys::uapi::*;
use sev_types::guest::key::{GuestFieldSelect, KeyRequest, RootKeySelect};
use sev_types::guest::sev_guest::{SnpExtReportReq, SnpReportReq};
use sev_types::guest::{KeySelect, SnpDerivedKeyResp};
use sev_types::{TcbVersion, status::FirmwareStatus};
use zerocopy::{FromZeros, IntoBytes};

const TSV: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/abi/linux-sev-uapi.tsv"
));

/// (offset, size) of a field row of the kernel table.
fn field(parent: &str, name: &str) -> (usize, usize) {
    let row = TSV
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|c| c.len() >= 6 && c[0] == "field" && c[3] == parent && c[2] == name)
        .unwrap_or_else(|| panic!("no TSV row {parent}.{name}"));
    (row[4].parse().unwrap(), row[5].parse().unwrap())
}

/// The little-endian integer the kernel would read from `parent.name` in `bytes`.
fn read(bytes: &[u8], parent: &str, name: &str) -> u64 {
    let (off, size) = field(parent, name);
    assert!(size <= 8, "{parent}.{name} is not an integer field");
    let mut le = [0u8; 8];
    le[..size].copy_from_slice(&bytes[off..off + size]);
    u64::from_le_bytes(le)
}

#[test]
fn key_request_reaches_the_kernel_derived_key_req_fields() {
    let req = KeyRequest::new()
        .with_root_key(RootKeySelect::Vmrk)
        .with_key_select(KeySelect::Vlek)
        .with_guest_fields(GuestFieldSelect::MEASUREMENT)
        .with_vmpl(1)
        .with_guest_svn(7)
        .with_tcb_version(TcbVersion(0x1122_3344_5566_7788));
    let payload = req.to_v1().expect("fits version 1");
    let b = payload.as_bytes();
    let k = "struct snp_derived_key_req";
    // ROOT_KEY_SELECT is bit 0 and KEY_SEL bits 2:1 of the kernel's root_key_select word
    // (SNP ABI MSG_KEY_REQ); VLEK is KEY_SEL 2.
    assert_eq!(read(b, k, "root_key_select"), 1 | (2 << 1));
    assert_eq!(read(b, k, "rsvd"), 0);
    assert_eq!(read(b, k, "guest_field_select"), GuestFieldSelect::MEASUREMENT.bits());
    assert_eq!(read(b, k, "vmpl"), 1);
    assert_eq!(read(b, k, "guest_svn"), 7);
    assert_eq!(read(b, k, "tcb_version"), 0x1122_3344_5566_7788);
}

#[test]
fn report_request_reaches_the_kernel_report_req_fields() {
    let user_data: [u8; SNP_REPORT_USER_DATA_SIZE] = core::array::from_fn(|i| i as u8);
    let req = SnpReportReq::new(user_data, 2, KeySelect::Auto);
    let b = req.as_bytes();
    let k = "struct snp_report_req";
    let (off, size) = field(k, "user_data");
    assert_eq!(&b[off..off + size], &user_data[..]);
    assert_eq!(read(b, k, "vmpl"), 2);
    // The kernel's rsvd must be zero; KEY_SEL "auto" is 0.
    let (off, size) = field(k, "rsvd");
    assert_eq!(&b[off..off + size], &[0u8; 28][..]);

    let ext = SnpExtReportReq::new(req.clone(), 0xdead_b000, 0x2000);
    let b = ext.as_bytes();
    let k = "struct snp_ext_report_req";
    let (off, size) = field(k, "data");
    assert_eq!(&b[off..off + size], req.as_bytes());
    assert_eq!(read(b, k, "certs_address"), 0xdead_b000);
    assert_eq!(read(b, k, "certs_len"), 0x2000);
    assert_eq!(b.len(), 112, "tail padding included, as the kernel copies sizeof");
}

#[test]
fn derived_key_response_status_and_key_read_through_sev_types() {
    // `struct snp_derived_key_resp` is data[64]: MSG_KEY_RSP status at 0, the key at 0x20.
    let mut resp = SnpDerivedKeyResp::new_zeroed();
    assert_eq!(resp.as_bytes().len(), SNP_DERIVED_KEY_RESP_SIZE);
    resp.as_mut_bytes()[0x20..].copy_from_slice(&[0x3c; 32]);
    assert_eq!(resp.derived_key().unwrap().as_bytes(), &[0x3c; 32]);
    resp.as_mut_bytes()[..4].copy_from_slice(&0x27u32.to_le_bytes());
    assert_eq!(resp.status(), FirmwareStatus::InvalidKey);
    assert!(resp.derived_key().is_err());
    assert!(
        !format!("{resp:?}").contains("60"),
        "Debug must not print the key (0x3c = 60)"
    );
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
