//! Writing results: a failed or closed stdout ends the program with exit status 1 and a one-line
//! reason, never a panic.

use std::fmt;
use std::io::Write as _;

use anyhow::{Context, Result};

/// Output formats of the commands that print results.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable text: one line per field or check.
    #[default]
    Text,
    /// One JSON object (byte fields as lowercase hex).
    Json,
}

/// Writes `bytes` to stdout and flushes.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

/// Writes one line to stdout; on failure reports it and exits with status 1.
pub fn line(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}").and_then(|()| out.flush()) {
        eprintln!("error: cannot write to standard output: {e}; check where the output goes");
        std::process::exit(1);
    }
}

/// `println!` for results: see [`line()`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;
