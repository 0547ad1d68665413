//! The simulator behind `sev_sys::GuestTransport`: request decoding, response layout, the
//! extended-report protocol, injected errors and the VMPCK wipe.

use sev_sim::{Fault, GuestConfig, Sim, errno};
use sev_sys::{CertsBuffer, GuestCommand, GuestTransport, TransportError};
use sev_types::guest::sev_guest::{SnpDerivedKeyReq, SnpReportReq};
use sev_types::guest::{CertTable, DerivedKey, GuestFieldSelect, KeyRequest, KeySelect, parse_report_response};
use sev_types::status::{FirmwareStatus, VmmError};
use sev_types::{Product, U64};
use zerocopy::IntoBytes;

fn sim() -> Sim {
    Sim::new(GuestConfig::new(Product::Milan)).unwrap()
}

fn report_req(data: u8, vmpl: u32) -> Vec<u8> {
    SnpReportReq::new([data; 64], vmpl, KeySelect::Auto).as_bytes().to_vec()
}

fn key_req() -> Vec<u8> {
    let r = SnpDerivedKeyReq {
        guest_field_select: U64::new(GuestFieldSelect::MEASUREMENT.bits()),
        ..SnpDerivedKeyReq::default()
    };
    r.as_bytes().to_vec()
}

fn get_report(sim: &mut Sim, vmpl: u32) -> Result<Vec<u8>, TransportError> {
    let mut resp = vec![0xEE; 4000];
    sim.guest_request(GuestCommand::Report, 1, &report_req(0x42, vmpl), &mut resp, None)?;
    Ok(resp)
}

fn get_key(sim: &mut Sim) -> Result<Vec<u8>, TransportError> {
    let mut resp = vec![0xEE; 64];
    sim.guest_request(GuestCommand::DerivedKey, 1, &key_req(), &mut resp, None)?;
    Ok(resp)
}

fn ext_report(sim: &mut Sim, buf: &mut [u8], len: u32) -> (Result<(), TransportError>, u32, Vec<u8>) {
    let mut resp = vec![0u8; 4000];
    let mut certs = CertsBuffer { buf, len };
    let r = sim.guest_request(
        GuestCommand::ExtReport,
        1,
        &report_req(7, 0),
        &mut resp,
        Some(&mut certs),
    );
    (r, certs.len, resp)
}

fn eio(exit_info2: u64) -> TransportError {
    TransportError {
        errno: errno::EIO,
        exit_info2: Some(exit_info2),
    }
}

#[test]
fn report_responses_have_the_firmware_header_then_the_report() {
    let mut sim = sim();
    let resp = get_report(&mut sim, 1).unwrap();
    assert_eq!(&resp[..4], &[0; 4]);
    assert_eq!(u32::from_le_bytes(resp[4..8].try_into().unwrap()), 0x4A0);
    assert!(resp[8..32].iter().all(|&b| b == 0));
    assert!(resp[32 + 0x4A0..].iter().all(|&b| b == 0));
    let report = parse_report_response(&resp).unwrap();
    assert_eq!(report.report_data(), &[0x42; 64]);
    assert_eq!(report.vmpl(), 1);
}

#[test]
fn key_responses_have_the_firmware_header_then_the_key() {
    let mut sim = sim();
    let resp = get_key(&mut sim).unwrap();
    assert!(resp[..32].iter().all(|&b| b == 0));
    let key = DerivedKey::from_response(&resp).unwrap();
    let direct = sim
        .derive_key(&KeyRequest::new().with_guest_fields(GuestFieldSelect::MEASUREMENT))
        .unwrap();
    assert_eq!(key.as_bytes(), &direct);
}

#[test]
fn the_vmpl_rule_is_a_firmware_refusal_in_the_response_header() {
    let mut sim = Sim::new(GuestConfig::new(Product::Turin).with_vmpl(2)).unwrap();
    let resp = get_report(&mut sim, 1).unwrap();
    assert_eq!(u32::from_le_bytes(resp[..4].try_into().unwrap()), 0x16);
    assert_eq!(u32::from_le_bytes(resp[4..8].try_into().unwrap()), 0);
    let err = parse_report_response(&resp).unwrap_err();
    assert!(err.to_string().contains("INVALID_PARAM"), "{err}");
    // Not a failure of the exchange: the VMPCK stays.
    assert!(!sim.vmpck_wiped());
    get_report(&mut sim, 2).unwrap();
}

