//! The rules themselves: one pass over the report, collecting every violation.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sev_types::TcbVersion;
use sev_types::fmt::Hex;
use sev_types::key_info::{KeyInfo, SigningKey};
use sev_types::platform_info::PlatformInfo;
use sev_types::policy::GuestPolicy;
use sev_types::report::Report;
use sev_types::tcb::{Tcb, TcbLayout};
use subtle::ConstantTimeEq;

use super::{EvidenceContext, Policy, TcbFloor, Version, Violation};

pub(super) fn run(p: &Policy, r: &Report<'_>, ctx: &EvidenceContext<'_>) -> Vec<Violation> {
    let mut c = Checker { out: Vec::new() };
    let layout = r.tcb_layout(ctx.product);

    if let Some(min) = p.min_report_version {
        c.floor("VERSION", r.version(), min);
    }
    if let Some(max) = p.max_report_version {
        if r.version() > max {
            c.report("VERSION", format!("at most {max}"), r.version().to_string());
        }
    }
    if let Some(min) = p.min_guest_svn {
        c.floor("GUEST_SVN", r.guest_svn(), min);
    }
    guest_policy(&mut c, p, r.policy());
    exact(&mut c, "FAMILY_ID", r.family_id(), p.family_id.as_ref());
    exact(&mut c, "IMAGE_ID", r.image_id(), p.image_id.as_ref());
    if let Some(want) = p.vmpl {
        if r.vmpl() != want {
            c.report("VMPL", want.to_string(), r.vmpl().to_string());
        }
    }
    if let Some(max) = p.max_vmpl {
        if r.vmpl() > max {
            c.report("VMPL", format!("at most {max}"), r.vmpl().to_string());
        }
    }
    tcb_floor(&mut c, &CURRENT, r.current_tcb(), &p.min_current_tcb, layout);
    platform(&mut c, p, r.platform_info());
    key_info(&mut c, p, r);
    exact(&mut c, "REPORT_DATA", r.report_data(), p.report_data.as_ref());
    allowed(&mut c, "MEASUREMENT", r.measurement(), &p.measurements);
    exact(&mut c, "HOST_DATA", r.host_data(), p.host_data.as_ref());
    if p.require_id_block && all_zero(r.id_key_digest()) {
        c.report("ID_KEY_DIGEST", "non-zero (an ID block)", "zero (no ID block)");
    }
    allowed(&mut c, "ID_KEY_DIGEST", r.id_key_digest(), &p.id_key_digests);
    allowed(
        &mut c,
        "AUTHOR_KEY_DIGEST",
        r.author_key_digest(),
        &p.author_key_digests,
    );
    exact(&mut c, "REPORT_ID", r.report_id(), p.report_id.as_ref());
    exact(&mut c, "REPORT_ID_MA", r.report_id_ma(), p.report_id_ma.as_ref());
    tcb_floor(&mut c, &REPORTED, r.reported_tcb(), &p.min_reported_tcb, layout);
    allowed(&mut c, "CHIP_ID", r.chip_id(), &p.chip_ids);
    tcb_floor(&mut c, &COMMITTED, r.committed_tcb(), &p.min_committed_tcb, layout);
    firmware(&mut c, p, r, layout);
    tcb_floor(&mut c, &LAUNCH, r.launch_tcb(), &p.min_launch_tcb, layout);
    mit_vector(
        &mut c,
        "LAUNCH_MIT_VECTOR",
        r.launch_mit_vector(),
        p.min_launch_mit_vector,
        r.version(),
    );
    mit_vector(
        &mut c,
        "CURRENT_MIT_VECTOR",
        r.current_mit_vector(),
        p.min_current_mit_vector,
        r.version(),
    );
    csp_id(&mut c, p, r.signing_key(), ctx.vlek_csp_id);
    c.out
}

struct Checker {
    out: Vec<Violation>,
}

impl Checker {
    fn report(&mut self, field: &'static str, expected: impl Into<String>, found: impl Into<String>) {
        self.out.push(Violation::report(field, expected, found));
    }

    fn floor<T: PartialOrd + core::fmt::Display>(&mut self, field: &'static str, found: T, min: T) {
        if found < min {
            self.report(field, format!("at least {min}"), found.to_string());
        }
    }
}

fn all_zero(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0)
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

fn exact(c: &mut Checker, field: &'static str, found: &[u8], want: Option<&impl AsRef<[u8]>>) {
    if let Some(want) = want {
        if !same(found, want.as_ref()) {
            c.report(field, Hex(want.as_ref()).to_string(), Hex(found).to_string());
        }
    }
}

fn allowed<const N: usize>(c: &mut Checker, field: &'static str, found: &[u8; N], list: &[[u8; N]]) {
    if list.is_empty() || list.iter().any(|a| same(a, found)) {
        return;
    }
    let mut expected = String::from("one of: ");
    for (i, a) in list.iter().enumerate() {
        if i > 0 {
            expected.push_str(", ");
        }
        expected.push_str(&Hex(a).to_string());
    }
    c.report(field, expected, Hex(found).to_string());
}

