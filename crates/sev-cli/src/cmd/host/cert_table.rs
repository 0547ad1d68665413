//! `sev host cert-table export|import`: the GHCB certificate table (the blob a host hands to
//! guests with extended reports) to and from one file per certificate.
//!
//! File names are the ones `sev guest certificates` writes: `ark`, `ask`, `vcek`, `vlek`, `crl`
//! with `.pem` or `.der` (import also takes `.cert`, `.crl` and `asvk`); an entry whose GUID this
//! tool does not know is `<guid>.bin`, its bytes verbatim.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::json;
use sev_types::guest::CertKind;
use sev_types::guest::certs::{CertTable, CertTableBuilder};
use sev_types::guid::Guid;
use sev_verify::snp::pem;

use super::error::usage;
use crate::input::read_capped;
use crate::output::{Format, outln};

/// `sev host cert-table` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum CertTableCmd {
    /// Split a certificate table into one file per entry.
    #[command(after_help = super::EXIT_CODES)]
    Export(ExportArgs),
    /// Build a certificate table from a directory of ark/ask/vcek/vlek/crl files.
    #[command(after_help = super::EXIT_CODES)]
    Import(ImportArgs),
}

/// File formats of exported certificates.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertFormat {
    /// PEM (`ark.pem`, ...).
    #[default]
    Pem,
    /// DER (`ark.der`, ...).
    Der,
}

/// Arguments of `sev host cert-table export`.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The certificate table (raw bytes).
    pub table: PathBuf,
    /// The directory to write into (created if missing).
    pub dir: PathBuf,
    /// The file format of the certificates.
    #[arg(long, value_enum, default_value_t)]
    pub cert_format: CertFormat,
}

/// Arguments of `sev host cert-table import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The directory holding the certificates.
    pub dir: PathBuf,
    /// Where to write the table.
    #[arg(long)]
    pub out: PathBuf,
    /// Pad the table with zeros to a multiple of 4096 bytes (the guest-request buffer size).
    #[arg(long)]
    pub page_aligned: bool,
}

/// Runs `sev host cert-table ...`.
pub fn run(c: &CertTableCmd, format: Format) -> Result<()> {
    match c {
        CertTableCmd::Export(a) => export(a, format),
        CertTableCmd::Import(a) => import(a, format),
    }
}

fn export(a: &ExportArgs, format: Format) -> Result<()> {
    let bytes = read_capped(&a.table)?;
    let table = CertTable::from_bytes(&bytes)
        .map_err(|e| usage(format!("{} is not a certificate table: {e}", a.table.display())))?;
    if table.is_empty() {
        return Err(usage(format!("{} is an empty certificate table", a.table.display())));
    }
    std::fs::create_dir_all(&a.dir).with_context(|| format!("cannot create {}", a.dir.display()))?;
    let mut files = Vec::new();
    for cert in table.iter() {
        let (file, out) = match (cert.kind.name(), a.cert_format) {
            (None, _) => (format!("{}.bin", cert.kind.guid()), cert.data.to_vec()),
            (Some(name), CertFormat::Der) => (format!("{name}.der"), cert.data.to_vec()),
            (Some(name), CertFormat::Pem) => {
                let label = if cert.kind == CertKind::Crl {
                    "X509 CRL"
                } else {
                    "CERTIFICATE"
                };
                (format!("{name}.pem"), pem::encode(label, cert.data).into_bytes())
            }
        };
        let path = a.dir.join(&file);
        if files.contains(&path) {
            bail!("the table holds two {file} entries; cannot write both into one directory");
        }
        std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))?;
        files.push(path);
    }
    match format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "done": "cert-table-export", "files": files }))?
        ),
        Format::Text => {
            for f in &files {
                outln!("{}", f.display());
            }
        }
    }
    Ok(())
}

/// The kind a file name stands for: `<kind>.<ext>` with a known kind and extension, or
/// `<guid>.bin`.
fn kind_of(path: &Path) -> Option<CertKind> {
    let name = path.file_name()?.to_str()?;
    let (stem, ext) = name.rsplit_once('.')?;
    match ext.to_ascii_lowercase().as_str() {
        "bin" => Guid::from_str_rfc4122(stem).map(CertKind::from_guid),
        "pem" | "der" | "cert" | "crt" | "crl" => match CertKind::from_name(stem)? {
            CertKind::Unknown(_) => None,
            k => Some(k),
        },
        _ => None,
    }
}

fn import(a: &ImportArgs, format: Format) -> Result<()> {
    let entries = std::fs::read_dir(&a.dir).with_context(|| format!("cannot read {}", a.dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut blobs: BTreeMap<CertKind, (PathBuf, Vec<u8>)> = BTreeMap::new();
    let mut ignored = Vec::new();
    for path in paths {
        let Some(kind) = kind_of(&path) else {
            ignored.push(path);
            continue;
        };
        let raw = read_capped(&path)?;
        let data = if kind.name().is_none() {
            raw
        } else {
            let mut ders = pem::split_der_or_pem(&raw).map_err(|e| {
                usage(format!(
                    "{}: {e}; expected one DER or PEM certificate or CRL",
                    path.display()
                ))
            })?;
            if ders.len() != 1 {
                return Err(usage(format!(
                    "{} holds {} certificates; give one per file",
                    path.display(),
                    ders.len()
                )));
            }
            ders.remove(0)
        };
        if let Some((first, _)) = blobs.get(&kind) {
            return Err(usage(format!(
                "{} and {} are both {kind}; keep one",
                first.display(),
                path.display()
            )));
        }
        blobs.insert(kind, (path, data));
    }
    if blobs.is_empty() {
        return Err(usage(format!(
            "{} holds no ark/ask/vcek/vlek/crl file (.pem, .der, .cert)",
            a.dir.display()
        )));
    }
    let table = blobs
        .iter()
        .fold(CertTableBuilder::new(), |b, (k, (_, d))| b.push(*k, d))
        .page_aligned(a.page_aligned)
        .build()?;
    std::fs::write(&a.out, &table).with_context(|| format!("cannot write {}", a.out.display()))?;
    let kinds: Vec<String> = blobs.keys().map(ToString::to_string).collect();
    match format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "done": "cert-table-import",
                "file": a.out,
                "bytes": table.len(),
                "entries": kinds,
                "ignored": ignored,
            }))?
        ),
        Format::Text => {
            outln!(
                "certificate table ({} bytes: {}) written to {}",
                table.len(),
                kinds.join(", "),
                a.out.display()
            );
            for p in &ignored {
                eprintln!(
                    "note: ignored {} (not ark/ask/vcek/vlek/crl .pem/.der/.cert)",
                    p.display()
                );
            }
        }
    }
    Ok(())
}
