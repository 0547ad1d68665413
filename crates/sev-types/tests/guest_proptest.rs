//! Property tests: the guest-message parsers never panic, on random, truncated, extended and
//! bit-flipped input, and the builders round-trip.

use proptest::prelude::*;
use sev_types::ParseError;
use sev_types::guest::certs::{CertTableBuilder, ENTRY_LEN};
use sev_types::guest::header::MsgHeader;
use sev_types::guest::key::{KeyReqV1, KeyReqV2};
use sev_types::guest::report::{self, RSP_HEADER_LEN, RSP_LEN};
use sev_types::guest::{
    CertKind, CertTable, DerivedKey, GuestFieldSelect, KeyRequest, KeySelect, ReportReq, RootKeySelect, SecretsPage,
    VlekHashstick,
};
use sev_types::{Guid, TcbVersion};
use zerocopy::IntoBytes;

fn report_fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/snp/turin/routex-v5/report.bin"
    ))
    .unwrap()
}

fn valid_response() -> Vec<u8> {
    let mut rsp = vec![0u8; RSP_LEN];
    rsp[4..8].copy_from_slice(&0x4A0u32.to_le_bytes());
    rsp[RSP_HEADER_LEN..].copy_from_slice(&report_fixture());
    rsp
}

/// Checks the invariants of a table that parsed: every blob lies inside the buffer, after the
/// table and its terminator.
fn check_table(buf: &[u8], t: &CertTable<'_>) {
    let base = buf.as_ptr() as usize;
    assert!(t.table_len() <= buf.len());
    for c in t.iter() {
        let start = c.data.as_ptr() as usize - base;
        assert!(start >= t.table_len());
        assert!(start + c.data.len() <= buf.len());
    }
    assert_eq!(t.iter().len(), t.len());
}

fn kind_strategy() -> impl Strategy<Value = CertKind> {
    prop_oneof![
        Just(CertKind::Ark),
        Just(CertKind::Ask),
        Just(CertKind::Vcek),
        Just(CertKind::Vlek),
        Just(CertKind::Crl),
        any::<[u8; 16]>()
            .prop_filter("not nil", |g| g != &[0; 16])
            .prop_map(|g| CertKind::from_guid(Guid(g))),
    ]
}

