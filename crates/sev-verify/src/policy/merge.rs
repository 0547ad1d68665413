//! Combining two policies (a policy file and command-line rules) into one.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Display;

use sev_types::fmt::Hex;

use super::{GuestPolicyRules, PlatformRequirements, Policy, TcbFloor};

/// Two policies set the same rule to different values, so [`Policy::merge`] cannot combine them.
///
/// `first` is the value in the policy `merge` was called on, `second` the value in its argument,
/// both written as in a policy file (hex for bytes, lists in brackets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy field {field} is {first} in one policy and {second} in the other")]
pub struct PolicyConflict {
    /// The field as a policy file spells it, dotted for tables (`min_reported_tcb.microcode`).
    pub field: &'static str,
    /// The value in the first policy.
    pub first: String,
    /// The value in the second policy.
    pub second: String,
}

impl Policy {
    /// Combines two policies into one that holds both sets of rules.
    ///
    /// - A value (REPORT_DATA, a TCB component floor, VMPL, ...) set in only one policy is
    ///   taken from it; set in both, it must be equal.
    /// - An allow-list (measurements, key digests, signing keys, ...) given in only one policy is
    ///   taken from it; given in both, both must hold the same entries (in any order).
    /// - A yes/no rule takes the value that differs from [`Policy::default()`] if either policy
    ///   sets one (such as `allow_smt = false`, `require_id_block = true`), so the two never
    ///   conflict. A policy cannot say "explicitly the default"; a caller that needs that (a
    ///   `--require-no-debug` flag) checks the merged value itself.
    /// - Relaxations are united.
    ///
    /// Merging with `Policy::default()` returns the policy unchanged.
    ///
    /// ```
    /// use sev_verify::policy::{Policy, TcbFloor};
    ///
    /// let file = Policy { min_guest_svn: Some(2), ..Policy::default() };
    /// let flags = Policy {
    ///     min_reported_tcb: TcbFloor { snp: Some(8), ..TcbFloor::default() },
    ///     ..Policy::default()
    /// };
    /// let both = file.clone().merge(flags)?;
    /// assert_eq!((both.min_guest_svn, both.min_reported_tcb.snp), (Some(2), Some(8)));
    ///
    /// let err = file.merge(Policy { min_guest_svn: Some(3), ..Policy::default() }).unwrap_err();
    /// assert_eq!((err.field, err.first.as_str(), err.second.as_str()), ("min_guest_svn", "2", "3"));
    /// # Ok::<(), sev_verify::policy::PolicyConflict>(())
    /// ```
    pub fn merge(self, other: Policy) -> Result<Policy, PolicyConflict> {
        let d = Policy::default();
        let Policy {
            report_data,
            host_data,
            family_id,
            image_id,
            report_id,
            report_id_ma,
            measurements,
            chip_ids,
            id_key_digests,
            author_key_digests,
            require_id_block,
            require_author_key,
            min_guest_svn,
            min_reported_tcb,
            min_current_tcb,
            min_committed_tcb,
            min_launch_tcb,
            min_build,
            min_version,
            min_report_version,
            max_report_version,
            min_launch_mit_vector,
            min_current_mit_vector,
            allow_provisional_firmware,
            vmpl,
            max_vmpl,
            guest_policy,
            platform_info,
            signing_keys,
            vlek_csp_ids,
            relax,
        } = self;
        let o = other;
        Ok(Policy {
            report_data: one("report_data", report_data, o.report_data, hex)?,
            host_data: one("host_data", host_data, o.host_data, hex)?,
            family_id: one("family_id", family_id, o.family_id, hex)?,
            image_id: one("image_id", image_id, o.image_id, hex)?,
            report_id: one("report_id", report_id, o.report_id, hex)?,
            report_id_ma: one("report_id_ma", report_id_ma, o.report_id_ma, hex)?,
            measurements: list("measurements", measurements, o.measurements, hex)?,
            chip_ids: list("chip_ids", chip_ids, o.chip_ids, hex)?,
            id_key_digests: list("id_key_digests", id_key_digests, o.id_key_digests, hex)?,
            author_key_digests: list("author_key_digests", author_key_digests, o.author_key_digests, hex)?,
            require_id_block: flag(require_id_block, o.require_id_block, d.require_id_block),
            require_author_key: flag(require_author_key, o.require_author_key, d.require_author_key),
            min_guest_svn: one("min_guest_svn", min_guest_svn, o.min_guest_svn, text)?,
            min_reported_tcb: tcb(&REPORTED, min_reported_tcb, o.min_reported_tcb)?,
            min_current_tcb: tcb(&CURRENT, min_current_tcb, o.min_current_tcb)?,
            min_committed_tcb: tcb(&COMMITTED, min_committed_tcb, o.min_committed_tcb)?,
            min_launch_tcb: tcb(&LAUNCH, min_launch_tcb, o.min_launch_tcb)?,
            min_build: one("min_build", min_build, o.min_build, text)?,
            min_version: one("min_version", min_version, o.min_version, text)?,
            min_report_version: one("min_report_version", min_report_version, o.min_report_version, text)?,
            max_report_version: one("max_report_version", max_report_version, o.max_report_version, text)?,
            min_launch_mit_vector: one(
                "min_launch_mit_vector",
                min_launch_mit_vector,
                o.min_launch_mit_vector,
                mask,
            )?,
            min_current_mit_vector: one(
                "min_current_mit_vector",
                min_current_mit_vector,
                o.min_current_mit_vector,
                mask,
            )?,
            allow_provisional_firmware: flag(
                allow_provisional_firmware,
                o.allow_provisional_firmware,
                d.allow_provisional_firmware,
            ),
            vmpl: one("vmpl", vmpl, o.vmpl, text)?,
            max_vmpl: one("max_vmpl", max_vmpl, o.max_vmpl, text)?,
            guest_policy: guest(guest_policy, o.guest_policy)?,
            platform_info: platform(platform_info, o.platform_info)?,
            signing_keys: list("signing_keys", signing_keys, o.signing_keys, text)?,
            vlek_csp_ids: list("vlek_csp_ids", vlek_csp_ids, o.vlek_csp_ids, text)?,
            relax: relax.union(o.relax),
        })
    }
}

