//! The appraisal flags of `sev verify report` (`--measurement`, `--min-tcb`, `--allow-*`, ...),
//! their combination with `--policy FILE`, and the list of what was not appraised.

use std::path::Path;

use anyhow::{Result, anyhow};
use sev_verify::policy::{GuestPolicyRules, Policy, PolicyConflict, TcbFloor, Unappraised};
use sev_verify::snp::Relaxations;

/// Appraisal rules given as flags. Each one adds to `--policy FILE`; a flag that sets a rule
/// the file sets differently is a usage error.
#[derive(clap::Args, Debug, Default, Clone)]
#[command(next_help_heading = "Policy flags")]
pub struct PolicyArgs {
    /// MEASUREMENT must be this (48-byte hex); repeat to allow several.
    #[arg(long = "measurement", value_name = "HEX", value_parser = hex_bytes::<48>)]
    pub measurements: Vec<[u8; 48]>,
    /// HOST_DATA must be this (32-byte hex).
    #[arg(long, value_name = "HEX", value_parser = hex_bytes::<32>)]
    pub host_data: Option<[u8; 32]>,
    /// REPORT_DATA must be this (64-byte hex), such as the nonce the guest was asked to include.
    #[arg(long, value_name = "HEX", value_parser = hex_bytes::<64>)]
    pub report_data: Option<[u8; 64]>,
    /// FAMILY_ID must be this (16-byte hex).
    #[arg(long, value_name = "HEX", value_parser = hex_bytes::<16>)]
    pub family_id: Option<[u8; 16]>,
    /// IMAGE_ID must be this (16-byte hex).
    #[arg(long, value_name = "HEX", value_parser = hex_bytes::<16>)]
    pub image_id: Option<[u8; 16]>,
    /// Minimum REPORTED_TCB per component, such as `bootloader=3,tee=0,snp=8,microcode=115`
    /// (`fmc=` on Turin and later); may be repeated.
    #[arg(long, value_name = "COMPONENT=SPL,...", value_parser = tcb_floor)]
    pub min_tcb: Vec<TcbFloor>,
    /// Minimum firmware build number (current and committed firmware).
    #[arg(long, value_name = "N")]
    pub min_build: Option<u8>,
    /// VMPL must be this (0..=3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=3))]
    pub vmpl: Option<u32>,
    /// POLICY.DEBUG must be clear (the default already requires it; conflicts with a policy
    /// file that sets `allow_debug = true`).
    #[arg(long)]
    pub require_no_debug: bool,
    /// POLICY.MIGRATE_MA must be clear.
    #[arg(long)]
    pub require_no_migrate_ma: bool,
    /// POLICY.SMT must be clear.
    #[arg(long)]
    pub require_no_smt: bool,
    /// ID_KEY_DIGEST must be this (48-byte hex SHA-384); repeat to allow several.
    #[arg(long = "require-id-key", value_name = "DIGEST", value_parser = hex_bytes::<48>)]
    pub id_keys: Vec<[u8; 48]>,
    /// AUTHOR_KEY_DIGEST must be this (48-byte hex SHA-384); repeat to allow several.
    #[arg(long = "require-author-key", value_name = "DIGEST", value_parser = hex_bytes::<48>)]
    pub author_keys: Vec<[u8; 48]>,
    /// Report VERSION must be at most this.
    #[arg(long, value_name = "N")]
    pub max_report_version: Option<u32>,
    /// Accept non-zero reserved report fields (relaxation `reserved_fields`).
    #[arg(long)]
    pub allow_reserved_fields: bool,
    /// Accept a report VERSION newer than this tool knows (relaxation `unknown_report_version`).
    #[arg(long)]
    pub allow_unknown_report_version: bool,
    /// Accept a Turin-class CHIP_ID with non-zero bytes 8..64 (relaxation `chip_id_tail`).
    #[arg(long)]
    pub allow_chip_id_tail: bool,
    /// Accept RSASSA-PSS parameters other than AMD's (relaxation `pss_parameters`).
    #[arg(long)]
    pub allow_pss_parameters: bool,
    /// Accept a CRL with an unevaluated critical extension (relaxation `crl_critical_extensions`).
    #[arg(long)]
    pub allow_crl_critical_extensions: bool,
    /// Do not evaluate keyUsage and basicConstraints (relaxation `ca_constraints`).
    #[arg(long)]
    pub allow_ca_constraints: bool,
}

