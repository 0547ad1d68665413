//! SEV PLATFORM_STATUS, in the firmware layout and in Linux' re-packed `sev_user_data_status`.
//!
//! ```
//! use sev_types::platform::{PlatformState, SevUserDataStatus};
//! // api 1.55, WORKING, owner + CONFIG_ES, build 21, 3 guests
//! let buf = [1, 55, 2, 0x01, 0x01, 0, 0, 21, 3, 0, 0, 0];
//! let s = SevUserDataStatus::from_bytes(&buf)?.decode();
//! assert_eq!(s.state, PlatformState::Working);
//! assert!(s.externally_owned && s.config_es);
//! assert_eq!((s.build, s.guest_count), (21, 3));
//! assert_eq!(s.to_string(), "SEV API 1.55 build 21, state WORKING, owner external, SEV-ES configured, 3 guests");
//! # Ok::<(), sev_types::ParseError>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::guest::{assert_offsets, view_exact};
use crate::{ParseError, U32};

/// Size of both PLATFORM_STATUS layouts.
pub const STATUS_LEN: usize = 12;

/// The platform (SEV or SNP) state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlatformState {
    /// 0: not initialised.
    Uninit,
    /// 1: initialised.
    Init,
    /// 2: initialised with at least one guest (SEV only).
    Working,
    /// Any other value (kept verbatim).
    Unknown(u8),
}

impl PlatformState {
    /// Decodes the raw byte.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            0 => PlatformState::Uninit,
            1 => PlatformState::Init,
            2 => PlatformState::Working,
            v => PlatformState::Unknown(v),
        }
    }

    /// The raw byte.
    pub const fn raw(self) -> u8 {
        match self {
            PlatformState::Uninit => 0,
            PlatformState::Init => 1,
            PlatformState::Working => 2,
            PlatformState::Unknown(v) => v,
        }
    }

    /// The upper-case name, or `UNKNOWN`.
    pub const fn name(self) -> &'static str {
        match self {
            PlatformState::Uninit => "UNINIT",
            PlatformState::Init => "INIT",
            PlatformState::Working => "WORKING",
            PlatformState::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for PlatformState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlatformState::Unknown(v) => write!(f, "UNKNOWN ({v})"),
            s => f.write_str(s.name()),
        }
    }
}

/// Serialized as the name, or the number when unknown.
#[cfg(feature = "serde")]
impl serde::Serialize for PlatformState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PlatformState::Unknown(v) => s.serialize_u8(*v),
            st => s.serialize_str(st.name()),
        }
    }
}

/// Accepts a name (`"INIT"`, case-insensitive) or a number.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for PlatformState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = PlatformState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a platform state name or number 0..=255")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PlatformState, E> {
                u8::try_from(v)
                    .map(PlatformState::from_raw)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PlatformState, E> {
                u8::try_from(v)
                    .map(PlatformState::from_raw)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PlatformState, E> {
                [PlatformState::Uninit, PlatformState::Init, PlatformState::Working]
                    .into_iter()
                    .find(|s| s.name().eq_ignore_ascii_case(v))
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// PLATFORM_STATUS as the firmware writes it (12 bytes, SEV API §PLATFORM_STATUS).
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct PlatformStatus {
    /// 0x00: API major version.
    pub api_major: u8,
    /// 0x01: API minor version.
    pub api_minor: u8,
    /// 0x02: platform state.
    pub state: u8,
    /// 0x03: bit 0 OWNER (1 = externally owned).
    pub owner: u8,
    /// 0x04: bit 0 CONFIG.ES; bits 31:24 BUILD.
    pub config: U32,
    /// 0x08: number of guests.
    pub guest_count: U32,
}

assert_offsets!(PlatformStatus {
    api_major: 0,
    api_minor: 1,
    state: 2,
    owner: 3,
    config: 4,
    guest_count: 8
});
const _: () = assert!(size_of::<PlatformStatus>() == STATUS_LEN);

impl PlatformStatus {
    /// Views exactly 12 bytes as a firmware PLATFORM_STATUS buffer.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("PLATFORM_STATUS", bytes)
    }

    /// Decodes every field.
    pub fn decode(&self) -> SevStatus {
        let config = self.config.get();
        SevStatus {
            api_major: self.api_major,
            api_minor: self.api_minor,
            state: PlatformState::from_raw(self.state),
            externally_owned: self.owner & 1 != 0,
            config_es: config & 1 != 0,
            build: (config >> 24) as u8,
            guest_count: self.guest_count.get(),
        }
    }
}

impl fmt::Display for PlatformStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.decode(), f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PlatformStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.decode().serialize(s)
    }
}

