//! `sev verify report` and `sev verify certs`: AMD chains, report signatures, CRLs and policy;
//! legacy SEV-format chains in `sev verify certs` are the `legacy` module's.
//!
//! Exit codes: 0 valid; 1 usage error or unreadable input; 2 signature or chain failure;
//! 3 missing certificate; 4 revoked or bad CRL; 5 policy violation (including a report that
//! breaks a strict rule of the ABI). When several checks fail, the gravest wins, in the order
//! 2, 3, 4, 5, 1: a forged report exits 2 whatever else is wrong with the evidence.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use sev_types::Product;
use sev_types::guest::certs::CertTable;
use sev_types::report::Report;
use sev_verify::crypto::CryptoProvider;
use sev_verify::policy::{EvidenceContext, Policy, Violation};
use sev_verify::snp::{
    self, CertBundle, Crl, ErrorKind, Relaxations, SnpError, TrustStore, VerifiedChain, VerifyOptions, pem,
};
use sev_verify::time::Utc;

use crate::input::{Inform, read_capped, read_report};

mod legacy;
mod policy_args;

/// `sev verify` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum VerifyCmd {
    /// Verify an attestation report: its VCEK/VLEK chain to AMD's roots, its signature, its
    /// binding to the certificate (hwID, TCB, product), CRLs, and a policy.
    Report(ReportArgs),
    /// Verify the AMD certificate chains found in a directory: SNP (ARK, ASK/ASVK, VCEK/VLEK)
    /// and legacy SEV (PDH, PEK, OCA, CEK, ASK, ARK).
    Certs(CertsArgs),
}

/// Crypto backends.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// aws-lc-rs (fastest).
    #[default]
    #[value(name = "aws-lc")]
    AwsLc,
    /// ring.
    Ring,
    /// RustCrypto (pure Rust).
    Rustcrypto,
}

impl Backend {
    fn provider(self) -> CryptoProvider {
        match self {
            Backend::AwsLc => sev_verify::crypto::aws_lc::provider(),
            Backend::Ring => sev_verify::crypto::ring::provider(),
            Backend::Rustcrypto => sev_verify::crypto::rustcrypto::provider(),
        }
    }
}

pub use crate::output::Format;

