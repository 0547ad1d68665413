//! Policy files: TOML and JSON round trips, defaults for missing fields, rejected input.
#![cfg(feature = "serde")]

mod policy_fixtures;

use policy_fixtures::*;
use sev_types::key_info::SigningKey;
use sev_verify::policy::{GuestPolicyRules, PlatformRequirements, Policy, TcbFloor, Unappraised, Version};
use sev_verify::snp::Relaxations;

/// A policy with every knob set away from its default, with values from real reports.
fn everything() -> Policy {
    let trustee = by_file(TRUSTEE);
    let genoa = by_file(GENOA_V5);
    Policy {
        report_data: Some(trustee.hex("report_data")),
        host_data: Some(trustee.hex("host_data")),
        family_id: Some(trustee.hex("family_id")),
        image_id: Some(trustee.hex("image_id")),
        report_id: Some(trustee.hex("report_id")),
        report_id_ma: Some(trustee.hex("report_id_ma")),
        measurements: vec![trustee.hex("measurement"), genoa.hex("measurement")],
        chip_ids: vec![trustee.hex("chip_id")],
        id_key_digests: vec![trustee.hex("id_key_digest")],
        author_key_digests: vec![[0xab; 48]],
        require_id_block: true,
        require_author_key: true,
        min_guest_svn: Some(4),
        min_reported_tcb: TcbFloor {
            bootloader: Some(3),
            tee: Some(0),
            snp: Some(8),
            microcode: Some(115),
            fmc: None,
        },
        min_current_tcb: TcbFloor {
            microcode: Some(206),
            ..TcbFloor::default()
        },
        min_committed_tcb: TcbFloor {
            fmc: Some(1),
            ..TcbFloor::default()
        },
        min_launch_tcb: TcbFloor {
            snp: Some(8),
            ..TcbFloor::default()
        },
        min_build: Some(4),
        min_version: Some(Version { major: 1, minor: 52 }),
        min_report_version: Some(2),
        max_report_version: Some(5),
        min_launch_mit_vector: Some(0xb),
        min_current_mit_vector: Some(0x8000_0000_0000_0001),
        allow_provisional_firmware: false,
        vmpl: Some(0),
        max_vmpl: Some(1),
        guest_policy: GuestPolicyRules {
            allow_debug: true,
            allow_smt: false,
            allow_migrate_ma: false,
            allow_cxl: false,
            require_single_socket: true,
            require_mem_aes_256_xts: true,
            require_rapl_dis: true,
            require_ciphertext_hiding: true,
            require_page_swap_disable: true,
            min_abi: Some(Version { major: 1, minor: 51 }),
        },
        platform_info: PlatformRequirements {
            smt: Some(true),
            tsme: Some(false),
            ecc: Some(true),
            rapl_dis: Some(false),
            ciphertext_hiding: Some(true),
            alias_check_complete: Some(true),
            tio: Some(false),
        },
        signing_keys: vec![SigningKey::Vcek, SigningKey::Vlek],
        vlek_csp_ids: vec!["CN=cc-us-east-2.amazonaws.com".into()],
        relax: Relaxations {
            reserved_fields: true,
            unknown_report_version: true,
            chip_id_tail: true,
            pss_parameters: true,
            crl_critical_extensions: true,
            ca_constraints: true,
        },
    }
}

#[test]
fn toml_round_trip_keeps_every_knob() {
    let p = everything();
    let text = toml::to_string(&p).unwrap();
    let back: Policy = toml::from_str(&text).unwrap();
    assert_eq!(back, p, "{text}");
    // Values are written the way a person would write them.
    assert!(
        text.contains(&format!("report_data = \"{}\"", by_file(TRUSTEE).str("report_data"))),
        "{text}"
    );
    assert!(text.contains("min_version = \"1.52\""), "{text}");
    assert!(
        text.contains("min_current_mit_vector = \"0x8000000000000001\""),
        "{text}"
    );
    assert!(text.contains("signing_keys = [\"vcek\", \"vlek\"]"), "{text}");
    assert!(text.contains("max_report_version = 5"), "{text}");
    assert!(text.contains("[relax]\nreserved_fields = true\n"), "{text}");
}

