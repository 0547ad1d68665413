//! The SEV platform: its state machine (UNINIT, INIT, WORKING), its keys (CEK, OCA, PEK, PDH)
//! and the `/dev/sev` commands on them (`sev-legacy.md` §1–§3).

use std::collections::BTreeMap;

use sev_sys::Error;
use sev_sys::seam::PdhCertExport;
use sev_types::ecdsa::EcdsaSignature;
use sev_types::launch::sev::SevPolicy;
use sev_types::legacy::{Algorithm, KeyKind, RawSevCertificate, SEV_CERT_LEN, SevCertificate, Usage};
use sev_types::platform::{PlatformState, SevStatus, SevUserDataStatus};
use sev_types::status::FirmwareStatus;
use zerocopy::IntoBytes;
use zeroize::Zeroizing;

use super::crypto::{self, FwKey};
use super::pki;
use super::status::{firmware, kernel};
use crate::errno::EBUSY;
use crate::host::platform::HostConfig;

/// The firmware's keys of one key generation, with their certificates.
#[derive(Debug)]
struct Keys {
    cek: FwKey,
    cek_cert: Option<Box<RawSevCertificate>>,
    /// The firmware's own OCA while self-owned; `None` once an OCA was imported.
    oca: Option<FwKey>,
    oca_cert: Box<RawSevCertificate>,
    pek: FwKey,
    pek_cert: Box<RawSevCertificate>,
    pdh: FwKey,
    pdh_cert: Box<RawSevCertificate>,
}

/// A key's label in the chip's key derivation.
const CEK: &[u8] = b"CEK";
const OCA: &[u8] = b"OCA";
const PEK: &[u8] = b"PEK";
const PDH: &[u8] = b"PDH";

fn ec_cert(api: (u8, u8), usage: Usage, algo: Algorithm, key: &FwKey) -> Box<RawSevCertificate> {
    Box::new(RawSevCertificate::new_ec(api, usage, algo, &key.public()))
}

/// The SEV platform state machine of one simulated machine.
#[derive(Debug)]
pub(crate) struct LegacyPlatform {
    state: PlatformState,
    /// `(API major, API minor, build)` of the firmware.
    api: (u8, u8, u8),
    seed: Zeroizing<[u8; 48]>,
    /// Key generation counters: each regeneration derives the next key.
    oca_epoch: u64,
    pek_epoch: u64,
    pdh_epoch: u64,
    /// Built on first use (deriving and signing costs time that SNP-only tests need not pay).
    keys: Option<Keys>,
    guests: BTreeMap<u32, SevPolicy>,
    next_handle: u32,
}

impl LegacyPlatform {
    /// The platform of a machine configured by `config`: INIT (the kernel initialised it),
    /// self-owned, no guests.
    pub(crate) fn new(config: &HostConfig) -> Self {
        LegacyPlatform {
            state: PlatformState::Init,
            api: config.guest_template.current_version,
            seed: crypto::chip_seed(&config.guest_template.chip_id),
            oca_epoch: 0,
            pek_epoch: 0,
            pdh_epoch: 0,
            keys: None,
            guests: BTreeMap::new(),
            next_handle: 1,
        }
    }

    /// `(API major, API minor, build)` of the firmware, as PLATFORM_STATUS reports it.
    pub(super) fn api(&self) -> (u8, u8, u8) {
        self.api
    }

    fn keys(&mut self) -> &mut Keys {
        let (major, minor, _) = self.api;
        let seed = &self.seed;
        let (oca_epoch, pek_epoch, pdh_epoch) = (self.oca_epoch, self.pek_epoch, self.pdh_epoch);
        self.keys.get_or_insert_with(|| {
            let api = (major, minor);
            let cek = FwKey::derive(seed, CEK, 0);
            let oca = FwKey::derive(seed, OCA, oca_epoch);
            let pek = FwKey::derive(seed, PEK, pek_epoch);
            let pdh = FwKey::derive(seed, PDH, pdh_epoch);
            let mut keys = Keys {
                cek_cert: None,
                oca_cert: ec_cert(api, Usage::Oca, Algorithm::EcdsaSha256, &oca),
                pek_cert: ec_cert(api, Usage::Pek, Algorithm::EcdsaSha256, &pek),
                pdh_cert: ec_cert(api, Usage::Pdh, Algorithm::EcdhSha256, &pdh),
                cek,
                oca: Some(oca),
                pek,
                pdh,
            };
            keys.sign_self_owned();
            keys.sign_pdh();
            keys
        })
    }

    /// The kernel initialises an UNINIT platform before the commands that need it.
    pub(super) fn ensure_init(&mut self) {
        if self.state == PlatformState::Uninit {
            self.state = PlatformState::Init;
        }
    }

    fn require_not_working(&self, op: &'static str) -> Result<(), Error> {
        if self.state == PlatformState::Working {
            return Err(firmware(op, FirmwareStatus::InvalidPlatformState));
        }
        Ok(())
    }

    /// Whether an OCA was imported.
    fn externally_owned(&self) -> bool {
        self.keys.as_ref().is_some_and(|k| k.oca.is_none())
    }

