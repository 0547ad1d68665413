//! `sev guest`: attestation reports, certificates and derived keys from inside an SNP guest,
//! through `/dev/sev-guest`, configfs-tsm, or the simulator.
//!
//! Exit codes: 0 success; 1 usage error, no usable interface, or a failed request (with the
//! request's diagnosis on stderr).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use sev_sim::{GuestConfig, Sim};
use sev_types::Product;
use sev_types::TcbVersion;
use sev_types::guest::{CertKind, GuestFieldSelect, KeyRequest, RootKeySelect};
use sev_verify::snp::pem;
use snp_guest::auto::AutoSource;
use snp_guest::configfs::{SEV_GUEST_PROVIDER, TsmClient, TsmProbe};
use snp_guest::{DerivedKeyRequest, Evidence, GuestClient, Provider};

use crate::input::Inform;
use crate::output::{Format, outln};

/// Which interface to the secure processor.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// configfs-tsm when its provider is `sev_guest`, else `/dev/sev-guest`.
    #[default]
    Auto,
    /// The `/dev/sev-guest` ioctls.
    Ioctl,
    /// The configfs-tsm report tree.
    Configfs,
    /// The software simulator (test keys; nothing it signs verifies under AMD's roots).
    Sim,
}

/// `sev guest`.
#[derive(clap::Args, Debug)]
pub struct GuestCmd {
    /// The interface to use.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub device: Device,
    /// The configfs-tsm report root.
    #[arg(long, global = true, default_value = sev_sys::StdTsmFs::DEFAULT_ROOT)]
    pub configfs_root: PathBuf,
    /// The `/dev/sev-guest` node.
    #[arg(long, global = true, default_value = sev_sys::SevGuestDevice::PATH)]
    pub guest_device: PathBuf,
    /// The product the simulator models (`--device sim`).
    #[arg(long, global = true, default_value = "Milan")]
    pub sim_product: Product,
    /// Output format of what was done (files written, interfaces found).
    #[arg(long, value_enum, default_value_t, global = true)]
    pub format: Format,
    #[command(subcommand)]
    pub command: GuestSub,
}

/// `sev guest` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum GuestSub {
    /// Request an attestation report.
    Report(ReportArgs),
    /// Request a key derived from a secure-processor root key.
    Key(KeyArgs),
    /// Write the host's certificates (from an extended report) into a directory.
    Certificates(CertificatesArgs),
    /// Tell which guest interfaces exist here, and why the others do not.
    Ok,
}

/// Arguments of `sev guest report`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("data_source").required(true).args(["random", "data"])))]
pub struct ReportArgs {
    /// VMPL to request the report at (default 0, or the configfs privlevel_floor if higher).
    #[arg(long)]
    pub vmpl: Option<u32>,
    /// Fill REPORT_DATA with 64 random bytes.
    #[arg(long)]
    pub random: bool,
    /// REPORT_DATA: 64 bytes as hex, or a file holding exactly 64 bytes.
    #[arg(long, value_name = "HEX|FILE")]
    pub data: Option<String>,
    /// Ask the host for its certificates too (configfs-tsm always does).
    #[arg(long)]
    pub extended: bool,
    /// Where to write the report.
    #[arg(long, default_value = "report.bin")]
    pub out: PathBuf,
    /// Write the host's certificates into this directory (implies --extended).
    #[arg(long)]
    pub certs_dir: Option<PathBuf>,
    /// Format of the certificates written.
    #[arg(long, value_enum, default_value_t)]
    pub cert_format: CertFormat,
}

/// Certificate file formats.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertFormat {
    /// PEM (`ark.pem`, `ask.pem`, `vcek.pem`, ...).
    #[default]
    Pem,
    /// DER (`ark.der`, ...).
    Der,
}

/// Root keys for derivation.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Root {
    /// The chip's VCEK.
    #[default]
    Vcek,
    /// The VM root key from a migration agent.
    Vmrk,
}

