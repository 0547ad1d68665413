//! Every policy knob, passing and failing, against the real fixture reports.
//!
//! Expected values come from `fixtures/snp/reports.json` (and, for the VLEK cspID, from
//! `openssl asn1parse` of `fixtures/snp/vlek/milan/vlek.der`). Where no real report has a flag
//! set, the test sets it in a copy of a real report: policy validation does not check
//! signatures, so that copy is a fair input.

mod policy_fixtures;

use policy_fixtures::*;
use sev_types::Product;
use sev_types::key_info::SigningKey;
use sev_types::report::Report;
use sev_verify::policy::{EvidenceContext, Origin, Policy, TcbFloor, Version, Violation};

fn check(p: &Policy, f: &Fixture) -> Vec<Violation> {
    p.violations(&f.report(), &f.ctx())
}

fn check_bytes(p: &Policy, bytes: &[u8], product: Product) -> Vec<Violation> {
    let ctx = EvidenceContext {
        product: Some(product),
        vlek_csp_id: None,
    };
    p.violations(&Report::from_bytes(bytes).unwrap(), &ctx)
}

/// Asserts exactly one violation, of `field`, and returns it.
fn only(v: Vec<Violation>, field: &str) -> Violation {
    assert_eq!(v.len(), 1, "expected one violation of {field}, got {v:#?}");
    assert_eq!(v[0].field, field, "{v:#?}");
    v.into_iter().next().unwrap()
}

const DEBUG_BIT: u64 = 1 << 19;

fn has_debug(f: &Fixture) -> bool {
    f.u64("policy") & DEBUG_BIT != 0
}

#[test]
fn default_policy_passes_every_real_report_without_debug() {
    let all = all();
    let mut debug = 0;
    for f in &all {
        let v = check(&Policy::default(), f);
        if has_debug(f) {
            debug += 1;
            let v = only(v, "POLICY.DEBUG");
            assert_eq!(v.origin, Origin::Report);
            assert!(v.found.starts_with("set"), "{}: {v}", f.name);
        } else {
            assert!(v.is_empty(), "{}: {v:#?}", f.name);
        }
    }
    // go-sev-guest's test report (policy 0xb0000) is the only debug guest among the fixtures.
    assert_eq!(debug, 1);
    assert_eq!(all.len() - debug, 13);
}

/// For an exact-value knob: the report's own value passes; the value with its first byte
/// flipped fails, naming the report's value.
fn exact_knob(field: &str, key: &str, set: impl Fn(&mut Policy, &[u8])) {
    for f in all().iter().filter(|f| !has_debug(f)) {
        let real = hex::decode(f.str(key)).unwrap();
        let mut p = Policy::default();
        set(&mut p, &real);
        assert!(check(&p, f).is_empty(), "{} {field}", f.name);
        let mut other = real.clone();
        other[0] ^= 0x80;
        set(&mut p, &other);
        let v = only(check(&p, f), field);
        assert_eq!(v.found, f.str(key), "{}", f.name);
        assert_eq!(v.expected, hex::encode(&other));
        assert_eq!(
            v.to_string(),
            format!("report field {field} is {}, expected {}", v.found, v.expected)
        );
    }
}

#[test]
fn exact_report_data() {
    exact_knob("REPORT_DATA", "report_data", |p, v| {
        p.report_data = Some(v.try_into().unwrap())
    });
}

#[test]
fn exact_host_data() {
    exact_knob("HOST_DATA", "host_data", |p, v| {
        p.host_data = Some(v.try_into().unwrap())
    });
}

#[test]
fn exact_family_id() {
    exact_knob("FAMILY_ID", "family_id", |p, v| {
        p.family_id = Some(v.try_into().unwrap())
    });
}

#[test]
fn exact_image_id() {
    exact_knob("IMAGE_ID", "image_id", |p, v| p.image_id = Some(v.try_into().unwrap()));
}

#[test]
fn exact_report_id() {
    exact_knob("REPORT_ID", "report_id", |p, v| {
        p.report_id = Some(v.try_into().unwrap())
    });
}

