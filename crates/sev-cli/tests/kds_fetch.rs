//! `sev kds fetch`, `sev kds bundle` and `sev verify report --fetch` against a fake KDS on
//! 127.0.0.1: real Milan, Genoa and Turin certificates, request counting, the cache shared by
//! runs and processes, offline verification, rate limits and refused bodies. CRLs come from the
//! fake AMD PKI of sev-testing (no real AMD CRL is among the fixtures), its ARK pinned with --ark.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sev_kds::testing::{FakeKds, Fault};
use sev_testing::{DAY, FakePki, LeafKey, ReportSpec, TEST_TIME};
use sev_types::Product;
use sev_types::report::Report;
use sev_verify::kds::{Endorsement, KdsRequest};

const NOW: &str = "1764547200";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap()
}

fn sev<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .env_remove("SEV_KDS_URL")
        .env_remove("SEV_KDS_CACHE")
        .output()
        .expect("run sev")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("sev-cli-kds-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    fn join(&self, rel: &str) -> String {
        self.0.join(rel).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A real report fixture, served by `server`.
struct Real {
    report: String,
    vcek: Vec<u8>,
    product: Product,
}

fn real(product: Product, server: &FakeKds) -> Real {
    let (dir, chain) = match product {
        Product::Milan => ("snp/milan/routex-v3", "kds/vcek_cert_chain_milan.pem"),
        Product::Genoa => ("snp/genoa/routex-v5", "kds/vcek_cert_chain_genoa.pem"),
        _ => ("snp/turin/routex-v5", "kds/vcek_cert_chain_turin.pem"),
    };
    let report_path = fixtures().join(format!("{dir}/report.bin"));
    let bytes = std::fs::read(&report_path).unwrap();
    let report = Report::from_bytes(&bytes).unwrap();
    let vcek = fixture(&format!("{dir}/vcek.der"));
    server.serve_request(&KdsRequest::vcek_for_report(&report, None).unwrap(), vcek.clone());
    server.serve_request(
        &KdsRequest::cert_chain(product, Endorsement::Vcek).unwrap(),
        fixture(chain),
    );
    Real {
        report: report_path.to_str().unwrap().to_string(),
        vcek,
        product,
    }
}

fn verify_fetch(r: &Real, server: &FakeKds, cache: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        "report",
        &r.report,
        "--fetch",
        "--no-fetch-crl",
        "--time",
        NOW,
        "--cache-dir",
        cache,
    ];
    let url = server.base_url();
    args.extend(["--kds-url", &url]);
    args.extend(extra);
    sev(&args)
}

#[test]
fn verify_report_fetch_then_cache_for_milan_genoa_turin() {
    let server = FakeKds::start();
    let scratch = Scratch::new("verify-fetch");
    let cache = scratch.join("cache");
    for (i, product) in [Product::Milan, Product::Genoa, Product::Turin].into_iter().enumerate() {
        let r = real(product, &server);
        let first = verify_fetch(&r, &server, &cache, &[]);
        assert_eq!(code(&first), 0, "{product}: {}", text(&first));
        let out = text(&first);
        assert!(
            out.contains("PASS fetch: VCEK from KDS, ASK/ARK chain from KDS"),
            "{product}: {out}"
        );
        assert!(out.contains("hwID = CHIP_ID"), "{out}");
        assert_eq!(server.requests(), 2 * (i + 1));
        // The second verification makes no request.
        let second = verify_fetch(&r, &server, &cache, &[]);
        assert_eq!(code(&second), 0, "{}", text(&second));
        assert!(
            text(&second).contains("PASS fetch: VCEK from the cache, ASK/ARK chain from the cache"),
            "{}",
            text(&second)
        );
        assert_eq!(server.requests(), 2 * (i + 1), "{:?}", server.request_log());
        assert_eq!(r.product, product);
    }
}

