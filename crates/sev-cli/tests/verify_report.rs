//! `sev verify report` and `sev verify certs` on the real fixtures, with the built-in AMD roots.
//!
//! Which certificate verifies which report comes from fixtures/snp/reports.json
//! (`signature_valid_with`); exit codes from the issue: 0 valid, 1 unreadable input, 2 signature
//! or chain failure, 3 missing certificate, 4 bad CRL, 5 policy violation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// 2025-12-01T00:00:00Z: inside the validity of every fixture certificate, VLEK included.
const NOW: &str = "1764547200";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).to_str().unwrap().to_string()
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// The outcome of `check` in a JSON run.
fn outcome(v: &Value, check: &str) -> String {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .map_or("absent".into(), |c| c["outcome"].as_str().unwrap().to_string())
}

fn reports() -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("snp/reports.json")).unwrap()).unwrap()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sev-cli-verify-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn every_real_report_verifies_with_its_certificate_and_the_builtin_roots() {
    let mut n = 0;
    for r in reports() {
        let Some(with) = r["signature_valid_with"].as_str() else {
            continue;
        };
        // "first cert of X" names a PEM bundle whose first certificate is the VCEK.
        let cert = with.strip_prefix("first cert of ").unwrap_or(with);
        let report = fixture(r["file"].as_str().unwrap());
        let product = r["product"].as_str().unwrap();
        let product = if product.starts_with("Milan") {
            "Milan"
        } else {
            product.split(' ').next().unwrap()
        };
        let product = product.split('-').next().unwrap();
        let debug =
            u64::from_str_radix(r["policy"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap() & (1 << 19) != 0;
        for backend in ["aws-lc", "ring", "rustcrypto"] {
            let args = [
                "verify",
                "report",
                &report,
                "--vcek",
                &fixture(cert),
                "--product",
                product,
                "--time",
                NOW,
                "--backend",
                backend,
                "--format",
                "json",
            ];
            let o = sev(&args);
            let v = json(&o);
            for check in ["report", "chain", "signature", "binding"] {
                assert_eq!(outcome(&v, check), "pass", "{report} {backend} {check}: {v:#}");
            }
            if debug {
                // The default policy forbids DEBUG; go-sev-guest's test guest has it.
                assert_eq!(code(&o), 5, "{report}");
                assert_eq!(v["violations"][0]["field"], "POLICY.DEBUG");
            } else {
                assert_eq!(code(&o), 0, "{report} {backend}: {v:#}");
                assert_eq!(v["valid"], true);
            }
        }
        n += 1;
    }
    assert_eq!(n, 13);
}

#[test]
fn certs_directory_with_the_kds_chain() {
    let o = sev(&[
        "verify",
        "report",
        &fixture("snp/genoa/routex-v5/report.bin"),
        "--certs",
        &fixture("snp/genoa/routex-v5"),
        "--time",
        NOW,
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 0, "{out}");
    assert!(out.contains("PASS chain: ARK-Genoa → SEV-Genoa → SEV-VCEK"), "{out}");
    assert!(out.contains("ignored: report.bin, report.hex"), "{out}");
}

#[test]
fn hex_report_and_pinned_ark() {
    let o = sev(&[
        "verify",
        "report",
        &fixture("snp/turin/routex-v5/report.hex"),
        "--vcek",
        &fixture("snp/turin/routex-v5/vcek.der"),
        "--ark",
        &fixture("snp/turin/ark.pem"),
        "--ask",
        &fixture("snp/turin/ask.der"),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    // A Milan ARK does not make a Turin chain.
    let o = sev(&[
        "verify",
        "report",
        &fixture("snp/turin/routex-v5/report.bin"),
        "--vcek",
        &fixture("snp/turin/routex-v5/vcek.der"),
        "--ask",
        &fixture("snp/milan/ask.pem"),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn tampered_report_fails_the_signature_with_exit_2() {
    let dir = scratch("tamper");
    let mut bytes = std::fs::read(fixtures().join("snp/milan/routex-v3/report.bin")).unwrap();
    bytes[0x90] ^= 1; // one bit of MEASUREMENT
    let path = dir.join("report.bin");
    std::fs::write(&path, &bytes).unwrap();
    let o = sev(&[
        "verify",
        "report",
        path.to_str().unwrap(),
        "--vcek",
        &fixture("snp/milan/routex-v3/vcek.der"),
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 2);
    let v = json(&o);
    assert_eq!(outcome(&v, "chain"), "pass");
    assert_eq!(outcome(&v, "signature"), "fail");
    assert_eq!(outcome(&v, "policy"), "skip");
    assert_eq!(v["valid"], false);
}

#[test]
fn another_chips_vcek_fails_the_binding() {
    // azure-v0 and azure-v2 are different Milan chips with the same TCB.
    let o = sev(&[
        "verify",
        "report",
        &fixture("snp/milan/azure-v2/report.bin"),
        "--vcek",
        &fixture("snp/milan/azure-v0/vcek.der"),
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 2);
    let v = json(&o);
    assert_eq!(outcome(&v, "binding"), "fail");
    let detail = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "binding")
        .unwrap()["detail"]
        .clone();
    assert!(detail.as_str().unwrap().to_lowercase().contains("hwid"), "{detail}");
}

#[test]
fn vlek_report_against_a_vcek_fails() {
    let o = sev(&[
        "verify",
        "report",
        &fixture("snp/vlek/milan/report.bin"),
        "--vcek",
        &fixture("snp/milan/routex-v3/vcek.der"),
        "--time",
        NOW,
    ]);
    // The chain lacks the VLEK the report names.
    assert_eq!(code(&o), 3, "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn missing_certificate_exits_3() {
    let o = sev(&[
        "verify",
        "report",
        &fixture("snp/genoa/routex-v3/report.bin"),
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 3);
    assert_eq!(outcome(&json(&o), "chain"), "fail");
}

#[test]
fn policy_file_violations_exit_5_and_are_listed() {
    let dir = scratch("policy");
    // genoa/routex-v5: REPORTED_TCB snp 27, microcode 88; VMPL 0; mitigation vector 0xb.
    let strict = dir.join("strict.toml");
    std::fs::write(
        &strict,
        "max_vmpl = 0\nmin_current_mit_vector = \"0x4\"\n[min_reported_tcb]\nsnp = 28\nmicrocode = 88\n",
    )
    .unwrap();
    let report = fixture("snp/genoa/routex-v5/report.bin");
    let vcek = fixture("snp/genoa/routex-v5/vcek.der");
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--vcek",
        &vcek,
        "--policy",
        strict.to_str().unwrap(),
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 5);
    let v = json(&o);
    let fields: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["REPORTED_TCB.snp", "CURRENT_MIT_VECTOR"]);
    assert_eq!(v["violations"][0]["found"], "27");
    assert_eq!(v["violations"][0]["expected"], "at least 28");

    let ok = dir.join("ok.json");
    std::fs::write(
        &ok,
        r#"{"max_vmpl": 0, "min_current_mit_vector": "0xb", "min_reported_tcb": {"snp": 27}}"#,
    )
    .unwrap();
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--vcek",
        &vcek,
        "--policy",
        ok.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "max_vmpll = 0\n").unwrap();
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--vcek",
        &vcek,
        "--policy",
        bad.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 1);
}

#[test]
fn vlek_csp_id_reaches_the_policy() {
    let dir = scratch("csp");
    let p = dir.join("csp.toml");
    std::fs::write(
        &p,
        "signing_keys = [\"vlek\"]\nvlek_csp_ids = [\"CN=cc-us-east-2.amazonaws.com\"]\n",
    )
    .unwrap();
    let report = fixture("snp/vlek/milan/report.bin");
    let vlek = fixture("snp/vlek/milan/vlek.der");
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--vcek",
        &vlek,
        "--policy",
        p.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    std::fs::write(&p, "vlek_csp_ids = [\"CN=other.example\"]\n").unwrap();
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--vcek",
        &vlek,
        "--policy",
        p.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 5);
    assert!(String::from_utf8_lossy(&o.stdout).contains("VLEK cspID is CN=cc-us-east-2.amazonaws.com"));
}

#[test]
fn cert_table_input() {
    use sev_types::guest::certs::{CertKind, CertTableBuilder};
    let dir = scratch("table");
    let vcek = std::fs::read(fixtures().join("snp/genoa/routex-v3/vcek.der")).unwrap();
    let ask = std::fs::read(fixtures().join("snp/genoa/ask.der")).unwrap();
    let ark = std::fs::read(fixtures().join("snp/genoa/ark.der")).unwrap();
    let table = CertTableBuilder::new()
        .push(CertKind::Ark, &ark)
        .push(CertKind::Ask, &ask)
        .push(CertKind::Vcek, &vcek)
        .page_aligned(true)
        .build()
        .unwrap();
    let path = dir.join("certs.bin");
    std::fs::write(&path, &table).unwrap();
    let report = fixture("snp/genoa/routex-v3/report.bin");
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--cert-table",
        path.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    let without_vcek = CertTableBuilder::new().push(CertKind::Ask, &ask).build().unwrap();
    std::fs::write(&path, &without_vcek).unwrap();
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--cert-table",
        path.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 3);
    std::fs::write(&path, b"not a table").unwrap();
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--cert-table",
        path.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 1);
}

#[test]
fn bad_crl_exits_4_and_unreadable_input_exits_1() {
    let dir = scratch("crl");
    let garbage = dir.join("crl.pem");
    std::fs::write(&garbage, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n").unwrap();
    let report = fixture("snp/milan/routex-v3/report.bin");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let o = sev(&[
        "verify",
        "report",
        &report,
        "--vcek",
        &vcek,
        "--crl",
        garbage.to_str().unwrap(),
        "--time",
        NOW,
    ]);
    assert_eq!(code(&o), 4, "{}", String::from_utf8_lossy(&o.stdout));
    let o = sev(&["verify", "report", "/nonexistent/report.bin", "--vcek", &vcek]);
    assert_eq!(code(&o), 1);
    let o = sev(&["verify", "report", &vcek, "--vcek", &vcek]);
    assert_eq!(code(&o), 1, "a certificate is not a report");
    let o = sev(&["verify", "report", &report, "--vcek", &report]);
    assert_eq!(code(&o), 1, "a report is not a certificate");
    let o = sev(&["verify", "report", &report, "--vcek", &vcek, "--certs", "/tmp"]);
    assert_eq!(code(&o), 1, "--vcek and --certs are exclusive");
}

#[test]
fn expired_or_not_yet_valid_certificates_fail() {
    let report = fixture("snp/vlek/milan/report.bin");
    let vlek = fixture("snp/vlek/milan/vlek.der");
    // Before the VLEK's notBefore (2024-12-10).
    let o = sev(&["verify", "report", &report, "--vcek", &vlek, "--time", "1700000000"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn verify_certs_directory() {
    let o = sev(&[
        "verify",
        "certs",
        &fixture("snp/turin/routex-v5"),
        "--time",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(outcome(&json(&o), "chain"), "pass");
    // ARK and ASK alone: no VCEK or VLEK.
    let dir = scratch("certs");
    std::fs::copy(fixtures().join("snp/milan/ark.pem"), dir.join("ark.pem")).unwrap();
    std::fs::copy(fixtures().join("snp/milan/ask.pem"), dir.join("ask.pem")).unwrap();
    let o = sev(&["verify", "certs", dir.to_str().unwrap(), "--time", NOW]);
    assert_eq!(code(&o), 3);
    // A VCEK with a Genoa issuer and a Turin product name is refused.
    let o = sev(&["verify", "certs", &fixture("snp/turin/negative"), "--time", NOW]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stdout));
    // The wrong product for the chain.
    let o = sev(&[
        "verify",
        "certs",
        &fixture("snp/turin/routex-v5"),
        "--time",
        NOW,
        "--product",
        "Milan",
    ]);
    assert_eq!(code(&o), 2);
    let o = sev(&["verify", "certs", "/nonexistent-dir", "--time", NOW]);
    assert_eq!(code(&o), 1);
}
