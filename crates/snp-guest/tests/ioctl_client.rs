//! `GuestClient` over a scripted `GuestTransport`: the request bytes it sends, the resize
//! protocol of extended reports, retries of busy answers, and the mapping of every failure.
//! The ABI facts used (offsets, exitinfo2 halves, INVALID_LEN = 1, BUSY = 2) are those of
//! `include/uapi/linux/sev-guest.h` as listed in the project's ABI table.

use std::collections::VecDeque;
use std::time::Duration;

use sev_sys::{CertsBuffer, GuestCommand, GuestTransport, TransportError};
use sev_types::guest::certs::CertTableBuilder;
use sev_types::guest::sev_guest::{SnpDerivedKeyReq, SnpDerivedKeyResp};
use sev_types::guest::{CertKind, DerivedKey, GuestFieldSelect, KeyRequest, KeySelect, RootKeySelect};
use sev_types::status::{FirmwareStatus, VmmError};
use sev_types::tcb::{RawTcb, TcbVersion};
use sev_types::{U32, U64};
use snp_guest::ioctl::MAX_CERT_ROUNDS;
use snp_guest::{DEFAULT_VMPL, DerivedKeyRequest, EvidenceSource, GuestClient, GuestError, Provider, RetryPolicy};

const INVALID_LEN: u64 = 1 << 32;
const BUSY: u64 = 2 << 32;

/// What the scripted host does on one call.
#[derive(Debug, Clone)]
enum Step {
    /// Succeeds with a MSG_REPORT_RSP of this status carrying `report`.
    Report(u32, Vec<u8>),
    /// Extended report: INVALID_LEN with `needed` if the offered buffer is smaller, else copies
    /// `table` into it and answers with `report`.
    Certs {
        report: Vec<u8>,
        table: Vec<u8>,
        needed: u32,
    },
    /// Fails with an errno and, if `Some`, the exitinfo2 the driver wrote back.
    Fail(i32, Option<u64>),
    /// Succeeds with a MSG_KEY_RSP of this status carrying `key`.
    Key(u32, [u8; 32]),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    cmd: GuestCommand,
    msg_version: u8,
    req: Vec<u8>,
    certs_offered: Option<usize>,
}

#[derive(Debug, Default)]
struct Scripted {
    steps: VecDeque<Step>,
    calls: Vec<Call>,
}

impl Scripted {
    fn new(steps: impl IntoIterator<Item = Step>) -> Self {
        Self {
            steps: steps.into_iter().collect(),
            calls: Vec::new(),
        }
    }
}

fn write_report_rsp(resp: &mut [u8], status: u32, report: &[u8]) {
    resp.fill(0);
    resp[0..4].copy_from_slice(&status.to_le_bytes());
    resp[4..8].copy_from_slice(&(report.len() as u32).to_le_bytes());
    resp[32..32 + report.len()].copy_from_slice(report);
}

impl GuestTransport for Scripted {
    fn guest_request(
        &mut self,
        cmd: GuestCommand,
        msg_version: u8,
        req: &[u8],
        resp: &mut [u8],
        certs: Option<&mut CertsBuffer<'_>>,
    ) -> Result<(), TransportError> {
        self.calls.push(Call {
            cmd,
            msg_version,
            req: req.to_vec(),
            certs_offered: certs.as_ref().map(|c| c.buf.len()),
        });
        assert_eq!(
            certs.as_ref().map(|c| c.len as usize),
            certs.as_ref().map(|c| c.buf.len())
        );
        let step = self
            .steps
            .pop_front()
            .expect("the client made more calls than scripted");
        match step {
            Step::Report(status, report) => {
                write_report_rsp(resp, status, &report);
                Ok(())
            }
            Step::Certs { report, table, needed } => {
                let c = certs.expect("an extended request offers a certificate buffer");
                if c.buf.len() < needed as usize {
                    c.len = needed;
                    return Err(TransportError {
                        errno: libc::EIO,
                        exit_info2: Some(INVALID_LEN),
                    });
                }
                c.buf.fill(0);
                c.buf[..table.len()].copy_from_slice(&table);
                write_report_rsp(resp, 0, &report);
                Ok(())
            }
            Step::Fail(errno, exit_info2) => Err(TransportError { errno, exit_info2 }),
            Step::Key(status, key) => {
                resp.fill(0);
                resp[0..4].copy_from_slice(&status.to_le_bytes());
                resp[32..64].copy_from_slice(&key);
                Ok(())
            }
        }
    }
}

