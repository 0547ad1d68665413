//! SEV and SEV-ES launch digests (SHA-256): the GCTX.LD that the firmware folds into the
//! LAUNCH_MEASURE HMAC.
//!
//! ```text
//! SEV    : SHA-256( firmware ‖ [padded hashes table, only with a kernel] )
//! SEV-ES : SHA-256( firmware ‖ [padded hashes table] ‖ VMSA_0 ‖ … ‖ VMSA_(n-1) )   (SEV_FEATURES = 0)
//! ```

use sha2::{Digest, Sha256};
use zerocopy::IntoBytes;

use crate::hashes::SevHashes;
use crate::ovmf::Ovmf;
use crate::vmsa::{VmmType, VmsaSet};
use crate::{MeasureError, SevDigest};

fn firmware_and_table(ovmf: &Ovmf<'_>, hashes: Option<&SevHashes>) -> Result<Sha256, MeasureError> {
    let mut h = Sha256::new();
    h.update(ovmf.data());
    if let Some(hashes) = hashes {
        if !ovmf.supports_kernel_hashes() {
            return Err(MeasureError::KernelHashesUnsupported);
        }
        h.update(hashes.table());
    }
    Ok(h)
}

/// The SEV launch digest.
pub fn sev_launch_digest(ovmf: &Ovmf<'_>, hashes: Option<&SevHashes>) -> Result<SevDigest, MeasureError> {
    Ok(firmware_and_table(ovmf, hashes)?.finalize().into())
}

/// The SEV-ES VMSAs for a launch (SEV_FEATURES = 0).
pub fn seves_vmsas(ovmf: &Ovmf<'_>, vcpus: u32, vcpu_sig: u32, vmm: VmmType) -> Result<VmsaSet, MeasureError> {
    let eip = if vcpus == 0 {
        0
    } else {
        ovmf.sev_es_reset_eip()?.ok_or(MeasureError::NoResetBlock)?
    };
    VmsaSet::new(vmm, eip, vcpus, vcpu_sig, 0)
}

/// The SEV-ES launch digest.
pub fn seves_launch_digest(
    ovmf: &Ovmf<'_>,
    hashes: Option<&SevHashes>,
    vcpus: u32,
    vcpu_sig: u32,
    vmm: VmmType,
) -> Result<SevDigest, MeasureError> {
    let mut h = firmware_and_table(ovmf, hashes)?;
    for v in seves_vmsas(ovmf, vcpus, vcpu_sig, vmm)?.iter() {
        h.update(v.as_bytes());
    }
    Ok(h.finalize().into())
}
