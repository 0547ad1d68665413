//! `sev verify report` and `sev verify certs`: AMD chains, report signatures, CRLs and policy.
//!
//! Exit codes: 0 valid; 1 usage error or unreadable input; 2 signature or chain failure;
//! 3 missing certificate; 4 revoked or bad CRL; 5 policy violation.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use sev_types::Product;
use sev_types::guest::certs::{CertKind, CertTable};
use sev_types::report::Report;
use sev_verify::crypto::CryptoProvider;
use sev_verify::policy::{EvidenceContext, Policy, Violation};
use sev_verify::snp::{
    self, AmdCert, Crl, ErrorKind, SnpError, TrustStore, VerifiedChain, VerifyOptions, leaf_role_for, pem,
};

use crate::input::{Inform, read_capped, read_report};

/// `sev verify` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum VerifyCmd {
    /// Verify an attestation report: its VCEK/VLEK chain to AMD's roots, its signature, its
    /// binding to the certificate (hwID, TCB, product), CRLs, and a policy.
    Report(ReportArgs),
    /// Verify the AMD certificate chain (ARK, ASK/ASVK, VCEK/VLEK) found in a directory.
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

/// Output formats.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One line per check.
    #[default]
    Text,
    /// A JSON object listing each check and its outcome.
    Json,
}

/// Options shared by both subcommands.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// Pin this ARK (DER or PEM) in addition to the built-in AMD roots.
    #[arg(long)]
    pub ark: Option<PathBuf>,
    /// Use this ASK or ASVK (DER or PEM) instead of the built-in one.
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
}

/// Arguments of `sev verify certs`.
#[derive(clap::Args, Debug)]
pub struct CertsArgs {
    /// The directory (DER, PEM and PEM bundles; other files are ignored).
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
    fn code(&self) -> u8 {
        self.checks
            .iter()
            .find(|c| c.outcome == Outcome::Fail)
            .map_or(0, |c| c.code)
    }