fn fake_report(user_data: &[u8; 64], vmpl: u32) -> Vec<u8> {
    let mut r = vec![0u8; 0x4A0];
    r[0] = 2;
    r[0x30..0x34].copy_from_slice(&vmpl.to_le_bytes());
    r[0x50..0x90].copy_from_slice(user_data);
    r
}

fn client(steps: impl IntoIterator<Item = Step>) -> GuestClient<Scripted> {
    GuestClient::new(Scripted::new(steps)).with_retry(RetryPolicy::no_delay(4))
}

fn calls(c: &GuestClient<Scripted>) -> &[Call] {
    &c.transport().calls
}

fn table(blobs: &[(CertKind, &[u8])]) -> Vec<u8> {
    let mut b = CertTableBuilder::new();
    for (kind, data) in blobs {
        b = b.push(*kind, data);
    }
    b.build().unwrap()
}

// ---- reports ----

#[test]
fn report_round_trip() {
    let ud = [0x5a; 64];
    let mut c = client([Step::Report(0, fake_report(&ud, 2))]);
    let ev = c.report(&ud, 2).unwrap();
    assert_eq!(ev.report, fake_report(&ud, 2));
    assert!(ev.certs.is_empty());
    assert_eq!(ev.manifest, None);
    assert_eq!(ev.provider, Provider::Ioctl);
    assert_eq!(ev.parsed_report().unwrap().version(), 2);
    let call = &calls(&c)[0];
    assert_eq!(
        (call.cmd, call.msg_version, call.certs_offered),
        (GuestCommand::Report, 1, None)
    );
    // struct snp_report_req: user_data @0 (64), vmpl u32 @64, rsvd[28] @68 zero.
    assert_eq!(call.req.len(), 96);
    assert_eq!(&call.req[..64], &ud);
    assert_eq!(&call.req[64..68], &2u32.to_le_bytes());
    assert!(call.req[68..].iter().all(|&b| b == 0));
}

#[test]
fn longer_future_reports_pass_through() {
    let mut report = fake_report(&[1; 64], 0);
    report.resize(0x600, 0xAB);
    let mut c = client([Step::Report(0, report.clone())]);
    assert_eq!(c.report(&[1; 64], DEFAULT_VMPL).unwrap().report, report);
}

#[test]
fn ext_report_round_trip_with_certs() {
    let ud = [7; 64];
    let t = table(&[(CertKind::Vcek, b"vcek-der"), (CertKind::Ask, b"ask-der")]);
    let mut c = client(vec![
        Step::Certs {
            report: fake_report(&ud, 0),
            table: t.clone(),
            needed: 4096,
        };
        2
    ]);
    let ev = c.ext_report(&ud, 0).unwrap();
    assert_eq!(ev.report, fake_report(&ud, 0));
    assert_eq!(ev.certs.len(), 4096);
    assert_eq!(&ev.certs[..t.len()], &t[..]);
    let parsed = ev.cert_table().unwrap();
    assert_eq!(parsed.get(CertKind::Vcek), Some(&b"vcek-der"[..]));
    assert_eq!(parsed.get(CertKind::Ask), Some(&b"ask-der"[..]));
    let offered: Vec<_> = calls(&c).iter().map(|c| c.certs_offered).collect();
    assert_eq!(offered, [Some(0), Some(4096)]);
    assert!(
        calls(&c)
            .iter()
            .all(|k| k.cmd == GuestCommand::ExtReport && k.msg_version == 1)
    );
    assert_eq!(&calls(&c)[0].req, &calls(&c)[1].req, "the same request is repeated");
}