/// The policy to apply and how to describe where it came from.
#[derive(Debug)]
pub struct Appraisal {
    /// The policy file merged with the flags (or the default policy).
    pub policy: Policy,
    /// "policy file", "policy file and command-line flags", "command-line flags", or
    /// "default policy (debug forbidden)".
    pub source: &'static str,
}

impl PolicyArgs {
    /// Whether no flag was given.
    pub fn is_empty(&self) -> bool {
        self.to_policy().is_ok_and(|p| p == Policy::default()) && !self.require_no_debug
    }

    /// The policy the flags alone describe; fails when two `--min-tcb` set one component twice.
    pub fn to_policy(&self) -> Result<Policy, PolicyConflict> {
        let mut p = Policy {
            measurements: dedup(&self.measurements),
            host_data: self.host_data,
            report_data: self.report_data,
            family_id: self.family_id,
            image_id: self.image_id,
            min_build: self.min_build,
            vmpl: self.vmpl,
            id_key_digests: dedup(&self.id_keys),
            author_key_digests: dedup(&self.author_keys),
            max_report_version: self.max_report_version,
            guest_policy: GuestPolicyRules {
                allow_migrate_ma: !self.require_no_migrate_ma,
                allow_smt: !self.require_no_smt,
                ..GuestPolicyRules::default()
            },
            relax: Relaxations {
                reserved_fields: self.allow_reserved_fields,
                unknown_report_version: self.allow_unknown_report_version,
                chip_id_tail: self.allow_chip_id_tail,
                pss_parameters: self.allow_pss_parameters,
                crl_critical_extensions: self.allow_crl_critical_extensions,
                ca_constraints: self.allow_ca_constraints,
            },
            ..Policy::default()
        };
        for floor in &self.min_tcb {
            p = p.merge(Policy {
                min_reported_tcb: *floor,
                ..Policy::default()
            })?;
        }
        Ok(p)
    }
}

fn dedup<const N: usize>(list: &[[u8; N]]) -> Vec<[u8; N]> {
    let mut out: Vec<[u8; N]> = Vec::with_capacity(list.len());
    for v in list {
        if !out.contains(v) {
            out.push(*v);
        }
    }
    out
}

/// Reads `--policy FILE` (if given) and adds the flags to it. Every error is a usage error.
pub fn build(file: Option<&Path>, args: &PolicyArgs) -> Result<Appraisal> {
    let flags = args
        .to_policy()
        .map_err(|c| anyhow!("--min-tcb sets {} to both {} and {}", c.field, c.first, c.second))?;
    let has_flags = !args.is_empty();
    let Some(path) = file else {
        let source = if has_flags {
            "command-line flags"
        } else {
            "default policy (debug forbidden)"
        };
        return Ok(Appraisal { policy: flags, source });
    };
    let from_file = super::read_policy(path)?;
    if args.require_no_debug && from_file.guest_policy.allow_debug {
        return Err(disagree(
            path,
            &PolicyConflict {
                field: "guest_policy.allow_debug",
                first: "true".into(),
                second: "false (--require-no-debug)".into(),
            },
        ));
    }
    let policy = from_file.merge(flags).map_err(|c| disagree(path, &c))?;
    let source = if has_flags {
        "policy file and command-line flags"
    } else {
        "policy file"
    };
    Ok(Appraisal { policy, source })
}

fn disagree(path: &Path, c: &PolicyConflict) -> anyhow::Error {
    anyhow!(
        "{} and the command-line flags disagree: {} is {} in the file and {} on the command line",
        path.display(),
        c.field,
        c.first,
        c.second
    )
}

/// What `policy` left unchecked, with revocation when no CRL was applied.
pub fn not_appraised(policy: &Policy, crl_applied: bool) -> Vec<Unappraised> {
    let mut list = policy.unappraised();
    if !crl_applied {
        list.push(Unappraised::Revocation);
    }
    list
}

/// The text line: `not appraised: measurement, host_data, ..., revocation (no CRL given)`.
pub fn not_appraised_line(list: &[Unappraised]) -> String {
    let names: Vec<String> = list
        .iter()
        .map(|u| match u {
            Unappraised::Revocation => "revocation (no CRL given)".to_string(),
            u => u.name().to_string(),
        })
        .collect();
    format!("not appraised: {}", names.join(", "))
}

