//! `sev report show`: print every field of an attestation report.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use sev_types::Product;
use sev_types::report::Report;

use crate::input::{Inform, read_report};

/// `sev report` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ReportCmd {
    /// Print every field of an SNP attestation report.
    Show(ShowArgs),
}

pub use crate::output::Format;

/// Arguments of `sev report show`.
#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// The report file (0x4A0 bytes raw, or hex/base64 text).
    pub file: PathBuf,
    /// Input encoding.
    #[arg(long, value_enum, default_value_t)]
    pub inform: Inform,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// The product, for v2 reports that carry no CPUID (Milan, Genoa, Bergamo, Siena, Turin, ...).
    #[arg(long)]
    pub product: Option<Product>,
}

/// Runs `sev report`.
pub fn run(cmd: ReportCmd) -> ExitCode {
    let result = match cmd {
        ReportCmd::Show(args) => show(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail::report(&e),
    }
}

fn show(args: &ShowArgs) -> Result<()> {
    let bytes = read_report(&args.file, args.inform)?;
    let report = Report::from_bytes(&bytes)?;
    let described = report.describe(args.product);
    let text = match args.format {
        Format::Text => described.to_string(),
        Format::Json => serde_json::to_string_pretty(&described)? + "\n",
    };
    crate::output::write_stdout(text.as_bytes())
}
