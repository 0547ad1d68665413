//! `sev completions SHELL` and `sev man [--out DIR]`: generated from the command definitions, so
//! they always match the binary.

use std::path::PathBuf;

use anyhow::{Context, Result};

/// Arguments of `sev completions`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `sev man`.
#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write `sev.1` and one page per subcommand (`sev-verify.1`, `sev-verify-report.1`, ...)
    /// into this directory (created if missing) instead of printing `sev.1`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Prints the completion script for `a.shell`.
pub fn completions(a: &CompletionsArgs) -> Result<()> {
    let mut cmd = crate::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "sev", &mut script);
    crate::output::write_stdout(&script)
}

/// Writes the man pages into `a.out`, or prints the top-level page.
pub fn man(a: &ManArgs) -> Result<()> {
    let cmd = crate::command();
    match &a.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write the pages into {}", dir.display()))?;
            crate::output::outln!("man pages written to {}", dir.display());
            Ok(())
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .context("cannot render the man page")?;
            crate::output::write_stdout(&page)
        }
    }
}
