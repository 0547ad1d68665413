//! `sev kds fetch vcek|chain|crl`, `sev kds bundle export|import`, and the collateral
//! `sev verify report --fetch` fills in: through the sev-kds cache, from KDS or a mirror, or
//! offline from the cache or a bundle.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use sev_kds::{Bundle, CacheLimits, Checker, DiskCache, Fetched, Kds, KdsConfig, RetryPolicy, Source, Wanted};
use sev_types::Product;
use sev_types::report::Report;
use sev_types::tcb::{Tcb, TcbVersion};
use sev_verify::crypto::CryptoProvider;
use sev_verify::kds::{Endorsement, KdsRequest, Resource};
use sev_verify::snp::{CertBundle, Role, TrustStore, pem};

use crate::input::{Inform, read_capped, read_report};
use crate::output::{Format, outln};

/// Prints `json` (`--format json`) or the text lines (`--format text`).
fn print(format: Format, json: serde_json::Value, text: impl FnOnce()) -> Result<()> {
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&json)?),
        Format::Text => text(),
    }
    Ok(())
}

/// Where collateral comes from: KDS (or a mirror), the cache, the network switch.
#[derive(clap::Args, Debug, Clone)]
pub struct KdsArgs {
    /// KDS base URL [default: $SEV_KDS_URL, else AMD's KDS, kdsintf.amd.com].
    #[arg(long)]
    pub kds_url: Option<String>,
    /// Cache directory, shareable between processes and machines [default: $SEV_KDS_CACHE,
    /// else $XDG_CACHE_HOME/sev-kds, else ~/.cache/sev-kds].
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Use no cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Never use the network: take everything from the cache (or a bundle).
    #[arg(long)]
    pub offline: bool,
    /// Fetch again what the cache has held longer than this many seconds (CRLs are fetched
    /// again after their nextUpdate regardless).
    #[arg(long)]
    pub cache_max_age: Option<u64>,
    /// Seconds allowed for one HTTP request.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Most seconds to wait in total, per object, when KDS rate-limits (429) or is unavailable
    /// (503); a Retry-After beyond it fails at once.
    #[arg(long, default_value_t = 60)]
    pub max_wait: u64,
}

impl KdsArgs {
    fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        self.cache_dir
            .clone()
            .or_else(|| env("SEV_KDS_CACHE"))
            .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("sev-kds")))
            .or_else(|| env("HOME").map(|d| d.join(".cache/sev-kds")))
    }

    /// The fetcher these options describe, checking responses with `checker`.
    pub fn kds(&self, checker: Checker) -> Result<Kds> {
        let base = self
            .kds_url
            .clone()
            .or_else(|| std::env::var("SEV_KDS_URL").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| sev_kds::AMD_KDS_URL.to_string());
        let config = KdsConfig {
            request_timeout: Duration::from_secs(self.timeout.max(1)),
            retry: RetryPolicy {
                max_wait: Duration::from_secs(self.max_wait),
                ..RetryPolicy::default()
            },
            ..KdsConfig::with_base_url(base)
        };
        let mut kds = if self.offline { Kds::offline() } else { Kds::new(config) };
        if let Some(dir) = self.cache_dir() {
            let limits = CacheLimits {
                max_age: self.cache_max_age.map(Duration::from_secs),
                max_bytes: None,
            };
            let cache = DiskCache::open(&dir).with_context(|| format!("cache {}", dir.display()))?;
            kds = kds.with_cache(cache.with_limits(limits));
        }
        Ok(kds.with_checker(checker))
    }
}

/// `sev kds fetch` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum FetchCmd {
    /// The VCEK of a report, or of --product, --chip-id and --tcb.
    Vcek(FetchVcekArgs),
    /// The CA chain: ASK (or ASVK with --key vlek) and ARK.
    Chain(FetchSideArgs),
    /// The ARK-signed CRL of the VCEK (or, with --key vlek, VLEK) side.
    Crl(FetchSideArgs),
}

/// File format of fetched objects.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertFormat {
    /// DER (vcek.der, ask.der, ark.der, crl.der).
    #[default]
    Der,
    /// PEM (vcek.pem, ask.pem, ark.pem, crl.pem).
    Pem,
}

/// The side of the PKI.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyArg {
    /// VCEK: ASK and ARK.
    #[default]
    Vcek,
    /// VLEK: ASVK and ARK.
    Vlek,
}

