//! MSG_KEY_REQ (versions 1 and 2) and MSG_KEY_RSP: keys derived by the firmware from a root key
//! and chosen launch values.
//!
//! ```
//! use sev_types::guest::{GuestFieldSelect, KeyRequest, KeySelect, DerivedKey};
//! let req = KeyRequest::new()
//!     .with_key_select(KeySelect::Vcek)
//!     .with_guest_fields(GuestFieldSelect::MEASUREMENT | GuestFieldSelect::POLICY)
//!     .with_vmpl(1);
//! let v1 = req.to_v1()?;
//! assert_eq!(zerocopy::IntoBytes::as_bytes(&v1)[..12], [2, 0, 0, 0, 0, 0, 0, 0, 0x09, 0, 0, 0]);
//!
//! let mut rsp = [0u8; 64];
//! rsp[0x20..].copy_from_slice(&[0xab; 32]);
//! let key = DerivedKey::from_response(&rsp)?;
//! assert_eq!(key.as_bytes(), &[0xab; 32]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::report::KeySelect;
use super::{assert_offsets, view_exact, view_prefix};
use crate::tcb::{RawTcb, TcbVersion};
use crate::{ParseError, U32, U64};

/// Size of MSG_KEY_REQ version 1 (Linux `snp_derived_key_req`).
pub const REQ_V1_LEN: usize = 0x20;
/// Size of MSG_KEY_REQ version 2 (adds LAUNCH_MIT_VECTOR, ABI 1.58).
pub const REQ_V2_LEN: usize = 0x28;
/// Size of MSG_KEY_RSP (and of Linux' `snp_derived_key_resp`).
pub const RSP_LEN: usize = 0x40;

/// The root key a derived key comes from (bit 0 of the word at 0x00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum RootKeySelect {
    /// 0: the VCEK (chip key).
    #[default]
    Vcek,
    /// 1: the VM root key supplied by a migration agent.
    Vmrk,
}

impl RootKeySelect {
    /// Decodes bit 0 (higher bits ignored).
    pub const fn from_raw(v: u32) -> Self {
        if v & 1 == 0 {
            RootKeySelect::Vcek
        } else {
            RootKeySelect::Vmrk
        }
    }

    /// The bit value.
    pub const fn raw(self) -> u32 {
        match self {
            RootKeySelect::Vcek => 0,
            RootKeySelect::Vmrk => 1,
        }
    }
}

impl fmt::Display for RootKeySelect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RootKeySelect::Vcek => "VCEK",
            RootKeySelect::Vmrk => "VMRK",
        })
    }
}

bitflags::bitflags! {
    /// GUEST_FIELD_SELECT: which launch values are mixed into a derived key.
    ///
    /// Unknown bits (63:7) are kept, never rejected.
    ///
    /// ```
    /// use sev_types::guest::GuestFieldSelect;
    /// let f = GuestFieldSelect::from_bits_retain(0x8000_0000_0000_0028);
    /// assert!(f.contains(GuestFieldSelect::MEASUREMENT | GuestFieldSelect::TCB_VERSION));
    /// assert_eq!(f.reserved_bits(), 0x8000_0000_0000_0000);
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct GuestFieldSelect: u64 {
        /// Bit 0: the guest policy.
        const POLICY = 1 << 0;
        /// Bit 1: IMAGE_ID.
        const IMAGE_ID = 1 << 1;
        /// Bit 2: FAMILY_ID.
        const FAMILY_ID = 1 << 2;
        /// Bit 3: the launch measurement.
        const MEASUREMENT = 1 << 3;
        /// Bit 4: the request's GUEST_SVN.
        const GUEST_SVN = 1 << 4;
        /// Bit 5: the request's TCB_VERSION.
        const TCB_VERSION = 1 << 5;
        /// Bit 6: the request's LAUNCH_MIT_VECTOR (message version 2 only).
        const LAUNCH_MIT_VECTOR = 1 << 6;
    }
}

impl GuestFieldSelect {
    /// Bits no ABI revision defines (63:7).
    pub const RESERVED_MASK: u64 = !0x7F;

