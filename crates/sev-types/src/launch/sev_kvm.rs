//! The payloads of KVM's SEV and SEV-ES commands (`KVM_MEMORY_ENCRYPT_OP` with `KVM_SEV_*`), laid
//! out exactly as `linux/kvm.h` declares them (x86_64), re-exported from [`super::sev`].
//!
//! Each is byte-aligned with little-endian fields, so zerocopy builds and reads it in place;
//! the kernel copies the payload with `copy_from_user`, which needs no alignment. The
//! `*_uaddr` fields are user-space addresses, filled in by the caller that owns the memory
//! (`sev-sys`), never parsed from untrusted input.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::assert_offsets;
use super::sev::{SevGuestState, SevPolicy};
use crate::{U32, U64};

/// `struct kvm_sev_launch_start`: the payload of `KVM_SEV_LAUNCH_START` (40 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevLaunchStart {
    /// 0: in: handle of a guest to share keys with (0 = new); out: the new guest's handle.
    pub handle: U32,
    /// 4: guest policy ([`SevPolicy`]).
    pub policy: U32,
    /// 8: user address of the guest owner's PDH certificate.
    pub dh_uaddr: U64,
    /// 16: its length.
    pub dh_len: U32,
    /// 20: padding.
    pub pad0: U32,
    /// 24: user address of the launch session blob.
    pub session_uaddr: U64,
    /// 32: its length.
    pub session_len: U32,
    /// 36: padding.
    pub pad1: U32,
}
assert_offsets!(KvmSevLaunchStart {
    handle: 0,
    policy: 4,
    dh_uaddr: 8,
    dh_len: 16,
    pad0: 20,
    session_uaddr: 24,
    session_len: 32,
    pad1: 36,
});
const _: () = assert!(size_of::<KvmSevLaunchStart>() == 40);

impl KvmSevLaunchStart {
    /// A launch start for `policy`, sharing keys with `handle` (0 = new keys), no certificate
    /// or session yet.
    pub fn new(handle: u32, policy: SevPolicy) -> Self {
        Self {
            handle: U32::new(handle),
            policy: U32::new(policy.bits()),
            ..Self::default()
        }
    }

    /// The policy.
    pub fn policy(&self) -> SevPolicy {
        SevPolicy::from_bits_retain(self.policy.get())
    }
}

/// An address/length pair payload shared by `KVM_SEV_LAUNCH_UPDATE_DATA` and
/// `KVM_SEV_LAUNCH_MEASURE` (`struct kvm_sev_launch_update_data`, `struct
/// kvm_sev_launch_measure`; 16 bytes each).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevLaunchUpdateData {
    /// 0: user address of the memory (guest memory to encrypt, or the measurement buffer; 0
    /// asks LAUNCH_MEASURE for the length).
    pub uaddr: U64,
    /// 8: its length (LAUNCH_MEASURE: in buffer length, out length written or needed).
    pub len: U32,
    /// 12: padding.
    pub pad0: U32,
}
assert_offsets!(KvmSevLaunchUpdateData {
    uaddr: 0,
    len: 8,
    pad0: 12
});
const _: () = assert!(size_of::<KvmSevLaunchUpdateData>() == 16);

/// `struct kvm_sev_launch_measure`: same layout as [`KvmSevLaunchUpdateData`].
pub type KvmSevLaunchMeasure = KvmSevLaunchUpdateData;

impl KvmSevLaunchUpdateData {
    /// A payload naming `len` bytes at user address `uaddr`.
    pub fn new(uaddr: u64, len: u32) -> Self {
        Self {
            uaddr: U64::new(uaddr),
            len: U32::new(len),
            pad0: U32::ZERO,
        }
    }
}

/// Three address/length pairs: `struct kvm_sev_launch_secret`, and with the same layout `struct
/// kvm_sev_send_update_data` and `struct kvm_sev_receive_update_data` (48 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevLaunchSecret {
    /// 0: user address of the packet header.
    pub hdr_uaddr: U64,
    /// 8: its length.
    pub hdr_len: U32,
    /// 12: padding.
    pub pad0: U32,
    /// 16: user address of the guest memory.
    pub guest_uaddr: U64,
    /// 24: its length.
    pub guest_len: U32,
    /// 28: padding.
    pub pad1: U32,
    /// 32: user address of the transport (encrypted) buffer.
    pub trans_uaddr: U64,
    /// 40: its length.
    pub trans_len: U32,
    /// 44: padding.
    pub pad2: U32,
}
assert_offsets!(KvmSevLaunchSecret {
    hdr_uaddr: 0,
    hdr_len: 8,
    pad0: 12,
    guest_uaddr: 16,
    guest_len: 24,
    pad1: 28,
    trans_uaddr: 32,
    trans_len: 40,
    pad2: 44,
});
const _: () = assert!(size_of::<KvmSevLaunchSecret>() == 48);

/// `struct kvm_sev_send_update_data`: same layout as [`KvmSevLaunchSecret`] (header and
/// transport are written, guest memory read).
pub type KvmSevSendUpdateData = KvmSevLaunchSecret;
/// `struct kvm_sev_receive_update_data`: same layout as [`KvmSevLaunchSecret`].
pub type KvmSevReceiveUpdateData = KvmSevLaunchSecret;

