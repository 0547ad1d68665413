//! Project automation. `cargo xtask ci` runs exactly what CI runs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  ci         everything CI runs: fmt, clippy, docs, no_std builds, packaging, tests
  fmt        cargo fmt --check
  clippy     cargo clippy on every target and feature, warnings denied
  doc        cargo doc with warnings denied
  test       the README's test command
  nostd      the no_std builds (x86_64-unknown-none)
  backends   clippy on every crypto-backend combination of sev-verify
  facade     clippy on the interesting feature combinations of the `sev` facade crate
  diff       differential test: our launch digests against sev-snp-measure from PyPI
  capi       the C API check: cargo cinstall of sev-capi, then its C tests (gcc, pkg-config,
             valgrind) against the installed header and libraries
  package    cargo package, verified, of every publishable crate (each builds from its own
             .crate); needs a clean git tree, as in a fresh clone. Extra arguments go to
             cargo package, e.g. `cargo xtask package --allow-dirty` while editing";

/// The README's test command.
const TEST: &[&str] = &["test", "--workspace", "--all-features"];

const NOSTD_TARGET: &str = "x86_64-unknown-none";

/// Crates that must build without std, with the features that do so.
const NOSTD_BUILDS: &[&[&str]] = &[
    &["-p", "sev-types", "--no-default-features"],
    &["-p", "sev-types", "--no-default-features", "--features", "serde"],
    &["-p", "sev-verify", "--no-default-features", "--features", "rustcrypto"],
    &["-p", "sev-measure", "--no-default-features"],
    // `sev@0.1.0`: the facade, not the published `sev` 8 that sev-types' tests compare against.
    &[
        "-p",
        "sev@0.1.0",
        "--no-default-features",
        "--features",
        "snp,rustcrypto",
    ],
    &[
        "-p",
        "sev@0.1.0",
        "--no-default-features",
        "--features",
        "sev,snp,rustcrypto,serde",
    ],
];

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let extra: Vec<String> = std::env::args().skip(2).collect();
    let steps: Vec<Step> = match task.as_str() {
        "ci" => [
            fmt(),
            clippy(),
            backends(),
            facade_features(),
            doc(),
            nostd(),
            differential(),
            capi(),
            package(&[]),
            test(),
        ]
        .concat(),
        "fmt" => fmt(),
        "clippy" => clippy(),
        "doc" => doc(),
        "test" => test(),
        "nostd" => nostd(),
        "backends" => backends(),
        "facade" => facade_features(),
        "diff" => differential(),
        "capi" => capi(),
        "package" => package(&extra),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    for step in steps {
        if let Err(code) = step.run() {
            return code;
        }
    }
    ExitCode::SUCCESS
}

#[derive(Clone)]
struct Step {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// Run just before the command; an error fails the step.
    prepare: Option<fn() -> Result<(), String>>,
}

impl Step {
    fn cargo(args: &[&str]) -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Step {
            program: cargo,
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
            prepare: None,
        }
    }

    fn program(program: &str, args: &[&str]) -> Self {
        Step {
            program: program.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
            prepare: None,
        }
    }

    fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    fn prepare(mut self, f: fn() -> Result<(), String>) -> Self {
        self.prepare = Some(f);
        self
    }

    fn run(&self) -> Result<(), ExitCode> {
        let shown = format!("{} {}", self.program, self.args.join(" "));
        eprintln!("==> {shown}");
        if let Err(e) = self.prepare.map_or(Ok(()), |prepare| prepare()) {
            eprintln!("<== FAILED before starting: {e}");
            return Err(ExitCode::from(1));
        }
        let start = Instant::now();
        let status = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().cloned())
            .status();
        match status {
            Ok(s) if s.success() => {
                eprintln!("<== ok in {:.1}s: {shown}", start.elapsed().as_secs_f64());
                Ok(())
            }
            Ok(s) => {
                eprintln!("<== FAILED ({s}): {shown}");
                Err(ExitCode::from(1))
            }
            Err(e) => {
                eprintln!("<== could not start {}: {e}", self.program);
                Err(ExitCode::from(1))
            }
        }
    }
}

fn fmt() -> Vec<Step> {
    vec![Step::cargo(&["fmt", "--all", "--", "--check"])]
}