/// Where fetched files go.
#[derive(clap::Args, Debug)]
pub struct OutArgs {
    /// Directory to write into (file names as snpguest's certificate directory).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// File format of the certificates and CRLs written.
    #[arg(long, value_enum, default_value_t)]
    pub cert_format: CertFormat,
    /// Output format of the list of files written.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `sev kds fetch vcek`.
#[derive(clap::Args, Debug)]
pub struct FetchVcekArgs {
    /// An attestation report (0x4A0 bytes raw, or hex/base64 text).
    #[arg(long, required_unless_present = "chip_id")]
    pub report: Option<PathBuf>,
    /// Encoding of --report.
    #[arg(long, value_enum, default_value_t, requires = "report")]
    pub inform: Inform,
    /// The product (Milan, Genoa, Bergamo, Siena, Turin); required without --report and for v2
    /// reports.
    #[arg(long)]
    pub product: Option<Product>,
    /// CHIP_ID in hex (64 bytes; Turin and later: the 8-byte hwID, or the 64-byte CHIP_ID with
    /// zeros after the first 8).
    #[arg(long, conflicts_with = "report", requires = "tcb")]
    pub chip_id: Option<String>,
    /// The reported TCB: a raw TCB_VERSION (`0x7308000000000003`) or SPLs
    /// (`bl=3,tee=0,snp=8,ucode=115`, with `fmc=` on Turin).
    #[arg(long, conflicts_with = "report", requires = "chip_id")]
    pub tcb: Option<String>,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub kds: KdsArgs,
}

/// Arguments of `sev kds fetch chain|crl`.
#[derive(clap::Args, Debug)]
pub struct FetchSideArgs {
    /// The product (Milan, Genoa, Bergamo, Siena, Turin).
    #[arg(long)]
    pub product: Product,
    /// The side: VCEK (ASK) or VLEK (ASVK).
    #[arg(long, value_enum, default_value_t)]
    pub key: KeyArg,
    #[command(flatten)]
    pub out: OutArgs,
    #[command(flatten)]
    pub kds: KdsArgs,
}

/// `sev kds bundle` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum BundleCmd {
    /// Gather the VCEKs, chains and CRLs of reports into one file, for verification with no
    /// network (`sev verify report R --bundle FILE --offline`).
    Export(BundleExportArgs),
    /// Check every object of a bundle and store it in the cache.
    Import(BundleImportArgs),
}

/// Arguments of `sev kds bundle export`.
#[derive(clap::Args, Debug)]
pub struct BundleExportArgs {
    /// Attestation reports (raw, hex or base64).
    #[arg(long, required = true)]
    pub report: Vec<PathBuf>,
    /// The product, for v2 reports that carry no CPUID.
    #[arg(long)]
    pub product: Option<Product>,
    /// Leave the CRLs out.
    #[arg(long)]
    pub no_crl: bool,
    /// The bundle file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub kds: KdsArgs,
}

/// Arguments of `sev kds bundle import`.
#[derive(clap::Args, Debug)]
pub struct BundleImportArgs {
    /// The bundle file.
    pub bundle: PathBuf,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    #[command(flatten)]
    pub kds: KdsArgs,
}

/// `sev kds cache` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum CacheCmd {
    /// Remove entries older than --max-age, then the oldest until the cache fits --max-bytes,
    /// and temporary files abandoned by writers that died.
    Prune(PruneArgs),
    /// List the cached objects (path, size).
    List(CacheDirArgs),
}