    fn print(&self, format: Format) -> ExitCode {
        let code = self.code();
        match format {
            Format::Json => {
                let v = serde_json::json!({
                    "valid": code == 0,
                    "exit_code": code,
                    "checks": self.checks,
                    "violations": self.violations,
                });
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
        _ => 2,
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

/// Certificates and CRLs gathered from the inputs, as DER.
#[derive(Default)]
struct Evidence {
    certs: Vec<Vec<u8>>,
    crls: Vec<Crl>,
    ignored: Vec<String>,
    /// DER objects that are neither an AMD certificate nor a CRL, with the certificate error.
    rejected: Vec<(String, SnpError)>,
}

impl Evidence {
    fn describe(&self) -> String {
        let roles: Vec<String> = self
            .certs
            .iter()
            .map(|d| AmdCert::from_der(d).map_or("?".into(), |c| c.role().to_string()))
            .collect();
        let mut s = format!(
            "{} certificate(s) [{}], {} CRL(s)",
            self.certs.len(),
            roles.join(", "),
            self.crls.len()
        );
        if !self.ignored.is_empty() {
            s.push_str(&format!("; ignored: {}", self.ignored.join(", ")));
        }
        s
    }

    /// Records the "certificates" check: fails on the first rejected certificate.
    fn certificates_ok(&self, run: &mut Run) -> bool {
        match self.rejected.first() {
            Some((name, e)) => {
                run.fail("certificates", exit_code(e.kind()), format!("{name}: {e}"));
                false
            }
            None => {
                run.pass("certificates", self.describe());
                true
            }
        }
    }

    /// Adds every certificate and CRL in `bytes`; fails if something in it is neither.
    fn add_strict(&mut self, bytes: &[u8], what: &Path) -> Result<()> {
        let ders = pem::split_der_or_pem(bytes).with_context(|| format!("{} holds no certificate", what.display()))?;
        for der in ders {
            if AmdCert::from_der(&der).is_ok() {
                self.certs.push(der);
            } else {
                let crl =
                    Crl::from_der(&der).with_context(|| format!("{} is not a certificate or CRL", what.display()))?;
                self.crls.push(crl);
            }
        }
        Ok(())
    }

    /// Adds what `bytes` holds. Input that is neither DER nor PEM is ignored (and recorded);
    /// DER that is not an AMD certificate or CRL is rejected (and recorded).
    fn add_lenient(&mut self, bytes: &[u8], name: &str) {
        let pem_text = bytes.windows(11).any(|w| w == b"-----BEGIN ");
        let parsed = if is_der_sequence(bytes) || pem_text {
            pem::split_der_or_pem(bytes).ok()
        } else {
            None
        };
        let Some(ders) = parsed else {
            self.ignored.push(name.to_string());
            return;
        };
        for der in ders {
            match AmdCert::from_der(&der) {
                Ok(_) => self.certs.push(der),
                Err(e) => match Crl::from_der(&der) {
                    Ok(crl) => self.crls.push(crl),
                    Err(_) => self.rejected.push((name.to_string(), e)),
                },
            }
        }
    }

    fn add_dir(&mut self, dir: &Path) -> Result<()> {
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
            self.add_lenient(&bytes, &name);
        }
        Ok(())
    }

    fn add_cert_table(&mut self, path: &Path) -> Result<()> {
        let bytes = read_capped(path)?;
        let table =
            CertTable::from_bytes(&bytes).with_context(|| format!("{} is not a certificate table", path.display()))?;
        for cert in table.iter() {
            match cert.kind {
                CertKind::Crl => self
                    .crls
                    .extend(Crl::parse_all(cert.data).context("certificate table CRL")?),
                _ => self.add_lenient(cert.data, cert.kind.name().unwrap_or("unknown GUID")),
            }
        }
        Ok(())
    }

    fn add_file(&mut self, path: &Path) -> Result<()> {
        let bytes = read_capped(path)?;
        self.add_strict(&bytes, path)
    }
}

/// Whether `b` is exactly one DER SEQUENCE (so that hex text starting with `30` is not taken
/// for DER).
fn is_der_sequence(b: &[u8]) -> bool {
    let (len, header) = match (b.first(), b.get(1)) {
        (Some(0x30), Some(&l)) if l < 0x80 => (usize::from(l), 2),
        (Some(0x30), Some(&l)) if (0x81..=0x83).contains(&l) => {
            let n = usize::from(l - 0x80);
            let Some(bytes) = b.get(2..2 + n) else { return false };
            (bytes.iter().fold(0usize, |acc, &x| (acc << 8) | usize::from(x)), 2 + n)
        }
        _ => return false,
    };
    header + len == b.len()
}

/// Reads the common inputs: the trust store, --ark/--ask, and CRLs. Records the failing check.
fn common_inputs(c: &CommonArgs, provider: &CryptoProvider, ev: &mut Evidence, run: &mut Run) -> Option<TrustStore> {
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
        store = match store.with_pinned_arks(provider, &refs) {
            Ok(s) => s,
            Err(e) => {
                run.fail("roots", 1, format!("--ark: {e}"));
                return None;
            }
        };
        ev.certs.extend(ders);
        run.pass(
            "roots",
            format!("built-in AMD roots and the ARK pinned from {}", ark.display()),
        );
    } else {
        run.pass("roots", "built-in AMD roots (Milan, Genoa, Turin)");
    }
    if let Some(ask) = &c.ask {
        if let Err(e) = ev.add_file(ask) {
            run.fail("certificates", 1, e);
            return None;
        }
    }
    for path in &c.crl {
        let parsed = std::fs::read(path)
            .with_context(|| format!("cannot read {}", path.display()))
            .map_err(|e| (1, e))
            .and_then(|b| {
                Crl::parse_all(&b).map_err(|e| (4, anyhow::Error::new(e).context(path.display().to_string())))
            });
        match parsed {
            Ok(crls) => ev.crls.extend(crls),
            Err((code, e)) => {
                run.fail("crl", code, e);
                return None;
            }
        }
    }
    Some(store)
}

fn chain_detail(chain: &VerifiedChain) -> String {
    let [ark, int, leaf] = chain.certs();
    format!(
        "{} → {} → {} ({}; valid until {})",
        ark.subject_cn(),
        int.subject_cn(),
        leaf.subject_cn(),
        leaf.role(),
        utc(leaf.not_after())
    )
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian calendar).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Shift the epoch to 0000-03-01 so that leap days fall at the end of each 400-year era.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Applies the CRLs issued by the chain's ARK: signature, time window, revoked serials.
fn check_crls(run: &mut Run, provider: &CryptoProvider, chain: &VerifiedChain, crls: &[Crl], now: u64, stale_ok: bool) {
    if crls.is_empty() {
        run.skip("crl", "no CRL given");
        return;
    }
    let ark = chain.ark();
    let mut applied = 0;
    for crl in crls.iter().filter(|c| c.issuer_cn() == ark.subject_cn()) {
        let checked = crl
            .verify(provider, ark)
            .and_then(|()| if stale_ok { Ok(()) } else { crl.check_time(now) });
        if let Err(e) = checked {
            run.snp_fail("crl", &e);
            return;
        }
        for cert in [chain.intermediate(), chain.leaf()] {
            if crl.is_revoked(cert.serial()) {
                let serial = sev_types::fmt::Hex(cert.serial());
                run.fail(
                    "crl",
                    4,
                    format!("{} certificate serial {serial} is revoked", cert.role()),
                );
                return;
            }
        }
        applied += 1;
    }
    if applied == 0 {
        let found: Vec<&str> = crls.iter().map(Crl::issuer_cn).collect();
        run.fail(
            "crl",
            4,
            format!("no CRL is issued by {}; found issuers {found:?}", ark.subject_cn()),
        );
    } else {
        run.pass(
            "crl",
            format!(
                "{applied} CRL(s) from {} verified; no certificate of the chain revoked",
                ark.subject_cn()
            ),
        );
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
    let policy = match a.policy.as_deref().map(read_policy).transpose() {
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
    let mut ev = Evidence::default();
    let Some(store) = common_inputs(c, &provider, &mut ev, run) else {
        return;
    };
    let source = if let Some(dir) = &a.certs {
        ev.add_dir(dir)
    } else if let Some(f) = &a.vcek {
        ev.add_file(f)
    } else if let Some(t) = &a.cert_table {
        ev.add_cert_table(t)
    } else {
        Ok(())
    };
    if let Err(e) = source {
        return run.fail("certificates", 1, e);
    }
    if !ev.certificates_ok(run) {
        return;
    }
    let now = c.time.unwrap_or_else(snp::unix_now);
    let chain = leaf_role_for(&report)
        .and_then(|role| {
            let refs: Vec<&[u8]> = ev.certs.iter().map(Vec::as_slice).collect();
            snp::verify_chain(&provider, &store, &refs, Some(role), now, None)
        })
        .map_err(|e| run.snp_fail("chain", &e));
    let verified = chain.ok().and_then(|chain: Arc<VerifiedChain>| {
        run.pass("chain", chain_detail(&chain));
        check_crls(run, &provider, &chain, &ev.crls, now, c.allow_stale_crl);
        let opts = VerifyOptions {
            product: c.product,
            skip_hwid_check: a.skip_hwid_check,
            ..VerifyOptions::at(now)
        };
        match snp::verify_report_with_chain(&provider, &report, chain, &opts) {
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
        }
    });
    if verified.is_none() {
        run.skip("policy", "not evaluated: the report did not verify");
        return;
    }
    let ctx = EvidenceContext {
        product: verified.as_ref().map(|v| v.product()).or(product),
        vlek_csp_id: verified.as_ref().and_then(|v| v.csp_id()),
    };
    let policy = policy.unwrap_or_default();
    let what = if a.policy.is_some() {
        "policy file"
    } else {
        "default policy (debug forbidden)"
    };
    match policy.validate(&report, &ctx) {
        Ok(()) => run.pass("policy", format!("{what}: every rule holds")),
        Err(v) => {
            run.fail("policy", 5, format!("{what}: {} violation(s)", v.len()));
            run.violations = v;
        }
    }
}

fn verify_certs(a: &CertsArgs, run: &mut Run) {
    let c = &a.common;
    let provider = c.backend.provider();
    let mut ev = Evidence::default();
    let Some(store) = common_inputs(c, &provider, &mut ev, run) else {
        return;
    };
    if let Err(e) = ev.add_dir(&a.dir) {
        return run.fail("certificates", 1, e);
    }
    if !ev.certificates_ok(run) {
        return;
    }
    let now = c.time.unwrap_or_else(snp::unix_now);
    let refs: Vec<&[u8]> = ev.certs.iter().map(Vec::as_slice).collect();
    match snp::verify_chain(&provider, &store, &refs, None, now, None) {
        Ok(chain) => {
            if let Some(p) = c.product {
                if p.kds_product() != chain.product() {
                    return run.fail("chain", 2, format!("the chain is {}'s, expected {p}", chain.product()));
                }
            }
            run.pass("chain", chain_detail(&chain));
            check_crls(run, &provider, &chain, &ev.crls, now, c.allow_stale_crl);
        }
        Err(e) => run.snp_fail("chain", &e),
    }
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_matches_known_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        // ARK-Milan notAfter (shared/spec/kds-and-certs.md §2); seconds from Python's datetime.
        assert_eq!(utc(2_392_305_785), "2045-10-22T17:23:05Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_764_547_200), "2025-12-01T00:00:00Z");
    }
}
