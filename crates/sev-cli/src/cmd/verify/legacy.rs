//! `sev verify certs` for legacy SEV chains: SEV-format PDH, PEK, OCA and CEK certificates and
//! AMD-format ASK and ARK, alone or concatenated, recognised by content.
//!
//! This module only reads files and records checks; recognition and verification are
//! `sev_verify::legacy`'s ([`split_certificates`], [`CertSet`]).

use std::path::{Path, PathBuf};

use sev_types::fmt::Hex;
use sev_types::legacy::{AmdCertificate, Usage};
use sev_verify::legacy::{CertSet, Generation, LegacyCert, LegacyError, split_certificates};
use sev_verify::snp::CertBundle;

use super::{CertsArgs, Run};
use crate::input::read_capped;

/// One file of the directory, with what it holds.
struct File {
    name: String,
    bytes: Vec<u8>,
}

/// Verifies the SEV-format certificates in `a.dir` and records the `legacy-*` checks.
///
/// Returns whether the SNP X.509 verification should run as well: when the directory holds no
/// SEV-format certificate (nothing is recorded then), when it also holds DER or PEM, or when it
/// cannot be read (the SNP path reports that).
pub(super) fn verify_certs(a: &CertsArgs, run: &mut Run) -> bool {
    let Some(files) = read_dir(&a.dir) else {
        return true;
    };
    let mut recognized: Vec<(&str, Vec<LegacyCert<'_>>)> = Vec::new();
    let mut malformed: Option<(&str, LegacyError)> = None;
    let mut ignored: Vec<&str> = Vec::new();
    let mut x509 = false;
    for f in &files {
        match split_certificates(&f.bytes) {
            Ok(Some(certs)) => recognized.push((&f.name, certs)),
            Ok(None) if looks_like_der_or_pem(&f.bytes) => x509 = true,
            Ok(None) => ignored.push(&f.name),
            Err(e) => {
                malformed.get_or_insert((&f.name, e));
            }
        }
    }
    if recognized.is_empty() && malformed.is_none() {
        return true;
    }
    let c = &a.common;
    let pins = match Pins::read(c.ark.as_deref(), c.ask.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            run.fail("legacy-roots", 1, e);
            return false;
        }
    };
    let pinned_x509 = (c.ark.is_some() && pins.ark.is_none()) || (c.ask.is_some() && pins.ask.is_none());
    if !x509 && (pinned_x509 || !c.crl.is_empty()) {
        run.fail(
            "legacy-roots",
            1,
            "X.509 --ark/--ask and --crl apply to SNP chains; the directory holds only SEV-format \
             certificates: pin an AMD-format (SEV) ARK and ASK instead, or rely on the built-in SEV roots",
        );
        return false;
    }
    let pinned_ark = pins.ark.as_ref().and_then(|b| amd_cert(b));
    match &pinned_ark {
        Some(ark) => run.pass("legacy-roots", format!("pinned SEV ARK {}", Hex(ark.key_id()))),
        None => {
            let builtin: Vec<&str> = Generation::ALL.iter().map(|g| g.name()).collect();
            run.pass("legacy-roots", format!("built-in SEV roots ({})", builtin.join(", ")));
        }
    }
    if let Some((name, e)) = malformed {
        run.fail("legacy-certificates", 1, format!("{name}: {e}"));
        return x509;
    }
    let mut set = CertSet::new();
    for (name, certs) in &recognized {
        for cert in certs {
            if let Err(e) = set.insert(*cert) {
                run.fail(
                    "legacy-certificates",
                    1,
                    format!("{e} (the second in {name}): give one platform's chain per directory"),
                );
                return x509;
            }
        }
    }
    if let Some(ask) = pins.ask.as_deref().and_then(|b| split_certificates(b).ok().flatten())
        && let Err(e) = ask.into_iter().try_for_each(|cert| set.insert(cert))
    {
        run.fail("legacy-certificates", 1, format!("--ask: {e}"));
        return x509;
    }
    run.pass("legacy-certificates", describe(&recognized, &ignored));
    let provider = c.backend.provider();
    let result = match &pinned_ark {
        Some(ark) => set.verify_pinned(&provider, ark),
        None => set.verify(&provider),
    };
    let verified = match result {
        Ok(v) => v,
        Err(e) => {
            run.fail("legacy-chain", exit_code(&e), &e);
            return x509;
        }
    };
    if let (Some(p), Some(generation)) = (c.product, verified.generation()) {
        let expected = p.kds_product();
        if expected.name() != generation.name() {
            run.fail(
                "legacy-chain",
                2,
                format!("the chain is {generation}'s, expected {expected}"),
            );
            return x509;
        }
    }
    run.pass("legacy-chain", verified.to_string());
    if !set.has_platform() {
        run.skip(
            "legacy-platform",
            "no PDH, PEK, OCA or CEK in the directory: only the AMD ASK and ARK were verified",
        );
    }
    x509
}

