//! Platform ownership: the owner certificate authority (OCA) and `provision`.
//!
//! The OCA is an ECDSA P-384 key. Its certificate is an SEV certificate (usage OCA, algorithm
//! ECDSA-SHA256, API 0.0) that it signs itself in SIG1; it signs the PEK CSR in SIG1 too. The
//! signature is ECDSA over SHA-256 of bytes `0x000..0x414` (`sev-legacy.md` §3), stored as
//! R ‖ S little-endian. Once imported, the firmware adds the CEK signature to the PEK (SIG2)
//! and the platform reports itself externally owned.

use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::ecdsa::{Signature, SigningKey};
use p384::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sev_sys::seam::PlatformDevice;
use sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};
use sev_types::legacy::{Algorithm, RawSevCertificate, SEV_CERT_LEN, SevCertificate, Usage};
use sev_types::platform::SevStatus;
use sev_verify::crypto::default_provider;
use sev_verify::legacy::{Signer, verify_signed_by};
use sha2::{Digest, Sha256};
use zerocopy::{FromBytes, IntoBytes};
use zeroize::Zeroizing;

use super::{Platform, PlatformCerts, check_pek_csr};
use crate::error::HostError;

/// The algorithm of every OCA signature and key.
const OCA_ALGO: Algorithm = Algorithm::EcdsaSha256;

/// An owner certificate authority key (ECDSA P-384). The private scalar is wiped on drop.
pub struct OcaKey {
    key: SigningKey,
}

impl core::fmt::Debug for OcaKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OcaKey")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl OcaKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, HostError> {
        // A uniformly random 384-bit string is a valid scalar except with probability ~2^-190;
        // the bound only guards against a broken random source.
        for _ in 0..8 {
            let mut bytes = Zeroizing::new([0u8; 48]);
            getrandom::fill(bytes.as_mut_slice()).map_err(|e| HostError::Random(e.to_string()))?;
            if let Ok(key) = SigningKey::from_slice(bytes.as_slice()) {
                return Ok(OcaKey { key });
            }
        }
        Err(HostError::Random("no valid P-384 scalar in 8 draws".into()))
    }

    /// Loads a PKCS#8 private key (DER).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, HostError> {
        SigningKey::from_pkcs8_der(der)
            .map(|key| OcaKey { key })
            .map_err(|e| HostError::Key(format!("not a PKCS#8 P-384 private key (DER): {e}")))
    }

    /// Loads a PKCS#8 private key (PEM, `-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, HostError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|key| OcaKey { key })
            .map_err(|e| HostError::Key(format!("not a PKCS#8 P-384 private key (PEM): {e}")))
    }

    /// Loads a PKCS#8 key given either as PEM text or as DER.
    pub fn from_pkcs8(bytes: &[u8]) -> Result<Self, HostError> {
        match core::str::from_utf8(bytes) {
            Ok(text) if text.trim_start().starts_with("-----BEGIN") => Self::from_pkcs8_pem(text),
            _ => Self::from_pkcs8_der(bytes),
        }
    }

    /// The private key as PKCS#8 PEM (wiped when dropped).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, HostError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| Zeroizing::new(pem.to_string()))
            .map_err(|e| HostError::Key(format!("encoding PKCS#8: {e}")))
    }

    /// The public key in the AMD layout (curve P-384, QX and QY little-endian).
    pub fn public_key(&self) -> EcdsaPublicKey {
        let point = self.key.verifying_key().to_sec1_point(false);
        let mut x = [0u8; 48];
        let mut y = [0u8; 48];
        if let (Some(px), Some(py)) = (point.x(), point.y()) {
            x.copy_from_slice(px);
            y.copy_from_slice(py);
        }
        EcdsaPublicKey::from_p384_be(&x, &y)
    }

    /// ECDSA-SHA256 over `signed_bytes`, in the AMD signature layout.
    fn sign(&self, signed_bytes: &[u8]) -> Result<EcdsaSignature, HostError> {
        let digest = Sha256::digest(signed_bytes);
        let sig: Signature = self
            .key
            .sign_prehash(digest.as_slice())
            .map_err(|e| HostError::Key(format!("signing: {e}")))?;
        let (r, s) = sig.split_bytes();
        let mut rb = [0u8; 48];
        let mut sb = [0u8; 48];
        rb.copy_from_slice(r.as_slice());
        sb.copy_from_slice(s.as_slice());
        Ok(EcdsaSignature::from_p384_be(&rb, &sb))
    }

    /// The self-signed OCA certificate (usage OCA, ECDSA-SHA256, API 0.0, SIG1 by itself).
    pub fn certificate(&self) -> Result<Box<[u8; SEV_CERT_LEN]>, HostError> {
        let mut cert = RawSevCertificate::new_ec((0, 0), Usage::Oca, OCA_ALGO, &self.public_key());
        let sig = self.sign(cert.signed_bytes())?;
        cert.sig1.set_ecdsa(Usage::Oca, OCA_ALGO, &sig);
        Ok(to_box(&cert))
    }

    /// Signs a PEK CSR: the CSR is checked to hold a P-384 PEK, its key and header are kept and
    /// the OCA signature goes into SIG1.
    pub fn sign_pek(&self, csr: &[u8]) -> Result<Box<[u8; SEV_CERT_LEN]>, HostError> {
        check_pek_csr(csr)?;
        let mut cert = RawSevCertificate::read_from_bytes(csr)
            .map_err(|_| HostError::invalid("PEK CSR length", "0x824 bytes", format!("{:#x}", csr.len())))?;
        let sig = self.sign(cert.signed_bytes())?;
        cert.sig1.set_ecdsa(Usage::Oca, OCA_ALGO, &sig);
        Ok(to_box(&cert))
    }
}

