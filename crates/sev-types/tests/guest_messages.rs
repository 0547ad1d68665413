//! Behaviour of the guest-message types on real reports and on spec-derived byte layouts.

use sev_types::ParseError;
use sev_types::TcbVersion;
use sev_types::guest::header::{HEADER_LEN, MsgHeader};
use sev_types::guest::key::{EncodedKeyReq, KeyReqV1, KeyReqV2, NeedsVersion2};
use sev_types::guest::report::{self, LINUX_RSP_LEN, RSP_HEADER_LEN, RSP_LEN};
use sev_types::guest::{
    AeadAlgo, DerivedKey, GuestFieldSelect, KeyRequest, KeySelect, MsgType, ReportReq, RootKeySelect, SecretsPage,
    VlekHashstick,
};
use sev_types::status::FirmwareStatus;
use zerocopy::IntoBytes;

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const REPORTS: [&str; 4] = [
    "snp/milan/gosev/report.bin",
    "snp/genoa/routex-v3/report.bin",
    "snp/turin/routex-v5/report.bin",
    "snp/vlek/milan/report.bin",
];

/// A MSG_REPORT_RSP as the firmware lays it out (spec §2), wrapped in a buffer of `len` bytes.
fn response(report: &[u8], status: u32, size: u32, len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len.max(RSP_LEN)];
    buf[0..4].copy_from_slice(&status.to_le_bytes());
    buf[4..8].copy_from_slice(&size.to_le_bytes());
    buf[0x20..0x20 + report.len()].copy_from_slice(report);
    buf.truncate(len);
    buf
}

#[test]
fn report_response_yields_the_exact_report_bytes() {
    for rel in REPORTS {
        let bytes = fixture(rel);
        for len in [RSP_LEN, LINUX_RSP_LEN] {
            let rsp = response(&bytes, 0, 0x4A0, len);
            let r = report::parse_response(&rsp).unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert_eq!(r.as_bytes(), &bytes[..], "{rel}");
            assert_eq!(r.as_bytes().as_ptr(), rsp[RSP_HEADER_LEN..].as_ptr(), "zero copy");
        }
    }
}

#[test]
fn report_response_prefixes_are_truncated() {
    let rsp = response(&fixture(REPORTS[0]), 0, 0x4A0, RSP_LEN);
    for len in 0..rsp.len() {
        let err = report::parse_response(&rsp[..len]).unwrap_err();
        let need = if len < RSP_HEADER_LEN { RSP_HEADER_LEN } else { RSP_LEN };
        assert_eq!(
            err,
            ParseError::Truncated {
                what: "MSG_REPORT_RSP",
                need,
                got: len
            },
            "len {len}"
        );
    }
}