fn hex<const N: usize>(v: &[u8; N]) -> String {
    Hex(v).to_string()
}

fn text<T: Display>(v: &T) -> String {
    v.to_string()
}

fn mask(v: &u64) -> String {
    format!("{v:#x}")
}

fn one<T: PartialEq>(
    field: &'static str,
    a: Option<T>,
    b: Option<T>,
    show: impl Fn(&T) -> String,
) -> Result<Option<T>, PolicyConflict> {
    match (a, b) {
        (Some(a), Some(b)) if a != b => Err(PolicyConflict {
            field,
            first: show(&a),
            second: show(&b),
        }),
        (a, b) => Ok(a.or(b)),
    }
}

fn list<T: PartialEq>(
    field: &'static str,
    a: Vec<T>,
    b: Vec<T>,
    show: impl Fn(&T) -> String,
) -> Result<Vec<T>, PolicyConflict> {
    if a.is_empty() {
        return Ok(b);
    }
    let same_entries = a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x));
    if b.is_empty() || same_entries {
        return Ok(a);
    }
    let bracket = |l: &[T]| format!("[{}]", l.iter().map(&show).collect::<Vec<_>>().join(", "));
    Err(PolicyConflict {
        field,
        first: bracket(&a),
        second: bracket(&b),
    })
}

fn flag(a: bool, b: bool, default: bool) -> bool {
    if a != default { a } else { b }
}

