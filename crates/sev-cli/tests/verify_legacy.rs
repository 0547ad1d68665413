//! `sev verify certs` on legacy SEV certificates (fixtures/sev-legacy, see PROVENANCE.md):
//! SEV-format PDH/PEK/OCA/CEK and AMD-format ASK/ARK, recognised by content, verified against
//! the built-in SEV roots. Exit codes as for SNP: 0 valid, 1 unusable input, 2 signature or chain
//! failure, 3 missing certificate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn legacy(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sev-legacy")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(legacy(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

/// `sev verify certs DIR --format json` plus `extra`: the exit code and the JSON.
fn verify_dir(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", "certs", dir.to_str().unwrap(), "--format", "json"];
    args.extend(extra);
    let o = sev(&args);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    (o.status.code().expect("exit code"), v)
}

/// The check named `check`: (outcome, detail), or ("absent", "").
fn check(v: &Value, check: &str) -> (String, String) {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .map_or(("absent".into(), String::new()), |c| {
            (
                c["outcome"].as_str().unwrap().to_string(),
                c["detail"].as_str().unwrap().to_string(),
            )
        })
}

fn names(v: &Value) -> Vec<String> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap().to_string())
        .collect()
}

/// A fresh scratch directory holding `files` (name, bytes).
fn scratch(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sev-cli-legacy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (f, bytes) in files {
        std::fs::write(d.join(f), bytes).unwrap();
    }
    d
}

struct Milan {
    pdh: Vec<u8>,
    pek: Vec<u8>,
    oca: Vec<u8>,
    cek: Vec<u8>,
    ask: Vec<u8>,
    ark: Vec<u8>,
}

fn milan() -> Milan {
    let f = |n: &str| read(&format!("milan/platform/{n}.cert"));
    Milan {
        pdh: f("pdh"),
        pek: f("pek"),
        oca: f("oca"),
        cek: f("cek"),
        ask: read("milan/ask.cert"),
        ark: read("milan/ark.cert"),
    }
}

fn assert_valid(dir: &Path, expect_chain: &str) -> Value {
    let (code, v) = verify_dir(dir, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["exit_code"], 0);
    assert_eq!(check(&v, "legacy-roots").0, "pass", "{v:#}");
    assert_eq!(check(&v, "legacy-certificates").0, "pass", "{v:#}");
    assert_eq!(check(&v, "legacy-chain"), ("pass".into(), expect_chain.into()), "{v:#}");
    // Only SEV-format certificates: the SNP X.509 checks do not run.
    assert_eq!(check(&v, "chain").0, "absent", "{v:#}");
    v
}

#[test]
fn every_generation_fixture_directory_verifies() {
    for (g, name) in [
        ("naples", "Naples"),
        ("rome", "Rome"),
        ("milan", "Milan"),
        ("genoa", "Genoa"),
        ("turin", "Turin"),
    ] {
        let v = assert_valid(&legacy(g), &format!("ASK \u{2190} ARK ({name})"));
        assert_eq!(check(&v, "legacy-platform").0, "skip", "{g}: {v:#}");
        assert!(check(&v, "legacy-certificates").1.contains("ark.cert [ARK]"), "{g}");
    }
    // Naples also ships AMD's ASK ‖ ARK bundle, identical to its two files.
    let (_, v) = verify_dir(&legacy("naples"), &[]);
    assert!(
        check(&v, "legacy-certificates")
            .1
            .contains("ask_ark_naples.cert [ASK, ARK]"),
        "{v:#}"
    );
    // Milan's exported platform certificates on their own, with the built-in ASK and ARK.
    let v = assert_valid(
        &legacy("milan/platform"),
        "PDH \u{2190} PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} ARK (Milan; ASK and ARK built in)",
    );
    assert_eq!(check(&v, "legacy-platform").0, "absent");
}

