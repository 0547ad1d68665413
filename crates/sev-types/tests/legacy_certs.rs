//! SEV legacy certificates: every real file in fixtures/sev-legacy parses with the values listed in
//! shared/spec/sev-legacy.md §3–§4 and fixtures/PROVENANCE.md; every prefix and hostile sizes fail.

use sev_types::ParseError;
use sev_types::ecdsa::Curve;
use sev_types::fmt::Hex;
use sev_types::legacy::{
    Algorithm, AmdCertChain, AmdCertificate, FullChain, HashAlgorithm, PlatformChain, PublicKey, SEV_CERT_LEN,
    SevCertificate, Usage,
};

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/sev-legacy/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn hex(b: &[u8]) -> String {
    format!("{}", Hex(b))
}

struct AmdCase {
    path: &'static str,
    key_id: &'static str,
    certifying_id: &'static str,
    usage: Usage,
    bits: u32,
    len: usize,
}

// KEY_IDs: sev-legacy.md §4 table; sizes, usages and certifying IDs: PROVENANCE.md rows.
const AMD_CASES: &[AmdCase] = &[
    AmdCase {
        path: "naples/ark.cert",
        key_id: "1bb987c359494606b174945601c9ea5b",
        certifying_id: "1bb987c359494606b174945601c9ea5b",
        usage: Usage::Ark,
        bits: 2048,
        len: 832,
    },
    AmdCase {
        path: "naples/ask.cert",
        key_id: "e139970cfc464377ae61b289e2f9e96e",
        certifying_id: "1bb987c359494606b174945601c9ea5b",
        usage: Usage::Ask,
        bits: 2048,
        len: 832,
    },
    AmdCase {
        path: "rome/ark.cert",
        key_id: "e6002122fb58419399d15fee7b131351",
        certifying_id: "e6002122fb58419399d15fee7b131351",
        usage: Usage::Ark,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "rome/ask.cert",
        key_id: "c6cbcf145b3146f498e40ecb4ad4fded",
        certifying_id: "e6002122fb58419399d15fee7b131351",
        usage: Usage::Ask,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "milan/ark.cert",
        key_id: "94c38e4177d0479292a7ae671d083fb6",
        certifying_id: "94c38e4177d0479292a7ae671d083fb6",
        usage: Usage::Ark,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "milan/ask.cert",
        key_id: "73478c05cc174bfeb06e718fa75dc3c8",
        certifying_id: "94c38e4177d0479292a7ae671d083fb6",
        usage: Usage::Ask,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "genoa/ark.cert",
        key_id: "9f9d4a8fe761456599f6946c4c010f3a",
        certifying_id: "9f9d4a8fe761456599f6946c4c010f3a",
        usage: Usage::Ark,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "genoa/ask.cert",
        key_id: "acbb4ad21acc436fb3e932f812cd01b0",
        certifying_id: "9f9d4a8fe761456599f6946c4c010f3a",
        usage: Usage::Ask,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "turin/ark.cert",
        key_id: "d05c3a8bde484904b49552422ceb3942",
        certifying_id: "d05c3a8bde484904b49552422ceb3942",
        usage: Usage::Ark,
        bits: 4096,
        len: 1600,
    },
    AmdCase {
        path: "turin/ask.cert",
        key_id: "15051693f7304d65a527b4a7f3f7cb77",
        certifying_id: "d05c3a8bde484904b49552422ceb3942",
        usage: Usage::Ask,
        bits: 4096,
        len: 1600,
    },
];

