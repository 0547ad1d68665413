//! `sev kds` (placeholder until sev-verify's KDS module lands).

use std::process::ExitCode;

/// `sev kds` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum KdsCmd {}

/// Runs `sev kds`.
pub fn run(cmd: KdsCmd) -> ExitCode {
    match cmd {}
}
