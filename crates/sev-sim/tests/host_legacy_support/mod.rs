//! Shared by the `host_legacy*` tests: the guest owner's and verifier's side, done with
//! `sev-verify` (an independent implementation of the formulas the simulator uses).
#![allow(dead_code)]

use sev_sim::host::{HostConfig, SimHost, sim_ark, sim_ask};
use sev_sys::Error;
use sev_sys::seam::PlatformDevice;
use sev_types::Product;
use sev_types::legacy::{AmdCertChain, AmdCertificate, PlatformChain, SevCertificate};
use sev_types::status::FirmwareStatus;
use sev_verify::crypto::{CryptoProvider, default_provider};
use sev_verify::legacy::{LegacyError, PlatformVersion, verify_amd_chain, verify_cek, verify_platform_links};

/// The verifier's crypto provider.
pub fn provider() -> CryptoProvider {
    default_provider()
}

/// A simulated machine of `product` whose chip ID starts with `tag`.
pub fn machine(product: Product, tag: u8) -> SimHost {
    let mut config = HostConfig::new(product);
    config.guest_template.chip_id[0] = tag;
    SimHost::new(config)
}

/// The simulator's ARK/ASK pair.
pub fn sim_amd() -> AmdCertChain<'static> {
    AmdCertChain {
        ask: AmdCertificate::from_bytes(sim_ask()).unwrap(),
        ark: AmdCertificate::from_bytes(sim_ark()).unwrap(),
    }
}

/// PDH_CERT_EXPORT: `(pdh, chain)`.
pub fn export(host: &mut SimHost) -> (Vec<u8>, Vec<u8>) {
    let e = host.pdh_cert_export().unwrap();
    (e.pdh, e.chain)
}

/// The whole chain ARK → ASK → CEK → PEK (← OCA) → PDH, pinned to the simulator's ARK.
pub fn verify_under_sim(pdh: &[u8], chain: &[u8]) -> Result<(), LegacyError> {
    let p = provider();
    let amd = sim_amd();
    let pdh = SevCertificate::from_bytes(pdh).unwrap();
    let chain = PlatformChain::from_bytes(chain).unwrap();
    verify_amd_chain(&p, &amd)?;
    verify_cek(&p, &chain.cek, &amd.ask)?;
    verify_platform_links(&p, &pdh, &chain)
}

/// The firmware version PLATFORM_STATUS reports, as the guest owner's measurement check takes it.
pub fn version(host: &mut SimHost) -> PlatformVersion {
    let s = host.platform_status().unwrap();
    PlatformVersion {
        api_major: s.api_major,
        api_minor: s.api_minor,
        build: s.build,
    }
}

/// The firmware status of a failed command, with the errno the kernel returns with it (EIO).
pub fn fw_status(e: &Error) -> Option<FirmwareStatus> {
    if e.firmware_status().is_some() {
        assert_eq!(e.errno(), Some(5), "a firmware failure is EIO: {e}");
    }
    e.firmware_status()
}
