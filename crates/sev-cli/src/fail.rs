//! Errors on stderr: always one line, `error: <what happened>; <what to try>`.
//!
//! A message that already says what to try (it contains one of [`HINT_WORDS`]) is printed as it
//! is; any other gets a hint from its cause (a missing file: check the path), else a pointer to
//! the command's `--help`. clap's own usage errors are folded into the same one line.

use std::process::ExitCode;
use std::sync::OnceLock;

/// Words that make a message say what to try; a message without one gets a hint appended.
pub const HINT_WORDS: &[&str] = &["try", "give", "use", "check", "run", "drop", "see"];

/// The command line's subcommand path (`sev kds url vcek`), for the `--help` hint.
static COMMAND_PATH: OnceLock<String> = OnceLock::new();

/// Records the subcommand path of this run, for [`line()`]'s fallback hint.
pub fn set_command_path(path: String) {
    let _ = COMMAND_PATH.set(path);
}

fn command_path() -> &'static str {
    COMMAND_PATH.get().map_or("sev", String::as_str)
}

/// Whether `message` already says what to try.
pub fn has_hint(message: &str) -> bool {
    message
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| HINT_WORDS.iter().any(|h| w.eq_ignore_ascii_case(h)))
}

/// `message` on one line, with a hint appended if it has none (`fallback`, else `--help`).
pub fn with_hint(message: &str, fallback: Option<&str>) -> String {
    let mut line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if !has_hint(&line) {
        let hint = fallback.map_or_else(|| format!("see `{} --help`", command_path()), str::to_string);
        line.push_str("; ");
        line.push_str(&hint);
    }
    line
}

/// The hint for an error whose cause is an I/O error, if it is one.
fn io_hint(e: &anyhow::Error) -> Option<&'static str> {
    let io = e.chain().find_map(|c| c.downcast_ref::<std::io::Error>())?;
    Some(match io.kind() {
        std::io::ErrorKind::NotFound => "check the path",
        std::io::ErrorKind::PermissionDenied => "check its permissions",
        std::io::ErrorKind::IsADirectory => "give a file, not a directory",
        _ => "check the file and the disk",
    })
}

/// The one line describing `e` (without the `error: ` prefix).
pub fn line(e: &anyhow::Error) -> String {
    with_hint(&format!("{e:#}"), io_hint(e))
}

/// Prints `e` as one `error: ` line and returns exit status 1.
pub fn report(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", line(e));
    ExitCode::from(1)
}

/// Prints clap's error (or help and version, as clap does) and returns the exit status: 0 for
/// help and version, else 1 with one `error: ` line.
pub fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    if matches!(e.kind(), K::DisplayHelp | K::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    let path = path_of_args(&crate::command(), std::env::args().skip(1));
    eprintln!("error: {}", clap_line(&e.render().to_string(), e.kind(), &path));
    ExitCode::from(1)
}

/// `sev kds url`: the subcommands named by `args`, as far as they go.
fn path_of_args(cmd: &clap::Command, args: impl Iterator<Item = String>) -> String {
    let mut path = String::from("sev");
    let mut cmd = cmd;
    for arg in args.filter(|a| !a.starts_with('-')) {
        match cmd.find_subcommand(&arg) {
            Some(sub) => {
                path.push(' ');
                path.push_str(sub.get_name());
                cmd = sub;
            }
            None if cmd.has_subcommands() => continue,
            None => break,
        }
    }
    path
}

/// Folds clap's rendered error into one line: its first line, the possible values and tips,
/// and `try '<path> --help'`.
fn clap_line(rendered: &str, kind: clap::error::ErrorKind, path: &str) -> String {
    if kind == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return format!("`{path}` needs a subcommand; try `{path} --help`");
    }
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let mut line = first.strip_prefix("error: ").unwrap_or(first).to_string();
    for part in lines.filter(|l| !l.starts_with("Usage:") && !l.starts_with("For more information")) {
        // A line ending in a colon introduces the next one; other lines are separate clauses.
        line.push_str(if line.ends_with(':') { " " } else { "; " });
        line.push_str(part.trim_start_matches("tip: "));
    }
    format!("{line}; try `{path} --help`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_a_remedy_is_kept_and_one_without_gets_one() {
        assert_eq!(
            with_hint("x is absent; run `sev host ok`", None),
            "x is absent; run `sev host ok`"
        );
        assert_eq!(with_hint("bad\n  input", Some("check it")), "bad input; check it");
        assert!(with_hint("bad input", None).ends_with("see `sev --help`"));
        // Words inside others do not count: "trying" is not "try".
        assert!(!has_hint("retrying the unused runner"));
    }

    #[test]
    fn clap_errors_fold_into_one_line_naming_the_command() {
        let rendered = "error: the following required arguments were not provided:\n  <--random|--data <HEX|FILE>>\n";
        assert_eq!(
            clap_line(
                rendered,
                clap::error::ErrorKind::MissingRequiredArgument,
                "sev guest report"
            ),
            "the following required arguments were not provided: <--random|--data <HEX|FILE>>; \
             try `sev guest report --help`"
        );
        let rendered = "error: invalid value 'xml' for '--format <FORMAT>'\n  [possible values: text, json]\n\n\
                        For more information, try '--help'.\n";
        assert_eq!(
            clap_line(rendered, clap::error::ErrorKind::InvalidValue, "sev report show"),
            "invalid value 'xml' for '--format <FORMAT>'; [possible values: text, json]; \
             try `sev report show --help`"
        );
    }
}