#[test]
fn exact_report_id_ma() {
    exact_knob("REPORT_ID_MA", "report_id_ma", |p, v| {
        p.report_id_ma = Some(v.try_into().unwrap())
    });
}

/// For an allow-list knob: a list holding the report's value among others passes; a list of
/// other values fails.
fn list_knob<const N: usize>(field: &str, key: &str, set: impl Fn(&mut Policy, Vec<[u8; N]>)) {
    for f in all().iter().filter(|f| !has_debug(f)) {
        let real: [u8; N] = f.hex(key);
        let mut a = real;
        a[N - 1] ^= 1;
        let mut b = real;
        b[0] ^= 1;
        let mut p = Policy::default();
        set(&mut p, vec![a, real, b]);
        assert!(check(&p, f).is_empty(), "{} {field}", f.name);
        set(&mut p, vec![a, b]);
        let v = only(check(&p, f), field);
        assert_eq!(v.found, f.str(key));
        assert_eq!(v.expected, format!("one of: {}, {}", hex::encode(a), hex::encode(b)));
    }
}

#[test]
fn allowed_measurements() {
    list_knob::<48>("MEASUREMENT", "measurement", |p, l| p.measurements = l);
}

#[test]
fn allowed_chip_ids() {
    list_knob::<64>("CHIP_ID", "chip_id", |p, l| p.chip_ids = l);
}

#[test]
fn allowed_id_key_digests() {
    list_knob::<48>("ID_KEY_DIGEST", "id_key_digest", |p, l| p.id_key_digests = l);
}

#[test]
fn allowed_author_key_digests() {
    list_knob::<48>("AUTHOR_KEY_DIGEST", "author_key_digest", |p, l| {
        p.author_key_digests = l
    });
}

#[test]
fn require_id_block() {
    let p = Policy {
        require_id_block: true,
        ..Policy::default()
    };
    let mut seen = (0, 0);
    for f in all().iter().filter(|f| !has_debug(f)) {
        let has_block = f.str("id_key_digest").bytes().any(|c| c != b'0');
        let v = check(&p, f);
        if has_block {
            seen.0 += 1;
            assert!(v.is_empty(), "{}", f.name);
        } else {
            seen.1 += 1;
            assert_eq!(only(v, "ID_KEY_DIGEST").found, "zero (no ID block)");
        }
    }
    assert!(seen.0 >= 5 && seen.1 >= 5, "{seen:?}");
}

#[test]
fn require_author_key() {
    let p = Policy {
        require_author_key: true,
        ..Policy::default()
    };
    let f = by_file(AZURE_V2);
    assert_eq!(f.u64("author_key_en"), 0);
    only(check(&p, &f), "KEY_INFO.AUTHOR_KEY_EN");
    let with_author = f.modified(|b| b[0x48] |= 1);
    assert!(check_bytes(&p, &with_author, Product::Milan).is_empty());
}

#[test]
fn min_guest_svn() {
    let f = by_file(AZURE_V2);
    let svn = f.u64("guest_svn") as u32;
    assert_eq!(svn, 12);
    let p = Policy {
        min_guest_svn: Some(svn),
        ..Policy::default()
    };
    assert!(check(&p, &f).is_empty());
    let p = Policy {
        min_guest_svn: Some(svn + 1),
        ..Policy::default()
    };
    let v = only(check(&p, &f), "GUEST_SVN");
    assert_eq!((v.found.as_str(), v.expected.as_str()), ("12", "at least 13"));
}

const COMPONENTS: [&str; 5] = ["fmc", "bootloader", "tee", "snp", "microcode"];

fn floor_with(component: &str, value: u8) -> TcbFloor {
    let mut t = TcbFloor::default();
    let slot = match component {
        "fmc" => &mut t.fmc,
        "bootloader" => &mut t.bootloader,
        "tee" => &mut t.tee,
        "snp" => &mut t.snp,
        "microcode" => &mut t.microcode,
        _ => unreachable!(),
    };
    *slot = Some(value);
    t
}

