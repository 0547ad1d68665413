//! The extended-report certificate table: real AMD certificates, every malformed-entry class.

use base64::Engine as _;
use sev_types::Guid;
use sev_types::ParseError;
use sev_types::guest::certs::{self, CertTableBuilder, ENTRY_LEN};
use sev_types::guest::{CertKind, CertTable};

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every certificate of a PEM bundle, DER-decoded.
fn pem_certs(rel: &str) -> Vec<Vec<u8>> {
    let text = String::from_utf8(fixture(rel)).unwrap();
    let mut out = Vec::new();
    let mut body = String::new();
    let mut inside = false;
    for line in text.lines() {
        match line.trim() {
            "-----BEGIN CERTIFICATE-----" => {
                inside = true;
                body.clear();
            }
            "-----END CERTIFICATE-----" => {
                inside = false;
                out.push(base64::engine::general_purpose::STANDARD.decode(&body).unwrap());
            }
            l if inside => body.push_str(l),
            _ => {}
        }
    }
    out
}

/// [ARK, ASK, VCEK] of the Milan chain: the KDS cert_chain bundle is [ASK, ARK].
fn milan_chain() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let bundle = pem_certs("kds/vcek_cert_chain_milan.pem");
    assert_eq!(bundle.len(), 2);
    let vcek = fixture("snp/milan/gosev/vcek.der");
    (bundle[1].clone(), bundle[0].clone(), vcek)
}

fn entry(guid: Guid, offset: u32, length: u32) -> Vec<u8> {
    let mut e = guid.0.to_vec();
    e.extend_from_slice(&offset.to_le_bytes());
    e.extend_from_slice(&length.to_le_bytes());
    e
}

#[test]
fn kds_certificates_round_trip_byte_for_byte() {
    let (ark, ask, vcek) = milan_chain();
    for der in [&ark, &ask, &vcek] {
        assert_eq!(der[0], 0x30, "DER SEQUENCE");
    }
    for page_aligned in [false, true] {
        let built = CertTableBuilder::new()
            .push(CertKind::Ark, &ark)
            .push(CertKind::Ask, &ask)
            .push(CertKind::Vcek, &vcek)
            .page_aligned(page_aligned)
            .build()
            .unwrap();
        let unpadded = 4 * ENTRY_LEN + ark.len() + ask.len() + vcek.len();
        if page_aligned {
            assert_eq!(built.len(), unpadded.div_ceil(4096) * 4096);
            assert!(built[unpadded..].iter().all(|&b| b == 0));
        } else {
            assert_eq!(built.len(), unpadded);
        }
        let table = CertTable::from_bytes(&built).unwrap();
        assert_eq!(table.len(), 3);
        assert_eq!(table.table_len(), 4 * ENTRY_LEN);
        assert_eq!(table.get(CertKind::Ark), Some(&ark[..]));
        assert_eq!(table.get(CertKind::Ask), Some(&ask[..]));
        assert_eq!(table.get(CertKind::Vcek), Some(&vcek[..]));
        assert_eq!(table.get(CertKind::Vlek), None);
        assert_eq!(table.endorsement_key().map(|c| c.kind), Some(CertKind::Vcek));
        let kinds: Vec<_> = table.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [CertKind::Ark, CertKind::Ask, CertKind::Vcek]);
        // The first entry is the ARK GUID in RFC 4122 byte order, pointing right after the table.
        assert_eq!(&built[..16], &certs::ARK_GUID.0);
        assert_eq!(&built[16..20], &(4 * ENTRY_LEN as u32).to_le_bytes());
        assert_eq!(&built[20..24], &(ark.len() as u32).to_le_bytes());
        assert_eq!(&built[3 * ENTRY_LEN..4 * ENTRY_LEN], &[0; ENTRY_LEN]);

        let rebuilt = CertTableBuilder::from(table)
            .page_aligned(page_aligned)
            .build()
            .unwrap();
        assert_eq!(rebuilt, built);
    }
}

#[test]
fn vlek_chain_table_prefers_vlek() {
    let bundle = pem_certs("kds/vlek_cert_chain_milan.pem");
    let vlek = fixture("snp/vlek/milan/vlek.der");
    let built = CertTableBuilder::new()
        .push(CertKind::Ark, &bundle[1])
        .push(CertKind::Ask, &bundle[0])
        .push(CertKind::Vlek, &vlek)
        .build()
        .unwrap();
    let t = CertTable::from_bytes(&built).unwrap();
    let ek = t.endorsement_key().unwrap();
    assert_eq!((ek.kind, ek.data), (CertKind::Vlek, &vlek[..]));
}

#[test]
fn empty_buffer_and_bare_terminator_mean_no_certificates() {
    let t = CertTable::from_bytes(&[]).unwrap();
    assert!(t.is_empty());
    assert_eq!(t.table_len(), 0);
    let zeros = vec![0u8; 4096];
    let t = CertTable::from_bytes(&zeros).unwrap();
    assert_eq!((t.len(), t.table_len()), (0, ENTRY_LEN));
    assert_eq!(CertTableBuilder::new().build().unwrap(), vec![0; ENTRY_LEN]);
    assert_eq!(CertTableBuilder::new().page_aligned(true).build().unwrap(), zeros);
}

