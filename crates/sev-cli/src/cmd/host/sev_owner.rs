//! SEV platform certificates and ownership: `pek-csr`, `pdh-export`, `pek-import`, `reset`,
//! `ownership provision`.
//!
//! File names follow sevctl and snphost: `pdh.cert`, `pek.cert`, `oca.cert`, `cek.cert` (raw
//! 0x824-byte SEV certificates), which `sev verify certs DIR` recognises by content.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;
use sev_host::platform::{OcaKey, PlatformCerts};

use super::error::usage;
use super::{Ctx, HostPlatform};
use crate::input::read_capped;

/// Arguments of `sev host pek-csr`.
#[derive(clap::Args, Debug)]
pub struct PekCsrArgs {
    /// Where to write the CSR (an unsigned 0x824-byte SEV certificate).
    #[arg(long, default_value = "pek.csr")]
    pub out: PathBuf,
}

/// Arguments of `sev host pdh-export`.
#[derive(clap::Args, Debug)]
pub struct PdhExportArgs {
    /// The directory to write pdh.cert, pek.cert, oca.cert and cek.cert into (created if
    /// missing).
    pub dir: PathBuf,
}

/// Arguments of `sev host pek-import`.
#[derive(clap::Args, Debug)]
pub struct PekImportArgs {
    /// The PEK certificate: this platform's CSR signed by the OCA.
    pub pek: PathBuf,
    /// The OCA's self-signed certificate.
    pub oca: PathBuf,
}

/// Arguments of `sev host reset`.
#[derive(clap::Args, Debug)]
pub struct ResetArgs {
    /// Confirm: the owner, the PEK and the PDH are erased (guests launched with the old PDH can
    /// no longer be migrated or receive secrets).
    #[arg(long)]
    pub yes: bool,
}

/// `sev host ownership` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum OwnershipCmd {
    /// Take ownership: OCA key (given or generated) → self-signed OCA certificate → PEK CSR
    /// signed by the OCA → PEK_CERT_IMPORT, then check the exported chain.
    #[command(after_help = super::EXIT_CODES)]
    Provision(ProvisionArgs),
}

/// Arguments of `sev host ownership provision`.
#[derive(clap::Args, Debug)]
pub struct ProvisionArgs {
    /// The OCA private key (PKCS#8, PEM or DER, P-384). Without it a key is generated and
    /// written to `--out`/oca.key (mode 0600).
    #[arg(long)]
    pub oca_key: Option<PathBuf>,
    /// Write oca.key (when generated), oca.cert and the exported pdh.cert, pek.cert, cek.cert
    /// here (created if missing).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `sev host pek-csr`.
pub fn pek_csr(ctx: &Ctx, p: &mut HostPlatform, a: &PekCsrArgs) -> Result<()> {
    let csr = p.pek_csr()?;
    write(&a.out, &csr[..])?;
    ctx.done(
        "pek-csr",
        format_args!("PEK CSR ({} bytes) written to {}", csr.len(), a.out.display()),
        json!({ "file": a.out, "bytes": csr.len() }),
    )
}

/// `sev host pdh-export`.
pub fn pdh_export(ctx: &Ctx, p: &mut HostPlatform, a: &PdhExportArgs) -> Result<()> {
    let certs = p.pdh_cert_export()?;
    let files = write_certs(&a.dir, &certs)?;
    list(ctx, "pdh-export", &files)
}

/// Writes the four certificates into `dir`; returns their paths.
fn write_certs(dir: &Path, certs: &PlatformCerts) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut files = Vec::new();
    for (name, bytes) in [
        ("pdh.cert", &certs.pdh),
        ("pek.cert", &certs.pek),
        ("oca.cert", &certs.oca),
        ("cek.cert", &certs.cek),
    ] {
        let path = dir.join(name);
        write(&path, &bytes[..])?;
        files.push(path);
    }
    Ok(files)
}

fn list(ctx: &Ctx, what: &str, files: &[PathBuf]) -> Result<()> {
    match ctx.format {
        crate::output::Format::Json => ctx.json(&json!({ "done": what, "files": files })),
        crate::output::Format::Text => {
            for f in files {
                ctx.say(format_args!("{}", f.display()));
            }
            Ok(())
        }
    }
}

/// `sev host pek-import`.
pub fn pek_import(ctx: &Ctx, p: &mut HostPlatform, a: &PekImportArgs) -> Result<()> {
    let pek = read_capped(&a.pek)?;
    let oca = read_capped(&a.oca)?;
    p.pek_cert_import(&pek, &oca)?;
    ctx.done(
        "pek-import",
        format_args!("PEK and OCA imported; the platform is externally owned"),
        json!({}),
    )
}

/// `sev host reset`.
pub fn reset(ctx: &Ctx, p: &mut HostPlatform, a: &ResetArgs) -> Result<()> {
    if !a.yes {
        return Err(usage(
            "factory reset erases the platform owner, the PEK and the PDH; add --yes to confirm",
        ));
    }
    p.factory_reset()?;
    ctx.done(
        "reset",
        format_args!("factory reset done: new PEK and PDH, the platform is self-owned"),
        json!({}),
    )
}

/// `sev host ownership ...`.
pub fn ownership(ctx: &Ctx, p: &mut HostPlatform, c: &OwnershipCmd) -> Result<()> {
    let OwnershipCmd::Provision(a) = c;
    let (oca, generated) = match &a.oca_key {
        Some(path) => {
            let bytes = zeroize::Zeroizing::new(read_capped(path)?);
            let key = OcaKey::from_pkcs8(&bytes).with_context(|| format!("{}", path.display()))?;
            (key, false)
        }
        None => {
            if a.out.is_none() {
                return Err(usage(
                    "a generated OCA key must be kept: give --out DIR (oca.key is written there, \
                     mode 0600), or --oca-key FILE",
                ));
            }
            (OcaKey::generate()?, true)
        }
    };
    let mut files = Vec::new();
    if let (true, Some(dir)) = (generated, &a.out) {
        // Written before the import, so the platform is never owned by a key that was lost.
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("oca.key");
        write_secret(&path, oca.to_pkcs8_pem()?.as_bytes())?;
        files.push(path);
    }
    let done = p.provision(&oca)?;
    if let Some(dir) = &a.out {
        files.extend(write_certs(dir, &done.exported)?);
    }
    match ctx.format {
        crate::output::Format::Json => ctx.json(&json!({
            "done": "ownership-provision",
            "owner": if done.status.externally_owned { "external" } else { "self" },
            "oca_key_generated": generated,
            "files": files,
        })),
        crate::output::Format::Text => {
            ctx.say(format_args!(
                "platform provisioned: owner {}; the exported chain carries the new OCA and verifies \
                 (OCA → PEK, CEK → PEK, PEK → PDH)",
                if done.status.externally_owned {
                    "external"
                } else {
                    "self"
                }
            ));
            for f in &files {
                ctx.say(format_args!("{}", f.display()));
            }
            Ok(())
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn write_secret(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| {
            format!(
                "cannot create {} (an existing key is never overwritten)",
                path.display()
            )
        })?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}
