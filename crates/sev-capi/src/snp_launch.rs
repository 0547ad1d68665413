//! The SNP launcher handle: SNP_LAUNCH_START, SNP_LAUNCH_UPDATE by page type and
//! SNP_LAUNCH_FINISH with an ID block, its authentication structure and HOST_DATA.

use core::ffi::{c_char, c_int};

use sev::host::HostError;
use sev::host::launch::ovmf::OvmfLaunch;
use sev::host::launch::{
    Finished, ID_AUTH_SIZE, ID_BLOCK_SIZE, New, SnpFinish, SnpInit, SnpLauncher, SnpStart, Started,
};
use sev::measure::hashes::SevHashes;
use sev::measure::ovmf::Ovmf;
use sev::measure::vmsa::GuestFeatures;
use sev::sys::SevVm;
use sev::sys::seam::SnpLaunchDevice;
use sev::types::launch::snp::KvmPageType;
use sev::types::launch::vmsa::SaveArea;
use sev::types::policy::GuestPolicy;

use crate::error::{Failure, SEV_ERR_INVALID, SEV_ERR_LENGTH, guard};
use crate::ffi::{self, clear, state, with_phase};

/// `KVM_SEV_SNP_PAGE_TYPE_NORMAL`: measured, encrypted contents.
pub const SEV_SNP_PAGE_NORMAL: u32 = 1;
/// `KVM_SEV_SNP_PAGE_TYPE_ZERO`: zero pages (the data pointer may be NULL).
pub const SEV_SNP_PAGE_ZERO: u32 = 3;
/// `KVM_SEV_SNP_PAGE_TYPE_UNMEASURED`: contents not measured (the data pointer may be NULL).
pub const SEV_SNP_PAGE_UNMEASURED: u32 = 4;
/// `KVM_SEV_SNP_PAGE_TYPE_SECRETS`: the secrets page (the data pointer may be NULL).
pub const SEV_SNP_PAGE_SECRETS: u32 = 5;
/// `KVM_SEV_SNP_PAGE_TYPE_CPUID`: the CPUID page.
pub const SEV_SNP_PAGE_CPUID: u32 = 6;
/// Bytes of an SNP ID block.
pub const SEV_SNP_ID_BLOCK_SIZE: usize = 96;
/// Bytes of an SNP ID authentication structure.
pub const SEV_SNP_ID_AUTH_SIZE: usize = 4096;

/// Where one launch is, over one kind of device.
enum Phase<D> {
    New(SnpLauncher<D, New>),
    Started(SnpLauncher<D, Started>),
    Finished(SnpLauncher<D, Finished>),
    /// A state change failed: the launch (and its VM) is gone.
    Failed,
}

/// An SNP launch in progress: opaque to C (`sev_snp_launcher`), owning its VM.
pub struct SevSnpLauncher {
    launch: Launch,
}

enum Launch {
    Real(Box<Phase<SevVm>>),
    #[cfg(feature = "sim")]
    Sim(Box<Phase<sev::sim::host::SimSnpVm>>),
}

impl<D: SnpLaunchDevice> Phase<D> {
    fn new_launch(&mut self) -> Result<&mut SnpLauncher<D, New>, Failure> {
        match self {
            Phase::New(l) => Ok(l),
            _ => Err(state()),
        }
    }

    fn started(&mut self) -> Result<&mut SnpLauncher<D, Started>, Failure> {
        match self {
            Phase::Started(l) => Ok(l),
            _ => Err(state()),
        }
    }

    /// Moves from the `New` phase through `f`; on error the launch is gone.
    fn start(&mut self, f: impl FnOnce(SnpLauncher<D, New>) -> Result<Phase<D>, HostError>) -> Result<(), Failure> {
        match core::mem::replace(self, Phase::Failed) {
            Phase::New(l) => {
                *self = f(l)?;
                Ok(())
            }
            other => {
                *self = other;
                Err(state())
            }
        }
    }

    fn finish(&mut self, finish: &SnpFinish) -> Result<(), Failure> {
        match core::mem::replace(self, Phase::Failed) {
            Phase::Started(l) => {
                *self = Phase::Finished(l.finish(finish)?);
                Ok(())
            }
            other => {
                *self = other;
                Err(state())
            }
        }
    }
}