#[test]
fn missing_terminator_is_rejected() {
    let mut buf = entry(certs::VCEK_GUID, 48, 0);
    for len in 1..=buf.len() {
        assert_eq!(
            CertTable::from_bytes(&buf[..len]).unwrap_err(),
            ParseError::MissingTerminator {
                what: "certificate table",
                len
            }
        );
    }
    // A partial terminator is no terminator.
    buf.extend_from_slice(&[0; ENTRY_LEN - 1]);
    assert!(matches!(
        CertTable::from_bytes(&buf),
        Err(ParseError::MissingTerminator { .. })
    ));
    // A nil GUID with a non-zero offset is an entry, not the terminator.
    let mut buf = entry(Guid::NIL, 48, 1);
    buf.extend_from_slice(&[0; ENTRY_LEN + 1]);
    let t = CertTable::from_bytes(&buf).unwrap();
    assert_eq!(t.iter().next().unwrap().kind, CertKind::Unknown(Guid::NIL));
}

#[test]
fn entries_pointing_into_the_table_are_rejected() {
    // Two entries + terminator = 72 bytes; the second blob starts at 71.
    let mut buf = entry(certs::ARK_GUID, 72, 4);
    buf.extend(entry(certs::ASK_GUID, 71, 4));
    buf.extend([0; ENTRY_LEN]);
    buf.extend([0xab; 8]);
    let err = CertTable::from_bytes(&buf).unwrap_err();
    assert_eq!(
        err,
        ParseError::OutOfBounds {
            what: "certificate table",
            index: 1,
            offset: 71,
            end: 75,
            min: 72,
            max: 80
        }
    );
    // Offset 0 (the table itself) too.
    let mut buf = entry(certs::VCEK_GUID, 0, 8);
    buf.extend([0; ENTRY_LEN]);
    assert!(matches!(
        CertTable::from_bytes(&buf),
        Err(ParseError::OutOfBounds {
            index: 0,
            offset: 0,
            ..
        })
    ));
}

#[test]
fn entries_past_the_end_are_rejected() {
    let mut buf = entry(certs::VCEK_GUID, 48, 9);
    buf.extend([0; ENTRY_LEN]);
    buf.extend([1; 8]);
    let err = CertTable::from_bytes(&buf).unwrap_err();
    assert_eq!(
        err,
        ParseError::OutOfBounds {
            what: "certificate table",
            index: 0,
            offset: 48,
            end: 57,
            min: 48,
            max: 56
        }
    );
    buf.push(1);
    assert_eq!(
        CertTable::from_bytes(&buf).unwrap().get(CertKind::Vcek),
        Some(&[1u8; 9][..])
    );
}

#[test]
fn u32_overflow_is_rejected() {
    for (offset, length) in [
        (u32::MAX, 2),
        (48, u32::MAX),
        (u32::MAX, u32::MAX),
        (0x8000_0000, 0x8000_0000),
    ] {
        let mut buf = entry(certs::VLEK_GUID, offset, length);
        buf.extend([0; ENTRY_LEN]);
        buf.extend([0; 64]);
        let err = CertTable::from_bytes(&buf).unwrap_err();
        let want_end = u64::from(offset) + u64::from(length);
        assert!(
            matches!(err, ParseError::OutOfBounds { offset: o, end, .. } if o == u64::from(offset) && end == want_end),
            "{offset:#x}+{length:#x}: {err:?}"
        );
    }
}

#[test]
fn overlapping_blobs_and_unknown_guids_are_kept() {
    let extra = Guid::from_str_rfc4122("ecae0c0f-9502-43b1-afa2-0ae2e0d565b6").unwrap();
    let mut buf = entry(certs::ASK_GUID, 72, 8);
    buf.extend(entry(extra, 76, 4));
    buf.extend([0; ENTRY_LEN]);
    buf.extend(*b"abcdefgh");
    let t = CertTable::from_bytes(&buf).unwrap();
    let certs: Vec<_> = t.iter().map(|c| (c.kind, c.data)).collect();
    assert_eq!(
        certs,
        [
            (CertKind::Ask, &b"abcdefgh"[..]),
            (CertKind::Unknown(extra), &b"efgh"[..])
        ]
    );
    assert_eq!(t.get_guid(&extra), Some(&b"efgh"[..]));
    assert_eq!(t.iter().nth(1).unwrap().guid(), extra);
}

#[test]
fn kinds_map_to_the_ghcb_guids() {
    for (kind, text) in [
        (CertKind::Ark, "c0b406a4-a803-4952-9743-3fb6014cd0ae"),
        (CertKind::Ask, "4ab7b379-bbac-4fe4-a02f-05aef327c782"),
        (CertKind::Vcek, "63da758d-e664-4564-adc5-f4b93be8accd"),
        (CertKind::Vlek, "a8074bc2-a25a-483e-aae6-39c045a0b8a1"),
        (CertKind::Crl, "92f81bc3-5811-4d3d-97ff-d19f88dc67ea"),
    ] {
        let g = Guid::from_str_rfc4122(text).unwrap();
        assert_eq!(CertKind::from_guid(g), kind);
        assert_eq!(kind.guid(), g);
        assert_eq!(CertKind::from_name(text), Some(kind));
    }
    assert_eq!(CertKind::from_name("ASVK"), Some(CertKind::Ask));
    // The EFI mixed-endian encoding of the ARK GUID is not the ARK.
    let efi = Guid::from_str_efi("c0b406a4-a803-4952-9743-3fb6014cd0ae").unwrap();
    assert_eq!(CertKind::from_guid(efi), CertKind::Unknown(efi));
}

#[cfg(feature = "serde")]
#[test]
fn serde_lists_kind_guid_and_hex_data() {
    let built = CertTableBuilder::new()
        .push(CertKind::Vcek, b"\x30\x01")
        .build()
        .unwrap();
    let t = CertTable::from_bytes(&built).unwrap();
    let v = serde_json::to_value(t).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"kind": "vcek", "guid": "63da758d-e664-4564-adc5-f4b93be8accd", "data": "3001"}])
    );
    let k: CertKind = serde_json::from_str("\"asvk\"").unwrap();
    assert_eq!(k, CertKind::Ask);
}
