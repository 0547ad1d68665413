//! ID block / ID auth fixtures (sev-snp-measure output, fixtures/idblock), the SEV policy bit
//! layout (sev-legacy.md §5), the SEV ATTESTATION report view and the CPUID page view.

use sev_types::ParseError;
use sev_types::ecdsa::Curve;
use sev_types::fmt::Hex;
use sev_types::launch::cpuid_page::{CpuidEntry, CpuidPage, CpuidTable};
use sev_types::launch::id_block::{IdAuthInfo, IdBlock, IdKeyAlgorithm};
use sev_types::launch::sev::{AttestationReport, LaunchSecretHeader, SecretHeaderFlags, SevGuestState, SevPolicy};
use sev_types::legacy::{Algorithm, Usage};
use sev_types::policy::GuestPolicy;
use zerocopy::IntoBytes;

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// fixtures/idblock/vectors.md
const LD: &str = "076f052d08bda7a700aa2a608c5caa6b00ebad297b6d68a85a45b1e669a558b67e1b91d284a301fe63c4fa0750467eed";

#[test]
fn reference_id_block_parses_and_rebuilds_byte_for_byte() {
    let bytes = fixture("idblock/generated/id_block.bin");
    let block = IdBlock::ref_from_bytes(&bytes).unwrap();
    assert_eq!(format!("{}", Hex(block.ld())), LD);
    assert_eq!((block.version(), block.guest_svn()), (1, 0));
    assert_eq!(block.policy().bits(), 0x30000);
    assert_eq!((block.family_id, block.image_id), ([0; 16], [0; 16]));
    let ld: [u8; 48] = hex::decode(LD).unwrap().try_into().unwrap();
    let built = IdBlock::new(ld, GuestPolicy::from_bits_retain(0x30000));
    assert_eq!(built.as_bytes(), bytes.as_slice());
    for len in 0..bytes.len() {
        assert_eq!(
            IdBlock::ref_from_bytes(&bytes[..len]).unwrap_err(),
            ParseError::truncated("ID block", 0x60, len)
        );
    }
}

#[test]
fn reference_id_auth_info_parses() {
    let bytes = fixture("idblock/generated/id_auth.bin");
    let auth = IdAuthInfo::ref_from_bytes(&bytes).unwrap();
    assert_eq!(
        (auth.id_key_algo(), auth.author_key_algo()),
        (IdKeyAlgorithm::EcdsaP384Sha384, IdKeyAlgorithm::EcdsaP384Sha384)
    );
    assert_eq!(auth.id_key.curve(), Curve::P384);
    assert_eq!(auth.author_key.curve(), Curve::P384);
    assert!(auth.has_author_key());
    assert_eq!(auth.id_key_bytes(), &bytes[0x240..0x644]);
    assert_eq!(auth.author_key_bytes(), &bytes[0x880..0xC84]);
    assert!(auth.id_key.p384_sec1_uncompressed().is_some());
    assert!(auth.id_block_sig.p384_r_s_be().is_some());
    assert!(auth.id_key_sig.p384_r_s_be().is_some());
    // The builder reproduces the file from its parts.
    let rebuilt = IdAuthInfo::new(auth.id_block_sig.clone(), auth.id_key.clone())
        .with_author_key(auth.id_key_sig.clone(), auth.author_key.clone());
    assert_eq!(rebuilt.as_bytes(), bytes.as_slice());
    let no_author = IdAuthInfo::new(auth.id_block_sig.clone(), auth.id_key.clone());
    assert!(!no_author.has_author_key());
    for len in [0, 1, 0x3F, 0x240, 0xFFF] {
        assert_eq!(
            IdAuthInfo::ref_from_bytes(&bytes[..len]).unwrap_err(),
            ParseError::truncated("ID auth info", 0x1000, len)
        );
    }
}

#[test]
fn sev_policy_bits_follow_the_spec_table() {
    // sev-legacy.md §5: flags in bits 0..5, API_MAJOR = bits 23:16, API_MINOR = bits 31:24.
    let flags = [
        (SevPolicy::NODBG, 0),
        (SevPolicy::NOKS, 1),
        (SevPolicy::ES, 2),
        (SevPolicy::NOSEND, 3),
        (SevPolicy::DOMAIN, 4),
        (SevPolicy::SEV, 5),
    ];
    for (f, bit) in flags {
        assert_eq!(f.bits(), 1 << bit);
    }
    let p = SevPolicy::from_bits_retain(0x1612_0005);
    assert_eq!((p.api_major(), p.api_minor()), (0x12, 0x16)); // whole bytes, not nibbles
    assert!(p.contains(SevPolicy::NODBG | SevPolicy::ES));
    assert_eq!(SevPolicy::empty().with_api(0xAB, 0xCD).bits(), 0xCDAB_0000);
    assert_eq!(p.with_api(1, 2).bits(), 0x0201_0005);
    let odd = SevPolicy::from_bits_retain(0x8040);
    assert_eq!((odd.reserved_bits(), odd.bits()), (0x8040, 0x8040));
    assert_eq!(
        format!("{}", SevPolicy::NODBG.with_api(0, 0x16)),
        "0x16000001 (api 0.22, NODBG)"
    );
}

