//! SEV and SEV-ES (pre-SNP) launch: the 32-bit guest policy, the LAUNCH_START buffer, the session
//! buffer, LAUNCH_MEASURE output, the LAUNCH_SECRET header and the PEK-signed ATTESTATION report.
//!
//! ```
//! use sev_types::launch::sev::SevPolicy;
//! let p = SevPolicy::NODBG | SevPolicy::NOKS | SevPolicy::ES;
//! let p = p.with_api(0, 0x16);
//! assert_eq!(p.bits(), 0x1600_0007);
//! assert_eq!((p.api_major(), p.api_minor()), (0, 0x16));
//! ```

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::{assert_offsets, value_enum};
use crate::ecdsa::{COMPONENT_LEN, EcdsaSignature};
use crate::legacy::{Algorithm, Usage};
use crate::{ParseError, U32, U64};

pub use super::sev_kvm::*;

bitflags::bitflags! {
    /// The SEV / SEV-ES guest policy (32 bits).
    ///
    /// Bits 23:16 hold the minimum firmware API major version and bits 31:24 the minimum API
    /// minor version, each a whole byte ([`SevPolicy::api_major`], [`SevPolicy::api_minor`]).
    /// Unknown bits are kept (`from_bits_retain`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SevPolicy: u32 {
        /// Debugging (DBG_DECRYPT / DBG_ENCRYPT) is disallowed.
        const NODBG = 1 << 0;
        /// Key sharing with other guests is disallowed.
        const NOKS = 1 << 1;
        /// SEV-ES is required.
        const ES = 1 << 2;
        /// Sending the guest to another platform (SEND_*) is disallowed.
        const NOSEND = 1 << 3;
        /// The guest may only be sent to platforms in the same domain (same OCA).
        const DOMAIN = 1 << 4;
        /// The guest may only be sent to SEV-capable platforms.
        const SEV = 1 << 5;
    }
}

impl SevPolicy {
    /// Bits 15:6, which no firmware defines; they must be zero.
    pub const RESERVED_MASK: u32 = 0xFFC0;

    /// Minimum firmware API major version (bits 23:16).
    pub const fn api_major(self) -> u8 {
        (self.bits() >> 16) as u8
    }

    /// Minimum firmware API minor version (bits 31:24).
    pub const fn api_minor(self) -> u8 {
        (self.bits() >> 24) as u8
    }

    /// The same policy with the minimum API version replaced.
    pub const fn with_api(self, major: u8, minor: u8) -> Self {
        Self::from_bits_retain((self.bits() & 0xFFFF) | ((major as u32) << 16) | ((minor as u32) << 24))
    }

    /// Set bits in the reserved range 15:6.
    pub const fn reserved_bits(self) -> u32 {
        self.bits() & Self::RESERVED_MASK
    }
}

impl core::fmt::Display for SevPolicy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{:#010x} (api {}.{}",
            self.bits(),
            self.api_major(),
            self.api_minor()
        )?;
        for (name, _) in self.iter_names() {
            write!(f, ", {name}")?;
        }
        if self.reserved_bits() != 0 {
            write!(f, ", reserved bits {:#x}", self.reserved_bits())?;
        }
        f.write_str(")")
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(SevPolicy, u32, |p, m| {
    m.serialize_entry("api_major", &p.api_major())?;
    m.serialize_entry("api_minor", &p.api_minor())
});

value_enum! {
    /// State of an SEV guest (GUEST_STATUS, `kvm_sev_guest_status.state`).
    pub enum SevGuestState: u32 {
        /// 0: no launch in progress.
        Uninit = 0 => "UNINIT",
        /// 1: launch started, accepting LAUNCH_UPDATE_*.
        LaunchUpdate = 1 => "LUPDATE",
        /// 2: measured, accepting LAUNCH_SECRET.
        LaunchSecret = 2 => "LSECRET",
        /// 3: running.
        Running = 3 => "RUNNING",
        /// 4: being sent (SEND_UPDATE_*).
        SendUpdate = 4 => "SUPDATE",
        /// 5: being received (RECEIVE_UPDATE_*).
        ReceiveUpdate = 5 => "RUPDATE",
        /// 6: sent to another platform.
        Sent = 6 => "SENT",
    }
}

