//! Reading evidence files in binary, hex or base64 form.

use std::io::Read as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use sev_types::report::{REPORT_LEN, Report};

/// How an input file is encoded.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Inform {
    /// Raw bytes.
    Bin,
    /// Hexadecimal text (whitespace ignored).
    Hex,
    /// Base64 text (standard alphabet, whitespace ignored).
    Base64,
    /// Decide from the content: raw if the length matches, else hex, else base64.
    #[default]
    Auto,
}

/// The largest input file read (evidence files are a few KiB; this stops `/dev/zero` and huge
/// files from exhausting memory).
pub const MAX_INPUT: u64 = 16 << 20;

/// Reads `path` and decodes it per `inform`. `expected_len`, when known, lets `auto` recognise raw
/// binary of exactly that size even when its bytes happen to be printable.
pub fn read_decoded(path: &Path, inform: Inform, expected_len: Option<usize>) -> Result<Vec<u8>> {
    let raw = read_capped(path)?;
    decode(&raw, inform, expected_len).with_context(|| format!("cannot decode {}", path.display()))
}

/// Reads an attestation report file (raw, hex or base64) and checks that it parses; the caller
/// views the returned bytes with `Report::from_bytes`.
pub fn read_report(path: &Path, inform: Inform) -> Result<Vec<u8>> {
    let bytes = read_decoded(path, inform, Some(REPORT_LEN))?;
    Report::from_bytes(&bytes).with_context(|| format!("{} is not an attestation report", path.display()))?;
    Ok(bytes)
}

/// Reads a whole file of at most [`MAX_INPUT`] bytes.
pub fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    // Sized up front so the buffer never reallocates: key files are read through here too, and a
    // reallocation would leave a copy of the key behind.
    let size_hint = file.metadata().map_or(0, |m| m.len().min(MAX_INPUT) as usize + 1);
    let mut raw = Vec::with_capacity(size_hint);
    file.take(MAX_INPUT + 1)
        .read_to_end(&mut raw)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if raw.len() as u64 > MAX_INPUT {
        bail!(
            "{} is larger than {} bytes; not an evidence file",
            path.display(),
            MAX_INPUT
        );
    }
    Ok(raw)
}

/// Decodes file contents per `inform`.
pub fn decode(raw: &[u8], inform: Inform, expected_len: Option<usize>) -> Result<Vec<u8>> {
    match inform {
        Inform::Bin => Ok(raw.to_vec()),
        Inform::Hex => decode_hex(raw),
        Inform::Base64 => decode_base64(raw),
        Inform::Auto => {
            if expected_len == Some(raw.len()) {
                return Ok(raw.to_vec());
            }
            let text = compact(raw);
            let digits = text.strip_prefix(b"0x").unwrap_or(&text);
            if !digits.is_empty() && digits.len().is_multiple_of(2) && digits.iter().all(u8::is_ascii_hexdigit) {
                return decode_hex(raw);
            }
            if let Ok(bytes) = decode_base64(raw) {
                return Ok(bytes);
            }
            Ok(raw.to_vec())
        }
    }
}

fn compact(raw: &[u8]) -> Vec<u8> {
    raw.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect()
}

fn decode_hex(raw: &[u8]) -> Result<Vec<u8>> {
    let text = compact(raw);
    let text = std::str::from_utf8(&text).context("hex input is not text")?;
    let text = text.strip_prefix("0x").unwrap_or(text);
    if text.len() % 2 != 0 {
        bail!("hex input has an odd number of digits ({})", text.len());
    }
    let mut out = vec![0u8; text.len() / 2];
    sev_types::fmt::decode_hex_into(text, &mut out).context("hex input contains a non-hex character")?;
    Ok(out)
}

fn decode_base64(raw: &[u8]) -> Result<Vec<u8>> {
    let text = compact(raw);
    base64::engine::general_purpose::STANDARD
        .decode(&text)
        .context("invalid base64")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_detects_each_encoding() {
        assert_eq!(decode(b"0a0B\n", Inform::Auto, None).unwrap(), vec![0x0a, 0x0b]);
        assert_eq!(decode(b"0x0a0B", Inform::Auto, None).unwrap(), vec![0x0a, 0x0b]);
        assert_eq!(decode(b"AQID\n", Inform::Auto, None).unwrap(), vec![1, 2, 3]);
        assert_eq!(decode(b"\x00\x01", Inform::Auto, None).unwrap(), vec![0, 1]);
        assert_eq!(decode(b"abcd", Inform::Auto, Some(4)).unwrap(), b"abcd".to_vec());
        assert!(decode(b"abc", Inform::Hex, None).is_err());
        assert!(decode(b"zz", Inform::Hex, None).is_err());
    }
}
