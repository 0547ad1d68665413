//! The SEV / SEV-ES launcher handle: INIT2, LAUNCH_START with the owner's PDH and session,
//! LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE, LAUNCH_SECRET, LAUNCH_FINISH and
//! the attestation report.

use core::ffi::c_int;

use sev::host::HostError;
use sev::host::launch::{Finished, Measured, New, SevInit, SevLauncher, SevMode, SevStart, Started};
use sev::sys::SevVm;
use sev::sys::seam::SevLaunchDevice;
use sev::types::launch::sev::{LaunchSecretHeader, SevPolicy};
use sev::types::launch::vmsa::SaveArea;
use zerocopy::{FromBytes, IntoBytes};

use crate::error::{Failure, SEV_ERR_LENGTH, guard};
use crate::ffi::{self, clear, state, with_phase};

/// Bytes of LAUNCH_MEASURE's output: the 32-byte HMAC, then the 16-byte MNONCE.
pub const SEV_LAUNCH_MEASUREMENT_SIZE: usize = 48;
/// Bytes of a LAUNCH_SECRET packet header.
pub const SEV_LAUNCH_SECRET_HEADER_SIZE: usize = 0x34;

enum Phase<D> {
    New(SevLauncher<D, New>),
    Started(SevLauncher<D, Started>),
    Measured(SevLauncher<D, Measured>),
    Finished(SevLauncher<D, Finished>),
    /// A state change failed: the launch (and its VM) is gone.
    Failed,
}

/// An SEV or SEV-ES launch in progress: opaque to C (`sev_launcher`), owning its VM.
pub struct SevLauncherHandle {
    launch: Launch,
    /// The simulated machine of a simulated launch (its `/dev/sev`, for the owner's PDH).
    #[cfg(feature = "sim")]
    sim_host: Option<sev::sim::host::SimHost>,
}

enum Launch {
    Real(Box<Phase<SevVm>>),
    #[cfg(feature = "sim")]
    Sim(Box<Phase<sev::sim::host::SimSevVm>>),
}

/// The outcome of a state change.
enum Next<D> {
    /// The new phase.
    To(Phase<D>),
    /// The call is not allowed in this phase, which is kept.
    Wrong(Phase<D>),
    /// The command failed: the launch is gone.
    Failed(HostError),
}

impl<D> Next<D> {
    fn from(r: Result<Phase<D>, HostError>) -> Self {
        r.map_or_else(Next::Failed, Next::To)
    }
}

impl<D: SevLaunchDevice> Phase<D> {
    /// Replaces the phase by what `f` makes of it.
    fn step(&mut self, f: impl FnOnce(Phase<D>) -> Next<D>) -> Result<(), Failure> {
        match f(core::mem::replace(self, Phase::Failed)) {
            Next::To(next) => {
                *self = next;
                Ok(())
            }
            Next::Wrong(back) => {
                *self = back;
                Err(state())
            }
            Next::Failed(e) => Err(e.into()),
        }
    }
}

fn mode(es: c_int) -> SevMode {
    if es != 0 { SevMode::Es } else { SevMode::Sev }
}

/// The launch behind a handle.
///
/// # Safety
/// As [`ffi::handle`].
unsafe fn launch_of<'a>(h: *mut SevLauncherHandle) -> Result<&'a mut Launch, Failure> {
    // SAFETY: forwarded to the caller's guarantee.
    Ok(&mut unsafe { ffi::handle(h) }?.launch)
}

fn init(es: c_int) -> SevInit {
    match mode(es) {
        SevMode::Sev => SevInit::sev(),
        SevMode::Es => SevInit::es(),
    }
}

/// Creates an SEV (`es == 0`) or SEV-ES VM on `/dev/kvm` with `/dev/sev` and initialises it
/// (`KVM_SEV_INIT2`: SEV init or SEV-ES init). On success `*out` holds a new handle (free it
/// with `sev_launcher_free`); on failure `*out` is NULL.
///
/// # Safety
/// `out` must be NULL or a valid `sev_launcher **`; `fw_error` NULL or a valid `uint32_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_new(out: *mut *mut SevLauncherHandle, es: c_int, fw_error: *mut u32) -> c_int {
    guard(fw_error, || {
        // SAFETY: `out` is NULL (checked) or valid, as documented.
        unsafe { clear(out) }?;
        let vm = sev::host::real::create_sev_vm(mode(es))?;
        let l = SevLauncher::new(vm, &init(es))?;
        let handle = SevLauncherHandle {
            launch: Launch::Real(Box::new(Phase::New(l))),
            #[cfg(feature = "sim")]
            sim_host: None,
        };
        // SAFETY: as above.
        unsafe { ffi::store_handle(out, handle) }
    })
}