/// LAUNCH_START firmware command buffer (0x24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LaunchStart {
    /// 0x00: guest handle (0 = let the firmware allocate one; the allocated handle is written back).
    pub handle: U32,
    /// 0x04: guest policy.
    pub policy: U32,
    /// 0x08: system physical address of the guest owner's Diffie-Hellman certificate.
    pub dh_cert_paddr: U64,
    /// 0x10: length of the DH certificate.
    pub dh_cert_len: U32,
    /// 0x14: reserved.
    pub reserved: U32,
    /// 0x18: system physical address of the session buffer ([`Session`]).
    pub session_paddr: U64,
    /// 0x20: length of the session buffer.
    pub session_len: U32,
}
assert_offsets!(LaunchStart {
    handle: 0x00,
    policy: 0x04,
    dh_cert_paddr: 0x08,
    dh_cert_len: 0x10,
    reserved: 0x14,
    session_paddr: 0x18,
    session_len: 0x20,
});
const _: () = assert!(size_of::<LaunchStart>() == 0x24);

impl LaunchStart {
    /// The policy, decoded.
    pub fn policy(&self) -> SevPolicy {
        SevPolicy::from_bits_retain(self.policy.get())
    }
}

/// LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA firmware command buffer (0x14 bytes); LAUNCH_MEASURE
/// takes the same shape ([`LaunchMeasure`]) with the address of the [`LaunchMeasurement`] output.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LaunchUpdate {
    /// 0x00: guest handle.
    pub handle: U32,
    /// 0x04: reserved.
    pub reserved: U32,
    /// 0x08: system physical address of the region.
    pub paddr: U64,
    /// 0x10: length of the region in bytes.
    pub len: U32,
}
assert_offsets!(LaunchUpdate {
    handle: 0x00,
    reserved: 0x04,
    paddr: 0x08,
    len: 0x10
});
const _: () = assert!(size_of::<LaunchUpdate>() == 0x14);

/// LAUNCH_MEASURE firmware command buffer: same layout as [`LaunchUpdate`].
pub type LaunchMeasure = LaunchUpdate;

/// LAUNCH_SECRET firmware command buffer (0x34 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LaunchSecret {
    /// 0x00: guest handle.
    pub handle: U32,
    /// 0x04: reserved.
    pub reserved_04: U32,
    /// 0x08: system physical address of the [`LaunchSecretHeader`].
    pub hdr_paddr: U64,
    /// 0x10: header length.
    pub hdr_len: U32,
    /// 0x14: reserved.
    pub reserved_14: U32,
    /// 0x18: guest physical address where the secret goes.
    pub guest_paddr: U64,
    /// 0x20: length of the guest region.
    pub guest_len: U32,
    /// 0x24: reserved.
    pub reserved_24: U32,
    /// 0x28: system physical address of the ciphertext.
    pub trans_paddr: U64,
    /// 0x30: ciphertext length.
    pub trans_len: U32,
}
assert_offsets!(LaunchSecret {
    handle: 0x00,
    reserved_04: 0x04,
    hdr_paddr: 0x08,
    hdr_len: 0x10,
    reserved_14: 0x14,
    guest_paddr: 0x18,
    guest_len: 0x20,
    reserved_24: 0x24,
    trans_paddr: 0x28,
    trans_len: 0x30,
});
const _: () = assert!(size_of::<LaunchSecret>() == 0x34);

/// ATTESTATION firmware command buffer (0x24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct AttestationCmd {
    /// 0x00: guest handle.
    pub handle: U32,
    /// 0x04: reserved.
    pub reserved: U32,
    /// 0x08: system physical address of the 0xD0-byte report buffer.
    pub report_paddr: U64,
    /// 0x10: nonce to embed in the report.
    pub mnonce: [u8; 16],
    /// 0x20: buffer length (0 asks for the needed length: INVALID_LENGTH).
    pub len: U32,
}
assert_offsets!(AttestationCmd {
    handle: 0x00,
    reserved: 0x04,
    report_paddr: 0x08,
    mnonce: 0x10,
    len: 0x20
});
const _: () = assert!(size_of::<AttestationCmd>() == 0x24);

