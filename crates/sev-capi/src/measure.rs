//! Expected launch digests (sev-measure) and vCPU save areas for launches.

use core::ffi::{c_char, c_int};

use sev::measure::hashes::SevHashes;
use sev::measure::ovmf::Ovmf;
use sev::measure::sev::{sev_launch_digest as sev_digest, seves_launch_digest};
use sev::measure::snp::{SnpInput, snp_launch_digest};
use sev::measure::vmsa::{VmmType, build};
use zerocopy::IntoBytes;

use crate::error::{Failure, SEV_ERR_INVALID, guard};
use crate::ffi;

/// A plain SEV launch (32-byte digest).
pub const SEV_MODE_SEV: u32 = 0;
/// An SEV-ES launch (32-byte digest).
pub const SEV_MODE_ES: u32 = 1;
/// An SEV-SNP launch (48-byte digest).
pub const SEV_MODE_SNP: u32 = 2;

/// The reset vector: the EIP of the bootstrap processor's save area.
pub const SEV_VMSA_BSP_EIP: u32 = 0xFFFF_FFF0;
/// Bytes of a VMSA (the vCPU save area).
pub const SEV_VMSA_SIZE: usize = 4096;
/// Bytes of an SNP launch digest (SHA-384).
pub const SEV_SNP_DIGEST_SIZE: usize = 48;
/// Bytes of an SEV or SEV-ES launch digest (SHA-256).
pub const SEV_SEV_DIGEST_SIZE: usize = 32;

fn invalid(_: impl core::fmt::Display) -> Failure {
    Failure::code(SEV_ERR_INVALID)
}

/// Computes the launch digest QEMU's launch of an OVMF image produces (the MEASUREMENT of an
/// SNP report, or the digest inside an SEV/SEV-ES LAUNCH_MEASURE), as `sev measure` does.
///
/// `mode`: `SEV_MODE_SEV`, `SEV_MODE_ES` or `SEV_MODE_SNP`. `ovmf`: the firmware image.
/// `vcpus`, `vcpu_sig` (CPUID(1).EAX, e.g. 0x00800F12 for EPYC-v4): SEV-ES and SNP only.
/// `guest_features`: SNP only (SEV_FEATURES, e.g. 0x1). `kernel`, `initrd`, `cmdline`: NULL for
/// no measured direct boot, or the kernel (and optionally initrd and command line) whose
/// hashes OVMF checks. `digest`/`digest_len`: receives 32 (SEV, SEV-ES) or 48 (SNP) bytes; the
/// size is stored in `*written` when `written` is not NULL.
///
/// # Safety
/// Non-NULL pointers must point to as many bytes as their lengths say; `cmdline` must be
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_launch_digest(
    mode: u32,
    ovmf: *const u8,
    ovmf_len: usize,
    vcpus: u32,
    vcpu_sig: u32,
    guest_features: u64,
    kernel: *const u8,
    kernel_len: usize,
    initrd: *const u8,
    initrd_len: usize,
    cmdline: *const c_char,
    digest: *mut u8,
    digest_len: usize,
    written: *mut usize,
) -> c_int {
    guard(core::ptr::null_mut(), || {
        // SAFETY: the caller's guarantees for each pointer and length, as documented above.
        let (image, kernel, initrd, cmdline) = unsafe {
            (
                ffi::input(ovmf, ovmf_len)?,
                ffi::optional_input(kernel, kernel_len)?,
                ffi::optional_input(initrd, initrd_len)?,
                ffi::optional_str(cmdline)?,
            )
        };
        if kernel.is_none() && (initrd.is_some() || cmdline.is_some()) {
            return Err(Failure::code(SEV_ERR_INVALID));
        }
        let hashes = kernel.map(|k| SevHashes::new(k, initrd, cmdline));
        let ovmf = Ovmf::parse(image).map_err(invalid)?;
        let out: Vec<u8> = match mode {
            SEV_MODE_SEV => sev_digest(&ovmf, hashes.as_ref()).map_err(invalid)?.to_vec(),
            SEV_MODE_ES => seves_launch_digest(&ovmf, hashes.as_ref(), vcpus, vcpu_sig, VmmType::Qemu)
                .map_err(invalid)?
                .to_vec(),
            SEV_MODE_SNP => snp_launch_digest(&SnpInput {
                vcpus,
                vcpu_sig,
                guest_features,
                kernel_hashes: hashes.as_ref(),
                ..SnpInput::new(&ovmf)
            })
            .map_err(invalid)?
            .to_vec(),
            _ => return Err(Failure::code(SEV_ERR_INVALID)),
        };
        // SAFETY: the caller passes `digest_len` writable bytes at `digest` and NULL or a
        // valid `size_t *` as `written`.
        unsafe { ffi::write_buffer(digest, digest_len, written, &out) }
    })
}

/// Builds the initial VMSA (save area) QEMU gives a vCPU at `eip` (`SEV_VMSA_BSP_EIP` for the
/// bootstrap processor) with CPUID(1).EAX `vcpu_sig` and SEV_FEATURES `sev_features`, for
/// `sev_snp_launcher_add_vcpu` / `sev_launcher_add_vcpu`.
///
/// # Safety
/// A non-NULL `vmsa` must point to `SEV_VMSA_SIZE` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sev_vmsa_build(eip: u32, vcpu_sig: u32, sev_features: u64, vmsa: *mut u8) -> c_int {
    guard(core::ptr::null_mut(), || {
        let area = build(VmmType::Qemu, eip, vcpu_sig, sev_features);
        let bytes: &[u8; SEV_VMSA_SIZE] = area.as_bytes().try_into().map_err(invalid)?;
        // SAFETY: the caller passes SEV_VMSA_SIZE writable bytes at a non-NULL `vmsa`.
        unsafe { ffi::write_array(vmsa, bytes) }
    })
}
