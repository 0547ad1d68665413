//! The device seam: one trait per kernel device, one typed method per command.
//!
//! Code above this seam (host tooling, guest attestation) is written against these traits, so a
//! simulator can stand in for the real devices in tests on any machine. The real Linux devices
//! implement them ([`crate::SevDevice`], [`crate::SevVm`]; `/dev/sev-guest`'s seam is
//! [`crate::GuestTransport`]); the traits themselves compile on every OS.
//!
//! ```
//! use sev_sys::traits::PlatformDevice;
//! use sev_sys::Error;
//!
//! /// Platform logic written once, runnable against hardware or a simulator.
//! fn snp_ready(dev: &mut impl PlatformDevice) -> Result<bool, Error> {
//!     Ok(dev.snp_platform_status()?.is_rmp_initialized())
//! }
//! ```

use sev_types::guest::VlekHashstick;
use sev_types::platform::{SevUserDataStatus, SnpConfig, SnpPlatformStatus};

use crate::error::Error;
use crate::uapi::{KvmSevGuestStatus, KvmSevInit, KvmSevSnpLaunchStart};

/// Granularity of the extended report's certificate buffer (guest pages).
pub const CERTS_PAGE_SIZE: usize = 4096;

/// `/dev/sev`: platform commands.
pub trait PlatformDevice {
    /// `SEV_PLATFORM_STATUS`.
    fn platform_status(&mut self) -> Result<SevUserDataStatus, Error>;
    /// `SEV_FACTORY_RESET`.
    fn factory_reset(&mut self) -> Result<(), Error>;
    /// `SEV_PEK_GEN`.
    fn pek_gen(&mut self) -> Result<(), Error>;
    /// `SEV_PEK_CSR`.
    fn pek_csr(&mut self) -> Result<Vec<u8>, Error>;
    /// `SEV_PDH_GEN`.
    fn pdh_gen(&mut self) -> Result<(), Error>;
    /// `SEV_PDH_CERT_EXPORT`: (PDH certificate, certificate chain).
    fn pdh_cert_export(&mut self) -> Result<(Vec<u8>, Vec<u8>), Error>;
    /// `SEV_PEK_CERT_IMPORT`.
    fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error>;
    /// `SEV_GET_ID2`.
    fn get_id(&mut self) -> Result<Vec<u8>, Error>;
    /// `SNP_PLATFORM_STATUS`.
    fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, Error>;
    /// `SNP_COMMIT`.
    fn snp_commit(&mut self) -> Result<(), Error>;
    /// `SNP_SET_CONFIG`.
    fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), Error>;
    /// `SNP_VLEK_LOAD`.
    fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), Error>;
}

// `/dev/sev-guest` has no trait here: its seam is [`crate::GuestTransport`] (one call per
// ioctl, payloads as bytes), implemented by [`crate::SevGuestDevice`]; report, extended
// report and derived-key logic is written once above it (the `snp-guest` crate).

