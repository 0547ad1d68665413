//! The firmware's primitives: P-384 keys derived from the chip, ECDSA-SHA256 on P-384, ECDH,
//! the SP 800-108 KDF, HMAC-SHA-256 and AES-128-CTR (`sev-legacy.md` §3, §6, §8).
//!
//! Written independently of `sev-verify`'s guest-owner side, so that the two meet only in the
//! formulas of the spec.

use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{KeyInit, Mac};
use p384::ecdsa::signature::hazmat::PrehashSigner;
use p384::ecdsa::{Signature, SigningKey};
use p384::elliptic_curve::sec1::ToSec1Point;
use sha2::{Digest, Sha256, Sha384};
use zeroize::Zeroizing;

use sev_types::ecdsa::{EcdsaPublicKey, EcdsaSignature};

type HmacSha256 = hmac::Hmac<Sha256>;
type HmacSha384 = hmac::Hmac<Sha384>;

/// HMAC-SHA-256 of the concatenation of `parts`.
pub(super) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length: `new_from_slice` cannot fail.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return [0; 32];
    };
    parts.iter().for_each(|p| mac.update(p));
    mac.finalize().into_bytes().into()
}

/// Whether `tag` is HMAC-SHA-256 of `parts` under `key`, compared in constant time.
pub(super) fn hmac_sha256_verify(key: &[u8], parts: &[&[u8]], tag: &[u8; 32]) -> bool {
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return false;
    };
    parts.iter().for_each(|p| mac.update(p));
    mac.verify_slice(tag).is_ok()
}

/// NIST SP 800-108 counter mode with HMAC-SHA-256:
/// `K(i) = HMAC(key, LE32(i) ‖ label ‖ 0x00 ‖ context ‖ LE32(L in bits))`, 16 bytes out.
pub(super) fn kdf16(key: &[u8], label: &[u8], context: &[u8]) -> Zeroizing<[u8; 16]> {
    let bits = (16u32 * 8).to_le_bytes();
    let block = Zeroizing::new(hmac_sha256(key, &[&1u32.to_le_bytes(), label, &[0], context, &bits]));
    let mut out = Zeroizing::new([0u8; 16]);
    out.copy_from_slice(&block[..16]);
    out
}

/// AES-128-CTR in place, the 16-byte IV as the initial big-endian counter block.
pub(super) fn aes128_ctr(key: &[u8; 16], iv: &[u8; 16], data: &mut [u8]) {
    let mut cipher = ctr::Ctr128BE::<aes::Aes128>::new(key.into(), iv.into());
    cipher.apply_keystream(data);
}

/// `N` bytes from the operating system's random source (`None` if it failed).
pub(super) fn random<const N: usize>() -> Option<Zeroizing<[u8; N]>> {
    let mut out = Zeroizing::new([0u8; N]);
    getrandom::fill(out.as_mut_slice()).ok()?;
    Some(out)
}

/// The chip's secret from which its SEV keys are derived: TEST ONLY, a hash of the chip ID.
pub(super) fn chip_seed(chip_id: &[u8; 64]) -> Zeroizing<[u8; 48]> {
    let mut h = Sha384::new();
    h.update(b"sev-sim TEST legacy SEV chip seed v1\0");
    h.update(chip_id);
    Zeroizing::new(h.finalize().into())
}

/// A P-384 key held by the firmware (PEK, PDH, CEK or its own OCA); the scalar is wiped on drop.
pub(super) struct FwKey(SigningKey);

impl core::fmt::Debug for FwKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FwKey").finish_non_exhaustive()
    }
}

impl FwKey {
    /// The key named `label` of generation `epoch` of the chip with `seed`: the first valid
    /// scalar among `HMAC-SHA-384(seed, label ‖ LE64(epoch) ‖ LE32(attempt))`, attempt = 0, 1, ….
    pub(super) fn derive(seed: &[u8; 48], label: &[u8], epoch: u64) -> Self {
        let mut attempt = 0u32;
        loop {
            let Ok(mut mac) = HmacSha384::new_from_slice(seed) else {
                unreachable!("HMAC takes keys of any length")
            };
            mac.update(label);
            mac.update(&epoch.to_le_bytes());
            mac.update(&attempt.to_le_bytes());
            let candidate = Zeroizing::new(<[u8; 48]>::from(mac.finalize().into_bytes()));
            // About 2^-190 of candidates are zero or not below the order.
            if let Ok(key) = SigningKey::from_slice(candidate.as_slice()) {
                return FwKey(key);
            }
            attempt = attempt.wrapping_add(1);
        }
    }