/// The cache directory.
#[derive(clap::Args, Debug)]
pub struct CacheDirArgs {
    /// Cache directory [default: $SEV_KDS_CACHE, else $XDG_CACHE_HOME/sev-kds, else
    /// ~/.cache/sev-kds].
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `sev kds cache prune`.
#[derive(clap::Args, Debug)]
pub struct PruneArgs {
    /// Remove entries older than this many seconds.
    #[arg(long)]
    pub max_age: Option<u64>,
    /// Remove the oldest entries until the cache holds at most this many bytes.
    #[arg(long)]
    pub max_bytes: Option<u64>,
    #[command(flatten)]
    pub dir: CacheDirArgs,
}

fn open_cache(dir: &CacheDirArgs) -> Result<DiskCache> {
    let args = KdsArgs {
        kds_url: None,
        cache_dir: dir.cache_dir.clone(),
        no_cache: false,
        offline: true,
        cache_max_age: None,
        timeout: 30,
        max_wait: 0,
    };
    let dir = args.cache_dir().context("no cache directory: give --cache-dir")?;
    DiskCache::open(&dir).with_context(|| format!("cache {}", dir.display()))
}

/// Runs `sev kds cache`.
pub fn run_cache(cmd: CacheCmd) -> Result<()> {
    match cmd {
        CacheCmd::Prune(a) => {
            let limits = CacheLimits {
                max_age: a.max_age.map(Duration::from_secs),
                max_bytes: a.max_bytes,
            };
            let cache = open_cache(&a.dir)?.with_limits(limits);
            let stats = cache.prune()?;
            let json = serde_json::json!({
                "cache": cache.root(),
                "removed": stats.removed,
                "temp_removed": stats.temp_removed,
                "bytes_left": stats.bytes_left,
            });
            print(a.dir.format, json, || {
                outln!(
                    "{}: removed {} entr{} and {} abandoned temporary file(s); {} bytes left",
                    cache.root().display(),
                    stats.removed,
                    if stats.removed == 1 { "y" } else { "ies" },
                    stats.temp_removed,
                    stats.bytes_left
                );
            })
        }
        CacheCmd::List(a) => {
            let cache = open_cache(&a)?;
            let mut entries = cache.entries()?;
            entries.sort_by(|x, y| x.path.cmp(&y.path));
            let json = serde_json::json!({
                "cache": cache.root(),
                "entries": entries
                    .iter()
                    .map(|e| serde_json::json!({ "path": e.path, "size": e.size }))
                    .collect::<Vec<_>>(),
            });
            print(a.format, json, || {
                for e in &entries {
                    outln!("{} {}", e.path.display(), e.size);
                }
            })
        }
    }
}

/// Runs `sev kds fetch`.
pub fn run_fetch(cmd: FetchCmd) -> Result<()> {
    let now = sev_verify::snp::unix_now();
    let (request, out, kds) = match &cmd {
        FetchCmd::Vcek(a) => (vcek_request(a)?, &a.out, &a.kds),
        FetchCmd::Chain(a) => (KdsRequest::cert_chain(a.product, side(a.key))?, &a.out, &a.kds),
        FetchCmd::Crl(a) => (KdsRequest::crl(a.product, side(a.key))?, &a.out, &a.kds),
    };
    let fetched = kds.kds(Checker::builtin())?.get(&request, now)?;
    write_fetched(&fetched, out)
}

fn side(k: KeyArg) -> Endorsement {
    match k {
        KeyArg::Vcek => Endorsement::Vcek,
        KeyArg::Vlek => Endorsement::Vlek,
    }
}

fn vcek_request(a: &FetchVcekArgs) -> Result<KdsRequest> {
    if let Some(path) = &a.report {
        let bytes = read_report(path, a.inform)?;
        let report = Report::from_bytes(&bytes)?;
        return Ok(KdsRequest::vcek_for_report(&report, a.product)?);
    }
    let product = a.product.context("give --product with --chip-id")?;
    let hex = a.chip_id.as_deref().unwrap_or_default();
    let mut hwid = vec![0u8; hex.len() / 2];
    sev_types::fmt::decode_hex_into(hex, &mut hwid).context("--chip-id is not hex")?;
    let tcb = parse_tcb(a.tcb.as_deref().unwrap_or_default(), product)?;
    Ok(KdsRequest::vcek(product, &hwid, tcb)?)
}

/// `0x…` (a raw TCB_VERSION, decoded with the product's layout) or `bl=3,tee=0,snp=8,ucode=115`.
fn parse_tcb(s: &str, product: Product) -> Result<Tcb> {
    let layout = product
        .tcb_layout()
        .with_context(|| format!("{product} has no SNP TCB layout"))?;
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        let raw = u64::from_str_radix(hex, 16).with_context(|| format!("--tcb {s:?} is not a 64-bit hex value"))?;
        return Ok(TcbVersion(raw).decode(layout));
    }
    let mut tcb = Tcb {
        fmc: None,
        ..Tcb::default()
    };
    let mut seen = [false; 4];
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .with_context(|| format!("--tcb: expected name=value, got {part:?}"))?;
        let v: u8 = v
            .trim()
            .parse()
            .with_context(|| format!("--tcb: {k}={v:?} is not 0..=255"))?;
        match k.trim() {
            "fmc" => tcb.fmc = Some(v),
            "bl" => (tcb.bootloader, seen[0]) = (v, true),
            "tee" => (tcb.tee, seen[1]) = (v, true),
            "snp" => (tcb.snp, seen[2]) = (v, true),
            "ucode" => (tcb.microcode, seen[3]) = (v, true),
            other => bail!("--tcb: unknown SPL {other:?}; expected fmc, bl, tee, snp, ucode"),
        }
    }
    if seen.contains(&false) {
        bail!("--tcb must give bl, tee, snp and ucode (and fmc on Turin), or be a raw 0x… TCB_VERSION");
    }
    Ok(tcb)
}