#[test]
fn relax_table_names_each_relaxation_and_is_omitted_when_strict() {
    let p: Policy =
        toml::from_str("max_report_version = 5\n\n[relax]\nchip_id_tail = true\nca_constraints = true\n").unwrap();
    assert_eq!(p.max_report_version, Some(5));
    assert_eq!(
        p.relax,
        Relaxations {
            chip_id_tail: true,
            ca_constraints: true,
            ..Relaxations::STRICT
        }
    );
    // Every name `Relaxations::named` lists is a key of the table.
    for (name, _) in Relaxations::STRICT.named() {
        let p: Policy = toml::from_str(&format!("[relax]\n{name} = true\n")).unwrap();
        assert!(p.relax.named().iter().any(|&(n, set)| n == name && set), "{name}");
        let json: Policy = serde_json::from_str(&format!(r#"{{"relax": {{"{name}": true}}}}"#)).unwrap();
        assert_eq!(json, p);
    }
    // Strict is the default and is not written out.
    let text = toml::to_string(&Policy::default()).unwrap();
    assert!(!text.contains("relax"), "{text}");
    let json = serde_json::to_value(Policy::default()).unwrap();
    assert!(json.get("relax").is_none() && json.get("max_report_version").is_none());
    let err = toml::from_str::<Policy>("[relax]\nreserved = true\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn unappraised_serializes_as_snake_case_names() {
    let all = serde_json::to_value(Unappraised::ALL).unwrap();
    assert_eq!(
        all,
        serde_json::json!([
            "measurement",
            "host_data",
            "report_data",
            "minimum_tcb",
            "id_key",
            "revocation"
        ])
    );
    for u in Unappraised::ALL {
        assert_eq!(serde_json::to_value(u).unwrap(), u.name());
        assert_eq!(serde_json::from_value::<Unappraised>(u.name().into()).unwrap(), u);
    }
}

#[test]
fn json_round_trip_keeps_every_knob() {
    let p = everything();
    let text = serde_json::to_string_pretty(&p).unwrap();
    let back: Policy = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["measurements"][1], by_file(GENOA_V5).str("measurement"));
    assert_eq!(v["guest_policy"]["min_abi"], "1.51");
}

#[test]
fn default_policy_round_trips_and_empty_files_mean_default() {
    let d = Policy::default();
    assert_eq!(toml::from_str::<Policy>(&toml::to_string(&d).unwrap()).unwrap(), d);
    assert_eq!(
        serde_json::from_str::<Policy>(&serde_json::to_string(&d).unwrap()).unwrap(),
        d
    );
    assert_eq!(toml::from_str::<Policy>("").unwrap(), d);
    assert_eq!(serde_json::from_str::<Policy>("{}").unwrap(), d);
    // An empty guest_policy table keeps the non-false defaults.
    let p: Policy = toml::from_str("[guest_policy]\nrequire_rapl_dis = true\n").unwrap();
    assert!(p.guest_policy.allow_smt && p.guest_policy.allow_migrate_ma && p.guest_policy.allow_cxl);
    assert!(!p.guest_policy.allow_debug && p.guest_policy.require_rapl_dis);
    assert!(p.allow_provisional_firmware);
}

#[test]
fn handwritten_toml_reads_as_documented() {
    let text = format!(
        r#"
measurements = ["{m}"]
min_guest_svn = 1
max_vmpl = 0
signing_keys = ["vcek"]
min_launch_mit_vector = 11

[min_reported_tcb]
snp = 8
microcode = 115

[guest_policy]
allow_smt = false
min_abi = "1.51"

[platform_info]
tsme = true
"#,
        m = by_file(GOSEV).str("measurement")
    );
    let p: Policy = toml::from_str(&text).unwrap();
    assert_eq!(p.measurements, vec![by_file(GOSEV).hex::<48>("measurement")]);
    assert_eq!(p.min_guest_svn, Some(1));
    assert_eq!(p.max_vmpl, Some(0));
    assert_eq!(p.signing_keys, vec![SigningKey::Vcek]);
    assert_eq!(p.min_launch_mit_vector, Some(11));
    assert_eq!(
        p.min_reported_tcb,
        TcbFloor {
            snp: Some(8),
            microcode: Some(115),
            ..TcbFloor::default()
        }
    );
    assert!(!p.guest_policy.allow_smt);
    assert_eq!(p.guest_policy.min_abi, Some(Version { major: 1, minor: 51 }));
    assert_eq!(p.platform_info.tsme, Some(true));
    // Masks also read from hex strings, and uppercase hex is accepted for bytes.
    let p: Policy =
        serde_json::from_str(r#"{"min_current_mit_vector": "0xB", "family_id": "0100000000000000000000000000000A"}"#)
            .unwrap();
    assert_eq!(p.min_current_mit_vector, Some(0xb));
    assert_eq!(p.family_id.unwrap()[15], 0x0a);
}

#[test]
fn unknown_fields_are_rejected_at_every_level() {
    for text in [
        "measurment = []\n",
        "[guest_policy]\nallow_debugg = true\n",
        "[platform_info]\nsmt_en = true\n",
        "[min_reported_tcb]\nucode = 1\n",
    ] {
        let err = toml::from_str::<Policy>(text).unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{text}: {err}");
    }
    assert!(serde_json::from_str::<Policy>(r#"{"vmpl": 0, "extra": 1}"#).is_err());
}

#[test]
fn malformed_values_are_rejected() {
    for text in [
        "report_data = \"00\"\n",                             // too short
        &format!("host_data = \"{}\"\n", "zz".repeat(32)),    // not hex
        "measurements = [\"00\"]\n",                          // too short in a list
        "min_version = \"1\"\n",                              // no minor
        "min_version = \"1.256\"\n",                          // minor out of range
        "[guest_policy]\nmin_abi = \"1.+5\"\n",               // not a number
        "min_current_mit_vector = -1\n",                      // negative mask
        "min_current_mit_vector = \"0x\"\n",                  // empty hex
        "min_current_mit_vector = \"0x10000000000000000\"\n", // over 64 bits
        "signing_keys = [\"vcekk\"]\n",                       // unknown key type
        "vmpl = -1\n",                                        // negative VMPL
        "[min_reported_tcb]\nmicrocode = 256\n",              // SPL over 255
    ] {
        assert!(toml::from_str::<Policy>(text).is_err(), "accepted {text:?}");
    }
}