    /// The public key as an uncompressed SEC1 point (0x04 ‖ X ‖ Y, big-endian).
    pub(super) fn public_sec1(&self) -> [u8; 97] {
        let point = self.0.verifying_key().as_affine().to_sec1_point(false);
        let mut out = [0u8; 97];
        out.copy_from_slice(point.as_bytes());
        out
    }

    /// The public key in the SEV certificate's key-area layout (curve P-384, little-endian).
    pub(super) fn public(&self) -> EcdsaPublicKey {
        let sec1 = self.public_sec1();
        let (x, y) = sec1[1..].split_at(48);
        EcdsaPublicKey::from_p384_be(&be48(x), &be48(y))
    }

    /// ECDSA on P-384 over SHA-256(`msg`), as SEV certificates and reports are signed.
    pub(super) fn sign_sha256(&self, msg: &[u8]) -> EcdsaSignature {
        let digest = Sha256::digest(msg);
        // Signing a 32-byte prehash with a valid key cannot fail.
        let sig: Signature = match self.0.sign_prehash(&digest) {
            Ok(sig) => sig,
            Err(_) => unreachable!("ECDSA signing of a SHA-256 prehash"),
        };
        let (r, s) = sig.split_bytes();
        EcdsaSignature::from_p384_be(&be48(&r), &be48(&s))
    }

    /// ECDH with `peer` (uncompressed SEC1): the shared X coordinate, big-endian; `None` if
    /// `peer` is not a point on P-384.
    pub(super) fn ecdh(&self, peer: &[u8]) -> Option<Zeroizing<[u8; 48]>> {
        let peer = p384::PublicKey::from_sec1_bytes(peer).ok()?;
        let shared = p384::ecdh::diffie_hellman(self.0.as_nonzero_scalar(), peer.as_affine());
        let mut out = Zeroizing::new([0u8; 48]);
        out.copy_from_slice(shared.raw_secret_bytes().as_slice());
        Some(out)
    }
}

/// Whether `r_s` (R ‖ S, big-endian) is an ECDSA P-384 signature by `public_sec1` over `msg`
/// hashed with SHA-256 (`sha384 == false`) or SHA-384.
pub(super) fn verify_p384(public_sec1: &[u8], sha384: bool, msg: &[u8], r_s: &[u8; 96]) -> bool {
    use p384::ecdsa::signature::hazmat::PrehashVerifier;
    let Ok(key) = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_sec1) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(r_s) else {
        return false;
    };
    if sha384 {
        key.verify_prehash(&Sha384::digest(msg), &sig).is_ok()
    } else {
        key.verify_prehash(&Sha256::digest(msg), &sig).is_ok()
    }
}

fn be48(bytes: &[u8]) -> [u8; 48] {
    let mut out = [0u8; 48];
    out.copy_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sev-legacy.md` §9: master secret for Z = NONCE = 16 zero bytes.
    #[test]
    fn kdf_matches_the_spec_vector() {
        let master = kdf16(&[0; 16], b"sev-master-secret", &[0; 16]);
        assert_eq!(
            *master,
            [
                0xab, 0x4d, 0x26, 0x9f, 0xcc, 0x62, 0xbe, 0xdb, 0x45, 0x11, 0xd5, 0x6c, 0x38, 0x6c, 0xe7, 0x06
            ]
        );
    }

    /// `sev-legacy.md` §9: WRAP_TK for all-zero Z, NONCE, WRAP_IV, TEK, TIK.
    #[test]
    fn wrap_matches_the_spec_vector() {
        let master = kdf16(&[0; 16], b"sev-master-secret", &[0; 16]);
        let kek = kdf16(master.as_slice(), b"sev-kek", &[]);
        let mut tk = [0u8; 32];
        aes128_ctr(&kek, &[0; 16], &mut tk);
        assert_eq!(tk[..8], [0x21, 0x37, 0xbc, 0x7f, 0x9b, 0xb8, 0xbd, 0x7c]);
        assert_eq!(tk[24..], [0x46, 0xdc, 0xfe, 0xe9, 0xf0, 0x2c, 0x02, 0xc4][..]);
        let kik = kdf16(master.as_slice(), b"sev-kik", &[]);
        assert_eq!(hmac_sha256(kik.as_slice(), &[&tk])[..4], [0x31, 0x76, 0xc0, 0x75]);
    }

    #[test]
    fn derived_keys_are_reproducible_and_distinct() {
        let seed = chip_seed(&[1; 64]);
        let a = FwKey::derive(&seed, b"PEK", 0);
        assert_eq!(a.public_sec1(), FwKey::derive(&seed, b"PEK", 0).public_sec1());
        assert_ne!(a.public_sec1(), FwKey::derive(&seed, b"PEK", 1).public_sec1());
        assert_ne!(a.public_sec1(), FwKey::derive(&seed, b"PDH", 0).public_sec1());
    }
}