    /// Set bits that no ABI revision defines.
    pub const fn reserved_bits(self) -> u64 {
        self.bits() & Self::RESERVED_MASK
    }
}

impl fmt::Display for GuestFieldSelect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.bits())?;
        let mut sep = " (";
        for (name, _) in self.iter_names() {
            write!(f, "{sep}{name}")?;
            sep = ", ";
        }
        if self.reserved_bits() != 0 {
            write!(f, "{sep}reserved bits {:#x}", self.reserved_bits())?;
            sep = ", ";
        }
        if sep == ", " { f.write_str(")") } else { Ok(()) }
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(GuestFieldSelect, u64, |_g, _m| { Ok(()) });

/// MSG_KEY_REQ version 1 (0x20 bytes), the layout of Linux' `snp_derived_key_req`
/// ([`SnpDerivedKeyReq`](super::sev_guest::SnpDerivedKeyReq)). `Default` is all zeros.
#[derive(Debug, Clone, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KeyReqV1 {
    /// 0x00: bit 0 ROOT_KEY_SELECT, bits 2:1 KEY_SEL, 31:3 reserved.
    pub root_key_select: U32,
    /// 0x04: reserved.
    pub reserved_004: U32,
    /// 0x08: GUEST_FIELD_SELECT.
    pub guest_field_select: U64,
    /// 0x10: VMPL.
    pub vmpl: U32,
    /// 0x14: GUEST_SVN.
    pub guest_svn: U32,
    /// 0x18: TCB_VERSION.
    pub tcb_version: RawTcb,
}

assert_offsets!(KeyReqV1 {
    root_key_select: 0x00,
    reserved_004: 0x04,
    guest_field_select: 0x08,
    vmpl: 0x10,
    guest_svn: 0x14,
    tcb_version: 0x18,
});
const _: () = assert!(size_of::<KeyReqV1>() == REQ_V1_LEN);

/// MSG_KEY_REQ version 2 (0x28 bytes): version 1 plus LAUNCH_MIT_VECTOR.
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KeyReqV2 {
    /// 0x00: bit 0 ROOT_KEY_SELECT, bits 2:1 KEY_SEL, 31:3 reserved.
    pub root_key_select: U32,
    /// 0x04: reserved.
    pub reserved_004: U32,
    /// 0x08: GUEST_FIELD_SELECT.
    pub guest_field_select: U64,
    /// 0x10: VMPL.
    pub vmpl: U32,
    /// 0x14: GUEST_SVN.
    pub guest_svn: U32,
    /// 0x18: TCB_VERSION.
    pub tcb_version: RawTcb,
    /// 0x20: LAUNCH_MIT_VECTOR.
    pub launch_mit_vector: U64,
}

assert_offsets!(KeyReqV2 {
    root_key_select: 0x00,
    reserved_004: 0x04,
    guest_field_select: 0x08,
    vmpl: 0x10,
    guest_svn: 0x14,
    tcb_version: 0x18,
    launch_mit_vector: 0x20,
});
const _: () = assert!(size_of::<KeyReqV2>() == REQ_V2_LEN);

macro_rules! key_req_accessors {
    ($ty:ty, $what:literal) => {
        impl $ty {
            /// Views exactly this many bytes as a request.
            pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
                view_exact($what, bytes)
            }

            /// ROOT_KEY_SELECT.
            pub fn root_key(&self) -> RootKeySelect {
                RootKeySelect::from_raw(self.root_key_select.get())
            }

            /// KEY_SEL (bits 2:1).
            pub fn key_select(&self) -> KeySelect {
                KeySelect::from_raw(self.root_key_select.get() >> 1)
            }

            /// Set reserved bits of the word at 0x00 (31:3).
            pub fn reserved_select_bits(&self) -> u32 {
                self.root_key_select.get() & !7
            }

            /// GUEST_FIELD_SELECT.
            pub fn guest_fields(&self) -> GuestFieldSelect {
                GuestFieldSelect::from_bits_retain(self.guest_field_select.get())
            }

            /// VMPL.
            pub fn vmpl(&self) -> u32 {
                self.vmpl.get()
            }

            /// GUEST_SVN.
            pub fn guest_svn(&self) -> u32 {
                self.guest_svn.get()
            }

            /// TCB_VERSION.
            pub fn tcb_version(&self) -> TcbVersion {
                self.tcb_version.get()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&KeyRequest::from(self), f)
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&KeyRequest::from(self), s)
            }
        }
    };
}