/// The launcher behind a handle.
///
/// # Safety
/// As [`ffi::handle`].
unsafe fn launch_of<'a>(h: *mut SevSnpLauncher) -> Result<&'a mut Launch, Failure> {
    // SAFETY: forwarded to the caller's guarantee.
    Ok(&mut unsafe { ffi::handle(h) }?.launch)
}

fn init(vmsa_features: u64, ghcb_version: u16) -> SnpInit {
    SnpInit {
        vmsa_features: GuestFeatures::from_bits_retain(vmsa_features),
        ghcb_version,
    }
}

/// Creates an SNP VM on `/dev/kvm` (with `/dev/sev`) and issues `KVM_SEV_INIT2` with
/// `vmsa_features` (beyond SNPActive, which KVM sets) and `ghcb_version` (0 = KVM's default).
/// On success `*out` holds a new handle (free it with `sev_snp_launcher_free`); on failure
/// `*out` is NULL.
///
/// # Safety
/// `out` must be NULL or a valid `sev_snp_launcher **`; `fw_error` NULL or a valid
/// `uint32_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_new(
    out: *mut *mut SevSnpLauncher,
    vmsa_features: u64,
    ghcb_version: u16,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: `out` is NULL (checked) or valid, as documented.
        unsafe { clear(out) }?;
        let vm = sev::host::real::create_snp_vm()?;
        let l = SnpLauncher::new(vm, &init(vmsa_features, ghcb_version))?;
        // SAFETY: as above.
        unsafe {
            ffi::store_handle(
                out,
                SevSnpLauncher {
                    launch: Launch::Real(Box::new(Phase::New(l))),
                },
            )
        }
    })
}

/// [`sev_snp_launcher_new`] on a fresh simulated Genoa machine (sev-sim; TEST keys only).
/// Only in a library built with the `sim` feature, for tests.
///
/// # Safety
/// As [`sev_snp_launcher_new`].
#[cfg(feature = "sim")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_new_sim(
    out: *mut *mut SevSnpLauncher,
    vmsa_features: u64,
    ghcb_version: u16,
    fw_error: *mut u32,
) -> c_int {
    use sev::sim::host::{HostConfig, SimHost};
    guard(fw_error, || {
        // SAFETY: `out` is NULL (checked) or valid, as documented.
        unsafe { clear(out) }?;
        let vm = SimHost::new(HostConfig::new(sev::types::Product::Genoa)).create_snp_vm();
        let l = SnpLauncher::new(vm, &init(vmsa_features, ghcb_version))?;
        // SAFETY: as above.
        unsafe {
            ffi::store_handle(
                out,
                SevSnpLauncher {
                    launch: Launch::Sim(Box::new(Phase::New(l))),
                },
            )
        }
    })
}

/// Frees a launcher and its VM. NULL is ignored.
///
/// # Safety
/// `launcher` must be NULL or a handle from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_free(launcher: *mut SevSnpLauncher) {
    // SAFETY: the caller's guarantee, as documented.
    unsafe { ffi::free_handle(launcher) }
}

/// Maps guest memory `[gpa, gpa + size)` backed by a new guest_memfd (before
/// `sev_snp_launcher_start`).
///
/// # Safety
/// `launcher` must be NULL or a live handle; `fw_error` NULL or a valid `uint32_t *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_add_memory(
    launcher: *mut SevSnpLauncher,
    gpa: u64,
    size: u64,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantee, as documented.
        let launch = unsafe { launch_of(launcher) }?;
        with_phase!(launch, p => Ok(p.new_launch()?.add_memory(gpa, size)?))
    })
}

/// Creates vCPU `id` with the initial save area `vmsa` (`SEV_VMSA_SIZE` bytes, e.g. from
/// `sev_vmsa_build`), before `sev_snp_launcher_start`.
///
/// # Safety
/// `vmsa` must be NULL or point to `vmsa_len` readable bytes; otherwise as
/// [`sev_snp_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_add_vcpu(
    launcher: *mut SevSnpLauncher,
    id: u32,
    vmsa: *const u8,
    vmsa_len: usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, bytes) = unsafe { (launch_of(launcher)?, ffi::input(vmsa, vmsa_len)?) };
        let area = SaveArea::read_from_bytes(bytes).map_err(|_| Failure::code(SEV_ERR_LENGTH))?;
        with_phase!(launch, p => Ok(p.new_launch()?.add_vcpu(id, &area)?))
    })
}

