//! The guest-request handle: attestation reports, extended reports with the host's
//! certificate table, and derived keys, through `/dev/sev-guest` (or the simulator).

use core::ffi::c_int;

use sev::guest::{DerivedKeyRequest, Evidence, GuestClient, GuestError};
use sev::types::guest::{DerivedKey, GuestFieldSelect, KeyRequest, RootKeySelect};
use sev::types::tcb::TcbVersion;

use crate::error::{Failure, SEV_ERR_INVALID, guard};
use crate::ffi;

/// Bytes of the REPORT_DATA a guest binds into a report.
pub const SEV_REPORT_DATA_SIZE: usize = 64;
/// Bytes of a derived key.
pub const SEV_DERIVED_KEY_SIZE: usize = 32;

/// A guest's channel to the secure processor: opaque to C (`sev_guest`).
pub struct SevGuest {
    client: Client,
}

enum Client {
    Real(GuestClient<sev::sys::SevGuestDevice>),
    #[cfg(feature = "sim")]
    Sim {
        client: Box<GuestClient<sev::sim::Sim>>,
        ark: Vec<u8>,
    },
}

impl SevGuest {
    #[cfg(feature = "sim")]
    pub(crate) fn sim(sim: sev::sim::Sim) -> Self {
        let ark = sim.pki().ark().to_vec();
        SevGuest {
            client: Client::Sim {
                client: Box::new(GuestClient::new(sim)),
                ark,
            },
        }
    }

    fn report(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, GuestError> {
        match &mut self.client {
            Client::Real(c) => c.report(user_data, vmpl),
            #[cfg(feature = "sim")]
            Client::Sim { client, .. } => client.report(user_data, vmpl),
        }
    }

    fn ext_report(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, GuestError> {
        match &mut self.client {
            Client::Real(c) => c.ext_report(user_data, vmpl),
            #[cfg(feature = "sim")]
            Client::Sim { client, .. } => client.ext_report(user_data, vmpl),
        }
    }

    fn derived_key(&mut self, req: &DerivedKeyRequest) -> Result<DerivedKey, GuestError> {
        match &mut self.client {
            Client::Real(c) => c.derived_key(req),
            #[cfg(feature = "sim")]
            Client::Sim { client, .. } => client.derived_key(req),
        }
    }
}

/// Opens `/dev/sev-guest` (inside an SNP guest). On success `*out` holds a new handle (free it
/// with `sev_guest_free`); on failure `*out` is NULL and the code is `SEV_ERR_DEVICE` when the
/// device is absent.
///
/// # Safety
/// `out` must be NULL or a valid `sev_guest **`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_guest_open(out: *mut *mut SevGuest) -> c_int {
    guard(core::ptr::null_mut(), || {
        // SAFETY: `out` is NULL (checked) or valid, as documented.
        unsafe { ffi::clear(out) }?;
        let client = GuestClient::open()?;
        // SAFETY: as above.
        unsafe {
            ffi::store_handle(
                out,
                SevGuest {
                    client: Client::Real(client),
                },
            )
        }
    })
}

/// Frees a guest handle. NULL is ignored.
///
/// # Safety
/// `guest` must be NULL or a handle from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_guest_free(guest: *mut SevGuest) {
    // SAFETY: the caller's guarantee, as documented.
    unsafe { ffi::free_handle(guest) }
}

/// `SNP_GET_REPORT`: a report binding `user_data` (`SEV_REPORT_DATA_SIZE` bytes) at `vmpl`,
/// copied to `report` (`report_len` bytes, 0x4A0 suffice today); its size goes to `*written`
/// (when not NULL), also when the buffer is too small (`SEV_ERR_BUFFER_TOO_SMALL`).
///
/// # Safety
/// `guest` NULL or live; `user_data` NULL or 64 readable bytes; `report` NULL or
/// `report_len` writable bytes; `written` NULL or a valid `size_t *`; `fw_error` NULL or a
/// valid `uint32_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_guest_report(
    guest: *mut SevGuest,
    user_data: *const u8,
    vmpl: u32,
    report: *mut u8,
    report_len: usize,
    written: *mut usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (g, data) = unsafe { (ffi::handle(guest)?, ffi::array::<64>(user_data)?) };
        let evidence = g.report(data, vmpl)?;
        // SAFETY: as documented.
        unsafe { ffi::write_buffer(report, report_len, written, &evidence.report) }
    })
}

