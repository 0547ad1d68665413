//! Linux errno values (x86-64) the simulated kernel answers with: the `/dev/sev-guest` driver and
//! the configfs-tsm report tree.

/// Operation not permitted.
pub const EPERM: i32 = 1;
/// No such file or directory (configfs: no such entry or attribute).
pub const ENOENT: i32 = 2;
/// I/O error: the guest request failed (firmware or hypervisor error in `exitinfo2`).
pub const EIO: i32 = 5;
/// No such device or address (configfs: no TSM provider, or the provider failed).
pub const ENXIO: i32 = 6;
/// Try again.
pub const EAGAIN: i32 = 11;
/// Out of memory.
pub const ENOMEM: i32 = 12;
/// Permission denied (configfs: wrong direction, or below the privilege floor).
pub const EACCES: i32 = 13;
/// Bad address.
pub const EFAULT: i32 = 14;
/// Device or resource busy.
pub const EBUSY: i32 = 16;
/// File exists (configfs: entry name taken).
pub const EEXIST: i32 = 17;
/// Invalid argument (`msg_version` 0, malformed request, bad certificate buffer or value).
pub const EINVAL: i32 = 22;
/// Inappropriate ioctl: the VMPCK was wiped after an earlier failure.
pub const ENOTTY: i32 = 25;
/// File too large (configfs: a blob above its limit).
pub const EFBIG: i32 = 27;
/// Directory not empty.
pub const ENOTEMPTY: i32 = 39;
/// Timed out: the host stayed busy (VMM BUSY) for too long.
pub const ETIMEDOUT: i32 = 110;
