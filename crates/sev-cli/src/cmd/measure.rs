//! `sev measure` (a drop-in for sev-snp-measure), `sev id-block` and `sev key-digest`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sev_measure::explain::{PageRecord, compare_vmsas, first_divergence};
use sev_measure::files::{MeasureArgs, Measurement, Mode, measure};
use sev_measure::idblock::{
    IdAuthInfo, IdBlock, SigningKey, default_id_block, key_digest, public_key_from_pem, sign_id_auth, verify_id_auth,
};
use sev_measure::sev_types::fmt::Hex;
use sev_measure::sev_types::launch::vmsa::SaveArea;
use sev_measure::vcpu::{VCPU_TYPES, VcpuType, cpu_sig};
use sev_measure::vmsa::VmmType;
use zerocopy::IntoBytes;

/// Parses an integer the way Python's `int(s, 0)` does: `0x`, `0o`, `0b` prefixes or decimal.
fn auto_int(s: &str) -> Result<u64, String> {
    let t = s.trim().replace('_', "");
    let (digits, radix) = match t.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => (&t[2..], 16),
        Some("0o") => (&t[2..], 8),
        Some("0b") => (&t[2..], 2),
        _ => (t.as_str(), 10),
    };
    u64::from_str_radix(digits, radix).map_err(|e| format!("invalid integer {s:?}: {e}"))
}

fn auto_u32(s: &str) -> Result<u32, String> {
    auto_int(s).and_then(|v| u32::try_from(v).map_err(|_| format!("{s:?} does not fit 32 bits")))
}

fn vcpu_type(s: &str) -> Result<VcpuType, String> {
    VcpuType::by_name(s).ok_or_else(|| {
        let names: Vec<_> = VCPU_TYPES.iter().map(|t| t.name).collect();
        format!("unknown vCPU type {s:?}; known: {}", names.join(", "))
    })
}

/// Output encoding of a digest.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Lowercase hex.
    Hex,
    /// Standard base64.
    Base64,
}

impl OutputFormat {
    fn encode(self, bytes: &[u8]) -> String {
        match self {
            Self::Hex => Hex(bytes).to_string(),
            Self::Base64 => B64.encode(bytes),
        }
    }
}

use crate::output::Format;

/// Arguments of `sev measure` (sev-snp-measure's flags, plus explain mode).
#[derive(clap::Args, Debug)]
pub struct MeasureCmd {
    /// Print "Calculated `<MODE>` guest measurement: `<digest>`" instead of the digest alone.
    #[arg(short, long)]
    verbose: bool,
    /// Guest mode: sev, seves, snp, snp:ovmf-hash or snp:svsm.
    #[arg(long, value_parser = ["sev", "seves", "snp", "snp:ovmf-hash", "snp:svsm"])]
    mode: String,
    /// Number of guest vCPUs.
    #[arg(long, value_name = "N")]
    vcpus: Option<u32>,
    /// Guest vCPU type (QEMU model name, e.g. EPYC-v4, EPYC-Milan, EPYC-Genoa, EPYC-Turin).
    #[arg(long, value_name = "CPUTYPE", value_parser = vcpu_type)]
    vcpu_type: Option<VcpuType>,
    /// Guest vCPU signature value (CPUID(1).EAX).
    #[arg(long, value_name = "VALUE", value_parser = auto_u32)]
    vcpu_sig: Option<u32>,
    /// Guest vCPU family.
    #[arg(long, value_name = "FAMILY", requires_all = ["vcpu_model", "vcpu_stepping"])]
    vcpu_family: Option<u32>,
    /// Guest vCPU model.
    #[arg(long, value_name = "MODEL")]
    vcpu_model: Option<u32>,
    /// Guest vCPU stepping.
    #[arg(long, value_name = "STEPPING")]
    vcpu_stepping: Option<u32>,
    /// Type of guest VMM: QEMU, ec2, gce or krun.
    #[arg(long, value_name = "VMMTYPE", default_value = "QEMU")]
    vmm_type: String,
    /// OVMF file to calculate the hash from.
    #[arg(long, value_name = "PATH")]
    ovmf: PathBuf,
    /// Kernel file to calculate the hash from.
    #[arg(long, value_name = "PATH")]
    kernel: Option<PathBuf>,
    /// Initrd file to calculate the hash from (use with --kernel).
    #[arg(long, value_name = "PATH")]
    initrd: Option<PathBuf>,
    /// Kernel command line to calculate the hash from (use with --kernel).
    #[arg(long, value_name = "CMDLINE")]
    append: Option<String>,
    /// Guest features (SEV_FEATURES), default 0x1.
    #[arg(long, value_name = "VALUE", value_parser = auto_int, default_value = "0x1")]
    guest_features: u64,
    /// Measurement output format.
    #[arg(long, value_enum, default_value = "hex")]
    output_format: OutputFormat,
    /// Precalculated hash of the OVMF binary (hex string).
    #[arg(long, value_name = "HASH")]
    snp_ovmf_hash: Option<String>,
    /// Write the measured VMSAs to `vmsa<N>.bin` (seves, snp and snp:svsm modes only).
    #[arg(long)]
    dump_vmsa: bool,
    /// SVSM binary (snp:svsm mode).
    #[arg(long, value_name = "PATH")]
    svsm: Option<PathBuf>,
    /// Size of the OVMF_VARS file in bytes (snp:svsm mode).
    #[arg(long, value_name = "SIZE", conflicts_with = "vars_file")]
    vars_size: Option<u64>,
    /// OVMF_VARS file (snp:svsm mode).
    #[arg(long, value_name = "PATH")]
    vars_file: Option<PathBuf>,
    /// Print every measured page (GPA, type, contents hash, running digest), then the digest.
    #[arg(long)]
    explain: bool,
    /// Output format: text, or one JSON object `{mode, digest}` (hex), with `pages` under
    /// --explain and the --diff-log / --diff-vmsa findings.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Compare this launch's pages with a JSON log from `--explain --format json` and name the
    /// first page where they diverge (exit 1 if they do).
    #[arg(long, value_name = "LOG.json")]
    diff_log: Option<PathBuf>,
    /// Compare this launch's VMSAs with dumped VMSA pages (vCPU order) and name the differing
    /// fields (exit 1 if any differ).
    #[arg(long, value_name = "VMSA.bin", num_args = 1..)]
    diff_vmsa: Vec<PathBuf>,
}

