//! The guest owner's side of an SEV / SEV-ES launch: LAUNCH_START material, the measurement
//! check and LAUNCH_SECRET packets.

use alloc::boxed::Box;
use alloc::vec::Vec;

use subtle::ConstantTimeEq;
use zerocopy::IntoBytes;
use zeroize::{Zeroize, ZeroizeOnDrop};

use sev_types::ecdsa::EcdsaPublicKey;
use sev_types::launch::sev::{LaunchMeasurement, LaunchSecretHeader, SecretHeaderFlags, Session, SevPolicy};
use sev_types::legacy::{Algorithm, SEV_CERT_LEN, SevCertificate, Usage};

use super::kdf::{self, PlatformVersion};
use super::{LegacyError, chain::p384_point};
use crate::crypto::{CryptoProvider, Zeroizing};

/// What the guest owner hands to the platform owner for LAUNCH_START.
#[derive(Clone)]
pub struct LaunchStartMaterial {
    /// The guest policy the session is bound to.
    pub policy: SevPolicy,
    /// The guest owner's Diffie-Hellman certificate (an unsigned SEV certificate, usage PDH,
    /// ECDH P-384), 0x824 bytes.
    pub dh_cert: Box<[u8; SEV_CERT_LEN]>,
    /// The session buffer (0x80 bytes via `zerocopy::IntoBytes::as_bytes`).
    pub session: Session,
}

impl core::fmt::Debug for LaunchStartMaterial {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LaunchStartMaterial")
            .field("policy", &self.policy)
            .field("session", &self.session)
            .finish()
    }
}

/// A LAUNCH_SECRET packet: header and ciphertext (GUEST_LEN = TRANS_LEN = `ciphertext.len()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchSecret {
    /// The 0x34-byte header (flags, IV, MAC).
    pub header: LaunchSecretHeader,
    /// AES-128-CTR(TEK, IV, secret).
    pub ciphertext: Vec<u8>,
}

/// The guest owner's session keys (TEK, TIK), zeroized on drop.
///
/// ```
/// # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
/// use sev_verify::crypto::default_provider;
/// use sev_verify::legacy::GuestOwnerSession;
/// use sev_verify::sev_types::launch::sev::SevPolicy;
/// // sev-legacy.md §9: Z, NONCE, WRAP_IV, TEK and TIK all zero.
/// let p = default_provider();
/// let (_session, buf) = GuestOwnerSession::from_parts(&p, &[0; 16], [0; 16], [0; 16], [0; 16], [0; 16], SevPolicy::empty());
/// assert_eq!(buf.wrap_tk[..4], [0x21, 0x37, 0xbc, 0x7f]);
/// assert_eq!(buf.policy_mac[..4], [0xaa, 0x78, 0x55, 0xe1]);
/// # }
/// ```
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct GuestOwnerSession {
    tek: [u8; 16],
    tik: [u8; 16],
    #[zeroize(skip)]
    policy: SevPolicy,
}

impl core::fmt::Debug for GuestOwnerSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GuestOwnerSession")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Largest secret accepted: lengths travel as 32-bit fields.
const MAX_SECRET: usize = u32::MAX as usize;

impl GuestOwnerSession {
    /// Starts a session with the platform whose PDH certificate is `pdh` (verify it first, e.g.
    /// with [`verify_platform`](super::verify_platform)): fresh ephemeral ECDH key, nonce, IV,
    /// TEK and TIK from the provider's random source.
    pub fn start(
        provider: &CryptoProvider,
        pdh: &SevCertificate<'_>,
        policy: SevPolicy,
    ) -> Result<(Self, LaunchStartMaterial), LegacyError> {
        if pdh.pubkey_usage() != Usage::Pdh {
            return Err(LegacyError::Pdh("certificate usage is not PDH"));
        }
        if !matches!(pdh.pubkey_algo(), Algorithm::EcdhSha256 | Algorithm::EcdhSha384) {
            return Err(LegacyError::Pdh("key algorithm is not ECDH"));
        }
        let point = p384_point(pdh).ok_or(LegacyError::Pdh("key is not a P-384 point"))?;
        let agreement = provider.legacy.ecdh_p384_ephemeral(&point)?;
        let mut random = Zeroizing::new([0u8; 64]);
        provider.legacy.fill_random(random.as_mut_slice())?;
        let field = |i: usize| -> [u8; 16] { random[i * 16..(i + 1) * 16].try_into().unwrap_or([0; 16]) };
        let (session, buffer) = Self::from_parts(
            provider,
            agreement.shared_secret.as_slice(),
            field(0),
            field(1),
            field(2),
            field(3),
            policy,
        );
        let dh_cert = owner_dh_cert(&agreement.public_key);
        Ok((
            session,
            LaunchStartMaterial {
                policy,
                dh_cert,
                session: buffer,
            },
        ))
    }