/// `--ark` and `--ask` when they hold AMD-format (SEV) certificates; X.509 files are left to the
/// SNP path.
#[derive(Default)]
struct Pins {
    ark: Option<Vec<u8>>,
    ask: Option<Vec<u8>>,
}

impl Pins {
    fn read(ark: Option<&Path>, ask: Option<&Path>) -> Result<Self, String> {
        let read = |path: Option<&Path>, usage: Usage| -> Result<Option<Vec<u8>>, String> {
            let Some(path) = path else { return Ok(None) };
            let bytes = read_capped(path).map_err(|e| format!("{e:#}"))?;
            match split_certificates(&bytes) {
                Ok(Some(certs)) if certs.len() == 1 && certs[0].usage() == usage => Ok(Some(bytes)),
                Ok(Some(_)) => Err(format!(
                    "{}: expected one AMD-format {usage} certificate",
                    path.display()
                )),
                Ok(None) | Err(_) => Ok(None),
            }
        };
        Ok(Pins {
            ark: read(ark, Usage::Ark)?,
            ask: read(ask, Usage::Ask)?,
        })
    }
}

fn amd_cert(bytes: &[u8]) -> Option<AmdCertificate<'_>> {
    AmdCertificate::from_bytes(bytes).ok()
}

/// The exit code for a legacy failure: 3 for an absent certificate, 1 for unusable input, 2 for
/// a chain that does not verify.
fn exit_code(e: &LegacyError) -> u8 {
    match e {
        LegacyError::Missing { .. } => 3,
        LegacyError::Duplicate { .. } | LegacyError::Unrecognized { .. } | LegacyError::Parse(_) => 1,
        _ => 2,
    }
}

/// `pdh.cert [PDH], chain.cert [PEK, OCA, CEK]; ignored: notes.txt`.
fn describe(recognized: &[(&str, Vec<LegacyCert<'_>>)], ignored: &[&str]) -> String {
    let files: Vec<String> = recognized
        .iter()
        .map(|(name, certs)| {
            let usages: Vec<String> = certs.iter().map(|c| c.usage().to_string()).collect();
            format!("{name} [{}]", usages.join(", "))
        })
        .collect();
    let mut s = files.join(", ");
    if !ignored.is_empty() {
        s.push_str(&format!("; ignored: {}", ignored.join(", ")));
    }
    s
}

/// Whether the SNP path looks into `bytes` rather than ignoring them (DER or PEM), by its own
/// rule.
fn looks_like_der_or_pem(bytes: &[u8]) -> bool {
    let mut probe = CertBundle::new();
    probe.add_lenient(bytes, "");
    probe.ignored().is_empty()
}

/// The directory's regular files, sorted by name; `None` if anything cannot be read.
fn read_dir(dir: &Path) -> Option<Vec<File>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = read_capped(&p).ok()?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Some(File { name, bytes })
        })
        .collect()
}