/// The dotted field names of one TCB floor: fmc, bootloader, tee, snp, microcode.
type TcbFields = [&'static str; 5];

macro_rules! tcb_fields {
    ($name:ident, $table:literal) => {
        const $name: TcbFields = [
            concat!($table, ".fmc"),
            concat!($table, ".bootloader"),
            concat!($table, ".tee"),
            concat!($table, ".snp"),
            concat!($table, ".microcode"),
        ];
    };
}

tcb_fields!(REPORTED, "min_reported_tcb");
tcb_fields!(CURRENT, "min_current_tcb");
tcb_fields!(COMMITTED, "min_committed_tcb");
tcb_fields!(LAUNCH, "min_launch_tcb");

fn tcb(names: &TcbFields, a: TcbFloor, b: TcbFloor) -> Result<TcbFloor, PolicyConflict> {
    let TcbFloor {
        fmc,
        bootloader,
        tee,
        snp,
        microcode,
    } = a;
    Ok(TcbFloor {
        fmc: one(names[0], fmc, b.fmc, text)?,
        bootloader: one(names[1], bootloader, b.bootloader, text)?,
        tee: one(names[2], tee, b.tee, text)?,
        snp: one(names[3], snp, b.snp, text)?,
        microcode: one(names[4], microcode, b.microcode, text)?,
    })
}

fn guest(a: GuestPolicyRules, b: GuestPolicyRules) -> Result<GuestPolicyRules, PolicyConflict> {
    let d = GuestPolicyRules::default();
    let GuestPolicyRules {
        allow_debug,
        allow_smt,
        allow_migrate_ma,
        allow_cxl,
        require_single_socket,
        require_mem_aes_256_xts,
        require_rapl_dis,
        require_ciphertext_hiding,
        require_page_swap_disable,
        min_abi,
    } = a;
    Ok(GuestPolicyRules {
        allow_debug: flag(allow_debug, b.allow_debug, d.allow_debug),
        allow_smt: flag(allow_smt, b.allow_smt, d.allow_smt),
        allow_migrate_ma: flag(allow_migrate_ma, b.allow_migrate_ma, d.allow_migrate_ma),
        allow_cxl: flag(allow_cxl, b.allow_cxl, d.allow_cxl),
        require_single_socket: flag(require_single_socket, b.require_single_socket, d.require_single_socket),
        require_mem_aes_256_xts: flag(
            require_mem_aes_256_xts,
            b.require_mem_aes_256_xts,
            d.require_mem_aes_256_xts,
        ),
        require_rapl_dis: flag(require_rapl_dis, b.require_rapl_dis, d.require_rapl_dis),
        require_ciphertext_hiding: flag(
            require_ciphertext_hiding,
            b.require_ciphertext_hiding,
            d.require_ciphertext_hiding,
        ),
        require_page_swap_disable: flag(
            require_page_swap_disable,
            b.require_page_swap_disable,
            d.require_page_swap_disable,
        ),
        min_abi: one("guest_policy.min_abi", min_abi, b.min_abi, text)?,
    })
}

fn platform(a: PlatformRequirements, b: PlatformRequirements) -> Result<PlatformRequirements, PolicyConflict> {
    let PlatformRequirements {
        smt,
        tsme,
        ecc,
        rapl_dis,
        ciphertext_hiding,
        alias_check_complete,
        tio,
    } = a;
    Ok(PlatformRequirements {
        smt: one("platform_info.smt", smt, b.smt, text)?,
        tsme: one("platform_info.tsme", tsme, b.tsme, text)?,
        ecc: one("platform_info.ecc", ecc, b.ecc, text)?,
        rapl_dis: one("platform_info.rapl_dis", rapl_dis, b.rapl_dis, text)?,
        ciphertext_hiding: one(
            "platform_info.ciphertext_hiding",
            ciphertext_hiding,
            b.ciphertext_hiding,
            text,
        )?,
        alias_check_complete: one(
            "platform_info.alias_check_complete",
            alias_check_complete,
            b.alias_check_complete,
            text,
        )?,
        tio: one("platform_info.tio", tio, b.tio, text)?,
    })
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use sev_types::key_info::SigningKey;

    use super::*;
    use crate::policy::Version;
    use crate::snp::Relaxations;

    fn conflict(a: Policy, b: Policy) -> PolicyConflict {
        a.merge(b).unwrap_err()
    }

    #[test]
    fn default_is_the_identity() {
        let p = Policy {
            host_data: Some([7; 32]),
            measurements: vec![[1; 48], [2; 48]],
            require_id_block: true,
            min_reported_tcb: TcbFloor {
                microcode: Some(115),
                ..TcbFloor::default()
            },
            allow_provisional_firmware: false,
            guest_policy: GuestPolicyRules {
                allow_debug: true,
                allow_smt: false,
                ..GuestPolicyRules::default()
            },
            platform_info: PlatformRequirements {
                tsme: Some(false),
                ..PlatformRequirements::default()
            },
            relax: Relaxations {
                chip_id_tail: true,
                ..Relaxations::STRICT
            },
            ..Policy::default()
        };
        assert_eq!(p.clone().merge(Policy::default()).unwrap(), p);
        assert_eq!(Policy::default().merge(p.clone()).unwrap(), p);
        assert_eq!(p.clone().merge(p.clone()).unwrap(), p);
    }

    #[test]
    fn rules_set_on_one_side_combine() {
        let a = Policy {
            report_data: Some([3; 64]),
            min_reported_tcb: TcbFloor {
                snp: Some(8),
                ..TcbFloor::default()
            },
            guest_policy: GuestPolicyRules {
                allow_smt: false,
                ..GuestPolicyRules::default()
            },
            relax: Relaxations {
                reserved_fields: true,
                ..Relaxations::STRICT
            },
            ..Policy::default()
        };
        let b = Policy {
            min_reported_tcb: TcbFloor {
                microcode: Some(115),
                ..TcbFloor::default()
            },
            guest_policy: GuestPolicyRules {
                allow_migrate_ma: false,
                ..GuestPolicyRules::default()
            },
            require_author_key: true,
            max_report_version: Some(3),
            relax: Relaxations {
                pss_parameters: true,
                ..Relaxations::STRICT
            },
            ..Policy::default()
        };
        let m = a.merge(b).unwrap();
        assert_eq!(m.report_data, Some([3; 64]));
        assert_eq!(
            (m.min_reported_tcb.snp, m.min_reported_tcb.microcode),
            (Some(8), Some(115))
        );
        assert!(!m.guest_policy.allow_smt && !m.guest_policy.allow_migrate_ma);
        assert!(m.guest_policy.allow_cxl && !m.guest_policy.allow_debug);
        assert!(m.require_author_key);
        assert_eq!(m.max_report_version, Some(3));
        assert!(m.relax.reserved_fields && m.relax.pss_parameters && !m.relax.ca_constraints);
    }

    #[test]
    fn lists_with_the_same_entries_agree_in_any_order() {
        let a = Policy {
            measurements: vec![[1; 48], [2; 48]],
            signing_keys: vec![SigningKey::Vcek, SigningKey::Vlek],
            ..Policy::default()
        };
        let b = Policy {
            measurements: vec![[2; 48], [1; 48], [2; 48]],
            signing_keys: vec![SigningKey::Vlek, SigningKey::Vcek],
            ..Policy::default()
        };
        let m = a.merge(b).unwrap();
        assert_eq!(m.measurements, vec![[1; 48], [2; 48]]);
        assert_eq!(m.signing_keys, vec![SigningKey::Vcek, SigningKey::Vlek]);
    }

    #[test]
    fn different_lists_conflict_and_show_both() {
        let a = Policy {
            measurements: vec![[1; 48]],
            ..Policy::default()
        };
        let b = Policy {
            measurements: vec![[1; 48], [2; 48]],
            ..Policy::default()
        };
        let c = conflict(a, b);
        assert_eq!(c.field, "measurements");
        assert_eq!(c.first, format!("[{}]", "01".repeat(48)));
        assert_eq!(c.second, format!("[{}, {}]", "01".repeat(48), "02".repeat(48)));
    }

    #[test]
    fn different_values_conflict_naming_the_field_and_both_values() {
        let c = conflict(
            Policy {
                host_data: Some([0; 32]),
                ..Policy::default()
            },
            Policy {
                host_data: Some([0xab; 32]),
                ..Policy::default()
            },
        );
        assert_eq!(c.field, "host_data");
        assert_eq!((c.first, c.second), ("00".repeat(32), "ab".repeat(32)));

        let tcb = |microcode| Policy {
            min_reported_tcb: TcbFloor {
                microcode: Some(microcode),
                ..TcbFloor::default()
            },
            ..Policy::default()
        };
        let c = conflict(tcb(115), tcb(120));
        assert_eq!(
            c.to_string(),
            "policy field min_reported_tcb.microcode is 115 in one policy and 120 in the other"
        );

        let c = conflict(
            Policy {
                min_current_mit_vector: Some(0xb),
                ..Policy::default()
            },
            Policy {
                min_current_mit_vector: Some(0x1),
                ..Policy::default()
            },
        );
        assert_eq!(
            (c.field, c.first.as_str(), c.second.as_str()),
            ("min_current_mit_vector", "0xb", "0x1")
        );

        let c = conflict(
            Policy {
                guest_policy: GuestPolicyRules {
                    min_abi: Some(Version { major: 1, minor: 51 }),
                    ..GuestPolicyRules::default()
                },
                ..Policy::default()
            },
            Policy {
                guest_policy: GuestPolicyRules {
                    min_abi: Some(Version { major: 1, minor: 55 }),
                    ..GuestPolicyRules::default()
                },
                ..Policy::default()
            },
        );
        assert_eq!(
            (c.field, c.first.as_str(), c.second.as_str()),
            ("guest_policy.min_abi", "1.51", "1.55")
        );

        let c = conflict(
            Policy {
                platform_info: PlatformRequirements {
                    smt: Some(true),
                    ..PlatformRequirements::default()
                },
                ..Policy::default()
            },
            Policy {
                platform_info: PlatformRequirements {
                    smt: Some(false),
                    ..PlatformRequirements::default()
                },
                ..Policy::default()
            },
        );
        assert_eq!(
            (c.field, c.first.as_str(), c.second.as_str()),
            ("platform_info.smt", "true", "false")
        );
    }

    #[test]
    fn first_conflict_in_field_order_is_reported() {
        let a = Policy {
            report_data: Some([1; 64]),
            vmpl: Some(0),
            ..Policy::default()
        };
        let b = Policy {
            report_data: Some([2; 64]),
            vmpl: Some(1),
            ..Policy::default()
        };
        assert_eq!(conflict(a, b).field, "report_data");
    }
}