/// Per TCB and component: a floor equal to the report's value passes, one above fails (when the
/// value is below 255), and an FMC floor is ignored on products without an FMC SPL.
fn tcb_knob(json_key: &str, field: &str, set: impl Fn(&mut Policy, TcbFloor)) {
    for f in all().iter().filter(|f| !has_debug(f)) {
        for c in COMPONENTS {
            let mut p = Policy::default();
            match f.tcb(json_key, c) {
                Some(value) => {
                    set(&mut p, floor_with(c, value));
                    assert!(check(&p, f).is_empty(), "{} {field}.{c}", f.name);
                    if value < 255 {
                        set(&mut p, floor_with(c, value + 1));
                        let v = check(&p, f);
                        assert_eq!(v.len(), 1, "{} {c}: {v:#?}", f.name);
                        assert_eq!(v[0].field, format!("{field}.{c}"));
                        assert_eq!(v[0].found, value.to_string());
                        assert_eq!(v[0].expected, format!("at least {}", value + 1));
                    }
                }
                None => {
                    assert_eq!(c, "fmc", "{} lacks {c}", f.name);
                    set(&mut p, floor_with(c, 200));
                    assert!(
                        check(&p, f).is_empty(),
                        "{}: an FMC floor applies only to FMC products",
                        f.name
                    );
                }
            }
        }
    }
}

#[test]
fn min_reported_tcb() {
    tcb_knob("reported_tcb", "REPORTED_TCB", |p, t| p.min_reported_tcb = t);
}

#[test]
fn min_current_tcb() {
    tcb_knob("current_tcb", "CURRENT_TCB", |p, t| p.min_current_tcb = t);
}

#[test]
fn min_committed_tcb() {
    tcb_knob("committed_tcb", "COMMITTED_TCB", |p, t| p.min_committed_tcb = t);
}

#[test]
fn min_launch_tcb() {
    tcb_knob("launch_tcb", "LAUNCH_TCB", |p, t| p.min_launch_tcb = t);
}

#[test]
fn turin_fmc_floor_is_checked() {
    let f = by_file(TURIN_V5);
    assert_eq!(f.tcb("reported_tcb", "fmc"), Some(0));
    let p = Policy {
        min_reported_tcb: floor_with("fmc", 1),
        ..Policy::default()
    };
    let v = only(check(&p, &f), "REPORTED_TCB.fmc");
    assert_eq!(v.found, "0");
}

#[test]
fn tcb_floor_on_undecodable_report_is_a_violation() {
    // A v2 report names no product; with its CHIP_ID masked and no product given, no layout.
    let f = by_file(GOSEV);
    let masked = f.modified(|b| b[0x1A0..0x1E0].fill(0));
    let r = Report::from_bytes(&masked).unwrap();
    let p = Policy {
        min_reported_tcb: floor_with("snp", 1),
        allow_provisional_firmware: false,
        ..Policy::default()
    };
    let v = p.violations(&r, &EvidenceContext::default());
    let fields: Vec<_> = v
        .iter()
        .filter(|v| v.field != "POLICY.DEBUG")
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["REPORTED_TCB", "COMMITTED_TCB"]);
    assert!(
        p.violations(
            &r,
            &EvidenceContext {
                product: Some(Product::Milan),
                ..Default::default()
            }
        )
        .iter()
        .all(|v| v.field == "POLICY.DEBUG")
    );
}

#[test]
fn min_firmware_version() {
    let f = by_file(MILAN_V3);
    assert_eq!((f.u64("current_major"), f.u64("current_minor")), (1, 55));
    let p = Policy {
        min_version: Some(Version { major: 1, minor: 55 }),
        ..Policy::default()
    };
    assert!(check(&p, &f).is_empty());
    let p = Policy {
        min_version: Some(Version { major: 1, minor: 56 }),
        ..Policy::default()
    };
    let v = check(&p, &f);
    let fields: Vec<_> = v.iter().map(|v| v.field).collect();
    assert_eq!(fields, ["CURRENT_VERSION", "COMMITTED_VERSION"]);
    assert_eq!(
        v[0].to_string(),
        "report field CURRENT_VERSION is 1.55 build 29, expected at least 1.56"
    );
}

