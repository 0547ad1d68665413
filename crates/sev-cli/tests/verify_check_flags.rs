//! The appraisal flags of `sev verify report` (`--measurement`, `--min-tcb`, `--allow-*`, ...),
//! their combination with `--policy`, and the "not appraised" list.
//!
//! Every expected value comes from fixtures/snp/reports.json, read at run time. The main subject
//! is the Trustee Milan report (v2, no DEBUG, POLICY.SMT set, an ID block without author key).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// 2025-12-01T00:00:00Z: inside the validity of every fixture certificate.
const NOW: &str = "1764547200";
const TRUSTEE: &str = "snp/milan/trustee/report.bin";
const TURIN: &str = "snp/turin/routex-v5/report.bin";
const GENOA_V5: &str = "snp/genoa/routex-v5/report.bin";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).to_str().unwrap().to_string()
}

/// The reports.json entry of `file`.
fn entry(file: &str) -> Value {
    let all: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("snp/reports.json")).unwrap()).unwrap();
    all.into_iter()
        .find(|r| r["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in reports.json"))
}

fn field(file: &str, key: &str) -> String {
    entry(file)[key].as_str().unwrap().to_string()
}

fn tcb(file: &str, component: &str) -> u64 {
    entry(file)["reported_tcb"][component].as_u64().unwrap()
}

/// `sev verify report FILE --vcek its-vcek --time NOW` plus `extra`.
fn verify(file: &str, extra: &[&str]) -> Output {
    let vcek = entry(file)["signature_valid_with"].as_str().unwrap().to_string();
    let report = fixture(file);
    let vcek = fixture(&vcek);
    let mut args = vec![
        "verify",
        "report",
        report.as_str(),
        "--vcek",
        vcek.as_str(),
        "--time",
        NOW,
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(&args)
        .output()
        .expect("run sev")
}

/// Like [`verify`] with `--format json`, returning the exit code and the JSON.
fn verify_json(file: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = extra.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    let o = verify(file, &args);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&o), String::from_utf8_lossy(&o.stderr)));
    (code(&o), v)
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn violation_fields(v: &Value) -> Vec<String> {
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap().to_string())
        .collect()
}

