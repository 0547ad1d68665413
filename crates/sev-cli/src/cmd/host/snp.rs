//! SNP platform commands: `commit`, `config set|reset`, `vlek-load`.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;
use sev_host::platform::SnpConfigRequest;
use sev_types::platform::SnpConfig;
use sev_types::{Product, Tcb, TcbVersion};

use super::error::usage;
use super::status::{tcb_json, tcb_text};
use super::{Ctx, HostPlatform};
use crate::input::read_capped;

/// `sev host config` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ConfigCmd {
    /// Set the TCB put into attestation reports, and the masks (SNP_SET_CONFIG). The TCB must
    /// not exceed the current TCB in any component.
    #[command(after_help = super::EXIT_CODES)]
    Set(ConfigSetArgs),
    /// Report the current TCB again and clear both masks.
    #[command(after_help = super::EXIT_CODES)]
    Reset,
}

/// Arguments of `sev host config set`.
#[derive(clap::Args, Debug)]
pub struct ConfigSetArgs {
    /// The reported TCB: a raw 64-bit TCB_VERSION (decimal or 0x-hex), or SPLs as
    /// `bootloader=N,tee=N,snp=N,microcode=N[,fmc=N]` (encoded for the product).
    #[arg(long)]
    pub tcb: String,
    /// Zero CHIP_ID in reports.
    #[arg(long)]
    pub mask_chip_id: bool,
    /// Do not sign reports with the VCEK.
    #[arg(long)]
    pub mask_chip_key: bool,
}

/// Arguments of `sev host vlek-load`.
#[derive(clap::Args, Debug)]
pub struct VlekLoadArgs {
    /// The wrapped VLEK hashstick (0x1B0 bytes) from the cloud provider.
    pub file: PathBuf,
}

/// The product, or a usage error saying how to give it.
pub fn need_product(ctx: &Ctx) -> Result<Product> {
    ctx.product
        .ok_or_else(|| usage("cannot tell the product from /proc/cpuinfo; give --product (Milan, Genoa, Turin, ...)"))
}

/// `sev host commit`.
pub fn commit(ctx: &Ctx, p: &mut HostPlatform) -> Result<()> {
    p.snp_commit()?;
    ctx.done(
        "commit",
        format_args!("SNP firmware committed: its version and TCB are now the minimum"),
        json!({}),
    )
}

/// `sev host config ...`.
pub fn config(ctx: &Ctx, p: &mut HostPlatform, c: &ConfigCmd) -> Result<()> {
    let product = need_product(ctx)?;
    let (what, config) = match c {
        ConfigCmd::Set(a) => {
            let request = SnpConfigRequest {
                reported_tcb: parse_tcb(&a.tcb, product)?,
                mask_chip_id: a.mask_chip_id,
                mask_chip_key: a.mask_chip_key,
            };
            ("config-set", p.snp_set_config(product, &request)?)
        }
        ConfigCmd::Reset => ("config-reset", p.snp_reset_config(product)?),
    };
    report(ctx, what, &config, product)
}

fn report(ctx: &Ctx, what: &str, config: &SnpConfig, product: Product) -> Result<()> {
    let masks: Vec<&str> = config.mask_id().iter_names().map(|(n, _)| n).collect();
    ctx.done(
        what,
        format_args!(
            "SNP config set: reported TCB {}; masks: {}",
            tcb_text(config.reported_tcb(), Some(product)),
            if masks.is_empty() {
                "none".to_string()
            } else {
                masks.join(" ")
            }
        ),
        json!({
            "reported_tcb": tcb_json(config.reported_tcb(), Some(product))?,
            "mask_chip_id": masks.contains(&"MASK_CHIP_ID"),
            "mask_chip_key": masks.contains(&"MASK_CHIP_KEY"),
        }),
    )
}

/// Parses `--tcb`: a raw number, or named SPLs encoded with the product's layout.
pub fn parse_tcb(s: &str, product: Product) -> Result<TcbVersion> {
    let number = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    };
    if let Some(v) = number {
        return Ok(TcbVersion(v));
    }
    let layout = product
        .tcb_layout()
        .ok_or_else(|| usage(format!("{product} has no SNP TCB")))?;
    let mut tcb = Tcb::default();
    let mut seen = [false; 4];
    for part in s.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            usage(format!(
                "--tcb {s:?}: expected a number or name=value pairs, found {part:?}"
            ))
        })?;
        let v: u8 = v
            .trim()
            .parse()
            .map_err(|_| usage(format!("--tcb: {k}={v} is not a number from 0 to 255")))?;
        match k.trim() {
            "bootloader" | "bl" => (tcb.bootloader, seen[0]) = (v, true),
            "tee" => (tcb.tee, seen[1]) = (v, true),
            "snp" => (tcb.snp, seen[2]) = (v, true),
            "microcode" | "ucode" => (tcb.microcode, seen[3]) = (v, true),
            "fmc" if layout.has_fmc() => tcb.fmc = Some(v),
            "fmc" => return Err(usage(format!("--tcb: {product} has no FMC SPL; drop fmc="))),
            other => {
                return Err(usage(format!(
                    "--tcb: unknown SPL {other:?}; expected bootloader, tee, snp, microcode{}",
                    if layout.has_fmc() { " or fmc" } else { "" }
                )));
            }
        }
    }
    if seen.contains(&false) {
        return Err(usage("--tcb: give all of bootloader, tee, snp and microcode"));
    }
    Ok(tcb.encode(layout))
}

/// `sev host vlek-load`.
pub fn vlek_load(ctx: &Ctx, p: &mut HostPlatform, a: &VlekLoadArgs) -> Result<()> {
    let product = need_product(ctx)?;
    let stick = read_capped(&a.file)?;
    p.snp_vlek_load(product, &stick)?;
    ctx.done(
        "vlek-load",
        format_args!(
            "VLEK loaded from {}: reports are now signed with the VLEK",
            a.file.display()
        ),
        json!({ "file": a.file }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcb_from_names_uses_the_product_layout() {
        // Milan/Genoa: byte 0 boot loader, 1 TEE, 6 SNP, 7 microcode (sev-types' layout table).
        let v = parse_tcb("bootloader=3,tee=0,snp=8,microcode=115", Product::Milan).unwrap();
        assert_eq!(v, TcbVersion(0x7308_0000_0000_0003));
        assert_eq!(parse_tcb("0x10", Product::Genoa).unwrap(), TcbVersion(0x10));
        assert!(parse_tcb("fmc=1,bootloader=3,tee=0,snp=8,microcode=115", Product::Milan).is_err());
        assert!(parse_tcb("bootloader=3", Product::Milan).is_err());
    }
}