    /// `SEV_PLATFORM_STATUS`.
    pub(crate) fn platform_status(&mut self, _config: &HostConfig) -> Result<SevUserDataStatus, Error> {
        let (api_major, api_minor, build) = self.api;
        Ok(SevStatus {
            api_major,
            api_minor,
            state: self.state,
            externally_owned: self.externally_owned(),
            config_es: true,
            build,
            guest_count: u32::try_from(self.guests.len()).unwrap_or(u32::MAX),
        }
        .to_linux())
    }

    /// `SEV_FACTORY_RESET`: refused while guests exist (the kernel answers `EBUSY` in WORKING);
    /// otherwise the platform is shut down, every key but the CEK regenerated, and it is
    /// self-owned and UNINIT.
    pub(crate) fn factory_reset(&mut self, _config: &HostConfig) -> Result<(), Error> {
        if self.state == PlatformState::Working {
            return Err(kernel("SEV_FACTORY_RESET", EBUSY));
        }
        self.oca_epoch += 1;
        self.pek_epoch += 1;
        self.pdh_epoch += 1;
        self.keys = None;
        self.state = PlatformState::Uninit;
        Ok(())
    }

    /// `SEV_PEK_GEN`: a new PEK (signed by a new firmware OCA: self-owned again) and a new PDH.
    pub(crate) fn pek_gen(&mut self) -> Result<(), Error> {
        self.ensure_init();
        self.require_not_working("SEV_PEK_GEN")?;
        self.oca_epoch += 1;
        self.pek_epoch += 1;
        self.pdh_epoch += 1;
        self.keys = None;
        Ok(())
    }

    /// `SEV_PDH_GEN`: a new PDH signed by the PEK.
    pub(crate) fn pdh_gen(&mut self) -> Result<(), Error> {
        self.ensure_init();
        self.pdh_epoch += 1;
        let epoch = self.pdh_epoch;
        let (major, minor, _) = self.api;
        let seed = Zeroizing::new(*self.seed);
        let keys = self.keys();
        keys.pdh = FwKey::derive(&seed, PDH, epoch);
        keys.pdh_cert = ec_cert((major, minor), Usage::Pdh, Algorithm::EcdhSha256, &keys.pdh);
        keys.sign_pdh();
        Ok(())
    }

    /// `SEV_PEK_CSR`: the PEK as an unsigned SEV certificate.
    pub(crate) fn pek_csr(&mut self) -> Result<Vec<u8>, Error> {
        self.ensure_init();
        let (major, minor, _) = self.api;
        let keys = self.keys();
        Ok(ec_cert((major, minor), Usage::Pek, Algorithm::EcdsaSha256, &keys.pek)
            .as_bytes()
            .to_vec())
    }

    /// `SEV_PDH_CERT_EXPORT`: the PDH certificate and the chain PEK ‖ OCA ‖ CEK.
    pub(crate) fn pdh_cert_export(&mut self) -> Result<PdhCertExport, Error> {
        self.ensure_init();
        let (major, minor, _) = self.api;
        let keys = self.keys();
        let cek = keys.cek_cert((major, minor));
        let mut chain = Vec::with_capacity(3 * SEV_CERT_LEN);
        chain.extend_from_slice(keys.pek_cert.as_bytes());
        chain.extend_from_slice(keys.oca_cert.as_bytes());
        chain.extend_from_slice(&cek);
        Ok(PdhCertExport {
            pdh: keys.pdh_cert.as_bytes().to_vec(),
            chain,
        })
    }

    /// `SEV_PEK_CERT_IMPORT`: `pek` must be our PEK signed by the OCA of `oca`, and `oca` a
    /// self-signed OCA certificate. The platform becomes externally owned.
    pub(crate) fn pek_cert_import(&mut self, pek: &[u8], oca: &[u8]) -> Result<(), Error> {
        const OP: &str = "SEV_PEK_CERT_IMPORT";
        self.ensure_init();
        self.require_not_working(OP)?;
        if self.externally_owned() {
            return Err(firmware(OP, FirmwareStatus::AlreadyOwned));
        }
        let fail = |status| firmware(OP, status);
        if pek.len() != SEV_CERT_LEN || oca.len() != SEV_CERT_LEN {
            return Err(fail(FirmwareStatus::InvalidLength));
        }
        let oca_cert = SevCertificate::from_bytes(oca).map_err(|_| fail(FirmwareStatus::InvalidCertificate))?;
        let pek_cert = SevCertificate::from_bytes(pek).map_err(|_| fail(FirmwareStatus::InvalidCertificate))?;
        let oca_point = ecdsa_point(&oca_cert, Usage::Oca).ok_or(fail(FirmwareStatus::InvalidCertificate))?;
        if ecdsa_point(&pek_cert, Usage::Pek).is_none() {
            return Err(fail(FirmwareStatus::InvalidCertificate));
        }
        if !signed_by(&oca_cert, &oca_point) {
            return Err(fail(FirmwareStatus::BadSignature));
        }
        if !signed_by(&pek_cert, &oca_point) {
            return Err(fail(FirmwareStatus::BadSignature));
        }
        let keys = self.keys();
        if pek_cert.raw().pubkey != keys.pek_cert.pubkey {
            return Err(fail(FirmwareStatus::InvalidCertificate));
        }
        keys.oca = None;
        *keys.oca_cert = oca_cert.raw().clone();
        keys.pek_cert.sig1 = pek_cert
            .signature_by(Usage::Oca)
            .map(|s| s.raw().clone())
            .ok_or(fail(FirmwareStatus::BadSignature))?;
        Ok(())
    }

