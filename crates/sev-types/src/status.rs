//! Firmware status codes (SEV, SEV-ES, SEV-SNP, and the guest-message `STATUS` field) and the
//! hypervisor (VMM) errors carried in the upper half of the guest request's `exitinfo2`.

use core::fmt;

macro_rules! firmware_statuses {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $label:literal, $meaning:literal; )*) => {
        /// A firmware status code, as returned in `sev_issue_cmd.error`, `kvm_sev_cmd.error`,
        /// the low half of a guest request's `exitinfo2`, or a `MSG_*_RSP.STATUS` field.
        ///
        /// Every code AMD and Linux define has a name; anything else is kept in
        /// [`FirmwareStatus::Unknown`] so no value is ever lost.
        ///
        /// ```
        /// use sev_types::status::FirmwareStatus;
        /// let s = FirmwareStatus::from(0x27);
        /// assert_eq!(s, FirmwareStatus::InvalidKey);
        /// assert_eq!(s.name(), "INVALID_KEY");
        /// assert_eq!(u32::from(s), 0x27);
        /// assert_eq!(FirmwareStatus::from(0x2c), FirmwareStatus::Unknown(0x2c));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FirmwareStatus {
            $( $(#[$doc])* $name, )*
            /// A code this crate does not know (kept verbatim).
            Unknown(u32),
        }

        impl FirmwareStatus {
            /// Every named status, in code order.
            pub const ALL: &'static [FirmwareStatus] = &[$(FirmwareStatus::$name,)*];

            /// The numeric code.
            pub const fn code(self) -> u32 {
                match self {
                    $( FirmwareStatus::$name => $code, )*
                    FirmwareStatus::Unknown(c) => c,
                }
            }

            /// The status for a numeric code.
            pub const fn from_code(code: u32) -> Self {
                match code {
                    $( $code => FirmwareStatus::$name, )*
                    c => FirmwareStatus::Unknown(c),
                }
            }

            /// The upper-case name used by AMD and Linux (`SEV_RET_` prefix dropped).
            pub const fn name(self) -> &'static str {
                match self {
                    $( FirmwareStatus::$name => $label, )*
                    FirmwareStatus::Unknown(_) => "UNKNOWN",
                }
            }

            /// A one-line explanation of the status.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $( FirmwareStatus::$name => $meaning, )*
                    FirmwareStatus::Unknown(_) => "status code not defined by any known firmware ABI",
                }
            }
        }
    };
}

