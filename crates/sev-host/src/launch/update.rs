//! The `KVM_SEV_SNP_LAUNCH_UPDATE` resume loop.
//!
//! KVM may consume only part of a range per call (it advances `gfn_start`, `uaddr` and `len`
//! and returns), or fail with `EAGAIN` (busy) or `EINTR` (a signal); the caller resumes with
//! the rest. Any other error ends the loop with the device error as it came (errno and
//! firmware status kept).

use sev_sys::IoctlError;
use sev_sys::seam::SnpLaunchDevice;
use sev_types::launch::snp::KvmPageType;

use super::PAGE_SIZE;
use crate::error::HostError;

const EINTR: i32 = 4;
const EAGAIN: i32 = 11;

/// How often a call may be repeated without progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Calls in a row allowed to answer `EAGAIN`/`EINTR` or consume nothing before the loop
    /// gives up with [`HostError::RetriesExhausted`].
    pub max_attempts: u32,
}

impl Default for Retry {
    /// 64 calls without progress.
    fn default() -> Self {
        Retry { max_attempts: 64 }
    }
}

/// What one [`snp_launch_update_all`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateStats {
    /// Device calls made.
    pub calls: u32,
    /// Calls that answered `EAGAIN` or `EINTR`.
    pub retries: u32,
    /// Bytes consumed (all of `src` on success).
    pub bytes: u64,
}

/// Issues `KVM_SEV_SNP_LAUNCH_UPDATE` until all of `src` is in private memory from frame
/// `gfn_start`: after a partial call it resumes at `gfn_start + consumed / 4096` with
/// `src[consumed..]`; `EAGAIN`/`EINTR` and zero-progress answers are retried up to
/// `retry.max_attempts` times in a row. `src` must be a non-empty page multiple.
pub fn snp_launch_update_all<D: SnpLaunchDevice + ?Sized>(
    dev: &mut D,
    gfn_start: u64,
    page_type: KvmPageType,
    src: &[u8],
    retry: Retry,
) -> Result<UpdateStats, HostError> {
    const STEP: &str = "SNP_LAUNCH_UPDATE";
    let len = src.len() as u64;
    if len == 0 || !len.is_multiple_of(PAGE_SIZE) {
        return Err(HostError::invalid(
            "SNP_LAUNCH_UPDATE source length",
            "a non-zero multiple of 4096 bytes",
            format!("{len:#x} bytes"),
        ));
    }
    let mut stats = UpdateStats::default();
    let (mut gfn, mut rest) = (gfn_start, src);
    let mut stalled = 0u32;
    while !rest.is_empty() {
        stats.calls += 1;
        let last = match dev.snp_launch_update(gfn, page_type, rest) {
            Ok(progress) => {
                let consumed = progress.consumed;
                if !consumed.is_multiple_of(PAGE_SIZE) || consumed > rest.len() as u64 {
                    return Err(HostError::invalid(
                        "SNP_LAUNCH_UPDATE progress",
                        format!("a page multiple of at most {:#x} bytes", rest.len()),
                        format!("{consumed:#x} bytes consumed"),
                    ));
                }
                if consumed > 0 {
                    stalled = 0;
                    gfn += consumed / PAGE_SIZE;
                    rest = rest.get(consumed as usize..).unwrap_or_default();
                    stats.bytes += consumed;
                    continue;
                }
                IoctlError::new("KVM_SEV_SNP_LAUNCH_UPDATE (no progress)", EAGAIN).into()
            }
            Err(e) if matches!(e.errno(), Some(EAGAIN | EINTR)) => {
                stats.retries += 1;
                e
            }
            Err(e) => return Err(HostError::device(STEP, e)),
        };
        stalled += 1;
        if stalled >= retry.max_attempts {
            return Err(HostError::RetriesExhausted {
                step: STEP,
                attempts: stalled,
                last,
            });
        }
    }
    Ok(stats)
}