/// Writes `fetched` into `out.out` under snpguest's names and prints one line per file.
fn write_fetched(fetched: &Fetched, out: &OutArgs) -> Result<()> {
    std::fs::create_dir_all(&out.out).with_context(|| format!("cannot create {}", out.out.display()))?;
    let ext = match out.cert_format {
        CertFormat::Der => "der",
        CertFormat::Pem => "pem",
    };
    let files: Vec<(String, Vec<u8>, &str)> = match fetched.request.resource() {
        Resource::Vcek => vec![("vcek".into(), fetched.bytes.clone(), "CERTIFICATE")],
        Resource::Vlek => vec![("vlek".into(), fetched.bytes.clone(), "CERTIFICATE")],
        Resource::Crl => vec![("crl".into(), fetched.bytes.clone(), "X509 CRL")],
        Resource::CertChain => {
            let mut bundle = CertBundle::new();
            bundle.add_file(&fetched.bytes)?;
            bundle
                .certs()
                .iter()
                .map(|c| {
                    let name = match c.role() {
                        Role::Ark => "ark",
                        Role::Asvk => "asvk",
                        _ => "ask",
                    };
                    (name.to_string(), c.der().to_vec(), "CERTIFICATE")
                })
                .collect()
        }
    };
    let from = describe_source(fetched);
    let mut written = Vec::new();
    for (name, der, label) in files {
        let path = out.out.join(format!("{name}.{ext}"));
        let bytes = match out.cert_format {
            CertFormat::Der => der,
            CertFormat::Pem => pem::encode(label, &der).into_bytes(),
        };
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    let json = serde_json::json!({
        "url": fetched.request.url(),
        "source": match fetched.source {
            Source::Bundle => "bundle",
            Source::Cache => "cache",
            Source::Network => "kds",
        },
        "not_cached": fetched.cache_error.as_ref().map(ToString::to_string),
        "files": written,
    });
    print(out.format, json, || {
        for path in &written {
            outln!("{} ({from})", path.display());
        }
    })
}

/// Where `f` came from, and why it is not cached if storing it failed.
fn describe_source(f: &Fetched) -> String {
    match &f.cache_error {
        Some(e) => format!("{} (not cached: {e})", source_name(f.source)),
        None => source_name(f.source).to_string(),
    }
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Bundle => "from the bundle",
        Source::Cache => "from the cache",
        Source::Network => "from KDS",
    }
}

/// Runs `sev kds bundle`.
pub fn run_bundle(cmd: BundleCmd) -> Result<()> {
    match cmd {
        BundleCmd::Export(a) => {
            let now = sev_verify::snp::unix_now();
            let bytes = a
                .report
                .iter()
                .map(|p| read_report(p, Inform::Auto))
                .collect::<Result<Vec<_>>>()?;
            let reports = bytes
                .iter()
                .map(|b| Report::from_bytes(b))
                .collect::<Result<Vec<_>, _>>()?;
            let wanted = Wanted {
                crl: !a.no_crl,
                ..Wanted::ALL
            };
            let bundle = a
                .kds
                .kds(Checker::builtin())?
                .export_bundle(&reports, a.product, wanted, now)?;
            std::fs::write(&a.out, bundle.to_text()?).with_context(|| format!("cannot write {}", a.out.display()))?;
            let json = serde_json::json!({
                "bundle": a.out,
                "objects": bundle.len(),
                "reports": reports.len(),
            });
            print(a.format, json, || {
                outln!(
                    "{}: {} object(s) for {} report(s)",
                    a.out.display(),
                    bundle.len(),
                    reports.len()
                );
            })
        }
        BundleCmd::Import(a) => {
            let bundle = Bundle::parse(&read_capped(&a.bundle)?)?;
            let kds = a.kds.kds(Checker::builtin())?;
            let Some(cache) = kds.cache() else {
                bail!("nothing to import into: drop --no-cache");
            };
            let n = kds.import_bundle(&bundle)?;
            let json = serde_json::json!({ "imported": n, "cache": cache.root() });
            print(a.format, json, || {
                outln!("{n} object(s) checked and stored in {}", cache.root().display());
            })
        }
    }
}

