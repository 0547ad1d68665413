//! `sev report show` against every real report in fixtures/snp, field by field, with the values
//! recorded in fixtures/snp/reports.json (decoded independently of this project).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn sev(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

/// reports.json writes small numbers as "0x.." strings and large ones as decimal numbers.
fn as_u64(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().expect("unsigned"),
        Value::String(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex"),
        other => panic!("not a number: {other}"),
    }
}

fn raw_of(v: &Value) -> u64 {
    match v {
        Value::Object(m) => as_u64(&m["raw"]),
        other => as_u64(other),
    }
}

const BYTE_FIELDS: &[&str] = &[
    "family_id",
    "image_id",
    "report_data",
    "measurement",
    "host_data",
    "id_key_digest",
    "author_key_digest",
    "report_id",
    "report_id_ma",
    "chip_id",
    "sig_r",
    "sig_s",
];
const NUMBER_FIELDS: &[&str] = &[
    "version",
    "guest_svn",
    "vmpl",
    "sig_algo",
    "signing_key",
    "current_build",
    "current_minor",
    "current_major",
    "committed_build",
    "committed_minor",
    "committed_major",
];
const TCB_FIELDS: &[&str] = &["current_tcb", "reported_tcb", "committed_tcb", "launch_tcb"];

fn records() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("snp/reports.json")).expect("reports.json");
    serde_json::from_str::<Vec<Value>>(&text).expect("json")
}

fn expected_product(rec: &Value) -> &str {
    let p = rec["product"].as_str().unwrap();
    p.split([' ', '-']).next().unwrap()
}

