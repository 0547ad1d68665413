//! Kernel-internal limits that shape the configfs-tsm report protocol and the extended guest
//! request (`include/linux/tsm.h`, `include/linux/psp-sev.h`, `drivers/virt/coco/sev-guest`).
//! They are not uapi, but userspace sizes its buffers and retries by them.

/// `TSM_REPORT_INBLOB_MAX`: max bytes written to a configfs-tsm `inblob`.
pub const TSM_REPORT_INBLOB_MAX: usize = 64;
/// `TSM_REPORT_OUTBLOB_MAX`: configfs cap on `outblob`/`auxblob`/`manifestblob` (32 KiB).
pub const TSM_REPORT_OUTBLOB_MAX: usize = 32 * 1024;
/// `TSM_REPORT_PRIVLEVEL_MAX`: highest `privlevel` accepted.
pub const TSM_REPORT_PRIVLEVEL_MAX: u32 = 3;
/// `SEV_FW_BLOB_MAX_SIZE`: largest `certs_len` the guest driver accepts (16 KiB).
pub const SEV_FW_BLOB_MAX_SIZE: usize = 16 * 1024;
/// `SNP_REQ_MAX_RETRY_DURATION_S`: seconds the guest driver retries a host-BUSY request
/// before failing with `ETIMEDOUT`.
pub const SNP_REQ_MAX_RETRY_DURATION_S: u32 = 60;
/// `SNP_REQ_RETRY_DELAY_S`: seconds between those retries.
pub const SNP_REQ_RETRY_DELAY_S: u32 = 2;
