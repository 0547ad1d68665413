//! One-line errors with exit codes: what happened and what to try.

use std::fmt;

use sev_types::status::FirmwareStatus;

/// Exit code: usage error, unusable input or output.
pub const USAGE: u8 = 1;
/// Exit code: `/dev/sev` absent or not openable.
pub const UNAVAILABLE: u8 = 2;
/// Exit code: the kernel or the firmware refused the command.
pub const REFUSED: u8 = 3;

/// A failure with its exit code and a one-line message naming the remedy.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// The message (one line).
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// The exit code and one-line message of any error of a host command.
pub fn describe(e: &anyhow::Error) -> (u8, String) {
    if let Some(h) = e.downcast_ref::<Failure>() {
        return (h.code, h.message.clone());
    }
    if let Some(h) = e.downcast_ref::<sev_host::HostError>() {
        let f = host_error(h);
        return (f.code, f.message);
    }
    for cause in e.chain() {
        if let Some(d) = cause.downcast_ref::<sev_sys::Error>() {
            let h = device_error(d);
            return (h.code, format!("{e}: {}", h.message).replace('\n', " "));
        }
    }
    (USAGE, format!("{e:#}").replace('\n', " "))
}

/// Maps an error of the platform API: device failures as [`device_error`], a chain that does
/// not verify as refused, anything else (rejected input) as a usage error.
pub fn host_error(e: &sev_host::HostError) -> Failure {
    if let Some(d) = e.device_error() {
        return device_error(d);
    }
    let code = match e {
        sev_host::HostError::Legacy { .. } => REFUSED,
        _ => USAGE,
    };
    Failure {
        code,
        message: e.to_string().replace('\n', " "),
    }
}

/// Maps a device error to an exit code and a message with a remedy.
pub fn device_error(e: &sev_sys::Error) -> Failure {
    use sev_sys::Error as E;
    let (code, message) = match e {
        E::DeviceAbsent { path } => (
            UNAVAILABLE,
            format!(
                "{} is absent: this machine has no SEV firmware interface (not an AMD SEV host, SEV \
                 disabled in the BIOS, or the ccp module not loaded); run `sev host ok` to see \
                 which, or use --device sim",
                path.display()
            ),
        ),
        E::Open { path, source } => (
            UNAVAILABLE,
            format!(
                "cannot open {}: {source}; run as root (state-changing commands need it open for \
                 writing) or give your user access to it",
                path.display()
            ),
        ),
        E::SevUnsupported { op } => (
            REFUSED,
            format!("{op}: this KVM has no SEV support; load kvm_amd with sev=1 (see `sev host ok`)"),
        ),
        E::Ioctl(io) => match io.fw {
            Some(fw) => (
                REFUSED,
                format!(
                    "{} refused by the firmware: {} ({:#04x}: {}); {}",
                    io.op,
                    fw.name(),
                    fw.code(),
                    fw.meaning(),
                    firmware_remedy(io.op, fw)
                ),
            ),
            None => (
                REFUSED,
                format!(
                    "{} refused by the kernel: {} (errno {}); {}",
                    io.op,
                    strerror(io),
                    io.errno,
                    errno_remedy(io.op, io.errno)
                ),
            ),
        },
        other => (REFUSED, format!("{other}; check `sev host status` and `sev host ok`")),
    };
    Failure { code, message }
}

/// The errno's description without std's " (os error N)" suffix.
fn strerror(io: &sev_sys::IoctlError) -> String {
    let text = io.io_error().to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn firmware_remedy(op: &str, fw: FirmwareStatus) -> &'static str {
    use FirmwareStatus as F;
    match fw {
        F::InvalidPlatformState if op.contains("FACTORY_RESET") || op.contains("PEK_CERT_IMPORT") => {
            "stop every SEV and SNP guest (see the guest count in `sev host status`), then retry"
        }
        F::InvalidPlatformState => "check the platform state and guest count with `sev host status`",
        F::AlreadyOwned => "the platform already has an owner; `sev host reset --yes` removes it",
        F::InvalidCertificate => {
            "give the PEK from this platform's current `sev host pek-csr`, signed by the OCA, and the \
             OCA's self-signed certificate"
        }
        F::BadSignature => "the signature does not verify: re-sign the PEK with the OCA key",
        F::InvalidConfig | F::InvalidParam if op.contains("SET_CONFIG") => {
            "the reported TCB must not exceed the committed TCB (`sev host show tcb`)"
        }
        F::InvalidConfig | F::InvalidParam => "check the arguments of the command",
        F::RmpInitRequired | F::RmpInitializationFailed => {
            "SNP is not initialised: enable SEV-SNP in the BIOS and load kvm_amd with sev_snp=1 \
             (see `sev host ok`)"
        }
        F::BadSvn | F::BadVersion => "the firmware refused a version rollback",
        F::Unsupported | F::InvalidCommand => "this firmware lacks the command; update the SEV firmware",
        F::InvalidKey => "the hashstick was not wrapped for this chip; ask the provider for this chip's",
        F::ResourceLimit => "the firmware is out of resources; stop some guests and retry",
        F::HwErrorPlatform | F::HwErrorUnsafe | F::SecureDataInvalid => {
            "the firmware reports a hardware error; reboot, then try `sev host reset --yes`"
        }
        _ => "see `sev host status` and `sev host ok`",
    }
}

fn errno_remedy(op: &str, errno: i32) -> &'static str {
    match errno {
        libc::EBUSY => "guests are running or the platform is busy; stop every SEV and SNP guest, then retry",
        libc::EPERM | libc::EACCES => "this command needs /dev/sev open for writing: run as root",
        libc::ENOTTY | libc::EINVAL if op.contains("VLEK") || op.contains("SNP") => {
            "this kernel or firmware does not offer the command (SNP needs Linux 6.11+ with SNP host \
             support; see `sev host ok`)"
        }
        libc::ENOTTY => "this kernel does not offer the command; a newer kernel is needed",
        libc::ENODEV => "the SEV firmware is not initialised (see `sev host ok`)",
        libc::EFAULT | libc::EINVAL => "the kernel rejected the request's buffers; check the input files",
        _ => "see `sev host status` and `sev host ok`",
    }
}

/// A usage error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    Failure {
        code: USAGE,
        message: message.into(),
    }
    .into()
}

/// Wraps a device error of `what` (a short description such as "SEV platform status").
pub fn dev(what: &str) -> impl FnOnce(sev_sys::Error) -> anyhow::Error + '_ {
    move |e| {
        let h = device_error(&e);
        Failure {
            code: h.code,
            message: format!("{what}: {}", h.message),
        }
        .into()
    }
}