#[test]
fn sev_guest_states_follow_the_spec() {
    let want = ["UNINIT", "LUPDATE", "LSECRET", "RUNNING", "SUPDATE", "RUPDATE", "SENT"];
    for (v, name) in want.iter().enumerate() {
        assert_eq!(SevGuestState::from_raw(v as u32).name(), *name);
    }
    assert_eq!(SevGuestState::from_raw(7), SevGuestState::Unknown(7));
}

#[test]
fn attestation_report_view_splits_signed_bytes() {
    let mut bytes = [0u8; 0xD0];
    bytes[..16].copy_from_slice(&[0x4f; 16]);
    bytes[0x30..0x34].copy_from_slice(&0x0003_0001u32.to_le_bytes());
    bytes[0x34..0x38].copy_from_slice(&0x1002u32.to_le_bytes());
    bytes[0x38..0x3C].copy_from_slice(&0x0002u32.to_le_bytes());
    bytes[0x40] = 0x11; // R, little-endian
    bytes[0x88 + 47] = 0x22; // S, top byte of a P-384 scalar
    let r = AttestationReport::from_bytes(&bytes).unwrap();
    assert_eq!(r.signed_bytes(), &bytes[..0x34]);
    assert_eq!((r.sig_usage(), r.sig_algo()), (Usage::Pek, Algorithm::EcdsaSha256));
    assert_eq!(r.policy().api_major(), 3);
    let rs = r.signature().p384_r_s_be().unwrap();
    assert_eq!((rs[47], rs[48]), (0x11, 0x22));
    for len in 0..0xD0 {
        assert_eq!(
            AttestationReport::from_bytes(&bytes[..len]).unwrap_err(),
            ParseError::truncated("SEV attestation report", 0xD0, len)
        );
    }
    let long = [0u8; 0xD1];
    assert!(matches!(
        AttestationReport::from_bytes(&long),
        Err(ParseError::BadLength {
            expected: 0xD0,
            got: 0xD1,
            ..
        })
    ));
}

#[test]
fn secret_header_round_trips() {
    let h = LaunchSecretHeader::new(SecretHeaderFlags::COMPRESSED, [1; 16], [2; 32]);
    let parsed = LaunchSecretHeader::ref_from_bytes(h.as_bytes()).unwrap();
    assert_eq!(parsed.flags(), SecretHeaderFlags::COMPRESSED);
    assert_eq!(&h.as_bytes()[..5], &[1, 0, 0, 0, 1]);
}

#[test]
fn cpuid_table_bounds_are_enforced() {
    let mut page = CpuidPage::new();
    for i in 0..64 {
        page.push(CpuidEntry::new(i, 0, [i, 0, 0, 0])).unwrap();
    }
    assert!(page.push(CpuidEntry::default()).is_err());
    let bytes = page.as_bytes().to_vec();
    let table = CpuidTable::from_bytes(&bytes).unwrap();
    assert_eq!(table.entries().len(), 64);
    assert_eq!(table.find(7, 0).map(|e| e.regs()), Some([7, 0, 0, 0]));
    // The used part alone is enough; one byte less is not.
    let used = 0x10 + 64 * 48;
    assert!(CpuidTable::from_bytes(&bytes[..used]).is_ok());
    assert_eq!(
        CpuidTable::from_bytes(&bytes[..used - 1]).unwrap_err(),
        ParseError::truncated("CPUID page", used, used - 1)
    );
    let mut hostile = bytes.clone();
    for count in [65u32, 1000, u32::MAX] {
        hostile[..4].copy_from_slice(&count.to_le_bytes());
        assert_eq!(
            CpuidTable::from_bytes(&hostile).unwrap_err(),
            ParseError::BadValue {
                what: "CPUID page",
                field: "count",
                found: count.into(),
                expected: "at most 64"
            }
        );
    }
    assert_eq!(
        CpuidTable::from_bytes(&bytes[..15]).unwrap_err(),
        ParseError::truncated("CPUID page", 0x10, 15)
    );
}

#[cfg(feature = "serde")]
#[test]
fn serde_shapes() {
    let p = SevPolicy::NODBG.with_api(0, 0x16);
    let v = serde_json::to_value(p).unwrap();
    assert_eq!(
        (v["raw"].as_u64(), v["nodbg"].as_bool(), v["api_minor"].as_u64()),
        (Some(0x1600_0001), Some(true), Some(0x16))
    );
    let back: SevPolicy = serde_json::from_value(v).unwrap();
    assert_eq!(back, p);
    let back: SevPolicy = serde_json::from_str("\"0x5\"").unwrap();
    assert_eq!(back, SevPolicy::NODBG | SevPolicy::ES);
    let bytes = fixture("idblock/generated/id_block.bin");
    let v = serde_json::to_value(IdBlock::ref_from_bytes(&bytes).unwrap()).unwrap();
    assert_eq!(v["ld"], LD);
    assert_eq!(v["policy"]["raw"], 0x30000);
    let t: sev_types::launch::snp::KvmPageType = serde_json::from_str("\"cpuid\"").unwrap();
    assert_eq!(t.raw(), 6);
}
