//! TEST ONLY AMD roots of the simulated SEV platforms: an ARK and an ASK in AMD's signing-key
//! format (`sev-legacy.md` §4), RSA-4096 with RSASSA-PSS SHA-384 as on Rome and later, from the
//! committed `keys/legacy-{ark,ask}.pem`. The ASK signs every simulated chip's CEK.
//!
//! No real verifier trusts them: `sev-verify`'s built-in roots are AMD's.

use std::sync::OnceLock;

use rsa::PrivateKey;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use sev_types::U32;
use sev_types::legacy::{Algorithm, RawSignatureSlot, Usage};

/// KEY_ID of the simulated ARK (ASCII, 16 bytes).
pub const SIM_ARK_KEY_ID: [u8; 16] = *b"sev-sim TEST ARK";
/// KEY_ID of the simulated ASK (ASCII, 16 bytes).
pub const SIM_ASK_KEY_ID: [u8; 16] = *b"sev-sim TEST ASK";

const BITS: usize = 4096;
const FIELD: usize = BITS / 8;

fn load(pem: &str) -> PrivateKey {
    // The committed test keys are fixed at compile time; the doc tests of `sim_ark` and
    // `sim_ask` parse both.
    PrivateKey::from_pkcs8_pem(pem).unwrap_or_else(|_| unreachable!("committed legacy test key parses"))
}

fn ark_key() -> PrivateKey {
    load(include_str!("../../../keys/legacy-ark.pem"))
}

fn ask_key() -> &'static PrivateKey {
    static ASK: OnceLock<PrivateKey> = OnceLock::new();
    ASK.get_or_init(|| load(include_str!("../../../keys/legacy-ask.pem")))
}

/// `value` (big-endian, at most `FIELD` bytes) as a little-endian field of `FIELD` bytes.
fn le_field(be: &[u8]) -> [u8; FIELD] {
    let mut out = [0u8; FIELD];
    for (dst, src) in out.iter_mut().zip(be.iter().rev()) {
        *dst = *src;
    }
    out
}

/// RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48: what a 4096-bit AMD signing key makes.
fn pss_sha384(key: &PrivateKey, msg: &[u8]) -> [u8; FIELD] {
    let sig = key
        .pss_sign::<sha2::Sha384>(msg)
        .unwrap_or_else(|_| unreachable!("RSA-PSS signing with a 4096-bit key"));
    le_field(&sig)
}

/// An AMD-format certificate for `subject`'s public key, signed by `signer`.
fn amd_cert(subject: &PrivateKey, key_id: [u8; 16], usage: Usage, signer: &PrivateKey, signer_id: [u8; 16]) -> Vec<u8> {
    let mut cert = Vec::with_capacity(0x40 + 3 * FIELD);
    cert.extend_from_slice(&1u32.to_le_bytes());
    cert.extend_from_slice(&key_id);
    cert.extend_from_slice(&signer_id);
    cert.extend_from_slice(&usage.raw().to_le_bytes());
    cert.extend_from_slice(&[0; 16]);
    cert.extend_from_slice(&(BITS as u32).to_le_bytes());
    cert.extend_from_slice(&(BITS as u32).to_le_bytes());
    cert.extend_from_slice(&le_field(&subject.e_bytes()));
    cert.extend_from_slice(&le_field(&subject.n_bytes()));
    let sig = pss_sha384(signer, &cert);
    cert.extend_from_slice(&sig);
    cert
}

/// The simulated SEV ARK in AMD's format (1600 bytes, self-signed): the root a verifier pins to
/// accept chains exported by [`SimHost`](crate::host::SimHost).
///
/// ```
/// use sev_types::legacy::{AmdCertificate, Usage};
/// let ark = AmdCertificate::from_bytes(sev_sim::host::sim_ark())?;
/// assert_eq!(ark.key_usage(), Usage::Ark);
/// assert_eq!(ark.modulus_bits(), 4096);
/// assert!(ark.is_self_signed());
/// # Ok::<(), sev_types::ParseError>(())
/// ```
pub fn sim_ark() -> &'static [u8] {
    static ARK: OnceLock<Vec<u8>> = OnceLock::new();
    ARK.get_or_init(|| {
        let ark = ark_key();
        amd_cert(&ark, SIM_ARK_KEY_ID, Usage::Ark, &ark, SIM_ARK_KEY_ID)
    })
}

/// The simulated SEV ASK in AMD's format (1600 bytes), signed by [`sim_ark`]; it signs the CEK
/// of every simulated chip.
///
/// ```
/// use sev_types::legacy::{AmdCertificate, Usage};
/// let ask = AmdCertificate::from_bytes(sev_sim::host::sim_ask())?;
/// let ark = AmdCertificate::from_bytes(sev_sim::host::sim_ark())?;
/// assert_eq!(ask.key_usage(), Usage::Ask);
/// assert_eq!(ask.certifying_id(), ark.key_id());
/// # Ok::<(), sev_types::ParseError>(())
/// ```
pub fn sim_ask() -> &'static [u8] {
    static ASK: OnceLock<Vec<u8>> = OnceLock::new();
    ASK.get_or_init(|| amd_cert(ask_key(), SIM_ASK_KEY_ID, Usage::Ask, &ark_key(), SIM_ARK_KEY_ID))
}

/// Fills `slot` with the ASK's signature (RSA-SHA384, RSASSA-PSS) over `signed_bytes`.
pub(super) fn ask_sign(slot: &mut RawSignatureSlot, signed_bytes: &[u8]) {
    slot.usage = U32::new(Usage::Ask.raw());
    slot.algo = U32::new(Algorithm::RsaSha384.raw());
    slot.signature = pss_sha384(ask_key(), signed_bytes);
}
