//! Derived keys: deterministic from the chip, the root key and every selected request field.
//!
//! Not AMD's key derivation (which is secret to the firmware): the key is the first 32 bytes of
//! HMAC-SHA-384 keyed with a per-chip, per-root secret over the effective request (field
//! selection, VMPL, key selection) and the selected guest values. So the same request always
//! gives the same key, and changing any selected input changes it; unselected values are not
//! mixed in.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha384};

use sev_types::guest::{GuestFieldSelect, KeyRequest, KeySelect, RootKeySelect};

use crate::config::GuestConfig;

/// The simulated chip's secret for `root` (VCEK, VMRK or, for key selection VLEK, the VLEK).
fn root_secret(chip_id: &[u8; 64], root: RootKeySelect, key_sel: KeySelect) -> [u8; 48] {
    let name: &[u8] = match (root, key_sel) {
        (RootKeySelect::Vmrk, _) => b"VMRK",
        (RootKeySelect::Vcek, KeySelect::Vlek) => b"VLEK",
        (RootKeySelect::Vcek, _) => b"VCEK",
    };
    let mut h = Sha384::new();
    h.update(b"sev-sim TEST chip secret v1\0");
    h.update(chip_id);
    h.update(name);
    h.finalize().into()
}

/// The key for an already validated request; `key_sel` is the effective selection (never
/// `Auto`).
pub(crate) fn derive(cfg: &GuestConfig, req: &KeyRequest, key_sel: KeySelect) -> [u8; 32] {
    let secret = root_secret(&cfg.chip_id, req.root_key, key_sel);
    // HMAC accepts keys of any length; `new_from_slice` cannot fail.
    let Ok(mut mac) = hmac::Hmac::<Sha384>::new_from_slice(&secret) else {
        return [0; 32];
    };
    let f = req.guest_fields;
    mac.update(&f.bits().to_le_bytes());
    mac.update(&req.vmpl.to_le_bytes());
    mac.update(&key_sel.raw().to_le_bytes());
    if f.contains(GuestFieldSelect::POLICY) {
        mac.update(&cfg.policy.to_le_bytes());
    }
    if f.contains(GuestFieldSelect::IMAGE_ID) {
        mac.update(&cfg.image_id);
    }
    if f.contains(GuestFieldSelect::FAMILY_ID) {
        mac.update(&cfg.family_id);
    }
    if f.contains(GuestFieldSelect::MEASUREMENT) {
        mac.update(&cfg.measurement);
    }
    if f.contains(GuestFieldSelect::GUEST_SVN) {
        mac.update(&req.guest_svn.to_le_bytes());
    }
    if f.contains(GuestFieldSelect::TCB_VERSION) {
        mac.update(&req.tcb_version.0.to_le_bytes());
    }
    if f.contains(GuestFieldSelect::LAUNCH_MIT_VECTOR) {
        mac.update(&req.launch_mit_vector.unwrap_or(0).to_le_bytes());
    }
    let full: [u8; 48] = mac.finalize().into_bytes().into();
    let mut key = [0u8; 32];
    key.copy_from_slice(&full[..32]);
    key
}