/// Options shared by both subcommands.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Pin this ARK (DER or PEM) in addition to the built-in AMD roots; for SEV-format chains
    /// (`verify certs`), an AMD-format ARK, which then is the only root trusted.
    #[arg(long)]
    pub ark: Option<PathBuf>,
    /// Use this ASK or ASVK (DER or PEM) instead of the built-in one; for SEV-format chains, an
    /// AMD-format ASK.
    #[arg(long)]
    pub ask: Option<PathBuf>,
    /// The product, for v2 reports that carry no CPUID.
    #[arg(long)]
    pub product: Option<Product>,
    /// A CRL (DER or PEM) to apply; may be repeated.
    #[arg(long)]
    pub crl: Vec<PathBuf>,
    /// Accept a CRL outside its thisUpdate..nextUpdate window.
    #[arg(long)]
    pub allow_stale_crl: bool,
    /// Check validity at this time (seconds since the Unix epoch) instead of now.
    #[arg(long)]
    pub time: Option<u64>,
    /// Crypto backend.
    #[arg(long, value_enum, default_value_t)]
    pub backend: Backend,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Arguments of `sev verify report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The report (0x4A0 bytes raw, or hex/base64 text).
    pub report: PathBuf,
    /// Encoding of the report file.
    #[arg(long, value_enum, default_value_t)]
    pub inform: Inform,
    /// A directory of certificates (DER, PEM, PEM bundles; recognized by content).
    #[arg(long, group = "source")]
    pub certs: Option<PathBuf>,
    /// The VCEK or VLEK (DER or PEM; a PEM bundle may add the ASK and ARK).
    #[arg(long, group = "source")]
    pub vcek: Option<PathBuf>,
    /// A certificate table from an extended report or the configfs-tsm auxblob.
    #[arg(long, group = "source")]
    pub cert_table: Option<PathBuf>,
    /// A policy file (TOML, or JSON when it ends in .json or starts with `{`).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Do not compare the VCEK's hwID with CHIP_ID (needed for MASK_CHIP_ID reports and a VCEK).
    #[arg(long)]
    pub skip_hwid_check: bool,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub checks: Box<policy_args::PolicyArgs>,
    #[command(flatten)]
    pub fetch: Box<crate::cmd::kds_fetch::VerifyFetchArgs>,
}

/// Arguments of `sev verify certs`.
#[derive(clap::Args, Debug)]
pub struct CertsArgs {
    /// The directory (DER, PEM and PEM bundles, SEV-format certificates alone or concatenated;
    /// other files are ignored).
    pub dir: PathBuf,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, serde::Serialize)]
struct Check {
    check: &'static str,
    outcome: Outcome,
    detail: String,
    #[serde(skip)]
    code: u8,
}

/// Every check made, in order, and the policy violations.
#[derive(Default)]
struct Run {
    checks: Vec<Check>,
    violations: Vec<Violation>,
    /// What the policy left unchecked, once a report was appraised.
    not_appraised: Option<Vec<sev_verify::policy::Unappraised>>,
}

impl Run {
    fn pass(&mut self, check: &'static str, detail: impl Into<String>) {
        self.checks.push(Check {
            check,
            outcome: Outcome::Pass,
            detail: detail.into(),
            code: 0,
        });
    }

    fn fail(&mut self, check: &'static str, code: u8, detail: impl std::fmt::Display) {
        self.checks.push(Check {
            check,
            outcome: Outcome::Fail,
            detail: format!("{detail:#}"),
            code,
        });
    }

    fn skip(&mut self, check: &'static str, detail: impl Into<String>) {
        self.checks.push(Check {
            check,
            outcome: Outcome::Skip,
            detail: detail.into(),
            code: 0,
        });
    }

    fn snp_fail(&mut self, check: &'static str, e: &SnpError) {
        self.fail(check, exit_code(e.kind()), e);
    }

    /// The exit code of the first failed check, or 0.
    /// The exit code of the gravest failed check (see [`precedence`]), or 0.
    fn code(&self) -> u8 {
        self.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| c.code)
            .min_by_key(|&c| precedence(c))
            .unwrap_or(0)
    }

    fn print(&self, format: Format) -> ExitCode {
        let code = self.code();
        match format {
            Format::Json => {
                let mut v = serde_json::json!({
                    "valid": code == 0,
                    "exit_code": code,
                    "checks": self.checks,
                    "violations": self.violations,
                });
                if let Some(n) = &self.not_appraised {
                    v["not_appraised"] = serde_json::json!(n);
                }
                crate::output::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
            Format::Text => {
                for c in &self.checks {
                    let tag = match c.outcome {
                        Outcome::Pass => "PASS",
                        Outcome::Fail => "FAIL",
                        Outcome::Skip => "SKIP",
                    };
                    crate::output::outln!("{tag} {}: {}", c.check, c.detail);
                }
                for v in &self.violations {
                    crate::output::outln!("  violation: {v}");
                }
                if let Some(n) = self.not_appraised.as_deref().filter(|n| !n.is_empty()) {
                    crate::output::outln!("{}", policy_args::not_appraised_line(n));
                }
                crate::output::outln!(
                    "{}",
                    if code == 0 {
                        "valid".to_string()
                    } else {
                        format!("INVALID (exit {code})")
                    }
                );
            }
        }
        ExitCode::from(code)
    }
}

/// The exit code for a failure class.
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::MalformedReport => 1,
        ErrorKind::MissingCertificate => 3,
        ErrorKind::Revoked | ErrorKind::Crl => 4,
        ErrorKind::Nonconforming => 5,
        _ => 2,
    }
}

/// Rank of an exit code among failures, gravest first: signature or chain (2), missing
/// certificate (3), revocation or CRL (4), policy (5), then usage or unreadable input (1).
fn precedence(code: u8) -> u8 {
    match code {
        2 => 0,
        3 => 1,
        4 => 2,
        5 => 3,
        _ => 4,
    }
}

/// Runs `sev verify`.
pub fn run(cmd: VerifyCmd) -> ExitCode {
    match cmd {
        VerifyCmd::Report(a) => {
            let mut run = Run::default();
            verify_report(&a, &mut run);
            run.print(a.common.format)
        }
        VerifyCmd::Certs(a) => {
            let mut run = Run::default();
            verify_certs(&a, &mut run);
            run.print(a.common.format)
        }
    }
}

/// Records the "certificates" check: fails on the first refused certificate.
fn certificates_ok(bundle: &CertBundle, run: &mut Run) -> bool {
    match bundle.rejected().first() {
        Some((name, e)) => {
            run.fail("certificates", exit_code(e.kind()), format!("{name}: {e}"));
            false
        }
        None => {
            run.pass("certificates", bundle.describe());
            true
        }
    }
}

/// Adds every file of `dir` (sorted by name), recognised by content. SEV-format (pre-SNP)
/// certificates are left to the `legacy` module and not listed as ignored.
fn add_dir(bundle: &mut CertBundle, dir: &Path) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for f in files {
        let bytes = read_capped(&f)?;
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !matches!(sev_verify::legacy::split_certificates(&bytes), Ok(Some(_))) {
            bundle.add_lenient(&bytes, &name);
        }
    }
    Ok(())
}

/// Adds a file the user named: everything in it must be a certificate or CRL.
fn add_file(bundle: &mut CertBundle, path: &Path) -> Result<()> {
    let bytes = read_capped(path)?;
    bundle
        .add_file(&bytes)
        .with_context(|| format!("{} is not a certificate, CRL or bundle of them", path.display()))
}

/// The inputs shared by both subcommands: the trust store (with `--ark`), `--ask`, and the
/// `--crl` files. Records the failing check and returns `None` when one cannot be used.
struct Common {
    store: TrustStore,
    /// CRLs from `--crl`.
    crls: Vec<Crl>,
    /// `--crl` files that cannot be read (exit 1) or do not parse (exit 4), as (code, reason):
    /// reported by the `crl` check, after the signature, so they cannot hide a forgery.
    crl_errors: Vec<(u8, String)>,
}

fn common_inputs(c: &CommonArgs, provider: &CryptoProvider, bundle: &mut CertBundle, run: &mut Run) -> Option<Common> {
    let relax = *bundle.relaxations();
    let mut store = TrustStore::builtin(provider);
    if let Some(ark) = &c.ark {
        let ders = match read_capped(ark)
            .and_then(|b| pem::split_der_or_pem(&b).with_context(|| format!("{} holds no certificate", ark.display())))
        {
            Ok(d) => d,
            Err(e) => {
                run.fail("roots", 1, e);
                return None;
            }
        };
        let refs: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
        store = match store.with_pinned_arks_relaxed(provider, &refs, &relax) {
            Ok(s) => s.prefer_pinned(),
            Err(e) => {
                run.fail("roots", 1, format!("--ark: {e}"));
                return None;
            }
        };
        for der in &ders {
            if let Err(e) = bundle.add_der(der) {
                run.fail("roots", 1, format!("--ark: {e}"));
                return None;
            }
        }
        run.pass(
            "roots",
            format!("built-in AMD roots and the ARK pinned from {}", ark.display()),
        );
    } else {
        run.pass("roots", "built-in AMD roots (Milan, Genoa, Turin)");
    }
    if let Some(ask) = &c.ask {
        if let Err(e) = add_file(bundle, ask) {
            run.fail("certificates", 1, e);
            return None;
        }
    }
    let mut common = Common {
        store,
        crls: Vec::new(),
        crl_errors: Vec::new(),
    };
    for path in &c.crl {
        match read_capped(path) {
            Err(e) => common.crl_errors.push((1, format!("{e:#}"))),
            Ok(bytes) => match Crl::parse_all_with(&bytes, &relax) {
                Ok(mut crls) => common.crls.append(&mut crls),
                Err(e) => common.crl_errors.push((4, format!("{}: {e}", path.display()))),
            },
        }
    }
    Some(common)
}

fn chain_detail(chain: &VerifiedChain) -> String {
    let [ark, int, leaf] = chain.certs();
    format!(
        "{} → {} → {} ({}; valid until {})",
        ark.subject_cn(),
        int.subject_cn(),
        leaf.subject_cn(),
        leaf.role(),
        Utc(leaf.not_after())
    )
}

/// Applies the CRLs issued by the chain's ARK (signature, time window, revoked serials), after
/// reporting any CRL that did not parse.
fn check_crls(
    run: &mut Run,
    provider: &CryptoProvider,
    chain: &VerifiedChain,
    crls: &[Crl],
    crl_errors: &[(u8, String)],
    now: u64,
    stale_ok: bool,
) {
    if let Some((code, reason)) = crl_errors.first() {
        return run.fail("crl", *code, reason);
    }
    if crls.is_empty() {
        return run.skip("crl", "no CRL given");
    }
    match snp::apply_crls(provider, chain, crls, now, stale_ok) {
        Ok(n) => run.pass(
            "crl",
            format!(
                "{n} CRL(s) from {} verified; no certificate of the chain revoked",
                chain.ark().subject_cn()
            ),
        ),
        Err(e) => run.snp_fail("crl", &e),
    }
}

fn read_policy(path: &Path) -> Result<Policy> {
    let text = String::from_utf8(read_capped(path)?).with_context(|| format!("{} is not text", path.display()))?;
    let json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) || text.trim_start().starts_with('{');
    if json {
        serde_json::from_str(&text).with_context(|| format!("{} is not a JSON policy", path.display()))
    } else {
        toml::from_str(&text).with_context(|| format!("{} is not a TOML policy", path.display()))
    }
}

fn verify_report(a: &ReportArgs, run: &mut Run) {
    let c = &a.common;
    let appraisal = match policy_args::build(a.policy.as_deref(), &a.checks) {
        Ok(p) => p,
        Err(e) => return run.fail("policy", 1, e),
    };
    let bytes = match read_report(&a.report, a.inform) {
        Ok(b) => b,
        Err(e) => return run.fail("report", 1, e),
    };
    let report = match Report::from_bytes(&bytes) {
        Ok(r) => r,
        Err(e) => return run.fail("report", 1, e),
    };
    let product = report.product().or(c.product);
    run.pass(
        "report",
        format!(
            "version {}, {}, signed by {}",
            report.version(),
            product.map_or("product unknown (v2; give --product)".to_string(), |p| p.to_string()),
            report.signing_key()
        ),
    );
    let provider = c.backend.provider();
    let relax = appraisal.policy.relax;
    let mut bundle = CertBundle::with_relaxations(relax);
    let Some(common) = common_inputs(c, &provider, &mut bundle, run) else {
        return;
    };
    let source = if let Some(dir) = &a.certs {
        add_dir(&mut bundle, dir)
    } else if let Some(f) = &a.vcek {
        add_file(&mut bundle, f)
    } else if let Some(t) = &a.cert_table {
        add_cert_table(&mut bundle, t, run)
    } else {
        Ok(())
    };
    if let Err(e) = source {
        return run.fail("certificates", 1, e);
    }
    if a.fetch.enabled() && run.checks.iter().all(|c| c.outcome != Outcome::Fail) {
        let ctx = crate::cmd::kds_fetch::FillContext {
            product: c.product,
            provider: &provider,
            store: &common.store,
            have_crl: !c.crl.is_empty(),
            now: c.time,
        };
        match crate::cmd::kds_fetch::fill_missing(&a.fetch, &report, &mut bundle, &ctx) {
            Ok(detail) => run.pass("fetch", detail),
            Err((code, e)) => return run.fail("fetch", code, e),
        }
    }
    if run.checks.iter().any(|c| c.outcome == Outcome::Fail) || !certificates_ok(&bundle, run) {
        return;
    }
    let now = c.time.unwrap_or_else(snp::unix_now);
    let chain = snp::signer_of(&report)
        .and_then(|signer| {
            snp::verify_parsed_chain(
                &provider,
                &common.store,
                bundle.certs().to_vec(),
                Some(signer),
                now,
                None,
            )
        })
        .map_err(|e| run.snp_fail("chain", &e));
    let verified = chain.ok().and_then(|chain| {
        run.pass("chain", chain_detail(&chain));
        let chain = Arc::new(chain);
        // The report-level strict rules are checked below, as their own check.
        let report_rules = Relaxations {
            reserved_fields: true,
            unknown_report_version: true,
            chip_id_tail: true,
            ..relax
        };
        let opts = VerifyOptions {
            product: c.product,
            skip_hwid_check: a.skip_hwid_check,
            relax: report_rules,
            ..VerifyOptions::at(now)
        };
        let verified = match snp::verify_report_with_chain(&provider, &report, chain.clone(), &opts) {
            Ok(v) => {
                let hwid = if v.hwid_checked() {
                    "hwID = CHIP_ID"
                } else {
                    "hwID not checked"
                };
                let t = v.reported_tcb();
                run.pass(
                    "signature",
                    format!("ECDSA P-384 over bytes 0x000..0x2A0 verifies ({})", provider.name),
                );
                run.pass(
                    "binding",
                    format!("{}; REPORTED_TCB {t} matches the {}", hwid, v.chain().leaf().role()),
                );
                match snp::check_conformance(&report, v.product(), &relax) {
                    Ok(()) => run.pass("conformance", conformance_detail(&relax)),
                    Err(e) => run.snp_fail("conformance", &e),
                }
                Some(v)
            }
            Err(e) => {
                let check = if e.kind() == ErrorKind::Signature {
                    "signature"
                } else {
                    "binding"
                };
                run.snp_fail(check, &e);
                None
            }
        };
        let mut crls = common.crls.clone();
        crls.extend_from_slice(bundle.crls());
        let mut crl_errors = common.crl_errors.clone();
        crl_errors.extend(bundle.crl_errors().iter().map(|(name, e)| (4, format!("{name}: {e}"))));
        check_crls(run, &provider, &chain, &crls, &crl_errors, now, c.allow_stale_crl);
        verified
    });
    let Some(verified) = verified else {
        run.skip("policy", "not evaluated: the report did not verify");
        return;
    };
    let ctx = EvidenceContext {
        product: Some(verified.product()),
        ..verified.evidence_context()
    };
    let (policy, what) = (&appraisal.policy, appraisal.source);
    match policy.validate(&report, &ctx) {
        Ok(()) => run.pass("policy", format!("{what}: every rule holds")),
        Err(v) => {
            run.fail("policy", 5, format!("{what}: {} violation(s)", v.len()));
            run.violations = v;
        }
    }
    let crl_applied = run
        .checks
        .iter()
        .any(|c| c.check == "crl" && c.outcome != Outcome::Skip);
    run.not_appraised = Some(policy_args::not_appraised(policy, crl_applied));
}

fn verify_certs(a: &CertsArgs, run: &mut Run) {
    // SEV-format (pre-SNP) certificates; the SNP path follows unless the directory holds only those.
    if !legacy::verify_certs(a, run) {
        return;
    }
    let c = &a.common;
    let provider = c.backend.provider();
    let mut bundle = CertBundle::new();
    let Some(common) = common_inputs(c, &provider, &mut bundle, run) else {
        return;
    };
    if let Err(e) = add_dir(&mut bundle, &a.dir) {
        return run.fail("certificates", 1, e);
    }
    if !certificates_ok(&bundle, run) {
        return;
    }
    let now = c.time.unwrap_or_else(snp::unix_now);
    match snp::verify_parsed_chain(&provider, &common.store, bundle.certs().to_vec(), None, now, None) {
        Ok(chain) => {
            if let Some(p) = c.product {
                if p.kds_product() != chain.product() {
                    return run.fail("chain", 2, format!("the chain is {}'s, expected {p}", chain.product()));
                }
            }
            run.pass("chain", chain_detail(&chain));
            let mut crls = common.crls.clone();
            crls.extend_from_slice(bundle.crls());
            check_crls(
                run,
                &provider,
                &chain,
                &crls,
                &common.crl_errors,
                now,
                c.allow_stale_crl,
            );
        }
        Err(e) => run.snp_fail("chain", &e),
    }
}

/// Reads a certificate table and adds its certificates and CRLs. A table over the limits, or
/// with overlapping entries, is refused before anything in it is parsed (exit 2).
fn add_cert_table(bundle: &mut CertBundle, path: &Path, run: &mut Run) -> Result<()> {
    let bytes = read_capped(path)?;
    let table =
        CertTable::from_bytes(&bytes).with_context(|| format!("{} is not a certificate table", path.display()))?;
    if let Err(e) = bundle.add_table(&table) {
        run.snp_fail("certificates", &e);
    }
    Ok(())
}

/// The "conformance" check's detail: the strict rules applied, and the ones relaxed.
fn conformance_detail(relax: &Relaxations) -> String {
    let relaxed: Vec<&str> = relax.named().iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect();
    let mut s = format!(
        "reserved fields zero, version at most {}, Turin CHIP_ID tail zero",
        snp::NEWEST_REPORT_VERSION
    );
    if !relaxed.is_empty() {
        s.push_str(&format!(" (relaxed: {})", relaxed.join(", ")));
    }
    s
}
