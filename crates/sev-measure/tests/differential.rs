//! Differential test against the reference tool, sev-snp-measure 0.0.13 from PyPI.
//!
//! Ignored by default because it needs python3 and PyPI. Run it with
//!
//! ```text
//! cargo test -p sev-measure --release --test differential -- --ignored --nocapture
//! ```
//!
//! It creates a throwaway virtualenv under the target directory (`python3 -m venv`, then
//! `pip install sev-snp-measure==0.0.13`), writes random kernels, initrds and command lines,
//! and compares our digest (or error) with sev-snp-measure's for `SEV_DIFF_CASES` (default 240)
//! random parameter combinations: every mode, 1–512 vCPUs, every vCPU type or an explicit
//! signature or family/model/stepping, the QEMU, ec2 and gce VMMs, random guest features, with
//! and without kernel/initrd/cmdline and precomputed OVMF hashes. Firmware: the fixture OVMF
//! images, the Coconut-SVSM fixture and, when installed (`apt-get install ovmf`), Debian's
//! OVMF.fd and OVMF_CODE.fd. `SEV_DIFF_SEED` picks the random seed (printed).
//!
//! KRUN is not compared: sev-snp-measure has no KRUN mode.
#![cfg(feature = "std")]

use std::path::{Path, PathBuf};
use std::process::Command;

