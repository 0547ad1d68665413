//! [`GuestError`]: every way a guest request can fail, typed, with the errno, firmware status
//! and VMM error kept, and a [`GuestError::diagnosis`] that says what to check.

use std::path::PathBuf;
use std::time::Duration;

use sev_sys::GuestCommand;
use sev_types::status::{ExitInfo2, FirmwareStatus, VmmError};

/// A failed guest request (ioctl backend).
///
/// `Display` states what failed; [`GuestError::diagnosis`] adds what to check for.
///
/// ```
/// use snp_guest::GuestError;
/// use sev_sys::GuestCommand;
/// let e = GuestError::request(GuestCommand::Report, libc::ENOTTY, None);
/// assert!(e.is_vmpck_disabled());
/// assert!(e.diagnosis().contains("reboot the guest"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuestError {
    /// The device node does not exist: not an SEV-SNP guest, or no `sev-guest` driver.
    #[error("{} is absent (no such device node)", path.display())]
    DeviceAbsent {
        /// The path that was opened.
        path: PathBuf,
    },
    /// Opening the device failed for another reason (permissions, ...).
    #[error("opening the guest device: {0}")]
    Open(#[source] sev_sys::Error),
    /// The driver failed the ioctl. `firmware` and `vmm` are decoded from `exit_info2` when
    /// the driver wrote it back.
    #[error("{} failed: {}{}", op.name(), std::io::Error::from_raw_os_error(*errno), status_suffix(*firmware, *vmm, *exit_info2))]
    Request {
        /// The ioctl.
        op: GuestCommand,
        /// Its errno (`libc::E*`).
        errno: i32,
        /// The firmware status (low half of `exitinfo2`), when non-zero and the driver wrote it.
        firmware: Option<FirmwareStatus>,
        /// The VMM error (high half of `exitinfo2`), when the driver wrote it.
        vmm: Option<VmmError>,
        /// `exitinfo2` as the driver left it, when it wrote it back.
        exit_info2: Option<u64>,
    },
    /// The request reached the firmware, which answered with a non-success status in the
    /// response header (the ioctl itself succeeded, so the VMPCK is intact).
    #[error("{}: the firmware answered {status}", op.name())]
    ResponseStatus {
        /// The ioctl.
        op: GuestCommand,
        /// The status from the response header.
        status: FirmwareStatus,
    },
    /// The host kept the request busy (EAGAIN or VMM BUSY) beyond the retry policy.
    #[error("{}: host busy after {attempts} attempts in {elapsed:?} (errno {errno})", op.name())]
    Busy {
        /// The ioctl.
        op: GuestCommand,
        /// Attempts made.
        attempts: u32,
        /// Time spent, including back-off.
        elapsed: Duration,
        /// The last errno.
        errno: i32,
        /// The last VMM error, if the driver reported one.
        vmm: Option<VmmError>,
    },
    /// The host needs a certificate buffer larger than the kernel accepts (16 KiB).
    #[error("the host's certificate table needs {needed} bytes, more than the kernel's limit of {max}")]
    CertsTooLarge {
        /// Bytes the host asked for.
        needed: u32,
        /// The kernel's limit (`SEV_FW_BLOB_MAX_SIZE`).
        max: usize,
    },
    /// The host kept asking for a larger certificate buffer, or asked for one no larger than
    /// the buffer it had just refused.
    #[error(
        "the host kept asking for a different certificate buffer ({rounds} rounds, last asked for {needed} bytes with {given} given)"
    )]
    CertsResize {
        /// Requests made.
        rounds: u32,
        /// The last size asked for.
        needed: u32,
        /// The size of the last buffer given.
        given: usize,
    },
    /// The response could not be interpreted.
    #[error("{}: malformed response: {reason}", op.name())]
    MalformedResponse {
        /// The ioctl.
        op: GuestCommand,
        /// Expected versus found.
        reason: String,
    },
    /// The request was refused before it was sent: sending it would have made the firmware
    /// fail, and a failure costs the VMPCK.
    #[error("{}: invalid request: {reason}", op.name())]
    InvalidRequest {
        /// The ioctl.
        op: GuestCommand,
        /// What is wrong.
        reason: String,
    },
    /// A derived-key request uses a MSG_KEY_REQ version-2 field, which `/dev/sev-guest`
    /// cannot carry: the kernel's `struct snp_derived_key_req` is the 32-byte version-1 layout
    /// and the driver copies exactly that many bytes, so LAUNCH_MIT_VECTOR never reaches the
    /// firmware.
    #[error("/dev/sev-guest cannot carry MSG_KEY_REQ version 2 fields: {reason}")]
    DerivedKeyV2Unsupported {
        /// The version-2 field asked for.
        reason: &'static str,
    },
    /// The configfs-tsm backend failed.
    #[error(transparent)]
    Configfs(#[from] crate::configfs::TsmError),
}

