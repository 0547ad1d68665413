//! Choosing an interface: configfs-tsm when its provider is `sev_guest`, else `/dev/sev-guest`;
//! when neither works, an error that says what was tried and why each failed.

use std::path::{Path, PathBuf};

use sev_sys::{SevGuestDevice, StdTsmFs};

use crate::configfs::{SEV_GUEST_PROVIDER, TsmClient};
use crate::error::GuestError;
use crate::evidence::{Evidence, EvidenceSource};
use crate::ioctl::GuestClient;

/// The interface [`open_auto`] chose.
#[derive(Debug)]
pub enum AutoSource {
    /// configfs-tsm, with its `privlevel_floor` (the lowest VMPL this guest may ask for).
    Configfs(TsmClient<StdTsmFs>, u32),
    /// The `/dev/sev-guest` ioctls.
    Ioctl(GuestClient<SevGuestDevice>),
}

impl AutoSource {
    /// The lowest VMPL this guest may ask for: configfs-tsm's `privlevel_floor`, else 0 (the
    /// ioctl interface does not tell; the firmware answers INVALID_PARAM below the guest's own).
    pub fn vmpl_floor(&self) -> u32 {
        match self {
            AutoSource::Configfs(_, floor) => *floor,
            AutoSource::Ioctl(_) => 0,
        }
    }
}

impl EvidenceSource for AutoSource {
    type Error = GuestError;

    fn evidence(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, GuestError> {
        match self {
            AutoSource::Configfs(c, _) => Ok(c.report(user_data, vmpl)?),
            AutoSource::Ioctl(c) => c.ext_report(user_data, vmpl),
        }
    }
}

/// Neither interface is usable: what was tried, and why each failed.
#[derive(Debug, thiserror::Error)]
#[error(
    "no SEV-SNP guest interface: configfs-tsm at {}: {configfs}; {}: {ioctl}",
    configfs_root.display(),
    device.display()
)]
pub struct NoInterface {
    /// The configfs-tsm report root tried.
    pub configfs_root: PathBuf,
    /// Why configfs-tsm cannot be used.
    pub configfs: String,
    /// The device node tried.
    pub device: PathBuf,
    /// Why the device cannot be used, with its diagnosis.
    pub ioctl: String,
}

/// [`open_auto_at`] with the kernel's paths.
pub fn open_auto() -> Result<AutoSource, NoInterface> {
    open_auto_at(StdTsmFs::DEFAULT_ROOT, SevGuestDevice::PATH)
}

/// Prefers configfs-tsm at `configfs_root` when it works and its provider is `sev_guest`
/// (creating and removing a probe entry), else opens `device`.
///
/// ```
/// let dir = std::env::temp_dir().join("snp-guest-auto-doc");
/// let err = snp_guest::auto::open_auto_at(dir.join("no/tsm/report"), dir.join("no-sev-guest")).unwrap_err();
/// assert!(err.to_string().contains("no SEV-SNP guest interface"));
/// assert!(err.ioctl.contains("absent"));
/// ```
pub fn open_auto_at(configfs_root: impl AsRef<Path>, device: impl AsRef<Path>) -> Result<AutoSource, NoInterface> {
    let configfs_root = configfs_root.as_ref().to_path_buf();
    let device = device.as_ref().to_path_buf();
    let mut client = TsmClient::at(&configfs_root);
    let probe = client.probe();
    let configfs = match (&probe.problem, probe.provider.as_deref()) {
        (None, Some(SEV_GUEST_PROVIDER)) => {
            return Ok(AutoSource::Configfs(client, probe.privlevel_floor.unwrap_or(0)));
        }
        (None, other) => format!("provider is {other:?}, not {SEV_GUEST_PROVIDER:?}"),
        (Some(p), _) => p.to_string(),
    };
    match GuestClient::open_path(&device) {
        Ok(c) => Ok(AutoSource::Ioctl(c)),
        Err(e) => Err(NoInterface {
            configfs_root,
            configfs,
            device,
            ioctl: format!("{e} ({})", e.diagnosis()),
        }),
    }
}
