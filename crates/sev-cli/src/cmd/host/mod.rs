//! `sev host`: the SEV / SEV-SNP platform of this machine through `/dev/sev` (or the
//! simulator), modelled on snphost and sevctl.
//!
//! Exit codes (every subcommand): 0 success; 1 usage error, unreadable or malformed input, or
//! an output that cannot be written (`ok`: a required readiness check failed); 2 the device is
//! unavailable (`/dev/sev` absent or not openable); 3 the kernel or the firmware refused the
//! command (the message names the firmware status and what to try).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sev_types::Product;

use crate::output::Format;

/// The platform API over whichever device was chosen.
pub(crate) type HostPlatform = sev_host::platform::Platform<device::AnyDevice>;

mod cert_table;
mod cpuinfo;
mod device;
mod error;
mod ok;
mod sev_owner;
mod show;
mod snp;
mod status;

/// Which secure processor the host commands talk to.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// `/dev/sev` (under `--root` when given).
    #[default]
    Dev,
    /// The software simulator (`--product`, default Genoa; a fresh machine on every run).
    Sim,
}

/// The help text shared by every host subcommand.
const EXIT_CODES: &str = crate::exit_codes::HOST;

/// `sev host`.
#[derive(clap::Args, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct HostCmd {
    /// The secure processor to use.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub device: Device,
    /// The product: the simulated one (`--device sim`, default Genoa), or how to decode TCBs of
    /// `/dev/sev` (default: from /proc/cpuinfo).
    #[arg(long, global = true)]
    pub product: Option<Product>,
    /// Output format.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: Format,
    /// Read /proc, /sys and /dev under this directory instead of `/` (for tests and for
    /// inspecting a copied tree).
    #[arg(long, global = true, hide = true, default_value = "/")]
    pub root: PathBuf,
    /// Simulator only: run this host command line (e.g. "config set --tcb 0x...") on the same
    /// simulated machine first; may be repeated. The simulator keeps no state between runs.
    #[arg(long, global = true, hide = true)]
    pub sim_before: Vec<String>,
    /// Simulator only: start this many SEV guests and as many SNP guests on the simulated
    /// machine first, kept running while the command runs.
    #[arg(long, global = true, hide = true, default_value_t = 0)]
    pub sim_guests: u32,
    #[command(subcommand)]
    pub command: HostSub,
}

/// `sev host` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum HostSub {
    /// SEV and SNP platform status (TCBs decoded by product).
    #[command(after_help = EXIT_CODES)]
    Status,
    /// Readiness checks of this host (CPU, kernel modules, devices, KVM, firmware), each PASS,
    /// FAIL or SKIP, with a remedy for each failure.
    #[command(after_help = crate::exit_codes::HOST_OK)]
    Ok,
    /// Write the PEK certificate signing request (SEV_PEK_CSR).
    #[command(after_help = EXIT_CODES)]
    PekCsr(sev_owner::PekCsrArgs),
    /// Export the platform certificates: pdh.cert, pek.cert, oca.cert, cek.cert.
    #[command(after_help = EXIT_CODES)]
    PdhExport(sev_owner::PdhExportArgs),
    /// Import a PEK certificate signed by an OCA, and the OCA certificate (SEV_PEK_CERT_IMPORT).
    #[command(after_help = EXIT_CODES)]
    PekImport(sev_owner::PekImportArgs),
    /// Factory reset: new CEK-signed PEK and PDH, owner removed (SEV_FACTORY_RESET).
    #[command(after_help = EXIT_CODES)]
    Reset(sev_owner::ResetArgs),
    /// Platform ownership.
    #[command(subcommand)]
    Ownership(sev_owner::OwnershipCmd),
    /// Commit the running SNP firmware: its version becomes the minimum (SNP_COMMIT).
    #[command(after_help = EXIT_CODES)]
    Commit,
    /// SNP configuration: the reported TCB and the chip-ID / chip-key masks (SNP_SET_CONFIG).
    #[command(subcommand)]
    Config(snp::ConfigCmd),
    /// Load a VLEK hashstick (SNP_VLEK_LOAD).
    #[command(after_help = EXIT_CODES)]
    VlekLoad(snp::VlekLoadArgs),
    /// The GHCB certificate table: split one into files, or build one from files.
    #[command(subcommand)]
    CertTable(cert_table::CertTableCmd),
    /// Show the chip identifier, the TCBs, or the VCEK URL of this platform.
    #[command(subcommand)]
    Show(show::ShowCmd),
}

