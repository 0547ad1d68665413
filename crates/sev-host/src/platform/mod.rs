//! Platform management through `/dev/sev` (or any [`PlatformDevice`], such as the simulator).
//!
//! [`Platform`] wraps a device and gives each command a typed result:
//!
//! * SEV: [`Platform::status`], [`Platform::pek_gen`], [`Platform::pek_csr`],
//!   [`Platform::pdh_gen`], [`Platform::pdh_cert_export`] (a [`PlatformCerts`] that
//!   [`PlatformCerts::verify_chain`] checks), [`Platform::pek_cert_import`],
//!   [`Platform::get_id`], [`Platform::factory_reset`].
//! * Ownership: [`Platform::provision`] with an [`OcaKey`] (generated or loaded from PKCS#8).
//! * SNP: [`Platform::snp_status`] (TCBs decoded for a [`Product`](sev_types::Product)),
//!   [`Platform::snp_commit`], [`Platform::snp_set_config`], [`Platform::snp_reset_config`],
//!   [`Platform::snp_vlek_load`].

mod certs;
mod owner;
mod snp;

use sev_sys::seam::PlatformDevice;
use sev_types::legacy::{Algorithm, PublicKey, SEV_CERT_LEN, SevCertificate, Usage};
use sev_types::platform::{ChipId, SevStatus};
use sev_verify::legacy::PlatformVersion;

pub use certs::{AmdAnchor, PlatformCerts};
pub use owner::{OcaKey, Provisioned};
pub use snp::{SnpConfigRequest, SnpStatus, validate_hashstick};

use crate::error::{DeviceResultExt, HostError, parsed};

/// Bytes of one socket's chip ID in `SEV_GET_ID2` output.
const CHIP_ID_LEN: usize = size_of::<ChipId>();

/// A platform device with typed commands.
///
/// ```
/// use sev_host::platform::Platform;
/// use sev_sim::host::{HostConfig, SimHost};
/// use sev_types::Product;
///
/// let mut platform = Platform::new(SimHost::new(HostConfig::new(Product::Genoa)));
/// let status = platform.snp_status(Product::Genoa)?;
/// assert!(status.raw.is_rmp_initialized());
/// # Ok::<(), sev_host::HostError>(())
/// ```
#[derive(Debug)]
pub struct Platform<D> {
    dev: D,
}

impl<D: PlatformDevice> Platform<D> {
    /// Wraps `dev`.
    pub fn new(dev: D) -> Self {
        Platform { dev }
    }

    /// The device, for commands this wrapper does not cover.
    pub fn device(&mut self) -> &mut D {
        &mut self.dev
    }

    /// Gives the device back.
    pub fn into_inner(self) -> D {
        self.dev
    }

    /// `SEV_PLATFORM_STATUS`, decoded: API version, state, owner, SEV-ES, build, guest count.
    pub fn status(&mut self) -> Result<SevStatus, HostError> {
        Ok(self.dev.platform_status().step("PLATFORM_STATUS")?.decode())
    }

    /// The firmware version a LAUNCH_MEASURE covers, from `SEV_PLATFORM_STATUS` (what a guest
    /// owner needs to check a measurement).
    pub fn platform_version(&mut self) -> Result<PlatformVersion, HostError> {
        let status = self.status()?;
        Ok(PlatformVersion {
            api_major: status.api_major,
            api_minor: status.api_minor,
            build: status.build,
        })
    }

    /// `SEV_PEK_GEN`: a new PEK (and PDH); the platform becomes self-owned again.
    pub fn pek_gen(&mut self) -> Result<(), HostError> {
        self.dev.pek_gen().step("PEK_GEN")
    }

    /// `SEV_PDH_GEN`: a new PDH signed by the current PEK.
    pub fn pdh_gen(&mut self) -> Result<(), HostError> {
        self.dev.pdh_gen().step("PDH_GEN")
    }

    /// `SEV_FACTORY_RESET`: every platform key is regenerated and ownership is cleared.
    pub fn factory_reset(&mut self) -> Result<(), HostError> {
        self.dev.factory_reset().step("FACTORY_RESET")
    }