#[test]
fn min_firmware_build() {
    let f = by_file(GENOA_V5);
    let build = f.u64("current_build") as u8;
    assert_eq!(build, 49);
    let p = Policy {
        min_build: Some(build),
        ..Policy::default()
    };
    assert!(check(&p, &f).is_empty());
    let p = Policy {
        min_build: Some(build + 1),
        ..Policy::default()
    };
    let v = check(&p, &f);
    assert_eq!(v.len(), 2, "{v:#?}");
    assert!(v.iter().all(|v| v.expected == "build at least 50"));
}

#[test]
fn min_report_version() {
    let p = Policy {
        min_report_version: Some(5),
        ..Policy::default()
    };
    assert!(check(&p, &by_file(GENOA_V5)).is_empty());
    assert!(check(&p, &by_file(TURIN_V5)).is_empty());
    let v = only(check(&p, &by_file(MILAN_V3)), "VERSION");
    assert_eq!((v.found.as_str(), v.expected.as_str()), ("3", "at least 5"));
}

#[test]
fn max_report_version() {
    let p = Policy {
        max_report_version: Some(3),
        ..Policy::default()
    };
    assert!(check(&p, &by_file(TRUSTEE)).is_empty(), "version 2");
    assert!(check(&p, &by_file(MILAN_V3)).is_empty(), "version 3");
    for file in [GENOA_V5, TURIN_V5] {
        let v = only(check(&p, &by_file(file)), "VERSION");
        assert_eq!((v.found.as_str(), v.expected.as_str()), ("5", "at most 3"));
        assert_eq!(v.to_string(), "report field VERSION is 5, expected at most 3");
    }
    // A window of one version, with both bounds.
    let exactly_5 = Policy {
        min_report_version: Some(5),
        max_report_version: Some(5),
        ..Policy::default()
    };
    assert!(check(&exactly_5, &by_file(TURIN_V5)).is_empty());
    assert_eq!(check(&exactly_5, &by_file(MILAN_V3))[0].expected, "at least 5");
}

#[test]
fn min_mitigation_vectors() {
    let f = by_file(GENOA_V5);
    assert_eq!(f.u64("launch_mit_vector"), 0xb);
    assert_eq!(f.u64("current_mit_vector"), 0xb);
    let p = Policy {
        min_launch_mit_vector: Some(0x3),
        min_current_mit_vector: Some(0xb),
        ..Policy::default()
    };
    assert!(check(&p, &f).is_empty());
    let p = Policy {
        min_launch_mit_vector: Some(0x4),
        ..Policy::default()
    };
    let v = only(check(&p, &f), "LAUNCH_MIT_VECTOR");
    assert_eq!(v.found, "0xb (missing 0x4)");
    let p = Policy {
        min_current_mit_vector: Some(0x1f),
        ..Policy::default()
    };
    assert_eq!(only(check(&p, &f), "CURRENT_MIT_VECTOR").found, "0xb (missing 0x14)");
    // Turin v5 reports a zero vector; a v3 report has none.
    let p = Policy {
        min_current_mit_vector: Some(0x1),
        ..Policy::default()
    };
    only(check(&p, &by_file(TURIN_V5)), "CURRENT_MIT_VECTOR");
    assert!(
        only(check(&p, &by_file(MILAN_V3)), "CURRENT_MIT_VECTOR")
            .found
            .starts_with("absent")
    );
}

