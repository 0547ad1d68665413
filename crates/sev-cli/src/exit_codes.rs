//! The exit codes of every command, stated once and attached to each command's `--help` (and so
//! to its man page) by [`annotate`].

use clap::Command;

/// Commands that succeed or fail: `report`, `kds`, `key-digest`, `id-block`, `completions`, `man`.
pub const GENERAL: &str = "Exit codes: 0 success; 1 usage error, unreadable or malformed input, or a \
                           failed step (one line on stderr says what happened and what to try).";

/// `sev measure`.
pub const MEASURE: &str = "Exit codes: 0 success; 1 usage error or unreadable input, or \
                           (--diff-log, --diff-vmsa) a difference found.";

/// `sev verify report` and `sev verify certs`.
pub const VERIFY: &str = "Exit codes: 0 valid; 1 usage error or unreadable input; 2 signature or \
                          chain failure; 3 missing certificate; 4 revoked, or bad CRL; 5 policy \
                          violation. When several checks fail the gravest decides: 2, then 3, 4, \
                          5, 1.";

/// `sev guest`.
pub const GUEST: &str = "Exit codes: 0 success; 1 usage error, no usable guest interface, or a \
                         failed request (`ok`: neither interface is usable).";

/// `sev host` (but `sev host ok`: [`HOST_OK`]).
pub const HOST: &str = "Exit codes: 0 success; 1 usage error or unusable input/output; \
                        2 device unavailable (/dev/sev absent or not openable); \
                        3 the kernel or firmware refused the command.";

/// `sev host ok`.
pub const HOST_OK: &str = "Exit codes: 0 every required check passed; 1 a required check failed \
                           (or usage error).";

/// The top-level `sev --help`: each family's codes.
const SUMMARY: &str = "Exit codes: 0 success. verify: 1 usage or input, 2 signature or chain, 3 \
                       missing certificate, 4 revoked or bad CRL, 5 policy. host: 1 usage or \
                       input, 2 /dev/sev unavailable, 3 refused by the kernel or firmware. Every \
                       other command: 1 on any failure. `sev <COMMAND> --help` gives each \
                       command's.";

/// The exit-code text of the top-level command `family`.
fn for_family(family: &str) -> &'static str {
    match family {
        "verify" => VERIFY,
        "measure" => MEASURE,
        "guest" => GUEST,
        "host" => HOST,
        _ => GENERAL,
    }
}

/// Gives `cmd` and every subcommand an exit-code section (`after_help`) unless it has one.
pub fn annotate(cmd: Command) -> Command {
    let mut cmd = cmd.after_help(SUMMARY);
    for sub in cmd.get_subcommands_mut() {
        let text = for_family(sub.get_name());
        *sub = annotate_tree(std::mem::take(sub), text);
    }
    cmd
}

fn annotate_tree(mut cmd: Command, text: &'static str) -> Command {
    if cmd.get_after_help().is_none() {
        cmd = cmd.after_help(text);
    }
    for sub in cmd.get_subcommands_mut() {
        *sub = annotate_tree(std::mem::take(sub), text);
    }
    cmd
}