firmware_statuses! {
    /// The command completed.
    Success = 0x00, "SUCCESS", "the command completed";
    /// The platform is in the wrong state for this command.
    InvalidPlatformState = 0x01, "INVALID_PLATFORM_STATE", "the platform is in the wrong state for this command";
    /// The guest is in the wrong state for this command.
    InvalidGuestState = 0x02, "INVALID_GUEST_STATE", "the guest is in the wrong state for this command";
    /// The platform or guest configuration is invalid (Linux spells it `INAVLID_CONFIG`).
    InvalidConfig = 0x03, "INVALID_CONFIG", "the platform or guest configuration is invalid";
    /// A buffer is too small; the firmware reports the length it needs.
    InvalidLength = 0x04, "INVALID_LEN", "a buffer is too small; the firmware reports the length it needs";
    /// The platform is already owned.
    AlreadyOwned = 0x05, "ALREADY_OWNED", "the platform already has an owner";
    /// A supplied certificate is malformed or failed validation.
    InvalidCertificate = 0x06, "INVALID_CERTIFICATE", "a supplied certificate is malformed or failed validation";
    /// The guest policy forbids the operation.
    PolicyFailure = 0x07, "POLICY_FAILURE", "the guest policy forbids the operation";
    /// The guest is not active.
    Inactive = 0x08, "INACTIVE", "the guest is not active (no ASID bound)";
    /// A physical address is invalid or misaligned.
    InvalidAddress = 0x09, "INVALID_ADDRESS", "a physical address is invalid or misaligned";
    /// A signature did not verify (for example the ID block's).
    BadSignature = 0x0A, "BAD_SIGNATURE", "a signature did not verify";
    /// The launch measurement does not match (for example the ID block's digest).
    BadMeasurement = 0x0B, "BAD_MEASUREMENT", "the launch measurement does not match";
    /// The ASID is already owned by another guest.
    AsidOwned = 0x0C, "ASID_OWNED", "the ASID is already in use by another guest";
    /// The ASID is invalid for this guest.
    InvalidAsid = 0x0D, "INVALID_ASID", "the ASID is out of range or wrong for this guest type";
    /// Caches must be written back and invalidated first.
    WbinvdRequired = 0x0E, "WBINVD_REQUIRED", "caches must be written back and invalidated first";
    /// A DF_FLUSH command must be issued first.
    DfFlushRequired = 0x0F, "DFFLUSH_REQUIRED", "a DF_FLUSH command must be issued first";
    /// The guest handle does not name a guest.
    InvalidGuest = 0x10, "INVALID_GUEST", "the guest handle does not name a guest";
    /// Unknown or unsupported command.
    InvalidCommand = 0x11, "INVALID_COMMAND", "unknown or unsupported command";
    /// The guest is already active.
    Active = 0x12, "ACTIVE", "the guest is already active";
    /// Hardware error; the platform state is lost, buffers may be reused.
    HwErrorPlatform = 0x13, "HWSEV_RET_PLATFORM", "hardware error: the platform state is lost";
    /// Hardware error; buffers must not be reused.
    HwErrorUnsafe = 0x14, "HWSEV_RET_UNSAFE", "hardware error: continuing is not safe";
    /// The feature is not supported by this firmware.
    Unsupported = 0x15, "UNSUPPORTED", "feature not supported by this firmware";
    /// A parameter is invalid.
    InvalidParam = 0x16, "INVALID_PARAM", "a parameter is invalid";
    /// The firmware ran out of a resource.
    ResourceLimit = 0x17, "RESOURCE_LIMIT", "the firmware is out of a resource";
    /// The integrity check of part-specific persistent data failed.
    SecureDataInvalid = 0x18, "SECURE_DATA_INVALID", "integrity check of persistent secure data failed";
    /// The page size does not match the RMP entry.
    InvalidPageSize = 0x19, "INVALID_PAGE_SIZE", "the page size does not match the RMP entry";
    /// The RMP page state is not what the command expects.
    InvalidPageState = 0x1A, "INVALID_PAGE_STATE", "the RMP page state is not what the command expects";
    /// A metadata entry (page swap) is invalid.
    InvalidMdataEntry = 0x1B, "INVALID_MDATA_ENTRY", "a page-swap metadata entry is invalid";
    /// The page belongs to another owner.
    InvalidPageOwner = 0x1C, "INVALID_PAGE_OWNER", "the page belongs to another owner";
    /// The AEAD counter would overflow.
    AeadOverflow = 0x1D, "AEAD_OFLOW", "the AEAD counter or IV would overflow";
    /// The firmware left ring-buffer mode.
    ExitRingBuffer = 0x1F, "EXIT_RING_BUFFER", "the firmware left ring-buffer mode";
    /// The RMP must be initialised first.
    RmpInitRequired = 0x20, "RMP_INIT_REQUIRED", "the RMP must be initialised (SNP_INIT) first";
    /// The image's security version is below the committed one.
    BadSvn = 0x21, "BAD_SVN", "security version too low (rollback refused)";
    /// The firmware version is not acceptable.
    BadVersion = 0x22, "BAD_VERSION", "firmware or ABI version not acceptable";
    /// The platform must be shut down first.
    ShutdownRequired = 0x23, "SHUTDOWN_REQUIRED", "the platform must be shut down first";
    /// Updating internal state failed.
    UpdateFailed = 0x24, "UPDATE_FAILED", "a firmware or guest-context update failed";
    /// The committed firmware image must be reinstalled.
    RestoreRequired = 0x25, "RESTORE_REQUIRED", "state must be restored first";
    /// RMP initialisation failed.
    RmpInitializationFailed = 0x26, "RMP_INITIALIZATION_FAILED", "RMP initialisation failed";
    /// The requested key is invalid, absent or not allowed (for example a VLEK that is not loaded).
    InvalidKey = 0x27, "INVALID_KEY", "the requested key is not available (for example VLEK asked for but not loaded)";
    /// The shutdown did not complete.
    ShutdownIncomplete = 0x28, "SHUTDOWN_INCOMPLETE", "the shutdown did not complete";
    /// A buffer length is wrong.
    IncorrectBufferLength = 0x30, "INCORRECT_BUFFER_LENGTH", "a buffer length is wrong";
    /// The firmware asks for a larger buffer (SEV-TIO).
    ExpandBufferLengthRequest = 0x31, "EXPAND_BUFFER_LENGTH_REQUEST", "the firmware asks for a larger buffer";
    /// An SPDM request is pending (SEV-TIO).
    SpdmRequest = 0x32, "SPDM_REQUEST", "an SPDM exchange is needed";
    /// An SPDM exchange failed (SEV-TIO).
    SpdmError = 0x33, "SPDM_ERROR", "an SPDM exchange failed";
    /// Device connection error (SEV-TIO).
    ErrInDevConn = 0x35, "SEV_STATUS_ERR_IN_DEV_CONN", "device connection error";
    /// Invalid device context (SEV-TIO).
    InvalidDevCtx = 0x36, "SEV_STATUS_INVALID_DEV_CTX", "invalid device context";
    /// Invalid TDI context (SEV-TIO).
    InvalidTdiCtx = 0x37, "SEV_STATUS_INVALID_TDI_CTX", "invalid TDI context";
    /// Invalid TDI (SEV-TIO).
    InvalidTdi = 0x38, "SEV_STATUS_INVALID_TDI", "invalid TDI";
    /// Reclaim required (SEV-TIO).
    ReclaimRequired = 0x39, "SEV_STATUS_RECLAIM_REQUIRED", "reclaim required";
    /// The resource is in use.
    InUse = 0x3A, "IN_USE", "the resource is in use";
    /// Invalid device state (SEV-TIO).
    InvalidDevState = 0x3B, "SEV_STATUS_INVALID_DEV_STATE", "invalid device state";
    /// Invalid TDI state (SEV-TIO).
    InvalidTdiState = 0x3C, "SEV_STATUS_INVALID_TDI_STATE", "invalid TDI state";
    /// The device certificate changed (SEV-TIO).
    DevCertChanged = 0x3D, "SEV_STATUS_DEV_CERT_CHANGED", "the device certificate changed";
    /// Resynchronisation required (SEV-TIO).
    ResyncReq = 0x3E, "SEV_STATUS_RESYNC_REQ", "resynchronisation required";
    /// The response is too large (SEV-TIO).
    ResponseTooLarge = 0x3F, "SEV_STATUS_RESPONSE_TOO_LARGE", "the response is too large";
    /// Linux only: the kernel failed before calling the firmware (`SEV_RET_NO_FW_CALL`, -1).
    NoFwCall = 0xFFFF_FFFF, "NO_FW_CALL", "the kernel failed before the firmware was called";
}