/// KVM's SEV commands on one VM (`KVM_MEMORY_ENCRYPT_OP` and guest_memfd plumbing).
pub trait LaunchDevice {
    /// `KVM_SEV_INIT2`.
    fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_START`: returns the guest handle.
    fn launch_start(&mut self, handle: u32, policy: u32, dh_cert: &[u8], session: &[u8]) -> Result<u32, Error>;
    /// `KVM_SEV_LAUNCH_UPDATE_DATA`.
    fn launch_update_data(&mut self, guest_memory: &mut [u8]) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_UPDATE_VMSA`.
    fn launch_update_vmsa(&mut self) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_MEASURE`.
    fn launch_measure(&mut self) -> Result<Vec<u8>, Error>;
    /// `KVM_SEV_LAUNCH_SECRET`.
    fn launch_secret(&mut self, header: &[u8], guest_memory: &mut [u8], transport: &[u8]) -> Result<(), Error>;
    /// `KVM_SEV_LAUNCH_FINISH`.
    fn launch_finish(&mut self) -> Result<(), Error>;
    /// `KVM_SEV_GUEST_STATUS`.
    fn guest_status(&mut self) -> Result<KvmSevGuestStatus, Error>;
    /// `KVM_SEV_SNP_LAUNCH_START`.
    fn snp_launch_start(&mut self, start: &KvmSevSnpLaunchStart) -> Result<(), Error>;
    /// `KVM_SEV_SNP_LAUNCH_UPDATE` over the whole of `src`.
    fn snp_launch_update(
        &mut self,
        gfn_start: u64,
        page_type: sev_types::launch::snp::KvmPageType,
        src: &mut [u8],
    ) -> Result<(), Error>;
    /// `KVM_SEV_SNP_LAUNCH_FINISH` (`id_block` = the 96-byte ID block and 4096-byte ID auth).
    fn snp_launch_finish(
        &mut self,
        id_block: Option<(&[u8; 96], &[u8; 4096])>,
        auth_key_en: bool,
        vcek_disabled: bool,
        host_data: &[u8; 32],
    ) -> Result<(), Error>;
    /// `KVM_SEV_SNP_ENABLE_REQ_CERTS`.
    fn snp_enable_req_certs(&mut self) -> Result<(), Error>;
    /// `KVM_SET_MEMORY_ATTRIBUTES`.
    fn set_memory_attributes(&mut self, address: u64, size: u64, attributes: u64) -> Result<(), Error>;
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;
    use crate::{SevDevice, SevVm, SnpLaunchFinish};

    impl PlatformDevice for SevDevice {
        fn platform_status(&mut self) -> Result<SevUserDataStatus, Error> {
            SevDevice::platform_status(self)
        }
        fn factory_reset(&mut self) -> Result<(), Error> {
            SevDevice::factory_reset(self)
        }
        fn pek_gen(&mut self) -> Result<(), Error> {
            SevDevice::pek_gen(self)
        }
        fn pek_csr(&mut self) -> Result<Vec<u8>, Error> {
            SevDevice::pek_csr(self)
        }
        fn pdh_gen(&mut self) -> Result<(), Error> {
            SevDevice::pdh_gen(self)
        }
        fn pdh_cert_export(&mut self) -> Result<(Vec<u8>, Vec<u8>), Error> {
            SevDevice::pdh_cert_export(self).map(|e| (e.pdh, e.chain))
        }
        fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), Error> {
            SevDevice::pek_cert_import(self, pek_cert, oca_cert)
        }
        fn get_id(&mut self) -> Result<Vec<u8>, Error> {
            SevDevice::get_id(self)
        }
        fn snp_platform_status(&mut self) -> Result<SnpPlatformStatus, Error> {
            SevDevice::snp_platform_status(self)
        }
        fn snp_commit(&mut self) -> Result<(), Error> {
            SevDevice::snp_commit(self)
        }
        fn snp_set_config(&mut self, config: &SnpConfig) -> Result<(), Error> {
            SevDevice::snp_set_config(self, config)
        }
        fn snp_vlek_load(&mut self, hashstick: &VlekHashstick) -> Result<(), Error> {
            SevDevice::snp_vlek_load(self, hashstick)
        }
    }

    impl LaunchDevice for SevVm<'_> {
        fn sev_init2(&mut self, init: &KvmSevInit) -> Result<(), Error> {
            SevVm::sev_init2(self, init)
        }
        fn launch_start(&mut self, handle: u32, policy: u32, dh_cert: &[u8], session: &[u8]) -> Result<u32, Error> {
            SevVm::launch_start(self, handle, policy, dh_cert, session)
        }
        fn launch_update_data(&mut self, guest_memory: &mut [u8]) -> Result<(), Error> {
            SevVm::launch_update_data(self, guest_memory)
        }
        fn launch_update_vmsa(&mut self) -> Result<(), Error> {
            SevVm::launch_update_vmsa(self)
        }
        fn launch_measure(&mut self) -> Result<Vec<u8>, Error> {
            SevVm::launch_measure(self)
        }
        fn launch_secret(&mut self, header: &[u8], guest_memory: &mut [u8], transport: &[u8]) -> Result<(), Error> {
            SevVm::launch_secret(self, header, guest_memory, transport)
        }
        fn launch_finish(&mut self) -> Result<(), Error> {
            SevVm::launch_finish(self)
        }
        fn guest_status(&mut self) -> Result<KvmSevGuestStatus, Error> {
            SevVm::guest_status(self)
        }
        fn snp_launch_start(&mut self, start: &KvmSevSnpLaunchStart) -> Result<(), Error> {
            SevVm::snp_launch_start(self, start)
        }
        fn snp_launch_update(
            &mut self,
            gfn_start: u64,
            page_type: sev_types::launch::snp::KvmPageType,
            src: &mut [u8],
        ) -> Result<(), Error> {
            SevVm::snp_launch_update(self, gfn_start, page_type, src)
        }
        fn snp_launch_finish(
            &mut self,
            id_block: Option<(&[u8; 96], &[u8; 4096])>,
            auth_key_en: bool,
            vcek_disabled: bool,
            host_data: &[u8; 32],
        ) -> Result<(), Error> {
            SevVm::snp_launch_finish(
                self,
                &SnpLaunchFinish {
                    id_block,
                    auth_key_en,
                    vcek_disabled,
                    host_data: *host_data,
                },
            )
        }
        fn snp_enable_req_certs(&mut self) -> Result<(), Error> {
            SevVm::snp_enable_req_certs(self)
        }
        fn set_memory_attributes(&mut self, address: u64, size: u64, attributes: u64) -> Result<(), Error> {
            SevVm::set_memory_attributes(self, address, size, attributes)
        }
    }
}