#[test]
fn ext_report_grows_odd_sizes_to_whole_pages() {
    let t = table(&[(CertKind::Vcek, &[0xC7; 4500])]);
    let mut c = client(vec![
        Step::Certs {
            report: fake_report(&[0; 64], 0),
            table: t,
            needed: 5000,
        };
        2
    ]);
    let ev = c.ext_report(&[0; 64], 0).unwrap();
    assert_eq!(ev.certs.len(), 8192);
    let offered: Vec<_> = calls(&c).iter().map(|c| c.certs_offered).collect();
    assert_eq!(offered, [Some(0), Some(8192)]);
}

#[test]
fn ext_report_without_certs_is_one_call_and_an_empty_table() {
    let mut c = client([Step::Report(0, fake_report(&[3; 64], 0))]);
    let ev = c.ext_report(&[3; 64], 0).unwrap();
    assert!(ev.certs.is_empty());
    assert!(ev.cert_table().unwrap().is_empty());
    assert_eq!(calls(&c).len(), 1);
    assert_eq!(calls(&c)[0].certs_offered, Some(0));
}

#[test]
fn ext_report_with_an_empty_host_table_gives_an_empty_table() {
    // The host asked for a page, then wrote only the terminator.
    let mut c = client(vec![
        Step::Certs {
            report: fake_report(&[3; 64], 0),
            table: vec![0; 24],
            needed: 4096,
        };
        2
    ]);
    let ev = c.ext_report(&[3; 64], 0).unwrap();
    assert!(ev.certs.is_empty());
}