/// `SNP_LAUNCH_START` with guest `policy` (bit 17 set, bits 63:26 clear) and `gosvw` (16
/// bytes of guest-OS-visible workarounds, or NULL for zeros). A failure ends the launch: later
/// calls return `SEV_ERR_STATE`.
///
/// # Safety
/// `gosvw` must be NULL or point to 16 readable bytes; otherwise as
/// [`sev_snp_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_start(
    launcher: *mut SevSnpLauncher,
    policy: u64,
    gosvw: *const u8,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, gosvw) = unsafe { (launch_of(launcher)?, ffi::optional_array::<16>(gosvw)) };
        let start = SnpStart {
            policy: GuestPolicy::from_bits_retain(policy),
            gosvw: gosvw.copied().unwrap_or_default(),
        };
        with_phase!(launch, p => p.start(|l| Ok(Phase::Started(l.start(&start)?))))
    })
}

/// `SNP_LAUNCH_UPDATE` of `[gpa, gpa + len)` as `page_type` (`SEV_SNP_PAGE_*`), page aligned,
/// inside mapped memory. For `SEV_SNP_PAGE_ZERO`, `_UNMEASURED` and `_SECRETS`, `data` may be
/// NULL (zeros are sent); otherwise it holds `len` bytes.
///
/// # Safety
/// `data` must be NULL or point to `len` readable bytes; otherwise as
/// [`sev_snp_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_update(
    launcher: *mut SevSnpLauncher,
    gpa: u64,
    page_type: u32,
    data: *const u8,
    len: usize,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        let kind = u8::try_from(page_type)
            .ok()
            .and_then(KvmPageType::from_raw)
            .ok_or(Failure::code(SEV_ERR_INVALID))?;
        // SAFETY: the caller's guarantee, as documented.
        let launch = unsafe { launch_of(launcher) }?;
        let zero_allowed = matches!(kind, KvmPageType::Zero | KvmPageType::Unmeasured | KvmPageType::Secrets);
        let data = if data.is_null() && zero_allowed {
            None
        } else {
            // SAFETY: as documented: `len` readable bytes at `data` (NULL is refused).
            Some(unsafe { ffi::input(data, len) }?)
        };
        with_phase!(launch, p => {
            let l = p.started()?;
            match data {
                Some(d) => l.update(gpa, kind, d)?,
                None => l.update_zero(gpa, len as u64, kind)?,
            };
            Ok(())
        })
    })
}

/// `SNP_LAUNCH_FINISH`. `id_block`/`id_block_len` (`SEV_SNP_ID_BLOCK_SIZE`) and
/// `id_auth`/`id_auth_len` (`SEV_SNP_ID_AUTH_SIZE`): both NULL and 0 for no ID block, or both
/// given. `auth_key_en`: nonzero when the ID authentication structure carries an author key.
/// These arguments are checked first: a wrong length or combination returns `SEV_ERR_LENGTH`
/// or `SEV_ERR_INVALID` and the launch goes on.
/// `host_data`: 32 bytes placed in every report, or NULL for zeros. A failure ends the
/// launch: later calls return `SEV_ERR_STATE`.
///
/// # Safety
/// Non-NULL pointers must point to as many readable bytes as their lengths say (32 for
/// `host_data`); otherwise as [`sev_snp_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_finish(
    launcher: *mut SevSnpLauncher,
    id_block: *const u8,
    id_block_len: usize,
    id_auth: *const u8,
    id_auth_len: usize,
    auth_key_en: c_int,
    host_data: *const u8,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, block, auth, host_data) = unsafe {
            (
                launch_of(launcher)?,
                ffi::optional_input(id_block, id_block_len)?,
                ffi::optional_input(id_auth, id_auth_len)?,
                ffi::optional_array::<32>(host_data),
            )
        };
        let id_block = match (block, auth) {
            (None, None) => None,
            (Some(b), Some(a)) => {
                let b: [u8; ID_BLOCK_SIZE] = b.try_into().map_err(|_| Failure::code(SEV_ERR_LENGTH))?;
                let a: [u8; ID_AUTH_SIZE] = a.try_into().map_err(|_| Failure::code(SEV_ERR_LENGTH))?;
                Some((Box::new(b), Box::new(a)))
            }
            _ => return Err(Failure::code(SEV_ERR_INVALID)),
        };
        if auth_key_en != 0 && id_block.is_none() {
            return Err(Failure::code(SEV_ERR_INVALID));
        }
        let finish = SnpFinish {
            id_block,
            auth_key_en: auth_key_en != 0,
            vcek_disabled: false,
            host_data: host_data.copied().unwrap_or_default(),
        };
        with_phase!(launch, p => p.finish(&finish))
    })
}

