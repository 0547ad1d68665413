//! The SNP platform: SNP_PLATFORM_STATUS, SNP_COMMIT, SNP_SET_CONFIG and SNP_VLEK_LOAD.
//!
//! The machine's [`GuestConfig`](crate::GuestConfig) template is the platform's state: its
//! firmware version is the API version, its TCBs are the current / committed / reported TCB,
//! its masks and endorser are the SNP_SET_CONFIG masks and the loaded VLEK. So a command that
//! changes the platform changes the template, and every report served afterwards shows it.

use sev_sys::Error;
use sev_types::guest::VlekHashstick;
use sev_types::platform::{MaskId, SnpConfig, SnpPlatformFlags, SnpPlatformStatus, SnpStatusBits};
use sev_types::platform_info::PlatformInfo;
use sev_types::status::FirmwareStatus;
use sev_types::tcb::{RawTcb, TcbVersion};
use sev_types::{U32, U64};

use super::errors::firmware;
use super::vlek;
use crate::config::Endorser;
use crate::host::platform::HostConfig;

/// SNP state byte of SNP_PLATFORM_STATUS: INIT (the machine initialises SNP at boot).
const STATE_INIT: u8 = 1;

/// What the platform keeps beyond the guest template: live guest contexts and a launch counter.
#[derive(Debug)]
pub(crate) struct SnpPlatform {
    guests: u32,
    launches: u64,
}

/// Whether every component (byte) of `tcb` is at most the same component of `limit`.
pub(super) fn tcb_at_most(tcb: TcbVersion, limit: TcbVersion) -> bool {
    tcb.to_le_bytes().iter().zip(limit.to_le_bytes()).all(|(t, l)| *t <= l)
}

fn raw(t: TcbVersion) -> RawTcb {
    RawTcb(U64::new(t.0))
}

impl SnpPlatform {
    pub(crate) fn new(_config: &HostConfig) -> Self {
        SnpPlatform { guests: 0, launches: 0 }
    }

    /// A guest context was created (SNP_LAUNCH_START): counts it and returns its serial number.
    pub(super) fn guest_created(&mut self) -> u64 {
        self.guests = self.guests.saturating_add(1);
        self.launches = self.launches.wrapping_add(1);
        self.launches
    }

    /// A guest context was decommissioned (its VM went away).
    pub(super) fn guest_destroyed(&mut self) {
        self.guests = self.guests.saturating_sub(1);
    }

    /// SNP_PLATFORM_STATUS, from the template's firmware version, TCBs, masks and endorser.
    pub(crate) fn status(&mut self, config: &HostConfig) -> Result<SnpPlatformStatus, Error> {
        let t = &config.guest_template;
        let info = PlatformInfo::from_bits_retain(t.platform_info);
        let mut bits = SnpStatusBits::IS_RMP_INITIALIZED;
        bits.set(
            SnpStatusBits::ALIAS_CHECK_COMPLETE,
            info.contains(PlatformInfo::ALIAS_CHECK_COMPLETE),
        );
        let mut flags = SnpPlatformFlags::empty();
        flags.set(SnpPlatformFlags::MASK_CHIP_ID, t.mask_chip_id);
        flags.set(SnpPlatformFlags::MASK_CHIP_KEY, t.mask_chip_key);
        flags.set(SnpPlatformFlags::VLEK_EN, matches!(t.endorser, Endorser::Vlek { .. }));
        flags.set(SnpPlatformFlags::RAPL_DIS, info.contains(PlatformInfo::RAPL_DIS));
        flags.set(
            SnpPlatformFlags::CIPHERTEXT_HIDING_EN,
            info.contains(PlatformInfo::CIPHERTEXT_HIDING_EN),
        );
        let (major, minor, build) = t.current_version;
        Ok(SnpPlatformStatus {
            api_major: major,
            api_minor: minor,
            state: STATE_INIT,
            status_bits: bits.bits(),
            build_id: U32::new(u32::from(build)),
            flags: U32::new(flags.bits()),
            guest_count: U32::new(self.guests),
            current_tcb: raw(t.current_tcb),
            reported_tcb: raw(t.reported_tcb),
        })
    }

    /// SNP_COMMIT: the running firmware and TCB become the committed (anti-rollback) ones.
    pub(crate) fn commit(&mut self, config: &mut HostConfig) -> Result<(), Error> {
        let t = &mut config.guest_template;
        t.committed_tcb = t.current_tcb;
        t.committed_version = t.current_version;
        Ok(())
    }

    /// SNP_SET_CONFIG: a reported TCB above the current one in any component, an unknown
    /// MASK_ID bit or a non-zero reserved byte is refused with INVALID_PARAM; otherwise the
    /// reported TCB and both masks replace the platform's.
    pub(crate) fn set_config(&mut self, config: &mut HostConfig, c: &SnpConfig) -> Result<(), Error> {
        const OP: &str = "SEV_ISSUE_CMD(SNP_SET_CONFIG)";
        let t = &mut config.guest_template;
        let mask = c.mask_id();
        let known = MaskId::MASK_CHIP_ID | MaskId::MASK_CHIP_KEY;
        if !known.contains(mask) || c.reserved.iter().any(|&b| b != 0) || !tcb_at_most(c.reported_tcb(), t.current_tcb)
        {
            return Err(firmware(OP, FirmwareStatus::InvalidParam));
        }
        t.reported_tcb = c.reported_tcb();
        t.mask_chip_id = mask.contains(MaskId::MASK_CHIP_ID);
        t.mask_chip_key = mask.contains(MaskId::MASK_CHIP_KEY);
        Ok(())
    }

    /// SNP_VLEK_LOAD: the hashstick must be one [`wrap_vlek_hashstick`](super::wrap_vlek_hashstick)
    /// made for this chip at the platform's reported TCB; reports are VLEK-signed afterwards.
    pub(crate) fn vlek_load(&mut self, config: &mut HostConfig, h: &VlekHashstick) -> Result<(), Error> {
        const OP: &str = "SEV_ISSUE_CMD(SNP_VLEK_LOAD)";
        let t = &mut config.guest_template;
        let csp_id = vlek::unwrap(h, &t.chip_id, t.reported_tcb).map_err(|s| firmware(OP, s))?;
        t.endorser = Endorser::Vlek { csp_id };
        Ok(())
    }
}