impl From<u32> for FirmwareStatus {
    fn from(code: u32) -> Self {
        Self::from_code(code)
    }
}

impl From<FirmwareStatus> for u32 {
    fn from(s: FirmwareStatus) -> u32 {
        s.code()
    }
}

impl FirmwareStatus {
    /// Whether this is [`FirmwareStatus::Success`].
    pub const fn is_success(self) -> bool {
        self.code() == 0
    }
}

impl fmt::Display for FirmwareStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:#04x}): {}", self.name(), self.code(), self.meaning())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for FirmwareStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FirmwareStatus", 2)?;
        st.serialize_field("code", &self.code())?;
        st.serialize_field("name", self.name())?;
        st.end()
    }
}

/// A hypervisor (VMM) error from the upper 32 bits of a guest request's `exitinfo2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum VmmError {
    /// `SNP_GUEST_VMM_ERR_INVALID_LEN` (1): the extended request's certificate buffer is too
    /// small; the needed size is reported back.
    InvalidLength,
    /// `SNP_GUEST_VMM_ERR_BUSY` (2): the host throttled the request; retry the same message.
    Busy,
    /// Any other non-zero value (kept verbatim).
    Unknown(u32),
}

impl VmmError {
    /// The numeric code.
    pub const fn code(self) -> u32 {
        match self {
            VmmError::InvalidLength => 1,
            VmmError::Busy => 2,
            VmmError::Unknown(c) => c,
        }
    }

