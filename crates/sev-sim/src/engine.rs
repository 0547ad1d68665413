//! The engine: reports, certificate tables and derived keys for one configured guest.

use std::sync::OnceLock;

use sev_sys::GuestCommand;
use sev_types::Product;
use sev_types::guest::certs::CertTableBuilder;
use sev_types::guest::{CertKind, GuestFieldSelect, KeyRequest, KeySelect};
use sev_types::key_info::{KeyInfo, SigningKey};
use sev_types::report::{REPORT_LEN, ReportBody, SIG_ALGO_ECDSA_P384_SHA384};
use sev_types::status::FirmwareStatus;
use sev_types::tcb::{RawTcb, TcbVersion};
use sev_types::{U32, U64};
use zerocopy::{FromZeros, IntoBytes};

use crate::config::{Endorser, GuestConfig};
use crate::error::SimError;
use crate::fault::{Fault, FaultQueue};
use crate::pki::{FakePki, LeafKey};
use crate::report_spec::{cpuid, sign_report};

/// The highest VMPL.
const MAX_VMPL: u32 = 3;

/// The guest side of a simulated AMD secure processor, signing with the fake PKI's TEST keys.
///
/// It answers report, extended-report and derived-key requests for one guest
/// ([`GuestConfig`]) directly ([`Sim::report`], [`Sim::cert_table`], [`Sim::derive_key`]) or
/// through [`sev_sys::GuestTransport`] as `/dev/sev-guest` would, with injectable faults
/// ([`Sim::inject`]) and the driver's VMPCK wipe ([`Sim::set_wipe_on_error`]).
pub struct Sim {
    pub(crate) config: GuestConfig,
    pki: FakePki,
    vcek_key: LeafKey,
    vlek_key: LeafKey,
    certs: OnceLock<Vec<u8>>,
    pub(crate) faults: FaultQueue,
    pub(crate) wipe_on_error: bool,
    pub(crate) vmpck_wiped: bool,
}

impl core::fmt::Debug for Sim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sim")
            .field("config", &self.config)
            .field("faults", &self.faults)
            .field("wipe_on_error", &self.wipe_on_error)
            .field("vmpck_wiped", &self.vmpck_wiped)
            .finish_non_exhaustive()
    }
}

fn check(config: &GuestConfig) -> Result<(), SimError> {
    let p = config.product;
    if p.tcb_layout().is_none() || !matches!(p.kds_product(), Product::Milan | Product::Genoa | Product::Turin) {
        return Err(SimError::UnsupportedProduct(p));
    }
    if !matches!(config.report_version, 2 | 3 | 5) {
        return Err(SimError::UnsupportedReportVersion(config.report_version));
    }
    Ok(())
}

fn raw_tcb(t: TcbVersion) -> RawTcb {
    RawTcb(U64::new(t.0))
}

impl Sim {
    /// A simulator for `config`, signing with the fake PKI of its product and the test keys
    /// VCEK A / VLEK A.
    pub fn new(config: GuestConfig) -> Result<Self, SimError> {
        check(&config)?;
        Ok(Sim {
            pki: FakePki::new(config.product),
            config,
            vcek_key: LeafKey::vcek_a(),
            vlek_key: LeafKey::vlek_a(),
            certs: OnceLock::new(),
            faults: FaultQueue::default(),
            wipe_on_error: true,
            vmpck_wiped: false,
        })
    }

    /// The guest's configuration.
    pub fn config(&self) -> &GuestConfig {
        &self.config
    }

    /// The guest's configuration, to change (the certificate table is re-issued on next use).
    /// A product without a fake PKI or an unsupported report version makes later requests fail
    /// with [`SimError::UnsupportedProduct`] / [`SimError::UnsupportedReportVersion`].
    pub fn config_mut(&mut self) -> &mut GuestConfig {
        self.certs = OnceLock::new();
        &mut self.config
    }

    /// The fake PKI (TEST keys) of the product.
    pub fn pki(&self) -> &FakePki {
        &self.pki
    }

