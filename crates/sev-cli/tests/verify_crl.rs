//! `sev verify` with CRLs. No real AMD CRL is in the fixtures, so these use the fake AMD PKI of
//! `sev-testing` (its ARK pinned with `--ark`): a current CRL passes, a revoked VCEK or a stale,
//! future-dated or forged CRL exits 4.

use std::path::PathBuf;
use std::process::{Command, Output};

use sev_testing::{FakePki, LeafKey, ReportSpec, TEST_TIME};
use sev_types::Product;

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

struct Setup {
    dir: PathBuf,
    pki: FakePki,
}

/// A directory with the fake ARK, ASK and a VCEK, and a report that VCEK signed.
fn setup(name: &str) -> Setup {
    let dir = std::env::temp_dir().join(format!("sev-cli-crl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("certs")).unwrap();
    let pki = FakePki::new(Product::Milan);
    let key = LeafKey::vcek_a();
    let spec = ReportSpec::new(Product::Milan);
    let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
    std::fs::write(dir.join("certs/vcek.der"), vcek).unwrap();
    std::fs::write(dir.join("certs/ask.der"), pki.ask()).unwrap();
    std::fs::write(dir.join("ark.der"), pki.ark()).unwrap();
    std::fs::write(dir.join("report.bin"), spec.signed(&key)).unwrap();
    Setup { dir, pki }
}

impl Setup {
    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).to_str().unwrap().to_string()
    }

    fn write_crl(&self, der: &[u8]) -> String {
        std::fs::write(self.dir.join("crl.der"), der).unwrap();
        self.path("crl.der")
    }

    fn run(&self, crl: &str, extra: &[&str]) -> (Output, Output) {
        let now = TEST_TIME.to_string();
        let mut report_args = vec![
            "verify".to_string(),
            "report".into(),
            self.path("report.bin"),
            "--certs".into(),
            self.path("certs"),
            "--ark".into(),
            self.path("ark.der"),
            "--crl".into(),
            crl.into(),
            "--time".into(),
            now.clone(),
        ];
        report_args.extend(extra.iter().map(|s| s.to_string()));
        let mut certs_args = vec![
            "verify".to_string(),
            "certs".into(),
            self.path("certs"),
            "--ark".into(),
            self.path("ark.der"),
        ];
        certs_args.extend(["--crl".into(), crl.into(), "--time".into(), now]);
        certs_args.extend(extra.iter().map(|s| s.to_string()));
        let r: Vec<&str> = report_args.iter().map(String::as_str).collect();
        let c: Vec<&str> = certs_args.iter().map(String::as_str).collect();
        (sev(&r), sev(&c))
    }
}

fn assert_codes(out: (Output, Output), want: i32, why: &str) {
    for o in [out.0, out.1] {
        assert_eq!(code(&o), want, "{why}: {}", String::from_utf8_lossy(&o.stdout));
    }
}

#[test]
fn current_crl_that_revokes_nothing_passes() {
    let s = setup("ok");
    let crl = s.write_crl(&s.pki.issue_crl(&s.pki.crl_spec()));
    let (report, _) = s.run(&crl, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(code(&report), 0, "{v:#}");
    let crl_check = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "crl")
        .unwrap();
    assert_eq!(crl_check["outcome"], "pass");
    assert_codes(s.run(&crl, &[]), 0, "current CRL");
}

#[test]
fn revoked_vcek_exits_4() {
    let s = setup("revoked");
    let mut spec = s.pki.crl_spec();
    spec.revoked = vec![vec![0x00]]; // VCEK serial 0
    let crl = s.write_crl(&s.pki.issue_crl(&spec));
    assert_codes(s.run(&crl, &[]), 4, "revoked VCEK");
}

#[test]
fn revoked_ask_exits_4() {
    let s = setup("revoked-ask");
    let ask = sev_verify::snp::AmdCert::from_der(s.pki.ask()).unwrap();
    let mut spec = s.pki.crl_spec();
    spec.revoked = vec![vec![0x7f], ask.serial().to_vec()];
    let crl = s.write_crl(&s.pki.issue_crl(&spec));
    assert_codes(s.run(&crl, &[]), 4, "revoked ASK");
}

#[test]
fn stale_or_future_crl_exits_4_unless_allowed() {
    let s = setup("stale");
    let mut spec = s.pki.crl_spec();
    spec.this_update = TEST_TIME - 100 * 86_400;
    spec.next_update = Some(TEST_TIME - 70 * 86_400);
    let crl = s.write_crl(&s.pki.issue_crl(&spec));
    assert_codes(s.run(&crl, &[]), 4, "stale CRL");
    assert_codes(s.run(&crl, &["--allow-stale-crl"]), 0, "stale CRL allowed");
    let mut spec = s.pki.crl_spec();
    spec.this_update = TEST_TIME + 86_400;
    let crl = s.write_crl(&s.pki.issue_crl(&spec));
    assert_codes(s.run(&crl, &[]), 4, "future CRL");
}

#[test]
fn forged_crl_exits_4() {
    let s = setup("forged");
    let mut spec = s.pki.crl_spec();
    spec.signer = sev_testing::Signer::Ask;
    let crl = s.write_crl(&s.pki.issue_crl(&spec));
    assert_codes(s.run(&crl, &[]), 4, "CRL signed by the ASK");
    let mut spec = s.pki.crl_spec();
    spec.issuer_cn = "ARK-Genoa".into();
    let crl = s.write_crl(&s.pki.issue_crl(&spec));
    assert_codes(s.run(&crl, &[]), 4, "CRL of another ARK");
}

#[test]
fn fake_chain_is_untrusted_without_the_pinned_ark() {
    let s = setup("unpinned");
    let o = sev(&["verify", "certs", &s.path("certs"), "--time", &TEST_TIME.to_string()]);
    assert_eq!(code(&o), 2, "{}", String::from_utf8_lossy(&o.stdout));
}
