//! Project automation. `cargo xtask ci` runs exactly what CI runs.

use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  ci         everything CI runs: fmt, clippy, docs, tests, no_std builds
  fmt        cargo fmt --check
  clippy     cargo clippy on every target and feature, warnings denied
  doc        cargo doc with warnings denied
  test       the README's test command
  nostd      the no_std builds (x86_64-unknown-none)
  backends   clippy on every crypto-backend combination of sev-verify
  diff       differential test: our launch digests against sev-snp-measure from PyPI";

/// The README's test command.
const TEST: &[&str] = &["test", "--workspace", "--all-features"];

const NOSTD_TARGET: &str = "x86_64-unknown-none";

/// Crates that must build without std, with the features that do so.
const NOSTD_BUILDS: &[&[&str]] = &[
    &["-p", "sev-types", "--no-default-features"],
    &["-p", "sev-types", "--no-default-features", "--features", "serde"],
    &["-p", "sev-verify", "--no-default-features", "--features", "rustcrypto"],
    &["-p", "sev-measure", "--no-default-features"],
];

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let steps: Vec<Step> = match task.as_str() {
        "ci" => [fmt(), clippy(), backends(), doc(), nostd(), differential(), test()].concat(),
        "fmt" => fmt(),
        "clippy" => clippy(),
        "doc" => doc(),
        "test" => test(),
        "nostd" => nostd(),
        "backends" => backends(),
        "diff" => differential(),
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
}

impl Step {
    fn cargo(args: &[&str]) -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Step {
            program: cargo,
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
        }
    }

    fn program(program: &str, args: &[&str]) -> Self {
        Step {
            program: program.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: vec![],
        }
    }

    fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    fn run(&self) -> Result<(), ExitCode> {
        let shown = format!("{} {}", self.program, self.args.join(" "));
        eprintln!("==> {shown}");
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
    BACKEND_COMBINATIONS
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
fn differential() -> Vec<Step> {
    vec![Step::cargo(&[
        "test",
        "-p",
        "sev-measure",
        "--test",
        "differential",
        "--",
        "--ignored",
        "--nocapture",
    ])]
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