#[test]
fn verify_report_fetch_fills_only_what_is_missing() {
    let server = FakeKds::start();
    let r = real(Product::Genoa, &server);
    let scratch = Scratch::new("fill-missing");
    let cache = scratch.join("cache");
    // The VCEK is given: only the chain is fetched.
    let vcek = fixtures().join("snp/genoa/routex-v5/vcek.der");
    let out = verify_fetch(&r, &server, &cache, &["--vcek", vcek.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("PASS fetch: ASK/ARK chain from KDS"),
        "{}",
        text(&out)
    );
    assert_eq!(server.request_log(), ["/vcek/v1/Genoa/cert_chain"]);
}

#[test]
fn offline_without_collateral_exits_3_and_sends_nothing() {
    let server = FakeKds::start();
    let r = real(Product::Milan, &server);
    let scratch = Scratch::new("offline");
    let out = verify_fetch(&r, &server, &scratch.join("cache"), &["--offline"]);
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(
        text(&out).contains("FAIL fetch") && text(&out).contains("--offline"),
        "{}",
        text(&out)
    );
    assert_eq!(server.requests(), 0);
}

#[test]
fn rate_limit_beyond_max_wait_exits_3_and_names_url_and_status() {
    let server = FakeKds::start();
    let r = real(Product::Milan, &server);
    server.push_fault(Fault::TooManyRequests {
        retry_after: Some("3600".into()),
    });
    let scratch = Scratch::new("ratelimit");
    let start = std::time::Instant::now();
    let out = verify_fetch(&r, &server, &scratch.join("cache"), &["--max-wait", "5"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(code(&out), 3, "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("HTTP 429") && t.contains(&server.base_url()) && t.contains("/vcek/v1/Milan/"),
        "{t}"
    );
    assert_eq!(server.requests(), 1);
}

#[test]
fn fetch_and_bundle_json_name_the_files_and_where_they_came_from() {
    let server = FakeKds::start();
    let genoa = real(Product::Genoa, &server);
    let scratch = Scratch::new("fetch-json");
    let (cache, out_dir, bundle) = (scratch.join("cache"), scratch.join("certs"), scratch.join("b.pem"));
    let url = server.base_url();
    let json = |args: &[&str]| -> serde_json::Value {
        let o = sev(args);
        assert_eq!(code(&o), 0, "{}", text(&o));
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
    };
    let fetch = [
        "kds",
        "fetch",
        "vcek",
        "--report",
        &genoa.report,
        "--out",
        &out_dir,
        "--cache-dir",
        &cache,
        "--kds-url",
        &url,
        "--format",
        "json",
    ];
    for source in ["kds", "cache"] {
        let v = json(&fetch);
        assert_eq!(v["source"], source, "{v}");
        let files = v["files"].as_array().unwrap();
        assert_eq!(files.len(), 1, "{v}");
        assert!(files[0].as_str().unwrap().ends_with("vcek.der"), "{v}");
        assert_eq!(std::fs::read(files[0].as_str().unwrap()).unwrap(), genoa.vcek);
    }
    let v = json(&[
        "kds",
        "bundle",
        "export",
        "--report",
        &genoa.report,
        "--out",
        &bundle,
        "--no-crl",
        "--cache-dir",
        &cache,
        "--kds-url",
        &url,
        "--format",
        "json",
    ]);
    // Two objects: the VCEK and the cert_chain (ASK and ARK in one PEM file).
    assert_eq!(
        (v["objects"].as_u64(), v["reports"].as_u64()),
        (Some(2), Some(1)),
        "{v}"
    );
    let fresh = scratch.join("fresh");
    let v = json(&[
        "kds",
        "bundle",
        "import",
        &bundle,
        "--cache-dir",
        &fresh,
        "--format",
        "json",
    ]);
    assert_eq!(v["imported"], 2, "{v}");
}

#[test]
fn fetch_commands_write_snpguest_file_names() {
    let server = FakeKds::start();
    let turin = real(Product::Turin, &server);
    let genoa = real(Product::Genoa, &server);
    let scratch = Scratch::new("fetch-cmds");
    let cache = scratch.join("cache");
    let url = server.base_url();
    let common = ["--cache-dir", &cache, "--kds-url", &url];

    let out_dir = scratch.join("certs");
    let mut args = vec!["kds", "fetch", "vcek", "--report", &genoa.report, "--out", &out_dir];
    args.extend(common);
    let o = sev(&args);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("vcek.der (from KDS)"), "{}", text(&o));
    assert_eq!(std::fs::read(scratch.0.join("certs/vcek.der")).unwrap(), genoa.vcek);

    // The same VCEK by chip ID and TCB (Turin: 8-byte hwID, FMC SPL), as PEM, from the cache
    // after the first run.
    let turin_bytes = std::fs::read(&turin.report).unwrap();
    let chip = &Report::from_bytes(&turin_bytes).unwrap().chip_id()[..8];
    let chip_hex: String = chip.iter().map(|b| format!("{b:02x}")).collect();
    for expected in ["from KDS", "from the cache"] {
        let mut args = vec![
            "kds",
            "fetch",
            "vcek",
            "--product",
            "Turin",
            "--chip-id",
            &chip_hex,
            "--tcb",
            "fmc=0,bl=1,tee=0,snp=2,ucode=71",
            "--cert-format",
            "pem",
            "--out",
            &out_dir,
        ];
        args.extend(common);
        let o = sev(&args);
        assert_eq!(code(&o), 0, "{}", text(&o));
        assert!(text(&o).contains(&format!("vcek.pem ({expected})")), "{}", text(&o));
    }
    let pem = std::fs::read(scratch.0.join("certs/vcek.pem")).unwrap();
    assert_eq!(
        sev_verify::snp::pem::split_der_or_pem(&pem).unwrap(),
        std::slice::from_ref(&turin.vcek)
    );
    // A raw TCB_VERSION names the same VCEK (Turin layout: fmc, bl, tee, snp bytes 0..3, ucode byte 7).
    let mut args = vec![
        "kds",
        "fetch",
        "vcek",
        "--product",
        "Turin",
        "--chip-id",
        &chip_hex,
        "--tcb",
        "0x4700000002000100",
        "--out",
        &out_dir,
    ];
    args.extend(common);
    let o = sev(&args);
    assert!(text(&o).contains("(from the cache)"), "{}", text(&o));

    let mut args = vec!["kds", "fetch", "chain", "--product", "Genoa", "--out", &out_dir];
    args.extend(common);
    let o = sev(&args);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(
        std::fs::read(scratch.0.join("certs/ask.der")).unwrap(),
        fixture("snp/genoa/ask.der")
    );
    assert_eq!(
        std::fs::read(scratch.0.join("certs/ark.der")).unwrap(),
        fixture("snp/genoa/ark.der")
    );
    assert_eq!(server.requests(), 3, "{:?}", server.request_log());

    // The CRL: KDS has none here (404), and a CRL not signed by AMD is refused.
    let mut args = vec!["kds", "fetch", "crl", "--product", "Milan", "--out", &out_dir];
    args.extend(common);
    let o = sev(&args);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o).contains("HTTP 404") && text(&o).contains("/vcek/v1/Milan/crl"),
        "{}",
        text(&o)
    );
    let pki = FakePki::new(Product::Milan);
    server.serve("/vcek/v1/Milan/crl", pki.issue_crl(&pki.crl_spec()));
    let o = sev(&args);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o).contains("not signed by the trusted AMD key") && text(&o).contains("not cached"),
        "{}",
        text(&o)
    );
    assert!(!scratch.0.join("certs/crl.der").exists());
    assert!(!scratch.0.join("cache/v1/Milan/vcek/crl.der").exists());
}