key_req_accessors!(KeyReqV1, "MSG_KEY_REQ v1");
key_req_accessors!(KeyReqV2, "MSG_KEY_REQ v2");

/// Reads the [`KeyRequest`] form; fails when the request needs version 2.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for KeyReqV1 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let req = <KeyRequest as serde::Deserialize>::deserialize(d)?;
        req.to_v1().map_err(<D::Error as serde::de::Error>::custom)
    }
}

/// Reads the [`KeyRequest`] form.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for KeyReqV2 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <KeyRequest as serde::Deserialize>::deserialize(d).map(|r| r.to_v2())
    }
}

impl KeyReqV2 {
    /// LAUNCH_MIT_VECTOR.
    pub fn launch_mit_vector(&self) -> u64 {
        self.launch_mit_vector.get()
    }
}

/// A MSG_KEY_REQ asked for a version-2 field but was encoded as version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[error("MSG_KEY_REQ needs version 2: {reason}")]
pub struct NeedsVersion2 {
    /// What needs version 2.
    pub reason: &'static str,
}

/// A derived-key request in plain values, with a builder and encoders for both message versions.
///
/// [`KeyRequest::encode`] picks the smallest version that carries every field;
/// [`KeyRequest::to_v1`] refuses requests that need version 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct KeyRequest {
    /// ROOT_KEY_SELECT.
    pub root_key: RootKeySelect,
    /// KEY_SEL.
    pub key_select: KeySelect,
    /// GUEST_FIELD_SELECT.
    pub guest_fields: GuestFieldSelect,
    /// VMPL (must be at least the requester's).
    pub vmpl: u32,
    /// GUEST_SVN (must not exceed the ID block's).
    pub guest_svn: u32,
    /// TCB_VERSION (must not exceed the committed TCB).
    pub tcb_version: TcbVersion,
    /// LAUNCH_MIT_VECTOR; `Some` forces message version 2.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub launch_mit_vector: Option<u64>,
}

/// An encoded MSG_KEY_REQ of either version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodedKeyReq {
    /// Version 1 (0x20 bytes).
    V1(KeyReqV1),
    /// Version 2 (0x28 bytes).
    V2(KeyReqV2),
}

impl EncodedKeyReq {
    /// The message version (MSG_VERSION in the header, `msg_version` in the Linux ioctl).
    pub fn version(&self) -> u8 {
        match self {
            EncodedKeyReq::V1(_) => 1,
            EncodedKeyReq::V2(_) => 2,
        }
    }

    /// The payload bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            EncodedKeyReq::V1(r) => r.as_bytes(),
            EncodedKeyReq::V2(r) => r.as_bytes(),
        }
    }
}

/// Serialized as `{version, request}`.
#[cfg(feature = "serde")]
impl serde::Serialize for EncodedKeyReq {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("EncodedKeyReq", 2)?;
        st.serialize_field("version", &self.version())?;
        match self {
            EncodedKeyReq::V1(r) => st.serialize_field("request", r)?,
            EncodedKeyReq::V2(r) => st.serialize_field("request", r)?,
        }
        st.end()
    }
}

impl KeyRequest {
    /// A request for a VCEK-rooted key with no launch values mixed in, at VMPL 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets ROOT_KEY_SELECT.
    pub fn with_root_key(mut self, root_key: RootKeySelect) -> Self {
        self.root_key = root_key;
        self
    }

    /// Sets KEY_SEL.
    pub fn with_key_select(mut self, key_select: KeySelect) -> Self {
        self.key_select = key_select;
        self
    }

    /// Sets GUEST_FIELD_SELECT.
    pub fn with_guest_fields(mut self, fields: GuestFieldSelect) -> Self {
        self.guest_fields = fields;
        self
    }

