//! VLEK hashsticks the simulator accepts.
//!
//! A real hashstick is the VLEK wrapped by AMD's KDS under a key only the chip's firmware
//! knows (AES-256-GCM). The simulator cannot receive those, so it defines its own TEST
//! wrapping with the same layout ([`VlekHashstick`]): a per-chip TEST key (SHA-384 of a fixed
//! label and the CHIP_ID) keys an HMAC-SHA-384 keystream that encrypts the payload (the cspID
//! that the VLEK certificate will name), and the first 16 bytes of an HMAC-SHA-384 over every
//! byte before the tag (IV, reserved words, wrapped payload, TCB) are the tag. So a hashstick
//! made for another chip, another TCB, or changed in any byte is refused.

use hmac::{KeyInit, Mac};
use sev_types::U64;
use sev_types::guest::VlekHashstick;
use sev_types::status::FirmwareStatus;
use sev_types::tcb::{RawTcb, TcbVersion};
use sha2::{Digest, Sha384};
use zerocopy::{FromZeros, IntoBytes};
use zeroize::Zeroizing;

use crate::host::SimHost;

type HmacSha384 = hmac::Hmac<Sha384>;

/// Bytes of the wrapped payload.
const PAYLOAD_LEN: usize = 384;
/// Longest cspID a hashstick carries (the payload starts with a 2-byte length).
const MAX_CSP_ID_LEN: usize = PAYLOAD_LEN - 2;
/// Offset of the tag: the tag covers every byte before it.
const TAG_OFFSET: usize = 0x1A0;

fn wrapping_key(chip_id: &[u8; 64]) -> Zeroizing<[u8; 48]> {
    let mut h = Sha384::new();
    h.update(b"sev-sim TEST VLEK wrapping key v1\0");
    h.update(chip_id);
    Zeroizing::new(h.finalize().into())
}

