//! `sev host status`: SEV_PLATFORM_STATUS and SNP_PLATFORM_STATUS, TCBs decoded by product.

use anyhow::Result;
use serde_json::{Value, json};
use sev_sys::seam::PlatformDevice;
use sev_types::platform::{SevUserDataStatus, SnpPlatformStatus};
use sev_types::{Product, TcbVersion};

use super::Ctx;
use super::error::device_error;
use crate::output::Format;

/// Runs `sev host status`. Prints whichever of the two statuses could be read (an SEV-only
/// platform has no SNP status) and why the other could not; fails only when neither could.
pub fn run(ctx: &Ctx, dev: &mut impl PlatformDevice) -> Result<()> {
    let sev = dev.platform_status();
    let snp = dev.snp_platform_status();
    match ctx.format {
        Format::Json => {
            let v = json!({
                "product": ctx.product.map(Product::name),
                "sev": match &sev {
                    Ok(s) => serde_json::to_value(s)?,
                    Err(e) => json!({ "error": device_error(e).message }),
                },
                "snp": match &snp {
                    Ok(s) => snp_json(s, ctx.product)?,
                    Err(e) => json!({ "error": device_error(e).message }),
                },
            });
            ctx.json(&v)?;
        }
        Format::Text => {
            match &sev {
                Ok(s) => sev_text(ctx, s),
                Err(e) => ctx.say(format_args!("SEV: unavailable: {}", device_error(e).message)),
            }
            match &snp {
                Ok(s) => snp_text(ctx, s, ctx.product),
                Err(e) => ctx.say(format_args!("SNP: unavailable: {}", device_error(e).message)),
            }
        }
    }
    match (&sev, &snp) {
        (Err(e), Err(_)) => Err(device_error(e).into()),
        _ => Ok(()),
    }
}

fn sev_text(ctx: &Ctx, s: &SevUserDataStatus) {
    let d = s.decode();
    ctx.say(format_args!("SEV API version: {}.{}", d.api_major, d.api_minor));
    ctx.say(format_args!("SEV build: {}", d.build));
    ctx.say(format_args!("SEV state: {}", d.state));
    ctx.say(format_args!(
        "SEV owner: {}",
        if d.externally_owned { "external" } else { "self" }
    ));
    ctx.say(format_args!("SEV-ES configured: {}", yes_no(d.config_es)));
    ctx.say(format_args!("SEV guests: {}", d.guest_count));
}

fn snp_text(ctx: &Ctx, s: &SnpPlatformStatus, product: Option<Product>) {
    ctx.say(format_args!("SNP API version: {}.{}", s.api_major, s.api_minor));
    ctx.say(format_args!("SNP build: {}", s.build_id()));
    ctx.say(format_args!("SNP state: {}", s.state()));
    ctx.say(format_args!("SNP RMP initialised: {}", yes_no(s.is_rmp_initialized())));
    let flags: Vec<&str> = s.flags().iter_names().map(|(n, _)| n).collect();
    ctx.say(format_args!(
        "SNP flags: {:#x}{}{}",
        s.flags().bits(),
        if flags.is_empty() { "" } else { " " },
        flags.join(" ")
    ));
    ctx.say(format_args!("SNP guests: {}", s.guest_count()));
    ctx.say(format_args!("current TCB: {}", tcb_text(s.current_tcb(), product)));
    ctx.say(format_args!("reported TCB: {}", tcb_text(s.reported_tcb(), product)));
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// SNP_PLATFORM_STATUS as JSON, with both TCBs decoded when the product is known.
pub fn snp_json(s: &SnpPlatformStatus, product: Option<Product>) -> Result<Value> {
    let mut v = serde_json::to_value(s)?;
    if let Some(m) = v.as_object_mut() {
        m.insert("rmp_initialized".into(), s.is_rmp_initialized().into());
        m.insert("current_tcb".into(), tcb_json(s.current_tcb(), product)?);
        m.insert("reported_tcb".into(), tcb_json(s.reported_tcb(), product)?);
    }
    Ok(v)
}

/// A TCB as text: decoded by the product's layout, or raw when the product is unknown.
pub fn tcb_text(tcb: TcbVersion, product: Option<Product>) -> String {
    match product.and_then(Product::tcb_layout) {
        Some(layout) => tcb.with_layout(layout).to_string(),
        None => format!("raw {:#018x} (give --product to decode it)", tcb.0),
    }
}

/// A TCB as JSON: `{fmc?, bootloader, tee, snp, microcode, raw}`, or `{raw}` when the product is
/// unknown.
pub fn tcb_json(tcb: TcbVersion, product: Option<Product>) -> Result<Value> {
    Ok(match product.and_then(Product::tcb_layout) {
        Some(layout) => serde_json::to_value(tcb.with_layout(layout))?,
        None => json!({ "raw": format!("{:#018x}", tcb.0) }),
    })
}
