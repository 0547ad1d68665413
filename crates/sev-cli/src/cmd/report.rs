//! `sev report ...`.

use std::process::ExitCode;

/// `sev report` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ReportCmd {}

/// Runs `sev report`.
pub fn run(cmd: ReportCmd) -> ExitCode {
    match cmd {}
}