/// Runs `sev host`.
pub fn run(cmd: HostCmd) -> ExitCode {
    if let HostSub::Ok = cmd.command {
        return ok::run(&cmd);
    }
    match run_platform(&cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (code, message) = error::describe(&e);
            eprintln!("error: {}", crate::fail::with_hint(&message, None));
            ExitCode::from(code)
        }
    }
}

/// Runs the `--sim-before` command lines, then the command itself, on one device.
fn run_platform(cmd: &HostCmd) -> anyhow::Result<()> {
    // Commands that need no device at all.
    if let HostSub::CertTable(c) = &cmd.command {
        return cert_table::run(c, cmd.format);
    }
    let befores = cmd
        .sim_before
        .iter()
        .map(|line| device::parse_before(line))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let dev = device::open(cmd, writes(&cmd.command))?;
    let _guests = dev.start_sim_guests(cmd.sim_guests)?;
    let ctx = Ctx {
        format: cmd.format,
        product: dev.product(cmd),
        quiet: true,
    };
    let mut platform = HostPlatform::new(dev);
    for before in &befores {
        dispatch(&ctx, before, &mut platform)?;
    }
    let ctx = Ctx { quiet: false, ..ctx };
    dispatch(&ctx, &cmd.command, &mut platform)
}

fn dispatch(ctx: &Ctx, sub: &HostSub, p: &mut HostPlatform) -> anyhow::Result<()> {
    match sub {
        HostSub::Status => status::run(ctx, p.device()),
        HostSub::Ok => anyhow::bail!("`ok` cannot run inside --sim-before"),
        HostSub::PekCsr(a) => sev_owner::pek_csr(ctx, p, a),
        HostSub::PdhExport(a) => sev_owner::pdh_export(ctx, p, a),
        HostSub::PekImport(a) => sev_owner::pek_import(ctx, p, a),
        HostSub::Reset(a) => sev_owner::reset(ctx, p, a),
        HostSub::Ownership(c) => sev_owner::ownership(ctx, p, c),
        HostSub::Commit => snp::commit(ctx, p),
        HostSub::Config(c) => snp::config(ctx, p, c),
        HostSub::VlekLoad(a) => snp::vlek_load(ctx, p, a),
        HostSub::CertTable(c) => cert_table::run(c, ctx.format),
        HostSub::Show(c) => show::run(ctx, p, c),
    }
}

/// Whether the command changes platform state (the kernel wants `/dev/sev` open for writing
/// for those, and for PEK_CSR and PDH_CERT_EXPORT).
fn writes(sub: &HostSub) -> bool {
    !matches!(
        sub,
        HostSub::Status | HostSub::Ok | HostSub::Show(_) | HostSub::CertTable(_)
    )
}

/// What every subcommand needs besides its arguments.
pub(crate) struct Ctx {
    /// Output format.
    pub format: Format,
    /// The product, when known (TCB decoding, KDS URLs).
    pub product: Option<Product>,
    /// Print nothing (a `--sim-before` step).
    pub quiet: bool,
}

impl Ctx {
    /// Prints a text line, or nothing when quiet.
    pub fn say(&self, args: std::fmt::Arguments<'_>) {
        if !self.quiet {
            crate::output::line(args);
        }
    }

    /// Prints a JSON value, or nothing when quiet.
    pub fn json(&self, v: &serde_json::Value) -> anyhow::Result<()> {
        if !self.quiet {
            crate::output::outln!("{}", serde_json::to_string_pretty(v)?);
        }
        Ok(())
    }

    /// Reports the outcome of an action: one text line, or `{"done": what, ...extra}`.
    pub fn done(&self, what: &str, text: std::fmt::Arguments<'_>, extra: serde_json::Value) -> anyhow::Result<()> {
        match self.format {
            Format::Text => {
                self.say(text);
                Ok(())
            }
            Format::Json => {
                let mut v = serde_json::json!({ "done": what });
                if let (Some(m), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
                    m.extend(e);
                }
                self.json(&v)
            }
        }
    }
}

/// Joins `rel` (an absolute path such as `/proc/cpuinfo`) under `root`.
pub(crate) fn under(root: &Path, rel: &str) -> PathBuf {
    root.join(rel.trim_start_matches('/'))
}
