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

/// Encodes DER as one PEM block with `label` (`CERTIFICATE`, `X509 CRL`), 64-column lines, LF.
///
/// ```
/// let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/ark.der"))?;
/// let pem = sev_verify::snp::pem::encode("CERTIFICATE", &der);
/// assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
/// assert_eq!(sev_verify::snp::pem::split_der_or_pem(pem.as_bytes())?, vec![der]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode(label: &str, der: &[u8]) -> alloc::string::String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_default()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