    /// Replaces the VCEK private key (for example with [`LeafKey::vcek_b`]).
    pub fn set_vcek_key(&mut self, key: LeafKey) {
        self.certs = OnceLock::new();
        self.vcek_key = key;
    }

    /// Replaces the VLEK private key (for example with [`LeafKey::vlek_b`]).
    pub fn set_vlek_key(&mut self, key: LeafKey) {
        self.certs = OnceLock::new();
        self.vlek_key = key;
    }

    /// The key that signs reports now.
    pub fn signing_key(&self) -> &LeafKey {
        match self.config.endorser {
            Endorser::Vcek => &self.vcek_key,
            Endorser::Vlek { .. } => &self.vlek_key,
        }
    }

    fn vlek_loaded(&self) -> bool {
        matches!(self.config.endorser, Endorser::Vlek { .. })
    }

    /// Resolves KEY_SEL against the loaded keys (AUTO: the VLEK if loaded, else the VCEK).
    fn effective_key(&self, key_sel: KeySelect) -> Result<KeySelect, SimError> {
        match key_sel {
            KeySelect::Auto if self.vlek_loaded() => Ok(KeySelect::Vlek),
            KeySelect::Auto => Ok(KeySelect::Vcek),
            KeySelect::Vcek => Ok(KeySelect::Vcek),
            KeySelect::Vlek if self.vlek_loaded() => Ok(KeySelect::Vlek),
            KeySelect::Vlek => Err(SimError::Firmware(FirmwareStatus::InvalidKey)),
            KeySelect::Reserved => Err(SimError::Firmware(FirmwareStatus::InvalidParam)),
        }
    }

    fn check_vmpl(&self, vmpl: u32) -> Result<(), SimError> {
        if vmpl < self.config.vmpl || vmpl > MAX_VMPL {
            return Err(SimError::Firmware(FirmwareStatus::InvalidParam));
        }
        Ok(())
    }

    /// A signed report (0x4A0 bytes) for `user_data` at `vmpl`, signed by the loaded key.
    ///
    /// A `vmpl` lower (more privileged) than the guest's own, or above 3, is refused with
    /// [`FirmwareStatus::InvalidParam`].
    pub fn report(&self, user_data: &[u8; 64], vmpl: u32) -> Result<Vec<u8>, SimError> {
        self.report_with_key(user_data, vmpl, KeySelect::Auto)
    }

    /// [`Sim::report`] with an explicit KEY_SEL: the VCEK is always available (its report
    /// carries the CHIP_ID), the VLEK only when loaded (else INVALID_KEY), and the reserved value
    /// is refused with INVALID_PARAM. A guest launched with VCEK_DISABLED
    /// ([`GuestConfig::vcek_disabled`]) is refused INVALID_KEY wherever the VCEK would sign; on a
    /// platform with [`GuestConfig::mask_chip_key`] the VCEK's report comes back unsigned.
    pub fn report_with_key(&self, user_data: &[u8; 64], vmpl: u32, key_sel: KeySelect) -> Result<Vec<u8>, SimError> {
        check(&self.config)?;
        self.check_vmpl(vmpl)?;
        let key = self.effective_key(key_sel)?;
        if key == KeySelect::Vcek && self.config.vcek_disabled {
            return Err(SimError::Firmware(FirmwareStatus::InvalidKey));
        }
        let mut report = self.build_report(user_data, vmpl, key);
        let signer = if key == KeySelect::Vlek {
            &self.vlek_key
        } else if self.config.mask_chip_key {
            return Ok(report);
        } else {
            &self.vcek_key
        };
        sign_report(&mut report, signer);
        Ok(report)
    }

    /// The bytes [`Sim::report`] would sign (signature area zero), without any check.
    pub fn unsigned_report(&self, user_data: &[u8; 64], vmpl: u32) -> Vec<u8> {
        let key = if self.vlek_loaded() {
            KeySelect::Vlek
        } else {
            KeySelect::Vcek
        };
        self.build_report(user_data, vmpl, key)
    }