fn status_suffix(fw: Option<FirmwareStatus>, vmm: Option<VmmError>, info: Option<u64>) -> String {
    let mut s = String::new();
    if info == Some(ExitInfo2::NO_ANSWER.0) {
        s.push_str("; no answer from the firmware (exitinfo2 0xff)");
        return s;
    }
    if let Some(fw) = fw {
        s.push_str(&format!("; firmware status {fw}"));
    }
    if let Some(vmm) = vmm {
        s.push_str(&format!("; VMM error {vmm}"));
    }
    s
}

impl GuestError {
    /// A driver failure from an errno and the `exitinfo2` the driver wrote back (if it did):
    /// firmware status from bits 31:0 (0 dropped), VMM error from bits 63:32; the driver's
    /// "no answer" preset `0xff` decodes to neither.
    pub fn request(op: GuestCommand, errno: i32, exit_info2: Option<u64>) -> Self {
        let (firmware, vmm) = match exit_info2 {
            None => (None, None),
            Some(v) if v == ExitInfo2::NO_ANSWER.0 => (None, None),
            Some(v) => {
                let info = ExitInfo2(v);
                let fw = info.firmware_status();
                ((!fw.is_success()).then_some(fw), info.vmm_error())
            }
        };
        GuestError::Request {
            op,
            errno,
            firmware,
            vmm,
            exit_info2,
        }
    }

    /// The errno, where the failure had one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            GuestError::Request { errno, .. } | GuestError::Busy { errno, .. } => Some(*errno),
            GuestError::DeviceAbsent { .. } => Some(libc::ENOENT),
            GuestError::Open(e) => e.errno(),
            GuestError::Configfs(e) => e.raw_os_error(),
            _ => None,
        }
    }

    /// The firmware status, from `exitinfo2` or from the response header.
    pub fn firmware_status(&self) -> Option<FirmwareStatus> {
        match self {
            GuestError::Request { firmware, .. } => *firmware,
            GuestError::ResponseStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The VMM (hypervisor) error.
    pub fn vmm_error(&self) -> Option<VmmError> {
        match self {
            GuestError::Request { vmm, .. } | GuestError::Busy { vmm, .. } => *vmm,
            _ => None,
        }
    }

    /// Whether the driver has (or, after this failure, will have) disabled the VMPCK: every
    /// further request fails with `ENOTTY` until the guest reboots. True for `ENOTTY` itself
    /// and for any other driver failure except VMM `INVALID_LEN` and argument errors
    /// (`EINVAL`, caught before the firmware is called).
    pub fn is_vmpck_disabled(&self) -> bool {
        match self {
            GuestError::Request { errno, vmm, .. } => {
                *vmm != Some(VmmError::InvalidLength) && !matches!(*errno, libc::EINVAL | libc::EFAULT | libc::ENOMEM)
            }
            _ => false,
        }
    }

    /// What to check for, in one or two sentences.
    pub fn diagnosis(&self) -> &'static str {
        match self {
            GuestError::DeviceAbsent { .. } => {
                "no /dev/sev-guest: this is not an SEV-SNP guest, or the sev-guest driver is not \
                 loaded (try `modprobe sev-guest`; dmesg shows whether SEV-SNP is active). On \
                 Linux 6.7 and later configfs-tsm (/sys/kernel/config/tsm/report) may be used instead."
            }
            GuestError::Open(_) => {
                "the device exists but could not be opened: requests need read-write access to \
                 /dev/sev-guest (usually root)."
            }
            GuestError::Request {
                errno,
                firmware,
                vmm,
                exit_info2,
                ..
            } => request_diagnosis(*errno, *firmware, *vmm, *exit_info2),
            GuestError::ResponseStatus { status, .. } => firmware_diagnosis(*status),
            GuestError::Busy { .. } => {
                "the host throttled the request (EAGAIN or VMM BUSY) for longer than the retry \
                 policy allows; retry later or raise the limits of RetryPolicy. The kernel itself \
                 already retries host-BUSY for up to 60 s (SNP_REQ_MAX_RETRY_DURATION_S)."
            }
            GuestError::CertsTooLarge { .. } => {
                "the host attaches more certificate data than the 16 KiB the driver accepts; fetch \
                 the VCEK/VLEK chain from AMD's KDS instead (or use configfs-tsm, whose auxblob \
                 limit is larger)."
            }
            GuestError::CertsResize { .. } => {
                "the host changed its certificate table between requests or answered INVALID_LEN \
                 inconsistently; retry, or ask the host operator to check the certificates \
                 configured for this guest."
            }
            GuestError::MalformedResponse { .. } => {
                "the response did not have the MSG_*_RSP layout; check the kernel driver and \
                 firmware versions (or the simulator)."
            }
            GuestError::InvalidRequest { .. } => {
                "the request was refused before sending because the firmware would reject it (and \
                 a rejected request wipes the VMPCK): VMPL must be 0..=3, reserved bits and fields \
                 must be zero, message version 1 or 2."
            }
            GuestError::Configfs(_) => {
                "the configfs-tsm report interface failed; see the error for the attribute and \
                 errno."
            }
            GuestError::DerivedKeyV2Unsupported { .. } => {
                "Linux' struct snp_derived_key_req is the 32-byte MSG_KEY_REQ version 1 layout, so \
                 LAUNCH_MIT_VECTOR (and GUEST_FIELD_SELECT bit 6) cannot be sent through \
                 /dev/sev-guest; derive the key without the mitigation vector."
            }
        }
    }
}

