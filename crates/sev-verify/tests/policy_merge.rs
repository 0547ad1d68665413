//! Combining a policy file with command-line rules, and listing what a policy leaves unchecked.
//!
//! Values come from the real fixture reports (`fixtures/snp/reports.json`).

mod policy_fixtures;

use policy_fixtures::*;
use sev_verify::policy::{GuestPolicyRules, Policy, PolicyConflict, TcbFloor, Unappraised};
use sev_verify::snp::Relaxations;

/// A policy a relying party might keep in a file for the Trustee Milan guest.
fn file_policy() -> Policy {
    let f = by_file(TRUSTEE);
    Policy {
        measurements: vec![f.hex("measurement")],
        min_reported_tcb: TcbFloor {
            snp: f.tcb("reported_tcb", "snp"),
            ..TcbFloor::default()
        },
        ..Policy::default()
    }
}

#[test]
fn file_and_flags_combine_and_the_result_checks_both() {
    let f = by_file(TRUSTEE);
    let flags = Policy {
        measurements: vec![f.hex("measurement")],
        report_data: Some(f.hex("report_data")),
        min_reported_tcb: TcbFloor {
            microcode: f.tcb("reported_tcb", "microcode"),
            ..TcbFloor::default()
        },
        max_report_version: Some(2),
        guest_policy: GuestPolicyRules {
            allow_migrate_ma: false,
            ..GuestPolicyRules::default()
        },
        ..Policy::default()
    };
    let merged = file_policy().merge(flags).unwrap();
    assert_eq!(merged.measurements.len(), 1);
    assert_eq!(merged.min_reported_tcb.snp, Some(8));
    assert_eq!(merged.min_reported_tcb.microcode, Some(115));
    assert!(merged.violations(&f.report(), &f.ctx()).is_empty());

    // The merged policy still holds the file's rule: a one-higher SNP floor fails.
    let mut stricter = merged.clone();
    stricter.min_reported_tcb.snp = Some(9);
    let v = stricter.violations(&f.report(), &f.ctx());
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].field, "REPORTED_TCB.snp");
    // And the flags' rule: a Genoa v5 report fails max_report_version and the measurement.
    let g = by_file(GENOA_V5);
    let fields: Vec<_> = merged
        .violations(&g.report(), &g.ctx())
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert!(
        fields.contains(&"VERSION") && fields.contains(&"MEASUREMENT"),
        "{fields:?}"
    );
}

#[test]
fn a_flag_contradicting_the_file_is_a_conflict() {
    let trustee = by_file(TRUSTEE);
    let genoa = by_file(GENOA_V5);
    let flags = Policy {
        measurements: vec![genoa.hex("measurement")],
        ..Policy::default()
    };
    let err: PolicyConflict = file_policy().merge(flags).unwrap_err();
    assert_eq!(err.field, "measurements");
    assert_eq!(err.first, format!("[{}]", trustee.str("measurement")));
    assert_eq!(err.second, format!("[{}]", genoa.str("measurement")));

    let flags = Policy {
        min_reported_tcb: TcbFloor {
            snp: Some(9),
            ..TcbFloor::default()
        },
        ..Policy::default()
    };
    let err = file_policy().merge(flags).unwrap_err();
    assert_eq!(
        err.to_string(),
        "policy field min_reported_tcb.snp is 8 in one policy and 9 in the other"
    );
}

#[test]
fn relaxations_from_both_sides_are_united() {
    let a = Policy {
        relax: Relaxations {
            reserved_fields: true,
            ..Relaxations::STRICT
        },
        ..file_policy()
    };
    let b = Policy {
        relax: Relaxations {
            crl_critical_extensions: true,
            ..Relaxations::STRICT
        },
        ..Policy::default()
    };
    let m = a.merge(b).unwrap();
    let set: Vec<_> = m
        .relax
        .named()
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(set, ["reserved_fields", "crl_critical_extensions"]);
}

#[test]
fn default_policy_appraises_none_of_the_listed_properties() {
    assert_eq!(
        Policy::default().unappraised(),
        [
            Unappraised::Measurement,
            Unappraised::HostData,
            Unappraised::ReportData,
            Unappraised::MinimumTcb,
            Unappraised::IdKey,
        ]
    );
    // Revocation is never decided by a policy.
    assert!(!Unappraised::Revocation.left_open_by(&Policy::default()));
}

/// Adds one rule to a policy.
type AddRule<'a> = dyn Fn(&mut Policy) + 'a;

#[test]
fn unappraised_shrinks_as_rules_are_added() {
    let f = by_file(TRUSTEE);
    let mut p = Policy::default();
    let mut last = p.unappraised().len();
    let steps: [(Unappraised, &AddRule<'_>); 5] = [
        (Unappraised::Measurement, &|p| {
            p.measurements = vec![f.hex("measurement")]
        }),
        (Unappraised::HostData, &|p| p.host_data = Some(f.hex("host_data"))),
        (Unappraised::ReportData, &|p| p.report_data = Some(f.hex("report_data"))),
        (Unappraised::MinimumTcb, &|p| {
            p.min_reported_tcb.microcode = f.tcb("reported_tcb", "microcode")
        }),
        (Unappraised::IdKey, &|p| p.id_key_digests = vec![f.hex("id_key_digest")]),
    ];
    for (gone, add) in steps {
        add(&mut p);
        let now = p.unappraised();
        assert!(!now.contains(&gone), "{gone} still listed: {now:?}");
        assert_eq!(now.len(), last - 1);
        last = now.len();
    }
    assert!(p.unappraised().is_empty());
    // The fully pinned policy accepts the report it was taken from.
    assert!(p.violations(&f.report(), &f.ctx()).is_empty());
}

#[test]
fn rules_that_do_not_pin_the_value_leave_it_unappraised() {
    // A floor on CURRENT_TCB or LAUNCH_TCB is not a floor on the TCB the VCEK vouches for.
    let p = Policy {
        min_current_tcb: TcbFloor {
            snp: Some(8),
            ..TcbFloor::default()
        },
        min_launch_tcb: TcbFloor {
            snp: Some(8),
            ..TcbFloor::default()
        },
        // Requiring some ID block does not say whose.
        require_id_block: true,
        ..Policy::default()
    };
    let open = p.unappraised();
    assert!(open.contains(&Unappraised::MinimumTcb) && open.contains(&Unappraised::IdKey));
    // An author-key allow-list alone pins the ID block's signer.
    let p = Policy {
        author_key_digests: vec![[0xab; 48]],
        ..Policy::default()
    };
    assert!(!p.unappraised().contains(&Unappraised::IdKey));
}

#[test]
fn every_variant_has_a_distinct_name_and_a_sentence() {
    let mut names: Vec<_> = Unappraised::ALL.iter().map(|u| u.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Unappraised::ALL.len());
    for u in Unappraised::ALL {
        assert!(u.name().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{u}");
        assert_eq!(u.to_string(), u.name());
        let s = u.sentence();
        assert!(s.ends_with('.') && s.len() > 30, "{u}: {s}");
    }
}