#[test]
fn malformed_requests_fail_with_einval_and_do_not_wipe() {
    let mut sim = sim();
    let mut resp = vec![0u8; 4000];
    let einval = Err(TransportError {
        errno: errno::EINVAL,
        exit_info2: None,
    });
    let req = report_req(0, 0);
    assert_eq!(
        sim.guest_request(GuestCommand::Report, 0, &req, &mut resp, None),
        einval
    );
    assert_eq!(
        sim.guest_request(GuestCommand::Report, 1, &req[..95], &mut resp, None),
        einval
    );
    assert_eq!(
        sim.guest_request(GuestCommand::Report, 1, &req, &mut resp[..100], None),
        einval
    );
    assert_eq!(
        sim.guest_request(GuestCommand::DerivedKey, 1, &[0; 33], &mut resp, None),
        einval
    );
    let mut buf = vec![0u8; 8192];
    let (r, _, _) = ext_report(&mut sim, &mut buf, 100);
    assert_eq!(r, einval);
    let (r, _, _) = ext_report(&mut sim, &mut buf, 16384);
    assert_eq!(r, einval);
    assert!(!sim.vmpck_wiped());
    get_report(&mut sim, 0).unwrap();
    // Reserved request bits are the firmware's business: INVALID_PARAM in the header.
    let mut bad = req.clone();
    bad[70] = 1;
    sim.guest_request(GuestCommand::Report, 1, &bad, &mut resp, None)
        .unwrap();
    assert_eq!(resp[0], 0x16);
    let mut bad_key = key_req();
    bad_key[4] = 1;
    sim.guest_request(GuestCommand::DerivedKey, 1, &bad_key, &mut resp[..64], None)
        .unwrap();
    assert_eq!(resp[0], 0x16);
}

#[test]
fn ext_report_too_small_reports_the_needed_size_then_fills_the_table() {
    let mut sim = sim();
    let table = sim.cert_table().unwrap().to_vec();
    let needed = u32::try_from(table.len()).unwrap();
    assert_eq!(needed % 4096, 0);

    // No buffer at all, and an empty one: INVALID_LEN with the size needed.
    let mut resp = vec![0u8; 4000];
    let r = sim.guest_request(GuestCommand::ExtReport, 1, &report_req(7, 0), &mut resp, None);
    assert_eq!(r, Err(eio(1 << 32)));
    let (r, len, _) = ext_report(&mut sim, &mut [], 0);
    assert_eq!((r, len), (Err(eio(1 << 32)), needed));
    // A buffer one page too small.
    let mut small = vec![0u8; needed as usize - 4096];
    let (r, len, _) = ext_report(&mut sim, &mut small, needed - 4096);
    assert_eq!((r, len), (Err(eio(1 << 32)), needed));
    assert!(!sim.vmpck_wiped(), "INVALID_LEN does not wipe the VMPCK");

    // Big enough: the table, then zeros.
    let mut buf = vec![0xCC; 16384];
    let (r, len, resp) = ext_report(&mut sim, &mut buf, 16384);
    r.unwrap();
    assert_eq!(len, 16384);
    assert_eq!(&buf[..table.len()], &table[..]);
    assert!(buf[table.len()..].iter().all(|&b| b == 0));
    let report = parse_report_response(&resp).unwrap();
    assert_eq!(report.report_data(), &[7; 64]);
    assert!(CertTable::from_bytes(&buf).unwrap().endorsement_key().is_some());
}

#[test]
fn injected_firmware_errors_fail_with_eio_and_the_status_in_exit_info2() {
    let mut sim = sim();
    sim.set_wipe_on_error(false);
    sim.inject(GuestCommand::Report, Fault::firmware(FirmwareStatus::InvalidAddress), 2);
    assert_eq!(sim.pending_faults(GuestCommand::Report), 2);
    assert_eq!(sim.pending_faults(GuestCommand::DerivedKey), 0);
    assert_eq!(get_report(&mut sim, 0), Err(eio(0x09)));
    // Other commands are not affected.
    get_key(&mut sim).unwrap();
    assert_eq!(get_report(&mut sim, 0), Err(eio(0x09)));
    get_report(&mut sim, 0).unwrap();
    assert_eq!(sim.pending_faults(GuestCommand::Report), 0);
}

#[test]
fn injected_vmm_errors_surface_as_the_driver_reports_them() {
    let mut sim = sim();
    sim.set_wipe_on_error(false);
    sim.inject(GuestCommand::DerivedKey, Fault::vmm(VmmError::Busy), 1);
    assert_eq!(
        get_key(&mut sim),
        Err(TransportError {
            errno: errno::ETIMEDOUT,
            exit_info2: Some(2 << 32)
        })
    );
    get_key(&mut sim).unwrap();

    sim.inject(GuestCommand::Report, Fault::vmm(VmmError::InvalidLength), 1);
    assert_eq!(get_report(&mut sim, 0), Err(eio(1 << 32)));

    // INVALID_LEN injected on an extended report also tells the size needed.
    let needed = u32::try_from(sim.cert_table().unwrap().len()).unwrap();
    sim.inject(GuestCommand::ExtReport, Fault::vmm(VmmError::InvalidLength), 1);
    let mut buf = vec![0u8; 16384];
    let (r, len, _) = ext_report(&mut sim, &mut buf, 16384);
    assert_eq!((r, len), (Err(eio(1 << 32)), needed));

    // A VMM error and a firmware status together, with an explicit errno.
    let both = Fault::vmm(VmmError::Busy)
        .with_firmware(FirmwareStatus::ResourceLimit)
        .with_errno(errno::EAGAIN);
    sim.inject_all(both, 1);
    assert_eq!(
        get_report(&mut sim, 0),
        Err(TransportError {
            errno: errno::EAGAIN,
            exit_info2: Some((2 << 32) | 0x17)
        })
    );
}

