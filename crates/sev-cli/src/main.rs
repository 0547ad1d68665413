//! `sev`: inspect, verify and measure AMD SEV-SNP evidence, and request it inside a guest.

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

mod cmd;
mod exit_codes;
mod fail;
mod input;
mod output;

/// Inspect, verify and measure AMD SEV and SEV-SNP evidence.
#[derive(Parser, Debug)]
#[command(name = "sev", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Attestation reports.
    #[command(subcommand)]
    Report(cmd::report::ReportCmd),
    /// Compute the expected launch measurement (same flags as sev-snp-measure).
    Measure(cmd::measure::MeasureCmd),
    /// Build and sign an SNP ID block and ID authentication block.
    IdBlock(cmd::measure::IdBlockCmd),
    /// Print the SHA-384 digest of a public key in AMD's 0x404-byte format.
    KeyDigest(cmd::measure::KeyDigestCmd),
    /// Verify reports and certificate chains.
    #[command(subcommand)]
    Verify(cmd::verify::VerifyCmd),
    /// AMD KDS: URLs, fetching collateral, offline bundles, the cache.
    #[command(subcommand)]
    Kds(cmd::kds::KdsCmd),
    /// Inside an SNP guest: reports, certificates and derived keys.
    Guest(cmd::guest::GuestCmd),
    /// On an SEV host: platform status, readiness checks, certificates, ownership, SNP config.
    Host(cmd::host::HostCmd),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd::docs::CompletionsArgs),
    /// Print the man page, or write one page per command into a directory.
    Man(cmd::docs::ManArgs),
}

/// The command definition with every command's exit codes in its `--help`: what is parsed, and
/// what completions and man pages are generated from.
pub(crate) fn command() -> clap::Command {
    exit_codes::annotate(Cli::command())
}

/// `sev kds url vcek`: the subcommand path of a parsed command line.
fn command_path(m: &clap::ArgMatches) -> String {
    let mut path = String::from("sev");
    let mut m = m;
    while let Some((name, sub)) = m.subcommand() {
        path.push(' ');
        path.push_str(name);
        m = sub;
    }
    path
}

fn main() -> ExitCode {
    let parsed = command()
        .try_get_matches()
        .and_then(|m| Ok((command_path(&m), Cli::from_arg_matches(&m)?)));
    let cli = match parsed {
        Ok((path, cli)) => {
            fail::set_command_path(path);
            cli
        }
        Err(e) => return fail::clap_error(&e),
    };
    match cli.command {
        Command::Report(c) => cmd::report::run(c),
        Command::Measure(c) => cmd::measure::run_measure(c),
        Command::IdBlock(c) => cmd::measure::run_id_block(c),
        Command::KeyDigest(c) => cmd::measure::run_key_digest(c),
        Command::Verify(c) => cmd::verify::run(c),
        Command::Kds(c) => cmd::kds::run(c),
        Command::Guest(c) => cmd::guest::run(c),
        Command::Host(c) => cmd::host::run(c),
        Command::Completions(a) => cmd::docs::completions(&a).map_or_else(|e| fail::report(&e), |()| ExitCode::SUCCESS),
        Command::Man(a) => cmd::docs::man(&a).map_or_else(|e| fail::report(&e), |()| ExitCode::SUCCESS),
    }
}
