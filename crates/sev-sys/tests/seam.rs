//! Logic above the device seam runs against a fake `GuestDevice`: the extended-report buffer
//! dance follows the kernel protocol (README section 5: VMM INVALID_LEN, needed size reported in
//! `certs_len`, page multiple, at most 16 KiB).

use sev_sys::traits::GuestDevice;
use sev_sys::uapi::{SEV_FW_BLOB_MAX_SIZE, SNP_REPORT_USER_DATA_SIZE, SnpDerivedKeyReq};
use sev_sys::{Error, IoctlError};
use sev_types::guest::DerivedKey;
use sev_types::status::VmmError;

/// Answers `INVALID_LEN` with `needed` until the buffer is large enough, then fills it.
struct FakeHost {
    needed: u32,
    calls: Vec<usize>,
}

impl GuestDevice for FakeHost {
    fn get_report(&mut self, _: &[u8; SNP_REPORT_USER_DATA_SIZE], _: u32) -> Result<Vec<u8>, Error> {
        unimplemented!("not used")
    }
    fn get_ext_report_into(
        &mut self,
        user_data: &[u8; SNP_REPORT_USER_DATA_SIZE],
        _vmpl: u32,
        certs: &mut [u8],
    ) -> Result<Vec<u8>, Error> {
        self.calls.push(certs.len());
        if certs.len() < self.needed as usize {
            let ioctl = IoctlError::new("SNP_GET_EXT_REPORT", libc::EIO).with_vmm_error(Some(VmmError::InvalidLength));
            return Err(Error::CertsBufferTooSmall {
                needed: self.needed,
                given: certs.len() as u32,
                ioctl,
            });
        }
        certs.fill(0xC7);
        Ok(user_data.to_vec())
    }
    fn get_derived_key(&mut self, _: &SnpDerivedKeyReq) -> Result<DerivedKey, Error> {
        unimplemented!("not used")
    }
}

#[test]
fn ext_report_grows_the_buffer_to_the_reported_size() {
    let mut host = FakeHost {
        needed: 3 * 4096,
        calls: vec![],
    };
    let r = host.get_ext_report(&[9; 64], 0).unwrap();
    assert_eq!(host.calls, [0, 3 * 4096]);
    assert_eq!(r.report, [9; 64]);
    assert_eq!(r.certs.len(), 3 * 4096);
    assert!(r.certs.iter().all(|&b| b == 0xC7));
}

#[test]
fn ext_report_without_certs_is_one_call() {
    let mut host = FakeHost {
        needed: 0,
        calls: vec![],
    };
    let r = host.get_ext_report(&[1; 64], 0).unwrap();
    assert_eq!(host.calls, [0]);
    assert!(r.certs.is_empty());
}

#[test]
fn ext_report_rounds_odd_sizes_up_to_pages() {
    let mut host = FakeHost {
        needed: 5000,
        calls: vec![],
    };
    let r = host.get_ext_report(&[1; 64], 0).unwrap();
    assert_eq!(host.calls, [0, 8192]);
    assert_eq!(r.certs.len(), 8192);
}

#[test]
fn ext_report_refuses_more_than_the_kernel_cap() {
    let mut host = FakeHost {
        needed: (SEV_FW_BLOB_MAX_SIZE + 4096) as u32,
        calls: vec![],
    };
    match host.get_ext_report(&[1; 64], 0) {
        Err(Error::CertsBufferTooSmall {
            needed,
            given: 0,
            ioctl,
        }) => {
            assert_eq!(needed as usize, SEV_FW_BLOB_MAX_SIZE + 4096);
            assert_eq!((ioctl.errno, ioctl.vmm), (libc::EIO, Some(VmmError::InvalidLength)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(host.calls, [0]);
}
