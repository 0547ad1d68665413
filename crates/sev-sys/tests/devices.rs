//! `/dev/sev` and `/dev/sev-guest`: opening an absent node is typed, errno plumbing is checked
//! against a real fd of the wrong kind, and device-dependent tests are ignored with the reason,
//! decided at build time by `build.rs` (`has_dev_sev`, `has_dev_sev_guest`).
#![cfg(target_os = "linux")]

use std::fs::File;
use std::path::Path;

use sev_sys::uapi::*;
use sev_sys::{CertsBuffer, Error, GuestCommand, GuestTransport, SevDevice, SevGuestDevice};

#[test]
#[cfg_attr(has_dev_sev, ignore = "/dev/sev is present: the absent path cannot be observed")]
fn absent_sev_device_is_typed() {
    for r in [SevDevice::open(), SevDevice::open_read_only()] {
        match r {
            Err(e @ Error::DeviceAbsent { .. }) => {
                assert_eq!(e.errno(), Some(libc::ENOENT));
                assert!(e.to_string().contains("/dev/sev"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
#[cfg_attr(
    has_dev_sev_guest,
    ignore = "/dev/sev-guest is present: the absent path cannot be observed"
)]
fn absent_sev_guest_device_is_typed() {
    match SevGuestDevice::open() {
        Err(Error::DeviceAbsent { path }) => assert_eq!(path, Path::new("/dev/sev-guest")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_open_failures_keep_the_io_error() {
    // A directory cannot be opened for writing: EISDIR, not "absent".
    match SevDevice::open_path("/", true) {
        Err(Error::Open { path, source }) => {
            assert_eq!(path, Path::new("/"));
            assert_eq!(source.raw_os_error(), Some(libc::EISDIR));
        }
        other => panic!("{other:?}"),
    }
}

/// SEV_ISSUE_CMD on /dev/null: the kernel answers ENOTTY before any firmware is involved, so the
/// error must carry errno ENOTTY and no firmware status.
#[test]
fn sev_issue_cmd_on_a_wrong_fd_keeps_errno() {
    let dev = SevDevice::from_file(File::open("/dev/null").unwrap());
    match dev.platform_status() {
        Err(Error::Ioctl(e)) => {
            assert_eq!(
                (e.op, e.errno, e.fw, e.vmm),
                ("SEV_ISSUE_CMD(SEV_PLATFORM_STATUS)", libc::ENOTTY, None, None)
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(dev.snp_commit().unwrap_err().errno(), Some(libc::ENOTTY));
    // The length dance must propagate the first failure instead of allocating.
    assert_eq!(dev.get_id().unwrap_err().errno(), Some(libc::ENOTTY));
    assert_eq!(dev.pdh_cert_export().unwrap_err().errno(), Some(libc::ENOTTY));
}

#[test]
fn ext_report_buffer_must_be_whole_pages_up_to_16k() {
    let mut dev = SevGuestDevice::from_file(File::open("/dev/null").unwrap());
    let mut resp = [0u8; SNP_REPORT_RESP_SIZE];
    for len in [1usize, 4095, 4097, SEV_FW_BLOB_MAX_SIZE + 4096] {
        let mut buf = vec![0u8; len];
        let mut certs = CertsBuffer { buf: &mut buf, len: 0 };
        let r = dev.guest_request(GuestCommand::ExtReport, 1, &[0; 96], &mut resp, Some(&mut certs));
        assert_eq!(r.unwrap_err().errno, libc::EINVAL, "len {len}");
    }
}

#[test]
#[cfg_attr(not(has_dev_sev), ignore = "needs /dev/sev")]
fn sev_platform_status_on_hardware() {
    let dev = SevDevice::open_read_only().unwrap();
    let s = dev.platform_status().unwrap();
    assert!(s.api_major >= 1, "{s:?}");
    assert!(s.state <= SEV_STATE_WORKING, "{s}");
    let snp = dev.snp_platform_status().unwrap();
    assert!(snp.api_major >= 1, "{snp:?}");
    let id = dev.get_id().unwrap();
    assert!(id.len() == 64 || id.len() == 128, "chip id length {}", id.len());
}

/// The whole report/key logic is in `snp-guest` (its `ioctl_client` tests have the hardware
/// variant); here only the raw transport: a report request answers with a success header.
#[test]
#[cfg_attr(not(has_dev_sev_guest), ignore = "needs /dev/sev-guest")]
fn sev_guest_report_on_hardware() {
    let mut dev = SevGuestDevice::open().unwrap();
    let mut req = [0u8; 96];
    req[..64].fill(0x5a);
    let mut resp = [0u8; SNP_REPORT_RESP_SIZE];
    dev.guest_request(GuestCommand::Report, 1, &req, &mut resp, None)
        .unwrap();
    assert_eq!(&resp[..4], &[0; 4], "response status SUCCESS");
    let report = &resp[32..32 + 0x4A0];
    let view = sev_types::report::Report::from_bytes(report).unwrap();
    assert!(view.version() >= 2);
    assert_eq!(&report[0x50..0x90], &req[..64], "REPORT_DATA echoes the request");
}