#[test]
fn every_amd_format_certificate_parses_with_documented_fields() {
    for c in AMD_CASES {
        let bytes = fixture(c.path);
        assert_eq!(bytes.len(), c.len, "{}", c.path);
        let cert = AmdCertificate::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", c.path));
        assert_eq!(cert.version(), 1, "{}", c.path);
        assert_eq!(hex(cert.key_id()), c.key_id, "{}", c.path);
        assert_eq!(hex(cert.certifying_id()), c.certifying_id, "{}", c.path);
        assert_eq!(cert.key_usage(), c.usage, "{}", c.path);
        assert_eq!(cert.is_self_signed(), c.usage == Usage::Ark, "{}", c.path);
        assert_eq!(cert.modulus_bits(), c.bits, "{}", c.path);
        assert_eq!(cert.pubexp_bits(), c.bits, "{}", c.path);
        let field = c.bits as usize / 8;
        assert_eq!(cert.signed_bytes(), &bytes[..0x40 + 2 * field], "{}", c.path);
        assert_eq!(cert.signature_le(), &bytes[0x40 + 2 * field..], "{}", c.path);
        // §4: exponent 65537 in all shipped certs; SHA-256 for 2048-bit, SHA-384 for 4096-bit keys.
        assert_eq!(cert.exponent_be().trimmed(), &[0x01, 0x00, 0x01], "{}", c.path);
        assert_eq!(cert.exponent_be().to_u64(), Some(65537), "{}", c.path);
        let want_hash = if c.bits == 2048 {
            HashAlgorithm::Sha256
        } else {
            HashAlgorithm::Sha384
        };
        assert_eq!(cert.signature_hash(), want_hash, "{}", c.path);
        // A modulus of exactly `bits` bits has its top bit set once read big-endian.
        let m = cert.modulus_be();
        assert_eq!(m.len(), field, "{}", c.path);
        assert!(m[0] & 0x80 != 0, "{}: modulus top bit", c.path);
        assert_eq!(m[field - 1], cert.modulus_le()[0], "{}", c.path);
        assert_eq!(cert.signature_be().len(), field, "{}", c.path);
    }
}

#[test]
fn amd_bundle_is_ask_then_ark() {
    let bundle = fixture("naples/ask_ark_naples.cert");
    let chain = AmdCertChain::from_bytes(&bundle).unwrap();
    assert_eq!(chain.ask.as_bytes(), fixture("naples/ask.cert").as_slice());
    assert_eq!(chain.ark.as_bytes(), fixture("naples/ark.cert").as_slice());
    assert_eq!(chain.ask.certifying_id(), chain.ark.key_id());
    // Rome and later: build the same shape from the split files.
    for p in ["rome", "milan", "genoa", "turin"] {
        let joined = [fixture(&format!("{p}/ask.cert")), fixture(&format!("{p}/ark.cert"))].concat();
        let chain = AmdCertChain::from_bytes(&joined).unwrap();
        assert_eq!(
            (chain.ask.key_usage(), chain.ark.key_usage()),
            (Usage::Ask, Usage::Ark),
            "{p}"
        );
        let mut extra = joined.clone();
        extra.push(0);
        assert_eq!(
            AmdCertChain::from_bytes(&extra).unwrap_err(),
            ParseError::BadLength {
                what: "AMD ASK/ARK bundle",
                expected: 3200,
                got: 3201
            }
        );
    }
}

struct SevCase {
    path: &'static str,
    api: (u8, u8),
    usage: Usage,
    algo: Algorithm,
    sig1: Option<(Usage, Algorithm)>,
    sig2: Option<(Usage, Algorithm)>,
}