fn show_json(rec: &Value, extra: &[&str]) -> Value {
    let file = fixtures().join(rec["file"].as_str().unwrap());
    let mut args = vec!["report", "show", file.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = sev(&args);
    assert!(
        out.status.success(),
        "{}: {}",
        rec["file"],
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn json_output_matches_reports_json_for_every_fixture() {
    let records = records();
    assert_eq!(records.len(), 14);
    for rec in &records {
        let name = rec["file"].as_str().unwrap();
        let version = as_u64(&rec["version"]);
        let product = expected_product(rec);
        let extra: Vec<&str> = if version < 3 {
            vec!["--product", product]
        } else {
            vec![]
        };
        let got = show_json(rec, &extra);
        for f in BYTE_FIELDS {
            assert_eq!(got[*f], rec[*f], "{name}: {f}");
        }
        for f in NUMBER_FIELDS {
            assert_eq!(got[*f].as_u64(), Some(as_u64(&rec[*f])), "{name}: {f}");
        }
        assert_eq!(raw_of(&got["policy"]), as_u64(&rec["policy"]), "{name}: policy");
        assert_eq!(
            raw_of(&got["platform_info"]),
            as_u64(&rec["platform_info"]),
            "{name}: platform_info"
        );
        assert_eq!(raw_of(&got["flags"]), as_u64(&rec["flags"]), "{name}: flags");
        assert_eq!(
            got["author_key_en"].as_bool(),
            Some(as_u64(&rec["author_key_en"]) == 1),
            "{name}"
        );
        assert_eq!(
            got["mask_chip_key"].as_bool(),
            Some(as_u64(&rec["mask_chip_key"]) == 1),
            "{name}"
        );
        for f in TCB_FIELDS {
            let (g, e) = (&got[*f], &rec[*f]);
            for k in ["bootloader", "tee", "snp", "microcode"] {
                assert_eq!(g[k].as_u64(), Some(as_u64(&e[k])), "{name}: {f}.{k}");
            }
            assert_eq!(g.get("fmc").map(as_u64), e.get("fmc").map(as_u64), "{name}: {f}.fmc");
            assert_eq!(as_u64(&g["raw"]), as_u64(&e["raw"]), "{name}: {f}.raw");
        }
        for f in ["cpuid_fam_id", "cpuid_mod_id", "cpuid_step"] {
            let want = as_u64(&rec[f]);
            match got[f].as_u64() {
                Some(v) => assert_eq!(v, want, "{name}: {f}"),
                None => assert!(version < 3 && want == 0, "{name}: {f} missing on a v{version} report"),
            }
        }
        for f in ["launch_mit_vector", "current_mit_vector"] {
            match rec.get(f) {
                Some(want) => assert_eq!(got[f].as_u64(), Some(as_u64(want)), "{name}: {f}"),
                None => assert!(got[f].is_null(), "{name}: {f} present on a v{version} report"),
            }
        }
        assert_eq!(
            got["product"].as_str(),
            Some(product_display(product, rec)),
            "{name}: product"
        );
    }
}

/// The model-0xA0 Genoa-family report is a Bergamo/Siena part by its CPUID.
fn product_display<'a>(product: &'a str, rec: &Value) -> &'a str {
    if as_u64(&rec["cpuid_mod_id"]) == 0xa0 {
        "Bergamo/Siena"
    } else {
        product
    }
}

#[test]
fn text_output_prints_every_field() {
    for rec in records() {
        let file = fixtures().join(rec["file"].as_str().unwrap());
        let out = sev(&["report", "show", file.to_str().unwrap()]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for f in BYTE_FIELDS.iter().filter(|f| !f.starts_with("sig_")) {
            let value = rec[*f].as_str().unwrap();
            assert!(
                text.contains(&format!("{f:<19}{value}")),
                "{}: {f} missing from text output",
                rec["file"]
            );
        }
        for f in [
            "policy",
            "platform_info",
            "current_tcb",
            "reported_tcb",
            "committed_tcb",
            "launch_tcb",
            "vmpl",
        ] {
            assert!(text.contains(&format!("  {f} ")), "{}: {f} missing", rec["file"]);
        }
    }
}

#[test]
fn hex_and_base64_inputs_give_the_same_report() {
    let dir = fixtures().join("snp/genoa/routex-v5");
    let bin = show_json_path(&dir.join("report.bin"), &[]);
    let hex = show_json_path(&dir.join("report.hex"), &["--inform", "hex"]);
    assert_eq!(bin, hex);
    let auto = show_json_path(&dir.join("report.hex"), &[]);
    assert_eq!(bin, auto);
    let tmp = std::env::temp_dir().join(format!("sev-cli-b64-{}", std::process::id()));
    let raw = std::fs::read(dir.join("report.bin")).unwrap();
    use base64::Engine as _;
    std::fs::write(&tmp, base64::engine::general_purpose::STANDARD.encode(raw)).unwrap();
    let b64 = show_json_path(&tmp, &["--inform", "base64"]);
    std::fs::remove_file(&tmp).ok();
    assert_eq!(bin, b64);
}

fn show_json_path(path: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["report", "show", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = sev(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn bad_input_exits_1_with_a_one_line_reason() {
    let dir = std::env::temp_dir().join(format!("sev-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read(fixtures().join("snp/milan/gosev/report.bin")).unwrap();
    let mut version1 = good.clone();
    version1[0] = 1;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("garbage", b"\x00\xffnot a report at all\x01".to_vec()),
        ("truncated", good[..1183].to_vec()),
        ("extended", [good.as_slice(), b"x"].concat()),
        ("version1", version1),
        ("badhex", b"zz".repeat(1184)),
    ];
    for (name, bytes) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        for format in ["text", "json"] {
            let out = sev(&["report", "show", path.to_str().unwrap(), "--format", format]);
            assert_eq!(out.status.code(), Some(1), "{name}");
            let err = String::from_utf8(out.stderr).unwrap();
            assert_eq!(err.lines().count(), 1, "{name}: {err}");
            assert!(err.starts_with("error: "), "{name}: {err}");
            assert!(out.stdout.is_empty(), "{name}");
        }
    }
    let out = sev(&["report", "show", dir.join("missing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let out = sev(&["report", "show"]);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failing_stdout_is_exit_1_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: /dev/full absent");
        return;
    };
    let report = fixtures().join("snp/milan/gosev/report.bin");
    for format in ["text", "json"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sev"))
            .args(["report", "show", report.to_str().unwrap(), "--format", format])
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: cannot write to standard output"));
    }
}

#[test]
fn oversized_inputs_are_refused_without_reading_them_whole() {
    let out = sev(&["report", "show", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than"));
}