#[test]
fn report_response_status_and_size_are_checked() {
    let report = fixture(REPORTS[0]);
    for status in [0x16u32, 0x27, 0xdead] {
        let err = report::parse_response(&response(&report, status, 0x4A0, LINUX_RSP_LEN)).unwrap_err();
        let ParseError::Firmware { status: found, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(found.code(), status);
    }
    for size in [0u32, 0x49F, 0x4A1, 4000] {
        let err = report::parse_response(&response(&report, 0, size, LINUX_RSP_LEN)).unwrap_err();
        assert!(matches!(err, ParseError::BadValue { field: "report_size", found, .. } if found == u64::from(size)));
    }
    // A failing status with an empty body (how the firmware answers INVALID_PARAM).
    let err = report::parse_response(&response(&[], 0x16, 0, RSP_HEADER_LEN)).unwrap_err();
    assert!(matches!(
        err,
        ParseError::Firmware {
            status: FirmwareStatus::InvalidParam,
            ..
        }
    ));
    // The report view still rejects version 0/1 reports.
    let mut old = report.clone();
    old[0..4].copy_from_slice(&1u32.to_le_bytes());
    assert!(matches!(
        report::parse_response(&response(&old, 0, 0x4A0, RSP_LEN)),
        Err(ParseError::BadValue { field: "version", .. })
    ));
}

#[test]
fn report_request_lays_out_key_sel_in_bits_1_0_of_0x44() {
    let req = ReportReq::new([0x5a; 64], 2, KeySelect::Vlek);
    let b = req.as_bytes();
    assert_eq!(&b[..64], &[0x5a; 64]);
    assert_eq!(&b[0x40..0x44], &[2, 0, 0, 0]);
    assert_eq!(&b[0x44..0x48], &[2, 0, 0, 0]);
    assert!(b[0x48..].iter().all(|&x| x == 0));
    for (raw, sel) in [
        (0u8, KeySelect::Auto),
        (1, KeySelect::Vcek),
        (2, KeySelect::Vlek),
        (3, KeySelect::Reserved),
    ] {
        let mut buf = [0u8; 0x60];
        buf[0x44] = raw | 0xf0;
        let r = ReportReq::from_bytes(&buf).unwrap();
        assert_eq!(r.key_select(), sel);
        assert_eq!(r.reserved_key_sel_bits(), 0xf0);
        assert_eq!(sel.raw(), u32::from(raw));
    }
    assert_eq!(
        ReportReq::from_bytes(&[0; 0x5f]).unwrap_err(),
        ParseError::truncated("MSG_REPORT_REQ", 0x60, 0x5f)
    );
    assert!(matches!(
        ReportReq::from_bytes(&[0; 0x61]),
        Err(ParseError::BadLength {
            expected: 0x60,
            got: 0x61,
            ..
        })
    ));
}

#[test]
fn key_request_builder_matches_spec_3_layout() {
    let req = KeyRequest::new()
        .with_root_key(RootKeySelect::Vmrk)
        .with_key_select(KeySelect::Vlek)
        .with_guest_fields(GuestFieldSelect::POLICY | GuestFieldSelect::TCB_VERSION)
        .with_vmpl(3)
        .with_guest_svn(0x0102_0304)
        .with_tcb_version(TcbVersion(0xdb18_0000_0000_0004));
    let v1 = req.to_v1().unwrap();
    let b = v1.as_bytes();
    // bit 0 ROOT_KEY_SELECT = 1, bits 2:1 KEY_SEL = 2 -> 0b101
    assert_eq!(&b[0x00..0x04], &[0b101, 0, 0, 0]);
    assert_eq!(&b[0x04..0x08], &[0; 4]);
    assert_eq!(&b[0x08..0x10], &[0x21, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&b[0x10..0x14], &[3, 0, 0, 0]);
    assert_eq!(&b[0x14..0x18], &[4, 3, 2, 1]);
    assert_eq!(&b[0x18..0x20], &0xdb18_0000_0000_0004u64.to_le_bytes());
    assert_eq!(KeyRequest::from(KeyReqV1::from_bytes(b).unwrap()), req);
    assert_eq!(req.encode(), EncodedKeyReq::V1(v1.clone()));
    assert_eq!(req.min_version(), 1);

    let v2 = req.to_v2();
    assert_eq!(&v2.as_bytes()[..0x20], b);
    assert_eq!(&v2.as_bytes()[0x20..], &[0; 8]);
}

#[test]
fn launch_mit_vector_forces_version_2() {
    let with_vector = KeyRequest::new().with_launch_mit_vector(0x8000_0000_0000_0003);
    assert_eq!(
        with_vector.to_v1().unwrap_err(),
        NeedsVersion2 {
            reason: "LAUNCH_MIT_VECTOR is set"
        }
    );
    let enc = with_vector.encode();
    assert_eq!(enc.version(), 2);
    assert_eq!(enc.as_bytes().len(), 0x28);
    assert_eq!(&enc.as_bytes()[0x20..], &0x8000_0000_0000_0003u64.to_le_bytes());
    let back = KeyRequest::from(KeyReqV2::from_bytes(enc.as_bytes()).unwrap());
    assert_eq!(back, with_vector);

    let selected = KeyRequest::new().with_guest_fields(GuestFieldSelect::LAUNCH_MIT_VECTOR);
    assert!(selected.to_v1().is_err());
    assert_eq!(selected.encode().version(), 2);
    assert_eq!(&selected.encode().as_bytes()[8..16], &[0x40, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn key_request_keeps_unknown_field_select_bits() {
    let mut b = [0u8; 0x20];
    b[0] = 0xff;
    b[8..16].copy_from_slice(&0xf000_0000_0000_00ffu64.to_le_bytes());
    let r = KeyReqV1::from_bytes(&b).unwrap();
    assert_eq!(r.root_key(), RootKeySelect::Vmrk);
    assert_eq!(r.key_select(), KeySelect::Reserved);
    assert_eq!(r.reserved_select_bits(), 0xf8);
    assert_eq!(r.guest_fields().bits(), 0xf000_0000_0000_00ff);
    assert_eq!(r.guest_fields().reserved_bits(), 0xf000_0000_0000_0080);
}

#[test]
fn derived_key_response_is_checked_and_redacted() {
    let mut rsp = [0u8; 0x40];
    for (i, b) in rsp[0x20..].iter_mut().enumerate() {
        *b = i as u8;
    }
    let key = DerivedKey::from_response(&rsp).unwrap();
    let expected: Vec<u8> = (0..32).collect();
    assert_eq!(&key.as_bytes()[..], &expected[..]);
    assert_eq!(format!("{key:?}"), "DerivedKey(<redacted>)");
    let (raw, _) = sev_types::guest::KeyRsp::from_prefix(&rsp).unwrap();
    assert!(
        !format!("{raw:?}").contains("31"),
        "Debug of KeyRsp must not print the key"
    );

    rsp[0] = 0x27;
    let err = DerivedKey::from_response(&rsp).unwrap_err();
    assert!(matches!(
        err,
        ParseError::Firmware {
            what: "MSG_KEY_RSP",
            status: FirmwareStatus::InvalidKey
        }
    ));
    for len in 0..0x40 {
        assert_eq!(
            DerivedKey::from_response(&rsp[..len]).unwrap_err(),
            ParseError::truncated("MSG_KEY_RSP", 0x40, len)
        );
    }
}

#[test]
fn derived_key_zeroizes() {
    use zeroize::Zeroize;
    let mut key = DerivedKey::new([0xaa; 32]);
    key.zeroize();
    assert_eq!(key.as_bytes(), &[0; 32]);
    fn assert_zod<T: zeroize::ZeroizeOnDrop>() {}
    assert_zod::<DerivedKey>();
}

#[test]
fn message_types_follow_spec_1_3() {
    let names = [
        "INVALID",
        "CPUID_REQ",
        "CPUID_RSP",
        "KEY_REQ",
        "KEY_RSP",
        "REPORT_REQ",
        "REPORT_RSP",
        "EXPORT_REQ",
        "EXPORT_RSP",
        "IMPORT_REQ",
        "IMPORT_RSP",
        "ABSORB_REQ",
        "ABSORB_RSP",
        "VMRK_REQ",
        "VMRK_RSP",
        "ABSORB_NOMA_REQ",
        "ABSORB_NOMA_RSP",
        "TSC_INFO_REQ",
        "TSC_INFO_RSP",
    ];
    for (v, name) in names.iter().enumerate() {
        let t = MsgType::from_raw(v as u8);
        assert_eq!(t.name(), *name);
        assert_eq!(t.raw(), v as u8);
        assert_eq!(MsgType::from_name(name), Some(t));
    }
    assert_eq!(MsgType::ALL.len(), names.len());
    for v in 19..=255u8 {
        assert_eq!(MsgType::from_raw(v), MsgType::Unknown(v));
    }
    assert_eq!(MsgType::KeyReq.response(), Some(MsgType::KeyRsp));
    assert_eq!(MsgType::TscInfoReq.response(), Some(MsgType::TscInfoRsp));
    assert_eq!(MsgType::ReportRsp.response(), None);
}

#[test]
fn header_fields_iv_and_aad_follow_spec_1_2() {
    let mut h = MsgHeader::new(MsgType::KeyReq, 2, 0x28, 3, 0x0102_0304_0506_0708);
    h.set_auth_tag(&[0xee; 16]);
    let b = h.as_bytes().to_vec();
    assert_eq!(&b[..16], &[0xee; 16]);
    assert_eq!(&b[16..32], &[0; 16]);
    assert_eq!(&b[0x20..0x28], &0x0102_0304_0506_0708u64.to_le_bytes());
    assert_eq!(&b[0x30..0x38], &[1, 1, 0x60, 0, 3, 2, 0x28, 0]);
    assert_eq!(b[0x3c], 3);
    assert_eq!(h.iv(), [8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0]);
    assert_eq!(h.aad(), &b[0x30..0x60]);
    assert_eq!(h.algo(), AeadAlgo::Aes256Gcm);

    let mut page = b.clone();
    page.extend_from_slice(&[0x77; 0x28]);
    page.extend_from_slice(&[0; 100]);
    let (parsed, payload) = MsgHeader::split_message(&page).unwrap();
    assert_eq!(parsed, &h);
    assert_eq!(payload, &[0x77; 0x28]);
    assert_eq!(
        MsgHeader::split_message(&page[..HEADER_LEN + 0x27]).unwrap_err(),
        ParseError::truncated("guest message payload", HEADER_LEN + 0x28, HEADER_LEN + 0x27)
    );
}

#[test]
fn hashstick_and_secrets_page_reject_every_short_length() {
    let stick = [0u8; 0x1B0];
    for len in 0..stick.len() {
        assert_eq!(
            VlekHashstick::from_bytes(&stick[..len]).unwrap_err(),
            ParseError::truncated("VLEK hashstick", 0x1B0, len)
        );
    }
    let page = vec![0u8; 0x1000];
    for len in 0..page.len() {
        assert_eq!(
            SecretsPage::from_bytes(&page[..len]).unwrap_err(),
            ParseError::truncated("secrets page", 0x1000, len)
        );
    }
}

#[test]
fn secrets_page_fields_and_debug_hides_keys() {
    let mut page = vec![0u8; 0x1000];
    page[0] = 3;
    page[4] = 1;
    page[0x08..0x0c].copy_from_slice(&0x00a1_0f11u32.to_le_bytes());
    page[0x60..0x80].fill(0xc3);
    page[0x140..0x148].copy_from_slice(&0x8000_0000u64.to_le_bytes());
    page[0x15c] = 2;
    let s = SecretsPage::from_bytes(&page).unwrap();
    assert_eq!((s.version(), s.imi_en(), s.fms()), (3, true, 0x00a1_0f11));
    assert_eq!(s.vmpck(2), Some(&[0xc3; 32]));
    assert!(!s.has_vmpck(0) && s.has_vmpck(2));
    assert_eq!((s.svsm_base(), s.svsm_guest_vmpl()), (0x8000_0000, 2));
    assert!(!format!("{s:?}").to_lowercase().contains("c3c3"));
}

#[test]
fn display_forms() {
    assert_eq!(MsgType::ReportReq.to_string(), "MSG_REPORT_REQ");
    assert_eq!(MsgType::Unknown(0x81).to_string(), "UNKNOWN (129)");
    assert_eq!(KeySelect::Auto.to_string(), "auto (VLEK if installed, else VCEK)");
    let fields = GuestFieldSelect::from_bits_retain(0x8000_0000_0000_0009);
    assert_eq!(
        fields.to_string(),
        "0x8000000000000009 (POLICY, MEASUREMENT, reserved bits 0x8000000000000000)"
    );
    assert_eq!(GuestFieldSelect::empty().to_string(), "0x0");
    let req = KeyRequest::new()
        .with_key_select(KeySelect::Vcek)
        .with_launch_mit_vector(3);
    assert_eq!(
        req.to_string(),
        "key request: root VCEK, key VCEK, fields 0x0, vmpl 0, guest_svn 0, tcb 0x0000000000000000, launch_mit_vector 0x3"
    );
    let h = MsgHeader::new(MsgType::KeyReq, 1, 0x20, 0, 4);
    assert_eq!(
        h.to_string(),
        "MSG_KEY_REQ v1 seqno 4 vmpck 0 size 32 (AES-256-GCM, header v1 size 0x60)"
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_shapes() {
    use serde_json::json;
    let req = ReportReq::new([1; 64], 1, KeySelect::Vcek);
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(v["report_data"], json!("01".repeat(64)));
    assert_eq!(v["key_select"], json!("vcek"));
    let back: ReportReq = serde_json::from_value(v).unwrap();
    assert_eq!(back, req);

    let k = KeyRequest::new()
        .with_guest_fields(GuestFieldSelect::MEASUREMENT)
        .with_tcb_version(TcbVersion(0x1234));
    let v = serde_json::to_value(k).unwrap();
    assert_eq!(v["guest_fields"]["raw"], json!(8));
    assert_eq!(v["guest_fields"]["measurement"], json!(true));
    assert_eq!(v["tcb_version"], json!("0x0000000000001234"));
    assert_eq!(serde_json::from_value::<KeyRequest>(v.clone()).unwrap(), k);
    assert_eq!(
        serde_json::from_value::<KeyReqV1>(v.clone()).unwrap(),
        k.to_v1().unwrap()
    );
    assert_eq!(serde_json::from_value::<KeyReqV2>(v).unwrap(), k.to_v2());
    let enc = serde_json::to_value(KeyRequest::new().with_launch_mit_vector(5).encode()).unwrap();
    assert_eq!(enc["version"], json!(2));
    assert_eq!(enc["request"]["launch_mit_vector"], json!(5));
    let err = serde_json::from_str::<KeyReqV1>(r#"{"launch_mit_vector": 1}"#).unwrap_err();
    assert!(err.to_string().contains("needs version 2"), "{err}");
    let parsed: KeyRequest =
        serde_json::from_str(r#"{"key_select":"vlek","guest_fields":"0x9","tcb_version":7,"launch_mit_vector":1}"#)
            .unwrap();
    assert_eq!(parsed.key_select, KeySelect::Vlek);
    assert_eq!(
        parsed.guest_fields,
        GuestFieldSelect::POLICY | GuestFieldSelect::MEASUREMENT
    );
    assert_eq!((parsed.tcb_version.0, parsed.launch_mit_vector), (7, Some(1)));

    assert_eq!(serde_json::to_value(MsgType::ReportRsp).unwrap(), json!("REPORT_RSP"));
    assert_eq!(serde_json::to_value(MsgType::Unknown(0x81)).unwrap(), json!(0x81));
    assert_eq!(
        serde_json::from_str::<MsgType>("\"MSG_KEY_REQ\"").unwrap(),
        MsgType::KeyReq
    );
    assert_eq!(serde_json::from_str::<MsgType>("200").unwrap(), MsgType::Unknown(200));

    let h = MsgHeader::new(MsgType::ReportReq, 1, 0x60, 0, 1);
    let v = serde_json::to_value(&h).unwrap();
    assert_eq!(v["msg_type"], json!("REPORT_REQ"));
    assert_eq!(v["auth_tag"], json!("00".repeat(16)));
}
