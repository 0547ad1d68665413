//! Guest-message structs against the Linux UAPI TSV (fixtures/abi/linux-sev-uapi.tsv) and
//! against the AMD SNP ABI tables transcribed in shared/spec/snp-guest-messages.md.

use core::mem::offset_of;

use sev_types::Guid;
use sev_types::guest::certs::{self, CertEntry};
use sev_types::guest::header::MsgHeader;
use sev_types::guest::key::{KeyReqV1, KeyReqV2, KeyRsp};
use sev_types::guest::report::{self, ReportReq, ReportRspHeader};
use sev_types::guest::sev_guest::{SnpDerivedKeyResp, SnpExtReportReq, SnpReportResp};
use sev_types::guest::{SecretsPage, VlekHashstick};
use zerocopy::FromZeros;

#[macro_use]
mod abi;
use abi::*;

#[test]
fn snp_report_req_matches_linux() {
    assert_eq!(size_of::<ReportReq>(), struct_size("snp_report_req"));
    check_field!(ReportReq, "snp_report_req", "user_data" => report_data);
    check_field!(ReportReq, "snp_report_req", "vmpl" => vmpl);
    // Linux' 28-byte rsvd covers our KEY_SEL word and the 24 reserved bytes.
    let (off, size) = field("snp_report_req", "rsvd");
    assert_eq!(offset_of!(ReportReq, key_sel), off);
    assert_eq!(field_size!(ReportReq, key_sel) + field_size!(ReportReq, reserved), size);
    assert_eq!(
        offset_of!(ReportReq, reserved) + field_size!(ReportReq, reserved),
        size_of::<ReportReq>()
    );
    assert_eq!(constant("SNP_REPORT_USER_DATA_SIZE"), 64);
}

#[test]
fn report_response_header_and_buffer_match_linux() {
    assert_eq!(size_of::<ReportRspHeader>(), struct_size("snp_msg_report_resp_hdr"));
    check_field!(ReportRspHeader, "snp_msg_report_resp_hdr", "status" => status);
    check_field!(ReportRspHeader, "snp_msg_report_resp_hdr", "report_size" => report_size);
    check_field!(ReportRspHeader, "snp_msg_report_resp_hdr", "rsvd" => reserved);
    assert_eq!(report::LINUX_RSP_LEN, struct_size("snp_report_resp"));
    // snp_report_resp is data[4000], the header first.
    let (off, size) = field("snp_report_resp", "data");
    assert_eq!((off, size), (0, size_of::<SnpReportResp>()));
    assert_eq!(offset_of!(SnpReportResp, header), off);
    assert_eq!(size_of::<ReportRspHeader>() + field_size!(SnpReportResp, body), size);
}

#[test]
fn ext_report_req_matches_linux() {
    assert_eq!(size_of::<SnpExtReportReq>(), struct_size("snp_ext_report_req"));
    check_field!(SnpExtReportReq, "snp_ext_report_req", "data" => data);
    check_field!(SnpExtReportReq, "snp_ext_report_req", "certs_address" => certs_address);
    check_field!(SnpExtReportReq, "snp_ext_report_req", "certs_len" => certs_len);
    // Our `pad` is the C struct's implicit tail padding: it ends the struct.
    assert_eq!(
        offset_of!(SnpExtReportReq, pad) + field_size!(SnpExtReportReq, pad),
        struct_size("snp_ext_report_req")
    );
    let (_, data_size) = field("snp_ext_report_req", "data");
    assert_eq!(data_size, struct_size("snp_report_req"));
}

#[test]
fn derived_key_structs_match_linux() {
    assert_eq!(size_of::<KeyReqV1>(), struct_size("snp_derived_key_req"));
    check_field!(KeyReqV1, "snp_derived_key_req", "root_key_select" => root_key_select);
    check_field!(KeyReqV1, "snp_derived_key_req", "rsvd" => reserved_004);
    check_field!(KeyReqV1, "snp_derived_key_req", "guest_field_select" => guest_field_select);
    check_field!(KeyReqV1, "snp_derived_key_req", "vmpl" => vmpl);
    check_field!(KeyReqV1, "snp_derived_key_req", "guest_svn" => guest_svn);
    check_field!(KeyReqV1, "snp_derived_key_req", "tcb_version" => tcb_version);
    assert_eq!(size_of::<KeyRsp>(), struct_size("snp_derived_key_resp"));
    assert_eq!(
        field("snp_derived_key_resp", "data"),
        (0, size_of::<SnpDerivedKeyResp>())
    );
}