/// The session buffer passed to LAUNCH_START (0x80 bytes), made by the guest owner.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Session {
    /// 0x00: nonce, the KDF context for the master secret.
    pub nonce: [u8; 16],
    /// 0x10: TEK ‖ TIK, AES-128-CTR encrypted under the KEK.
    pub wrap_tk: [u8; 32],
    /// 0x30: counter block for `wrap_tk`.
    pub wrap_iv: [u8; 16],
    /// 0x40: HMAC-SHA-256 of `wrap_tk` under the KIK.
    pub wrap_mac: [u8; 32],
    /// 0x60: HMAC-SHA-256 of the policy under the TIK.
    pub policy_mac: [u8; 32],
}
assert_offsets!(Session {
    nonce: 0x00,
    wrap_tk: 0x10,
    wrap_iv: 0x30,
    wrap_mac: 0x40,
    policy_mac: 0x60
});
const _: () = assert!(size_of::<Session>() == 0x80);

impl Session {
    /// Size in bytes.
    pub const SIZE: usize = 0x80;

    /// Views exactly 0x80 bytes as a session buffer.
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("SEV session buffer", bytes)
    }
}

/// LAUNCH_MEASURE output (0x30 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LaunchMeasurement {
    /// 0x00: HMAC-SHA-256 under the TIK over the launch context (`sev-legacy.md` §6).
    pub measure: [u8; 32],
    /// 0x20: firmware-chosen nonce.
    pub mnonce: [u8; 16],
}
assert_offsets!(LaunchMeasurement {
    measure: 0x00,
    mnonce: 0x20
});
const _: () = assert!(size_of::<LaunchMeasurement>() == 0x30);

impl LaunchMeasurement {
    /// Size in bytes.
    pub const SIZE: usize = 0x30;

    /// Views exactly 0x30 bytes as a measurement.
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("SEV launch measurement", bytes)
    }
}

bitflags::bitflags! {
    /// FLAGS word of the LAUNCH_SECRET header.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SecretHeaderFlags: u32 {
        /// The secret is compressed (normally clear).
        const COMPRESSED = 1 << 0;
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(SecretHeaderFlags, u32, |_f, _m| { Ok(()) });

/// LAUNCH_SECRET packet header (0x34 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LaunchSecretHeader {
    /// 0x00: flags ([`SecretHeaderFlags`]).
    pub flags: U32,
    /// 0x04: AES-128-CTR counter block.
    pub iv: [u8; 16],
    /// 0x14: HMAC-SHA-256 under the TIK (`sev-legacy.md` §6).
    pub mac: [u8; 32],
}
assert_offsets!(LaunchSecretHeader {
    flags: 0x00,
    iv: 0x04,
    mac: 0x14
});
const _: () = assert!(size_of::<LaunchSecretHeader>() == 0x34);

impl LaunchSecretHeader {
    /// Size in bytes.
    pub const SIZE: usize = 0x34;

    /// Builds a header.
    pub fn new(flags: SecretHeaderFlags, iv: [u8; 16], mac: [u8; 32]) -> Self {
        Self {
            flags: U32::new(flags.bits()),
            iv,
            mac,
        }
    }

    /// Views exactly 0x34 bytes as a header.
    pub fn ref_from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        super::exact("SEV launch secret header", bytes)
    }

    /// The flags, decoded.
    pub fn flags(&self) -> SecretHeaderFlags {
        SecretHeaderFlags::from_bits_retain(self.flags.get())
    }
}