#[test]
fn the_whole_milan_chain_verifies_in_every_form_and_backend() {
    let m = milan();
    let split = scratch(
        "milan-split",
        &[
            ("pdh.cert", &m.pdh),
            ("pek.cert", &m.pek),
            ("oca.cert", &m.oca),
            ("cek.cert", &m.cek),
            ("ask.cert", &m.ask),
            ("ark.cert", &m.ark),
        ],
    );
    let full = "PDH \u{2190} PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} ARK (Milan)";
    for backend in ["aws-lc", "ring", "rustcrypto"] {
        let (code, v) = verify_dir(&split, &["--backend", backend]);
        assert_eq!(code, 0, "{backend}: {v:#}");
        assert_eq!(check(&v, "legacy-chain"), ("pass".into(), full.into()), "{backend}");
    }
    let (code, v) = verify_dir(&split, &["--product", "Milan"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        names(&v),
        ["legacy-roots", "legacy-certificates", "legacy-chain"],
        "{v:#}"
    );
    // What PDH_CERT_EXPORT gives (PDH, PEK ‖ OCA ‖ CEK) and AMD's ASK ‖ ARK bundle, under names
    // that say nothing; text output too.
    let chain = [&m.pek[..], &m.oca, &m.cek].concat();
    let amd = [&m.ask[..], &m.ark].concat();
    let export = scratch("milan-export", &[("a", &m.pdh), ("b", &chain), ("c", &amd)]);
    let v = assert_valid(&export, full);
    assert_eq!(
        check(&v, "legacy-certificates").1,
        "a [PDH], b [PEK, OCA, CEK], c [ASK, ARK]"
    );
    let o = sev(&["verify", "certs", export.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&format!("PASS legacy-chain: {full}")), "{text}");
    assert!(text.trim_end().ends_with("valid"), "{text}");
    // One file, the full export.
    let one = [&m.pdh[..], &chain, &amd].concat();
    assert_valid(&scratch("milan-one", &[("export.bin", &one)]), full);
}

#[test]
fn the_rome_cek_verifies_and_its_hex_copy_is_ignored() {
    let dir = scratch(
        "rome",
        &[
            ("ark.cert", &read("rome/ark.cert")),
            ("ask.cert", &read("rome/ask.cert")),
            ("cek.cert", &read("rome/platform-early/cek.cert")),
            ("cek.cert.hex", &read("rome/platform-early/cek.cert.hex")),
        ],
    );
    let v = assert_valid(&dir, "CEK \u{2190} ASK \u{2190} ARK (Rome)");
    assert!(
        check(&v, "legacy-certificates").1.ends_with("; ignored: cek.cert.hex"),
        "{v:#}"
    );
}

#[test]
fn a_tampered_pek_signature_fails_with_2() {
    let m = milan();
    // One bit of the PEK's slot-1 signature (by the OCA): R starts at 0x41C.
    let mut pek = m.pek.clone();
    pek[0x41C + 5] ^= 0x10;
    let dir = scratch(
        "tampered-pek",
        &[
            ("pdh.cert", &m.pdh),
            ("pek.cert", &pek),
            ("oca.cert", &m.oca),
            ("cek.cert", &m.cek),
            ("ask.cert", &m.ask),
            ("ark.cert", &m.ark),
        ],
    );
    let (code, v) = verify_dir(&dir, &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["valid"], false);
    assert_eq!(v["exit_code"], 2);
    let (outcome, detail) = check(&v, "legacy-chain");
    assert_eq!(outcome, "fail");
    assert_eq!(detail, "OCA \u{2192} PEK: signature does not verify");
    // The same bit flipped in the PEK's slot-2 signature (by the CEK): S of slot 2.
    let mut pek = m.pek.clone();
    pek[0x624 + 72 + 1] ^= 0x01;
    let dir = scratch(
        "tampered-pek-2",
        &[
            ("pdh.cert", &m.pdh),
            ("pek.cert", &pek),
            ("oca.cert", &m.oca),
            ("cek.cert", &m.cek),
        ],
    );
    let (code, v) = verify_dir(&dir, &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        check(&v, "legacy-chain").1,
        "CEK \u{2192} PEK: signature does not verify"
    );
}

#[test]
fn a_missing_certificate_fails_with_3() {
    let m = milan();
    let dir = scratch(
        "missing-cek",
        &[
            ("pdh.cert", &m.pdh),
            ("pek.cert", &m.pek),
            ("oca.cert", &m.oca),
            ("ask.cert", &m.ask),
            ("ark.cert", &m.ark),
        ],
    );
    let (code, v) = verify_dir(&dir, &[]);
    assert_eq!(code, 3, "{v:#}");
    assert_eq!(v["exit_code"], 3);
    assert_eq!(
        check(&v, "legacy-chain"),
        (
            "fail".into(),
            "missing the CEK certificate, needed to verify the PEK".into()
        )
    );
    // A PDH alone.
    let (code, v) = verify_dir(&scratch("missing-pek", &[("pdh.cert", &m.pdh)]), &[]);
    assert_eq!(code, 3, "{v:#}");
    assert!(check(&v, "legacy-chain").1.contains("missing the PEK"), "{v:#}");
    // An OCA alone reaches no AMD root.
    let (code, v) = verify_dir(&scratch("only-oca", &[("oca.cert", &m.oca)]), &[]);
    assert_eq!(code, 3, "{v:#}");
}

#[test]
fn the_wrong_generations_ask_fails_with_2() {
    let m = milan();
    let rome_ask = read("rome/ask.cert");
    let platform: [(&str, &[u8]); 4] = [
        ("pdh.cert", &m.pdh),
        ("pek.cert", &m.pek),
        ("oca.cert", &m.oca),
        ("cek.cert", &m.cek),
    ];
    // Under the Milan ARK: the ASK's certifying ID is the Rome ARK's.
    let mut files = platform.to_vec();
    files.extend([("ask.cert", &rome_ask[..]), ("ark.cert", &m.ark[..])]);
    let (code, v) = verify_dir(&scratch("rome-ask-milan-ark", &files), &[]);
    assert_eq!(code, 2, "{v:#}");
    assert!(
        check(&v, "legacy-chain")
            .1
            .starts_with("ARK \u{2192} ASK: expected certifying ID"),
        "{v:#}"
    );
    // On its own: the Rome ASK verifies under the built-in Rome ARK but does not sign the Milan CEK.
    let mut files = platform.to_vec();
    files.push(("ask.cert", &rome_ask[..]));
    let (code, v) = verify_dir(&scratch("rome-ask", &files), &[]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(
        check(&v, "legacy-chain").1,
        "ASK \u{2192} CEK: signature does not verify"
    );
    // The early Naples chain, whose CEK AMD never signed.
    let dir = scratch(
        "naples-early",
        &[
            ("pek_oca_cek.cert", &read("naples/platform-early/pek_oca_cek.cert")),
            ("ask_ark.cert", &read("naples/ask_ark_naples.cert")),
        ],
    );
    let (code, v) = verify_dir(&dir, &[]);
    assert_eq!(code, 2, "{v:#}");
    assert!(
        check(&v, "legacy-chain")
            .1
            .starts_with("ASK \u{2192} CEK: no signature slot is by ASK"),
        "{v:#}"
    );
    // The right chain, but --product names another generation.
    let (code, v) = verify_dir(&legacy("milan/platform"), &["--product", "Genoa"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(check(&v, "legacy-chain").1, "the chain is Milan's, expected Genoa");
}

#[test]
fn an_unpinned_root_fails_with_2() {
    let m = milan();
    let mut ark = m.ark.clone();
    ark[0x40 + 100] ^= 0x01;
    let dir = scratch(
        "unpinned",
        &[("cek.cert", &m.cek), ("ask.cert", &m.ask), ("ark.cert", &ark)],
    );
    let (code, v) = verify_dir(&dir, &[]);
    assert_eq!(code, 2, "{v:#}");
    assert!(
        check(&v, "legacy-chain")
            .1
            .contains("is not one of the built-in AMD roots"),
        "{v:#}"
    );
}

#[test]
fn unusable_legacy_input_fails_with_1() {
    let m = milan();
    // Two different CEKs.
    let rome_cek = read("rome/platform-early/cek.cert");
    let (code, v) = verify_dir(&scratch("two-ceks", &[("a", &m.cek), ("b", &rome_cek)]), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(check(&v, "legacy-certificates").0, "fail");
    assert!(
        check(&v, "legacy-certificates")
            .1
            .starts_with("two different CEK certificates"),
        "{v:#}"
    );
    // A chain cut short.
    let cut = [&m.pek[..], &m.oca, &m.cek[..1000]].concat();
    let (code, v) = verify_dir(&scratch("cut", &[("chain.cert", &cut)]), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        check(&v, "legacy-certificates").1,
        "chain.cert: the 1000 bytes at offset 0x1048 are not an SEV or AMD certificate"
    );
    // SNP-only options with SEV-format certificates only.
    let ark_der = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/snp/milan/ark.der");
    let (code, v) = verify_dir(&legacy("milan/platform"), &["--ark", ark_der.to_str().unwrap()]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(check(&v, "legacy-roots").0, "fail");
}

#[test]
fn snp_and_legacy_certificates_in_one_directory_are_both_verified() {
    let m = milan();
    let snp = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/snp/turin/routex-v5");
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("pdh.cert".into(), m.pdh.clone()),
        ("pek.cert".into(), m.pek.clone()),
        ("oca.cert".into(), m.oca.clone()),
        ("cek.cert".into(), m.cek.clone()),
    ];
    for e in std::fs::read_dir(&snp).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            files.push((
                p.file_name().unwrap().to_string_lossy().into(),
                std::fs::read(&p).unwrap(),
            ));
        }
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let dir = scratch("mixed", &refs);
    // 2025-12-01: inside the validity of the SNP fixture certificates.
    let (code, v) = verify_dir(&dir, &["--time", "1764547200"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(check(&v, "legacy-chain").0, "pass", "{v:#}");
    assert_eq!(check(&v, "chain").0, "pass", "{v:#}");
    // A broken legacy chain next to a good SNP chain: both reported, the legacy failure decides.
    let mut pek = m.pek.clone();
    pek[0x41C] ^= 0x01;
    std::fs::write(dir.join("pek.cert"), &pek).unwrap();
    let (code, v) = verify_dir(&dir, &["--time", "1764547200"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(check(&v, "legacy-chain").0, "fail", "{v:#}");
    assert_eq!(check(&v, "chain").0, "pass", "{v:#}");
}