fn mode_label(mode: Mode) -> &'static str {
    match mode {
        Mode::Sev => "SEV",
        Mode::SevEs => "SEV_ES",
        Mode::Snp | Mode::SnpOvmfHash => "SEV_SNP",
        Mode::SnpSvsm => "SEV_SNP_SVSM",
    }
}

/// The vCPU signature with sev-snp-measure's precedence: family/model/stepping, then
/// `--vcpu-sig`, then `--vcpu-type`.
fn signature(c: &MeasureCmd) -> Option<u32> {
    if let (Some(f), Some(m), Some(s)) = (c.vcpu_family, c.vcpu_model, c.vcpu_stepping) {
        return Some(cpu_sig(f, m, s));
    }
    c.vcpu_sig.or(c.vcpu_type.map(|t| t.signature()))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct JsonLog {
    mode: String,
    digest: String,
    pages: Vec<PageRecord>,
}

/// What `--diff-log` and `--diff-vmsa` found: `None` when nothing differs.
#[derive(Default, serde::Serialize)]
struct Diffs {
    #[serde(skip_serializing_if = "Option::is_none")]
    log_divergence: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vmsa_mismatch: Option<Option<String>>,
    /// How many VMSAs were compared.
    #[serde(skip)]
    vmsas_compared: usize,
}

fn measure_cmd(c: &MeasureCmd) -> Result<ExitCode> {
    let mode: Mode = c.mode.parse()?;
    let vmm: VmmType = c.vmm_type.parse()?;
    if c.dump_vmsa && matches!(mode, Mode::Sev | Mode::SnpOvmfHash) {
        bail!("--dump-vmsa is not available in the selected mode");
    }
    let vars_size = match (&c.vars_file, c.vars_size) {
        (Some(f), _) => Some(std::fs::metadata(f).with_context(|| f.display().to_string())?.len()),
        (None, s) => s,
    };
    let wants_log = c.explain || c.diff_log.is_some();
    let args = MeasureArgs {
        vcpus: c.vcpus,
        vcpu_sig: if mode == Mode::Sev { Some(0) } else { signature(c) },
        vmm,
        kernel: c.kernel.as_deref(),
        initrd: c.initrd.as_deref(),
        append: c.append.as_deref(),
        guest_features: c.guest_features,
        snp_ovmf_hash: c.snp_ovmf_hash.as_deref(),
        svsm: c.svsm.as_deref(),
        vars_size,
        explain: wants_log,
        ..MeasureArgs::new(mode, &c.ovmf)
    };
    let m = measure(&args)?;
    if c.dump_vmsa {
        for (i, v) in m.vmsas.iter().enumerate() {
            let name = format!("vmsa{i}.bin");
            std::fs::write(&name, v.as_bytes()).with_context(|| name.clone())?;
        }
    }
    let diffs = diffs(c, &m)?;
    let differs = matches!(diffs.log_divergence, Some(Some(_))) || matches!(diffs.vmsa_mismatch, Some(Some(_)));
    match c.format {
        Format::Json => print_json(c, &m, &diffs)?,
        Format::Text => {
            print_text(c, mode, &m);
            print_diffs(&diffs, &m);
        }
    }
    Ok(if differs { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Compares the launch with `--diff-log` and `--diff-vmsa`.
fn diffs(c: &MeasureCmd, m: &Measurement) -> Result<Diffs> {
    let mut d = Diffs::default();
    if let Some(path) = &c.diff_log {
        let other: JsonLog = serde_json::from_slice(&crate::input::read_capped(path)?)
            .with_context(|| format!("{}: not a `sev measure --explain --format json` log", path.display()))?;
        let ours = m.log.as_deref().unwrap_or_default();
        d.log_divergence = Some(first_divergence(ours, &other.pages).map(|x| x.to_string()));
    }
    if !c.diff_vmsa.is_empty() {
        let dumped = c.diff_vmsa.iter().map(|p| read_vmsa(p)).collect::<Result<Vec<_>>>()?;
        d.vmsa_mismatch = Some(compare_vmsas(&m.vmsas, &dumped).map(|x| x.to_string()));
        d.vmsas_compared = dumped.len().min(m.vmsas.len());
    }
    Ok(d)
}

fn print_diffs(d: &Diffs, m: &Measurement) {
    match &d.log_divergence {
        Some(Some(x)) => crate::output::outln!("{x}"),
        Some(None) => eprintln!(
            "logs are identical ({} pages)",
            m.log.as_deref().unwrap_or_default().len()
        ),
        None => {}
    }
    match &d.vmsa_mismatch {
        Some(Some(x)) => crate::output::outln!("{x}"),
        Some(None) => eprintln!("{} dumped VMSA(s) match", d.vmsas_compared),
        None => {}
    }
}

fn print_text(c: &MeasureCmd, mode: Mode, m: &Measurement) {
    if c.explain {
        print_log(c, mode, m);
    } else if mode == Mode::SnpOvmfHash {
        // sev-snp-measure prints the OVMF hash in hex whatever the output format.
        crate::output::outln!("{}", Hex(&m.digest));
    } else if c.verbose {
        crate::output::outln!(
            "Calculated {} guest measurement: {}",
            mode_label(mode),
            c.output_format.encode(&m.digest)
        );
    } else {
        crate::output::outln!("{}", c.output_format.encode(&m.digest));
    }
}

/// `{mode, digest}`, with the page log under --explain (the shape --diff-log reads) and the
/// diff findings.
fn print_json(c: &MeasureCmd, m: &Measurement, diffs: &Diffs) -> Result<()> {
    let mut v = serde_json::json!({ "mode": c.mode, "digest": Hex(&m.digest).to_string() });
    if c.explain {
        v["pages"] = serde_json::to_value(m.log.as_deref().unwrap_or_default())?;
    }
    if let (Some(obj), serde_json::Value::Object(extra)) = (v.as_object_mut(), serde_json::to_value(diffs)?) {
        obj.extend(extra);
    }
    crate::output::outln!("{}", serde_json::to_string_pretty(&v)?);
    Ok(())
}

fn read_vmsa(path: &Path) -> Result<SaveArea> {
    let bytes = crate::input::read_capped(path)?;
    SaveArea::read_from_bytes(&bytes).with_context(|| path.display().to_string())
}

fn print_log(c: &MeasureCmd, mode: Mode, m: &Measurement) {
    let pages = m.log.as_deref().unwrap_or_default();
    if pages.is_empty() {
        crate::output::outln!("(mode {}: the digest is a plain SHA-256, no page log)", c.mode);
    } else {
        crate::output::outln!(
            "{:>6} {:<14} {:<10} {:<28} contents / running digest",
            "page",
            "gpa",
            "type",
            "origin"
        );
    }
    for p in pages {
        crate::output::outln!("{p}");
    }
    crate::output::outln!(
        "{} measurement: {}",
        mode_label(mode),
        c.output_format.encode(&m.digest)
    );
}

fn report(r: Result<ExitCode>) -> ExitCode {
    r.unwrap_or_else(|e| crate::fail::report(&e))
}

/// Runs `sev measure`.
pub fn run_measure(c: MeasureCmd) -> ExitCode {
    report(measure_cmd(&c))
}

/// Arguments of `sev id-block`.
#[derive(clap::Args, Debug)]
pub struct IdBlockCmd {
    /// ID private key (PEM: SEC1 or PKCS#8, P-384).
    #[arg(long, value_name = "PEM", required_unless_present = "verify")]
    id_key: Option<PathBuf>,
    /// Author private key (PEM: SEC1 or PKCS#8, P-384); optional.
    #[arg(long, value_name = "PEM")]
    author_key: Option<PathBuf>,
    /// Expected launch digest (96 hex digits or base64 of 48 bytes).
    #[arg(long, value_name = "DIGEST", required_unless_present = "verify")]
    launch_digest: Option<String>,
    /// Family ID (32 hex digits).
    #[arg(long, value_name = "HEX")]
    family_id: Option<String>,
    /// Image ID (32 hex digits).
    #[arg(long, value_name = "HEX")]
    image_id: Option<String>,
    /// ID block structure version.
    #[arg(
        long = "id-block-version",
        id = "id_block_version",
        value_name = "N",
        default_value_t = 1
    )]
    block_version: u32,
    /// Guest SVN.
    #[arg(long, default_value_t = 0)]
    guest_svn: u32,
    /// Guest policy (must equal the launch policy).
    #[arg(long, value_parser = auto_int, default_value = "0x30000")]
    policy: u64,
    /// Encoding of the printed blocks and digests (in text and JSON alike).
    #[arg(long, value_enum, default_value = "base64")]
    output_format: OutputFormat,
    /// Output format: `name: value` lines, or one JSON object with the same names (`id_block`,
    /// `id_auth`, `id_key_digest`, `author_key_digest`; `signatures` with --verify).
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Also write the raw 96-byte ID block here.
    #[arg(long, value_name = "FILE")]
    out_id_block: Option<PathBuf>,
    /// Also write the raw 4096-byte ID auth block here.
    #[arg(long, value_name = "FILE")]
    out_id_auth: Option<PathBuf>,
    /// Verify an existing ID block and ID auth block (raw or base64 files) instead of signing.
    #[arg(long, num_args = 2, value_names = ["ID_BLOCK", "ID_AUTH"], conflicts_with_all = ["id_key", "launch_digest"])]
    verify: Vec<PathBuf>,
}

fn decode_fixed<const N: usize>(what: &str, s: &str) -> Result<[u8; N]> {
    let s = s.trim();
    let mut out = [0u8; N];
    if sev_measure::sev_types::fmt::decode_hex_into(s, &mut out).is_some() {
        return Ok(out);
    }
    let v = B64
        .decode(s)
        .map_err(|_| anyhow!("{what}: expected {} hex digits or base64 of {N} bytes", 2 * N))?;
    v.as_slice()
        .try_into()
        .map_err(|_| anyhow!("{what}: expected {N} bytes, got {}", v.len()))
}

fn read_key(path: &Path) -> Result<zeroize::Zeroizing<String>> {
    Ok(zeroize::Zeroizing::new(
        String::from_utf8(crate::input::read_capped(path)?)
            .with_context(|| format!("{} is not text", path.display()))?,
    ))
}

/// Reads a raw block of `len` bytes, or base64 text of one.
fn read_block(path: &Path, len: usize) -> Result<Vec<u8>> {
    let raw = crate::input::read_capped(path)?;
    if raw.len() == len {
        return Ok(raw);
    }
    let text = String::from_utf8_lossy(&raw);
    let v = B64
        .decode(text.trim())
        .map_err(|_| anyhow!("{}: neither {len} raw bytes nor base64", path.display()))?;
    if v.len() != len {
        bail!("{}: expected {len} bytes, got {}", path.display(), v.len());
    }
    Ok(v)
}

fn id_block_cmd(c: &IdBlockCmd) -> Result<ExitCode> {
    let f = c.output_format;
    if let [block_path, auth_path] = c.verify.as_slice() {
        let block = read_block(block_path, 0x60)?;
        let auth = read_block(auth_path, 0x1000)?;
        let v = verify_id_auth(IdBlock::ref_from_bytes(&block)?, IdAuthInfo::ref_from_bytes(&auth)?)?;
        let mut fields = vec![("id-key-digest", f.encode(&v.id_key_digest))];
        if let Some(a) = v.author_key_digest {
            fields.push(("author-key-digest", f.encode(&a)));
        }
        fields.push(("signatures", "OK".to_string()));
        print_fields(c.format, &fields)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(id_path), Some(ld)) = (&c.id_key, &c.launch_digest) else {
        bail!("--id-key and --launch-digest are required");
    };
    let mut block = default_id_block(decode_fixed::<48>("--launch-digest", ld)?);
    if let Some(v) = &c.family_id {
        block.family_id = decode_fixed::<16>("--family-id", v)?;
    }
    if let Some(v) = &c.image_id {
        block.image_id = decode_fixed::<16>("--image-id", v)?;
    }
    block.version.set(c.block_version);
    block.guest_svn.set(c.guest_svn);
    block.policy.set(c.policy);
    let id_key = SigningKey::from_pem(&read_key(id_path)?).with_context(|| id_path.display().to_string())?;
    let author = match &c.author_key {
        Some(p) => Some(SigningKey::from_pem(&read_key(p)?).with_context(|| p.display().to_string())?),
        None => None,
    };
    let auth = sign_id_auth(&block, &id_key, author.as_ref());
    if let Some(p) = &c.out_id_block {
        std::fs::write(p, block.as_bytes()).with_context(|| p.display().to_string())?;
    }
    if let Some(p) = &c.out_id_auth {
        std::fs::write(p, auth.as_bytes()).with_context(|| p.display().to_string())?;
    }
    let mut fields = vec![
        ("id-block", f.encode(block.as_bytes())),
        ("id-auth", f.encode(auth.as_bytes())),
        ("id-key-digest", f.encode(&id_key.key_digest())),
    ];
    if let Some(a) = &author {
        fields.push(("author-key-digest", f.encode(&a.key_digest())));
    }
    print_fields(c.format, &fields)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `name: value` lines, or one JSON object whose keys are the names with `_` for `-`.
fn print_fields(format: Format, fields: &[(&str, String)]) -> Result<()> {
    match format {
        Format::Text => {
            for (name, value) in fields {
                crate::output::outln!("{name}: {value}");
            }
        }
        Format::Json => {
            let obj: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(name, value)| (name.replace('-', "_"), serde_json::Value::from(value.as_str())))
                .collect();
            crate::output::outln!("{}", serde_json::to_string_pretty(&obj)?);
        }
    }
    Ok(())
}

/// Runs `sev id-block`.
pub fn run_id_block(c: IdBlockCmd) -> ExitCode {
    report(id_block_cmd(&c))
}

/// Arguments of `sev key-digest`.
#[derive(clap::Args, Debug)]
pub struct KeyDigestCmd {
    /// P-384 key in PEM (private SEC1/PKCS#8 or public SubjectPublicKeyInfo), or a raw 0x404-byte
    /// AMD public key.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Output encoding.
    #[arg(long, value_enum, default_value = "hex")]
    output_format: OutputFormat,
    /// Output format: the digest alone, or `{"key_digest": ...}`.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

fn key_digest_cmd(c: &KeyDigestCmd) -> Result<ExitCode> {
    let raw = zeroize::Zeroizing::new(crate::input::read_capped(&c.key)?);
    let key = if raw.len() == sev_measure::sev_types::ecdsa::EcdsaPublicKey::SIZE {
        sev_measure::sev_types::ecdsa::EcdsaPublicKey::ref_from_prefix(&raw)?.clone()
    } else {
        let text = std::str::from_utf8(&raw).map_err(|_| anyhow!("{}: not PEM text", c.key.display()))?;
        public_key_from_pem(text).with_context(|| c.key.display().to_string())?
    };
    let digest = c.output_format.encode(&key_digest(&key));
    match c.format {
        Format::Text => crate::output::outln!("{digest}"),
        Format::Json => print_fields(c.format, &[("key-digest", digest)])?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `sev key-digest`.
pub fn run_key_digest(c: KeyDigestCmd) -> ExitCode {
    report(key_digest_cmd(&c))
}