/// The PEK-signed ATTESTATION report (0xD0 bytes), field by field.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawAttestationReport {
    /// 0x00: nonce supplied with the ATTESTATION command.
    pub mnonce: [u8; 16],
    /// 0x10: launch digest (GCTX.LD).
    pub launch_digest: [u8; 32],
    /// 0x30: guest policy.
    pub policy: U32,
    /// 0x34: usage of the signing key (PEK, 0x1002).
    pub sig_usage: U32,
    /// 0x38: signature algorithm.
    pub sig_algo: U32,
    /// 0x3C: reserved.
    pub reserved: U32,
    /// 0x40: signature R, little-endian, zero-padded.
    pub sig_r: [u8; COMPONENT_LEN],
    /// 0x88: signature S, little-endian, zero-padded.
    pub sig_s: [u8; COMPONENT_LEN],
}
assert_offsets!(RawAttestationReport {
    mnonce: 0x00,
    launch_digest: 0x10,
    policy: 0x30,
    sig_usage: 0x34,
    sig_algo: 0x38,
    reserved: 0x3C,
    sig_r: 0x40,
    sig_s: 0x88,
});
const _: () = assert!(size_of::<RawAttestationReport>() == 0xD0);

/// Size of the ATTESTATION report.
pub const ATTESTATION_REPORT_LEN: usize = 0xD0;
/// Length of the signed part of the ATTESTATION report (bytes 0x00..0x34).
pub const ATTESTATION_SIGNED_LEN: usize = 0x34;

/// A borrowed view of an SEV ATTESTATION report, keeping the received bytes for verification.
///
/// ```
/// use sev_types::launch::sev::{AttestationReport, SevPolicy};
/// use sev_types::legacy::Usage;
/// let mut bytes = [0u8; 0xD0];
/// bytes[0x30] = 0x01; // NODBG
/// bytes[0x34..0x38].copy_from_slice(&0x1002u32.to_le_bytes());
/// let report = AttestationReport::from_bytes(&bytes)?;
/// assert_eq!(report.policy(), SevPolicy::NODBG);
/// assert_eq!(report.sig_usage(), Usage::Pek);
/// assert_eq!(report.signed_bytes().len(), 0x34);
/// # Ok::<(), sev_types::ParseError>(())
/// ```
#[derive(Clone, Copy)]
pub struct AttestationReport<'a> {
    bytes: &'a [u8],
    raw: &'a RawAttestationReport,
}

impl<'a> AttestationReport<'a> {
    /// Views exactly 0xD0 bytes as a report.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        let raw = super::exact::<RawAttestationReport>("SEV attestation report", bytes)?;
        Ok(Self { bytes, raw })
    }

    /// The report's bytes, exactly as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The signed bytes 0x00..0x34, exactly as received.
    pub fn signed_bytes(&self) -> &'a [u8] {
        &self.bytes[..ATTESTATION_SIGNED_LEN]
    }

    /// All fields, raw.
    pub fn raw(&self) -> &'a RawAttestationReport {
        self.raw
    }

    /// MNONCE.
    pub fn mnonce(&self) -> &'a [u8; 16] {
        &self.raw.mnonce
    }

    /// Launch digest.
    pub fn launch_digest(&self) -> &'a [u8; 32] {
        &self.raw.launch_digest
    }

    /// Guest policy.
    pub fn policy(&self) -> SevPolicy {
        SevPolicy::from_bits_retain(self.raw.policy.get())
    }

    /// Usage of the signing key (expected: PEK).
    pub fn sig_usage(&self) -> Usage {
        Usage::from_raw(self.raw.sig_usage.get())
    }

    /// Signature algorithm.
    pub fn sig_algo(&self) -> Algorithm {
        Algorithm::from_raw(self.raw.sig_algo.get())
    }

    /// The signature in AMD's 0x200-byte format (R and S copied, reserved zero), ready for
    /// [`EcdsaSignature::p384_r_s_be`].
    pub fn signature(&self) -> EcdsaSignature {
        EcdsaSignature {
            r: self.raw.sig_r,
            s: self.raw.sig_s,
            reserved: [0; 0x170],
        }
    }
}