/// Arguments of `sev guest key`.
#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    /// The root key.
    #[arg(long, value_enum, default_value_t)]
    pub root: Root,
    /// VMPL to mix in (at least the guest's own).
    #[arg(long, default_value_t = 0)]
    pub vmpl: u32,
    /// Guest fields to mix in, comma-separated: policy, image_id, family_id, measurement,
    /// guest_svn, tcb_version, launch_mit_vector.
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// GUEST_SVN to mix in (with `guest_svn` in --fields).
    #[arg(long, default_value_t = 0)]
    pub svn: u32,
    /// TCB_VERSION to mix in, as a raw 64-bit value (with `tcb_version` in --fields).
    #[arg(long, default_value = "0", value_parser = parse_u64)]
    pub tcb: u64,
    /// LAUNCH_MIT_VECTOR to mix in (message version 2; with `launch_mit_vector` in --fields).
    #[arg(long, value_parser = parse_u64)]
    pub mit_vector: Option<u64>,
    /// Where to write the 32-byte key (created with mode 0600).
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `sev guest certificates`.
#[derive(clap::Args, Debug)]
pub struct CertificatesArgs {
    /// The directory to write into (created if missing).
    pub dir: PathBuf,
    /// The file format of the certificates.
    #[arg(long, value_enum, default_value_t)]
    pub cert_format: CertFormat,
}

fn parse_u64(s: &str) -> Result<u64, String> {
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    r.map_err(|e| format!("{s:?} is not a 64-bit number (decimal or 0x-hex): {e}"))
}