#[test]
fn bundle_export_then_verify_offline_with_no_server() {
    let server = FakeKds::start();
    let reals: Vec<Real> = [Product::Milan, Product::Genoa, Product::Turin]
        .into_iter()
        .map(|p| real(p, &server))
        .collect();
    let scratch = Scratch::new("bundle");
    let bundle = scratch.join("collateral.pem");
    let url = server.base_url();
    let mut args = vec![
        "kds",
        "bundle",
        "export",
        "--no-crl",
        "--out",
        &bundle,
        "--no-cache",
        "--kds-url",
        &url,
    ];
    for r in &reals {
        args.extend(["--report", &r.report]);
    }
    let o = sev(&args);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("6 object(s) for 3 report(s)"), "{}", text(&o));
    drop(server);

    for r in &reals {
        let o = sev(&[
            "verify",
            "report",
            &r.report,
            "--bundle",
            &bundle,
            "--offline",
            "--no-cache",
            "--no-fetch-crl",
            "--time",
            NOW,
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o));
        assert!(text(&o).contains("VCEK from the bundle"), "{}", text(&o));
    }
    // Imported into a cache directory, it serves offline verification there.
    let cache = scratch.join("cache");
    let o = sev(&["kds", "bundle", "import", &bundle, "--cache-dir", &cache]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("6 object(s) checked"), "{}", text(&o));
    for r in &reals {
        let o = sev(&[
            "verify",
            "report",
            &r.report,
            "--offline",
            "--cache-dir",
            &cache,
            "--no-fetch-crl",
            "--time",
            NOW,
        ]);
        assert_eq!(code(&o), 0, "{}", text(&o));
    }
}

