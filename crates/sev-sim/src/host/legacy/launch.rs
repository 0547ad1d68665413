//! One guest's launch context in the firmware (GCTX): state, policy, transport keys and the
//! launch digest, and the commands that move it (`sev-legacy.md` §6).

use sha2::{Digest, Sha256};

use sev_types::U32;
use sev_types::launch::sev::{LaunchSecretHeader, RawAttestationReport, SevGuestState, SevPolicy};
use sev_types::legacy::{Algorithm, Usage};
use sev_types::status::FirmwareStatus;

use super::crypto::{aes128_ctr, hmac_sha256, hmac_sha256_verify, random};
use super::session::TransportKeys;

/// A guest's launch context.
#[derive(Debug)]
pub(super) struct GuestLaunch {
    pub(super) handle: u32,
    pub(super) policy: SevPolicy,
    pub(super) state: SevGuestState,
    keys: TransportKeys,
    /// GCTX.LD while updates are accepted.
    digest: Sha256,
    /// The final launch digest and MEASURE, once LAUNCH_MEASURE ran.
    measured: Option<([u8; 32], [u8; 32])>,
}

impl GuestLaunch {
    /// A guest in LUPDATE after LAUNCH_START.
    pub(super) fn new(handle: u32, policy: SevPolicy, keys: TransportKeys) -> Self {
        GuestLaunch {
            handle,
            policy,
            state: SevGuestState::LaunchUpdate,
            keys,
            digest: Sha256::new(),
            measured: None,
        }
    }

    fn require(&self, states: &[SevGuestState]) -> Result<(), FirmwareStatus> {
        if states.contains(&self.state) {
            Ok(())
        } else {
            Err(FirmwareStatus::InvalidGuestState)
        }
    }

    /// LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA: `plaintext` extends the launch digest.
    pub(super) fn update(&mut self, plaintext: &[u8]) -> Result<(), FirmwareStatus> {
        self.require(&[SevGuestState::LaunchUpdate])?;
        self.digest.update(plaintext);
        Ok(())
    }

    /// Whether LAUNCH_UPDATE_* would be accepted now.
    pub(super) fn accepts_updates(&self) -> Result<(), FirmwareStatus> {
        self.require(&[SevGuestState::LaunchUpdate])
    }

    /// LAUNCH_MEASURE: `MEASURE = HMAC-SHA-256(TIK, 0x04 ‖ API_MAJOR ‖ API_MINOR ‖ BUILD ‖
    /// POLICY ‖ LD ‖ MNONCE)` with a fresh MNONCE; the guest moves to LSECRET. Returns
    /// MEASURE ‖ MNONCE.
    pub(super) fn measure(&mut self, api: (u8, u8, u8)) -> Result<[u8; 48], FirmwareStatus> {
        self.require(&[SevGuestState::LaunchUpdate])?;
        let mnonce = *random::<16>().ok_or(FirmwareStatus::HwErrorPlatform)?;
        let ld: [u8; 32] = self.digest.clone().finalize().into();
        let head = [0x04, api.0, api.1, api.2];
        let measure = hmac_sha256(
            self.keys.tik.as_slice(),
            &[&head, &self.policy.bits().to_le_bytes(), &ld, &mnonce],
        );
        self.measured = Some((ld, measure));
        self.state = SevGuestState::LaunchSecret;
        let mut out = [0u8; 48];
        out[..32].copy_from_slice(&measure);
        out[32..].copy_from_slice(&mnonce);
        Ok(out)
    }

    /// LAUNCH_SECRET: checks the header MAC (constant time) over
    /// `0x01 ‖ FLAGS ‖ IV ‖ GUEST_LEN ‖ TRANS_LEN ‖ ciphertext ‖ MEASURE` and returns the
    /// plaintext, AES-128-CTR(TEK, IV) of `transport`.
    pub(super) fn open_secret(&self, header: &LaunchSecretHeader, transport: &[u8]) -> Result<Vec<u8>, FirmwareStatus> {
        self.require(&[SevGuestState::LaunchSecret])?;
        let Some((_, measure)) = &self.measured else {
            return Err(FirmwareStatus::InvalidGuestState);
        };
        if !header.flags().is_empty() {
            // COMPRESSED (or an unknown flag): this firmware model does not decompress.
            return Err(FirmwareStatus::InvalidParam);
        }
        let len = u32::try_from(transport.len())
            .map_err(|_| FirmwareStatus::InvalidLength)?
            .to_le_bytes();
        let parts: [&[u8]; 7] = [
            &[0x01],
            &header.flags.get().to_le_bytes(),
            &header.iv,
            &len,
            &len,
            transport,
            measure,
        ];
        if !hmac_sha256_verify(self.keys.tik.as_slice(), &parts, &header.mac) {
            return Err(FirmwareStatus::BadMeasurement);
        }
        let mut plaintext = transport.to_vec();
        aes128_ctr(&self.keys.tek, &header.iv, &mut plaintext);
        Ok(plaintext)
    }

    /// LAUNCH_FINISH: LSECRET → RUNNING.
    pub(super) fn finish(&mut self) -> Result<(), FirmwareStatus> {
        self.require(&[SevGuestState::LaunchSecret])?;
        self.state = SevGuestState::Running;
        Ok(())
    }

    /// ATTESTATION (after LAUNCH_MEASURE): the report body with `mnonce`, the launch digest and
    /// the policy; the caller signs bytes 0x00..0x34 with the PEK.
    pub(super) fn report_body(&self, mnonce: [u8; 16]) -> Result<RawAttestationReport, FirmwareStatus> {
        self.require(&[SevGuestState::LaunchSecret, SevGuestState::Running])?;
        let Some((ld, _)) = &self.measured else {
            return Err(FirmwareStatus::InvalidGuestState);
        };
        Ok(RawAttestationReport {
            mnonce,
            launch_digest: *ld,
            policy: U32::new(self.policy.bits()),
            sig_usage: U32::new(Usage::Pek.raw()),
            sig_algo: U32::new(Algorithm::EcdsaSha256.raw()),
            reserved: U32::new(0),
            sig_r: [0; 72],
            sig_s: [0; 72],
        })
    }
}
