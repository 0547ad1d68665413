//! The ID block checks of SNP_LAUNCH_FINISH (`../shared/spec/snp-launch.md` §7, §8).
//!
//! Order, as the simulated firmware applies it: the algorithms and keys must be ECDSA P-384
//! (else INVALID_PARAM); the ID key's signature over the ID block, and with AUTH_KEY_EN the
//! author key's signature over the ID key, must verify (else BAD_SIGNATURE); the block's LD must
//! equal the launch digest (else BAD_MEASUREMENT); its POLICY must equal the launch policy
//! (else POLICY_FAILURE). Without AUTH_KEY_EN the author fields are ignored. Signature
//! verification is sev-measure's [`verify_id_auth`], the same code that signs ID blocks.

use sev_measure::idblock::{IdBlockError, verify_id_auth};
use sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};
use sev_types::launch::id_block::{IdAuthInfo, IdBlock};
use sev_types::status::FirmwareStatus;
use zerocopy::FromZeros;

/// What an accepted ID block puts into the guest's reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IdFields {
    pub(super) family_id: [u8; 16],
    pub(super) image_id: [u8; 16],
    pub(super) guest_svn: u32,
    pub(super) id_key_digest: [u8; 48],
    pub(super) author_key_digest: Option<[u8; 48]>,
}

fn status_of(e: IdBlockError) -> FirmwareStatus {
    match e {
        IdBlockError::BadSignature(_) => FirmwareStatus::BadSignature,
        _ => FirmwareStatus::InvalidParam,
    }
}

/// Checks `block` and `auth` against the launch `digest` and `policy`.
pub(super) fn check(
    block: &[u8; IdBlock::SIZE],
    auth: &[u8; IdAuthInfo::SIZE],
    auth_key_en: bool,
    digest: &[u8; 48],
    policy: u64,
) -> Result<IdFields, FirmwareStatus> {
    let block = IdBlock::ref_from_bytes(block).map_err(|_| FirmwareStatus::InvalidParam)?;
    let given = IdAuthInfo::ref_from_bytes(auth).map_err(|_| FirmwareStatus::InvalidParam)?;
    let verified = if auth_key_en {
        if !given.has_author_key() {
            return Err(FirmwareStatus::InvalidParam);
        }
        verify_id_auth(block, given).map_err(status_of)?
    } else {
        let mut id_only = Box::new(given.clone());
        id_only.id_key_sig = EcdsaSignature::new_zeroed();
        id_only.author_key = EcdsaPublicKey::new_zeroed();
        verify_id_auth(block, &id_only).map_err(status_of)?
    };
    if block.ld() != digest {
        return Err(FirmwareStatus::BadMeasurement);
    }
    if block.policy.get() != policy {
        return Err(FirmwareStatus::PolicyFailure);
    }
    Ok(IdFields {
        family_id: block.family_id,
        image_id: block.image_id,
        guest_svn: block.guest_svn(),
        id_key_digest: verified.id_key_digest,
        author_key_digest: verified.author_key_digest,
    })
}