#[test]
fn ext_report_host_that_keeps_growing_is_bounded() {
    // A host whose every answer asks for one more page than offered.
    struct Growing(Vec<usize>);
    impl GuestTransport for Growing {
        fn guest_request(
            &mut self,
            _: GuestCommand,
            _: u8,
            _: &[u8],
            _: &mut [u8],
            certs: Option<&mut CertsBuffer<'_>>,
        ) -> Result<(), TransportError> {
            let c = certs.unwrap();
            self.0.push(c.buf.len());
            c.len = (c.buf.len() + 4096) as u32;
            Err(TransportError {
                errno: libc::EIO,
                exit_info2: Some(INVALID_LEN),
            })
        }
    }
    let mut c = GuestClient::new(Growing(vec![]));
    match c.ext_report(&[0; 64], 0) {
        Err(e @ GuestError::CertsResize { .. }) => {
            assert!(!e.is_vmpck_disabled());
            assert!(e.diagnosis().contains("certificate"), "{}", e.diagnosis());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.transport().0.len(), MAX_CERT_ROUNDS as usize);
    assert_eq!(c.transport().0, [0, 4096, 8192]);
}

#[test]
fn ext_report_refuses_more_than_16k() {
    let mut c = client([Step::Certs {
        report: fake_report(&[0; 64], 0),
        table: vec![],
        needed: 16 * 1024 + 4096,
    }]);
    match c.ext_report(&[0; 64], 0) {
        Err(GuestError::CertsTooLarge { needed, max }) => assert_eq!((needed, max), (20480, 16384)),
        other => panic!("{other:?}"),
    }
    assert_eq!(calls(&c).len(), 1);
}

#[test]
fn ext_report_invalid_len_for_a_large_enough_buffer_is_an_error() {
    struct Liar;
    impl GuestTransport for Liar {
        fn guest_request(
            &mut self,
            _: GuestCommand,
            _: u8,
            _: &[u8],
            _: &mut [u8],
            certs: Option<&mut CertsBuffer<'_>>,
        ) -> Result<(), TransportError> {
            certs.unwrap().len = 0;
            Err(TransportError {
                errno: libc::EIO,
                exit_info2: Some(INVALID_LEN),
            })
        }
    }
    assert!(matches!(
        GuestClient::new(Liar).ext_report(&[0; 64], 0),
        Err(GuestError::CertsResize {
            rounds: 1,
            needed: 0,
            given: 0
        })
    ));
}

#[test]
fn invalid_len_on_a_plain_report_is_a_request_error() {
    let mut c = client([Step::Fail(libc::EIO, Some(INVALID_LEN))]);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert_eq!(e.vmm_error(), Some(VmmError::InvalidLength));
    assert!(!e.is_vmpck_disabled());
}

#[test]
fn vmpl_above_3_is_refused_without_a_call() {
    let mut c = client([]);
    for r in [c.report(&[0; 64], 4), c.ext_report(&[0; 64], 7)] {
        assert!(matches!(r, Err(GuestError::InvalidRequest { .. })), "{r:?}");
    }
    assert!(calls(&c).is_empty());
}

// ---- error mapping ----

#[test]
fn response_status_classes_are_named() {
    for (code, status, hint) in [
        (0x16, FirmwareStatus::InvalidParam, "VMPL"),
        (0x27, FirmwareStatus::InvalidKey, "VLEK"),
        (0x15, FirmwareStatus::Unsupported, "UNSUPPORTED"),
        (0x08, FirmwareStatus::Inactive, "active"),
        (0x2c, FirmwareStatus::Unknown(0x2c), "firmware status"),
    ] {
        let mut c = client([Step::Report(code, vec![])]);
        let e = c.report(&[0; 64], 0).unwrap_err();
        match &e {
            GuestError::ResponseStatus { op, status: s } => assert_eq!((*op, *s), (GuestCommand::Report, status)),
            other => panic!("{other:?}"),
        }
        assert_eq!(e.firmware_status(), Some(status));
        assert!(!e.is_vmpck_disabled());
        assert!(e.diagnosis().contains(hint), "{code:#x}: {}", e.diagnosis());
        assert!(e.to_string().contains(status.name()), "{e}");
    }
}

#[test]
fn exitinfo2_firmware_status_is_decoded() {
    let mut c = client([Step::Fail(libc::EIO, Some(0x16))]);
    let e = c.report(&[0; 64], 1).unwrap_err();
    match &e {
        GuestError::Request {
            op,
            errno,
            firmware,
            vmm,
            exit_info2,
        } => assert_eq!(
            (*op, *errno, *firmware, *vmm, *exit_info2),
            (
                GuestCommand::Report,
                libc::EIO,
                Some(FirmwareStatus::InvalidParam),
                None,
                Some(0x16)
            )
        ),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("INVALID_PARAM"), "{e}");
    assert!(e.diagnosis().contains("VMPL"), "{}", e.diagnosis());
    assert!(e.is_vmpck_disabled());
    assert_eq!(e.errno(), Some(libc::EIO));
}

#[test]
fn unknown_vmm_error_is_kept() {
    let mut c = client([Step::Fail(libc::EIO, Some(7 << 32))]);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert_eq!(e.vmm_error(), Some(VmmError::Unknown(7)));
    assert_eq!(e.firmware_status(), None);
}

#[test]
fn no_answer_preset_is_not_a_firmware_status() {
    let mut c = client([Step::Fail(libc::EIO, Some(0xff))]);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert_eq!((e.firmware_status(), e.vmm_error()), (None, None));
    assert!(e.to_string().contains("no answer"), "{e}");
    assert!(e.diagnosis().contains("reboot the guest"), "{}", e.diagnosis());
}

#[test]
fn eio_without_exitinfo2() {
    let mut c = client([Step::Fail(libc::EIO, None)]);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EIO));
    assert!(e.is_vmpck_disabled());
    assert!(e.diagnosis().contains("disabled the VMPCK"), "{}", e.diagnosis());
}