/// Runs `sev guest`.
pub fn run(cmd: GuestCmd) -> ExitCode {
    let result = match &cmd.command {
        GuestSub::Ok => return ok(&cmd),
        GuestSub::Report(a) => report(&cmd, a),
        GuestSub::Key(a) => key(&cmd, a),
        GuestSub::Certificates(a) => certificates(&cmd, a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail::report(&e),
    }
}

/// An open interface.
enum Backend {
    Ioctl(GuestClient<sev_sys::SevGuestDevice>),
    Configfs(TsmClient<sev_sys::StdTsmFs>, Option<u32>),
    Sim(Box<GuestClient<Sim>>),
}

impl Backend {
    fn open(cmd: &GuestCmd) -> Result<Self> {
        match cmd.device {
            Device::Ioctl => Ok(Backend::Ioctl(
                GuestClient::open_path(&cmd.guest_device).map_err(|e| anyhow!("{e} ({})", e.diagnosis()))?,
            )),
            Device::Configfs => {
                let mut client = TsmClient::at(&cmd.configfs_root);
                let probe = client.probe();
                match probe.problem {
                    Some(p) => Err(anyhow!("configfs-tsm at {}: {p}", cmd.configfs_root.display())),
                    None => Ok(Backend::Configfs(client, probe.privlevel_floor)),
                }
            }
            Device::Sim => {
                let sim = Sim::new(GuestConfig::new(cmd.sim_product)).context("cannot start the simulator")?;
                // JSON output keeps stderr clean for scripts that merge the streams.
                if cmd.format == Format::Text {
                    eprintln!(
                        "note: simulated {} secure processor; its test keys are trusted by nobody",
                        cmd.sim_product
                    );
                }
                Ok(Backend::Sim(Box::new(
                    GuestClient::new(sim).with_provider(Provider::Other("sev-sim".into())),
                )))
            }
            Device::Auto => match snp_guest::auto::open_auto_at(&cmd.configfs_root, &cmd.guest_device) {
                Ok(AutoSource::Configfs(c, floor)) => Ok(Backend::Configfs(c, Some(floor))),
                Ok(AutoSource::Ioctl(c)) => Ok(Backend::Ioctl(c)),
                Err(e) => bail!("{e}. Outside a guest, try --device sim"),
            },
        }
    }

    /// The VMPL to ask at: the one given, else 0, raised to the configfs floor with a note.
    fn vmpl(&self, asked: Option<u32>) -> Result<u32> {
        let floor = match self {
            Backend::Configfs(_, floor) => floor.unwrap_or(0),
            _ => 0,
        };
        match asked {
            Some(v) if v < floor => bail!(
                "VMPL {v} is below configfs-tsm's privlevel_floor {floor}: this guest cannot ask at a \
                 more privileged level than {floor}"
            ),
            Some(v) => Ok(v),
            None if floor > 0 => {
                eprintln!("note: configfs-tsm privlevel_floor is {floor}; asking at VMPL {floor}");
                Ok(floor)
            }
            None => Ok(0),
        }
    }

    fn evidence(&mut self, data: &[u8; 64], vmpl: u32, extended: bool) -> Result<Evidence> {
        let describe = |e: snp_guest::GuestError| anyhow!("{e} ({})", e.diagnosis());
        match self {
            Backend::Ioctl(c) if extended => c.ext_report(data, vmpl).map_err(describe),
            Backend::Ioctl(c) => c.report(data, vmpl).map_err(describe),
            Backend::Sim(c) if extended => c.ext_report(data, vmpl).map_err(describe),
            Backend::Sim(c) => c.report(data, vmpl).map_err(describe),
            Backend::Configfs(c, _) => c.report(data, vmpl).map_err(|e| anyhow!("{e}")),
        }
    }

    fn derived_key(&mut self, req: &DerivedKeyRequest) -> Result<sev_types::guest::DerivedKey> {
        let describe = |e: snp_guest::GuestError| anyhow!("{e} ({})", e.diagnosis());
        match self {
            Backend::Ioctl(c) => c.derived_key(req).map_err(describe),
            Backend::Sim(c) => c.derived_key(req).map_err(describe),
            Backend::Configfs(..) => {
                bail!("configfs-tsm has no derived-key interface; use --device ioctl")
            }
        }
    }
}

fn report_data(a: &ReportArgs) -> Result<[u8; 64]> {
    let mut out = [0u8; 64];
    if a.random {
        getrandom::fill(&mut out).map_err(|e| anyhow!("no randomness: {e}"))?;
        return Ok(out);
    }
    let given = a.data.as_deref().unwrap_or_default();
    let bytes = if Path::new(given).is_file() {
        crate::input::read_capped(Path::new(given))?
    } else {
        crate::input::decode(given.as_bytes(), Inform::Hex, None)
            .with_context(|| format!("--data {given:?} is neither a file nor hex"))?
    };
    if bytes.len() != 64 {
        bail!("--data must be exactly 64 bytes, found {}", bytes.len());
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}

fn report(cmd: &GuestCmd, a: &ReportArgs) -> Result<()> {
    let data = report_data(a)?;
    let mut backend = Backend::open(cmd)?;
    let vmpl = backend.vmpl(a.vmpl)?;
    let evidence = backend.evidence(&data, vmpl, a.extended || a.certs_dir.is_some())?;
    std::fs::write(&a.out, &evidence.report).with_context(|| format!("cannot write {}", a.out.display()))?;
    let certs = match &a.certs_dir {
        Some(dir) => write_certs(&evidence, dir, a.cert_format)?,
        None => Vec::new(),
    };
    match cmd.format {
        Format::Json => json(&serde_json::json!({
            "report": a.out,
            "bytes": evidence.report.len(),
            "vmpl": vmpl,
            "provider": evidence.provider.to_string(),
            "certificates": certs,
        })),
        Format::Text => {
            outln!(
                "report ({} bytes, VMPL {vmpl}, from {}) written to {}",
                evidence.report.len(),
                evidence.provider,
                a.out.display()
            );
            for path in &certs {
                outln!("{}", path.display());
            }
            Ok(())
        }
    }
}

fn certificates(cmd: &GuestCmd, a: &CertificatesArgs) -> Result<()> {
    let mut data = [0u8; 64];
    getrandom::fill(&mut data).map_err(|e| anyhow!("no randomness: {e}"))?;
    let mut backend = Backend::open(cmd)?;
    let vmpl = backend.vmpl(None)?;
    let evidence = backend.evidence(&data, vmpl, true)?;
    let certs = write_certs(&evidence, &a.dir, a.cert_format)?;
    match cmd.format {
        Format::Json => json(&serde_json::json!({ "certificates": certs })),
        Format::Text => {
            for path in &certs {
                outln!("{}", path.display());
            }
            Ok(())
        }
    }
}

/// Prints `v` as pretty JSON.
fn json(v: &serde_json::Value) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Writes each certificate of the evidence's table as `<kind>.pem` or `<kind>.der`; returns the
/// files written.
fn write_certs(evidence: &Evidence, dir: &Path, format: CertFormat) -> Result<Vec<PathBuf>> {
    let table = evidence
        .cert_table()
        .context("the host's certificate table is malformed")?;
    if table.is_empty() {
        bail!("the host supplied no certificates");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for cert in table.iter() {
        let name = match cert.kind {
            CertKind::Unknown(g) => g.to_string(),
            kind => kind.name().unwrap_or("unknown").to_string(),
        };
        let (file, bytes) = match (format, cert.kind) {
            (CertFormat::Pem, CertKind::Crl) => {
                (format!("{name}.pem"), pem::encode("X509 CRL", cert.data).into_bytes())
            }
            (CertFormat::Pem, _) => (
                format!("{name}.pem"),
                pem::encode("CERTIFICATE", cert.data).into_bytes(),
            ),
            (CertFormat::Der, _) => (format!("{name}.der"), cert.data.to_vec()),
        };
        let path = dir.join(&file);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn key(cmd: &GuestCmd, a: &KeyArgs) -> Result<()> {
    let mut fields = GuestFieldSelect::empty();
    for f in &a.fields {
        let flag = GuestFieldSelect::from_name(&f.trim().to_ascii_uppercase())
            .ok_or_else(|| anyhow!("unknown field {f:?}: expected policy, image_id, family_id, measurement, guest_svn, tcb_version or launch_mit_vector"))?;
        fields |= flag;
    }
    let mut req = KeyRequest::new()
        .with_root_key(match a.root {
            Root::Vcek => RootKeySelect::Vcek,
            Root::Vmrk => RootKeySelect::Vmrk,
        })
        .with_guest_fields(fields)
        .with_vmpl(a.vmpl)
        .with_guest_svn(a.svn)
        .with_tcb_version(TcbVersion(a.tcb));
    if let Some(v) = a.mit_vector {
        req = req.with_launch_mit_vector(v);
    }
    let mut backend = Backend::open(cmd)?;
    let key = backend.derived_key(&DerivedKeyRequest::new(req))?;
    write_secret(&a.out, key.as_bytes())?;
    match cmd.format {
        Format::Json => json(&serde_json::json!({
            "key": a.out,
            "bytes": 32,
            "root": req_root_name(a.root),
        })),
        Format::Text => {
            outln!(
                "32-byte key derived from the {} written to {}",
                req_root_name(a.root),
                a.out.display()
            );
            Ok(())
        }
    }
}

fn req_root_name(root: Root) -> &'static str {
    match root {
        Root::Vcek => "VCEK",
        Root::Vmrk => "VMRK",
    }
}

fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// One guest interface and whether it can be used.
#[derive(serde::Serialize)]
struct Interface {
    /// `ioctl` or `configfs-tsm`.
    interface: &'static str,
    /// The device node or configfs root.
    path: PathBuf,
    /// Whether requests can be made through it.
    usable: bool,
    /// What was found.
    detail: String,
    /// Between the path and the detail in text: a space before a finding, `: ` before an error.
    #[serde(skip)]
    sep: &'static str,
}

/// `sev guest ok`: one line per interface; exit 0 when one is usable.
fn ok(cmd: &GuestCmd) -> ExitCode {
    let ioctl = match GuestClient::open_path(&cmd.guest_device) {
        Ok(_) => (true, " ", "is open".to_string()),
        Err(e) => (false, ": ", format!("{e} ({})", e.diagnosis())),
    };
    let probe: TsmProbe = TsmClient::at(&cmd.configfs_root).probe();
    let configfs = match (&probe.problem, probe.provider.as_deref()) {
        (None, Some(SEV_GUEST_PROVIDER)) => (
            true,
            " ",
            format!(
                "works, provider {SEV_GUEST_PROVIDER}, privlevel_floor {}",
                probe.privlevel_floor.unwrap_or(0)
            ),
        ),
        (None, other) => (
            false,
            " ",
            format!("works but its provider is {other:?}, not {SEV_GUEST_PROVIDER:?} (not SEV-SNP)"),
        ),
        (Some(p), _) => (false, ": ", p.to_string()),
    };
    let interfaces = [
        Interface {
            interface: "ioctl",
            path: cmd.guest_device.clone(),
            usable: ioctl.0,
            sep: ioctl.1,
            detail: ioctl.2,
        },
        Interface {
            interface: "configfs-tsm",
            path: cmd.configfs_root.clone(),
            usable: configfs.0,
            sep: configfs.1,
            detail: configfs.2,
        },
    ];
    let usable = interfaces.iter().any(|i| i.usable);
    match cmd.format {
        Format::Json => {
            if let Err(e) = json(&serde_json::json!({ "ok": usable, "interfaces": interfaces })) {
                return crate::fail::report(&e);
            }
        }
        Format::Text => {
            for i in &interfaces {
                outln!("{}: {}{}{}", i.interface, i.path.display(), i.sep, i.detail);
            }
            if usable {
                outln!("ok: an SEV-SNP guest interface is available");
            } else {
                outln!("not ok: no SEV-SNP guest interface here (outside a guest, --device sim simulates one)");
            }
        }
    }
    if usable { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
