//! The generated documentation of `sev`: shell completions, man pages, and the exit-code section
//! of every command's `--help` (also checked against the README's table).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn stdout(args: &[&str]) -> String {
    let o = sev(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The subcommands listed under `Commands:` in a help text (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path (`["kds", "url", "vcek"]`) reachable from `sev --help`, with its help text.
fn all_helps() -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut todo = vec![Vec::<String>::new()];
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = stdout(&args);
        for sub in subcommands(&help) {
            let mut p = path.clone();
            p.push(sub);
            todo.push(p);
        }
        out.push((path, help));
    }
    out
}

/// The `Exit codes: ...` line of a help text.
fn exit_codes(help: &str) -> Option<&str> {
    help.lines().map(str::trim).find(|l| l.starts_with("Exit codes: 0 "))
}

const TOP_LEVEL: [&str; 10] = [
    "report",
    "measure",
    "id-block",
    "key-digest",
    "verify",
    "kds",
    "guest",
    "host",
    "completions",
    "man",
];

#[test]
fn every_command_states_its_exit_codes_in_help() {
    let helps = all_helps();
    let top: BTreeSet<&str> = helps
        .iter()
        .filter(|(p, _)| p.len() == 1)
        .map(|(p, _)| p[0].as_str())
        .collect();
    assert_eq!(top, TOP_LEVEL.into_iter().collect(), "top-level commands");
    // Leaves the issue names, so a broken walk cannot pass by visiting nothing.
    for leaf in [
        "report show",
        "verify report",
        "verify certs",
        "kds url vcek",
        "kds parse",
        "kds fetch vcek",
        "kds bundle export",
        "kds cache prune",
        "guest report",
        "guest key",
        "guest certificates",
        "guest ok",
        "host status",
        "host ok",
        "host show tcb",
    ] {
        assert!(helps.iter().any(|(p, _)| p.join(" ") == leaf), "{leaf} not reached");
    }
    for (path, help) in &helps {
        assert!(
            exit_codes(help).is_some(),
            "`sev {}` --help has no exit codes:\n{help}",
            path.join(" ")
        );
    }
    let codes = |p: &str| {
        let (_, help) = helps.iter().find(|(path, _)| path.join(" ") == p).unwrap();
        exit_codes(help).unwrap().to_string()
    };
    // Each family's scheme, as the commands implement it (tests/verify_exit_codes.rs,
    // tests/host_cli.rs, tests/guest_cli.rs exercise the codes themselves).
    assert!(codes("verify report").contains("2 signature or chain failure; 3 missing certificate; 4 revoked"));
    assert_eq!(codes("verify report"), codes("verify certs"));
    assert!(codes("host status").contains("2 device unavailable"));
    assert!(codes("host ok").contains("1 a required check failed"));
    assert!(codes("guest ok").contains("neither interface is usable"));
    assert!(codes("measure").contains("--diff-log"));
}

#[test]
fn the_readme_states_each_familys_exit_codes_as_help_does() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    for family in [
        &["verify", "report"][..],
        &["host", "status"],
        &["host", "ok"],
        &["guest", "report"],
        &["measure"],
        &["report", "show"],
    ] {
        let mut args = family.to_vec();
        args.push("--help");
        let help = stdout(&args);
        let line = exit_codes(&help).unwrap();
        assert!(
            readme.contains(line),
            "README lacks `sev {}`'s line: {line}",
            family.join(" ")
        );
    }
}

#[test]
fn bash_completions_name_every_top_level_command() {
    let script = stdout(&["completions", "bash"]);
    assert!(script.contains("complete -F"), "not a bash completion script");
    for cmd in TOP_LEVEL {
        assert!(script.contains(cmd), "{cmd} missing from the bash completions");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("verify") && script.contains("id-block"), "{shell}");
    }
    let o = sev(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(1));
}

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn man_writes_one_page_per_command_with_its_exit_codes() {
    let dir = Dir(std::env::temp_dir().join(format!("sev-cli-man-{}", std::process::id())));
    let out = stdout(&["man", "--out", dir.0.to_str().unwrap()]);
    assert!(out.contains("man pages written"), "{out}");
    for page in [
        "sev.1",
        "sev-verify.1",
        "sev-verify-report.1",
        "sev-report-show.1",
        "sev-kds-url-vcek.1",
        "sev-guest-report.1",
        "sev-host-status.1",
        "sev-completions.1",
    ] {
        let text = std::fs::read_to_string(dir.0.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page} is not roff");
        assert!(text.contains("Exit codes: 0"), "{page} lacks the exit codes");
    }
    let verify = std::fs::read_to_string(dir.0.join("sev-verify-report.1")).unwrap();
    assert!(verify.contains("5 policy"), "sev-verify-report.1");
    // The hidden help subcommand has no page.
    assert!(!dir.0.join("sev-help.1").exists());
    let top = stdout(&["man"]);
    assert!(top.contains(".TH sev 1"), "{}", &top[..top.len().min(200)]);
}