/// QEMU's whole launch of an OVMF image on a new launcher (before any other call): memory,
/// `vcpus` vCPUs with CPUID(1).EAX `vcpu_sig`, SNP_LAUNCH_START with `policy`, the firmware
/// and its metadata pages (and, when `kernel` is not NULL, the kernel hashes OVMF checks), and
/// SNP_LAUNCH_FINISH with `host_data` (32 bytes or NULL). The resulting MEASUREMENT is what
/// `sev_launch_digest(SEV_MODE_SNP, ...)` predicts for the same inputs and the launcher's
/// `vmsa_features | 1` as guest features.
///
/// # Safety
/// Non-NULL pointers must point to as many readable bytes as their lengths say; `cmdline`
/// must be NUL-terminated; otherwise as [`sev_snp_launcher_add_memory`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_launch_ovmf(
    launcher: *mut SevSnpLauncher,
    ovmf: *const u8,
    ovmf_len: usize,
    vcpus: u32,
    vcpu_sig: u32,
    kernel: *const u8,
    kernel_len: usize,
    initrd: *const u8,
    initrd_len: usize,
    cmdline: *const c_char,
    policy: u64,
    host_data: *const u8,
    fw_error: *mut u32,
) -> c_int {
    guard(fw_error, || {
        // SAFETY: the caller's guarantees, as documented.
        let (launch, image, kernel, initrd, cmdline, host_data) = unsafe {
            (
                launch_of(launcher)?,
                ffi::input(ovmf, ovmf_len)?,
                ffi::optional_input(kernel, kernel_len)?,
                ffi::optional_input(initrd, initrd_len)?,
                ffi::optional_str(cmdline)?,
                ffi::optional_array::<32>(host_data),
            )
        };
        if kernel.is_none() && (initrd.is_some() || cmdline.is_some()) {
            return Err(Failure::code(SEV_ERR_INVALID));
        }
        let hashes = kernel.map(|k| SevHashes::new(k, initrd, cmdline));
        let ovmf = Ovmf::parse(image).map_err(|_| Failure::code(SEV_ERR_INVALID))?;
        let plan = OvmfLaunch {
            vcpus,
            vcpu_sig,
            kernel_hashes: hashes.as_ref(),
            ..OvmfLaunch::new(&ovmf)
        };
        let start = SnpStart {
            policy: GuestPolicy::from_bits_retain(policy),
            gosvw: [0; 16],
        };
        let finish = SnpFinish {
            host_data: host_data.copied().unwrap_or_default(),
            ..SnpFinish::default()
        };
        with_phase!(launch, p => {
            p.start(|mut l| {
                plan.prepare_snp(&mut l)?;
                let mut l = l.start(&start)?;
                plan.update_snp(&mut l)?;
                Ok(Phase::Started(l))
            })?;
            p.finish(&finish)
        })
    })
}

/// The guest of a finished simulated launch, as a guest-request handle whose reports carry
/// the launch's MEASUREMENT, POLICY and HOST_DATA (free it with `sev_guest_free`). Only in a
/// library built with the `sim` feature; `SEV_ERR_STATE` for a real or unfinished launch.
///
/// # Safety
/// `launcher` must be NULL or a live handle; `out` NULL or a valid `sev_guest **`.
#[cfg(feature = "sim")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_snp_launcher_sim_guest(
    launcher: *mut SevSnpLauncher,
    out: *mut *mut crate::guest::SevGuest,
) -> c_int {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's guarantees, as documented.
        let launch = unsafe {
            clear(out)?;
            launch_of(launcher)?
        };
        let Launch::Sim(phase) = launch else {
            return Err(state());
        };
        let Phase::Finished(l) = &**phase else {
            return Err(state());
        };
        let sim = l.device().guest().map_err(|_| state())?;
        // SAFETY: as documented.
        unsafe { ffi::store_handle(out, crate::guest::SevGuest::sim(sim)) }
    })
}

const _: () = assert!(SEV_SNP_ID_BLOCK_SIZE == ID_BLOCK_SIZE && SEV_SNP_ID_AUTH_SIZE == ID_AUTH_SIZE);