    fn build_report(&self, user_data: &[u8; 64], vmpl: u32, key: KeySelect) -> Vec<u8> {
        let c = &self.config;
        let vlek = key == KeySelect::Vlek;
        let mut b = ReportBody::new_zeroed();
        b.version = U32::new(c.report_version);
        b.guest_svn = U32::new(c.guest_svn);
        b.policy = U64::new(c.policy);
        b.family_id = c.family_id;
        b.image_id = c.image_id;
        b.vmpl = U32::new(vmpl);
        b.signature_algo = U32::new(SIG_ALGO_ECDSA_P384_SHA384);
        b.current_tcb = raw_tcb(c.current_tcb);
        b.platform_info = U64::new(c.platform_info);
        let signing_key = match (vlek, c.mask_chip_key) {
            (true, _) => SigningKey::Vlek,
            (false, true) => SigningKey::None,
            (false, false) => SigningKey::Vcek,
        };
        let mut key_info = KeyInfo::empty().with_signing_key(signing_key);
        if c.author_key_digest.is_some() {
            key_info |= KeyInfo::AUTHOR_KEY_EN;
        }
        if c.mask_chip_key {
            key_info |= KeyInfo::MASK_CHIP_KEY;
        }
        b.key_info = U32::new(key_info.bits());
        b.report_data = *user_data;
        b.measurement = c.measurement;
        b.host_data = c.host_data;
        b.id_key_digest = c.id_key_digest;
        b.author_key_digest = c.author_key_digest.unwrap_or([0; 48]);
        b.report_id = c.report_id;
        b.report_id_ma = c.report_id_ma;
        b.reported_tcb = raw_tcb(c.reported_tcb);
        if c.report_version >= 3 {
            let (fam, model, step) = cpuid(c.product);
            b.cpuid_fam_id = fam;
            b.cpuid_mod_id = model;
            b.cpuid_step = step;
        }
        b.chip_id = if vlek || c.mask_chip_id { [0; 64] } else { c.chip_id };
        b.committed_tcb = raw_tcb(c.committed_tcb);
        (b.current_major, b.current_minor, b.current_build) = c.current_version;
        (b.committed_major, b.committed_minor, b.committed_build) = c.committed_version;
        b.launch_tcb = raw_tcb(c.launch_tcb);
        if c.report_version >= 5 {
            b.launch_mit_vector = U64::new(c.launch_mit_vector);
            b.current_mit_vector = U64::new(c.current_mit_vector);
        }
        let mut out = vec![0u8; REPORT_LEN];
        out[..size_of::<ReportBody>()].copy_from_slice(b.as_bytes());
        out
    }

    /// The endorsement certificate (DER) of the loaded key: the VCEK for CHIP_ID at
    /// REPORTED_TCB, or the VLEK at REPORTED_TCB with the configured cspID.
    pub fn endorsement_cert(&self) -> Vec<u8> {
        let c = &self.config;
        let spec = match &c.endorser {
            Endorser::Vcek => self.pki.vcek_spec(&self.vcek_key, &c.chip_id, c.reported_tcb),
            Endorser::Vlek { csp_id } => self.pki.vlek_spec(&self.vlek_key, c.reported_tcb, csp_id),
        };
        self.pki.issue(&spec)
    }

    /// The certificate table of extended reports in the GHCB layout, padded to whole pages:
    /// ARK, then ASK (or ASVK for a VLEK), then VCEK (or VLEK), then the CRL if
    /// [`GuestConfig::include_crl`]. Issued once per configuration.
    pub fn cert_table(&self) -> Result<&[u8], SimError> {
        check(&self.config)?;
        if let Some(t) = self.certs.get() {
            return Ok(t);
        }
        let leaf = self.endorsement_cert();
        let crl = self.pki.issue_crl(&self.pki.crl_spec());
        // The ASVK goes under the ASK GUID, as in AMD's tables.
        let (inter, leaf_kind) = match self.config.endorser {
            Endorser::Vcek => (self.pki.ask(), CertKind::Vcek),
            Endorser::Vlek { .. } => (self.pki.asvk(), CertKind::Vlek),
        };
        let mut builder = CertTableBuilder::new()
            .push(CertKind::Ark, self.pki.ark())
            .push(CertKind::Ask, inter)
            .push(leaf_kind, &leaf);
        if self.config.include_crl {
            builder = builder.push(CertKind::Crl, &crl);
        }
        let table = builder
            .page_aligned(true)
            .build()
            .map_err(|e| SimError::CertTableTooLarge { len: e.len })?;
        Ok(self.certs.get_or_init(|| table))
    }

