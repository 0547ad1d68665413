//! `sev verify report --skip-hwid-check`: a MASK_CHIP_ID report (CHIP_ID all zero) verifies
//! through a VCEK only when the hwID check is skipped. No real fixture has a masked CHIP_ID with
//! a VCEK, so this uses the fake AMD PKI of `sev-testing` with its ARK pinned.

use std::process::{Command, Output};

use sev_testing::{FakePki, LeafKey, ReportSpec, TEST_TIME};
use sev_types::Product;

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

#[test]
fn masked_chip_id_needs_skip_hwid_check() {
    let dir = std::env::temp_dir().join(format!("sev-cli-mask-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for product in [Product::Genoa, Product::Turin] {
        let pki = FakePki::new(product);
        let key = LeafKey::vcek_b();
        let mut spec = ReportSpec::new(product);
        let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
        spec.chip_id = [0; 64];
        let name = product.name();
        let (report, vcek_path, ark) = (
            dir.join(format!("{name}.bin")),
            dir.join(format!("{name}-vcek.der")),
            dir.join(format!("{name}-ark.der")),
        );
        std::fs::write(&report, spec.signed(&key)).unwrap();
        std::fs::write(&vcek_path, vcek).unwrap();
        std::fs::write(&ark, pki.ark()).unwrap();
        let ask = dir.join(format!("{name}-ask.der"));
        std::fs::write(&ask, pki.ask()).unwrap();
        let t = TEST_TIME.to_string();
        let base = [
            "verify",
            "report",
            report.to_str().unwrap(),
            "--vcek",
            vcek_path.to_str().unwrap(),
            "--ark",
            ark.to_str().unwrap(),
            "--ask",
            ask.to_str().unwrap(),
            "--time",
            &t,
        ];
        let o = sev(&base);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains("FAIL binding"), "{name}");
        let o = sev(&[&base[..], &["--skip-hwid-check"]].concat());
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{name}: {out}");
        assert!(out.contains("hwID not checked"), "{out}");
    }
}