/// `SNP_GET_EXT_REPORT`: a report as [`sev_guest_report`] and the certificate table the host
/// attached (GHCB layout; empty when none), copied to `certs` (`certs_len` bytes). Both sizes
/// are stored (when the pointers are not NULL) before the buffers are checked, so a caller can
/// retry with larger buffers after `SEV_ERR_BUFFER_TOO_SMALL`. Verify the pair with
/// `sev_snp_verify_extended_report`.
///
/// # Safety
/// As [`sev_guest_report`], and `certs` NULL or `certs_len` writable bytes, `certs_written`
/// NULL or a valid `size_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_guest_extended_report(
    guest: *mut SevGuest,
    user_data: *const u8,
    vmpl: u32,
    report: *mut u8,
    report_len: usize,
    report_written: *mut usize,
    certs: *mut u8,
    certs_len: usize,
    certs_written: *mut usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (g, data) = unsafe { (ffi::handle(guest)?, ffi::array::<64>(user_data)?) };
        let evidence = g.ext_report(data, vmpl)?;
        if !certs_written.is_null() {
            // SAFETY: not NULL; a valid `size_t *` per the caller.
            unsafe { certs_written.write(evidence.certs.len()) };
        }
        // SAFETY: as documented.
        unsafe {
            ffi::write_buffer(report, report_len, report_written, &evidence.report)?;
            ffi::write_buffer(certs, certs_len, certs_written, &evidence.certs)
        }
    })
}

/// `SNP_GET_DERIVED_KEY`: a 32-byte key derived by the firmware from the root key
/// `root_key_select` (0 = VCEK, 1 = VMRK), mixing in the guest fields selected by
/// `guest_field_select` (bit 0 POLICY, 1 IMAGE_ID, 2 FAMILY_ID, 3 MEASUREMENT, 4 GUEST_SVN,
/// 5 TCB_VERSION), at `vmpl`, with `guest_svn` and `tcb_version` when selected. The key is
/// written to `key` (`SEV_DERIVED_KEY_SIZE` bytes); the library's copies are wiped.
///
/// # Safety
/// `guest` NULL or live; `key` NULL or 32 writable bytes; `fw_error` NULL or a valid
/// `uint32_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_guest_derived_key(
    guest: *mut SevGuest,
    root_key_select: u32,
    guest_field_select: u64,
    vmpl: u32,
    guest_svn: u32,
    tcb_version: u64,
    key: *mut u8,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        if root_key_select > 1 {
            return Err(Failure::code(SEV_ERR_INVALID));
        }
        if key.is_null() {
            return Err(Failure::code(crate::error::SEV_ERR_NULL_POINTER));
        }
        // SAFETY: the caller's guarantee, as documented.
        let g = unsafe { ffi::handle(guest) }?;
        let request = KeyRequest::new()
            .with_root_key(RootKeySelect::from_raw(root_key_select))
            .with_guest_fields(GuestFieldSelect::from_bits_retain(guest_field_select))
            .with_vmpl(vmpl)
            .with_guest_svn(guest_svn)
            .with_tcb_version(TcbVersion(tcb_version));
        let derived = g.derived_key(&DerivedKeyRequest::new(request))?;
        // SAFETY: as documented: 32 writable bytes at a non-NULL `key`.
        unsafe { ffi::write_array(key, derived.as_bytes()) }
    })
}

/// The simulator's test ARK (DER), to pin in `sev_snp_verify_extended_report` for a report of
/// a simulated guest; its size goes to `*written`. Only in a library built with the `sim`
/// feature; `SEV_ERR_STATE` for a real guest.
///
/// # Safety
/// As [`sev_guest_report`] for `out`, `out_len`, `written`.
#[cfg(feature = "sim")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_guest_sim_ark(
    guest: *mut SevGuest,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> c_int {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's guarantee, as documented.
        let g = unsafe { ffi::handle(guest) }?;
        match &g.client {
            Client::Sim { ark, .. } => {
                // SAFETY: as documented.
                unsafe { ffi::write_buffer(out, out_len, written, ark) }
            }
            Client::Real(_) => Err(Failure::code(crate::error::SEV_ERR_STATE)),
        }
    })
}
