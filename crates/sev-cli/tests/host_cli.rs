//! `sev host` through `--device sim`: every command, firmware errors as one-line messages with
//! exit codes, and `/dev/sev` absent. Expected values come from the simulator's configuration
//! (`GuestConfig::new`), its test roots (`sim_ark`, `sim_ask`) and `sev-verify`'s legacy chain
//! checks, never from the command's own output.
//!
//! The simulator keeps no state between runs, so a command whose effect a later one must see
//! runs as `--sim-before "<command>"` in the same process.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;
use sev_sim::GuestConfig;
use sev_types::Product;
use sev_types::legacy::{AmdCertificate, SevCertificate, Usage};
use sev_types::tcb::TcbLayout;

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

/// `sev host --device sim <args>`.
fn sim(args: &[&str]) -> Output {
    let mut all = vec!["host", "--device", "sim"];
    all.extend(args);
    sev(&all)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

/// The one `error: ...` line of a failed command.
fn error_line(o: &Output) -> String {
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("note: ")).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got {err:?}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("sev-cli-host-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).to_str().unwrap().to_string()
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.0.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn genoa() -> GuestConfig {
    GuestConfig::new(Product::Genoa)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ---- status, show -------------------------------------------------------------------------

#[test]
fn status_shows_both_platforms_with_tcbs_decoded_for_the_product() {
    let o = sim(&["status", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["product"], "Genoa");
    assert_eq!(v["sev"]["state"], "INIT", "{v:#}");
    assert_eq!(v["snp"]["rmp_initialized"], true);
    let t = genoa().current_tcb.decode(TcbLayout::MilanGenoa);
    let cur = &v["snp"]["current_tcb"];
    assert_eq!(cur["bootloader"], t.bootloader, "{v:#}");
    assert_eq!(cur["tee"], t.tee);
    assert_eq!(cur["snp"], t.snp);
    assert_eq!(cur["microcode"], t.microcode);

    let o = sim(&["status"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("SNP RMP initialised: yes"), "{out}");
    assert!(
        out.contains(&format!(
            "current TCB: bootloader={} tee={} snp={} microcode={}",
            t.bootloader, t.tee, t.snp, t.microcode
        )),
        "{out}"
    );
}

#[test]
fn turin_tcbs_carry_the_fmc_spl() {
    let v = json(&sim(&["--product", "Turin", "show", "tcb", "--format", "json"]));
    let t = GuestConfig::new(Product::Turin).reported_tcb.decode(TcbLayout::Turin);
    assert_eq!(v["reported_tcb"]["fmc"], t.fmc.unwrap(), "{v:#}");
    assert_eq!(v["reported_tcb"]["snp"], t.snp);
}

#[test]
fn show_identifier_is_the_chip_id() {
    let o = sim(&["show", "identifier"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), hex(&genoa().chip_id));
    let v = json(&sim(&["show", "identifier", "--format", "json"]));
    assert_eq!(v["chip_ids"][0], hex(&genoa().chip_id));
}

#[test]
fn show_vcek_url_names_the_chip_and_the_reported_tcb() {
    let c = genoa();
    let t = c.reported_tcb.decode(TcbLayout::MilanGenoa);
    // AMD KDS: /vcek/v1/{product}/{hwid}?blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=.. (two digits).
    let expected = format!(
        "https://kdsintf.amd.com/vcek/v1/Genoa/{}?blSPL={:02}&teeSPL={:02}&snpSPL={:02}&ucodeSPL={:02}",
        hex(&c.chip_id),
        t.bootloader,
        t.tee,
        t.snp,
        t.microcode
    );
    let o = sim(&["show", "vcek-url"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), expected);
}

#[test]
fn turin_vcek_urls_use_the_8_byte_hwid_and_the_fmc_spl() {
    let c = GuestConfig::new(Product::Turin);
    let t = c.reported_tcb.decode(TcbLayout::Turin);
    let expected = format!(
        "https://kdsintf.amd.com/vcek/v1/Turin/{}?fmcSPL={:02}&blSPL={:02}&teeSPL={:02}&snpSPL={:02}&ucodeSPL={:02}",
        hex(&c.chip_id[..8]),
        t.fmc.unwrap(),
        t.bootloader,
        t.tee,
        t.snp,
        t.microcode
    );
    let o = sim(&["--product", "Turin", "show", "vcek-url", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["url"], expected);
}

// ---- SNP configuration --------------------------------------------------------------------

#[test]
fn config_set_then_status_shows_the_reported_tcb_and_masks() {
    let c = genoa();
    let mut lower = c.current_tcb.decode(TcbLayout::MilanGenoa);
    lower.snp -= 1;
    let raw = lower.encode(TcbLayout::MilanGenoa).0;
    let set = format!("config set --tcb {raw:#x} --mask-chip-id");
    let o = sim(&["--sim-before", &set, "status", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["snp"]["reported_tcb"]["snp"], lower.snp, "{v:#}");
    assert_eq!(v["snp"]["reported_tcb"]["raw"], format!("{raw:#018x}"));
    assert_eq!(v["snp"]["current_tcb"]["snp"], lower.snp + 1);
    assert_eq!(v["snp"]["flags"]["mask_chip_id"], true, "{v:#}");

    // SPL names give the same TCB.
    let named = format!(
        "config set --tcb bootloader={},tee={},snp={},microcode={}",
        lower.bootloader, lower.tee, lower.snp, lower.microcode
    );
    let v = json(&sim(&["--sim-before", &named, "show", "tcb", "--format", "json"]));
    assert_eq!(v["reported_tcb"]["raw"], format!("{raw:#018x}"));

    // config reset reports the current TCB again, unmasked.
    let v = json(&sim(&[
        "--sim-before",
        &set,
        "--sim-before",
        "config reset",
        "status",
        "--format",
        "json",
    ]));
    assert_eq!(v["snp"]["reported_tcb"]["raw"], format!("{:#018x}", c.current_tcb.0));
    assert_eq!(v["snp"]["flags"]["mask_chip_id"], false, "{v:#}");
}

#[test]
fn config_set_above_the_current_tcb_is_refused_before_the_firmware() {
    let mut higher = genoa().current_tcb.decode(TcbLayout::MilanGenoa);
    higher.snp += 1;
    let raw = format!("{:#x}", higher.encode(TcbLayout::MilanGenoa).0);
    let o = sim(&["config", "set", "--tcb", &raw]);
    assert_eq!(o.status.code(), Some(1));
    let line = error_line(&o);
    assert!(line.contains("at most the current TCB"), "{line}");
}

#[test]
fn commit_succeeds() {
    let o = sim(&["commit", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["done"], "commit");
}

#[test]
fn vlek_load_enables_the_vlek_and_a_foreign_hashstick_is_refused() {
    let d = Dir::new("vlek");
    let c = genoa();
    let good = sev_sim::host::wrap_vlek_hashstick(&c.chip_id, c.reported_tcb, "test-csp", [3; 12]);
    std::fs::write(d.path("good.bin"), zerocopy::IntoBytes::as_bytes(&good)).unwrap();
    let load = format!("vlek-load {}", d.path("good.bin"));
    let v = json(&sim(&["--sim-before", &load, "status", "--format", "json"]));
    assert_eq!(v["snp"]["flags"]["vlek_en"], true, "{v:#}");

    // Wrapped for another chip: the firmware's BAD_SIGNATURE, exit 3, one line.
    let other = sev_sim::host::wrap_vlek_hashstick(&[0xEE; 64], c.reported_tcb, "test-csp", [3; 12]);
    std::fs::write(d.path("other.bin"), zerocopy::IntoBytes::as_bytes(&other)).unwrap();
    let o = sim(&["vlek-load", &d.path("other.bin")]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line = error_line(&o);
    assert!(line.contains("BAD_SIGNATURE"), "{line}");

    // Not a hashstick at all: refused before the firmware, exit 1.
    std::fs::write(d.path("short.bin"), [0u8; 16]).unwrap();
    let o = sim(&["vlek-load", &d.path("short.bin")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(error_line(&o).contains("0x1b0"), "{}", stderr(&o));
}

// ---- SEV certificates and ownership --------------------------------------------------------

fn sev_cert(bytes: &[u8]) -> SevCertificate<'_> {
    SevCertificate::from_bytes(bytes).expect("an SEV certificate")
}

/// The certificate's P-384 public key (SEC1 uncompressed).
fn ec_key(bytes: &[u8]) -> [u8; 97] {
    match sev_cert(bytes).public_key() {
        sev_types::legacy::PublicKey::Ec(k) => k.p384_sec1_uncompressed().expect("a P-384 key"),
        _ => panic!("not an EC key"),
    }
}

#[test]
fn pek_csr_writes_an_unsigned_pek() {
    let d = Dir::new("csr");
    let o = sim(&["pek-csr", "--out", &d.path("pek.csr")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csr = d.read("pek.csr");
    assert_eq!(csr.len(), 0x824);
    assert_eq!(sev_cert(&csr).pubkey_usage(), Usage::Pek);
}

#[test]
fn pdh_export_writes_the_chain_that_verifies_under_the_simulators_roots() {
    let d = Dir::new("export");
    let o = sim(&["pdh-export", &d.path("certs")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (file, usage) in [
        ("certs/pdh.cert", Usage::Pdh),
        ("certs/pek.cert", Usage::Pek),
        ("certs/oca.cert", Usage::Oca),
        ("certs/cek.cert", Usage::Cek),
    ] {
        assert_eq!(sev_cert(&d.read(file)).pubkey_usage(), usage, "{file}");
    }

    // The chain verifies under the simulator's ARK and ASK with sev-verify's legacy checks.
    let provider = sev_verify::crypto::default_provider();
    let ark = AmdCertificate::from_bytes(sev_sim::host::sim_ark()).unwrap();
    let ask = AmdCertificate::from_bytes(sev_sim::host::sim_ask()).unwrap();
    let (pdh, pek, oca, cek) = (
        d.read("certs/pdh.cert"),
        d.read("certs/pek.cert"),
        d.read("certs/oca.cert"),
        d.read("certs/cek.cert"),
    );
    let chain = sev_types::legacy::PlatformChain {
        pek: sev_cert(&pek),
        oca: sev_cert(&oca),
        cek: sev_cert(&cek),
    };
    sev_verify::legacy::verify_amd_chain(&provider, &sev_types::legacy::AmdCertChain { ask, ark }).unwrap();
    sev_verify::legacy::verify_cek(&provider, &chain.cek, &ask).unwrap();
    sev_verify::legacy::verify_platform_links(&provider, &sev_cert(&pdh), &chain).unwrap();

    // `sev verify certs` recognises all four files; by default it trusts only AMD's built-in SEV
    // roots, so the simulator's chain stops at an untrusted root...
    std::fs::write(d.path("ark.cert"), sev_sim::host::sim_ark()).unwrap();
    std::fs::write(d.path("certs/ark.cert"), sev_sim::host::sim_ark()).unwrap();
    std::fs::write(d.path("certs/ask.cert"), sev_sim::host::sim_ask()).unwrap();
    let o = sev(&["verify", "certs", &d.path("certs"), "--format", "json"]);
    let v = json(&o);
    let check = |name: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {v:#}"))
    };
    let certs = check("legacy-certificates");
    assert_eq!(certs["outcome"], "pass", "{v:#}");
    for f in ["pdh.cert [PDH]", "pek.cert [PEK]", "oca.cert [OCA]", "cek.cert [CEK]"] {
        assert!(certs["detail"].as_str().unwrap().contains(f), "{f}: {v:#}");
    }
    let chain = check("legacy-chain");
    assert_eq!(chain["outcome"], "fail", "{v:#}");
    let detail = chain["detail"].as_str().unwrap();
    assert!(detail.contains("not one of the built-in AMD roots"), "{detail}");
    assert!(detail.contains(&hex(&sev_sim::host::SIM_ARK_KEY_ID)), "{detail}");
    assert_eq!(o.status.code(), Some(2));

    // ...and verifies once the simulator's AMD-format ARK is pinned with --ark.
    let o = sev(&[
        "verify",
        "certs",
        &d.path("certs"),
        "--ark",
        &d.path("ark.cert"),
        "--format",
        "json",
    ]);
    let v = json(&o);
    let outcome = |name: &str| {
        let c = v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == name)
            .cloned();
        c.unwrap_or_else(|| panic!("no {name} in {v:#}"))
    };
    assert_eq!(outcome("legacy-chain")["outcome"], "pass", "{v:#}");
    let path = outcome("legacy-chain")["detail"].as_str().unwrap().to_string();
    assert!(
        path.starts_with("PDH \u{2190} PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} pinned ARK"),
        "{path}"
    );
    assert!(path.contains(&hex(&sev_sim::host::SIM_ARK_KEY_ID)), "{path}");
    assert_eq!(o.status.code(), Some(0), "{v:#}");

    // A pinned ARK does not bless an ASK it did not sign: AMD's Milan ASK in place of the sim's.
    let amd_ask = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/sev-legacy/milan/ask.cert"
    ));
    std::fs::write(d.path("certs/ask.cert"), amd_ask.unwrap()).unwrap();
    let o = sev(&["verify", "certs", &d.path("certs"), "--ark", &d.path("ark.cert")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("legacy-chain"));
}

#[test]
fn ownership_provision_then_pdh_export_shows_the_new_oca() {
    let d = Dir::new("provision");
    let provision = format!("ownership provision --out {}", d.path("owner"));
    let o = sim(&["--sim-before", &provision, "pdh-export", &d.path("after")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let oca = d.read("owner/oca.cert");
    assert_eq!(d.read("after/oca.cert"), oca);
    assert_eq!(sev_cert(&oca).pubkey_usage(), Usage::Oca);

    // The new OCA signs the exported PEK, whose key is the platform's.
    let provider = sev_verify::crypto::default_provider();
    let pek = d.read("after/pek.cert");
    sev_verify::legacy::verify_signed_by(
        &provider,
        &sev_cert(&pek),
        sev_verify::legacy::Signer::Sev(&sev_cert(&oca)),
    )
    .unwrap();

    // The generated key is kept, private to its owner, as PKCS#8 PEM.
    let key = d.read("owner/oca.key");
    assert!(key.starts_with(b"-----BEGIN PRIVATE KEY-----"));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(d.path("owner/oca.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // The platform reports an external owner.
    let provision2 = format!("ownership provision --out {}", d.path("owner2"));
    let v = json(&sim(&["--sim-before", &provision2, "status", "--format", "json"]));
    assert_eq!(v["sev"]["flags"]["owner"], true, "{v:#}");

    // Provisioning again with the kept key gives an OCA certificate with the same key.
    let o = sim(&[
        "ownership",
        "provision",
        "--oca-key",
        &d.path("owner/oca.key"),
        "--out",
        &d.path("again"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = d.read("again/oca.cert");
    assert_eq!(ec_key(&again), ec_key(&oca));
    assert!(
        std::fs::metadata(d.path("again/oca.key")).is_err(),
        "a given key is not written out"
    );
}

#[test]
fn provision_without_a_key_or_an_output_directory_is_a_usage_error() {
    let o = sim(&["ownership", "provision"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(error_line(&o).contains("--out"), "{}", stderr(&o));
}

#[test]
fn pek_import_errors_are_the_firmwares_one_line_with_exit_code_3() {
    let d = Dir::new("import");
    for owner in ["a", "b"] {
        let o = sim(&["ownership", "provision", "--out", &d.path(owner)]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // A's PEK with B's OCA certificate: the OCA signature on the PEK does not verify.
    let o = sim(&["pek-import", &d.path("a/pek.cert"), &d.path("b/oca.cert")]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line = error_line(&o);
    assert!(
        line.contains("PEK_CERT_IMPORT") && line.contains("BAD_SIGNATURE"),
        "{line}"
    );

    // An owned platform refuses another owner until it is reset.
    let provision = format!("ownership provision --out {}", d.path("c"));
    let o = sim(&[
        "--sim-before",
        &provision,
        "pek-import",
        &d.path("a/pek.cert"),
        &d.path("a/oca.cert"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line = error_line(&o);
    assert!(line.contains("ALREADY_OWNED") && line.contains("reset --yes"), "{line}");

    // Not certificates at all: refused before the firmware.
    std::fs::write(d.path("junk"), b"junk").unwrap();
    let o = sim(&["pek-import", &d.path("junk"), &d.path("a/oca.cert")]);
    assert_eq!(o.status.code(), Some(1));
    error_line(&o);
}

#[test]
fn reset_asks_for_yes_and_clears_the_owner() {
    let o = sim(&["reset"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(error_line(&o).contains("--yes"));

    let d = Dir::new("reset");
    let provision = format!("ownership provision --out {}", d.path("owner"));
    let o = sim(&[
        "--sim-before",
        &provision,
        "--sim-before",
        "reset --yes",
        "pdh-export",
        &d.path("after"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(d.read("after/oca.cert"), d.read("owner/oca.cert"));
}

#[test]
fn reset_while_guests_run_is_one_line_with_exit_code_3() {
    let o = sim(&["--sim-guests", "1", "reset", "--yes"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line = error_line(&o);
    assert!(line.contains("FACTORY_RESET"), "{line}");
    assert!(line.contains("stop every SEV and SNP guest"), "{line}");

    // PEK_CERT_IMPORT with a guest running: the firmware's INVALID_PLATFORM_STATE.
    let d = Dir::new("busy");
    let o = sim(&["ownership", "provision", "--out", &d.path("a")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = sim(&[
        "--sim-guests",
        "1",
        "pek-import",
        &d.path("a/pek.cert"),
        &d.path("a/oca.cert"),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let line = error_line(&o);
    assert!(line.contains("INVALID_PLATFORM_STATE"), "{line}");
}

// ---- certificate tables -------------------------------------------------------------------

#[test]
fn cert_table_import_and_export_round_trip_the_guest_certificates() {
    let d = Dir::new("table");
    // The simulated guest's host certificates, as `sev guest certificates` writes them.
    let o = sev(&[
        "guest",
        "--device",
        "sim",
        "--sim-product",
        "Genoa",
        "certificates",
        &d.path("certs"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::write(d.path("certs/README.txt"), b"not a certificate").unwrap();

    let o = sev(&[
        "host",
        "cert-table",
        "import",
        &d.path("certs"),
        "--out",
        &d.path("table.bin"),
        "--page-aligned",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let table = d.read("table.bin");
    assert_eq!(table.len() % 4096, 0);
    let parsed = sev_types::guest::CertTable::from_bytes(&table).unwrap();
    let mut names = Vec::new();
    for cert in parsed.iter() {
        let name = cert.kind.name().unwrap();
        let pem = d.read(&format!("certs/{name}.pem"));
        let der = sev_verify::snp::pem::split_der_or_pem(&pem).unwrap();
        assert_eq!(der, vec![cert.data.to_vec()], "{name}");
        names.push(name);
    }
    assert!(
        names.contains(&"vcek") && names.contains(&"ark") && names.contains(&"ask"),
        "{names:?}"
    );

    let o = sev(&[
        "host",
        "cert-table",
        "export",
        &d.path("table.bin"),
        &d.path("out"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)["files"].as_array().unwrap().len(), names.len());
    for name in &names {
        assert_eq!(
            d.read(&format!("out/{name}.pem")),
            d.read(&format!("certs/{name}.pem")),
            "{name}"
        );
    }

    let o = sev(&[
        "host",
        "cert-table",
        "export",
        &d.path("certs/README.txt"),
        &d.path("x"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(error_line(&o).contains("not a certificate table"));
}

// ---- no device -----------------------------------------------------------------------------

#[test]
fn without_dev_sev_every_platform_command_says_so_with_exit_code_2() {
    let d = Dir::new("nodev");
    for cmd in [
        vec!["status"],
        vec!["show", "identifier"],
        vec!["pdh-export", "x"],
        vec!["commit"],
        vec!["reset", "--yes"],
    ] {
        let mut args = vec!["host", "--root", d.0.to_str().unwrap()];
        args.extend(cmd.iter().copied());
        let o = sev(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {}", stderr(&o));
        let line = error_line(&o);
        assert!(line.contains("dev/sev is absent"), "{line}");
        assert!(line.contains("sev host ok"), "{line}");
    }
}

#[test]
fn sim_only_options_are_refused_with_the_real_device() {
    let o = sev(&["host", "--sim-before", "commit", "status"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(error_line(&o).contains("--device sim"));
}

#[test]
fn every_subcommand_documents_its_exit_codes() {
    for cmd in [
        &["status"][..],
        &["ok"],
        &["pek-csr"],
        &["pdh-export"],
        &["pek-import"],
        &["reset"],
        &["ownership", "provision"],
        &["commit"],
        &["config", "set"],
        &["config", "reset"],
        &["vlek-load"],
        &["cert-table", "export"],
        &["cert-table", "import"],
        &["show", "identifier"],
        &["show", "tcb"],
        &["show", "vcek-url"],
    ] {
        let mut args = vec!["host"];
        args.extend(cmd);
        args.push("--help");
        let o = sev(&args);
        assert_eq!(o.status.code(), Some(0), "{cmd:?}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("Exit codes: 0 "), "{cmd:?}: {out}");
    }
}