    /// Builds the session from given parts (for known-answer tests and for callers with their own
    /// key agreement): `shared_secret` is the ECDH X coordinate, big-endian. The key arrays are
    /// consumed; wipe the caller's copies.
    pub fn from_parts(
        provider: &CryptoProvider,
        shared_secret: &[u8],
        nonce: [u8; 16],
        wrap_iv: [u8; 16],
        tek: [u8; 16],
        tik: [u8; 16],
        policy: SevPolicy,
    ) -> (Self, Session) {
        let d = provider.digests;
        let session = Self { tek, tik, policy };
        let master = kdf::master_secret(d, shared_secret, &nonce);
        let kek = kdf::kek(d, &master);
        let kik = kdf::kik(d, &master);
        let mut wrap_tk = Zeroizing::new([0u8; 32]);
        wrap_tk[..16].copy_from_slice(&session.tek);
        wrap_tk[16..].copy_from_slice(&session.tik);
        // AES-CTR over 32 bytes with a 16-byte key cannot fail in any backend; on a backend error
        // the buffer is wiped so no plaintext key ever leaves.
        if provider
            .legacy
            .aes128_ctr(&kek, &wrap_iv, wrap_tk.as_mut_slice())
            .is_err()
        {
            wrap_tk.zeroize();
        }
        let wrap_mac = d.hmac_sha256(kik.as_slice(), &[wrap_tk.as_slice()]);
        let policy_mac = kdf::policy_mac(d, &session.tik, policy);
        let buffer = Session {
            nonce,
            wrap_tk: *wrap_tk,
            wrap_iv,
            wrap_mac,
            policy_mac,
        };
        (session, buffer)
    }

    /// The guest policy this session is bound to.
    pub fn policy(&self) -> SevPolicy {
        self.policy
    }

    /// The transport encryption key (secret: handle with care).
    pub fn tek(&self) -> &[u8; 16] {
        &self.tek
    }

    /// The transport integrity key (secret: handle with care).
    pub fn tik(&self) -> &[u8; 16] {
        &self.tik
    }

    /// The MEASURE value the firmware must report for `launch_digest`.
    pub fn expected_measure(
        &self,
        provider: &CryptoProvider,
        version: PlatformVersion,
        launch_digest: &[u8; 32],
        mnonce: &[u8; 16],
    ) -> [u8; 32] {
        kdf::launch_measure(provider.digests, &self.tik, version, self.policy, launch_digest, mnonce)
    }

    /// Checks LAUNCH_MEASURE output against the expected launch digest, in constant time.
    pub fn verify_measurement(
        &self,
        provider: &CryptoProvider,
        measurement: &LaunchMeasurement,
        version: PlatformVersion,
        expected_launch_digest: &[u8; 32],
    ) -> Result<(), LegacyError> {
        let expected = self.expected_measure(provider, version, expected_launch_digest, &measurement.mnonce);
        if bool::from(expected.ct_eq(&measurement.measure)) {
            Ok(())
        } else {
            Err(LegacyError::MeasurementMismatch)
        }
    }

    /// Packages `secret` for LAUNCH_SECRET with a fresh random IV; `measure` is the verified
    /// MEASURE from LAUNCH_MEASURE.
    pub fn package_secret(
        &self,
        provider: &CryptoProvider,
        measure: &[u8; 32],
        secret: &[u8],
    ) -> Result<LaunchSecret, LegacyError> {
        let mut iv = [0u8; 16];
        provider.legacy.fill_random(&mut iv)?;
        self.package_secret_with_iv(provider, measure, iv, secret)
    }

    /// Packages `secret` with the given IV (never reuse an IV under one TEK).
    /// `MAC = HMAC(TIK, 0x01 ‖ FLAGS ‖ IV ‖ GUEST_LEN ‖ TRANS_LEN ‖ ciphertext ‖ MEASURE)`.
    pub fn package_secret_with_iv(
        &self,
        provider: &CryptoProvider,
        measure: &[u8; 32],
        iv: [u8; 16],
        secret: &[u8],
    ) -> Result<LaunchSecret, LegacyError> {
        let len = u32::try_from(secret.len())
            .map_err(|_| LegacyError::SecretTooLarge {
                max: MAX_SECRET,
                found: secret.len(),
            })?
            .to_le_bytes();
        let mut ciphertext = secret.to_vec();
        if let Err(e) = provider.legacy.aes128_ctr(&self.tek, &iv, &mut ciphertext) {
            ciphertext.zeroize();
            return Err(e.into());
        }
        let flags = SecretHeaderFlags::empty();
        let mac = provider.digests.hmac_sha256(
            &self.tik,
            &[
                &[0x01],
                &flags.bits().to_le_bytes(),
                &iv,
                &len,
                &len,
                &ciphertext,
                measure,
            ],
        );
        Ok(LaunchSecret {
            header: LaunchSecretHeader::new(flags, iv, mac),
            ciphertext,
        })
    }
}

/// The guest owner's DH certificate: version 1, API 0.0, usage PDH, ECDH-SHA256 on P-384, both
/// signature slots empty (usage INVALID, algorithm none).
fn owner_dh_cert(public_key: &[u8; 97]) -> Box<[u8; SEV_CERT_LEN]> {
    let mut cert = Box::new([0u8; SEV_CERT_LEN]);
    let x: &[u8; 48] = public_key[1..49].try_into().unwrap_or(&[0; 48]);
    let y: &[u8; 48] = public_key[49..97].try_into().unwrap_or(&[0; 48]);
    cert[0x000..0x004].copy_from_slice(&1u32.to_le_bytes());
    cert[0x008..0x00C].copy_from_slice(&Usage::Pdh.raw().to_le_bytes());
    cert[0x00C..0x010].copy_from_slice(&Algorithm::EcdhSha256.raw().to_le_bytes());
    cert[0x010..0x414].copy_from_slice(EcdsaPublicKey::from_p384_be(x, y).as_bytes());
    for slot in [0x414, 0x61C] {
        cert[slot..slot + 4].copy_from_slice(&Usage::Invalid.raw().to_le_bytes());
    }
    cert
}