    /// Sets VMPL.
    pub fn with_vmpl(mut self, vmpl: u32) -> Self {
        self.vmpl = vmpl;
        self
    }

    /// Sets GUEST_SVN.
    pub fn with_guest_svn(mut self, svn: u32) -> Self {
        self.guest_svn = svn;
        self
    }

    /// Sets TCB_VERSION.
    pub fn with_tcb_version(mut self, tcb: TcbVersion) -> Self {
        self.tcb_version = tcb;
        self
    }

    /// Sets LAUNCH_MIT_VECTOR (forces message version 2).
    pub fn with_launch_mit_vector(mut self, vector: u64) -> Self {
        self.launch_mit_vector = Some(vector);
        self
    }

    /// The smallest message version that carries every field of this request.
    pub fn min_version(&self) -> u8 {
        if self.needs_v2().is_some() { 2 } else { 1 }
    }

    fn needs_v2(&self) -> Option<NeedsVersion2> {
        if self.launch_mit_vector.is_some() {
            Some(NeedsVersion2 {
                reason: "LAUNCH_MIT_VECTOR is set",
            })
        } else if self.guest_fields.contains(GuestFieldSelect::LAUNCH_MIT_VECTOR) {
            Some(NeedsVersion2 {
                reason: "GUEST_FIELD_SELECT includes LAUNCH_MIT_VECTOR",
            })
        } else {
            None
        }
    }

    fn select_word(&self) -> U32 {
        U32::new(self.root_key.raw() | (self.key_select.raw() << 1))
    }

    /// Encodes as version 1, refusing requests that need version 2.
    pub fn to_v1(&self) -> Result<KeyReqV1, NeedsVersion2> {
        if let Some(e) = self.needs_v2() {
            return Err(e);
        }
        Ok(KeyReqV1 {
            root_key_select: self.select_word(),
            reserved_004: U32::ZERO,
            guest_field_select: U64::new(self.guest_fields.bits()),
            vmpl: U32::new(self.vmpl),
            guest_svn: U32::new(self.guest_svn),
            tcb_version: RawTcb(U64::new(self.tcb_version.0)),
        })
    }

    /// Encodes as version 2 (an unset LAUNCH_MIT_VECTOR encodes as zero).
    pub fn to_v2(&self) -> KeyReqV2 {
        KeyReqV2 {
            root_key_select: self.select_word(),
            reserved_004: U32::ZERO,
            guest_field_select: U64::new(self.guest_fields.bits()),
            vmpl: U32::new(self.vmpl),
            guest_svn: U32::new(self.guest_svn),
            tcb_version: RawTcb(U64::new(self.tcb_version.0)),
            launch_mit_vector: U64::new(self.launch_mit_vector.unwrap_or(0)),
        }
    }

    /// Encodes with [`KeyRequest::min_version`].
    pub fn encode(&self) -> EncodedKeyReq {
        match self.to_v1() {
            Ok(v1) => EncodedKeyReq::V1(v1),
            Err(_) => EncodedKeyReq::V2(self.to_v2()),
        }
    }
}

impl From<&KeyReqV1> for KeyRequest {
    fn from(r: &KeyReqV1) -> Self {
        KeyRequest {
            root_key: r.root_key(),
            key_select: r.key_select(),
            guest_fields: r.guest_fields(),
            vmpl: r.vmpl(),
            guest_svn: r.guest_svn(),
            tcb_version: r.tcb_version(),
            launch_mit_vector: None,
        }
    }
}

impl From<&KeyReqV2> for KeyRequest {
    fn from(r: &KeyReqV2) -> Self {
        KeyRequest {
            root_key: r.root_key(),
            key_select: r.key_select(),
            guest_fields: r.guest_fields(),
            vmpl: r.vmpl(),
            guest_svn: r.guest_svn(),
            tcb_version: r.tcb_version(),
            launch_mit_vector: Some(r.launch_mit_vector()),
        }
    }
}