fn set_or_clear(set: bool) -> &'static str {
    if set { "set" } else { "clear" }
}

fn guest_policy(c: &mut Checker, p: &Policy, found: GuestPolicy) {
    let g = &p.guest_policy;
    let forbidden = [
        (!g.allow_debug, GuestPolicy::DEBUG, "POLICY.DEBUG"),
        (!g.allow_smt, GuestPolicy::SMT, "POLICY.SMT"),
        (!g.allow_migrate_ma, GuestPolicy::MIGRATE_MA, "POLICY.MIGRATE_MA"),
        (!g.allow_cxl, GuestPolicy::CXL_ALLOW, "POLICY.CXL_ALLOW"),
    ];
    for (forbid, bit, field) in forbidden {
        if forbid && found.contains(bit) {
            c.report(
                field,
                "clear (not permitted by the policy)",
                format!("set (policy {:#x})", found.bits()),
            );
        }
    }
    let required = [
        (
            g.require_single_socket,
            GuestPolicy::SINGLE_SOCKET,
            "POLICY.SINGLE_SOCKET",
        ),
        (
            g.require_mem_aes_256_xts,
            GuestPolicy::MEM_AES_256_XTS,
            "POLICY.MEM_AES_256_XTS",
        ),
        (g.require_rapl_dis, GuestPolicy::RAPL_DIS, "POLICY.RAPL_DIS"),
        (
            g.require_ciphertext_hiding,
            GuestPolicy::CIPHERTEXT_HIDING,
            "POLICY.CIPHERTEXT_HIDING",
        ),
        (
            g.require_page_swap_disable,
            GuestPolicy::PAGE_SWAP_DISABLE,
            "POLICY.PAGE_SWAP_DISABLE",
        ),
    ];
    for (require, bit, field) in required {
        if require && !found.contains(bit) {
            c.report(field, "set", format!("clear (policy {:#x})", found.bits()));
        }
    }
    if let Some(min) = g.min_abi {
        let abi = Version {
            major: found.abi_major(),
            minor: found.abi_minor(),
        };
        c.floor("POLICY.ABI", abi, min);
    }
}

fn platform(c: &mut Checker, p: &Policy, found: PlatformInfo) {
    let q = &p.platform_info;
    let rules = [
        (q.smt, PlatformInfo::SMT_EN, "PLATFORM_INFO.SMT_EN"),
        (q.tsme, PlatformInfo::TSME_EN, "PLATFORM_INFO.TSME_EN"),
        (q.ecc, PlatformInfo::ECC_EN, "PLATFORM_INFO.ECC_EN"),
        (q.rapl_dis, PlatformInfo::RAPL_DIS, "PLATFORM_INFO.RAPL_DIS"),
        (
            q.ciphertext_hiding,
            PlatformInfo::CIPHERTEXT_HIDING_EN,
            "PLATFORM_INFO.CIPHERTEXT_HIDING_EN",
        ),
        (
            q.alias_check_complete,
            PlatformInfo::ALIAS_CHECK_COMPLETE,
            "PLATFORM_INFO.ALIAS_CHECK_COMPLETE",
        ),
        (q.tio, PlatformInfo::TIO_EN, "PLATFORM_INFO.TIO_EN"),
    ];
    for (want, bit, field) in rules {
        if let Some(want) = want {
            let is = found.contains(bit);
            if is != want {
                c.report(
                    field,
                    set_or_clear(want),
                    format!("{} (platform info {:#x})", set_or_clear(is), found.bits()),
                );
            }
        }
    }
}

fn key_info(c: &mut Checker, p: &Policy, r: &Report<'_>) {
    let info = r.key_info();
    if p.require_author_key && !info.contains(KeyInfo::AUTHOR_KEY_EN) {
        c.report("KEY_INFO.AUTHOR_KEY_EN", "set (an author key)", "clear (no author key)");
    }
    let key = info.signing_key();
    if !p.signing_keys.is_empty() && !p.signing_keys.contains(&key) {
        c.report("KEY_INFO.SIGNING_KEY", one_of(p.signing_keys.iter()), key.to_string());
    }
}

fn one_of<T: core::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let mut s = String::from("one of: ");
    for (i, item) in items.enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&item.to_string());
    }
    s
}

/// Field names of one TCB, per component, as static strings for [`Violation::field`].
struct TcbNames {
    whole: &'static str,
    fmc: &'static str,
    bootloader: &'static str,
    tee: &'static str,
    snp: &'static str,
    microcode: &'static str,
}