fn parse<'a>(what: &'static str, bytes: &'a [u8; SEV_CERT_LEN]) -> Result<SevCertificate<'a>, HostError> {
    crate::error::parsed(what, SevCertificate::from_bytes(&bytes[..]))
}

fn to_box(cert: &RawSevCertificate) -> Box<[u8; SEV_CERT_LEN]> {
    let mut out = Box::new([0u8; SEV_CERT_LEN]);
    out.copy_from_slice(cert.as_bytes());
    out
}

/// What [`Platform::provision`] did and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// The OCA certificate that was imported.
    pub oca_cert: Box<[u8; SEV_CERT_LEN]>,
    /// The PEK certificate that was imported (SIG1 by the OCA).
    pub pek_cert: Box<[u8; SEV_CERT_LEN]>,
    /// The certificates exported after the import (PEK now also signed by the CEK).
    pub exported: PlatformCerts,
    /// The platform status after the import.
    pub status: SevStatus,
}

impl<D: PlatformDevice> Platform<D> {
    /// Takes ownership of the platform with `oca` (what `sevctl provision` does): PEK CSR →
    /// self-signed OCA certificate → PEK signed by the OCA → `PEK_CERT_IMPORT`; then checks
    /// that the exported chain carries this OCA, that the PEK verifies under it and under the
    /// CEK, that the PDH verifies under the PEK, and that the platform reports itself owned.
    pub fn provision(&mut self, oca: &OcaKey) -> Result<Provisioned, HostError> {
        let csr = self.pek_csr()?;
        let oca_cert = oca.certificate()?;
        let pek_cert = oca.sign_pek(&csr[..])?;
        self.pek_cert_import(&pek_cert[..], &oca_cert[..])?;

        let exported = self.pdh_cert_export()?;
        if exported.oca != oca_cert {
            return Err(HostError::invalid(
                "exported OCA certificate",
                "the imported OCA certificate",
                "a different certificate",
            ));
        }
        let provider = default_provider();
        let check = |what: &'static str, r: Result<(), sev_verify::legacy::LegacyError>| {
            r.map_err(|source| HostError::Legacy { what, source })
        };
        let (pek, oca_c, cek, pdh) = (
            parse("PEK certificate", &exported.pek)?,
            parse("OCA certificate", &exported.oca)?,
            parse("CEK certificate", &exported.cek)?,
            parse("PDH certificate", &exported.pdh)?,
        );
        let csr_key = parse("PEK CSR", &csr)?.public_key_bytes();
        if csr_key.is_none() || pek.public_key_bytes() != csr_key {
            return Err(HostError::invalid(
                "exported PEK key",
                "the key of the CSR",
                "a different key",
            ));
        }
        check(
            "OCA self-signature",
            verify_signed_by(&provider, &oca_c, Signer::Sev(&oca_c)),
        )?;
        check("OCA → PEK", verify_signed_by(&provider, &pek, Signer::Sev(&oca_c)))?;
        check("CEK → PEK", verify_signed_by(&provider, &pek, Signer::Sev(&cek)))?;
        check("PEK → PDH", verify_signed_by(&provider, &pdh, Signer::Sev(&pek)))?;

        let status = self.status()?;
        if !status.externally_owned {
            return Err(HostError::invalid(
                "platform owner after PEK_CERT_IMPORT",
                "externally owned",
                "self-owned",
            ));
        }
        Ok(Provisioned {
            oca_cert,
            pek_cert,
            exported,
            status,
        })
    }
}

/// The key area of a certificate, for comparing keys.
trait KeyBytes {
    fn public_key_bytes(&self) -> Option<[u8; 97]>;
}

impl KeyBytes for SevCertificate<'_> {
    fn public_key_bytes(&self) -> Option<[u8; 97]> {
        match self.public_key() {
            sev_types::legacy::PublicKey::Ec(k) => k.p384_sec1_uncompressed(),
            _ => None,
        }
    }
}
