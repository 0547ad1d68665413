//! `/dev/sev` platform command buffers: PLATFORM_STATUS, SNP_PLATFORM_STATUS, SNP_SET_CONFIG, GET_ID,
//! and the address-carrying buffers in [`user_data`].
//!
//! Each buffer is a `#[repr(C)]` wire struct viewed in place with `from_bytes`; accessors decode
//! the raw fields and keep unknown values. Where the firmware layout and the Linux userspace
//! layout differ (PLATFORM_STATUS), both are modelled and decode to the same [`SevStatus`].
//!
//! ```
//! use sev_types::platform::{PlatformState, SnpPlatformStatus, SnpPlatformFlags};
//! let mut buf = [0u8; 32];
//! buf[..4].copy_from_slice(&[1, 55, 1, 1]);
//! buf[8] = 0b101; // MASK_CHIP_ID | VLEK_EN
//! let s = SnpPlatformStatus::from_bytes(&buf)?;
//! assert_eq!((s.api_major, s.api_minor, s.state()), (1, 55, PlatformState::Init));
//! assert!(s.is_rmp_initialized());
//! assert_eq!(s.flags(), SnpPlatformFlags::MASK_CHIP_ID | SnpPlatformFlags::VLEK_EN);
//! # Ok::<(), sev_types::ParseError>(())
//! ```

pub mod chip_id;
pub mod snp_config;
pub mod snp_status;
pub mod status;
pub mod user_data;

pub use chip_id::{ChipId, GetId};
pub use snp_config::{MaskId, SnpConfig};
pub use snp_status::{SnpPlatformFlags, SnpPlatformStatus, SnpStatusBits};
pub use status::{LinuxStatusFlags, PlatformState, PlatformStatus, SevStatus, SevUserDataStatus};