/// `sev verify report` options that fetch missing collateral.
#[derive(clap::Args, Debug)]
pub struct VerifyFetchArgs {
    /// Fetch the certificates and CRL the evidence lacks (the VCEK, the chain, the CRL) from KDS,
    /// through the cache.
    #[arg(long)]
    pub fetch: bool,
    /// With --fetch: do not fetch the CRL.
    #[arg(long)]
    pub no_fetch_crl: bool,
    /// Take collateral from this offline bundle (`sev kds bundle export`) before the cache;
    /// implies --fetch.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub kds: KdsArgs,
}

impl VerifyFetchArgs {
    /// Whether anything is to be fetched (--fetch, --offline or --bundle).
    pub fn enabled(&self) -> bool {
        self.fetch || self.kds.offline || self.bundle.is_some()
    }
}

/// What [`fill_missing`] needs from the verification under way.
pub struct FillContext<'a> {
    /// The product, for v2 reports (`--product`).
    pub product: Option<Product>,
    /// The crypto provider.
    pub provider: &'a CryptoProvider,
    /// The trusted roots (built-in, plus any pinned ARK): responses are checked against them.
    pub store: &'a TrustStore,
    /// Whether CRLs were given (`--crl`), so that none is fetched.
    pub have_crl: bool,
    /// The verification time (`--time`), for the CRL's freshness.
    pub now: Option<u64>,
}

/// Adds to `bundle` what verifying `report` still needs: the VCEK (VCEK-signed reports), the
/// chain of the signing side, and its CRL (unless one was given or --no-fetch-crl). Returns the
/// check's detail, or the exit code and reason.
pub fn fill_missing(
    args: &VerifyFetchArgs,
    report: &Report<'_>,
    bundle: &mut CertBundle,
    ctx: &FillContext<'_>,
) -> Result<String, (u8, String)> {
    let (product, provider, store, have_crl) = (ctx.product, ctx.provider, ctx.store, ctx.have_crl);
    let now = ctx.now.unwrap_or_else(sev_verify::snp::unix_now);
    let signer = sev_verify::snp::signer_of(report).map_err(|e| (2, e.to_string()))?;
    let roles: Vec<Role> = bundle.certs().iter().map(|c| c.role()).collect();
    let intermediate = match signer {
        Endorsement::Vcek => Role::Ask,
        Endorsement::Vlek => Role::Asvk,
    };
    let wanted = Wanted {
        leaf: !roles.iter().any(|r| r.is_leaf()),
        chain: !roles.contains(&intermediate),
        crl: !have_crl && bundle.crls().is_empty() && !args.no_fetch_crl,
    };
    if wanted.leaf && signer == Endorsement::Vlek {
        return Err((
            3,
            "the report is signed by a VLEK, which KDS serves only to the cloud provider: give it with --vcek, --certs or --cert-table".into(),
        ));
    }
    let mut kds = args
        .kds
        .kds(Checker::new(*provider, store.clone()))
        .map_err(|e| (1, format!("{e:#}")))?;
    if let Some(path) = &args.bundle {
        let b = read_capped(path)
            .map_err(|e| (1, format!("{e:#}")))
            .and_then(|bytes| Bundle::parse(&bytes).map_err(|e| (1, format!("{}: {e}", path.display()))))?;
        kds = kds.with_bundle(b);
    }
    let requests = Kds::requests_for(report, product, wanted).map_err(|e| (3, e.to_string()))?;
    let mut got = Vec::new();
    for request in &requests {
        let code = if request.resource() == Resource::Crl { 4 } else { 3 };
        let fetched = kds.get(request, now).map_err(|e| (code, e.to_string()))?;
        let added = match request.resource() {
            Resource::CertChain => bundle.add_file(&fetched.bytes),
            _ => bundle.add_der(&fetched.bytes),
        };
        added.map_err(|e| (code, format!("{}: {e}", request.url())))?;
        got.push(format!("{} {}", what(request), describe_source(&fetched)));
    }
    Ok(if got.is_empty() {
        "nothing missing".to_string()
    } else {
        got.join(", ")
    })
}

fn what(r: &KdsRequest) -> &'static str {
    match (r.resource(), r.key_type()) {
        (Resource::Vcek, _) => "VCEK",
        (Resource::Vlek, _) => "VLEK",
        (Resource::CertChain, Endorsement::Vcek) => "ASK/ARK chain",
        (Resource::CertChain, Endorsement::Vlek) => "ASVK/ARK chain",
        (Resource::Crl, _) => "CRL",
    }
}