fn mac(key: &[u8; 48]) -> HmacSha384 {
    // HMAC takes keys of any length.
    <HmacSha384 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// XORs the keystream for `iv` into `payload` (encrypts and decrypts alike).
fn apply_keystream(key: &[u8; 48], iv: &[u8; 12], payload: &mut [u8; PAYLOAD_LEN]) {
    for (block, chunk) in payload.chunks_mut(48).enumerate() {
        let mut m = mac(key);
        m.update(b"stream");
        m.update(iv);
        m.update(&(block as u32).to_le_bytes());
        let stream = Zeroizing::new(<[u8; 48]>::from(m.finalize().into_bytes()));
        for (b, s) in chunk.iter_mut().zip(stream.iter()) {
            *b ^= s;
        }
    }
}

fn tag_mac(key: &[u8; 48], h: &VlekHashstick) -> HmacSha384 {
    let mut m = mac(key);
    m.update(b"tag");
    m.update(&h.as_bytes()[..TAG_OFFSET]);
    m
}

/// Wraps a TEST VLEK hashstick for the chip `chip_id` at `tcb`, naming `csp_id` (its first
/// 382 bytes, cut at a character boundary) as the VLEK certificate's cspID.
///
/// SNP_VLEK_LOAD on the simulated machine with that CHIP_ID accepts it when `tcb` is the
/// platform's reported TCB.
///
/// ```
/// use sev_sim::host::{HostConfig, SimHost, wrap_vlek_hashstick};
/// use sev_sys::seam::PlatformDevice;
/// use sev_types::Product;
///
/// let config = HostConfig::new(Product::Genoa);
/// let t = config.guest_template.clone();
/// let mut host = SimHost::new(config);
/// let stick = wrap_vlek_hashstick(&t.chip_id, t.reported_tcb, "my-cloud", [7; 12]);
/// host.snp_vlek_load(&stick).unwrap();
/// assert!(host.snp_platform_status().unwrap().flags().contains(
///     sev_types::platform::SnpPlatformFlags::VLEK_EN));
/// ```
pub fn wrap_vlek_hashstick(chip_id: &[u8; 64], tcb: TcbVersion, csp_id: &str, iv: [u8; 12]) -> VlekHashstick {
    let mut end = csp_id.len().min(MAX_CSP_ID_LEN);
    while !csp_id.is_char_boundary(end) {
        end -= 1;
    }
    let name = &csp_id.as_bytes()[..end];
    let mut payload = Zeroizing::new([0u8; PAYLOAD_LEN]);
    payload[..2].copy_from_slice(&(end as u16).to_le_bytes());
    payload[2..2 + end].copy_from_slice(name);
    let key = wrapping_key(chip_id);
    apply_keystream(&key, &iv, &mut payload);
    let mut h = VlekHashstick::new_zeroed();
    h.iv = iv;
    h.wrapped_vlek = *payload;
    h.tcb_version = RawTcb(U64::new(tcb.0));
    let full = tag_mac(&key, &h).finalize().into_bytes();
    h.tag.copy_from_slice(&full[..16]);
    h
}

/// Checks a hashstick the way the simulated firmware does and returns its cspID.
///
/// Non-zero reserved bytes: INVALID_PARAM; a tag that does not verify under this chip's key
/// (another chip, or any byte changed): BAD_SIGNATURE; a TCB other than the platform's reported
/// TCB: INVALID_PARAM; a payload that does not decode: INVALID_PARAM.
pub(super) fn unwrap(h: &VlekHashstick, chip_id: &[u8; 64], reported: TcbVersion) -> Result<String, FirmwareStatus> {
    if h.reserved_00c.iter().chain(h.reserved_198.iter()).any(|&b| b != 0) {
        return Err(FirmwareStatus::InvalidParam);
    }
    let key = wrapping_key(chip_id);
    tag_mac(&key, h)
        .verify_truncated_left(&h.tag)
        .map_err(|_| FirmwareStatus::BadSignature)?;
    if h.tcb_version() != reported {
        return Err(FirmwareStatus::InvalidParam);
    }
    let mut payload = Zeroizing::new(h.wrapped_vlek);
    apply_keystream(&key, &h.iv, &mut payload);
    let len = usize::from(u16::from_le_bytes([payload[0], payload[1]]));
    let name = payload
        .get(2..2 + len)
        .filter(|_| len <= MAX_CSP_ID_LEN)
        .ok_or(FirmwareStatus::InvalidParam)?;
    String::from_utf8(name.to_vec()).map_err(|_| FirmwareStatus::InvalidParam)
}

impl SimHost {
    /// A TEST hashstick for this machine ([`wrap_vlek_hashstick`] with its CHIP_ID and reported
    /// TCB) naming `csp_id`.
    pub fn vlek_hashstick(&self, csp_id: &str) -> VlekHashstick {
        let s = self.lock();
        let t = &s.config.guest_template;
        wrap_vlek_hashstick(&t.chip_id, t.reported_tcb, csp_id, [0x5E; 12])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHIP: [u8; 64] = [9; 64];
    const TCB: TcbVersion = TcbVersion(0xdb18_0000_0000_0104);

    #[test]
    fn a_wrapped_hashstick_unwraps_to_its_csp_id_only_for_its_chip_and_tcb() {
        let h = wrap_vlek_hashstick(&CHIP, TCB, "cloud-α", [1; 12]);
        assert_eq!(unwrap(&h, &CHIP, TCB).unwrap(), "cloud-α");
        assert_eq!(unwrap(&h, &[8; 64], TCB), Err(FirmwareStatus::BadSignature));
        assert_eq!(
            unwrap(&h, &CHIP, TcbVersion(TCB.0 + 1)),
            Err(FirmwareStatus::InvalidParam)
        );
        assert!(
            !h.wrapped_vlek.windows(5).any(|w| w == b"cloud"),
            "the cspID is not in clear"
        );
    }

    #[test]
    fn any_changed_byte_or_reserved_field_is_refused() {
        let good = wrap_vlek_hashstick(&CHIP, TCB, "csp", [2; 12]);
        for offset in [0x000, 0x010, 0x18F, 0x190, 0x1A0, 0x1AF] {
            let mut bad = good.clone();
            bad.as_mut_bytes()[offset] ^= 1;
            assert_eq!(
                unwrap(&bad, &CHIP, TCB),
                Err(FirmwareStatus::BadSignature),
                "{offset:#x}"
            );
        }
        for offset in [0x00C, 0x198] {
            let mut bad = good.clone();
            bad.as_mut_bytes()[offset] = 1;
            assert_eq!(
                unwrap(&bad, &CHIP, TCB),
                Err(FirmwareStatus::InvalidParam),
                "{offset:#x}"
            );
        }
    }

    #[test]
    fn long_csp_ids_are_cut_at_a_character_boundary() {
        let long = "é".repeat(300);
        let h = wrap_vlek_hashstick(&CHIP, TCB, &long, [3; 12]);
        let back = unwrap(&h, &CHIP, TCB).unwrap();
        assert_eq!(back.len(), MAX_CSP_ID_LEN);
        assert!(long.starts_with(&back));
    }
}
