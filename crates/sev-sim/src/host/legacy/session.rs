//! The firmware's side of LAUNCH_START with a guest owner: key agreement with the PDH, the key
//! schedule, and the unwrapping of TEK and TIK (`sev-legacy.md` §6).

use sev_types::launch::sev::{Session, SevPolicy};
use sev_types::legacy::{Algorithm, SEV_CERT_LEN, SevCertificate, Usage};
use sev_types::status::FirmwareStatus;
use zeroize::Zeroizing;

use super::crypto::{aes128_ctr, hmac_sha256_verify, kdf16};
use super::platform::LegacyPlatform;

/// The transport keys of one launch: TEK (AES-128) and TIK (HMAC key), wiped on drop.
#[derive(Clone)]
pub(super) struct TransportKeys {
    pub(super) tek: Zeroizing<[u8; 16]>,
    pub(super) tik: Zeroizing<[u8; 16]>,
}

impl core::fmt::Debug for TransportKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TransportKeys").finish_non_exhaustive()
    }
}

impl TransportKeys {
    /// Fresh keys from the random source, for a launch without a guest owner.
    pub(super) fn random() -> Option<Self> {
        let bytes = super::crypto::random::<32>()?;
        let mut tek = Zeroizing::new([0u8; 16]);
        let mut tik = Zeroizing::new([0u8; 16]);
        tek.copy_from_slice(&bytes[..16]);
        tik.copy_from_slice(&bytes[16..]);
        Some(TransportKeys { tek, tik })
    }
}

/// Unwraps the guest owner's TEK and TIK: ECDH of the PDH with the key of `dh_cert`, master
/// secret, KEK and KIK from the session nonce, WRAP_MAC checked, TEK ‖ TIK decrypted, then
/// POLICY_MAC checked against `policy`.
///
/// A certificate that is not an ECDH P-384 key is INVALID_CERTIFICATE; a session of the wrong
/// size is INVALID_LENGTH; a MAC that does not verify (a session made for another PDH, altered,
/// or bound to another policy) is BAD_MEASUREMENT.
pub(super) fn unwrap(
    platform: &mut LegacyPlatform,
    dh_cert: &[u8],
    session: &[u8],
    policy: SevPolicy,
) -> Result<TransportKeys, FirmwareStatus> {
    if dh_cert.len() != SEV_CERT_LEN || session.len() != Session::SIZE {
        return Err(FirmwareStatus::InvalidLength);
    }
    let cert = SevCertificate::from_bytes(dh_cert).map_err(|_| FirmwareStatus::InvalidCertificate)?;
    let ecdh = matches!(cert.pubkey_algo(), Algorithm::EcdhSha256 | Algorithm::EcdhSha384);
    if cert.version() != 1 || cert.pubkey_usage() != Usage::Pdh || !ecdh {
        return Err(FirmwareStatus::InvalidCertificate);
    }
    let point = cert
        .public_key()
        .sec1_uncompressed()
        .ok_or(FirmwareStatus::InvalidCertificate)?;
    let z = platform
        .pdh_agree(point.as_bytes())
        .ok_or(FirmwareStatus::InvalidCertificate)?;
    let session = Session::ref_from_bytes(session).map_err(|_| FirmwareStatus::InvalidLength)?;

    let master = kdf16(z.as_slice(), b"sev-master-secret", &session.nonce);
    let kek = kdf16(master.as_slice(), b"sev-kek", &[]);
    let kik = kdf16(master.as_slice(), b"sev-kik", &[]);
    if !hmac_sha256_verify(kik.as_slice(), &[&session.wrap_tk], &session.wrap_mac) {
        return Err(FirmwareStatus::BadMeasurement);
    }
    let mut tk = Zeroizing::new(session.wrap_tk);
    aes128_ctr(&kek, &session.wrap_iv, tk.as_mut_slice());
    let mut keys = TransportKeys {
        tek: Zeroizing::new([0; 16]),
        tik: Zeroizing::new([0; 16]),
    };
    keys.tek.copy_from_slice(&tk[..16]);
    keys.tik.copy_from_slice(&tk[16..]);
    if !hmac_sha256_verify(
        keys.tik.as_slice(),
        &[&policy.bits().to_le_bytes()],
        &session.policy_mac,
    ) {
        return Err(FirmwareStatus::BadMeasurement);
    }
    Ok(keys)
}