    /// LAUNCH_START's ACTIVATE: a new guest with `policy` (or one sharing keys with `handle`),
    /// moving the platform to WORKING. Returns the handle.
    pub(super) fn activate(&mut self, op: &'static str, handle: u32, policy: SevPolicy) -> Result<u32, Error> {
        self.ensure_init();
        if handle != 0 {
            let other = *self
                .guests
                .get(&handle)
                .ok_or(firmware(op, FirmwareStatus::InvalidGuest))?;
            if other.contains(SevPolicy::NOKS) || policy.contains(SevPolicy::NOKS) {
                return Err(firmware(op, FirmwareStatus::PolicyFailure));
            }
        }
        let new = self.next_handle;
        self.next_handle = self.next_handle.checked_add(1).unwrap_or(1);
        self.guests.insert(new, policy);
        self.state = PlatformState::Working;
        Ok(new)
    }

    /// DECOMMISSION: the guest is gone; the platform is INIT again with no guests left.
    pub(super) fn decommission(&mut self, handle: u32) {
        self.guests.remove(&handle);
        if self.guests.is_empty() && self.state == PlatformState::Working {
            self.state = PlatformState::Init;
        }
    }

    /// ECDH of the PDH private key with the guest owner's public key (uncompressed SEC1).
    pub(super) fn pdh_agree(&mut self, peer: &[u8]) -> Option<Zeroizing<[u8; 48]>> {
        self.keys().pdh.ecdh(peer)
    }

    /// The PEK's ECDSA-SHA256 signature over `msg`.
    pub(super) fn pek_sign(&mut self, msg: &[u8]) -> EcdsaSignature {
        self.keys().pek.sign_sha256(msg)
    }
}

impl Keys {
    /// OCA self-signature and the PEK's two signatures (OCA in slot 1, CEK in slot 2).
    fn sign_self_owned(&mut self) {
        if let Some(oca) = &self.oca {
            let sig = oca.sign_sha256(self.oca_cert.signed_bytes());
            self.oca_cert.sig1.set_ecdsa(Usage::Oca, Algorithm::EcdsaSha256, &sig);
            let sig = oca.sign_sha256(self.pek_cert.signed_bytes());
            self.pek_cert.sig1.set_ecdsa(Usage::Oca, Algorithm::EcdsaSha256, &sig);
        }
        let sig = self.cek.sign_sha256(self.pek_cert.signed_bytes());
        self.pek_cert.sig2.set_ecdsa(Usage::Cek, Algorithm::EcdsaSha256, &sig);
    }

    fn sign_pdh(&mut self) {
        let sig = self.pek.sign_sha256(self.pdh_cert.signed_bytes());
        self.pdh_cert.sig1.set_ecdsa(Usage::Pek, Algorithm::EcdsaSha256, &sig);
    }

    /// The CEK certificate signed by the simulated ASK (made once: RSA signing is slow).
    fn cek_cert(&mut self, api: (u8, u8)) -> Vec<u8> {
        let cek = &self.cek;
        self.cek_cert
            .get_or_insert_with(|| {
                let mut cert = RawSevCertificate::new_ec(api, Usage::Cek, Algorithm::EcdsaSha256, &cek.public());
                let signed = cert.signed_bytes().to_vec();
                pki::ask_sign(&mut cert.sig1, &signed);
                Box::new(cert)
            })
            .as_bytes()
            .to_vec()
    }
}

/// The certificate's key as an uncompressed P-384 point, if it is an ECDSA key of `usage`.
fn ecdsa_point(cert: &SevCertificate<'_>, usage: Usage) -> Option<[u8; 97]> {
    if cert.version() != 1 || cert.pubkey_usage() != usage || cert.pubkey_algo().key_kind() != Some(KeyKind::Ecdsa) {
        return None;
    }
    cert.public_key().sec1_uncompressed()?.as_bytes().try_into().ok()
}

/// Whether `cert` carries a valid OCA signature by the key `oca_point`.
fn signed_by(cert: &SevCertificate<'_>, oca_point: &[u8; 97]) -> bool {
    let Some(slot) = cert.signature_by(Usage::Oca) else {
        return false;
    };
    let sha384 = match slot.algo() {
        Algorithm::EcdsaSha256 => false,
        Algorithm::EcdsaSha384 => true,
        _ => return false,
    };
    let Some(r_s) = slot.ecdsa().and_then(|s| s.p384_r_s_be()) else {
        return false;
    };
    crypto::verify_p384(oca_point, sha384, cert.signed_bytes(), &r_s)
}