fn clippy() -> Vec<Step> {
    vec![
        Step::cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
        Step::cargo(&["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]),
    ]
}

/// Every crypto-backend combination of sev-verify builds and lints cleanly (the features add up).
const BACKEND_COMBINATIONS: &[&str] = &["", "aws-lc", "ring", "rustcrypto", "ring,rustcrypto", "std,rustcrypto"];

fn backends() -> Vec<Step> {
    let mut steps: Vec<Step> = BACKEND_COMBINATIONS
        .iter()
        .map(|features| {
            Step::cargo(&[
                "clippy",
                "-p",
                "sev-verify",
                "--all-targets",
                "--no-default-features",
                "--features",
                features,
                "--",
                "-D",
                "warnings",
            ])
        })
        .collect();
    // `default_provider()` picks aws-lc, else ring, else rustcrypto: check the two branches the
    // all-features test run cannot reach.
    for features in ["ring,rustcrypto", "std,rustcrypto"] {
        steps.push(Step::cargo(&[
            "test",
            "-p",
            "sev-verify",
            "--lib",
            "--no-default-features",
            "--features",
            features,
            "default_rule",
        ]));
    }
    steps
}

/// The `sev` facade's features add up: these combinations (beyond the default and
/// `--all-features`, which the clippy step covers) must build and lint cleanly. `snp` alone is
/// the seed README's `default-features = false, features = ["snp"]`.
const FACADE_COMBINATIONS: &[&str] = &[
    "",
    "snp",
    "sev",
    "sev,snp",
    "serde",
    "snp,rustcrypto",
    "sev,rustcrypto,serde",
    "std",
    "std,snp",
    "std,sev",
    "snp,ring",
    "sev,snp,ring,rustcrypto",
    "snp,aws-lc,serde",
    "sim",
];

fn facade_features() -> Vec<Step> {
    FACADE_COMBINATIONS
        .iter()
        .map(|features| {
            Step::cargo(&[
                "clippy",
                "-p",
                "sev@0.1.0",
                "--no-default-features",
                "--features",
                features,
                "--",
                "-D",
                "warnings",
            ])
        })
        .collect()
}

fn doc() -> Vec<Step> {
    vec![Step::cargo(&["doc", "--no-deps", "--workspace", "--all-features"]).env("RUSTDOCFLAGS", "-D warnings")]
}

fn test() -> Vec<Step> {
    vec![Step::cargo(TEST)]
}

/// sev-measure against sev-snp-measure 0.0.13 (installed into a throwaway venv under target/)
/// on random parameter combinations; needs python3 with venv and PyPI.
/// Then the simulated SNP launches (sev-host onto sev-sim) against the same tool.
fn differential() -> Vec<Step> {
    vec![
        Step::cargo(&[
            "test",
            "-p",
            "sev-measure",
            "--test",
            "differential",
            "--",
            "--ignored",
            "--nocapture",
        ]),
        Step::cargo(&[
            "test",
            "-p",
            "sev-e2e",
            "--test",
            "launch_e2e",
            "--",
            "--ignored",
            "--nocapture",
        ]),
    ]
}

/// The C API check: `cargo cinstall` of sev-capi (with the test-only `sim` feature) into
/// `target/capi`, then `crates/sev-capi/tests/c/run.sh`, which compares the installed `sev.h`
/// with the committed one, compiles every C test with gcc through `pkg-config --cflags --libs
/// sev`, and runs each directly and under valgrind (no invalid access, no leak).
fn capi() -> Vec<Step> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let prefix = root.join("target/capi");
    let prefix = prefix.to_string_lossy();
    let libdir = format!("{prefix}/lib");
    let script = root.join("crates/sev-capi/tests/c/run.sh");
    vec![
        Step::cargo(&[
            "cinstall",
            "-p",
            "sev-capi",
            "--features",
            "sim",
            "--profile",
            "dev",
            "--prefix",
            &prefix,
            "--libdir",
            &libdir,
        ]),
        Step::program("sh", &[&script.to_string_lossy(), &prefix]),
    ]
}

/// Workspace members meant for crates.io: every member (`crates/*`, `xtask`, `tests`) whose
/// manifest does not say `publish = false`.
fn publishable_crates() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let crates = std::fs::read_dir(root.join("crates")).expect("read crates/");
    let mut dirs: Vec<_> = crates.map(|entry| entry.expect("read crates/").path()).collect();
    dirs.extend([root.join("xtask"), root.join("tests")]);
    let mut names = Vec::new();
    for dir in dirs {
        let path = dir.join("Cargo.toml");
        let Ok(manifest) = std::fs::read_to_string(&path) else {
            continue;
        };
        let lines = || manifest.lines().map(str::trim);
        if lines().any(|line| line.replace(' ', "") == "publish=false") {
            continue;
        }
        let name = lines()
            .find_map(|line| line.strip_prefix("name = \"")?.strip_suffix('"'))
            .unwrap_or_else(|| panic!("no package name in {}", path.display()));
        names.push(name.to_string());
    }
    names.sort();
    names
}

