//! Hand-assembled DER, so that tests control every byte (including encodings AMD never uses).

use core::time::Duration;

use der::Encode;
use der::asn1::{GeneralizedTime, ObjectIdentifier, UtcTime};

/// A TLV with a one-byte tag and a DER length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// SEQUENCE of already-encoded parts.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// SET of already-encoded parts.
pub fn set(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

/// OBJECT IDENTIFIER from its dotted form. Panics on a malformed OID (test input).
pub fn oid(dotted: &str) -> Vec<u8> {
    ObjectIdentifier::new(dotted)
        .expect("valid OID")
        .to_der()
        .expect("OID encodes")
}

/// INTEGER with the given content bytes, written as is (so non-minimal or zero encodings can be
/// produced on purpose).
pub fn int_raw(content: &[u8]) -> Vec<u8> {
    tlv(0x02, content)
}

/// INTEGER holding the non-negative `v`, minimally encoded.
pub fn uint(v: u64) -> Vec<u8> {
    int_raw(&uint_content(v))
}

/// Minimal two's-complement content bytes of a non-negative value.
pub fn uint_content(v: u64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|&&x| x == 0).count().min(7);
    let mut c = b[skip..].to_vec();
    if c[0] & 0x80 != 0 {
        c.insert(0, 0);
    }
    c
}

/// OCTET STRING.
pub fn octets(content: &[u8]) -> Vec<u8> {
    tlv(0x04, content)
}

/// BIT STRING with no unused bits.
pub fn bits(content: &[u8]) -> Vec<u8> {
    let mut c = vec![0];
    c.extend_from_slice(content);
    tlv(0x03, &c)
}

/// IA5String.
pub fn ia5(s: &str) -> Vec<u8> {
    tlv(0x16, s.as_bytes())
}

/// UTF8String.
pub fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0C, s.as_bytes())
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// Context-specific constructed tag `[n]` around `content` (EXPLICIT).
pub fn ctx(n: u8, content: &[u8]) -> Vec<u8> {
    tlv(0xA0 | n, content)
}

/// X.509 Time: UTCTime before 2050, GeneralizedTime after (RFC 5280).
pub fn time(unix: u64) -> Vec<u8> {
    let d = Duration::from_secs(unix);
    if unix < 2_524_608_000 {
        UtcTime::from_unix_duration(d)
            .expect("time in range")
            .to_der()
            .expect("encodes")
    } else {
        GeneralizedTime::from_unix_duration(d)
            .expect("time in range")
            .to_der()
            .expect("encodes")
    }
}

/// An AMD-style distinguished name ending in `CN=cn`.
pub fn amd_name(cn: &str) -> Vec<u8> {
    let atv = |o: &str, v: Vec<u8>| set(&[&seq(&[&oid(o), &v])]);
    seq(&[
        &atv("2.5.4.11", utf8("Engineering")),
        &atv("2.5.4.6", tlv(0x13, b"US")),
        &atv("2.5.4.7", utf8("Santa Clara")),
        &atv("2.5.4.8", utf8("CA")),
        &atv("2.5.4.10", utf8("Advanced Micro Devices")),
        &atv("2.5.4.3", utf8(cn)),
    ])
}

/// `sha256` or `sha384` OIDs.
pub const SHA384: &str = "2.16.840.1.101.3.4.2.2";
/// SHA-256.
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";

/// RSASSA-PSS AlgorithmIdentifier with `hash`, MGF1 on `mgf_hash`, and `salt` bytes.
pub fn pss_alg(hash: &str, mgf_hash: &str, salt: u64) -> Vec<u8> {
    let h = seq(&[&oid(hash), &null()]);
    let mgf = seq(&[&oid("1.2.840.113549.1.1.8"), &seq(&[&oid(mgf_hash), &null()])]);
    seq(&[
        &oid("1.2.840.113549.1.1.10"),
        &seq(&[&ctx(0, &h), &ctx(1, &mgf), &ctx(2, &uint(salt))]),
    ])
}

/// The algorithm AMD uses: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48.
pub fn amd_pss_alg() -> Vec<u8> {
    pss_alg(SHA384, SHA384, 48)
}

/// BOOLEAN TRUE.
pub fn bool_true() -> Vec<u8> {
    vec![0x01, 0x01, 0xFF]
}

