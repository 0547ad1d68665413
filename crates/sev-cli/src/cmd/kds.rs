//! `sev kds url ...` and `sev kds parse`: AMD KDS URLs, built from a report or from parameters.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use sev_types::Product;
use sev_types::report::Report;
use sev_types::tcb::Tcb;
use sev_verify::kds::{Endorsement, KdsRequest, Resource};

use crate::input::{Inform, read_report};

/// `sev kds` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum KdsCmd {
    /// Print the KDS URL of a VCEK, a VLEK, a CA chain or a CRL.
    #[command(subcommand)]
    Url(UrlCmd),
    /// Parse a KDS URL and print what it asks for.
    Parse(ParseArgs),
    /// Fetch a VCEK, a CA chain or a CRL from KDS, through the cache.
    #[command(subcommand)]
    Fetch(super::kds_fetch::FetchCmd),
    /// Offline bundles: export the collateral of reports to one file, import one into the cache.
    #[command(subcommand)]
    Bundle(super::kds_fetch::BundleCmd),
    /// The collateral cache: list it, or prune it by age and size.
    #[command(subcommand)]
    Cache(super::kds_fetch::CacheCmd),
}

/// `sev kds url` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum UrlCmd {
    /// The VCEK certificate: from a report, or from --product, --hwid and the SPLs.
    Vcek(CertArgs),
    /// The VLEK certificate (fetching it needs cloud-provider credentials).
    Vlek(CertArgs),
    /// The CA chain (ASK or ASVK, then ARK).
    Chain(SideArgs),
    /// The ARK-signed CRL.
    Crl(SideArgs),
}

