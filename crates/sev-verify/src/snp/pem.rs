//! Certificates and CRLs as DER, PEM, or PEM bundles (as AMD's `cert_chain` downloads are).

use alloc::vec::Vec;

use super::error::SnpError;

/// Splits `input` into DER objects: `input` itself when it is DER (starts with a SEQUENCE tag),
/// otherwise every PEM block in it, decoded (labels `CERTIFICATE`, `X509 CRL`; others are
/// skipped). Text outside the blocks is ignored.
///
/// ```
/// let bundle = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/kds/milan_ask_ark_asvk.pem"))?;
/// let ders = sev_verify::snp::pem::split_der_or_pem(&bundle)?;
/// assert_eq!(ders.len(), 3);
/// assert_eq!(ders[0][0], 0x30);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn split_der_or_pem(input: &[u8]) -> Result<Vec<Vec<u8>>, SnpError> {
    if input.first() == Some(&0x30) {
        return Ok(alloc::vec![input.to_vec()]);
    }
    let mut out = Vec::new();
    let mut rest = input;
    const BEGIN: &[u8] = b"-----BEGIN ";
    const END: &[u8] = b"-----END ";
    while let Some(start) = find(rest, BEGIN) {
        let block = &rest[start..];
        let end_marker = find(block, END).ok_or(SnpError::Pem {
            reason: "BEGIN without END",
        })?;
        let after_end = &block[end_marker + END.len()..];
        let close = find(after_end, b"-----").ok_or(SnpError::Pem {
            reason: "unterminated END line",
        })?;
        let block_len = end_marker + END.len() + close + 5;
        let (label, der) = der::pem::decode_vec(&block[..block_len]).map_err(|_| SnpError::Pem {
            reason: "malformed PEM block",
        })?;
        if label == "CERTIFICATE" || label == "X509 CRL" {
            out.push(der);
        }
        rest = &block[block_len..];
    }
    if out.is_empty() {
        return Err(SnpError::Pem {
            reason: "neither DER nor PEM with a CERTIFICATE or X509 CRL block",
        });
    }
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The DER length of the single PEM block in `pem`, computed at compile time.
pub(crate) const fn pem_der_len(pem: &[u8]) -> usize {
    let (count, pad) = count_b64(pem);
    count / 4 * 3 - pad
}

/// Decodes the single PEM block in `pem` at compile time (used for built-in roots).
pub(crate) const fn pem_to_der<const N: usize>(pem: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut o = 0;
    let mut i = 0;
    let mut line_start = true;
    let mut in_dash = false;
    while i < pem.len() {
        let c = pem[i];
        i += 1;
        if c == b'\n' {
            line_start = true;
            in_dash = false;
            continue;
        }
        if line_start && c == b'-' {
            in_dash = true;
        }
        line_start = false;
        if in_dash {
            continue;
        }
        let v = b64(c);
        if v < 0 {
            continue;
        }
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            assert!(o < N, "PEM longer than declared");
            out[o] = (acc >> bits) as u8;
            o += 1;
        }
    }
    assert!(o == N, "PEM shorter than declared");
    out
}

const fn count_b64(pem: &[u8]) -> (usize, usize) {
    let mut count = 0;
    let mut pad = 0;
    let mut i = 0;
    let mut line_start = true;
    let mut in_dash = false;
    while i < pem.len() {
        let c = pem[i];
        i += 1;
        if c == b'\n' {
            line_start = true;
            in_dash = false;
            continue;
        }
        if line_start && c == b'-' {
            in_dash = true;
        }
        line_start = false;
        if in_dash {
            continue;
        }
        if c == b'=' {
            pad += 1;
            count += 1;
        } else if b64(c) >= 0 {
            count += 1;
        }
    }
    (count, pad)
}

const fn b64(c: u8) -> i32 {
    match c {
        b'A'..=b'Z' => (c - b'A') as i32,
        b'a'..=b'z' => (c - b'a') as i32 + 26,
        b'0'..=b'9' => (c - b'0') as i32 + 52,
        b'+' => 62,
        b'/' => 63,
        _ => -1,
    }
}