#[test]
fn injected_errnos_surface_without_exit_info2() {
    let mut sim = sim();
    sim.set_wipe_on_error(false);
    for e in [
        errno::EIO,
        errno::EAGAIN,
        errno::ENOTTY,
        errno::EINVAL,
        errno::ETIMEDOUT,
    ] {
        sim.inject_all(Fault::errno(e), 1);
        assert_eq!(
            get_report(&mut sim, 0),
            Err(TransportError {
                errno: e,
                exit_info2: None
            }),
            "errno {e}"
        );
    }
    get_report(&mut sim, 0).unwrap();
}

#[test]
fn an_injected_response_status_comes_back_in_the_header() {
    let mut sim = sim();
    sim.inject(
        GuestCommand::DerivedKey,
        Fault::response_status(FirmwareStatus::InvalidKey),
        1,
    );
    let resp = get_key(&mut sim).unwrap();
    assert_eq!(u32::from_le_bytes(resp[..4].try_into().unwrap()), 0x27);
    assert!(resp[32..].iter().all(|&b| b == 0));
    assert!(DerivedKey::from_response(&resp).is_err());
    assert!(!sim.vmpck_wiped());
    get_key(&mut sim).unwrap();
}

#[test]
fn a_failure_wipes_the_vmpck_and_every_later_request_fails_with_enotty() {
    let enotty = Err(TransportError {
        errno: errno::ENOTTY,
        exit_info2: None,
    });
    for fault in [
        Fault::firmware(FirmwareStatus::InvalidAddress),
        Fault::vmm(VmmError::Busy),
        Fault::errno(errno::EIO),
        Fault::errno(errno::ETIMEDOUT),
    ] {
        let mut sim = sim();
        sim.inject(GuestCommand::Report, fault, 1);
        assert!(get_report(&mut sim, 0).is_err());
        assert!(sim.vmpck_wiped(), "{fault:?}");
        assert_eq!(get_report(&mut sim, 0).map(|_| ()), enotty);
        assert_eq!(get_key(&mut sim).map(|_| ()), enotty);
        let (r, _, _) = ext_report(&mut sim, &mut [0u8; 16384], 16384);
        assert_eq!(r, enotty);
        // msg_version 0 is still checked first.
        let mut resp = vec![0u8; 4000];
        assert_eq!(
            sim.guest_request(GuestCommand::Report, 0, &report_req(0, 0), &mut resp, None)
                .unwrap_err()
                .errno,
            errno::EINVAL
        );
        sim.restore_vmpck();
        get_report(&mut sim, 0).unwrap();
    }
    // INVALID_LEN, argument errors and header refusals do not wipe.
    for fault in [
        Fault::vmm(VmmError::InvalidLength),
        Fault::errno(errno::EINVAL),
        Fault::errno(errno::ENOTTY),
        Fault::response_status(FirmwareStatus::InvalidParam),
    ] {
        assert!(!fault.wipes_vmpck(), "{fault:?}");
        let mut sim = sim();
        sim.inject(GuestCommand::Report, fault, 1);
        let _ = get_report(&mut sim, 0);
        assert!(!sim.vmpck_wiped(), "{fault:?}");
        get_report(&mut sim, 0).unwrap();
    }
    // Switched off, failures are one-off.
    let mut sim = sim();
    sim.set_wipe_on_error(false);
    sim.inject(GuestCommand::Report, Fault::errno(errno::EIO), 1);
    assert!(get_report(&mut sim, 0).is_err());
    assert!(!sim.vmpck_wiped());
    get_report(&mut sim, 0).unwrap();
}

#[test]
fn faults_are_not_used_by_requests_refused_before_the_host() {
    let mut sim = sim();
    sim.inject(GuestCommand::Report, Fault::errno(errno::EIO), 1);
    let mut resp = vec![0u8; 4000];
    let _ = sim.guest_request(GuestCommand::Report, 0, &report_req(0, 0), &mut resp, None);
    assert_eq!(sim.pending_faults(GuestCommand::Report), 1);
    sim.clear_faults();
    assert_eq!(sim.pending_faults(GuestCommand::Report), 0);
    get_report(&mut sim, 0).unwrap();
}