impl KvmSevLaunchSecret {
    /// A payload from three (user address, length) pairs: header, guest memory, transport.
    pub fn new(hdr: (u64, u32), guest: (u64, u32), trans: (u64, u32)) -> Self {
        Self {
            hdr_uaddr: U64::new(hdr.0),
            hdr_len: U32::new(hdr.1),
            guest_uaddr: U64::new(guest.0),
            guest_len: U32::new(guest.1),
            trans_uaddr: U64::new(trans.0),
            trans_len: U32::new(trans.1),
            ..Self::default()
        }
    }
}

/// `struct kvm_sev_guest_status`: the output of `KVM_SEV_GUEST_STATUS` (12 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevGuestStatus {
    /// 0: guest handle.
    pub handle: U32,
    /// 4: guest policy.
    pub policy: U32,
    /// 8: guest state ([`SevGuestState`]).
    pub state: U32,
}
assert_offsets!(KvmSevGuestStatus {
    handle: 0,
    policy: 4,
    state: 8
});
const _: () = assert!(size_of::<KvmSevGuestStatus>() == 12);

impl KvmSevGuestStatus {
    /// The policy.
    pub fn policy(&self) -> SevPolicy {
        SevPolicy::from_bits_retain(self.policy.get())
    }

    /// The state.
    pub fn state(&self) -> SevGuestState {
        SevGuestState::from_raw(self.state.get())
    }
}

/// `struct kvm_sev_dbg`: the payload of `KVM_SEV_DBG_DECRYPT` / `KVM_SEV_DBG_ENCRYPT` (24 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevDbg {
    /// 0: source user address.
    pub src_uaddr: U64,
    /// 8: destination user address.
    pub dst_uaddr: U64,
    /// 16: length.
    pub len: U32,
    /// 20: padding.
    pub pad0: U32,
}
assert_offsets!(KvmSevDbg {
    src_uaddr: 0,
    dst_uaddr: 8,
    len: 16,
    pad0: 20
});
const _: () = assert!(size_of::<KvmSevDbg>() == 24);

/// `struct kvm_sev_attestation_report`: the payload of `KVM_SEV_GET_ATTESTATION_REPORT`
/// (32 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevAttestationReport {
    /// 0: caller nonce.
    pub mnonce: [u8; 16],
    /// 16: user address of the report buffer (0 asks for the length).
    pub uaddr: U64,
    /// 24: in: buffer length; out: length written or needed.
    pub len: U32,
    /// 28: padding.
    pub pad0: U32,
}
assert_offsets!(KvmSevAttestationReport {
    mnonce: 0,
    uaddr: 16,
    len: 24,
    pad0: 28
});
const _: () = assert!(size_of::<KvmSevAttestationReport>() == 32);

/// `struct kvm_sev_send_start`: the payload of `KVM_SEV_SEND_START` (72 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevSendStart {
    /// 0: out: guest policy.
    pub policy: U32,
    /// 4: padding.
    pub pad0: U32,
    /// 8: user address of the target's PDH certificate.
    pub pdh_cert_uaddr: U64,
    /// 16: its length.
    pub pdh_cert_len: U32,
    /// 20: padding.
    pub pad1: U32,
    /// 24: user address of the target's platform certificates.
    pub plat_certs_uaddr: U64,
    /// 32: their length.
    pub plat_certs_len: U32,
    /// 36: padding.
    pub pad2: U32,
    /// 40: user address of the AMD certificates.
    pub amd_certs_uaddr: U64,
    /// 48: their length.
    pub amd_certs_len: U32,
    /// 52: padding.
    pub pad3: U32,
    /// 56: user address of the session buffer (out; 0 asks for the length).
    pub session_uaddr: U64,
    /// 64: in: buffer length; out: length written or needed.
    pub session_len: U32,
    /// 68: padding.
    pub pad4: U32,
}
assert_offsets!(KvmSevSendStart {
    policy: 0,
    pad0: 4,
    pdh_cert_uaddr: 8,
    pdh_cert_len: 16,
    pad1: 20,
    plat_certs_uaddr: 24,
    plat_certs_len: 32,
    pad2: 36,
    amd_certs_uaddr: 40,
    amd_certs_len: 48,
    pad3: 52,
    session_uaddr: 56,
    session_len: 64,
    pad4: 68,
});
const _: () = assert!(size_of::<KvmSevSendStart>() == 72);

/// `struct kvm_sev_receive_start`: the payload of `KVM_SEV_RECEIVE_START` (40 bytes; the same
/// shape as [`KvmSevLaunchStart`] with the fields named `pdh_*`).
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KvmSevReceiveStart {
    /// 0: in/out: guest handle.
    pub handle: U32,
    /// 4: guest policy.
    pub policy: U32,
    /// 8: user address of the source's PDH certificate.
    pub pdh_uaddr: U64,
    /// 16: its length.
    pub pdh_len: U32,
    /// 20: padding.
    pub pad0: U32,
    /// 24: user address of the session blob.
    pub session_uaddr: U64,
    /// 32: its length.
    pub session_len: U32,
    /// 36: padding.
    pub pad1: U32,
}
assert_offsets!(KvmSevReceiveStart {
    handle: 0,
    policy: 4,
    pdh_uaddr: 8,
    pdh_len: 16,
    pad0: 20,
    session_uaddr: 24,
    session_len: 32,
    pad1: 36,
});
const _: () = assert!(size_of::<KvmSevReceiveStart>() == 40);