/// Where the report comes from.
#[derive(clap::Args, Debug)]
pub struct ReportArg {
    /// An attestation report (0x4A0 bytes raw, or hex/base64 text).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Encoding of --report.
    #[arg(long, value_enum, default_value_t, requires = "report")]
    pub inform: Inform,
    /// The product (Milan, Genoa, Bergamo, Siena, Turin); required without --report, and for
    /// v2 reports, which carry no CPUID.
    #[arg(long)]
    pub product: Option<Product>,
    /// Output format: the URL alone, or a JSON object with the URL and what it asks for.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `sev kds url vcek|vlek`.
#[derive(clap::Args, Debug)]
pub struct CertArgs {
    #[command(flatten)]
    pub src: ReportArg,
    /// hwID in hex: the 64-byte CHIP_ID (8 bytes from Turin on). VCEK only.
    #[arg(long, conflicts_with = "report")]
    pub hwid: Option<String>,
    /// FMC SPL (Turin and later).
    #[arg(long, conflicts_with = "report")]
    pub fmc: Option<u8>,
    /// Boot loader SPL.
    #[arg(long, conflicts_with = "report")]
    pub bl: Option<u8>,
    /// TEE SPL.
    #[arg(long, conflicts_with = "report")]
    pub tee: Option<u8>,
    /// SNP SPL.
    #[arg(long, conflicts_with = "report")]
    pub snp: Option<u8>,
    /// Microcode SPL.
    #[arg(long, conflicts_with = "report")]
    pub ucode: Option<u8>,
}

/// Arguments of `sev kds url chain|crl`.
#[derive(clap::Args, Debug)]
pub struct SideArgs {
    #[command(flatten)]
    pub src: ReportArg,
    /// The VLEK side (ASVK chain, VLEK CRL) instead of the VCEK side.
    #[arg(long)]
    pub vlek: bool,
}

pub use crate::output::Format;

/// Arguments of `sev kds parse`.
#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// The URL.
    pub url: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs `sev kds`.
pub fn run(cmd: KdsCmd) -> ExitCode {
    let result = match cmd {
        KdsCmd::Url(u) => print_url(u),
        KdsCmd::Parse(p) => parse(&p),
        KdsCmd::Fetch(f) => super::kds_fetch::run_fetch(f),
        KdsCmd::Bundle(b) => super::kds_fetch::run_bundle(b),
        KdsCmd::Cache(c) => super::kds_fetch::run_cache(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => crate::fail::report(&e),
    }
}

/// The product from --product, else from the report's CPUID.
fn product_of(src: &ReportArg, report: Option<&Report<'_>>) -> Result<Product> {
    if let Some(r) = report.and_then(Report::product) {
        return Ok(r);
    }
    src.product
        .context("give --product (the report does not name its product)")
}

fn print_url(cmd: UrlCmd) -> Result<()> {
    let format = match &cmd {
        UrlCmd::Vcek(a) | UrlCmd::Vlek(a) => a.src.format,
        UrlCmd::Chain(a) | UrlCmd::Crl(a) => a.src.format,
    };
    let req = url(cmd)?;
    match format {
        Format::Text => crate::output::outln!("{req}"),
        Format::Json => crate::output::outln!("{}", serde_json::to_string_pretty(&request_json(&req))?),
    }
    Ok(())
}

/// The names of a request's resource and key, as `kds parse` prints them.
fn names(req: &KdsRequest) -> (&'static str, &'static str) {
    let resource = match req.resource() {
        Resource::Vcek => "vcek",
        Resource::Vlek => "vlek",
        Resource::CertChain => "cert_chain",
        Resource::Crl => "crl",
    };
    let key = match req.key_type() {
        Endorsement::Vcek => "vcek",
        Endorsement::Vlek => "vlek",
    };
    (resource, key)
}

/// `{product, resource, key, hwid, tcb, url}`.
fn request_json(req: &KdsRequest) -> serde_json::Value {
    let (resource, key) = names(req);
    serde_json::json!({
        "product": req.product().name(),
        "resource": resource,
        "key": key,
        "hwid": req.hwid().map(|h| h.to_string()),
        "tcb": req.tcb(),
        "url": req.url(),
    })
}

fn url(cmd: UrlCmd) -> Result<KdsRequest> {
    let (args, resource) = match cmd {
        UrlCmd::Vcek(a) => return cert(&a, Resource::Vcek),
        UrlCmd::Vlek(a) => return cert(&a, Resource::Vlek),
        UrlCmd::Chain(a) => (a, Resource::CertChain),
        UrlCmd::Crl(a) => (a, Resource::Crl),
    };
    let key = if args.vlek {
        Endorsement::Vlek
    } else {
        Endorsement::Vcek
    };
    let bytes = args
        .src
        .report
        .as_ref()
        .map(|p| read_report(p, args.src.inform))
        .transpose()?;
    let report = bytes.as_deref().map(Report::from_bytes).transpose()?;
    let product = product_of(&args.src, report.as_ref())?;
    Ok(match resource {
        Resource::CertChain => KdsRequest::cert_chain(product, key)?,
        _ => KdsRequest::crl(product, key)?,
    })
}

fn cert(a: &CertArgs, resource: Resource) -> Result<KdsRequest> {
    if let Some(path) = &a.src.report {
        let bytes = read_report(path, a.src.inform)?;
        let report = Report::from_bytes(&bytes)?;
        return Ok(match resource {
            Resource::Vcek => KdsRequest::vcek_for_report(&report, a.src.product)?,
            _ => KdsRequest::vlek_for_report(&report, a.src.product)?,
        });
    }
    let product = product_of(&a.src, None)?;
    let need = |v: Option<u8>, flag: &str| v.with_context(|| format!("give --{flag} (or --report)"));
    let fmc = match product.tcb_layout() {
        Some(l) if l.has_fmc() => Some(need(a.fmc, "fmc")?),
        _ if a.fmc.is_some() => bail!("{product} has no FMC SPL; drop --fmc"),
        _ => None,
    };
    let tcb = Tcb {
        fmc,
        bootloader: need(a.bl, "bl")?,
        tee: need(a.tee, "tee")?,
        snp: need(a.snp, "snp")?,
        microcode: need(a.ucode, "ucode")?,
    };
    Ok(match resource {
        Resource::Vcek => {
            let hex = a.hwid.as_deref().context("give --hwid (or --report)")?;
            let mut hwid = vec![0u8; hex.len() / 2];
            sev_types::fmt::decode_hex_into(hex, &mut hwid).context("--hwid is not hex")?;
            KdsRequest::vcek(product, &hwid, tcb)?
        }
        _ => {
            if a.hwid.is_some() {
                bail!("a VLEK URL has no hwID; drop --hwid");
            }
            KdsRequest::vlek(product, tcb)?
        }
    })
}

fn parse(args: &ParseArgs) -> Result<()> {
    let req = KdsRequest::parse(&args.url)?;
    let (resource, key) = names(&req);
    let hwid = req.hwid().map(|h| h.to_string());
    match args.format {
        Format::Json => crate::output::outln!("{}", serde_json::to_string_pretty(&request_json(&req))?),
        Format::Text => {
            crate::output::outln!("product: {}", req.product());
            crate::output::outln!("resource: {resource}");
            crate::output::outln!("key: {key}");
            if let Some(h) = hwid {
                crate::output::outln!("hwid: {h}");
            }
            if let Some(t) = req.tcb() {
                crate::output::outln!("tcb: {t}");
            }
            crate::output::outln!("url: {}", req.url());
        }
    }
    Ok(())
}
