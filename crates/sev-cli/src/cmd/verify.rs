//! `sev verify` (placeholder until sev-verify lands).

use std::process::ExitCode;

/// `sev verify` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum VerifyCmd {}

/// Runs `sev verify`.
pub fn run(cmd: VerifyCmd) -> ExitCode {
    match cmd {}
}