// Values from PROVENANCE.md (API, usage, key algo, signature slots).
const SEV_CASES: &[SevCase] = &[
    SevCase {
        path: "milan/platform/cek.cert",
        api: (0, 14),
        usage: Usage::Cek,
        algo: Algorithm::EcdsaSha256,
        sig1: Some((Usage::Ask, Algorithm::RsaSha384)),
        sig2: None,
    },
    SevCase {
        path: "milan/platform/oca.cert",
        api: (1, 28),
        usage: Usage::Oca,
        algo: Algorithm::EcdsaSha256,
        sig1: Some((Usage::Oca, Algorithm::EcdsaSha256)),
        sig2: None,
    },
    SevCase {
        path: "milan/platform/pdh.cert",
        api: (1, 28),
        usage: Usage::Pdh,
        algo: Algorithm::EcdhSha256,
        sig1: Some((Usage::Pek, Algorithm::EcdsaSha256)),
        sig2: None,
    },
    SevCase {
        path: "milan/platform/pek.cert",
        api: (1, 28),
        usage: Usage::Pek,
        algo: Algorithm::EcdsaSha256,
        sig1: Some((Usage::Oca, Algorithm::EcdsaSha256)),
        sig2: Some((Usage::Cek, Algorithm::EcdsaSha256)),
    },
    SevCase {
        path: "naples/platform-early/cek-unsigned.cert",
        api: (0, 17),
        usage: Usage::Cek,
        algo: Algorithm::EcdsaSha256,
        sig1: None,
        sig2: None,
    },
    SevCase {
        path: "naples/platform-early/oca.cert",
        api: (0, 17),
        usage: Usage::Oca,
        algo: Algorithm::EcdsaSha256,
        sig1: Some((Usage::Oca, Algorithm::EcdsaSha256)),
        sig2: None,
    },
    SevCase {
        path: "naples/platform-early/pek.cert",
        api: (0, 17),
        usage: Usage::Pek,
        algo: Algorithm::EcdsaSha256,
        sig1: Some((Usage::Oca, Algorithm::EcdsaSha256)),
        sig2: Some((Usage::Cek, Algorithm::EcdsaSha256)),
    },
    SevCase {
        path: "rome/platform-early/cek.cert",
        api: (0, 14),
        usage: Usage::Cek,
        algo: Algorithm::EcdsaSha256,
        sig1: Some((Usage::Ask, Algorithm::RsaSha384)),
        sig2: None,
    },
];

#[test]
fn every_sev_certificate_parses_with_documented_fields() {
    for c in SEV_CASES {
        let bytes = fixture(c.path);
        let cert = SevCertificate::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", c.path));
        assert_eq!(cert.version(), 1, "{}", c.path);
        assert_eq!((cert.api_major(), cert.api_minor()), c.api, "{}", c.path);
        assert_eq!(cert.pubkey_usage(), c.usage, "{}", c.path);
        assert_eq!(cert.pubkey_algo(), c.algo, "{}", c.path);
        assert_eq!(cert.signed_bytes(), &bytes[..0x414], "{}", c.path);
        // All platform keys are P-384 (§3, "Observed in real chains").
        let PublicKey::Ec(key) = cert.public_key() else {
            panic!("{}: not an EC key", c.path)
        };
        assert_eq!(key.curve(), Curve::P384, "{}", c.path);
        let sec1 = cert.public_key().sec1_uncompressed().unwrap();
        assert_eq!(
            sec1.as_bytes(),
            key.p384_sec1_uncompressed().unwrap().as_slice(),
            "{}",
            c.path
        );
        assert_eq!((sec1.len(), sec1[0]), (97, 0x04), "{}", c.path);
        assert_eq!(sec1[1], bytes[0x10 + 4 + 47], "{}: X big-endian", c.path);
        for (slot, want) in cert.signatures().into_iter().zip([c.sig1, c.sig2]) {
            match want {
                Some((usage, algo)) => {
                    assert!(!slot.is_empty(), "{}", c.path);
                    assert_eq!((slot.usage(), slot.algo()), (usage, algo), "{}", c.path);
                    assert_eq!(cert.signature_by(usage).map(|s| s.algo()), Some(algo), "{}", c.path);
                    if algo.is_rsa() {
                        assert!(slot.ecdsa().is_none());
                        let be = slot.rsa_be(4096).unwrap();
                        assert_eq!(be.len(), 512);
                        assert_eq!(be[511], slot.signature_bytes()[0]);
                    } else {
                        let sig = slot.ecdsa().unwrap();
                        assert!(sig.p384_r_s_be().is_some(), "{}: R/S fit P-384", c.path);
                    }
                }
                None => {
                    assert!(slot.is_empty(), "{}", c.path);
                    assert_eq!(slot.algo(), Algorithm::None, "{}", c.path);
                    assert!(slot.ecdsa().is_none());
                }
            }
        }
    }
}

