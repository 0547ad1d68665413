//! `sev kds url` and `sev kds parse` on the real fixture reports. Expected hwIDs and SPLs come
//! from fixtures/snp/reports.json, URL shapes from shared/spec/kds-and-certs.md §1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn stdout_line(o: &Output) -> String {
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap().trim_end().to_string()
}

fn fixture(file: &str) -> String {
    fixtures().join(file).to_str().unwrap().to_string()
}

fn reports() -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("snp/reports.json")).unwrap()).unwrap()
}

fn kds_name(product: &str) -> &'static str {
    if product.starts_with("Milan") {
        "Milan"
    } else if product.starts_with("Turin") {
        "Turin"
    } else {
        assert!(product.starts_with("Genoa"), "{product}");
        "Genoa"
    }
}

#[test]
fn vcek_url_of_every_real_report() {
    let mut n = 0;
    for r in reports() {
        let chip = r["chip_id"].as_str().unwrap();
        if chip.bytes().all(|c| c == b'0') {
            continue;
        }
        let product = kds_name(r["product"].as_str().unwrap());
        let t = &r["reported_tcb"];
        let spl = |k: &str| t[k].as_u64().unwrap();
        let (hwid, fmc) = if product == "Turin" {
            (&chip[..16], format!("fmcSPL={:02}&", spl("fmc")))
        } else {
            (chip, String::new())
        };
        let want = format!(
            "https://kdsintf.amd.com/vcek/v1/{product}/{hwid}?{fmc}blSPL={:02}&teeSPL={:02}&snpSPL={:02}&ucodeSPL={:02}",
            spl("bootloader"),
            spl("tee"),
            spl("snp"),
            spl("microcode")
        );
        let file = fixture(r["file"].as_str().unwrap());
        // v2 reports carry no CPUID; --product is only needed for them, and harmless for the rest.
        let got = stdout_line(&sev(&["kds", "url", "vcek", "--report", &file, "--product", product]));
        assert_eq!(got, want, "{file}");
        n += 1;
    }
    assert_eq!(n, 13);
}

#[test]
fn explicit_parameters_give_the_same_url_as_the_report() {
    let from_report = stdout_line(&sev(&[
        "kds",
        "url",
        "vcek",
        "--report",
        &fixture("snp/turin/routex-v5/report.hex"),
    ]));
    let explicit = stdout_line(&sev(&[
        "kds",
        "url",
        "vcek",
        "--product",
        "Turin",
        "--hwid",
        "3b42092f69c656d3",
        "--fmc",
        "0",
        "--bl",
        "1",
        "--tee",
        "0",
        "--snp",
        "2",
        "--ucode",
        "71",
    ]));
    assert_eq!(from_report, explicit);
    assert_eq!(
        explicit,
        "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=00&blSPL=01&teeSPL=00&snpSPL=02&ucodeSPL=71"
    );
}

#[test]
fn chains_crls_and_vlek() {
    let genoa = fixture("snp/genoa/routex-v5/report.bin");
    assert_eq!(
        stdout_line(&sev(&["kds", "url", "chain", "--report", &genoa])),
        "https://kdsintf.amd.com/vcek/v1/Genoa/cert_chain"
    );
    assert_eq!(
        stdout_line(&sev(&["kds", "url", "crl", "--vlek", "--product", "Siena"])),
        "https://kdsintf.amd.com/vlek/v1/Genoa/crl"
    );
    assert_eq!(
        stdout_line(&sev(&["kds", "url", "chain", "--product", "milan", "--vlek"])),
        "https://kdsintf.amd.com/vlek/v1/Milan/cert_chain"
    );
    let vlek = fixture("snp/vlek/milan/report.bin");
    assert_eq!(
        stdout_line(&sev(&["kds", "url", "vlek", "--report", &vlek])),
        "https://kdsintf.amd.com:444/vlek/v1/Milan/cert?blSPL=04&teeSPL=00&snpSPL=24&ucodeSPL=217"
    );
}

#[test]
fn errors_exit_1_and_say_why() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["kds", "url", "vcek", "--report", &fixture("snp/vlek/milan/report.bin")],
            "masked",
        ),
        (
            &["kds", "url", "vcek", "--report", &fixture("snp/milan/gosev/report.bin")],
            "product",
        ),
        (
            &["kds", "url", "vcek", "--report", "/nonexistent/report.bin"],
            "cannot read",
        ),
        (&["kds", "url", "crl"], "--product"),
        (&["kds", "url", "vcek", "--product", "Milan", "--bl", "1"], "--tee"),
        (
            &[
                "kds",
                "url",
                "vcek",
                "--product",
                "Milan",
                "--hwid",
                "00",
                "--bl",
                "1",
                "--tee",
                "0",
                "--snp",
                "1",
                "--ucode",
                "1",
            ],
            "64 bytes",
        ),
        (&["kds", "url", "chain", "--product", "Rome"], "Rome"),
    ];
    for (args, needle) in cases {
        let o = sev(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    // clap usage errors also exit 1.
    let o = sev(&["kds", "url", "vcek", "--report", "x", "--bl", "1"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn parse_prints_the_request() {
    let url = "https://kdsintf.amd.com/vcek/v1/Turin/3b42092f69c656d3?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71";
    let v: Value = serde_json::from_str(&stdout_line(&sev(&["kds", "parse", url, "--format", "json"]))).unwrap();
    assert_eq!(v["product"], "Turin");
    assert_eq!(v["resource"], "vcek");
    assert_eq!(v["hwid"], "3b42092f69c656d3");
    assert_eq!(v["tcb"]["fmc"], 0);
    assert_eq!(v["tcb"]["microcode"], 71);
    let text = stdout_line(&sev(&["kds", "parse", "https://kdsintf.amd.com/vlek/v1/Genoa/crl"]));
    assert!(text.contains("resource: crl") && text.contains("key: vlek"), "{text}");
    let o = sev(&["kds", "parse", "https://kdsintf.amd.com.evil.example/vcek/v1/Genoa/crl"]);
    assert_eq!(o.status.code(), Some(1));
}
