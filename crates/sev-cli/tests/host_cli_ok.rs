//! `sev host ok`: readiness checks against fabricated /proc and /sys trees (`--root`), with the
//! simulator standing in for the secure processor and KVM; and on this machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

struct Tree(PathBuf);

impl Tree {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("sev-cli-host-ok-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Tree(d)
    }

    fn file(&self, rel: &str, text: &str) -> &Self {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn dir(&self, rel: &str) -> &Self {
        std::fs::create_dir_all(self.0.join(rel)).unwrap();
        self
    }

    fn root(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A Genoa (family 25, model 17) with every SEV flag, as an SNP host's /proc/cpuinfo shows it.
const CPUINFO_SNP: &str = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n\
model name\t: AMD EPYC 9654 96-Core Processor\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sme sev sev_es sev_snp\n\n\
processor\t: 1\nvendor_id\t: AuthenticAMD\n";

/// A ready SNP host: CPU flags, kvm_amd with sev, sev_es and sev_snp on, ccp loaded.
fn ready_tree(name: &str) -> Tree {
    let t = Tree::new(name);
    t.file("proc/cpuinfo", CPUINFO_SNP)
        .dir("sys/module/ccp")
        .file("sys/module/kvm_amd/parameters/sev", "Y\n")
        .file("sys/module/kvm_amd/parameters/sev_es", "Y\n")
        .file("sys/module/kvm_amd/parameters/sev_snp", "Y\n");
    t
}

fn ok_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["host", "ok", "--format", "json"];
    all.extend(args);
    let o = sev(&all);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    (o.status.code().expect("exit code"), v)
}

/// (outcome, detail, remedy) of one check; panics if the check is absent.
fn check(v: &Value, name: &str) -> (String, String, String) {
    let c = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {v:#}"));
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    (s("outcome"), s("detail"), s("remedy"))
}

#[test]
fn a_ready_host_passes_every_check() {
    let t = ready_tree("ready");
    let (code, v) = ok_json(&["--device", "sim", "--root", t.root()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["ready"], true);
    for c in v["checks"].as_array().unwrap() {
        assert_eq!(c["outcome"], "pass", "{c:#}");
        assert!(c.get("remedy").is_none(), "{c:#}");
    }
    for name in [
        "cpu-vendor",
        "cpu-sev",
        "cpu-sev-es",
        "cpu-sev-snp",
        "ccp-module",
        "kvm-amd-module",
        "kvm-amd-sev",
        "kvm-amd-sev-es",
        "kvm-amd-sev-snp",
        "dev-kvm",
        "kvm-snp-vm",
        "kvm-guest-memfd",
        "dev-sev",
        "sev-platform",
        "snp-platform",
        "snp-firmware-version",
    ] {
        assert_eq!(check(&v, name).0, "pass", "{name}");
    }
    assert!(check(&v, "cpu-vendor").1.contains("Genoa"));
}

#[test]
fn each_failure_names_its_remedy_and_the_exit_code_is_1() {
    // An AMD CPU whose BIOS left SNP off, kvm_amd loaded with sev_snp=N, no ccp, and no
    // /dev/sev or /dev/kvm under the root.
    let t = Tree::new("broken");
    t.file("proc/cpuinfo", &CPUINFO_SNP.replace(" sev_snp", ""))
        .file("sys/module/kvm_amd/parameters/sev", "Y\n")
        .file("sys/module/kvm_amd/parameters/sev_es", "Y\n")
        .file("sys/module/kvm_amd/parameters/sev_snp", "N\n");
    let (code, v) = ok_json(&["--root", t.root()]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["ready"], false);

    let (o, d, r) = check(&v, "cpu-sev-snp");
    assert_eq!(o, "fail");
    assert!(d.contains("sev_snp"), "{d}");
    assert!(r.contains("BIOS"), "{r}");
    assert_eq!(check(&v, "cpu-sev").0, "pass");

    let (o, d, r) = check(&v, "kvm-amd-sev-snp");
    assert_eq!((o.as_str(), d.as_str()), ("fail", "kvm_amd sev_snp=N"));
    assert!(r.contains("sev_snp=1"), "{r}");
    assert_eq!(check(&v, "kvm-amd-sev").0, "pass");

    let (o, _, r) = check(&v, "ccp-module");
    assert_eq!(o, "fail");
    assert!(r.contains("modprobe ccp"), "{r}");

    let (o, d, r) = check(&v, "dev-sev");
    assert_eq!(o, "fail");
    assert!(d.contains("dev/sev is absent"), "{d}");
    assert!(r.contains("ccp"), "{r}");
    for dependent in ["sev-platform", "snp-platform", "snp-firmware-version"] {
        assert_eq!(check(&v, dependent).0, "skip", "{dependent}");
    }

    let (o, _, r) = check(&v, "dev-kvm");
    assert_eq!(o, "fail");
    assert!(r.contains("kvm"), "{r}");
    assert_eq!(check(&v, "kvm-snp-vm").0, "skip");

    // Every failure carries a remedy; no pass or skip does.
    for c in v["checks"].as_array().unwrap() {
        assert_eq!(c["outcome"] == "fail", c.get("remedy").is_some(), "{c:#}");
    }
}

#[test]
fn a_missing_module_skips_its_parameters_and_an_intel_cpu_fails_the_vendor_check() {
    let t = Tree::new("intel");
    t.file(
        "proc/cpuinfo",
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\nflags\t\t: fpu vmx\n",
    );
    let (code, v) = ok_json(&["--root", t.root()]);
    assert_eq!(code, 1);
    let (o, d, r) = check(&v, "cpu-vendor");
    assert_eq!(o, "fail");
    assert!(d.contains("GenuineIntel"), "{d}");
    assert!(r.contains("AMD EPYC"), "{r}");
    let (o, _, r) = check(&v, "kvm-amd-module");
    assert_eq!(o, "fail");
    assert!(r.contains("modprobe kvm_amd"), "{r}");
    for p in ["kvm-amd-sev", "kvm-amd-sev-es", "kvm-amd-sev-snp"] {
        assert_eq!(check(&v, p).0, "skip", "{p}");
    }
}

#[test]
fn text_output_puts_each_remedy_on_its_check_line() {
    let t = Tree::new("text");
    let o = sev(&["host", "ok", "--root", t.root()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.starts_with("[FAIL] dev-sev:"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("; remedy: "), "{line}");
    assert!(out.lines().last().unwrap().starts_with("not ok: "), "{out}");
}

#[test]
#[cfg_attr(sev_host_device, ignore = "this machine has /dev/sev")]
fn on_this_machine_it_fails_and_names_the_missing_dev_sev() {
    assert!(
        !Path::new("/dev/sev").exists(),
        "build.rs should have ignored this test"
    );
    let (code, v) = ok_json(&[]);
    assert_eq!(code, 1, "{v:#}");
    let (o, d, r) = check(&v, "dev-sev");
    assert_eq!(o, "fail");
    assert!(d.contains("/dev/sev is absent"), "{d}");
    assert!(!r.is_empty());
}