#[test]
fn enotty_is_the_lockout() {
    let mut c = client([Step::Fail(libc::ENOTTY, None)]);
    let e = c.ext_report(&[0; 64], 0).unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENOTTY));
    assert!(e.is_vmpck_disabled());
    assert!(e.diagnosis().contains("reboot the guest"), "{}", e.diagnosis());
    assert!(e.diagnosis().contains("VMPCK"), "{}", e.diagnosis());
    assert_eq!(calls(&c).len(), 1, "ENOTTY is not retried");
}

#[test]
fn einval_keeps_the_vmpck() {
    let mut c = client([Step::Fail(libc::EINVAL, None)]);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert!(!e.is_vmpck_disabled());
    assert!(e.diagnosis().contains("intact"), "{}", e.diagnosis());
}

#[test]
fn etimedout_is_not_retried() {
    let mut c = client([Step::Fail(libc::ETIMEDOUT, Some(BUSY))]);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert!(
        matches!(
            e,
            GuestError::Request {
                errno: libc::ETIMEDOUT,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.diagnosis().contains("60 s") || e.diagnosis().contains("BUSY"),
        "{}",
        e.diagnosis()
    );
    assert_eq!(calls(&c).len(), 1);
}

// ---- busy ----

#[test]
fn busy_is_retried_then_succeeds() {
    let mut c = client([
        Step::Fail(libc::EIO, Some(BUSY)),
        Step::Fail(libc::EIO, Some(BUSY)),
        Step::Report(0, fake_report(&[1; 64], 0)),
    ]);
    assert!(c.report(&[1; 64], 0).is_ok());
    assert_eq!(calls(&c).len(), 3);
    assert!(calls(&c).windows(2).all(|w| w[0] == w[1]), "the same request each time");
}

#[test]
fn eagain_is_retried() {
    let mut c = client([Step::Fail(libc::EAGAIN, None), Step::Key(0, [9; 32])]);
    let key = c.derived_key(&DerivedKeyRequest::default()).unwrap();
    assert_eq!(key.as_bytes(), &[9; 32]);
    assert_eq!(calls(&c).len(), 2);
}

#[test]
fn busy_during_the_resize_protocol_is_retried() {
    let certs = Step::Certs {
        report: fake_report(&[0; 64], 0),
        table: table(&[(CertKind::Vcek, b"v")]),
        needed: 4096,
    };
    let mut c = client([certs.clone(), Step::Fail(libc::EAGAIN, None), certs]);
    let ev = c.ext_report(&[0; 64], 0).unwrap();
    assert_eq!(ev.certs.len(), 4096);
    let offered: Vec<_> = calls(&c).iter().map(|c| c.certs_offered).collect();
    assert_eq!(offered, [Some(0), Some(4096), Some(4096)]);
}

#[test]
fn busy_exhausted() {
    let mut c = client(std::iter::repeat_n(Step::Fail(libc::EIO, Some(BUSY)), 10));
    match c.report(&[0; 64], 0) {
        Err(e @ GuestError::Busy { .. }) => {
            let GuestError::Busy {
                op,
                attempts,
                errno,
                vmm,
                ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(
                (*op, *attempts, *errno, *vmm),
                (GuestCommand::Report, 4, libc::EIO, Some(VmmError::Busy))
            );
            assert!(e.diagnosis().contains("60 s"), "{}", e.diagnosis());
            assert!(!e.is_vmpck_disabled());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(calls(&c).len(), 4);
}

#[test]
fn busy_respects_the_total_time() {
    let policy = RetryPolicy {
        max_attempts: 100,
        initial_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(1),
        max_total: Duration::from_millis(10),
    };
    let mut c = GuestClient::new(Scripted::new([Step::Fail(libc::EAGAIN, None)])).with_retry(policy);
    assert!(matches!(
        c.report(&[0; 64], 0),
        Err(GuestError::Busy { attempts: 1, .. })
    ));
}

#[test]
fn never_retry_policy() {
    let mut c = GuestClient::new(Scripted::new([Step::Fail(libc::EAGAIN, None)])).with_retry(RetryPolicy::never());
    assert!(matches!(
        c.report(&[0; 64], 0),
        Err(GuestError::Busy { attempts: 1, .. })
    ));
    assert_eq!(c.retry_policy(), &RetryPolicy::never());
}

// ---- derived keys ----

/// The request bytes against `struct snp_derived_key_req` (32 bytes, align 8):
/// root_key_select u32 @0, rsvd u32 @4, guest_field_select u64 @8, vmpl u32 @16,
/// guest_svn u32 @20, tcb_version u64 @24.
#[test]
fn derived_key_request_bytes_match_the_kernel_struct() {
    let all_v1_fields = GuestFieldSelect::POLICY
        | GuestFieldSelect::IMAGE_ID
        | GuestFieldSelect::FAMILY_ID
        | GuestFieldSelect::MEASUREMENT
        | GuestFieldSelect::GUEST_SVN
        | GuestFieldSelect::TCB_VERSION;
    let key = KeyRequest::new()
        .with_root_key(RootKeySelect::Vmrk)
        .with_key_select(KeySelect::Vlek)
        .with_guest_fields(all_v1_fields)
        .with_vmpl(2)
        .with_guest_svn(0x0102_0304)
        .with_tcb_version(TcbVersion(0x1122_3344_5566_7788));
    let req = DerivedKeyRequest::new(key);
    assert_eq!(req.msg_version, 1);
    let mut expected = [0u8; 32];
    expected[0..4].copy_from_slice(&(1u32 | (2 << 1)).to_le_bytes());
    expected[4..8].copy_from_slice(&0u32.to_le_bytes());
    expected[8..16].copy_from_slice(&0x3Fu64.to_le_bytes());
    expected[16..20].copy_from_slice(&2u32.to_le_bytes());
    expected[20..24].copy_from_slice(&0x0102_0304u32.to_le_bytes());
    expected[24..32].copy_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
    assert_eq!(req.to_kernel_bytes().unwrap(), expected);

    // The same bytes as the kernel struct, filled field by field (its layout is asserted
    // against the ABI table by kernel name).
    let kernel = SnpDerivedKeyReq {
        root_key_select: U32::new(5),
        reserved_004: U32::ZERO,
        guest_field_select: U64::new(0x3F),
        vmpl: U32::new(2),
        guest_svn: U32::new(0x0102_0304),
        tcb_version: RawTcb(U64::new(0x1122_3344_5566_7788)),
    };
    assert_eq!(zerocopy::IntoBytes::as_bytes(&kernel), &expected[..]);

    let mut c = client([Step::Key(0, [0x42; 32])]);
    let k = c.derived_key(&req).unwrap();
    assert_eq!(k.as_bytes(), &[0x42; 32]);
    assert_eq!(
        calls(&c),
        [Call {
            cmd: GuestCommand::DerivedKey,
            msg_version: 1,
            req: expected.to_vec(),
            certs_offered: None,
        }]
    );
}

#[test]
fn each_guest_field_bit_and_root_key_reaches_the_request() {
    for bit in 0..6 {
        let f = GuestFieldSelect::from_bits_retain(1 << bit);
        for root in [RootKeySelect::Vcek, RootKeySelect::Vmrk] {
            let b = DerivedKeyRequest::new(KeyRequest::new().with_guest_fields(f).with_root_key(root))
                .to_kernel_bytes()
                .unwrap();
            assert_eq!(u64::from_le_bytes(b[8..16].try_into().unwrap()), 1 << bit);
            assert_eq!(u32::from_le_bytes(b[0..4].try_into().unwrap()), root.raw());
        }
    }
}

#[test]
fn derived_key_msg_version_is_passed_through() {
    let mut c = client([Step::Key(0, [1; 32]), Step::Key(0, [2; 32])]);
    let v1 = DerivedKeyRequest::default();
    let v2 = v1.with_msg_version(2);
    c.derived_key(&v1).unwrap();
    c.derived_key(&v2).unwrap();
    let versions: Vec<u8> = calls(&c).iter().map(|c| c.msg_version).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(
        calls(&c)[0].req,
        calls(&c)[1].req,
        "the body is the 32-byte kernel struct either way"
    );
    assert_eq!(calls(&c)[1].req.len(), 32);
}

#[test]
fn derived_key_bad_msg_versions_are_refused_without_a_call() {
    let mut c = client([]);
    for v in [0u8, 3, 255] {
        let r = c.derived_key(&DerivedKeyRequest::default().with_msg_version(v));
        assert!(matches!(r, Err(GuestError::InvalidRequest { .. })), "{v}: {r:?}");
    }
    assert!(calls(&c).is_empty());
}

#[test]
fn derived_key_v2_fields_cannot_be_sent_through_the_kernel_struct() {
    let mut c = client([]);
    for key in [
        KeyRequest::new().with_launch_mit_vector(0x0B),
        KeyRequest::new().with_guest_fields(GuestFieldSelect::LAUNCH_MIT_VECTOR),
    ] {
        let req = DerivedKeyRequest::new(key);
        assert_eq!(req.msg_version, 2);
        let e = c.derived_key(&req).unwrap_err();
        assert!(matches!(e, GuestError::DerivedKeyV2Unsupported { .. }), "{e:?}");
        assert!(e.diagnosis().contains("snp_derived_key_req"), "{}", e.diagnosis());
        let e = c.derived_key(&req.with_msg_version(1)).unwrap_err();
        assert!(matches!(e, GuestError::DerivedKeyV2Unsupported { .. }), "{e:?}");
    }
    assert!(calls(&c).is_empty());
}

#[test]
fn derived_key_reserved_fields_are_refused_without_a_call() {
    let mut c = client([]);
    for key in [
        KeyRequest::new().with_guest_fields(GuestFieldSelect::from_bits_retain(1 << 7)),
        KeyRequest::new().with_key_select(KeySelect::Reserved),
        KeyRequest::new().with_vmpl(4),
    ] {
        let e = c.derived_key(&DerivedKeyRequest::new(key)).unwrap_err();
        assert!(
            matches!(
                e,
                GuestError::InvalidRequest {
                    op: GuestCommand::DerivedKey,
                    ..
                }
            ),
            "{e:?}"
        );
    }
    assert!(calls(&c).is_empty());
}

#[test]
fn derived_key_firmware_status_is_mapped() {
    let mut c = client([Step::Key(0x16, [0xEE; 32]), Step::Key(0x27, [0xEE; 32])]);
    let e = c.derived_key(&DerivedKeyRequest::default()).unwrap_err();
    assert_eq!(e.firmware_status(), Some(FirmwareStatus::InvalidParam));
    assert!(!format!("{e:?}{e}").contains("238"), "no key bytes in the error");
    let e = c
        .derived_key(&KeyRequest::new().with_key_select(KeySelect::Vlek).into())
        .unwrap_err();
    assert_eq!(e.firmware_status(), Some(FirmwareStatus::InvalidKey));
}

#[test]
fn derived_keys_are_redacted_and_zeroized_on_drop() {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<DerivedKey>();
    // The kernel's response buffer the client reads the key from.
    wiped_on_drop::<SnpDerivedKeyResp>();
    let mut c = client([Step::Key(0, [0xA5; 32])]);
    let key = c.derived_key(&DerivedKeyRequest::default()).unwrap();
    let shown = format!("{key:?}");
    assert!(
        !shown.contains("165") && !shown.to_lowercase().contains("a5"),
        "{shown}"
    );
}

// ---- seams ----

#[test]
fn evidence_source_uses_the_extended_report() {
    fn collect<S: EvidenceSource>(s: &mut S) -> Result<snp_guest::Evidence, S::Error> {
        s.evidence(&[4; 64], 0)
    }
    let mut c = client(vec![
        Step::Certs {
            report: fake_report(&[4; 64], 0),
            table: table(&[(CertKind::Vcek, b"x")]),
            needed: 4096,
        };
        2
    ])
    .with_provider(Provider::Other("scripted".into()));
    let ev = collect(&mut c).unwrap();
    assert_eq!(ev.provider, Provider::Other("scripted".into()));
    assert_eq!(ev.cert_table().unwrap().len(), 1);
    assert!(calls(&c).iter().all(|k| k.cmd == GuestCommand::ExtReport));
}

#[cfg(target_os = "linux")]
#[test]
fn absent_device_is_typed() {
    match GuestClient::open_path("/nonexistent/sev-guest") {
        Err(e @ GuestError::DeviceAbsent { .. }) => {
            assert_eq!(e.errno(), Some(libc::ENOENT));
            assert!(e.diagnosis().contains("sev-guest driver"), "{}", e.diagnosis());
        }
        other => panic!("{other:?}"),
    }
}

/// The real device under the client: /dev/null answers ENOTTY, which must come out as the
/// lockout diagnosis with no invented firmware status.
#[cfg(target_os = "linux")]
#[test]
fn real_transport_on_a_wrong_fd() {
    let dev = sev_sys::SevGuestDevice::from_file(std::fs::File::open("/dev/null").unwrap());
    let mut c = GuestClient::new(dev);
    let e = c.report(&[0; 64], 0).unwrap_err();
    assert!(
        matches!(
            e,
            GuestError::Request {
                errno: libc::ENOTTY,
                firmware: None,
                vmm: None,
                exit_info2: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(c.derived_key(&DerivedKeyRequest::default()).is_err());
    assert!(c.ext_report(&[0; 64], 0).is_err());
}

#[cfg(feature = "verify")]
mod verify {
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Seconds since the epoch inside the fixture certificates' validity.
    const NOW: u64 = 1_764_547_200;

    #[test]
    fn evidence_verifies_with_its_certificate_table() {
        let report = fixture("snp/turin/routex-v5/report.bin");
        let vcek = fixture("snp/turin/routex-v5/vcek.der");
        let t = table(&[(CertKind::Vcek, &vcek)]);
        let mut c = client(vec![
            Step::Certs {
                report: report.clone(),
                table: t,
                needed: 4096,
            };
            2
        ]);
        let user_data: [u8; 64] = report[0x50..0x90].try_into().unwrap();
        let ev = c.ext_report(&user_data, 0).unwrap();
        let bundle = ev.cert_bundle().unwrap();
        assert_eq!(bundle.certs().len(), 1);
        let verifier = sev_verify::snp::Verifier::builtin(sev_verify::crypto::default_provider());
        ev.verify(&verifier, NOW).unwrap();

        // Without the table the VCEK is missing: a typed verification error, not a panic.
        let mut plain = ev.clone();
        plain.certs.clear();
        assert!(plain.cert_bundle().unwrap().certs().is_empty());
        assert!(plain.verify(&verifier, NOW).is_err());

        // A tampered report fails.
        let mut bad = ev.clone();
        bad.report[0x50] ^= 1;
        assert!(bad.verify(&verifier, NOW).is_err());
    }
}

/// The real device: a report, an extended report and a deterministic derived key.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs /dev/sev-guest"]
fn hardware_round_trip() {
    let mut c = GuestClient::open().unwrap();
    let ud = [0x5a; 64];
    let ev = c.report(&ud, DEFAULT_VMPL).unwrap();
    assert_eq!(&ev.report[0x50..0x90], &ud, "REPORT_DATA echoes the request");
    assert!(ev.parsed_report().unwrap().version() >= 2);
    let ext = c.ext_report(&ud, DEFAULT_VMPL).unwrap();
    assert_eq!(&ext.report[0x50..0x90], &ud);
    ext.cert_table().unwrap();
    let req = DerivedKeyRequest::new(KeyRequest::new().with_guest_fields(GuestFieldSelect::MEASUREMENT));
    let a = c.derived_key(&req).unwrap();
    let b = c.derived_key(&req).unwrap();
    assert_eq!(a.as_bytes(), b.as_bytes(), "the key is deterministic");
}