    /// A derived key for `req` (MSG_KEY_REQ values), deterministic from the chip, the root key,
    /// the effective KEY_SEL, GUEST_FIELD_SELECT, VMPL, and every selected value (policy, image
    /// and family IDs, measurement from the guest; GUEST_SVN, TCB_VERSION and LAUNCH_MIT_VECTOR
    /// from the request). Unselected values do not affect it.
    ///
    /// Refused with INVALID_PARAM for: reserved GUEST_FIELD_SELECT bits, LAUNCH_MIT_VECTOR
    /// selected without a value (message version 1), a VMPL below the guest's or above 3, a
    /// selected GUEST_SVN above the guest's, a selected TCB_VERSION above COMMITTED_TCB in any
    /// component, the reserved KEY_SEL; INVALID_KEY for an unavailable KEY_SEL.
    pub fn derive_key(&self, req: &KeyRequest) -> Result<[u8; 32], SimError> {
        check(&self.config)?;
        let invalid = SimError::Firmware(FirmwareStatus::InvalidParam);
        let f = req.guest_fields;
        if f.reserved_bits() != 0 {
            return Err(invalid);
        }
        if f.contains(GuestFieldSelect::LAUNCH_MIT_VECTOR) && req.launch_mit_vector.is_none() {
            return Err(invalid);
        }
        self.check_vmpl(req.vmpl)?;
        if f.contains(GuestFieldSelect::GUEST_SVN) && req.guest_svn > self.config.guest_svn {
            return Err(invalid);
        }
        if f.contains(GuestFieldSelect::TCB_VERSION) {
            let asked = req.tcb_version.to_le_bytes();
            let committed = self.config.committed_tcb.to_le_bytes();
            if asked.iter().zip(committed).any(|(a, c)| *a > c) {
                return Err(invalid);
            }
        }
        let key_sel = self.effective_key(req.key_select)?;
        Ok(crate::derive::derive(&self.config, req, key_sel))
    }

    /// Makes the next `times` requests of `cmd` that reach the host fail with `fault`.
    /// Faults are used oldest first; a request rejected before it reaches the host (bad
    /// arguments, VMPCK already wiped) does not use one. Faults apply to the
    /// [`sev_sys::GuestTransport`] interface only, not to the direct methods.
    pub fn inject(&mut self, cmd: GuestCommand, fault: Fault, times: u32) {
        self.faults.push(Some(cmd), fault, times);
    }

    /// [`Sim::inject`] for requests of any command.
    pub fn inject_all(&mut self, fault: Fault, times: u32) {
        self.faults.push(None, fault, times);
    }

    /// How many injected faults are still queued for `cmd` (including any-command ones).
    pub fn pending_faults(&self, cmd: GuestCommand) -> u32 {
        self.faults.pending(cmd)
    }

    /// Drops every queued fault.
    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// Whether a failed request wipes the VMPCK, as the Linux driver does (default: true).
    /// With `false`, failures are one-off and later requests are answered normally.
    pub fn set_wipe_on_error(&mut self, wipe: bool) {
        self.wipe_on_error = wipe;
    }

    /// Whether the VMPCK has been wiped: every request through [`sev_sys::GuestTransport`] then
    /// fails with `ENOTTY`, as after a failure in the Linux driver.
    pub fn vmpck_wiped(&self) -> bool {
        self.vmpck_wiped
    }

    /// Restores the VMPCK (as a guest reboot would).
    pub fn restore_vmpck(&mut self) {
        self.vmpck_wiped = false;
    }
}