/// `cargo package` with verification of every publishable crate, together: each `.crate` must
/// hold everything it compiles (nothing read from outside its directory) and build on its own;
/// dependencies between them resolve through cargo's temporary local registry, and path-only
/// dev-dependencies (sev-testing) are stripped. No `--allow-dirty`: CI runs in a clean clone.
fn package(extra: &[String]) -> Vec<Step> {
    // `name@version`: the facade `sev` shares its name with the published `sev` 8 (a
    // dev-dependency), so a bare `-p sev` is ambiguous. Every member takes the workspace version.
    let specs: Vec<String> = publishable_crates()
        .iter()
        .map(|name| format!("{name}@{}", env!("CARGO_PKG_VERSION")))
        .collect();
    let mut args = vec!["package"];
    for spec in &specs {
        args.extend(["-p", spec.as_str()]);
    }
    args.extend(extra.iter().map(String::as_str));
    vec![Step::cargo(&args).prepare(forget_packaged_copies)]
}

/// Cargo verifies a crate against the `.crate`s of its workspace dependencies, served from a
/// temporary local registry, but does not notice when those change between runs: it keeps the
/// copies it unpacked into `$CARGO_HOME/registry/src/-<hash>/` the first time, and files in a
/// `.crate` carry a fixed 2006 mtime, so units built from them look fresh forever in a reused
/// target directory. Forget both (only for our crates), so every run checks the crates as they
/// are now rather than as they were when `cargo package` first ran on this machine.
fn forget_packaged_copies() -> Result<(), String> {
    let crates = publishable_crates();
    let entries = |dir: &Path| -> Vec<PathBuf> {
        let read = std::fs::read_dir(dir).into_iter().flatten().flatten();
        read.map(|entry| entry.path()).collect()
    };
    let name_of = |path: &Path| path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let remove = |path: &Path| match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("remove {}: {e}", path.display())),
        _ => Ok(()),
    };
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    // Registries without a host (local ones) are unpacked into `-<hash>`.
    for registry in entries(&home.join("registry/src")) {
        if !name_of(&registry).starts_with('-') {
            continue;
        }
        for copy in entries(&registry) {
            let name = name_of(&copy);
            let ours = crates.iter().any(|krate| {
                let version = name
                    .strip_prefix(krate.as_str())
                    .and_then(|rest| rest.strip_prefix('-'));
                version.is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            });
            if ours {
                remove(&copy)?;
            }
        }
    }
    // Units built from such copies: their dep-info lists files under `registry/src/-<hash>/`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let debug = target.join("debug");
    for dep_info in entries(&debug.join("deps")) {
        let name = name_of(&dep_info);
        let Some((lib, hash)) = name.strip_suffix(".d").and_then(|stem| stem.rsplit_once('-')) else {
            continue;
        };
        let Some(krate) = crates.iter().find(|krate| krate.replace('-', "_") == lib) else {
            continue;
        };
        if std::fs::read_to_string(&dep_info).is_ok_and(|text| text.contains("/registry/src/-")) {
            remove(&debug.join(".fingerprint").join(format!("{krate}-{hash}")))?;
        }
    }
    Ok(())
}

fn nostd() -> Vec<Step> {
    let mut steps = vec![Step::program("rustup", &["target", "add", NOSTD_TARGET])];
    for build in NOSTD_BUILDS {
        let mut args = vec!["build", "--target", NOSTD_TARGET];
        args.extend_from_slice(build);
        steps.push(Step::cargo(&args));
    }
    steps
}