/// [`sev_launcher_new`] on a fresh simulated Milan machine (sev-sim; TEST keys only). Only in
/// a library built with the `sim` feature, for tests.
///
/// # Safety
/// As [`sev_launcher_new`].
#[cfg(feature = "sim")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_new_sim(
    out: *mut *mut SevLauncherHandle,
    es: c_int,
    fw_error: *mut u32,
) -> c_int {
    use sev::sim::host::{HostConfig, SimHost};
    guard(fw_error, || {
        // SAFETY: `out` is NULL (checked) or valid, as documented.
        unsafe { clear(out) }?;
        let host = SimHost::new(HostConfig::new(sev::types::Product::Milan));
        let l = SevLauncher::new(host.create_sev_vm(es != 0), &init(es))?;
        let handle = SevLauncherHandle {
            launch: Launch::Sim(Box::new(Phase::New(l))),
            sim_host: Some(host),
        };
        // SAFETY: as above.
        unsafe { ffi::store_handle(out, handle) }
    })
}

/// Frees a launcher and its VM. NULL is ignored.
///
/// # Safety
/// `launcher` must be NULL or a handle from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_free(launcher: *mut SevLauncherHandle) {
    // SAFETY: the caller's guarantee, as documented.
    unsafe { ffi::free_handle(launcher) }
}

/// Maps shared guest memory `[gpa, gpa + size)` (before `sev_launcher_start`).
///
/// # Safety
/// `launcher` must be NULL or a live handle; `fw_error` NULL or a valid `uint32_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_add_memory(
    launcher: *mut SevLauncherHandle,
    gpa: u64,
    size: u64,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantee, as documented.
        let launch = unsafe { launch_of(launcher) }?;
        with_phase!(launch, p => match p {
            Phase::New(l) => Ok(l.add_memory(gpa, size)?),
            _ => Err(state()),
        })
    })
}

/// Creates vCPU `id` with the initial save area `vmsa` (`SEV_VMSA_SIZE` bytes; its
/// SEV_FEATURES must be 0 here), before `sev_launcher_start`.
///
/// # Safety
/// `vmsa` must be NULL or point to `vmsa_len` readable bytes; otherwise as
/// [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_add_vcpu(
    launcher: *mut SevLauncherHandle,
    id: u32,
    vmsa: *const u8,
    vmsa_len: usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, bytes) = unsafe { (launch_of(launcher)?, ffi::input(vmsa, vmsa_len)?) };
        let area = SaveArea::read_from_bytes(bytes).map_err(|_| Failure::code(SEV_ERR_LENGTH))?;
        with_phase!(launch, p => match p {
            Phase::New(l) => Ok(l.add_vcpu(id, &area)?),
            _ => Err(state()),
        })
    })
}

/// `LAUNCH_START` with guest `policy` (its ES bit must match the VM) and the guest owner's
/// material: `owner_pdh` (an SEV certificate, 0x824 bytes) and `session` (0x80 bytes), both
/// given or both NULL with length 0 (then the firmware picks the keys). A failure ends the
/// launch: later calls return `SEV_ERR_STATE`.
///
/// # Safety
/// Non-NULL pointers must point to as many readable bytes as their lengths say; otherwise as
/// [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_start(
    launcher: *mut SevLauncherHandle,
    policy: u32,
    owner_pdh: *const u8,
    owner_pdh_len: usize,
    session: *const u8,
    session_len: usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, pdh, session) = unsafe {
            (
                launch_of(launcher)?,
                ffi::optional_input(owner_pdh, owner_pdh_len)?,
                ffi::optional_input(session, session_len)?,
            )
        };
        let start = SevStart {
            policy: SevPolicy::from_bits_retain(policy),
            owner_pdh: pdh.unwrap_or_default(),
            session: session.unwrap_or_default(),
            handle: 0,
        };
        with_phase!(launch, p => p.step(|phase| match phase {
            Phase::New(l) => Next::from(l.start(&start).map(Phase::Started)),
            other => Next::Wrong(other),
        }))
    })
}

/// `LAUNCH_UPDATE_DATA`: writes `data` at `gpa` and encrypts and measures it in place (`gpa`
/// and `len` multiples of 16, inside mapped memory).
///
/// # Safety
/// `data` must be NULL or point to `len` readable bytes; otherwise as
/// [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_update_data(
    launcher: *mut SevLauncherHandle,
    gpa: u64,
    data: *const u8,
    len: usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, data) = unsafe { (launch_of(launcher)?, ffi::input(data, len)?) };
        with_phase!(launch, p => match p {
            Phase::Started(l) => Ok(l.update_data(gpa, data)?),
            _ => Err(state()),
        })
    })
}

/// `LAUNCH_UPDATE_VMSA`: encrypts and measures every vCPU's VMSA (SEV-ES only).
///
/// # Safety
/// As [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_update_vmsa(launcher: *mut SevLauncherHandle, fw_error: *mut u32) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantee, as documented.
        let launch = unsafe { launch_of(launcher) }?;
        with_phase!(launch, p => match p {
            Phase::Started(l) => Ok(l.update_vmsa()?),
            _ => Err(state()),
        })
    })
}