#[test]
fn provisional_firmware() {
    let p = Policy {
        allow_provisional_firmware: false,
        ..Policy::default()
    };
    // trustee: CURRENT_TCB microcode 206 running over COMMITTED_TCB microcode 115.
    let f = by_file(TRUSTEE);
    assert_eq!(
        (f.tcb("current_tcb", "microcode"), f.tcb("committed_tcb", "microcode")),
        (Some(206), Some(115))
    );
    let v = only(check(&p, &f), "COMMITTED_TCB.microcode");
    assert_eq!(v.found, "115");
    assert!(v.expected.starts_with("at least 206"), "{v}");
    assert!(check(&Policy::default(), &f).is_empty());
    // The VLEK report runs microcode 220 over committed 219.
    only(check(&p, &by_file(VLEK_MILAN)), "COMMITTED_TCB.microcode");
    for name in [MILAN_V3, GENOA_V5, TURIN_V5, AZURE_V2] {
        assert!(check(&p, &by_file(name)).is_empty(), "{name}");
    }
    // Committed version older than current.
    let older = by_file(MILAN_V3).modified(|b| b[0x1EC] -= 1);
    only(check_bytes(&p, &older, Product::Milan), "COMMITTED_VERSION");
}

#[test]
fn vmpl_exact_and_max() {
    let vlek = by_file(VLEK_MILAN);
    assert_eq!(vlek.u64("vmpl"), 1);
    let exact1 = Policy {
        vmpl: Some(1),
        ..Policy::default()
    };
    assert!(check(&exact1, &vlek).is_empty());
    assert_eq!(only(check(&exact1, &by_file(MILAN_V3)), "VMPL").found, "0");
    let max0 = Policy {
        max_vmpl: Some(0),
        ..Policy::default()
    };
    assert!(check(&max0, &by_file(MILAN_V3)).is_empty());
    let v = only(check(&max0, &vlek), "VMPL");
    assert_eq!((v.found.as_str(), v.expected.as_str()), ("1", "at most 0"));
    assert!(
        check(
            &Policy {
                max_vmpl: Some(1),
                ..Policy::default()
            },
            &vlek
        )
        .is_empty()
    );
}

#[test]
fn debug_is_forbidden_unless_allowed() {
    let f = by_file(GOSEV);
    assert!(has_debug(&f));
    only(check(&Policy::default(), &f), "POLICY.DEBUG");
    let mut p = Policy::default();
    p.guest_policy.allow_debug = true;
    assert!(check(&p, &f).is_empty());
}

/// A guest-policy bit the policy may forbid: real reports with the bit clear pass, and the same
/// report with the bit set fails (or, for SMT, which every fixture sets, the reverse).
fn ceiling_knob(bit: u32, field: &str, forbid: impl Fn(&mut Policy)) {
    let mut p = Policy::default();
    forbid(&mut p);
    for f in all().iter().filter(|f| !has_debug(f)) {
        let policy = f.u64("policy");
        let set = f.modified(|b| b[0x08 + (bit / 8) as usize] |= 1 << (bit % 8));
        let clear = f.modified(|b| b[0x08 + (bit / 8) as usize] &= !(1 << (bit % 8)));
        let v = check(&p, f);
        if policy & (1 << bit) != 0 {
            only(v, field);
        } else {
            assert!(v.is_empty(), "{}: {v:#?}", f.name);
        }
        only(check_bytes(&p, &set, f.product()), field);
        assert!(check_bytes(&p, &clear, f.product()).is_empty());
        assert!(
            check_bytes(&Policy::default(), &set, f.product()).is_empty(),
            "{field} is allowed by default"
        );
    }
}

#[test]
fn smt_only_where_permitted() {
    assert!(
        all().iter().all(|f| f.u64("policy") & (1 << 16) != 0),
        "every fixture allows SMT"
    );
    ceiling_knob(16, "POLICY.SMT", |p| p.guest_policy.allow_smt = false);
}

#[test]
fn migrate_ma_only_where_permitted() {
    ceiling_knob(18, "POLICY.MIGRATE_MA", |p| p.guest_policy.allow_migrate_ma = false);
}

#[test]
fn cxl_only_where_permitted() {
    ceiling_knob(21, "POLICY.CXL_ALLOW", |p| p.guest_policy.allow_cxl = false);
}