macro_rules! tcb_names {
    ($name:ident, $prefix:literal) => {
        const $name: TcbNames = TcbNames {
            whole: $prefix,
            fmc: concat!($prefix, ".fmc"),
            bootloader: concat!($prefix, ".bootloader"),
            tee: concat!($prefix, ".tee"),
            snp: concat!($prefix, ".snp"),
            microcode: concat!($prefix, ".microcode"),
        };
    };
}

tcb_names!(CURRENT, "CURRENT_TCB");
tcb_names!(REPORTED, "REPORTED_TCB");
tcb_names!(COMMITTED, "COMMITTED_TCB");
tcb_names!(LAUNCH, "LAUNCH_TCB");

fn undecodable(c: &mut Checker, names: &TcbNames, raw: TcbVersion) {
    c.report(
        names.whole,
        "a TCB of a known product (give the product for v2 reports with a masked CHIP_ID)",
        format!("{raw:#018x} of an unknown product"),
    );
}

/// Compares `found` to `floor` component by component, pushing one violation per low component.
/// `what` names the floor in the expectation ("at least 8" or "at least 8 (CURRENT_TCB)").
fn tcb_components(c: &mut Checker, names: &TcbNames, found: Tcb, floor: &TcbFloor, what: &str) {
    let parts = [
        (names.fmc, found.fmc, floor.fmc),
        (names.bootloader, Some(found.bootloader), floor.bootloader),
        (names.tee, Some(found.tee), floor.tee),
        (names.snp, Some(found.snp), floor.snp),
        (names.microcode, Some(found.microcode), floor.microcode),
    ];
    for (field, have, min) in parts {
        if let (Some(have), Some(min)) = (have, min) {
            if have < min {
                c.report(field, format!("at least {min}{what}"), have.to_string());
            }
        }
    }
}

fn tcb_floor(c: &mut Checker, names: &TcbNames, raw: TcbVersion, floor: &TcbFloor, layout: Option<TcbLayout>) {
    if *floor == TcbFloor::default() {
        return;
    }
    match layout {
        Some(layout) => tcb_components(c, names, raw.decode(layout), floor, ""),
        None => undecodable(c, names, raw),
    }
}

fn version_string((major, minor, build): (u8, u8, u8)) -> String {
    format!("{major}.{minor} build {build}")
}

fn firmware(c: &mut Checker, p: &Policy, r: &Report<'_>, layout: Option<TcbLayout>) {
    let versions = [
        ("CURRENT_VERSION", r.current_version()),
        ("COMMITTED_VERSION", r.committed_version()),
    ];
    for (field, v) in versions {
        let (major, minor, build) = v;
        if let Some(min) = p.min_version {
            if (Version { major, minor }) < min {
                c.report(field, format!("at least {min}"), version_string(v));
            }
        }
        if let Some(min) = p.min_build {
            if build < min {
                c.report(field, format!("build at least {min}"), version_string(v));
            }
        }
    }
    if p.allow_provisional_firmware {
        return;
    }
    let current = r.current_tcb();
    match layout {
        Some(layout) => {
            let cur = current.decode(layout);
            let floor = TcbFloor {
                fmc: cur.fmc,
                bootloader: Some(cur.bootloader),
                tee: Some(cur.tee),
                snp: Some(cur.snp),
                microcode: Some(cur.microcode),
            };
            let what = " (CURRENT_TCB; provisional firmware not allowed)";
            tcb_components(c, &COMMITTED, r.committed_tcb().decode(layout), &floor, what);
        }
        None => undecodable(c, &COMMITTED, r.committed_tcb()),
    }
    if r.committed_version() < r.current_version() {
        c.report(
            "COMMITTED_VERSION",
            format!(
                "at least {} (CURRENT_VERSION; provisional firmware not allowed)",
                version_string(r.current_version())
            ),
            version_string(r.committed_version()),
        );
    }
}

fn mit_vector(c: &mut Checker, field: &'static str, found: Option<u64>, min: Option<u64>, version: u32) {
    let Some(min) = min else { return };
    match found {
        Some(v) if v & min == min => {}
        Some(v) => c.report(
            field,
            format!("all bits of {min:#x}"),
            format!("{v:#x} (missing {:#x})", min & !v),
        ),
        None => c.report(
            field,
            format!("all bits of {min:#x}"),
            format!("absent (report version {version} < 5)"),
        ),
    }
}

fn csp_id(c: &mut Checker, p: &Policy, key: SigningKey, found: Option<&str>) {
    if p.vlek_csp_ids.is_empty() || key != SigningKey::Vlek {
        return;
    }
    match found {
        Some(id) if p.vlek_csp_ids.iter().any(|a| a == id) => {}
        Some(id) => c
            .out
            .push(Violation::certificate("VLEK cspID", one_of(p.vlek_csp_ids.iter()), id)),
        None => c.out.push(Violation::certificate(
            "VLEK cspID",
            one_of(p.vlek_csp_ids.iter()),
            "unknown (no VLEK cspID given)",
        )),
    }
}
