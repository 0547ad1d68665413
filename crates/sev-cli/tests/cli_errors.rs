//! Every failure prints exactly one line on stderr: `error: <what happened>; <what to try>`.
//!
//! The rule enforced: one `error: ` line (notes excepted), naming what failed, and containing one
//! of the words try, give, use, check, run, drop or see as a whole word.

use std::path::PathBuf;
use std::process::{Command, Output};

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

const HINTS: [&str; 7] = ["try", "give", "use", "check", "run", "drop", "see"];

/// The one error line of a failed run, checked against the rule.
fn one_error_line(args: &[&str], code: i32) -> String {
    let o = sev(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("note: ")).collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got {err:?}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "{args:?}: {line}");
    let hinted = line
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| HINTS.iter().any(|h| w.eq_ignore_ascii_case(h)));
    assert!(hinted, "{args:?}: no hint in {line:?}");
    line.to_string()
}

struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let d = std::env::temp_dir().join(format!("sev-cli-errors-{}", std::process::id()));
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

#[test]
fn a_missing_file_names_the_file_and_says_to_check_the_path() {
    let s = Scratch::new();
    let missing = s.path("no-such-report.bin");
    for args in [
        vec!["report", "show", &missing],
        vec!["kds", "url", "vcek", "--report", &missing],
        vec!["key-digest", "--key", &missing],
        vec!["measure", "--mode", "snp", "--ovmf", &missing],
        vec!["kds", "bundle", "import", &missing, "--no-cache"],
    ] {
        let line = one_error_line(&args, 1);
        assert!(line.contains(&missing), "{args:?}: {line}");
    }
}

#[test]
fn malformed_input_says_what_was_expected() {
    let s = Scratch::new();
    let short = s.path("short.bin");
    std::fs::write(&short, [0u8; 100]).unwrap();
    let line = one_error_line(&["report", "show", &short], 1);
    assert!(line.contains("is not an attestation report"), "{line}");
    one_error_line(&["kds", "url", "crl", "--report", &short], 1);
    one_error_line(&["id-block", "--verify", &short, &short], 1);
    one_error_line(&["kds", "parse", "https://example.com/not-kds"], 1);
}

#[test]
fn bad_flags_are_one_line_naming_the_command_help() {
    let line = one_error_line(&["report", "show", "x", "--format", "xml"], 1);
    assert!(line.contains("'xml'") && line.contains("text, json"), "{line}");
    assert!(line.ends_with("try `sev report show --help`"), "{line}");
    let line = one_error_line(&["verify", "report", "x", "--bogus"], 1);
    assert!(
        line.contains("--bogus") && line.contains("sev verify report --help"),
        "{line}"
    );
    let line = one_error_line(&["kds"], 1);
    assert!(line.contains("sev kds --help"), "{line}");
    one_error_line(&["kds", "url", "vcek", "--product", "Milan"], 1);
    one_error_line(&["guest", "report"], 1);
    one_error_line(&["host", "--device", "sim", "--product", "Naples", "status"], 1);
    one_error_line(&["measure", "--mode", "tdx", "--ovmf", "x"], 1);
}

#[test]
fn an_absent_dev_sev_is_exit_2_with_a_remedy() {
    let s = Scratch::new();
    let line = one_error_line(&["host", "--root", s.0.to_str().unwrap(), "status"], 2);
    assert!(line.contains("dev/sev is absent"), "{line}");
}

#[test]
fn an_absent_guest_device_is_one_line_with_a_remedy() {
    let s = Scratch::new();
    let node = s.path("sev-guest");
    let root = s.path("tsm");
    let line = one_error_line(
        &[
            "guest",
            "--device",
            "ioctl",
            "--guest-device",
            &node,
            "report",
            "--random",
        ],
        1,
    );
    assert!(line.contains(&node), "{line}");
    let line = one_error_line(
        &[
            "guest",
            "--device",
            "configfs",
            "--configfs-root",
            &root,
            "report",
            "--random",
        ],
        1,
    );
    assert!(line.contains(&root), "{line}");
    one_error_line(
        &[
            "guest",
            "--guest-device",
            &node,
            "--configfs-root",
            &root,
            "key",
            "--out",
            &s.path("k"),
        ],
        1,
    );
}