/// A guest-policy bit the policy may require: real reports lack all of them and fail; the same
/// report with the bit set passes.
fn required_knob(bit: u32, field: &str, require: impl Fn(&mut Policy)) {
    let mut p = Policy::default();
    require(&mut p);
    for f in all().iter().filter(|f| !has_debug(f)) {
        assert_eq!(f.u64("policy") & (1 << bit), 0, "{}", f.name);
        let v = only(check(&p, f), field);
        assert!(v.found.starts_with("clear"), "{v}");
        let set = f.modified(|b| b[0x08 + (bit / 8) as usize] |= 1 << (bit % 8));
        assert!(check_bytes(&p, &set, f.product()).is_empty(), "{}", f.name);
    }
}

#[test]
fn require_single_socket() {
    required_knob(20, "POLICY.SINGLE_SOCKET", |p| {
        p.guest_policy.require_single_socket = true
    });
}

#[test]
fn require_mem_aes_256_xts() {
    required_knob(22, "POLICY.MEM_AES_256_XTS", |p| {
        p.guest_policy.require_mem_aes_256_xts = true
    });
}

#[test]
fn require_rapl_dis() {
    required_knob(23, "POLICY.RAPL_DIS", |p| p.guest_policy.require_rapl_dis = true);
}

#[test]
fn require_ciphertext_hiding() {
    required_knob(24, "POLICY.CIPHERTEXT_HIDING", |p| {
        p.guest_policy.require_ciphertext_hiding = true
    });
}

#[test]
fn require_page_swap_disable() {
    required_knob(25, "POLICY.PAGE_SWAP_DISABLE", |p| {
        p.guest_policy.require_page_swap_disable = true
    });
}

#[test]
fn guest_policy_abi_floor() {
    // trustee's policy 0x3001f asks for ABI 0.31.
    let f = by_file(TRUSTEE);
    assert_eq!(f.u64("policy") & 0xffff, 0x1f);
    let mut p = Policy::default();
    p.guest_policy.min_abi = Some(Version { major: 0, minor: 31 });
    assert!(check(&p, &f).is_empty());
    p.guest_policy.min_abi = Some(Version { major: 0, minor: 32 });
    let v = only(check(&p, &f), "POLICY.ABI");
    assert_eq!((v.found.as_str(), v.expected.as_str()), ("0.31", "at least 0.32"));
    p.guest_policy.min_abi = Some(Version { major: 1, minor: 0 });
    only(check(&p, &by_file(MILAN_V3)), "POLICY.ABI");
}

/// Each PLATFORM_INFO requirement, both ways, on every fixture: requiring the value
/// reports.json shows passes, requiring the opposite fails.
#[test]
fn platform_info_requirements() {
    type Setter = fn(&mut Policy, Option<bool>);
    let knobs: [(u32, &str, Setter); 7] = [
        (0, "PLATFORM_INFO.SMT_EN", |p, v| p.platform_info.smt = v),
        (1, "PLATFORM_INFO.TSME_EN", |p, v| p.platform_info.tsme = v),
        (2, "PLATFORM_INFO.ECC_EN", |p, v| p.platform_info.ecc = v),
        (3, "PLATFORM_INFO.RAPL_DIS", |p, v| p.platform_info.rapl_dis = v),
        (4, "PLATFORM_INFO.CIPHERTEXT_HIDING_EN", |p, v| {
            p.platform_info.ciphertext_hiding = v
        }),
        (5, "PLATFORM_INFO.ALIAS_CHECK_COMPLETE", |p, v| {
            p.platform_info.alias_check_complete = v
        }),
        (7, "PLATFORM_INFO.TIO_EN", |p, v| p.platform_info.tio = v),
    ];
    let mut both_seen = [(false, false); 7];
    for f in all().iter().filter(|f| !has_debug(f)) {
        let info = f.u64("platform_info");
        for (i, (bit, field, set)) in knobs.iter().enumerate() {
            let is_set = info & (1 << bit) != 0;
            if is_set {
                both_seen[i].0 = true
            } else {
                both_seen[i].1 = true
            }
            let mut p = Policy::default();
            set(&mut p, Some(is_set));
            assert!(check(&p, f).is_empty(), "{} {field}", f.name);
            set(&mut p, Some(!is_set));
            let v = only(check(&p, f), field);
            assert_eq!(v.expected, if is_set { "clear" } else { "set" });
        }
    }
    // SMT, TSME, ECC and ALIAS_CHECK_COMPLETE are each set in some real report and clear in another.
    for i in [0, 1, 2, 5] {
        assert_eq!(both_seen[i], (true, true), "{}", knobs[i].1);
    }
}