    /// `SEV_PEK_CSR`: the PEK signing request, checked to be an SEV certificate holding a
    /// P-384 ECDSA PEK.
    pub fn pek_csr(&mut self) -> Result<Box<[u8; SEV_CERT_LEN]>, HostError> {
        let csr = self.dev.pek_csr().step("PEK_CSR")?;
        check_pek_csr(&csr)?;
        let boxed: Box<[u8; SEV_CERT_LEN]> = csr
            .into_boxed_slice()
            .try_into()
            .map_err(|b: Box<[u8]>| HostError::invalid("PEK CSR length", "0x824 bytes", format!("{:#x}", b.len())))?;
        Ok(boxed)
    }

    /// `SEV_PDH_CERT_EXPORT`: the PDH and the PEK, OCA and CEK certificates, each checked to be
    /// an SEV certificate of its usage (signatures are checked by [`PlatformCerts::verify_chain`]).
    pub fn pdh_cert_export(&mut self) -> Result<PlatformCerts, HostError> {
        let export = self.dev.pdh_cert_export().step("PDH_CERT_EXPORT")?;
        PlatformCerts::from_export(&export.pdh, &export.chain)
    }

    /// `SEV_PEK_CERT_IMPORT`: `pek_cert` (the CSR signed by the OCA) and the OCA certificate;
    /// both are checked to be SEV certificates of the right usage before they are sent.
    pub fn pek_cert_import(&mut self, pek_cert: &[u8], oca_cert: &[u8]) -> Result<(), HostError> {
        expect_usage("PEK certificate", pek_cert, Usage::Pek)?;
        expect_usage("OCA certificate", oca_cert, Usage::Oca)?;
        self.dev.pek_cert_import(pek_cert, oca_cert).step("PEK_CERT_IMPORT")
    }

    /// `SEV_GET_ID2`: the chip ID of each socket (a second, all-zero socket is left out).
    pub fn get_id(&mut self) -> Result<Vec<ChipId>, HostError> {
        let bytes = self.dev.get_id().step("GET_ID")?;
        if bytes.is_empty() || bytes.len() % CHIP_ID_LEN != 0 {
            return Err(HostError::invalid(
                "GET_ID output length",
                format!("a non-zero multiple of {CHIP_ID_LEN} bytes"),
                format!("{} bytes", bytes.len()),
            ));
        }
        let mut ids = Vec::new();
        for (i, chunk) in bytes.chunks_exact(CHIP_ID_LEN).enumerate() {
            let id = *parsed("GET_ID chip ID", ChipId::from_bytes(chunk))?;
            if i == 0 || !id.is_zero() {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

/// Parses `bytes` as an SEV certificate whose key usage is `usage`.
pub(crate) fn expect_usage<'a>(
    what: &'static str,
    bytes: &'a [u8],
    usage: Usage,
) -> Result<SevCertificate<'a>, HostError> {
    let cert = parsed(what, SevCertificate::from_bytes(bytes))?;
    if cert.pubkey_usage() != usage {
        return Err(HostError::invalid(
            what,
            format!("key usage {usage}"),
            format!("key usage {}", cert.pubkey_usage()),
        ));
    }
    Ok(cert)
}

/// Checks a PEK CSR: an SEV certificate of usage PEK with a P-384 ECDSA key.
pub(crate) fn check_pek_csr(csr: &[u8]) -> Result<SevCertificate<'_>, HostError> {
    let cert = expect_usage("PEK CSR", csr, Usage::Pek)?;
    if !matches!(cert.pubkey_algo(), Algorithm::EcdsaSha256 | Algorithm::EcdsaSha384) {
        return Err(HostError::invalid(
            "PEK CSR key algorithm",
            "ECDSA",
            cert.pubkey_algo().to_string(),
        ));
    }
    if !matches!(cert.public_key(), PublicKey::Ec(k) if k.p384_sec1_uncompressed().is_some()) {
        return Err(HostError::invalid(
            "PEK CSR key",
            "a P-384 point",
            "another curve or an oversized coordinate",
        ));
    }
    Ok(cert)
}