/// A BasicConstraints extension value: cA (written only when TRUE, as DER requires of a
/// DEFAULT FALSE field) and an optional pathLenConstraint.
pub fn basic_constraints(ca: bool, path_len: Option<u64>) -> Vec<u8> {
    let ca = if ca { bool_true() } else { Vec::new() };
    let path_len = path_len.map(uint).unwrap_or_default();
    seq(&[&ca, &path_len])
}

/// A KeyUsage extension value: a BIT STRING with the named bits set (RFC 5280 numbering:
/// 0 digitalSignature … 5 keyCertSign, 6 cRLSign … 8 decipherOnly), trailing zero bits dropped
/// as DER requires of a named bit list.
pub fn key_usage(named_bits: &[u8]) -> Vec<u8> {
    let Some(&top) = named_bits.iter().max() else {
        return tlv(0x03, &[0]);
    };
    let mut content = vec![0u8; usize::from(top / 8) + 1];
    for &b in named_bits {
        content[usize::from(b / 8)] |= 0x80 >> (b % 8);
    }
    let mut out = vec![7 - top % 8];
    out.extend_from_slice(&content);
    tlv(0x03, &out)
}

/// SubjectPublicKeyInfo for an uncompressed P-384 point.
pub fn ec_p384_spki(point: &[u8]) -> Vec<u8> {
    seq(&[&seq(&[&oid("1.2.840.10045.2.1"), &oid("1.3.132.0.34")]), &bits(point)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_use_the_short_and_long_forms_of_x690() {
        assert_eq!(tlv(0x04, &[7; 5])[..2], [0x04, 0x05]);
        assert_eq!(tlv(0x04, &[0; 0x7F])[..2], [0x04, 0x7F]);
        assert_eq!(tlv(0x04, &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(0x30, &[0; 0x1234])[..4], [0x30, 0x82, 0x12, 0x34]);
    }

    #[test]
    fn integers_are_minimal_twos_complement() {
        assert_eq!(uint(0), [0x02, 0x01, 0x00]);
        assert_eq!(uint(0x7F), [0x02, 0x01, 0x7F]);
        assert_eq!(uint(0x80), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(217), [0x02, 0x02, 0x00, 0xD9]); // kds-and-certs.md §3: ucodeSPL 217
        assert_eq!(uint(0x10000), [0x02, 0x03, 0x01, 0x00, 0x00]);
    }

    #[test]
    fn times_switch_to_generalized_time_in_2050() {
        assert_eq!(
            time(crate::pki::TEST_TIME),
            [&[0x17, 13][..], b"251201000000Z"].concat()
        );
        assert_eq!(time(2_524_608_000), [&[0x18, 15][..], b"20500101000000Z"].concat());
    }

    #[test]
    fn ca_extensions_encode_like_the_real_certificates() {
        // fixtures/snp/milan/ark.der (openssl asn1parse): keyUsage 03020106, basicConstraints
        // 30030101FF; fixtures/snp/milan/ask.der: basicConstraints 30060101FF020100.
        assert_eq!(key_usage(&[5, 6]), [0x03, 0x02, 0x01, 0x06]);
        assert_eq!(basic_constraints(true, None), [0x30, 0x03, 0x01, 0x01, 0xFF]);
        assert_eq!(
            basic_constraints(true, Some(0)),
            [0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00]
        );
        assert_eq!(basic_constraints(false, None), [0x30, 0x00]);
        // Minimal DER for keyCertSign alone has two unused bits (AMD writes one).
        assert_eq!(key_usage(&[5]), [0x03, 0x02, 0x02, 0x04]);
        assert_eq!(key_usage(&[0, 8]), [0x03, 0x03, 0x07, 0x80, 0x80]);
        assert_eq!(key_usage(&[]), [0x03, 0x01, 0x00]);
    }

    #[test]
    fn amd_pss_algorithm_matches_the_real_certificates() {
        // The AlgorithmIdentifier bytes of fixtures/snp/turin/routex-v5/vcek.der (openssl asn1parse
        // offsets 705..772): rsassaPss, sha384, mgf1(sha384), salt 0x30.
        let real = "304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130";
        let hex: String = amd_pss_alg().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, real);
    }
}