impl fmt::Display for KeyRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "key request: root {}, key {}, fields {}, vmpl {}, guest_svn {}, tcb {:#018x}",
            self.root_key, self.key_select, self.guest_fields, self.vmpl, self.guest_svn, self.tcb_version.0
        )?;
        if let Some(v) = self.launch_mit_vector {
            write!(f, ", launch_mit_vector {v:#x}")?;
        }
        Ok(())
    }
}

/// MSG_KEY_RSP (0x40 bytes), the layout of Linux' `snp_derived_key_resp`
/// ([`SnpDerivedKeyResp`](super::sev_guest::SnpDerivedKeyResp)).
///
/// An owned value is a response buffer holding a secret: it is wiped on drop, is not `Clone`,
/// and `Debug` does not print the key.
///
/// ```
/// use sev_types::guest::KeyRsp;
/// use zerocopy::{FromZeros, IntoBytes};
/// let mut rsp = KeyRsp::new_zeroed();
/// rsp.as_mut_bytes()[0x20..].copy_from_slice(&[0x5a; 32]); // what the firmware writes
/// assert_eq!(rsp.derived_key()?.as_bytes(), &[0x5a; 32]);
/// assert!(!format!("{rsp:?}").contains("90"), "0x5a = 90 is not printed");
/// # Ok::<(), sev_types::ParseError>(())
/// ```
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct KeyRsp {
    /// 0x00: firmware status.
    pub status: U32,
    /// 0x04: reserved.
    pub reserved: [u8; 28],
    /// 0x20: the derived key.
    pub derived_key: [u8; 32],
}

assert_offsets!(KeyRsp {
    status: 0x00,
    reserved: 0x04,
    derived_key: 0x20
});
const _: () = assert!(size_of::<KeyRsp>() == RSP_LEN);

impl KeyRsp {
    /// Views the first 0x40 bytes of `bytes` as a response.
    pub fn from_prefix(bytes: &[u8]) -> Result<(&Self, &[u8]), ParseError> {
        view_prefix("MSG_KEY_RSP", bytes)
    }

    /// The firmware status.
    pub fn status(&self) -> crate::status::FirmwareStatus {
        crate::status::FirmwareStatus::from_code(self.status.get())
    }

    /// Copies out the key, as [`DerivedKey::from_response`] does (fails unless the status is
    /// SUCCESS).
    pub fn derived_key(&self) -> Result<DerivedKey, ParseError> {
        DerivedKey::from_response(self.as_bytes())
    }
}

impl zeroize::Zeroize for KeyRsp {
    fn zeroize(&mut self) {
        self.status = U32::ZERO;
        self.reserved.zeroize();
        self.derived_key.zeroize();
    }
}

impl Drop for KeyRsp {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self);
    }
}

impl zeroize::ZeroizeOnDrop for KeyRsp {}

impl fmt::Debug for KeyRsp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRsp")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

/// A 256-bit key derived by the firmware. Wiped from memory on drop; neither `Debug` nor
/// `Display` show it, it is not `Copy`, and it does not implement `Serialize` on purpose.
pub struct DerivedKey([u8; 32]);

impl DerivedKey {
    /// Wraps key bytes.
    pub fn new(key: [u8; 32]) -> Self {
        DerivedKey(key)
    }

    /// Parses a MSG_KEY_RSP (the Linux 64-byte `snp_derived_key_resp` buffer) and copies out the
    /// key.
    ///
    /// Fails with [`ParseError::Truncated`] below 0x40 bytes and with [`ParseError::Firmware`]
    /// when the firmware status is not SUCCESS. The caller should wipe `bytes`
    /// afterwards.
    pub fn from_response(bytes: &[u8]) -> Result<Self, ParseError> {
        let (rsp, _) = KeyRsp::from_prefix(bytes)?;
        let status = rsp.status.get();
        if status != 0 {
            return Err(ParseError::Firmware {
                what: "MSG_KEY_RSP",
                status: crate::status::FirmwareStatus::from_code(status),
            });
        }
        Ok(DerivedKey(rsp.derived_key))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl zeroize::Zeroize for DerivedKey {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for DerivedKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl zeroize::ZeroizeOnDrop for DerivedKey {}

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(<redacted>)")
    }
}
