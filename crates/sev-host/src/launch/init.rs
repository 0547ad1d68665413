//! `KVM_SEV_INIT2` parameters, validated before they are sent.
//!
//! KVM accepts in `vmsa_features` only bits it reports in `KVM_X86_SEV_VMSA_FEATURES`, and none
//! for plain SEV (which has no VMSA); it sets SNPActive itself for an SNP VM and refuses it from
//! userspace. A plain SEV guest takes no GHCB version; SEV-ES and SNP take 0 (KVM's default,
//! version 2) or an explicit version up to 2, and SNP needs at least 2. Only what the caller
//! asks for is passed: no bit is added here.

use sev_measure::vmsa::GuestFeatures;
use sev_types::launch::snp::KvmSevInit;
use sev_types::launch::vmsa::SaveArea;

use crate::error::HostError;

/// The highest GHCB protocol version KVM speaks.
pub const GHCB_VERSION_MAX: u16 = 2;

/// The VMSA features this crate knows KVM may accept for SEV-ES guests.
pub const KNOWN_ES_FEATURES: GuestFeatures = GuestFeatures::DEBUG_SWAP;

/// The VMSA features this crate knows KVM may accept for SNP guests.
pub const KNOWN_SNP_FEATURES: GuestFeatures = GuestFeatures::DEBUG_SWAP.union(GuestFeatures::SECURE_TSC);

/// SEV or SEV-ES.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SevMode {
    /// SEV: memory encryption only (VM type `KVM_X86_SEV_VM`).
    Sev,
    /// SEV-ES: encrypted register state too (VM type `KVM_X86_SEV_ES_VM`).
    Es,
}

/// INIT2 for an SEV or SEV-ES VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SevInit {
    /// SEV or SEV-ES (must match the VM's type).
    pub mode: SevMode,
    /// VMSA features (SEV-ES only; a subset of [`KNOWN_ES_FEATURES`]).
    pub vmsa_features: GuestFeatures,
    /// GHCB protocol version (SEV-ES only; 0 = KVM's default).
    pub ghcb_version: u16,
}

impl SevInit {
    /// Plain SEV.
    pub fn sev() -> Self {
        SevInit {
            mode: SevMode::Sev,
            vmsa_features: GuestFeatures::empty(),
            ghcb_version: 0,
        }
    }

    /// SEV-ES with no VMSA features and KVM's default GHCB version.
    pub fn es() -> Self {
        SevInit {
            mode: SevMode::Es,
            ..Self::sev()
        }
    }

    /// Checks the parameters and builds the INIT2 payload.
    pub fn payload(&self) -> Result<KvmSevInit, HostError> {
        let features = self.vmsa_features;
        match self.mode {
            SevMode::Sev => {
                if !features.is_empty() {
                    return Err(HostError::invalid(
                        "SEV vmsa_features",
                        "0 (a plain SEV guest has no VMSA)",
                        format!("{:#x}", features.bits()),
                    ));
                }
                if self.ghcb_version != 0 {
                    return Err(HostError::invalid(
                        "SEV ghcb_version",
                        "0 (a plain SEV guest has no GHCB)",
                        self.ghcb_version.to_string(),
                    ));
                }
            }
            SevMode::Es => {
                check_features("SEV-ES vmsa_features", features, KNOWN_ES_FEATURES)?;
                check_ghcb(self.ghcb_version, 0)?;
            }
        }
        Ok(KvmSevInit::new(features.bits(), self.ghcb_version))
    }

    /// The SEV_FEATURES each vCPU's VMSA carries (SEV-ES; 0 for SEV).
    pub fn guest_features(&self) -> GuestFeatures {
        self.vmsa_features
    }
}

/// INIT2 for an SNP VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SnpInit {
    /// VMSA features beyond SNPActive (a subset of [`KNOWN_SNP_FEATURES`]; SNPActive itself
    /// is refused: KVM sets it).
    pub vmsa_features: GuestFeatures,
    /// GHCB protocol version (0 = KVM's default, else 2).
    pub ghcb_version: u16,
}

impl SnpInit {
    /// Checks the parameters and builds the INIT2 payload.
    pub fn payload(&self) -> Result<KvmSevInit, HostError> {
        if self.vmsa_features.contains(GuestFeatures::SNP_ACTIVE) {
            return Err(HostError::invalid(
                "SNP vmsa_features",
                "no SNPActive bit (KVM sets it for an SNP VM)",
                format!("{:#x}", self.vmsa_features.bits()),
            ));
        }
        check_features("SNP vmsa_features", self.vmsa_features, KNOWN_SNP_FEATURES)?;
        check_ghcb(self.ghcb_version, 2)?;
        Ok(KvmSevInit::new(self.vmsa_features.bits(), self.ghcb_version))
    }

    /// The SEV_FEATURES each vCPU's VMSA carries: SNPActive plus the requested features (the
    /// "guest features" of sev-snp-measure).
    pub fn guest_features(&self) -> GuestFeatures {
        self.vmsa_features | GuestFeatures::SNP_ACTIVE
    }

    /// INIT2 for the given guest features (as sev-snp-measure names them, SNPActive included).
    pub fn from_guest_features(features: u64) -> Self {
        SnpInit {
            vmsa_features: GuestFeatures::from_bits_retain(features) - GuestFeatures::SNP_ACTIVE,
            ghcb_version: 0,
        }
    }
}

fn check_features(what: &'static str, found: GuestFeatures, known: GuestFeatures) -> Result<(), HostError> {
    let unknown = found - known;
    if !unknown.is_empty() {
        return Err(HostError::invalid(
            what,
            format!("a subset of {:#x}", known.bits()),
            format!("{:#x} (unsupported bits {:#x})", found.bits(), unknown.bits()),
        ));
    }
    Ok(())
}

fn check_ghcb(version: u16, min_explicit: u16) -> Result<(), HostError> {
    if version != 0 && (version > GHCB_VERSION_MAX || version < min_explicit) {
        return Err(HostError::invalid(
            "ghcb_version",
            format!("0 (default) or {}..={GHCB_VERSION_MAX}", min_explicit.max(1)),
            version.to_string(),
        ));
    }
    Ok(())
}

/// Checks that a vCPU's initial SEV_FEATURES are the VM's guest features (`expected`, which
/// `note` explains).
pub(crate) fn check_vcpu_features(expected: u64, state: &SaveArea, note: &str) -> Result<(), HostError> {
    let found = state.sev_features.get();
    if found != expected {
        return Err(HostError::invalid(
            "vCPU SEV_FEATURES",
            format!("{expected:#x} ({note})"),
            format!("{found:#x}"),
        ));
    }
    Ok(())
}
