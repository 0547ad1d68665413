//! r ‖ s → DER `ECDSA-Sig-Value`, for backends that only take ASN.1 signatures for
//! P-384 with SHA-256 (ring and aws-lc-rs have no fixed-width variant of that pairing).

/// Longest encoding: SEQUENCE header (2) + 2 × (INTEGER header 2 + 0x00 pad + 48).
pub(crate) const MAX_LEN: usize = 2 + 2 * (2 + 1 + 48);

/// Encodes the two 48-byte big-endian scalars as a DER SEQUENCE of two INTEGERs.
/// Returns the buffer and the used length.
pub(crate) fn encode(r_s: &[u8; 96]) -> ([u8; MAX_LEN], usize) {
    let mut out = [0u8; MAX_LEN];
    let (r, s) = r_s.split_at(48);
    let mut len = 2;
    for int in [r, s] {
        len += put_integer(int, &mut out[len..]);
    }
    out[0] = 0x30;
    // At most 2 × 51 = 102 < 128 content bytes: the short length form always fits.
    out[1] = (len - 2) as u8;
    (out, len)
}

/// Writes a minimal DER INTEGER holding the unsigned big-endian `int`; returns bytes written.
fn put_integer(int: &[u8], out: &mut [u8]) -> usize {
    let first_nonzero = int.iter().position(|&b| b != 0).unwrap_or(int.len());
    let digits = match &int[first_nonzero..] {
        [] => &[0u8][..],
        d => d,
    };
    let pad = usize::from(digits[0] & 0x80 != 0);
    let content = pad + digits.len();
    out[0] = 0x02;
    out[1] = content as u8;
    out[2] = 0;
    out[2 + pad..2 + content].copy_from_slice(digits);
    2 + content
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_small_and_high_bit_integers() {
        let mut r_s = [0u8; 96];
        r_s[47] = 1; // r = 1
        r_s[48] = 0x80; // s has its top bit set: needs a 0x00 pad
        let (buf, len) = encode(&r_s);
        let mut expected = alloc::vec![0x30, 3 + 51, 0x02, 0x01, 0x01, 0x02, 49, 0x00, 0x80];
        expected.extend_from_slice(&[0u8; 47]);
        assert_eq!(&buf[..len], &expected[..]);
    }

    #[test]
    fn encodes_zero_as_one_byte() {
        let (buf, len) = encode(&[0u8; 96]);
        assert_eq!(&buf[..len], &[0x30, 6, 0x02, 1, 0, 0x02, 1, 0]);
    }
}
