//! The host: platform management through `/dev/sev` and guest launch over KVM (`sev-host`).
//!
//! [`Platform`] and [`platform`] cover both generations' platform commands; [`real`] opens the
//! real devices. [`launch`] holds the typestate launchers: the SEV / SEV-ES one with feature
//! `sev`, the SNP one with feature `snp`.

pub use sev_host::{HostError, Platform, platform, real};

/// Typestate guest launchers (`sev_host::launch`), by generation.
pub mod launch {
    pub use sev_host::launch::ovmf;
    pub use sev_host::launch::{Finished, GHCB_VERSION_MAX, GuestMemoryLayout, Measured, New, PAGE_SIZE, Started};

    #[cfg(feature = "snp")]
    pub use sev_host::launch::{
        ID_AUTH_SIZE, ID_BLOCK_SIZE, IdBlockPair, KNOWN_SNP_FEATURES, Retry, SnpFinish, SnpInit, SnpLauncher, SnpStart,
        UpdateStats, snp_launch_update_all,
    };
    #[cfg(feature = "sev")]
    pub use sev_host::launch::{KNOWN_ES_FEATURES, SevInit, SevLauncher, SevMode, SevStart};
}