#[test]
fn cert_entry_and_guids_match_linux_and_ghcb() {
    assert_eq!(size_of::<CertEntry>(), struct_size("snp_msg_cert_entry"));
    check_field!(CertEntry, "snp_msg_cert_entry", "guid" => guid);
    check_field!(CertEntry, "snp_msg_cert_entry", "offset" => offset);
    check_field!(CertEntry, "snp_msg_cert_entry", "length" => length);
    for (name, ours) in [
        ("CERT_GUID_ARK", certs::ARK_GUID),
        ("CERT_GUID_ASK", certs::ASK_GUID),
        ("CERT_GUID_VCEK", certs::VCEK_GUID),
        ("CERT_GUID_VLEK", certs::VLEK_GUID),
    ] {
        let text = constant_text(name);
        assert_eq!(ours.to_string(), text, "{name}");
        assert_eq!(Some(ours), Guid::from_str_rfc4122(text));
    }
    // RFC 4122 order: the first table byte is the first two hex digits of the string.
    assert_eq!(certs::ARK_GUID.0[..4], [0xc0, 0xb4, 0x06, 0xa4]);
    assert_eq!(certs::CRL_GUID.to_string(), "92f81bc3-5811-4d3d-97ff-d19f88dc67ea");
}

#[test]
fn hashstick_size_matches_linux() {
    assert_eq!(
        size_of::<VlekHashstick>(),
        struct_size("sev_user_data_snp_wrapped_vlek_hashstick")
    );
}

// ---- AMD SNP ABI tables (shared/spec/snp-guest-messages.md, snp-report.md §10) ----

/// snp-guest-messages.md §1.1, message header.
#[test]
fn header_matches_spec_1_1() {
    let expect = [
        (offset_of!(MsgHeader, authtag), 0x00, 32),
        (offset_of!(MsgHeader, msg_seqno), 0x20, 8),
        (offset_of!(MsgHeader, reserved_028), 0x28, 8),
        (offset_of!(MsgHeader, algo), 0x30, 1),
        (offset_of!(MsgHeader, hdr_version), 0x31, 1),
        (offset_of!(MsgHeader, hdr_sz), 0x32, 2),
        (offset_of!(MsgHeader, msg_type), 0x34, 1),
        (offset_of!(MsgHeader, msg_version), 0x35, 1),
        (offset_of!(MsgHeader, msg_sz), 0x36, 2),
        (offset_of!(MsgHeader, reserved_038), 0x38, 4),
        (offset_of!(MsgHeader, msg_vmpck), 0x3C, 1),
        (offset_of!(MsgHeader, reserved_03d), 0x3D, 35),
    ];
    let mut next = 0;
    for (ours, off, size) in expect {
        assert_eq!(ours, off);
        assert_eq!(off, next, "fields are contiguous");
        next = off + size;
    }
    assert_eq!(size_of::<MsgHeader>(), 0x60);
    assert_eq!(next, 0x60);
}

/// snp-guest-messages.md §2: MSG_REPORT_REQ (0x60) and MSG_REPORT_RSP (0x4C0).
#[test]
fn report_messages_match_spec_2() {
    assert_eq!(size_of::<ReportReq>(), 0x60);
    assert_eq!(offset_of!(ReportReq, report_data), 0x00);
    assert_eq!(offset_of!(ReportReq, vmpl), 0x40);
    assert_eq!(offset_of!(ReportReq, key_sel), 0x44);
    assert_eq!(offset_of!(ReportReq, reserved), 0x48);
    assert_eq!(field_size!(ReportReq, reserved), 24);
    assert_eq!(offset_of!(ReportRspHeader, status), 0x00);
    assert_eq!(offset_of!(ReportRspHeader, report_size), 0x04);
    assert_eq!(offset_of!(ReportRspHeader, reserved), 0x08);
    assert_eq!(report::RSP_LEN, 0x4C0);
}