/// Parses exactly `N` bytes of hex (an optional `0x` prefix is allowed).
fn hex_bytes<const N: usize>(s: &str) -> Result<[u8; N], String> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    if let Some(bad) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("not hex: contains {bad:?}"));
    }
    if digits.len() != 2 * N {
        let found = if digits.len().is_multiple_of(2) {
            let bytes = digits.len() / 2;
            let unit = if bytes == 1 { "byte" } else { "bytes" };
            format!("{bytes} {unit} ({} hex digits)", digits.len())
        } else {
            format!("{} hex digits", digits.len())
        };
        return Err(format!("expected {N} bytes ({} hex digits), found {found}", 2 * N));
    }
    let mut out = [0; N];
    sev_types::fmt::decode_hex_into(digits, &mut out).ok_or("not hex")?;
    Ok(out)
}

/// Parses `component=spl[,component=spl]...` into a floor on REPORTED_TCB.
fn tcb_floor(s: &str) -> Result<TcbFloor, String> {
    let mut floor = TcbFloor::default();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not COMPONENT=SPL"))?;
        let value: u8 = value
            .trim()
            .parse()
            .map_err(|_| format!("{part:?}: the SPL must be a number 0..=255"))?;
        let slot = match name.trim() {
            "fmc" => &mut floor.fmc,
            "bootloader" => &mut floor.bootloader,
            "tee" => &mut floor.tee,
            "snp" => &mut floor.snp,
            "microcode" => &mut floor.microcode,
            other => {
                return Err(format!(
                    "unknown TCB component {other:?}; expected fmc, bootloader, tee, snp or microcode"
                ));
            }
        };
        if slot.is_some_and(|v| v != value) {
            return Err(format!("{} given twice", name.trim()));
        }
        *slot = Some(value);
    }
    if floor == TcbFloor::default() {
        return Err("no component given; expected e.g. snp=8,microcode=115".into());
    }
    Ok(floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_length_errors_say_expected_and_found() {
        assert_eq!(hex_bytes::<2>("0a0B").unwrap(), [0x0a, 0x0b]);
        assert_eq!(hex_bytes::<2>("0x0a0b").unwrap(), [0x0a, 0x0b]);
        assert_eq!(
            hex_bytes::<48>("00").unwrap_err(),
            "expected 48 bytes (96 hex digits), found 1 byte (2 hex digits)"
        );
        assert_eq!(
            hex_bytes::<2>("abc").unwrap_err(),
            "expected 2 bytes (4 hex digits), found 3 hex digits"
        );
        assert!(hex_bytes::<2>("zz00").unwrap_err().contains("not hex"));
    }

    #[test]
    fn tcb_floor_reads_every_component() {
        let f = tcb_floor("bootloader=3,tee=0,snp=8,microcode=115,fmc=1").unwrap();
        assert_eq!(
            f,
            TcbFloor {
                fmc: Some(1),
                bootloader: Some(3),
                tee: Some(0),
                snp: Some(8),
                microcode: Some(115),
            }
        );
        assert!(tcb_floor("ucode=1").unwrap_err().contains("unknown TCB component"));
        assert!(tcb_floor("snp=256").is_err());
        assert!(tcb_floor("snp").is_err());
        assert!(tcb_floor("snp=1,snp=2").unwrap_err().contains("twice"));
        assert!(tcb_floor("").is_err());
    }

    #[test]
    fn repeated_min_tcb_combine_or_conflict() {
        let mut a = PolicyArgs {
            min_tcb: vec![tcb_floor("snp=8").unwrap(), tcb_floor("microcode=115").unwrap()],
            ..PolicyArgs::default()
        };
        let p = a.to_policy().unwrap();
        assert_eq!(
            (p.min_reported_tcb.snp, p.min_reported_tcb.microcode),
            (Some(8), Some(115))
        );
        a.min_tcb.push(tcb_floor("snp=9").unwrap());
        assert_eq!(a.to_policy().unwrap_err().field, "min_reported_tcb.snp");
    }

    #[test]
    fn no_flags_is_the_default_policy() {
        let a = PolicyArgs::default();
        assert!(a.is_empty());
        assert_eq!(a.to_policy().unwrap(), Policy::default());
        let d = PolicyArgs {
            require_no_debug: true,
            ..PolicyArgs::default()
        };
        assert!(!d.is_empty());
        assert_eq!(d.to_policy().unwrap(), Policy::default());
    }

    #[test]
    fn not_appraised_line_reads_plainly() {
        let list = not_appraised(&Policy::default(), false);
        assert_eq!(
            not_appraised_line(&list),
            "not appraised: measurement, host_data, report_data, minimum_tcb, id_key, revocation (no CRL given)"
        );
        assert!(!not_appraised(&Policy::default(), true).contains(&Unappraised::Revocation));
    }
}