#[test]
fn fetched_crl_is_applied_and_refreshed_after_next_update() {
    // Fake PKI: report, VCEK, chain and CRLs, with the fake ARK pinned.
    let pki = FakePki::new(Product::Milan);
    let key = LeafKey::vcek_a();
    let spec = ReportSpec::new(Product::Milan);
    let report = spec.signed(&key);
    let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
    let scratch = Scratch::new("crl");
    std::fs::write(scratch.0.join("report.bin"), &report).unwrap();
    std::fs::write(scratch.0.join("ark.der"), pki.ark()).unwrap();
    let server = FakeKds::start();
    let r = Report::from_bytes(&report).unwrap();
    server.serve_request(&KdsRequest::vcek_for_report(&r, None).unwrap(), vcek);
    let chain = format!(
        "{}{}",
        sev_testing::pem("CERTIFICATE", pki.ask()),
        sev_testing::pem("CERTIFICATE", pki.ark())
    );
    server.serve("/vcek/v1/Milan/cert_chain", chain.into_bytes());
    let mut crl = pki.crl_spec();
    crl.next_update = Some(TEST_TIME + 10 * DAY);
    server.serve("/vcek/v1/Milan/crl", pki.issue_crl(&crl));

    let (report_path, ark, cache, url) = (
        scratch.join("report.bin"),
        scratch.join("ark.der"),
        scratch.join("cache"),
        server.base_url(),
    );
    let run = |time: u64| {
        let t = time.to_string();
        sev(&[
            "verify",
            "report",
            &report_path,
            "--fetch",
            "--ark",
            &ark,
            "--cache-dir",
            &cache,
            "--kds-url",
            &url,
            "--time",
            &t,
        ])
    };
    let o = run(TEST_TIME);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        text(&o).contains("CRL from KDS") && text(&o).contains("PASS crl: 1 CRL(s)"),
        "{}",
        text(&o)
    );
    assert_eq!(server.requests(), 3);
    let o = run(TEST_TIME + 5 * DAY);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("CRL from the cache"), "{}", text(&o));
    assert_eq!(server.requests(), 3);

    // Past nextUpdate the CRL is fetched again; the new one revokes the VCEK (serial 0).
    let mut newer = pki.crl_spec();
    newer.this_update = TEST_TIME + 10 * DAY;
    newer.next_update = Some(TEST_TIME + 40 * DAY);
    newer.revoked = vec![vec![0]];
    server.serve("/vcek/v1/Milan/crl", pki.issue_crl(&newer));
    let o = run(TEST_TIME + 11 * DAY);
    assert_eq!(code(&o), 4, "{}", text(&o));
    assert!(text(&o).contains("CRL from KDS"), "{}", text(&o));
    assert_eq!(
        server.request_log().last().map(String::as_str),
        Some("/vcek/v1/Milan/crl")
    );
    assert_eq!(server.requests(), 4);
}

