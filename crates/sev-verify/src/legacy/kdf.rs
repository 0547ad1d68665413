//! The session key schedule: NIST SP 800-108 counter-mode KDF with HMAC-SHA-256, and the MACs
//! of `sev-legacy.md` §6.

use zeroize::Zeroize;

use sev_types::launch::sev::SevPolicy;

use crate::crypto::{Digests, Zeroizing};

/// Label of the master-secret derivation.
pub const LABEL_MASTER_SECRET: &[u8] = b"sev-master-secret";
/// Label of the key-encryption-key derivation.
pub const LABEL_KEK: &[u8] = b"sev-kek";
/// Label of the key-integrity-key derivation.
pub const LABEL_KIK: &[u8] = b"sev-kik";

/// SP 800-108 counter mode, PRF HMAC-SHA-256:
/// `K(i) = HMAC(key, LE32(i) ‖ label ‖ 0x00 ‖ context ‖ LE32(8 · out.len()))`, `out` = the first
/// bytes of `K(1) ‖ K(2) ‖ …`.
///
/// ```
/// # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
/// use sev_verify::{crypto::default_provider, legacy::{LABEL_MASTER_SECRET, kdf}};
/// let mut master = [0u8; 16];
/// kdf(default_provider().digests, &[0; 16], LABEL_MASTER_SECRET, &[0; 16], &mut master);
/// assert_eq!(master, [0xab, 0x4d, 0x26, 0x9f, 0xcc, 0x62, 0xbe, 0xdb, 0x45, 0x11, 0xd5, 0x6c, 0x38, 0x6c, 0xe7, 0x06]);
/// # }
/// ```
pub fn kdf(digests: &dyn Digests, key: &[u8], label: &[u8], context: &[u8], out: &mut [u8]) {
    // The length field is 32 bits; longer outputs are not used by SEV and get a wrapped length.
    let bits = u32::try_from(out.len())
        .unwrap_or(u32::MAX)
        .wrapping_mul(8)
        .to_le_bytes();
    for (i, chunk) in (1u32..).zip(out.chunks_mut(32)) {
        let mut block = digests.hmac_sha256(key, &[&i.to_le_bytes(), label, &[0], context, &bits]);
        chunk.copy_from_slice(&block[..chunk.len()]);
        block.zeroize();
    }
}

fn derive16(digests: &dyn Digests, key: &[u8], label: &[u8], context: &[u8]) -> Zeroizing<[u8; 16]> {
    let mut out = Zeroizing::new([0u8; 16]);
    kdf(digests, key, label, context, out.as_mut_slice());
    out
}

/// Master secret = KDF(Z, "sev-master-secret", NONCE), 16 bytes.
pub fn master_secret(digests: &dyn Digests, shared_secret: &[u8], nonce: &[u8; 16]) -> Zeroizing<[u8; 16]> {
    derive16(digests, shared_secret, LABEL_MASTER_SECRET, nonce)
}

/// KEK = KDF(master, "sev-kek", ""), 16 bytes.
pub fn kek(digests: &dyn Digests, master: &[u8; 16]) -> Zeroizing<[u8; 16]> {
    derive16(digests, master, LABEL_KEK, &[])
}

/// KIK = KDF(master, "sev-kik", ""), 16 bytes.
pub fn kik(digests: &dyn Digests, master: &[u8; 16]) -> Zeroizing<[u8; 16]> {
    derive16(digests, master, LABEL_KIK, &[])
}

/// POLICY_MAC = HMAC-SHA-256(TIK, POLICY as 4 little-endian bytes).
pub fn policy_mac(digests: &dyn Digests, tik: &[u8; 16], policy: SevPolicy) -> [u8; 32] {
    digests.hmac_sha256(tik, &[&policy.bits().to_le_bytes()])
}

/// The firmware version a LAUNCH_MEASURE covers (from PLATFORM_STATUS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PlatformVersion {
    /// API major version.
    pub api_major: u8,
    /// API minor version.
    pub api_minor: u8,
    /// Firmware build.
    pub build: u8,
}

/// MEASURE = HMAC-SHA-256(TIK, 0x04 ‖ API_MAJOR ‖ API_MINOR ‖ BUILD ‖ POLICY (LE32) ‖ LD ‖ MNONCE).
pub fn launch_measure(
    digests: &dyn Digests,
    tik: &[u8; 16],
    version: PlatformVersion,
    policy: SevPolicy,
    launch_digest: &[u8; 32],
    mnonce: &[u8; 16],
) -> [u8; 32] {
    let head = [0x04, version.api_major, version.api_minor, version.build];
    digests.hmac_sha256(tik, &[&head, &policy.bits().to_le_bytes(), launch_digest, mnonce])
}