#[test]
fn empty_slot_usages_are_kept_verbatim() {
    // Bytes 0x61C.. of these files (PROVENANCE: Rome CEK sig2 usage 0x10, Naples CEK slots 0x1000).
    let rome = fixture("rome/platform-early/cek.cert");
    assert_eq!(
        SevCertificate::from_bytes(&rome).unwrap().sig2().usage(),
        Usage::Unknown(0x10)
    );
    let naples = fixture("naples/platform-early/cek-unsigned.cert");
    let cek = SevCertificate::from_bytes(&naples).unwrap();
    assert_eq!(
        (cek.sig1().usage(), cek.sig2().usage()),
        (Usage::Invalid, Usage::Invalid)
    );
}

#[test]
fn hex_cek_decodes_to_the_binary_cek() {
    let text = fixture("rome/platform-early/cek.cert.hex");
    let bin = hex::decode(String::from_utf8(text).unwrap().trim()).unwrap();
    assert_eq!(bin, fixture("rome/platform-early/cek.cert"));
    assert_eq!(SevCertificate::from_bytes(&bin).unwrap().pubkey_usage(), Usage::Cek);
}

#[test]
fn pdh_cert_export_chain_is_pek_oca_cek() {
    let bytes = fixture("naples/platform-early/pek_oca_cek.cert");
    assert_eq!(bytes.len(), PlatformChain::LEN);
    let chain = PlatformChain::from_bytes(&bytes).unwrap();
    assert_eq!(
        chain.pek.as_bytes(),
        fixture("naples/platform-early/pek.cert").as_slice()
    );
    assert_eq!(
        chain.oca.as_bytes(),
        fixture("naples/platform-early/oca.cert").as_slice()
    );
    assert_eq!(
        chain.cek.as_bytes(),
        fixture("naples/platform-early/cek-unsigned.cert").as_slice()
    );
    assert_eq!(
        (
            chain.pek.pubkey_usage(),
            chain.oca.pubkey_usage(),
            chain.cek.pubkey_usage()
        ),
        (Usage::Pek, Usage::Oca, Usage::Cek)
    );
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        PlatformChain::from_bytes(&long).unwrap_err(),
        ParseError::BadLength {
            what: "SEV platform chain",
            expected: 3 * SEV_CERT_LEN,
            got: 3 * SEV_CERT_LEN + 1
        }
    );
}

#[test]
fn full_chain_parses_in_sevctl_order() {
    let parts = [
        "milan/platform/pdh.cert",
        "milan/platform/pek.cert",
        "milan/platform/oca.cert",
        "milan/platform/cek.cert",
        "milan/ask.cert",
        "milan/ark.cert",
    ];
    let bytes: Vec<u8> = parts.iter().flat_map(|p| fixture(p)).collect();
    let full = FullChain::from_bytes(&bytes).unwrap();
    assert_eq!(full.pdh.pubkey_usage(), Usage::Pdh);
    assert_eq!(full.platform.pek.pubkey_usage(), Usage::Pek);
    assert_eq!(full.platform.cek.sig1().usage(), Usage::Ask);
    assert_eq!(hex(full.amd.ark.key_id()), "94c38e4177d0479292a7ae671d083fb6");
    for len in (0..bytes.len()).step_by(97) {
        assert!(FullChain::from_bytes(&bytes[..len]).is_err(), "len {len}");
    }
}