use sev_measure::files::{MeasureArgs, Mode, measure};
use sev_measure::vcpu::{VCPU_TYPES, cpu_sig};
use sev_measure::vmsa::VmmType;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/measurement");

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn venv() -> PathBuf {
    sev_testing::peer::sev_snp_measure(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

#[derive(Debug, Clone)]
enum CpuChoice {
    Named(&'static str, u32),
    Signature(u32),
    Fms(u32, u32, u32),
    Unset,
}

#[derive(Debug)]
struct Case {
    mode: &'static str,
    ovmf: PathBuf,
    vcpus: u32,
    sig: CpuChoice,
    vmm: &'static str,
    features: u64,
    kernel: Option<PathBuf>,
    initrd: Option<PathBuf>,
    append: Option<String>,
    ovmf_hash: Option<String>,
    svsm: Option<PathBuf>,
    vars_size: Option<u64>,
}

fn random_cmdline(rng: &mut Rng) -> String {
    const ALPHABET: &[char] = &[
        'a', 'z', 'A', '0', '9', '=', ' ', '/', '.', '-', '_', ',', ':', 'é', '✓',
    ];
    let len = rng.below(120) as usize + 1;
    let s: String = (0..len).map(|_| *rng.pick(ALPHABET)).collect();
    // The reference passes the value through argparse; keep it from looking like a flag.
    format!("x{s}")
}

fn write_random(dir: &Path, name: &str, rng: &mut Rng, max: u64) -> PathBuf {
    let len = rng.below(max) as usize;
    let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

fn reference(tool: &Path, c: &Case) -> Result<String, String> {
    let mut cmd = Command::new(tool);
    cmd.args(["--mode", c.mode, "--ovmf"]).arg(&c.ovmf);
    if c.mode != "sev" && c.mode != "snp:ovmf-hash" {
        cmd.args(["--vcpus", &c.vcpus.to_string()]);
        match &c.sig {
            CpuChoice::Named(t, _) => drop(cmd.args(["--vcpu-type", t])),
            CpuChoice::Signature(s) => drop(cmd.args(["--vcpu-sig", &format!("{s:#x}")])),
            CpuChoice::Fms(f, m, s) => drop(cmd.args([
                "--vcpu-family",
                &f.to_string(),
                "--vcpu-model",
                &m.to_string(),
                "--vcpu-stepping",
                &s.to_string(),
            ])),
            CpuChoice::Unset => {}
        }
        cmd.args(["--vmm-type", c.vmm, "--guest-features", &format!("{:#x}", c.features)]);
    }
    if let Some(k) = &c.kernel {
        cmd.arg("--kernel").arg(k);
    }
    if let Some(i) = &c.initrd {
        cmd.arg("--initrd").arg(i);
    }
    if let Some(a) = &c.append {
        cmd.arg(format!("--append={a}"));
    }
    if let Some(h) = &c.ovmf_hash {
        cmd.args(["--snp-ovmf-hash", h]);
    }
    if let Some(s) = &c.svsm {
        cmd.arg("--svsm").arg(s);
    }
    if let Some(v) = c.vars_size {
        cmd.args(["--vars-size", &v.to_string()]);
    }
    let out = cmd.output().expect("run sev-snp-measure");
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap().trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn ours(c: &Case) -> Result<String, String> {
    let vcpu_sig = match c.sig {
        CpuChoice::Named(_, s) | CpuChoice::Signature(s) => Some(s),
        CpuChoice::Fms(f, m, s) => Some(cpu_sig(f, m, s)),
        CpuChoice::Unset => None,
    };
    let args = MeasureArgs {
        vcpus: Some(c.vcpus),
        vcpu_sig,
        vmm: c.vmm.parse::<VmmType>().unwrap(),
        kernel: c.kernel.as_deref(),
        initrd: c.initrd.as_deref(),
        append: c.append.as_deref(),
        guest_features: c.features,
        snp_ovmf_hash: c.ovmf_hash.as_deref(),
        svsm: c.svsm.as_deref(),
        vars_size: c.vars_size,
        ..MeasureArgs::new(c.mode.parse::<Mode>().unwrap(), &c.ovmf)
    };
    measure(&args).map(|m| hex::encode(m.digest)).map_err(|e| e.to_string())
}

#[test]
#[ignore = "needs python3 and PyPI: installs sev-snp-measure 0.0.13 into a venv under target/"]
fn matches_sev_snp_measure_on_random_parameters() {
    let tool = venv();
    let seed = std::env::var("SEV_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EF_2026);
    let cases: usize = std::env::var("SEV_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240);
    eprintln!("differential: seed {seed}, {cases} cases");
    let mut rng = Rng(seed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sev-measure-diff");
    std::fs::create_dir_all(&dir).unwrap();

    let mut firmware = vec![
        PathBuf::from(format!("{FIXTURES}/ovmf_AmdSev_suffix.bin")),
        PathBuf::from(format!("{FIXTURES}/ovmf_OvmfX64_suffix.bin")),
        PathBuf::from(format!("{FIXTURES}/svsm/svsm_ovmf.fd")),
    ];
    for p in ["/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd"] {
        if Path::new(p).exists() {
            firmware.push(PathBuf::from(p));
        } else {
            eprintln!("note: {p} absent (apt-get install ovmf), not used");
        }
    }
    let ovmf_hashes: Vec<(PathBuf, String)> = firmware
        .iter()
        .filter_map(|f| {
            let c = Case {
                mode: "snp:ovmf-hash",
                ovmf: f.clone(),
                vcpus: 1,
                sig: CpuChoice::Unset,
                vmm: "QEMU",
                features: 1,
                kernel: None,
                initrd: None,
                append: None,
                ovmf_hash: None,
                svsm: None,
                vars_size: None,
            };
            reference(&tool, &c).ok().map(|h| (f.clone(), h))
        })
        .collect();

    let (mut agree_ok, mut agree_err) = (0, 0);
    let mut refusals = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for i in 0..cases {
        let mode = *rng.pick(&["sev", "seves", "snp", "snp", "snp", "snp:ovmf-hash", "snp:svsm"]);
        let ovmf = if rng.chance(40) {
            firmware[0].clone()
        } else {
            rng.pick(&firmware).clone()
        };
        let vcpus = if rng.chance(50) {
            rng.below(8) as u32 + 1
        } else {
            rng.below(512) as u32 + 1
        };
        let vmm = if mode == "snp:svsm" {
            "QEMU"
        } else {
            *rng.pick(&["QEMU", "QEMU", "ec2", "gce"])
        };
        let sig = match rng.below(4) {
            0 => CpuChoice::Signature(rng.next() as u32 | 1),
            1 => CpuChoice::Fms(
                rng.below(0x20) as u32 + 1,
                rng.below(256) as u32 + 1,
                rng.below(16) as u32,
            ),
            2 if vmm != "QEMU" => CpuChoice::Unset,
            _ => {
                // sev-snp-measure 0.0.13 lacks EPYC-Turin-v1/-v2 (snpguest has them): pass those
                // as a signature.
                let t = rng.pick(VCPU_TYPES);
                if t.name.starts_with("EPYC-Turin-") {
                    CpuChoice::Signature(t.signature())
                } else {
                    CpuChoice::Named(t.name, t.signature())
                }
            }
        };
        let features = match rng.below(4) {
            0 => 0x1,
            1 => 0x21,
            _ => rng.next() & 0xFFFF,
        };
        let with_kernel = mode != "snp:svsm" && mode != "snp:ovmf-hash" && rng.chance(60);
        let kernel = with_kernel.then(|| write_random(&dir, &format!("kernel{i}"), &mut rng, 300_000));
        let initrd =
            (with_kernel && rng.chance(60)).then(|| write_random(&dir, &format!("initrd{i}"), &mut rng, 600_000));
        let append = (with_kernel && rng.chance(70)).then(|| random_cmdline(&mut rng));
        let ovmf_hash = (mode == "snp" && rng.chance(25))
            .then(|| ovmf_hashes.iter().find(|(f, _)| *f == ovmf).map(|(_, h)| h.clone()))
            .flatten();
        let (svsm, vars_size) = if mode == "snp:svsm" {
            (
                Some(PathBuf::from(format!("{FIXTURES}/svsm/svsm.bin"))),
                Some(*rng.pick(&[540_672u64, 131_072, 0x10_0000])),
            )
        } else {
            (None, None)
        };
        let case = Case {
            mode,
            ovmf,
            vcpus,
            sig,
            vmm,
            features,
            kernel,
            initrd,
            append,
            ovmf_hash,
            svsm,
            vars_size,
        };
        let (r, o) = (reference(&tool, &case), ours(&case));
        match (&r, &o) {
            (Ok(a), Ok(b)) if a == b => agree_ok += 1,
            // sev-snp-measure's own errors ("Error: <text>") must match ours word for word;
            // argparse usage errors and Python exceptions only need to be refused.
            (Err(a), Err(b)) if a.strip_prefix("Error: ").is_none_or(|t| t == b) => {
                agree_err += 1;
                let key = a
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .chars()
                    .take(90)
                    .collect::<String>();
                *refusals.entry(key).or_insert(0) += 1;
            }
            _ => failures.push(format!(
                "case {i}: {case:?}\n  sev-snp-measure: {r:?}\n  ours:            {o:?}"
            )),
        }
    }
    for (why, n) in &refusals {
        eprintln!("  both refused {n}x; sev-snp-measure said: {why}");
    }
    eprintln!(
        "differential: {agree_ok} identical digests, {agree_err} cases where both refused, {} differences",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(agree_ok >= cases / 2, "too few successful comparisons: {agree_ok}");
}
