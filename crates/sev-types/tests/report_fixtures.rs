//! Every real report in fixtures/snp parses to the values recorded in fixtures/snp/reports.json,
//! which were decoded independently of this project.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sev_types::key_info::SigningKey;
use sev_types::report::{REPORT_LEN, Report};
use sev_types::{ParseError, Product};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn num(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn records() -> Vec<(Value, Vec<u8>)> {
    let text = std::fs::read_to_string(fixtures().join("snp/reports.json")).unwrap();
    let recs: Vec<Value> = serde_json::from_str(&text).unwrap();
    recs.into_iter()
        .map(|r| {
            let bytes = std::fs::read(fixtures().join(r["file"].as_str().unwrap())).unwrap();
            (r, bytes)
        })
        .collect()
}

fn product_hint(rec: &Value) -> Product {
    rec["product"]
        .as_str()
        .unwrap()
        .split([' ', '-'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn every_fixture_report_decodes_to_the_recorded_values() {
    let recs = records();
    assert_eq!(recs.len(), 14);
    for (rec, bytes) in &recs {
        let name = rec["file"].as_str().unwrap();
        let r = Report::from_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(u64::from(r.version()), num(&rec["version"]), "{name}");
        assert_eq!(u64::from(r.guest_svn()), num(&rec["guest_svn"]), "{name}");
        assert_eq!(r.policy().bits(), num(&rec["policy"]), "{name}");
        assert_eq!(u64::from(r.vmpl()), num(&rec["vmpl"]), "{name}");
        assert_eq!(u64::from(r.signature_algo()), num(&rec["sig_algo"]), "{name}");
        assert_eq!(r.platform_info().bits(), num(&rec["platform_info"]), "{name}");
        assert_eq!(u64::from(r.key_info().bits()), num(&rec["flags"]), "{name}");
        assert_eq!(u64::from(r.signing_key().raw()), num(&rec["signing_key"]), "{name}");
        for (field, got) in [
            ("family_id", hex(r.family_id())),
            ("image_id", hex(r.image_id())),
            ("report_data", hex(r.report_data())),
            ("measurement", hex(r.measurement())),
            ("host_data", hex(r.host_data())),
            ("id_key_digest", hex(r.id_key_digest())),
            ("author_key_digest", hex(r.author_key_digest())),
            ("report_id", hex(r.report_id())),
            ("report_id_ma", hex(r.report_id_ma())),
            ("chip_id", hex(r.chip_id())),
            ("sig_r", hex(&r.signature().r)),
            ("sig_s", hex(&r.signature().s)),
        ] {
            assert_eq!(got, rec[field].as_str().unwrap(), "{name}: {field}");
        }
        let hint = (r.version() < 3).then(|| product_hint(rec));
        for (field, raw) in [
            ("current_tcb", r.current_tcb()),
            ("reported_tcb", r.reported_tcb()),
            ("committed_tcb", r.committed_tcb()),
            ("launch_tcb", r.launch_tcb()),
        ] {
            let e = &rec[field];
            assert_eq!(raw.0, num(&e["raw"]), "{name}: {field}");
            let t = raw.decode(r.tcb_layout(hint).unwrap());
            assert_eq!(u64::from(t.bootloader), num(&e["bootloader"]), "{name}: {field}");
            assert_eq!(u64::from(t.tee), num(&e["tee"]), "{name}: {field}");
            assert_eq!(u64::from(t.snp), num(&e["snp"]), "{name}: {field}");
            assert_eq!(u64::from(t.microcode), num(&e["microcode"]), "{name}: {field}");
            assert_eq!(t.fmc.map(u64::from), e.get("fmc").map(num), "{name}: {field}");
        }
        let (maj, min, build) = r.current_version();
        assert_eq!(
            [maj, min, build].map(u64::from),
            [&rec["current_major"], &rec["current_minor"], &rec["current_build"]].map(num)
        );
        let (maj, min, build) = r.committed_version();
        assert_eq!(
            [maj, min, build].map(u64::from),
            [
                &rec["committed_major"],
                &rec["committed_minor"],
                &rec["committed_build"]
            ]
            .map(num)
        );
        if r.version() >= 3 {
            assert_eq!(
                r.cpuid_fam_id().map(u64::from),
                Some(num(&rec["cpuid_fam_id"])),
                "{name}"
            );
            assert_eq!(
                r.cpuid_mod_id().map(u64::from),
                Some(num(&rec["cpuid_mod_id"])),
                "{name}"
            );
            assert_eq!(r.cpuid_step().map(u64::from), Some(num(&rec["cpuid_step"])), "{name}");
            let expected = if num(&rec["cpuid_mod_id"]) == 0xa0 {
                Product::BergamoSiena
            } else {
                product_hint(rec)
            };
            assert_eq!(r.product(), Some(expected), "{name}");
        } else {
            assert_eq!(r.cpuid_fam_id(), None, "{name}");
            assert_eq!(r.product(), None, "{name}");
        }
        assert_eq!(r.launch_mit_vector(), rec.get("launch_mit_vector").map(num), "{name}");
        assert_eq!(r.current_mit_vector(), rec.get("current_mit_vector").map(num), "{name}");
        assert_eq!(r.signed_bytes(), &bytes[..0x2A0]);
        assert_eq!(r.signature_bytes(), &bytes[0x2A0..]);
        let violations: Vec<_> = r.reserved_violations().collect();
        assert!(violations.is_empty(), "{name}: {violations:?}");
    }
}

#[test]
fn vlek_and_vcek_signing_keys_are_told_apart() {
    for (rec, bytes) in records() {
        let r = Report::from_bytes(&bytes).unwrap();
        let want = if rec["file"].as_str().unwrap().contains("/vlek/") {
            SigningKey::Vlek
        } else {
            SigningKey::Vcek
        };
        assert_eq!(r.signing_key(), want, "{}", rec["file"]);
    }
}

#[test]
fn every_prefix_of_a_real_report_is_rejected() {
    let (_, good) = records().remove(0);
    for len in 0..good.len() {
        assert_eq!(
            Report::from_bytes(&good[..len]).unwrap_err(),
            ParseError::Truncated {
                what: "attestation report",
                need: REPORT_LEN,
                got: len
            },
            "len {len}"
        );
    }
}

#[test]
fn trailing_bytes_are_rejected_but_from_prefix_returns_them() {
    let (_, mut good) = records().remove(0);
    good.extend_from_slice(b"tail");
    assert!(
        matches!(Report::from_bytes(&good), Err(ParseError::BadLength { expected: REPORT_LEN, got, .. }) if got == REPORT_LEN + 4)
    );
    let (r, rest) = Report::from_prefix(&good).unwrap();
    assert_eq!(rest, b"tail");
    assert_eq!(r.as_bytes().len(), REPORT_LEN);
}

#[test]
fn versions_below_two_are_rejected_and_later_versions_parse() {
    let (_, good) = records().into_iter().find(|(r, _)| num(&r["version"]) == 5).unwrap();
    for v in [0u32, 1] {
        let mut b = good.clone();
        b[..4].copy_from_slice(&v.to_le_bytes());
        assert!(
            matches!(Report::from_bytes(&b), Err(ParseError::BadValue { field: "version", found, .. }) if found == u64::from(v))
        );
    }
    for v in [4u32, 6, 7, 0xFFFF_FFFF] {
        let mut b = good.clone();
        b[..4].copy_from_slice(&v.to_le_bytes());
        let r = Report::from_bytes(&b).unwrap();
        assert_eq!(r.version(), v);
        assert_eq!(r.cpuid_fam_id(), Some(0x19));
        assert_eq!(r.launch_mit_vector().is_some(), v >= 5);
    }
}

#[test]
fn masked_chip_id_reports_parse_and_need_a_product_for_v2() {
    let (rec, good) = records().remove(0);
    assert_eq!(num(&rec["version"]), 2);
    let mut b = good.clone();
    b[0x1A0..0x1E0].fill(0);
    let r = Report::from_bytes(&b).unwrap();
    assert!(r.chip_id_masked());
    assert_eq!(r.tcb_layout(None), None);
    assert_eq!(
        r.tcb_layout(Some(Product::Milan)),
        Some(sev_types::tcb::TcbLayout::MilanGenoa)
    );
    let mut turin_like = good.clone();
    turin_like[0x1A8..0x1E0].fill(0);
    assert_eq!(
        Report::from_bytes(&turin_like).unwrap().tcb_layout(None),
        Some(sev_types::tcb::TcbLayout::Turin)
    );
}

#[test]
fn reserved_violations_name_each_bad_field() {
    let (_, good) = records().into_iter().find(|(r, _)| num(&r["version"]) == 5).unwrap();
    let cases: &[(usize, u8, &str)] = &[
        (0x04C, 1, "reserved 0x04C"),
        (0x18B, 1, "reserved after REPORTED_TCB"),
        (0x1EB, 1, "reserved 0x1EB"),
        (0x1EF, 1, "reserved 0x1EF"),
        (0x208, 1, "reserved before SIGNATURE"),
        (0x29F, 1, "reserved before SIGNATURE"),
        (0x330, 1, "SIGNATURE reserved"),
        (0x4 + 0x8 + 3, 1 << 2, "POLICY reserved bits 63:26"),
        (0x041, 1, "PLATFORM_INFO reserved bits 63:8"),
        (0x048, 0x20, "KEY_INFO reserved bits 31:5"),
        (0x182, 1, "REPORTED_TCB reserved bytes"),
    ];
    for &(offset, bit, field) in cases {
        let mut b = good.clone();
        b[offset] ^= bit;
        let r = Report::from_bytes(&b).expect("reserved bits never stop parsing");
        let v: Vec<_> = r.reserved_violations().collect();
        assert_eq!(v.len(), 1, "{field}: {v:?}");
        assert_eq!(v[0].field, field);
    }
    let mut b = good.clone();
    b[0x0A] &= !0x02;
    let v: Vec<_> = Report::from_bytes(&b).unwrap().reserved_violations().collect();
    assert_eq!(v[0].field, "POLICY bit 17");
}
