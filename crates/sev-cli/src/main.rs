//! `sev`: inspect, verify and measure AMD SEV-SNP evidence, and request it inside a guest.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
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
    /// Build AMD KDS URLs.
    #[command(subcommand)]
    Kds(cmd::kds::KdsCmd),
    /// Inside an SNP guest: reports, certificates and derived keys.
    Guest(cmd::guest::GuestCmd),
    /// On an SEV host: platform status, readiness checks, certificates, ownership, SNP config.
    Host(cmd::host::HostCmd),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
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
    }
}