#[test]
fn every_prefix_of_every_certificate_is_rejected() {
    for c in AMD_CASES {
        let bytes = fixture(c.path);
        for len in 0..bytes.len() {
            let err = AmdCertificate::from_bytes(&bytes[..len]).unwrap_err();
            let need = if len < 0x40 { 0x40 } else { c.len };
            assert_eq!(
                err,
                ParseError::truncated("AMD certificate", need, len),
                "{} len {len}",
                c.path
            );
        }
    }
    for c in SEV_CASES {
        let bytes = fixture(c.path);
        for len in 0..bytes.len() {
            assert_eq!(
                SevCertificate::from_bytes(&bytes[..len]).unwrap_err(),
                ParseError::truncated("SEV certificate", SEV_CERT_LEN, len),
                "{} len {len}",
                c.path
            );
        }
    }
    let bundle = fixture("naples/ask_ark_naples.cert");
    for len in 0..bundle.len() {
        assert!(AmdCertChain::from_bytes(&bundle[..len]).is_err(), "bundle len {len}");
    }
    let chain = fixture("naples/platform-early/pek_oca_cek.cert");
    for len in 0..chain.len() {
        assert_eq!(
            PlatformChain::from_bytes(&chain[..len]).unwrap_err(),
            ParseError::truncated("SEV platform chain", 3 * SEV_CERT_LEN, len)
        );
    }
}

#[test]
fn trailing_bytes_are_rejected_by_exact_parsers() {
    let mut ark = fixture("milan/ark.cert");
    ark.push(0);
    assert_eq!(
        AmdCertificate::from_bytes(&ark).unwrap_err(),
        ParseError::BadLength {
            what: "AMD certificate",
            expected: 1600,
            got: 1601
        }
    );
    let mut pek = fixture("milan/platform/pek.cert");
    pek.push(0);
    assert_eq!(
        SevCertificate::from_bytes(&pek).unwrap_err(),
        ParseError::BadLength {
            what: "SEV certificate",
            expected: SEV_CERT_LEN,
            got: SEV_CERT_LEN + 1
        }
    );
    let (cert, rest) = SevCertificate::from_prefix(&pek).unwrap();
    assert_eq!((cert.as_bytes().len(), rest), (SEV_CERT_LEN, &[0u8][..]));
}

#[test]
fn hostile_amd_size_fields_are_errors() {
    let original = fixture("naples/ark.cert");
    let hostile = [
        0u32,
        1,
        8,
        1024,
        2047,
        2049,
        3072,
        4095,
        4097,
        8192,
        0x8000_0000,
        u32::MAX,
    ];
    for (offset, field) in [(0x38, "pubexp_size"), (0x3C, "modulus_size")] {
        for &size in &hostile {
            let mut bytes = original.clone();
            bytes[offset..offset + 4].copy_from_slice(&size.to_le_bytes());
            assert_eq!(
                AmdCertificate::from_bytes(&bytes).unwrap_err(),
                ParseError::BadValue {
                    what: "AMD certificate",
                    field,
                    found: size.into(),
                    expected: "2048 or 4096 (bits)"
                },
                "{field} = {size}"
            );
        }
        // A valid but larger size than the 832-byte buffer holds.
        let mut bytes = original.clone();
        bytes[offset..offset + 4].copy_from_slice(&4096u32.to_le_bytes());
        let need = if field == "pubexp_size" {
            0x40 + 512 + 512
        } else {
            0x40 + 256 + 1024
        };
        assert_eq!(
            AmdCertificate::from_bytes(&bytes).unwrap_err(),
            ParseError::truncated("AMD certificate", need, 832),
            "{field}"
        );
    }
}

#[test]
fn hostile_sev_rsa_key_sizes_never_panic() {
    // Turn the Milan PEK into an RSA-labelled certificate with hostile modulus sizes.
    let mut bytes = fixture("milan/platform/pek.cert");
    bytes[0x0C..0x10].copy_from_slice(&Algorithm::RsaSha384.raw().to_le_bytes());
    for size in [0u32, 7, 2048, 4096, 4097, 4104, u32::MAX] {
        bytes[0x10..0x14].copy_from_slice(&size.to_le_bytes());
        let cert = SevCertificate::from_bytes(&bytes).unwrap();
        let PublicKey::Rsa(key) = cert.public_key() else {
            panic!("RSA algo must give an RSA key")
        };
        assert_eq!(key.modulus_bits(), size);
        let m = key.modulus_be();
        if size > 4096 || size % 8 != 0 {
            assert!(m.is_none(), "size {size}");
        }
        if let Some(m) = m {
            assert_eq!(m.len(), size as usize / 8);
        }
        assert!(cert.sig1().rsa_be(size).is_none(), "sig1 is ECDSA, not RSA");
    }
}