fn blobs() -> impl Strategy<Value = Vec<(CertKind, Vec<u8>)>> {
    proptest::collection::vec((kind_strategy(), proptest::collection::vec(any::<u8>(), 0..300)), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn cert_table_random_bytes(buf in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(t) = CertTable::from_bytes(&buf) {
            check_table(&buf, &t);
        }
    }

    #[test]
    fn cert_table_random_entries(
        entries in proptest::collection::vec((kind_strategy(), 0u32..400, 0u32..400), 0..5),
        terminate in any::<bool>(),
        tail in 0usize..400,
    ) {
        let mut buf = Vec::new();
        for (k, off, len) in &entries {
            buf.extend_from_slice(&k.guid().0);
            buf.extend_from_slice(&off.to_le_bytes());
            buf.extend_from_slice(&len.to_le_bytes());
        }
        if terminate {
            buf.extend_from_slice(&[0; ENTRY_LEN]);
        }
        buf.resize(buf.len() + tail, 0x5a);
        match CertTable::from_bytes(&buf) {
            Ok(t) => {
                check_table(&buf, &t);
                prop_assert_eq!(t.len(), entries.len());
                let table_end = (entries.len() + 1) * ENTRY_LEN;
                for (k, off, len) in &entries {
                    prop_assert!(*off as usize >= table_end && (*off + *len) as usize <= buf.len());
                    prop_assert!(t.iter().any(|c| c.kind == *k));
                }
            }
            Err(ParseError::MissingTerminator { .. }) => prop_assert!(!terminate || buf.is_empty()),
            Err(ParseError::OutOfBounds { index, offset, end, min, max, .. }) => {
                prop_assert!(offset < min || end > max);
                let (_, off, len) = entries[index];
                prop_assert_eq!((offset, end), (u64::from(off), u64::from(off) + u64::from(len)));
            }
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn cert_table_builder_round_trips(certs in blobs(), page_aligned in any::<bool>()) {
        let mut b = CertTableBuilder::new().page_aligned(page_aligned);
        for (k, d) in &certs {
            b = b.push(*k, d);
        }
        let built = b.build().unwrap();
        if page_aligned {
            prop_assert_eq!(built.len() % 4096, 0);
        }
        let t = CertTable::from_bytes(&built).unwrap();
        let parsed: Vec<_> = t.iter().map(|c| (c.kind, c.data.to_vec())).collect();
        prop_assert_eq!(&parsed, &certs);
        prop_assert_eq!(CertTableBuilder::from(t).page_aligned(page_aligned).build().unwrap(), built);
    }

    #[test]
    fn cert_table_mutated_valid_input(
        certs in blobs(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        extend in 0usize..64,
        mode in 0u8..3,
    ) {
        let mut b = CertTableBuilder::new();
        for (k, d) in &certs {
            b = b.push(*k, d);
        }
        let mut buf = b.build().unwrap();
        match mode {
            0 => buf.truncate(cut.index(buf.len())),
            1 => buf.resize(buf.len() + extend, 0xff),
            _ => {
                let bit = flip.index(buf.len() * 8);
                buf[bit / 8] ^= 1 << (bit % 8);
            }
        }
        if let Ok(t) = CertTable::from_bytes(&buf) {
            check_table(&buf, &t);
        }
        if mode == 1 {
            prop_assert_eq!(CertTable::from_bytes(&buf).unwrap().len(), certs.len());
        }
    }

    #[test]
    fn report_response_random_bytes(buf in proptest::collection::vec(any::<u8>(), 0..1300)) {
        if let Ok(r) = report::parse_response(&buf) {
            prop_assert_eq!(r.as_bytes(), &buf[RSP_HEADER_LEN..RSP_LEN]);
        }
    }

    #[test]
    fn report_response_mutated(
        cut in 0usize..RSP_LEN,
        extend in 0usize..3000,
        bit in 0usize..RSP_LEN * 8,
    ) {
        let good = valid_response();
        let err = report::parse_response(&good[..cut]).unwrap_err();
        let is_truncated = matches!(err, ParseError::Truncated { .. });
        prop_assert!(is_truncated);
        let mut long = good.clone();
        long.resize(RSP_LEN + extend, 0xa5);
        prop_assert_eq!(report::parse_response(&long).unwrap().as_bytes(), &good[RSP_HEADER_LEN..]);
        let mut flipped = good.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let res = report::parse_response(&flipped);
        if bit < 64 {
            // STATUS or REPORT_SIZE changed: always rejected.
            prop_assert!(res.is_err());
        } else if let Ok(r) = res {
            prop_assert_eq!(r.as_bytes(), &flipped[RSP_HEADER_LEN..]);
        }
    }

    #[test]
    fn fixed_size_guest_parsers_never_panic(buf in proptest::collection::vec(any::<u8>(), 0..0x1100)) {
        let n = buf.len();
        prop_assert_eq!(ReportReq::from_bytes(&buf).is_ok(), n == 0x60);
        prop_assert_eq!(KeyReqV1::from_bytes(&buf).is_ok(), n == 0x20);
        prop_assert_eq!(KeyReqV2::from_bytes(&buf).is_ok(), n == 0x28);
        prop_assert_eq!(VlekHashstick::from_bytes(&buf).is_ok(), n == 0x1B0);
        prop_assert_eq!(SecretsPage::from_bytes(&buf).is_ok(), n == 0x1000);
        if let Ok(key) = DerivedKey::from_response(&buf) {
            prop_assert_eq!(&key.as_bytes()[..], &buf[0x20..0x40]);
        }
        if let Ok((h, payload)) = MsgHeader::split_message(&buf) {
            prop_assert_eq!(payload.len(), usize::from(h.msg_size()));
            let _ = (h.msg_type(), h.algo(), h.iv(), h.aad().len(), h.to_string());
        }
    }

    #[test]
    fn key_request_encoding_round_trips(
        root in any::<bool>(),
        sel in 0u32..4,
        fields in any::<u64>(),
        vmpl in any::<u32>(),
        svn in any::<u32>(),
        tcb in any::<u64>(),
        mit in proptest::option::of(any::<u64>()),
    ) {
        let req = KeyRequest::new()
            .with_root_key(if root { RootKeySelect::Vmrk } else { RootKeySelect::Vcek })
            .with_key_select(KeySelect::from_raw(sel))
            .with_guest_fields(GuestFieldSelect::from_bits_retain(fields))
            .with_vmpl(vmpl)
            .with_guest_svn(svn)
            .with_tcb_version(TcbVersion(tcb));
        let req = match mit { Some(m) => req.with_launch_mit_vector(m), None => req };
        let enc = req.encode();
        let back = match enc.version() {
            1 => KeyRequest::from(KeyReqV1::from_bytes(enc.as_bytes()).unwrap()),
            _ => KeyRequest::from(KeyReqV2::from_bytes(enc.as_bytes()).unwrap()),
        };
        let needs_v2 = mit.is_some() || fields & GuestFieldSelect::LAUNCH_MIT_VECTOR.bits() != 0;
        prop_assert_eq!(enc.version(), if needs_v2 { 2 } else { 1 });
        let expected = if needs_v2 && mit.is_none() { KeyRequest { launch_mit_vector: Some(0), ..req } } else { req };
        prop_assert_eq!(back, expected);
        let v2 = req.to_v2();
        prop_assert_eq!(&v2.as_bytes()[..0x20], &enc.as_bytes()[..0x20]);
    }
}