fn not_appraised(v: &Value) -> Vec<String> {
    v["not_appraised"]
        .as_array()
        .unwrap_or_else(|| panic!("no not_appraised: {v:#}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sev-cli-check-flags-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn without_rules_the_report_is_valid_and_the_gaps_are_stated() {
    let o = verify(TRUSTEE, &[]);
    let out = text(&o);
    assert_eq!(code(&o), 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"valid"), "{out}");
    assert_eq!(
        lines[lines.len() - 2],
        "not appraised: measurement, host_data, report_data, minimum_tcb, id_key, revocation (no CRL given)"
    );
    assert!(
        out.contains("PASS policy: default policy (debug forbidden): every rule holds"),
        "{out}"
    );

    let (c, v) = verify_json(TRUSTEE, &[]);
    assert_eq!(c, 0);
    assert_eq!(v["valid"], true);
    assert_eq!(
        not_appraised(&v),
        [
            "measurement",
            "host_data",
            "report_data",
            "minimum_tcb",
            "id_key",
            "revocation"
        ]
    );
}

#[test]
fn not_appraised_shrinks_as_flags_are_added() {
    let measurement = field(TRUSTEE, "measurement");
    let host_data = field(TRUSTEE, "host_data");
    let report_data = field(TRUSTEE, "report_data");
    let id_key = field(TRUSTEE, "id_key_digest");
    let min_tcb = format!("microcode={}", tcb(TRUSTEE, "microcode"));
    let mut flags: Vec<&str> = Vec::new();
    let mut expected = vec![
        "measurement",
        "host_data",
        "report_data",
        "minimum_tcb",
        "id_key",
        "revocation",
    ];
    let steps: [(&str, &str); 5] = [
        ("--measurement", &measurement),
        ("--host-data", &host_data),
        ("--report-data", &report_data),
        ("--min-tcb", &min_tcb),
        ("--require-id-key", &id_key),
    ];
    for (flag, value) in steps {
        flags.extend_from_slice(&[flag, value]);
        expected.remove(0);
        let (c, v) = verify_json(TRUSTEE, &flags);
        assert_eq!(c, 0, "{flags:?}: {v:#}");
        assert_eq!(not_appraised(&v), expected, "{flags:?}");
    }
    assert_eq!(expected, ["revocation"]);
    // Text output drops only what was appraised.
    let o = verify(TRUSTEE, &flags);
    assert!(
        text(&o).contains("\nnot appraised: revocation (no CRL given)\nvalid\n"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("PASS policy: command-line flags: every rule holds"));
}

#[test]
fn matching_measurement_passes_and_a_wrong_one_exits_5() {
    let own = field(TRUSTEE, "measurement");
    let other = field(GENOA_V5, "measurement");
    let (c, v) = verify_json(TRUSTEE, &["--measurement", &own]);
    assert_eq!(c, 0, "{v:#}");
    // An allow-list: any listed value passes.
    let (c, _) = verify_json(TRUSTEE, &["--measurement", &other, "--measurement", &own]);
    assert_eq!(c, 0);

    let (c, v) = verify_json(TRUSTEE, &["--measurement", &other]);
    assert_eq!(c, 5, "{v:#}");
    assert_eq!(violation_fields(&v), ["MEASUREMENT"]);
    assert_eq!(v["violations"][0]["found"], own.as_str());
    assert_eq!(v["violations"][0]["expected"], format!("one of: {other}"));
    let o = verify(TRUSTEE, &["--measurement", &other]);
    assert!(
        text(&o).contains(&format!("  violation: report field MEASUREMENT is {own}")),
        "{}",
        text(&o)
    );
    assert!(text(&o).ends_with("INVALID (exit 5)\n"));
}

#[test]
fn min_tcb_above_the_report_exits_5() {
    let components = ["bootloader", "tee", "snp", "microcode"];
    let at = components
        .iter()
        .map(|c| format!("{c}={}", tcb(TRUSTEE, c)))
        .collect::<Vec<_>>()
        .join(",");
    let (c, v) = verify_json(TRUSTEE, &["--min-tcb", &at]);
    assert_eq!(c, 0, "{at}: {v:#}");

    let snp = tcb(TRUSTEE, "snp");
    let above = format!("snp={}", snp + 1);
    let (c, v) = verify_json(TRUSTEE, &["--min-tcb", &above]);
    assert_eq!(c, 5, "{v:#}");
    assert_eq!(violation_fields(&v), ["REPORTED_TCB.snp"]);
    assert_eq!(v["violations"][0]["found"], snp.to_string());
    assert_eq!(v["violations"][0]["expected"], format!("at least {}", snp + 1));

    // Repeated --min-tcb flags add up.
    let micro = format!("microcode={}", tcb(TRUSTEE, "microcode") + 1);
    let (c, v) = verify_json(TRUSTEE, &["--min-tcb", &above, "--min-tcb", &micro]);
    assert_eq!(c, 5);
    assert_eq!(violation_fields(&v), ["REPORTED_TCB.snp", "REPORTED_TCB.microcode"]);
}

#[test]
fn min_tcb_fmc_is_checked_on_turin() {
    let fmc = tcb(TURIN, "fmc");
    let (c, v) = verify_json(TURIN, &["--min-tcb", &format!("fmc={fmc}")]);
    assert_eq!(c, 0, "{v:#}");
    let (c, v) = verify_json(TURIN, &["--min-tcb", &format!("fmc={}", fmc + 1)]);
    assert_eq!(c, 5, "{v:#}");
    assert_eq!(violation_fields(&v), ["REPORTED_TCB.fmc"]);
}

#[test]
fn exact_value_flags_pass_with_the_reports_values() {
    let mut args = Vec::new();
    for (flag, key) in [
        ("--host-data", "host_data"),
        ("--report-data", "report_data"),
        ("--family-id", "family_id"),
        ("--image-id", "image_id"),
        ("--require-id-key", "id_key_digest"),
    ] {
        args.push(flag.to_string());
        args.push(field(TRUSTEE, key));
    }
    args.extend(
        [
            "--vmpl",
            "0",
            "--max-report-version",
            "2",
            "--require-no-debug",
            "--require-no-migrate-ma",
        ]
        .map(String::from),
    );
    let build = entry(TRUSTEE)["current_build"].as_u64().unwrap().to_string();
    args.extend(["--min-build".to_string(), build]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (c, v) = verify_json(TRUSTEE, &args);
    assert_eq!(c, 0, "{args:?}: {v:#}");
}

#[test]
fn each_rule_flag_reports_its_own_violation() {
    let build = entry(TRUSTEE)["current_build"].as_u64().unwrap();
    let next_build = (build + 1).to_string();
    let mut family = field(TRUSTEE, "family_id");
    family.replace_range(0..2, "ff");
    let author = "ab".repeat(48);
    let cases: [(&[&str], &[&str]); 7] = [
        (&["--family-id", &family], &["FAMILY_ID"]),
        (&["--vmpl", "1"], &["VMPL"]),
        // Version 2 report, at most version 1.
        (&["--max-report-version", "1"], &["VERSION"]),
        // POLICY 0x3001f has SMT (bit 16) set.
        (&["--require-no-smt"], &["POLICY.SMT"]),
        // The same build is current and committed.
        (&["--min-build", &next_build], &["CURRENT_VERSION", "COMMITTED_VERSION"]),
        // AUTHOR_KEY_DIGEST is zero.
        (&["--require-author-key", &author], &["AUTHOR_KEY_DIGEST"]),
        (&["--require-no-smt", "--vmpl", "2"], &["POLICY.SMT", "VMPL"]),
    ];
    for (args, fields) in cases {
        let (c, v) = verify_json(TRUSTEE, args);
        assert_eq!(c, 5, "{args:?}: {v:#}");
        assert_eq!(violation_fields(&v), fields, "{args:?}");
    }
}

#[test]
fn flags_combine_with_a_policy_file_and_a_conflict_exits_1() {
    let dir = scratch("merge");
    let own = field(TRUSTEE, "measurement");
    let other = field(GENOA_V5, "measurement");
    let snp = tcb(TRUSTEE, "snp");
    let file = dir.join("policy.toml");
    std::fs::write(
        &file,
        format!("measurements = [\"{own}\"]\n\n[min_reported_tcb]\nsnp = {snp}\n"),
    )
    .unwrap();
    let file = file.to_str().unwrap();

    // Agreeing and additional flags combine; the file's rules still count.
    let micro = format!("microcode={}", tcb(TRUSTEE, "microcode"));
    let (c, v) = verify_json(TRUSTEE, &["--policy", file, "--measurement", &own, "--min-tcb", &micro]);
    assert_eq!(c, 0, "{v:#}");
    assert_eq!(not_appraised(&v), ["host_data", "report_data", "id_key", "revocation"]);
    let o = verify(TRUSTEE, &["--policy", file, "--require-no-smt"]);
    assert_eq!(code(&o), 5);
    assert!(
        text(&o).contains("FAIL policy: policy file and command-line flags: 1 violation(s)"),
        "{}",
        text(&o)
    );

    // A different measurement list: a usage error naming the field and both values.
    let o = verify(TRUSTEE, &["--policy", file, "--measurement", &other]);
    let out = text(&o);
    assert_eq!(code(&o), 1, "{out}");
    assert!(out.contains("FAIL policy:"), "{out}");
    assert!(
        out.contains(&format!(
            "measurements is [{own}] in the file and [{other}] on the command line"
        )),
        "{out}"
    );

    // The same TCB component with another value.
    let o = verify(TRUSTEE, &["--policy", file, "--min-tcb", &format!("snp={}", snp + 1)]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains(&format!(
        "min_reported_tcb.snp is {snp} in the file and {} on the command line",
        snp + 1
    )));

    // --require-no-debug against a file that allows debug.
    let debug = dir.join("debug.json");
    std::fs::write(&debug, r#"{"guest_policy": {"allow_debug": true}}"#).unwrap();
    let o = verify(TRUSTEE, &["--policy", debug.to_str().unwrap(), "--require-no-debug"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("guest_policy.allow_debug"), "{}", text(&o));
    let o = verify(TRUSTEE, &["--policy", debug.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
}

#[test]
fn hex_of_the_wrong_length_is_a_usage_error() {
    let measurement = field(TRUSTEE, "measurement");
    let cases = [
        (
            "--measurement",
            measurement[..94].to_string(),
            "expected 48 bytes (96 hex digits), found 47 bytes (94 hex digits)",
        ),
        (
            "--host-data",
            "00".repeat(31),
            "expected 32 bytes (64 hex digits), found 31 bytes (62 hex digits)",
        ),
        (
            "--report-data",
            "0".repeat(129),
            "expected 64 bytes (128 hex digits), found 129 hex digits",
        ),
        (
            "--family-id",
            "00".repeat(17),
            "expected 16 bytes (32 hex digits), found 17 bytes (34 hex digits)",
        ),
        (
            "--image-id",
            String::new(),
            "expected 16 bytes (32 hex digits), found 0 bytes (0 hex digits)",
        ),
        (
            "--require-id-key",
            "00".repeat(32),
            "expected 48 bytes (96 hex digits), found 32 bytes (64 hex digits)",
        ),
        ("--require-author-key", "zz".repeat(48), "not hex"),
    ];
    for (flag, value, message) in cases {
        let o = verify(TRUSTEE, &[flag, &value]);
        assert_eq!(code(&o), 1, "{flag}");
        assert!(stderr(&o).contains(message), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{flag}: {}", stderr(&o));
    }
    for bad in ["snp", "ucode=1", "snp=256"] {
        let o = verify(TRUSTEE, &["--min-tcb", bad]);
        assert_eq!(code(&o), 1, "{bad}");
    }
    let o = verify(TRUSTEE, &["--vmpl", "4"]);
    assert_eq!(code(&o), 1);
}

#[test]
fn relaxation_flags_and_the_relax_table_are_accepted() {
    let all = [
        "--allow-reserved-fields",
        "--allow-unknown-report-version",
        "--allow-chip-id-tail",
        "--allow-pss-parameters",
        "--allow-crl-critical-extensions",
        "--allow-ca-constraints",
    ];
    let (c, v) = verify_json(TRUSTEE, &all);
    assert_eq!(c, 0, "{v:#}");
    // Relaxations are not appraisal rules: nothing more is appraised.
    assert_eq!(not_appraised(&v).len(), 6);

    let dir = scratch("relax");
    let file = dir.join("relax.toml");
    std::fs::write(&file, "max_report_version = 2\n\n[relax]\nchip_id_tail = true\n").unwrap();
    let (c, v) = verify_json(TRUSTEE, &["--policy", file.to_str().unwrap(), "--allow-chip-id-tail"]);
    assert_eq!(c, 0, "{v:#}");
}

#[test]
fn an_applied_crl_removes_revocation_from_the_list() {
    // No real AMD CRL is among the fixtures: the fake AMD PKI of sev-testing, its ARK pinned.
    use sev_testing::{FakePki, LeafKey, ReportSpec, TEST_TIME};
    let dir = scratch("crl");
    let pki = FakePki::new(sev_types::Product::Milan);
    let key = LeafKey::vcek_a();
    let spec = ReportSpec::new(sev_types::Product::Milan);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    std::fs::write(
        path("vcek.der"),
        pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb)),
    )
    .unwrap();
    std::fs::write(path("ask.der"), pki.ask()).unwrap();
    std::fs::write(path("ark.der"), pki.ark()).unwrap();
    std::fs::write(path("report.bin"), spec.signed(&key)).unwrap();
    std::fs::write(path("crl.der"), pki.issue_crl(&pki.crl_spec())).unwrap();
    let now = TEST_TIME.to_string();
    let run = |crl: bool| {
        let (report, vcek, ark, ask, crl_file) = (
            path("report.bin"),
            path("vcek.der"),
            path("ark.der"),
            path("ask.der"),
            path("crl.der"),
        );
        let mut args = vec![
            "verify", "report", &report, "--vcek", &vcek, "--ark", &ark, "--ask", &ask, "--time", &now,
        ];
        if crl {
            args.extend_from_slice(&["--crl", &crl_file]);
        }
        args.extend_from_slice(&["--format", "json"]);
        let o = Command::new(env!("CARGO_BIN_EXE_sev")).args(&args).output().unwrap();
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        (code(&o), v)
    };
    let (c, v) = run(false);
    assert_eq!(c, 0, "{v:#}");
    assert_eq!(not_appraised(&v).last().map(String::as_str), Some("revocation"));
    let (c, v) = run(true);
    assert_eq!(c, 0, "{v:#}");
    assert_eq!(
        not_appraised(&v),
        ["measurement", "host_data", "report_data", "minimum_tcb", "id_key"]
    );
}