#[test]
fn display_names_the_chain_roles() {
    let pek = fixture("milan/platform/pek.cert");
    let s = SevCertificate::from_bytes(&pek).unwrap().to_string();
    assert_eq!(
        s,
        "SEV certificate v1 (API 1.28): PEK ECDSA-SHA256 P384; sig1 OCA / ECDSA-SHA256; sig2 CEK / ECDSA-SHA256"
    );
    let ark = fixture("milan/ark.cert");
    let s = AmdCertificate::from_bytes(&ark).unwrap().to_string();
    assert!(
        s.starts_with("AMD ARK certificate v1: key 94c38e4177d0479292a7ae671d083fb6 RSA-4096"),
        "{s}"
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_json_uses_names_and_hex() {
    let pek = fixture("milan/platform/pek.cert");
    let v = serde_json::to_value(SevCertificate::from_bytes(&pek).unwrap()).unwrap();
    assert_eq!(v["pubkey_usage"], "pek");
    assert_eq!(v["pubkey_algo"], "ecdsa_sha256");
    assert_eq!(v["api_minor"], 28);
    assert_eq!(v["pubkey"]["curve"], "P384");
    assert_eq!(v["sig2"]["usage"], "cek");
    assert_eq!(v["sig1"]["signature"]["r"].as_str().unwrap().len(), 144);
    let ark = fixture("milan/ark.cert");
    let v = serde_json::to_value(AmdCertificate::from_bytes(&ark).unwrap()).unwrap();
    assert_eq!(v["key_id"], "94c38e4177d0479292a7ae671d083fb6");
    assert_eq!(v["key_usage"], "ark");
    assert_eq!(v["exponent"], "010001");
    assert_eq!(v["modulus"].as_str().unwrap().len(), 1024);
    let u: Usage = serde_json::from_str("\"cek\"").unwrap();
    assert_eq!(u, Usage::Cek);
    let a: Algorithm = serde_json::from_str("{\"unknown\": 7}").unwrap();
    assert_eq!(a, Algorithm::Unknown(7));
}

/// Decodes the base64 bodies of the PEM blocks in `text` (standard alphabet, padded).
fn pem_blocks(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("-----BEGIN") {
            body = Some(String::new());
        } else if line.starts_with("-----END") {
            out.push(base64_decode(&body.take().unwrap()));
        } else if let Some(b) = body.as_mut() {
            b.push_str(line.trim());
        }
    }
    out
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 {c}"),
        }
    };
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | (val(c) << (18 - 6 * i)));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn amd_format_keys_equal_the_x509_keys_from_kds() {
    // sev-legacy.md §4: the AMD-format ASK's RSA key equals the X.509 ASK's key (and the ARK's
    // likewise). The X.509 DER holds the modulus big-endian, so finding our big-endian export
    // inside it checks the byte order against an independent encoding.
    for p in ["milan", "genoa", "turin"] {
        let pem = String::from_utf8(
            std::fs::read(format!(
                "{}/../../fixtures/kds/vcek_cert_chain_{p}.pem",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap();
        let ders = pem_blocks(&pem);
        assert_eq!(ders.len(), 2, "{p}: [ASK, ARK]");
        for (der, file) in ders.iter().zip(["ask.cert", "ark.cert"]) {
            let bytes = fixture(&format!("{p}/{file}"));
            let cert = AmdCertificate::from_bytes(&bytes).unwrap();
            let m = cert.modulus_be();
            assert!(
                der.windows(m.len()).any(|w| w == m.as_bytes()),
                "{p}/{file}: modulus not in the X.509 cert"
            );
            let le: Vec<u8> = cert.modulus_le().to_vec();
            assert!(
                !der.windows(le.len()).any(|w| w == le.as_slice()),
                "{p}/{file}: LE form must not match"
            );
        }
    }
}
