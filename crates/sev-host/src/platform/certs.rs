//! The certificates `SEV_PDH_CERT_EXPORT` returns, and their verification with `sev-verify`.

use sev_types::legacy::{AmdCertChain, AmdCertificate, PlatformChain, SEV_CERT_LEN, SevCertificate, Usage};
use sev_verify::crypto::default_provider;
use sev_verify::legacy::{self, Generation, LegacyError};

use super::expect_usage;
use crate::error::{HostError, parsed};

/// The PDH and the platform chain (PEK, OCA, CEK), each a checked SEV certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformCerts {
    /// The platform Diffie-Hellman certificate.
    pub pdh: Box<[u8; SEV_CERT_LEN]>,
    /// The platform endorsement key, signed by the OCA and the CEK.
    pub pek: Box<[u8; SEV_CERT_LEN]>,
    /// The owner certificate authority (self-signed).
    pub oca: Box<[u8; SEV_CERT_LEN]>,
    /// The chip endorsement key (signed by AMD's ASK when fetched from AMD's KDS).
    pub cek: Box<[u8; SEV_CERT_LEN]>,
}

/// Which AMD keys the CEK must chain to.
#[derive(Debug, Clone, Copy)]
pub enum AmdAnchor<'a> {
    /// One of the AMD ARK/ASK pairs built into `sev-verify` (Naples, Rome, Milan, ...).
    Builtin,
    /// A caller-given ARK and ASK (AMD format), trusted as given: the ARK must be self-signed
    /// and sign the ASK, which must sign the CEK. Use it for a simulator's test keys or an
    /// ASK fetched from AMD's KDS under a root the caller has checked.
    Trusted {
        /// The root key (AMD format).
        ark: &'a [u8],
        /// The signing key (AMD format).
        ask: &'a [u8],
    },
}

fn boxed(what: &'static str, bytes: &[u8], usage: Usage) -> Result<Box<[u8; SEV_CERT_LEN]>, HostError> {
    expect_usage(what, bytes, usage)?;
    let array: [u8; SEV_CERT_LEN] = bytes
        .try_into()
        .map_err(|_| HostError::invalid(what, "0x824 bytes", format!("{:#x} bytes", bytes.len())))?;
    Ok(Box::new(array))
}

fn legacy(what: &'static str) -> impl Fn(LegacyError) -> HostError {
    move |source| HostError::Legacy { what, source }
}

impl PlatformCerts {
    /// Splits a PDH certificate and a `PEK ‖ OCA ‖ CEK` chain, checking each usage.
    pub fn from_export(pdh: &[u8], chain: &[u8]) -> Result<Self, HostError> {
        if chain.len() != PlatformChain::LEN {
            return Err(HostError::invalid(
                "PDH_CERT_EXPORT chain length",
                format!("{:#x} bytes (PEK, OCA, CEK)", PlatformChain::LEN),
                format!("{:#x} bytes", chain.len()),
            ));
        }
        let (pek, rest) = chain.split_at(SEV_CERT_LEN);
        let (oca, cek) = rest.split_at(SEV_CERT_LEN);
        Ok(PlatformCerts {
            pdh: boxed("PDH certificate", pdh, Usage::Pdh)?,
            pek: boxed("PEK certificate", pek, Usage::Pek)?,
            oca: boxed("OCA certificate", oca, Usage::Oca)?,
            cek: boxed("CEK certificate", cek, Usage::Cek)?,
        })
    }

    /// The chain as exported: `PEK ‖ OCA ‖ CEK`.
    pub fn chain_bytes(&self) -> Vec<u8> {
        [&self.pek[..], &self.oca[..], &self.cek[..]].concat()
    }

    /// The PDH certificate, parsed.
    pub fn pdh_cert(&self) -> Result<SevCertificate<'_>, HostError> {
        parsed("PDH certificate", SevCertificate::from_bytes(&self.pdh[..]))
    }

    fn chain(&self) -> Result<PlatformChain<'_>, HostError> {
        Ok(PlatformChain {
            pek: parsed("PEK certificate", SevCertificate::from_bytes(&self.pek[..]))?,
            oca: parsed("OCA certificate", SevCertificate::from_bytes(&self.oca[..]))?,
            cek: parsed("CEK certificate", SevCertificate::from_bytes(&self.cek[..]))?,
        })
    }

    /// Verifies the platform's own links: OCA self-signed, OCA → PEK, CEK → PEK, PEK → PDH.
    pub fn verify_platform_links(&self) -> Result<(), HostError> {
        let provider = default_provider();
        legacy::verify_platform_links(&provider, &self.pdh_cert()?, &self.chain()?)
            .map_err(legacy("platform certificate links"))
    }

    /// Verifies the whole chain: the platform links and the CEK under `anchor`. Returns the
    /// generation of a built-in anchor, `None` for a trusted caller-given pair.
    pub fn verify_chain(&self, anchor: AmdAnchor<'_>) -> Result<Option<Generation>, HostError> {
        let provider = default_provider();
        let (pdh, chain) = (self.pdh_cert()?, self.chain()?);
        match anchor {
            AmdAnchor::Builtin => legacy::verify_platform(&provider, &pdh, &chain)
                .map(Some)
                .map_err(legacy("platform chain under the built-in AMD keys")),
            AmdAnchor::Trusted { ark, ask } => {
                let amd = AmdCertChain {
                    ark: parsed("ARK", AmdCertificate::from_bytes(ark))?,
                    ask: parsed("ASK", AmdCertificate::from_bytes(ask))?,
                };
                legacy::verify_amd_chain(&provider, &amd).map_err(legacy("ARK → ASK"))?;
                legacy::verify_cek(&provider, &chain.cek, &amd.ask).map_err(legacy("ASK → CEK"))?;
                legacy::verify_platform_links(&provider, &pdh, &chain).map_err(legacy("platform certificate links"))?;
                Ok(None)
            }
        }
    }
}
