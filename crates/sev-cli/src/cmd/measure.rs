//! `sev measure`, `sev id-block`, `sev key-digest` (placeholder until sev-measure lands).

use std::process::ExitCode;

/// Arguments of `sev measure`.
#[derive(clap::Args, Debug)]
pub struct MeasureCmd {}
/// Arguments of `sev id-block`.
#[derive(clap::Args, Debug)]
pub struct IdBlockCmd {}
/// Arguments of `sev key-digest`.
#[derive(clap::Args, Debug)]
pub struct KeyDigestCmd {}

fn unavailable() -> ExitCode {
    eprintln!("error: this command is not available in this build");
    ExitCode::from(1)
}

/// Runs `sev measure`.
pub fn run_measure(_: MeasureCmd) -> ExitCode {
    unavailable()
}
/// Runs `sev id-block`.
pub fn run_id_block(_: IdBlockCmd) -> ExitCode {
    unavailable()
}
/// Runs `sev key-digest`.
pub fn run_key_digest(_: KeyDigestCmd) -> ExitCode {
    unavailable()
}