fn request_diagnosis(errno: i32, fw: Option<FirmwareStatus>, vmm: Option<VmmError>, info: Option<u64>) -> &'static str {
    if vmm == Some(VmmError::InvalidLength) {
        return "the certificate buffer was too small (VMM INVALID_LEN); the size needed was \
                reported back. The VMPCK is intact; ask again with a larger buffer.";
    }
    if vmm == Some(VmmError::Busy) {
        return "the host reported BUSY; the request may be retried (the kernel retries host-BUSY \
                itself for up to 60 s).";
    }
    if let Some(fw) = fw {
        return firmware_diagnosis(fw);
    }
    match errno {
        libc::ENOTTY => {
            "the driver refuses requests: after an earlier failed guest request (any failure but \
             a too-small certificate buffer) it wipes the VMPCK and answers ENOTTY until the guest \
             reboots — reboot the guest. If this was the first request, the file is not \
             /dev/sev-guest."
        }
        libc::EIO if info == Some(ExitInfo2::NO_ANSWER.0) || info.is_none() => {
            "the request failed without an answer from the secure processor (GHCB transport \
             failure or a response that did not decrypt); the driver has disabled the VMPCK — \
             reboot the guest and check the host's SNP support."
        }
        libc::EIO => {
            "the request failed in the host or firmware; the driver has disabled the VMPCK — \
             reboot the guest."
        }
        libc::ETIMEDOUT => {
            "the host stayed busy for the driver's whole 60 s retry window; the driver has \
             disabled the VMPCK — reboot the guest and check the host's load."
        }
        libc::EINVAL => {
            "the kernel rejected the arguments before calling the firmware (message version 0, \
             certificate buffer not a page multiple or above 16 KiB, wrong buffer sizes); the \
             VMPCK is intact."
        }
        libc::EAGAIN => "the driver was busy; retry.",
        libc::EPERM | libc::EACCES => "permission denied: requests need read-write access to /dev/sev-guest.",
        _ => {
            "the driver failed the request; unless the errno says otherwise it has disabled the \
             VMPCK — reboot the guest before retrying."
        }
    }
}

fn firmware_diagnosis(status: FirmwareStatus) -> &'static str {
    match status {
        FirmwareStatus::InvalidParam => {
            "firmware INVALID_PARAM (0x16): check the VMPL (a guest may only ask for its own VMPL \
             or a higher number: a guest running at VMPL 1..3, e.g. under an SVSM, cannot ask for \
             VMPL 0), reserved fields and bits (must be zero), a GUEST_SVN above the ID block's, \
             or a TCB_VERSION above the committed TCB."
        }
        FirmwareStatus::InvalidKey => {
            "firmware INVALID_KEY (0x27): the selected key is not available (a VLEK that was not \
             loaded by the host, or a VMRK with no migration agent)."
        }
        FirmwareStatus::Inactive | FirmwareStatus::InvalidGuestState => {
            "the firmware does not consider this guest active; check the host's SNP state."
        }
        FirmwareStatus::Unsupported => {
            "firmware UNSUPPORTED (0x15): this firmware does not implement the request (for \
             example a message version it predates); update the host firmware or use version 1."
        }
        _ => "the secure processor rejected the request; see the firmware status.",
    }
}
