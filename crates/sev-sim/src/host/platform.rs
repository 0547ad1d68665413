//! [`SimHost`]: one simulated machine, and its `/dev/sev` commands.

use std::sync::{Arc, Mutex, MutexGuard};

use sev_sys::Error;
use sev_sys::seam::{PdhCertExport, PlatformDevice};
use sev_types::Product;
use sev_types::guest::VlekHashstick;
use sev_types::platform::{SevUserDataStatus, SnpConfig, SnpPlatformStatus};

use super::legacy::LegacyPlatform;
use super::snp::SnpPlatform;
use crate::GuestConfig;

/// What a simulated machine is: its product, chip and firmware, as the guests it launches will
/// report them.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The template for the guests' reports: product, CHIP_ID, TCBs, firmware versions and
    /// PLATFORM_INFO. Launch-specific fields (measurement, policy, host data, IDs) are
    /// overwritten by each launch.
    pub guest_template: GuestConfig,
}

impl HostConfig {
    /// A machine of `product` with [`GuestConfig::new`]'s chip, TCB and firmware.
    pub fn new(product: Product) -> Self {
        HostConfig {
            guest_template: GuestConfig::new(product),
        }
    }
}

/// The state behind every handle of one simulated machine.
#[derive(Debug)]
pub(crate) struct HostState {
    pub(crate) config: HostConfig,
    pub(crate) legacy: LegacyPlatform,
    pub(crate) snp: SnpPlatform,
}

/// One simulated machine: its `/dev/sev` ([`PlatformDevice`]) and the VMs it launches.
///
/// ```
/// use sev_sim::host::{HostConfig, SimHost};
/// use sev_sys::seam::PlatformDevice;
/// use sev_types::Product;
///
/// let mut host = SimHost::new(HostConfig::new(Product::Genoa));
/// assert!(host.snp_platform_status().unwrap().is_rmp_initialized());
/// ```
#[derive(Debug, Clone)]
pub struct SimHost {
    state: Arc<Mutex<HostState>>,
}

impl SimHost {
    /// A machine configured by `config`, with SNP initialised and the SEV platform in INIT.
    pub fn new(config: HostConfig) -> Self {
        let legacy = LegacyPlatform::new(&config);
        let snp = SnpPlatform::new(&config);
        SimHost {
            state: Arc::new(Mutex::new(HostState { config, legacy, snp })),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, HostState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new SEV (`es == false`) or SEV-ES VM on this machine.
    pub fn create_sev_vm(&self, es: bool) -> SimSevVm {
        SimSevVm::new(self.clone(), es)
    }

    /// A new SNP VM on this machine.
    pub fn create_snp_vm(&self) -> SimSnpVm {
        SimSnpVm::new(self.clone())
    }
}

use super::{SimSevVm, SimSnpVm};

impl PlatformDevice for SimHost {
    fn platform_status(&mut self) -> Result<SevUserDataStatus, Error> {
        let s = &mut *self.lock();
        s.legacy.platform_status(&s.config)
    }
    fn factory_reset(&mut self) -> Result<(), Error> {
        let s = &mut *self.lock();
        s.legacy.factory_reset(&s.config)
    }
    fn pek_gen(&mut self) -> Result<(), Error> {
        self.lock().legacy.pek_gen()
    }
    fn pek_csr(&mut self) -> Result<Vec<u8>, Error> {
        self.lock().legacy.pek_csr()
    }
    fn pdh_gen(&mut self) -> Result<(), Error> {
        self.lock().legacy.pdh_gen()
    }
    fn pdh_cert_export(&mut self) -> Result<PdhCertExport, Error> {
        self.lock().legacy.pdh_cert_export()
    }
    fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error> {
        self.lock().legacy.pek_cert_import(pek_cert, oca_cert)
    }
    fn get_id(&mut self) -> Result<Vec<u8>, Error> {
        Ok(self.lock().config.guest_template.chip_id.to_vec())
    }
    fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, Error> {
        let s = &mut *self.lock();
        s.snp.status(&s.config)
    }
    fn snp_commit(&mut self) -> Result<(), Error> {
        let s = &mut *self.lock();
        s.snp.commit(&mut s.config)
    }
    fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), Error> {
        let s = &mut *self.lock();
        s.snp.set_config(&mut s.config, config)
    }
    fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), Error> {
        let s = &mut *self.lock();
        s.snp.vlek_load(&mut s.config, hashstick)
    }
}