#[test]
fn allowed_signing_keys() {
    let vlek = by_file(VLEK_MILAN);
    assert_eq!(vlek.u64("signing_key"), 1);
    let vcek_only = Policy {
        signing_keys: vec![SigningKey::Vcek],
        ..Policy::default()
    };
    assert!(check(&vcek_only, &by_file(MILAN_V3)).is_empty());
    let v = only(check(&vcek_only, &vlek), "KEY_INFO.SIGNING_KEY");
    assert_eq!((v.found.as_str(), v.expected.as_str()), ("VLEK", "one of: VCEK"));
    let vlek_only = Policy {
        signing_keys: vec![SigningKey::Vlek],
        ..Policy::default()
    };
    assert!(check(&vlek_only, &vlek).is_empty());
    only(check(&vlek_only, &by_file(TURIN_V5)), "KEY_INFO.SIGNING_KEY");
}

/// The cspID of `fixtures/snp/vlek/milan/vlek.der` (extension 1.3.6.1.4.1.3704.1.5, read with openssl).
const AWS_CSP: &str = "CN=cc-us-east-2.amazonaws.com";

#[test]
fn allowed_vlek_csp_ids() {
    let f = by_file(VLEK_MILAN);
    let r = f.report();
    let p = Policy {
        vlek_csp_ids: vec!["CN=other".into(), AWS_CSP.into()],
        ..Policy::default()
    };
    let ctx = EvidenceContext {
        vlek_csp_id: Some(AWS_CSP),
        ..f.ctx()
    };
    assert!(p.violations(&r, &ctx).is_empty());
    let ctx = EvidenceContext {
        vlek_csp_id: Some("CN=cc-eu-west-1.example"),
        ..f.ctx()
    };
    let v = only(p.violations(&r, &ctx), "VLEK cspID");
    assert_eq!(v.origin, Origin::Certificate);
    assert_eq!(
        v.to_string(),
        format!("certificate field VLEK cspID is CN=cc-eu-west-1.example, expected one of: CN=other, {AWS_CSP}")
    );
    let v = only(p.violations(&r, &f.ctx()), "VLEK cspID");
    assert!(v.found.starts_with("unknown"));
    // A VCEK report has no cspID; the list does not apply.
    assert!(check(&p, &by_file(MILAN_V3)).is_empty());
}

#[test]
fn every_violation_is_reported_in_layout_order() {
    let f = by_file(TRUSTEE);
    let mut p = Policy {
        min_report_version: Some(3),
        min_guest_svn: Some(5),
        measurements: vec![[0; 48]],
        require_author_key: true,
        max_vmpl: Some(0),
        min_reported_tcb: TcbFloor {
            microcode: Some(116),
            snp: Some(9),
            ..TcbFloor::default()
        },
        allow_provisional_firmware: false,
        ..Policy::default()
    };
    p.guest_policy.allow_smt = false;
    p.platform_info.tsme = Some(true);
    let fields: Vec<_> = check(&p, &f).into_iter().map(|v| v.field).collect();
    assert_eq!(
        fields,
        [
            "VERSION",
            "GUEST_SVN",
            "POLICY.SMT",
            "PLATFORM_INFO.TSME_EN",
            "KEY_INFO.AUTHOR_KEY_EN",
            "MEASUREMENT",
            "REPORTED_TCB.snp",
            "REPORTED_TCB.microcode",
            "COMMITTED_TCB.microcode",
        ]
    );
    assert!(p.validate(&f.report(), &f.ctx()).is_err());
}