/// snp-guest-messages.md §3: MSG_KEY_REQ v1 (0x20), v2 (0x28), MSG_KEY_RSP (0x40).
#[test]
fn key_messages_match_spec_3() {
    for (v1, v2, off) in [
        (
            offset_of!(KeyReqV1, root_key_select),
            offset_of!(KeyReqV2, root_key_select),
            0x00,
        ),
        (
            offset_of!(KeyReqV1, reserved_004),
            offset_of!(KeyReqV2, reserved_004),
            0x04,
        ),
        (
            offset_of!(KeyReqV1, guest_field_select),
            offset_of!(KeyReqV2, guest_field_select),
            0x08,
        ),
        (offset_of!(KeyReqV1, vmpl), offset_of!(KeyReqV2, vmpl), 0x10),
        (offset_of!(KeyReqV1, guest_svn), offset_of!(KeyReqV2, guest_svn), 0x14),
        (
            offset_of!(KeyReqV1, tcb_version),
            offset_of!(KeyReqV2, tcb_version),
            0x18,
        ),
    ] {
        assert_eq!((v1, v2), (off, off));
    }
    assert_eq!(offset_of!(KeyReqV2, launch_mit_vector), 0x20);
    assert_eq!(size_of::<KeyReqV1>(), 0x20);
    assert_eq!(size_of::<KeyReqV2>(), 0x28);
    assert_eq!(size_of::<KeyRsp>(), 0x40);
    assert_eq!(offset_of!(KeyRsp, status), 0x00);
    assert_eq!(offset_of!(KeyRsp, reserved), 0x04);
    assert_eq!(offset_of!(KeyRsp, derived_key), 0x20);
}

/// snp-guest-messages.md §6: 24-byte entries {GUID 16, OFFSET u32, LENGTH u32}.
#[test]
fn cert_entry_matches_spec_6() {
    assert_eq!(size_of::<CertEntry>(), 24);
    assert_eq!(offset_of!(CertEntry, offset), 0x10);
    assert_eq!(offset_of!(CertEntry, length), 0x14);
}

/// snp-guest-messages.md §7: secrets page.
#[test]
fn secrets_page_matches_spec_7() {
    let expect = [
        (offset_of!(SecretsPage, version), 0x000),
        (offset_of!(SecretsPage, imi_en), 0x004),
        (offset_of!(SecretsPage, fms), 0x008),
        (offset_of!(SecretsPage, gosvw), 0x010),
        (offset_of!(SecretsPage, vmpck), 0x020),
        (offset_of!(SecretsPage, guest_os_area), 0x0A0),
        (offset_of!(SecretsPage, vmsa_tweak_bitmap), 0x100),
        (offset_of!(SecretsPage, svsm_base), 0x140),
        (offset_of!(SecretsPage, svsm_size), 0x148),
        (offset_of!(SecretsPage, svsm_caa), 0x150),
        (offset_of!(SecretsPage, svsm_max_version), 0x158),
        (offset_of!(SecretsPage, svsm_guest_vmpl), 0x15C),
        (offset_of!(SecretsPage, tsc_factor), 0x160),
        (offset_of!(SecretsPage, reserved_164), 0x164),
    ];
    for (ours, spec) in expect {
        assert_eq!(ours, spec);
    }
    assert_eq!(field_size!(SecretsPage, reserved_164), 3740);
    assert_eq!(size_of::<SecretsPage>(), 0x1000);
}

/// snp-report.md §10: VLEK hashstick.
#[test]
fn hashstick_matches_spec_report_10() {
    assert_eq!(offset_of!(VlekHashstick, iv), 0x000);
    assert_eq!(offset_of!(VlekHashstick, reserved_00c), 0x00C);
    assert_eq!(offset_of!(VlekHashstick, wrapped_vlek), 0x010);
    assert_eq!(field_size!(VlekHashstick, wrapped_vlek), 384);
    assert_eq!(offset_of!(VlekHashstick, tcb_version), 0x190);
    assert_eq!(offset_of!(VlekHashstick, reserved_198), 0x198);
    assert_eq!(offset_of!(VlekHashstick, tag), 0x1A0);
    assert_eq!(size_of::<VlekHashstick>(), 0x1B0);
}