#[test]
fn concurrent_fetch_processes_share_one_cache() {
    let server = FakeKds::start();
    let reals: Vec<Real> = [Product::Milan, Product::Genoa, Product::Turin]
        .into_iter()
        .map(|p| real(p, &server))
        .collect();
    let scratch = Scratch::new("concurrent");
    let cache = scratch.join("cache");
    let url = server.base_url();
    let children: Vec<_> = (0..2)
        .flat_map(|i| reals.iter().map(move |r| (i, r)))
        .map(|(i, r)| {
            Command::new(env!("CARGO_BIN_EXE_sev"))
                .args([
                    "kds",
                    "fetch",
                    "vcek",
                    "--report",
                    &r.report,
                    "--cache-dir",
                    &cache,
                    "--kds-url",
                    &url,
                ])
                .args(["--out", &scratch.join(&format!("out-{i}-{}", r.product))])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    assert!((3..=6).contains(&server.requests()), "{:?}", server.request_log());
    for r in &reals {
        let name = r.product.kds_name().unwrap();
        let dir = scratch.0.join(format!("cache/v1/{name}/vcek"));
        let hw = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let entries: Vec<_> = std::fs::read_dir(&hw).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(entries.len(), 1, "{entries:?}: one whole file, no temporary file");
        assert_eq!(std::fs::read(&entries[0]).unwrap(), r.vcek);
    }
}

fn sev_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sev"));
    cmd.args(args);
    for k in [
        "SEV_KDS_URL",
        "SEV_KDS_CACHE",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run sev")
}

#[test]
fn proxy_comes_from_the_environment_and_is_never_used_for_loopback() {
    let server = FakeKds::start();
    let r = real(Product::Milan, &server);
    let scratch = Scratch::new("proxy");
    let out = scratch.join("out");
    // The fake KDS is the proxy; the client resolves no name (the proxy is asked to CONNECT).
    let proxy = server.base_url();
    let o = sev_with_env(
        &[
            "kds",
            "fetch",
            "vcek",
            "--report",
            &r.report,
            "--no-cache",
            "--kds-url",
            "http://kds.invalid",
            "--out",
            &out,
        ],
        &[("HTTPS_PROXY", &proxy)],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(server.proxy_connects(), ["kds.invalid:80"]);
    assert_eq!(std::fs::read(scratch.0.join("out/vcek.der")).unwrap(), r.vcek);
    // A proxy that does not answer is not used for a loopback KDS URL.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dead_proxy = format!("http://{dead}");
    let url = server.base_url();
    let o = sev_with_env(
        &[
            "kds",
            "fetch",
            "vcek",
            "--report",
            &r.report,
            "--no-cache",
            "--kds-url",
            &url,
            "--out",
            &out,
        ],
        &[("HTTPS_PROXY", &dead_proxy)],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
}

#[test]
fn vlek_side_chain_is_fetched_and_a_vlek_report_needs_its_vlek_given() {
    let server = FakeKds::start();
    server.serve("/vlek/v1/Milan/cert_chain", fixture("kds/vlek_cert_chain_milan.pem"));
    server.serve("/vlek/v1/Turin/cert_chain", fixture("kds/vlek_cert_chain_turin.pem"));
    let scratch = Scratch::new("vlek");
    let (cache, out, url) = (scratch.join("cache"), scratch.join("out"), server.base_url());
    let o = sev(&[
        "kds",
        "fetch",
        "chain",
        "--product",
        "Turin",
        "--key",
        "vlek",
        "--out",
        &out,
        "--cache-dir",
        &cache,
        "--kds-url",
        &url,
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(
        std::fs::read(scratch.0.join("out/asvk.der")).unwrap(),
        fixture("snp/vlek/turin/asvk.der")
    );
    assert_eq!(
        std::fs::read(scratch.0.join("out/ark.der")).unwrap(),
        fixture("snp/turin/ark.der")
    );

    // A VLEK-signed Milan report (trustee's fixture): the VLEK is given, the ASVK chain fetched.
    let report = fixtures().join("snp/vlek/milan/report.bin");
    let vlek = fixtures().join("snp/vlek/milan/vlek.der");
    let (report, vlek) = (report.to_str().unwrap(), vlek.to_str().unwrap());
    let common = [
        "--fetch",
        "--no-fetch-crl",
        "--cache-dir",
        &cache,
        "--kds-url",
        &url,
        "--time",
        NOW,
    ];
    let mut args = vec!["verify", "report", report, "--vcek", vlek];
    args.extend(common);
    let o = sev(&args);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("PASS fetch: ASVK/ARK chain from KDS"), "{}", text(&o));
    assert_eq!(
        server.request_log().last().map(String::as_str),
        Some("/vlek/v1/Milan/cert_chain")
    );
    // Without the VLEK: KDS serves VLEKs only to the provider, so this is a missing certificate.
    let mut args = vec!["verify", "report", report];
    args.extend(common);
    let o = sev(&args);
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(text(&o).contains("signed by a VLEK"), "{}", text(&o));
    assert_eq!(server.requests(), 2);
}

fn age_file(path: &Path, secs: u64) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(secs))
        .unwrap();
}

#[test]
fn cache_age_bound_list_and_prune() {
    let server = FakeKds::start();
    let milan = real(Product::Milan, &server);
    let genoa = real(Product::Genoa, &server);
    let scratch = Scratch::new("cache-cmds");
    let cache = scratch.join("cache");
    for r in [&milan, &genoa] {
        assert_eq!(code(&verify_fetch(r, &server, &cache, &[])), 0);
    }
    assert_eq!(server.requests(), 4);
    let o = sev(&["kds", "cache", "list", "--cache-dir", &cache]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 4, "{}", text(&o));

    // Age Milan's VCEK: with --cache-max-age it is fetched again, the rest comes from the cache.
    let vcek_dir = scratch.0.join("cache/v1/Milan/vcek");
    let hw = std::fs::read_dir(&vcek_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let vcek_file = std::fs::read_dir(&hw).unwrap().next().unwrap().unwrap().path();
    age_file(&vcek_file, 7200);
    let o = verify_fetch(&milan, &server, &cache, &["--cache-max-age", "3600"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        text(&o).contains("VCEK from KDS, ASK/ARK chain from the cache"),
        "{}",
        text(&o)
    );
    assert_eq!(server.requests(), 5);

    // Prune by age removes Genoa's aged chain; by size, the oldest go first.
    age_file(&scratch.0.join("cache/v1/Genoa/vcek/cert_chain.pem"), 7200);
    let o = sev(&["kds", "cache", "prune", "--max-age", "3600", "--cache-dir", &cache]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("removed 1 entry"), "{}", text(&o));
    assert!(!scratch.0.join("cache/v1/Genoa/vcek/cert_chain.pem").exists());
    let o = sev(&["kds", "cache", "prune", "--max-bytes", "0", "--cache-dir", &cache]);
    assert!(
        text(&o).contains("removed 3 entries") && text(&o).contains("0 bytes left"),
        "{}",
        text(&o)
    );
}
