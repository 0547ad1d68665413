//! `--format json` on the commands that gained it: the output parses and its key fields hold the
//! values the fixtures give (fixtures/snp/reports.json, the sev-snp-measure and ID-block vectors
//! quoted in tests/measure_cli.rs, shared/spec/kds-and-certs.md for URL shapes).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

/// Runs `args`, expects `code`, and parses stdout as one JSON value.
fn json_with(args: &[&str], code: i32) -> Value {
    let o = sev(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn json(args: &[&str]) -> Value {
    json_with(args, 0)
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("sev-cli-json-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The snp-nokernel-snp-only vector of sev-snp-measure.
const SNP_DIGEST: &str =
    "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d";
/// SHA-384 of id_key_test.pem's public key in AMD's format (fixtures/idblock/vectors.md), base64.
const ID_KEY_DIGEST: &str = "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU";

#[test]
fn kds_url_json_names_the_url_and_what_it_asks_for() {
    // gosev's Milan report: CHIP_ID and REPORTED_TCB from fixtures/snp/reports.json.
    let reports: Value = serde_json::from_str(&std::fs::read_to_string(fixture("snp/reports.json")).unwrap()).unwrap();
    let r = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "snp/milan/gosev/report.bin")
        .unwrap();
    let t = &r["reported_tcb"];
    let chip = r["chip_id"].as_str().unwrap();
    let spl = |k: &str| t[k].as_u64().unwrap();
    let v = json(&[
        "kds",
        "url",
        "vcek",
        "--report",
        &fixture("snp/milan/gosev/report.bin"),
        "--product",
        "Milan",
        "--format",
        "json",
    ]);
    let want = format!(
        "https://kdsintf.amd.com/vcek/v1/Milan/{chip}?blSPL={:02}&teeSPL={:02}&snpSPL={:02}&ucodeSPL={:02}",
        spl("bootloader"),
        spl("tee"),
        spl("snp"),
        spl("microcode")
    );
    assert_eq!(v["url"], want.as_str());
    assert_eq!(v["product"], "Milan");
    assert_eq!(v["resource"], "vcek");
    assert_eq!(v["hwid"], chip);
    let v = json(&["kds", "url", "chain", "--product", "Milan", "--format", "json"]);
    assert_eq!(v["url"], "https://kdsintf.amd.com/vcek/v1/Milan/cert_chain");
    assert_eq!(v["resource"], "cert_chain");
    let v = json(&["kds", "url", "crl", "--product", "Genoa", "--vlek", "--format", "json"]);
    assert_eq!(v["url"], "https://kdsintf.amd.com/vlek/v1/Genoa/crl");
}

#[test]
fn kds_cache_list_json_lists_the_cached_files() {
    let s = Scratch::new("cache");
    let vcek = fixture("snp/milan/gosev/vcek.der");
    let dir = s.0.join("v1/Milan/vcek/x");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&vcek, dir.join("t.der")).unwrap();
    let v = json(&["kds", "cache", "list", "--cache-dir", &s.path(""), "--format", "json"]);
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    assert!(entries[0]["path"].as_str().unwrap().ends_with("v1/Milan/vcek/x/t.der"));
    assert_eq!(entries[0]["size"], std::fs::metadata(&vcek).unwrap().len());
    let v = json(&[
        "kds",
        "cache",
        "prune",
        "--max-bytes",
        "0",
        "--cache-dir",
        &s.path(""),
        "--format",
        "json",
    ]);
    assert_eq!(v["removed"], 1, "{v}");
    assert_eq!(v["bytes_left"], 0, "{v}");
}

#[test]
fn measure_json_gives_the_published_digest() {
    let base = [
        "measure",
        "--mode",
        "snp",
        "--ovmf",
        &fixture("measurement/ovmf_AmdSev_suffix.bin"),
        "--vcpus",
        "1",
        "--vcpu-type",
        "EPYC-v4",
        "--format",
        "json",
    ];
    let v = json(&base);
    assert_eq!(v["mode"], "snp");
    assert_eq!(v["digest"], SNP_DIGEST);
    assert!(v.get("pages").is_none());
    // --explain adds the page log, whose last running digest is the launch digest.
    let v = json(&[&base[..], &["--explain"]].concat());
    let pages = v["pages"].as_array().unwrap();
    assert!(!pages.is_empty());
    assert_eq!(v["digest"], SNP_DIGEST);
}

#[test]
fn key_digest_and_id_block_json_give_the_vector_digests() {
    let key = fixture("idblock/id_key_test.pem");
    let v = json(&[
        "key-digest",
        "--key",
        &key,
        "--output-format",
        "base64",
        "--format",
        "json",
    ]);
    assert_eq!(v["key_digest"], ID_KEY_DIGEST);
    let s = Scratch::new("idblock");
    let (block, auth) = (s.path("id_block.bin"), s.path("id_auth.bin"));
    let v = json(&[
        "id-block",
        "--id-key",
        &key,
        "--launch-digest",
        SNP_DIGEST,
        "--out-id-block",
        &block,
        "--out-id-auth",
        &auth,
        "--format",
        "json",
    ]);
    assert_eq!(v["id_key_digest"], ID_KEY_DIGEST);
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let id_block = b64.decode(v["id_block"].as_str().unwrap()).unwrap();
    assert_eq!(id_block.len(), 0x60);
    // ID block bytes 0..48 are the launch digest (SNP ABI, ID_BLOCK.LD).
    assert_eq!(&id_block[..48], &std::fs::read(&block).unwrap()[..48]);
    assert_eq!(sev_types::fmt::Hex(&id_block[..48]).to_string(), SNP_DIGEST);
    assert_eq!(b64.decode(v["id_auth"].as_str().unwrap()).unwrap().len(), 0x1000);
    let v = json(&["id-block", "--verify", &block, &auth, "--format", "json"]);
    assert_eq!(v["signatures"], "OK");
    assert_eq!(v["id_key_digest"], ID_KEY_DIGEST);
}

#[test]
fn guest_json_reports_what_was_written() {
    let s = Scratch::new("guest");
    let (report, certs, key) = (s.path("report.bin"), s.path("certs"), s.path("key.bin"));
    let v = json(&[
        "guest",
        "--device",
        "sim",
        "--format",
        "json",
        "report",
        "--random",
        "--out",
        &report,
        "--certs-dir",
        &certs,
    ]);
    assert_eq!(v["report"], report.as_str());
    assert_eq!(v["bytes"], 0x4A0);
    assert_eq!(std::fs::metadata(&report).unwrap().len(), 0x4A0);
    assert_eq!(v["vmpl"], 0);
    let files: Vec<&str> = v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for name in ["ark.pem", "ask.pem", "vcek.pem"] {
        let f = files
            .iter()
            .find(|f| f.ends_with(name))
            .unwrap_or_else(|| panic!("{name}: {v}"));
        assert!(std::fs::read(f).unwrap().starts_with(b"-----BEGIN CERTIFICATE-----"));
    }
    let v = json(&["guest", "--device", "sim", "--format", "json", "key", "--out", &key]);
    assert_eq!(v["bytes"], 32);
    assert_eq!(std::fs::metadata(&key).unwrap().len(), 32);
    let v = json(&[
        "guest",
        "--device",
        "sim",
        "--format",
        "json",
        "certificates",
        &s.path("c2"),
    ]);
    assert_eq!(v["certificates"].as_array().unwrap().len(), files.len());
    // No interface at these paths: ok is false, exit 1, and both interfaces say why.
    let v = json_with(
        &[
            "guest",
            "--guest-device",
            &s.path("none"),
            "--configfs-root",
            &s.path("none"),
            "--format",
            "json",
            "ok",
        ],
        1,
    );
    assert_eq!(v["ok"], false);
    let names: Vec<&str> = v["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["interface"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ioctl", "configfs-tsm"]);
    assert!(
        v["interfaces"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["usable"] == false && i["detail"] != "")
    );
}