    /// The error for a numeric code; `None` for 0 (no VMM error).
    pub const fn from_code(code: u32) -> Option<Self> {
        match code {
            0 => None,
            1 => Some(VmmError::InvalidLength),
            2 => Some(VmmError::Busy),
            c => Some(VmmError::Unknown(c)),
        }
    }

    /// The Linux name (`SNP_GUEST_VMM_ERR_` prefix dropped).
    pub const fn name(self) -> &'static str {
        match self {
            VmmError::InvalidLength => "INVALID_LEN",
            VmmError::Busy => "BUSY",
            VmmError::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for VmmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VmmError::InvalidLength => f.write_str("INVALID_LEN (1): certificate buffer too small"),
            VmmError::Busy => f.write_str("BUSY (2): host throttled the request"),
            VmmError::Unknown(c) => write!(f, "UNKNOWN ({c:#x})"),
        }
    }
}

/// The 64-bit `exitinfo2` of an SNP guest request: firmware status in bits 31:0, VMM error in
/// bits 63:32.
///
/// ```
/// use sev_types::status::{ExitInfo2, FirmwareStatus, VmmError};
/// let e = ExitInfo2(0x1_0000_0000);
/// assert_eq!(e.vmm_error(), Some(VmmError::InvalidLength));
/// assert_eq!(e.firmware_status(), FirmwareStatus::Success);
/// assert_eq!(ExitInfo2::new(Some(VmmError::Busy), FirmwareStatus::Success).0, 0x2_0000_0000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExitInfo2(pub u64);

impl ExitInfo2 {
    /// Mask of the firmware-status half.
    pub const FW_ERR_MASK: u64 = 0xFFFF_FFFF;
    /// Shift of the VMM-error half.
    pub const VMM_ERR_SHIFT: u32 = 32;
    /// The value the Linux driver presets before a request; still there if no answer came.
    pub const NO_ANSWER: ExitInfo2 = ExitInfo2(0xFF);

    /// Combines a VMM error and a firmware status (`SNP_GUEST_ERR(vmm, fw)`).
    pub const fn new(vmm: Option<VmmError>, fw: FirmwareStatus) -> Self {
        let v = match vmm {
            Some(v) => v.code() as u64,
            None => 0,
        };
        ExitInfo2((v << Self::VMM_ERR_SHIFT) | fw.code() as u64)
    }

    /// The firmware status (bits 31:0).
    pub const fn firmware_status(self) -> FirmwareStatus {
        FirmwareStatus::from_code((self.0 & Self::FW_ERR_MASK) as u32)
    }

    /// The VMM error (bits 63:32), if any.
    pub const fn vmm_error(self) -> Option<VmmError> {
        VmmError::from_code((self.0 >> Self::VMM_ERR_SHIFT) as u32)
    }

    /// Whether both halves are zero.
    pub const fn is_success(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for ExitInfo2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.vmm_error() {
            Some(v) => write!(f, "VMM error {v}; firmware status {}", self.firmware_status()),
            None => write!(f, "firmware status {}", self.firmware_status()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknowns_survive() {
        for s in FirmwareStatus::ALL {
            assert_eq!(FirmwareStatus::from_code(s.code()), *s);
        }
        for c in 0..0x100u32 {
            assert_eq!(FirmwareStatus::from_code(c).code(), c);
        }
        assert_eq!(FirmwareStatus::from_code(0x1E), FirmwareStatus::Unknown(0x1E));
        assert_eq!(FirmwareStatus::from_code(0x34), FirmwareStatus::Unknown(0x34));
    }

    #[test]
    fn exitinfo2_splits_halves() {
        let e = ExitInfo2(0x2_0000_0016);
        assert_eq!(e.vmm_error(), Some(VmmError::Busy));
        assert_eq!(e.firmware_status(), FirmwareStatus::InvalidParam);
        assert_eq!(ExitInfo2(7 << 32).vmm_error(), Some(VmmError::Unknown(7)));
    }
}
