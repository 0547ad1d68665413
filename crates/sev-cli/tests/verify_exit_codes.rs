//! Exit-code precedence of `sev verify report` (2 signature/chain, then 3 missing, 4 CRL,
//! 5 policy, 1 usage), the strict conformance check, and inputs that must be refused cheaply.

use std::path::PathBuf;
use std::process::{Command, Output};

use sev_types::guest::CertKind;
use sev_types::guest::certs::CertTableBuilder;

const NOW: &str = "1764547200";

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn check<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {v}"))
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("sev-cli-exit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gosev() -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(fixture("snp/milan/gosev/report.bin")).unwrap(),
        std::fs::read(fixture("snp/milan/gosev/vcek.der")).unwrap(),
    )
}

#[test]
fn a_forged_report_with_a_bogus_crl_in_its_table_exits_2() {
    let d = Dir::new("forged-crl");
    let (mut report, vcek) = gosev();
    let table = CertTableBuilder::new()
        .push(CertKind::Vcek, &vcek)
        .push(CertKind::Crl, b"bogus CRL")
        .build()
        .unwrap();
    let t = d.write("table.bin", &table);
    let genuine = d.write("genuine.bin", &report);
    report[0x60] ^= 0x10;
    let forged = d.write("forged.bin", &report);
    let o = sev(&[
        "verify",
        "report",
        &forged,
        "--cert-table",
        &t,
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(2), "{v}");
    assert_eq!(v["exit_code"], 2);
    assert_eq!(check(&v, "signature")["outcome"], "fail");
    assert_eq!(check(&v, "crl")["outcome"], "fail", "the CRL failure is still reported");
    // The genuine report with the same table: only the CRL fails, and that is exit 4.
    let o = sev(&[
        "verify",
        "report",
        &genuine,
        "--cert-table",
        &t,
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(check(&json(&o), "signature")["outcome"], "pass");
}

#[test]
fn a_forged_report_with_an_unreadable_crl_file_exits_2() {
    let d = Dir::new("forged-crl-file");
    let (mut report, vcek) = gosev();
    report[0x60] ^= 0x10;
    let forged = d.write("forged.bin", &report);
    let vcek = d.write("vcek.der", &vcek);
    let crl = d.write(
        "crl.pem",
        b"-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n",
    );
    let o = sev(&[
        "verify", "report", &forged, "--vcek", &vcek, "--crl", &crl, "--time", NOW,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn crl_from_dev_zero_is_refused_without_reading_it_all() {
    let d = Dir::new("dev-zero");
    // trustee's report passes the default policy, so the CRL is the only failure.
    let report = std::fs::read(fixture("snp/milan/trustee/report.bin")).unwrap();
    let vcek = d.write(
        "vcek.der",
        &std::fs::read(fixture("snp/milan/trustee/vcek.der")).unwrap(),
    );
    let genuine = d.write("report.bin", &report);
    let run = |r: &str| {
        sev(&[
            "verify",
            "report",
            r,
            "--vcek",
            &vcek,
            "--crl",
            "/dev/zero",
            "--time",
            NOW,
        ])
    };
    let o = run(&genuine);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("larger than"), "{out}");
    assert!(out.contains("PASS signature"), "the report is still verified: {out}");
    // An unreadable CRL cannot hide a forgery either.
    let mut forged = report.clone();
    forged[0x90] ^= 1;
    let forged = d.write("forged.bin", &forged);
    assert_eq!(run(&forged).status.code(), Some(2));
}

#[test]
fn a_non_zero_reserved_byte_exits_5_unless_allowed() {
    let d = Dir::new("reserved");
    // trustee's report passes the default policy (gosev's has DEBUG set).
    let mut report = std::fs::read(fixture("snp/milan/trustee/report.bin")).unwrap();
    let vcek = std::fs::read(fixture("snp/milan/trustee/vcek.der")).unwrap();
    report[0x400] = 1; // unsigned: the signature still verifies
    let r = d.write("report.bin", &report);
    let vcek = d.write("vcek.der", &vcek);
    let o = sev(&[
        "verify", "report", &r, "--vcek", &vcek, "--time", NOW, "--format", "json",
    ]);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(5), "{v}");
    assert_eq!(check(&v, "signature")["outcome"], "pass");
    let c = check(&v, "conformance");
    assert_eq!(c["outcome"], "fail");
    assert!(c["detail"].as_str().unwrap().contains("SIGNATURE reserved"), "{c}");
    let o = sev(&[
        "verify",
        "report",
        &r,
        "--vcek",
        &vcek,
        "--time",
        NOW,
        "--allow-reserved-fields",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("relaxed: reserved_fields"), "{out}");
}

#[test]
fn a_table_with_overlapping_entries_exits_2() {
    let d = Dir::new("overlap");
    let (_, vcek) = gosev();
    let mut table = CertTableBuilder::new()
        .push(CertKind::Vcek, &vcek)
        .push(CertKind::Ask, &vcek)
        .build()
        .unwrap();
    // Point the second entry at the first blob.
    let first_offset: [u8; 4] = table[16..20].try_into().unwrap();
    table[24 + 16..24 + 20].copy_from_slice(&first_offset);
    let t = d.write("table.bin", &table);
    let report = fixture("snp/milan/gosev/report.bin");
    let o = sev(&[
        "verify",
        "report",
        report.to_str().unwrap(),
        "--cert-table",
        &t,
        "--time",
        NOW,
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("two entries share bytes"), "{out}");
}