/// `LAUNCH_MEASURE`: writes the 48-byte measurement (HMAC, then MNONCE) to `measurement` for
/// the guest owner to check. A failure ends the launch.
///
/// # Safety
/// `measurement` must be NULL or point to 48 writable bytes; otherwise as
/// [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_measure(
    launcher: *mut SevLauncherHandle,
    measurement: *mut u8,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        if measurement.is_null() {
            return Err(Failure::code(crate::error::SEV_ERR_NULL_POINTER));
        }
        // SAFETY: the caller's guarantee, as documented.
        let launch = unsafe { launch_of(launcher) }?;
        let mut out = [0u8; SEV_LAUNCH_MEASUREMENT_SIZE];
        with_phase!(launch, p => p.step(|phase| match phase {
            Phase::Started(l) => Next::from(l.measure().map(|(l, m)| {
                out.copy_from_slice(m.as_bytes());
                Phase::Measured(l)
            })),
            other => Next::Wrong(other),
        }))?;
        // SAFETY: as documented: 48 writable bytes at the non-NULL `measurement`.
        unsafe { ffi::write_array(measurement, &out) }
    })
}

/// `LAUNCH_SECRET` (after `sev_launcher_measure`): the packet header (`header_len` =
/// `SEV_LAUNCH_SECRET_HEADER_SIZE`) and the encrypted secret (`len` bytes, a multiple of 16
/// within one page) are decrypted by the firmware into guest memory at `gpa`.
///
/// # Safety
/// Non-NULL pointers must point to as many readable bytes as their lengths say; otherwise as
/// [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_inject_secret(
    launcher: *mut SevLauncherHandle,
    gpa: u64,
    header: *const u8,
    header_len: usize,
    secret: *const u8,
    len: usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, header, secret) = unsafe {
            (
                launch_of(launcher)?,
                ffi::input_exact::<SEV_LAUNCH_SECRET_HEADER_SIZE>(header, header_len)?,
                ffi::input(secret, len)?,
            )
        };
        let header = LaunchSecretHeader::read_from_bytes(header).map_err(|_| Failure::code(SEV_ERR_LENGTH))?;
        with_phase!(launch, p => match p {
            Phase::Measured(l) => Ok(l.inject_secret(gpa, &header, secret)?),
            _ => Err(state()),
        })
    })
}

/// `LAUNCH_FINISH` (after start or measure). A failure ends the launch.
///
/// # Safety
/// As [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_finish(launcher: *mut SevLauncherHandle, fw_error: *mut u32) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantee, as documented.
        let launch = unsafe { launch_of(launcher) }?;
        with_phase!(launch, p => p.step(|phase| match phase {
            Phase::Started(l) => Next::from(l.finish().map(Phase::Finished)),
            Phase::Measured(l) => Next::from(l.finish().map(Phase::Finished)),
            other => Next::Wrong(other),
        }))
    })
}

/// `ATTESTATION` (after measure or finish): the PEK-signed attestation report binding
/// `mnonce` (16 bytes), copied to `report` (`report_len` bytes); its size goes to `*written`
/// (when not NULL), also when the buffer is too small.
///
/// # Safety
/// `mnonce` NULL or 16 readable bytes; `report` NULL or `report_len` writable bytes;
/// `written` NULL or a valid `size_t *`; otherwise as [`sev_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_attestation_report(
    launcher: *mut SevLauncherHandle,
    mnonce: *const u8,
    report: *mut u8,
    report_len: usize,
    written: *mut usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, mnonce) = unsafe { (launch_of(launcher)?, *ffi::array::<16>(mnonce)?) };
        let bytes = with_phase!(launch, p => match p {
            Phase::Measured(l) => l.attestation_report(mnonce)?,
            Phase::Finished(l) => l.attestation_report(mnonce)?,
            _ => return Err(state()),
        });
        // SAFETY: as documented.
        unsafe { ffi::write_buffer(report, report_len, written, &bytes) }
    })
}

/// The simulated platform's PDH certificate (an SEV certificate, 0x824 bytes), for a guest
/// owner to start a session with; its size goes to `*written`. Only in a library built with
/// the `sim` feature; `SEV_ERR_STATE` for a real launcher.
///
/// # Safety
/// `launcher` NULL or live; `out` NULL or `out_len` writable bytes; `written` NULL or a valid
/// `size_t *`.
#[cfg(feature = "sim")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launcher_sim_pdh(
    launcher: *mut SevLauncherHandle,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
) -> c_int {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's guarantee, as documented.
        let h = unsafe { ffi::handle(launcher) }?;
        let host = h.sim_host.clone().ok_or_else(state)?;
        let certs = sev::host::Platform::new(host).pdh_cert_export()?;
        // SAFETY: as documented.
        unsafe { ffi::write_buffer(out, out_len, written, &certs.pdh[..]) }
    })
}
