//! `sev host show identifier|tcb|vcek-url`.

use anyhow::{Context, Result};
use serde_json::json;
use sev_sys::seam::PlatformDevice as _;
use sev_verify::kds::KdsRequest;

use super::snp::need_product;
use super::status::{tcb_json, tcb_text};
use super::{Ctx, HostPlatform};
use crate::output::Format;

/// `sev host show` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum ShowCmd {
    /// The chip ID of each socket (SEV_GET_ID2), in hex.
    #[command(after_help = super::EXIT_CODES)]
    Identifier,
    /// The current and reported TCB (SNP_PLATFORM_STATUS), decoded for the product.
    #[command(after_help = super::EXIT_CODES)]
    Tcb,
    /// The AMD KDS URL of this chip's VCEK at the reported TCB.
    #[command(after_help = super::EXIT_CODES)]
    VcekUrl,
}

/// Runs `sev host show ...`.
pub fn run(ctx: &Ctx, p: &mut HostPlatform, c: &ShowCmd) -> Result<()> {
    match c {
        ShowCmd::Identifier => identifier(ctx, p),
        ShowCmd::Tcb => tcb(ctx, p),
        ShowCmd::VcekUrl => vcek_url(ctx, p),
    }
}

fn identifier(ctx: &Ctx, p: &mut HostPlatform) -> Result<()> {
    let ids = p.get_id()?;
    let hex: Vec<String> = ids.iter().map(ToString::to_string).collect();
    match ctx.format {
        Format::Json => ctx.json(&json!({ "chip_ids": hex })),
        Format::Text => {
            for h in &hex {
                ctx.say(format_args!("{h}"));
            }
            Ok(())
        }
    }
}

fn tcb(ctx: &Ctx, p: &mut HostPlatform) -> Result<()> {
    let s = p
        .device()
        .snp_platform_status()
        .map_err(super::error::dev("SNP platform status"))?;
    match ctx.format {
        Format::Json => ctx.json(&json!({
            "current_tcb": tcb_json(s.current_tcb(), ctx.product)?,
            "reported_tcb": tcb_json(s.reported_tcb(), ctx.product)?,
        })),
        Format::Text => {
            ctx.say(format_args!("current TCB: {}", tcb_text(s.current_tcb(), ctx.product)));
            ctx.say(format_args!(
                "reported TCB: {}",
                tcb_text(s.reported_tcb(), ctx.product)
            ));
            Ok(())
        }
    }
}

fn vcek_url(ctx: &Ctx, p: &mut HostPlatform) -> Result<()> {
    let product = need_product(ctx)?;
    let status = p.snp_status(product)?;
    let ids = p.get_id()?;
    let chip = ids.first().context("GET_ID returned no chip ID")?;
    let req = KdsRequest::vcek(product, chip.as_bytes(), status.reported_tcb)
        .with_context(|| format!("cannot build the VCEK URL for this {product} chip"))?;
    match ctx.format {
        Format::Json => ctx.json(&json!({
            "product": req.product().name(),
            "tcb": status.reported_tcb,
            "url": req.url(),
        })),
        Format::Text => {
            ctx.say(format_args!("{}", req.url()));
            Ok(())
        }
    }
}