impl core::fmt::Debug for AttestationReport<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AttestationReport")
            .field("mnonce", &crate::fmt::Hex(self.mnonce()))
            .field("launch_digest", &crate::fmt::Hex(self.launch_digest()))
            .field("policy", &self.policy())
            .field("sig_usage", &self.sig_usage())
            .field("sig_algo", &self.sig_algo())
            .finish_non_exhaustive()
    }
}

impl core::fmt::Display for AttestationReport<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "SEV attestation report")?;
        writeln!(f, "  mnonce:        {}", crate::fmt::Hex(self.mnonce()))?;
        writeln!(f, "  launch digest: {}", crate::fmt::Hex(self.launch_digest()))?;
        writeln!(f, "  policy:        {}", self.policy())?;
        write!(f, "  signed by:     {} ({})", self.sig_usage(), self.sig_algo())
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::*;
    use crate::fmt::Hex as HexBytes;
    use crate::launch::ser::serialize_fields;

    serialize_fields!(LaunchStart, "LaunchStart", |v| {
        "handle" => v.handle.get(),
        "policy" => v.policy(),
        "dh_cert_paddr" => v.dh_cert_paddr.get(),
        "dh_cert_len" => v.dh_cert_len.get(),
        "session_paddr" => v.session_paddr.get(),
        "session_len" => v.session_len.get(),
    });
    serialize_fields!(LaunchUpdate, "LaunchUpdate", |v| {
        "handle" => v.handle.get(),
        "paddr" => v.paddr.get(),
        "len" => v.len.get(),
    });
    serialize_fields!(LaunchSecret, "LaunchSecret", |v| {
        "handle" => v.handle.get(),
        "hdr_paddr" => v.hdr_paddr.get(),
        "hdr_len" => v.hdr_len.get(),
        "guest_paddr" => v.guest_paddr.get(),
        "guest_len" => v.guest_len.get(),
        "trans_paddr" => v.trans_paddr.get(),
        "trans_len" => v.trans_len.get(),
    });
    serialize_fields!(AttestationCmd, "AttestationCmd", |v| {
        "handle" => v.handle.get(),
        "report_paddr" => v.report_paddr.get(),
        "mnonce" => HexBytes(&v.mnonce),
        "len" => v.len.get(),
    });
    serialize_fields!(RawAttestationReport, "RawAttestationReport", |v| {
        "mnonce" => HexBytes(&v.mnonce),
        "launch_digest" => HexBytes(&v.launch_digest),
        "policy" => SevPolicy::from_bits_retain(v.policy.get()),
        "sig_usage" => Usage::from_raw(v.sig_usage.get()),
        "sig_algo" => Algorithm::from_raw(v.sig_algo.get()),
        "sig_r" => HexBytes(&v.sig_r),
        "sig_s" => HexBytes(&v.sig_s),
    });
    serialize_fields!(Session, "Session", |v| {
        "nonce" => HexBytes(&v.nonce),
        "wrap_tk" => HexBytes(&v.wrap_tk),
        "wrap_iv" => HexBytes(&v.wrap_iv),
        "wrap_mac" => HexBytes(&v.wrap_mac),
        "policy_mac" => HexBytes(&v.policy_mac),
    });
    serialize_fields!(LaunchMeasurement, "LaunchMeasurement", |v| {
        "measure" => HexBytes(&v.measure),
        "mnonce" => HexBytes(&v.mnonce),
    });
    serialize_fields!(LaunchSecretHeader, "LaunchSecretHeader", |v| {
        "flags" => v.flags(),
        "iv" => HexBytes(&v.iv),
        "mac" => HexBytes(&v.mac),
    });
    serialize_fields!(AttestationReport<'_>, "AttestationReport", |v| {
        "mnonce" => HexBytes(v.mnonce()),
        "launch_digest" => HexBytes(v.launch_digest()),
        "policy" => v.policy(),
        "sig_usage" => v.sig_usage(),
        "sig_algo" => v.sig_algo(),
        "sig_r" => HexBytes(&v.raw.sig_r),
        "sig_s" => HexBytes(&v.raw.sig_s),
    });
}