bitflags::bitflags! {
    /// The `flags` word of Linux' `sev_user_data_status`. Unknown bits are kept.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct LinuxStatusFlags: u32 {
        /// Bit 0: the platform is externally owned.
        const OWNER = 1 << 0;
        /// Bit 8: SEV-ES is configured (`SEV_STATUS_FLAGS_CONFIG_ES`).
        const CONFIG_ES = 1 << 8;
    }
}

#[cfg(feature = "serde")]
crate::flags_serde::flags_serde_impl!(LinuxStatusFlags, u32, |_f, _m| { Ok(()) });

/// PLATFORM_STATUS as Linux returns it through `SEV_ISSUE_CMD` (`sev_user_data_status`, packed,
/// 12 bytes).
#[derive(Debug, Clone, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SevUserDataStatus {
    /// 0: API major version.
    pub api_major: u8,
    /// 1: API minor version.
    pub api_minor: u8,
    /// 2: platform state.
    pub state: u8,
    /// 3: [`LinuxStatusFlags`].
    pub flags: U32,
    /// 7: firmware build.
    pub build: u8,
    /// 8: number of guests.
    pub guest_count: U32,
}

assert_offsets!(SevUserDataStatus {
    api_major: 0,
    api_minor: 1,
    state: 2,
    flags: 3,
    build: 7,
    guest_count: 8
});
const _: () = assert!(size_of::<SevUserDataStatus>() == STATUS_LEN);

impl SevUserDataStatus {
    /// Views exactly 12 bytes as `sev_user_data_status`.
    pub fn from_bytes(bytes: &[u8]) -> Result<&Self, ParseError> {
        view_exact("sev_user_data_status", bytes)
    }

    /// The flags word.
    pub fn flags(&self) -> LinuxStatusFlags {
        LinuxStatusFlags::from_bits_retain(self.flags.get())
    }

    /// Decodes every field.
    pub fn decode(&self) -> SevStatus {
        let flags = self.flags();
        SevStatus {
            api_major: self.api_major,
            api_minor: self.api_minor,
            state: PlatformState::from_raw(self.state),
            externally_owned: flags.contains(LinuxStatusFlags::OWNER),
            config_es: flags.contains(LinuxStatusFlags::CONFIG_ES),
            build: self.build,
            guest_count: self.guest_count.get(),
        }
    }
}

impl fmt::Display for SevUserDataStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.decode(), f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SevUserDataStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let d = self.decode();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("api_major", &d.api_major)?;
        m.serialize_entry("api_minor", &d.api_minor)?;
        m.serialize_entry("state", &d.state)?;
        m.serialize_entry("flags", &self.flags())?;
        m.serialize_entry("build", &d.build)?;
        m.serialize_entry("guest_count", &d.guest_count)?;
        m.end()
    }
}

/// SEV platform status, decoded from either layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SevStatus {
    /// API major version.
    pub api_major: u8,
    /// API minor version.
    pub api_minor: u8,
    /// Platform state.
    pub state: PlatformState,
    /// Whether the platform is externally owned (an OCA was imported).
    pub externally_owned: bool,
    /// Whether SEV-ES is configured.
    pub config_es: bool,
    /// Firmware build.
    pub build: u8,
    /// Number of guests.
    pub guest_count: u32,
}

impl SevStatus {
    /// Encodes in the firmware layout.
    pub fn to_firmware(&self) -> PlatformStatus {
        PlatformStatus {
            api_major: self.api_major,
            api_minor: self.api_minor,
            state: self.state.raw(),
            owner: self.externally_owned.into(),
            config: U32::new(u32::from(self.config_es) | (u32::from(self.build) << 24)),
            guest_count: U32::new(self.guest_count),
        }
    }

    /// Encodes in the Linux layout.
    pub fn to_linux(&self) -> SevUserDataStatus {
        let mut flags = LinuxStatusFlags::empty();
        flags.set(LinuxStatusFlags::OWNER, self.externally_owned);
        flags.set(LinuxStatusFlags::CONFIG_ES, self.config_es);
        SevUserDataStatus {
            api_major: self.api_major,
            api_minor: self.api_minor,
            state: self.state.raw(),
            flags: U32::new(flags.bits()),
            build: self.build,
            guest_count: U32::new(self.guest_count),
        }
    }
}

impl fmt::Display for SevStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SEV API {}.{} build {}, state {}, owner {}, SEV-ES {}, {} guests",
            self.api_major,
            self.api_minor,
            self.build,
            self.state,
            if self.externally_owned { "external" } else { "self" },
            if self.config_es { "configured" } else { "not configured" },
            self.guest_count
        )
    }
}
