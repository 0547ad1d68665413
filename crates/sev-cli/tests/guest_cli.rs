//! `sev guest`: without a device it explains itself and fails; with `--device sim` every command
//! works, and the simulated evidence verifies only under the simulator's (pinned) test root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("sev-cli-guest-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Interfaces that cannot exist, so the outcome is the same on any machine.
fn absent(d: &Dir) -> Vec<String> {
    vec![
        "--guest-device".into(),
        d.path("no-sev-guest"),
        "--configfs-root".into(),
        d.path("no-configfs/tsm/report"),
    ]
}

#[test]
fn without_an_interface_ok_and_auto_fail_and_say_why() {
    let d = Dir::new("absent");
    let mut args = vec!["guest".to_string(), "ok".into()];
    args.extend(absent(&d));
    let o = sev(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("ioctl:") && out.contains("absent"), "{out}");
    assert!(
        out.contains("configfs-tsm:") && out.contains("CONFIG_TSM_REPORTS"),
        "{out}"
    );
    let mut args = vec!["guest".to_string(), "report".into(), "--random".into(), "--out".into()];
    args.push(d.path("r.bin"));
    args.extend(absent(&d));
    let o = sev(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("no SEV-SNP guest interface"), "{out}");
    assert!(out.contains("--device sim"), "{out}");
    assert!(!Path::new(&d.path("r.bin")).exists());
}

#[test]
#[cfg_attr(sev_guest_interface, ignore = "this machine has an SEV-SNP guest interface")]
fn this_machine_has_no_guest_interface() {
    for args in [
        &["guest", "ok"][..],
        &["guest", "report", "--random", "--device", "auto"],
    ] {
        let o = sev(args);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("/dev/sev-guest") && out.contains("configfs"), "{out}");
    }
}

#[test]
fn simulated_evidence_verifies_only_under_the_simulators_root() {
    let d = Dir::new("sim");
    for product in ["Milan", "Genoa", "Turin"] {
        let report = d.path(&format!("{product}.bin"));
        let certs = d.path(&format!("{product}-certs"));
        let o = sev(&[
            "guest",
            "--device",
            "sim",
            "--sim-product",
            product,
            "report",
            "--data",
            &"5a".repeat(64),
            "--out",
            &report,
            "--certs-dir",
            &certs,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let ark = format!("{certs}/ark.pem");
        let pinned = sev(&[
            "verify",
            "report",
            &report,
            "--certs",
            &certs,
            "--ark",
            &ark,
            "--report-data",
            &"5a".repeat(64),
        ]);
        assert_eq!(pinned.status.code(), Some(0), "{product}: {}", text(&pinned));
        let builtin = sev(&["verify", "report", &report, "--certs", &certs]);
        let out = text(&builtin);
        assert_eq!(builtin.status.code(), Some(2), "{product}: {out}");
        assert!(out.contains("not byte-identical to any built-in"), "{out}");
    }
}

#[test]
fn simulated_certificates_are_written_as_pem_or_der() {
    let d = Dir::new("certs");
    for (format, ext) in [("pem", "pem"), ("der", "der")] {
        let dir = d.path(format);
        let o = sev(&[
            "guest",
            "--device",
            "sim",
            "certificates",
            &dir,
            "--cert-format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        for name in ["ark", "ask", "vcek"] {
            let bytes = std::fs::read(format!("{dir}/{name}.{ext}")).unwrap();
            if ext == "der" {
                assert_eq!(bytes[0], 0x30, "{name}");
            } else {
                assert!(bytes.starts_with(b"-----BEGIN CERTIFICATE-----"), "{name}");
            }
        }
    }
}

#[test]
fn simulated_keys_depend_on_the_selected_fields_and_are_private() {
    let d = Dir::new("keys");
    let derive = |out: &str, extra: &[&str]| {
        let mut args = vec!["guest", "--device", "sim", "key", "--out", out];
        args.extend_from_slice(extra);
        let o = sev(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        std::fs::read(out).unwrap()
    };
    let plain = derive(&d.path("a"), &[]);
    let again = derive(&d.path("b"), &[]);
    let measured = derive(&d.path("c"), &["--fields", "measurement,policy"]);
    let vmrk = derive(&d.path("d"), &["--root", "vmrk"]);
    assert_eq!(plain.len(), 32);
    assert_eq!(plain, again);
    assert_ne!(plain, measured);
    assert_ne!(plain, vmrk);
    // A TCB above the committed one is refused, as the firmware does.
    let too_new = sev(&[
        "guest",
        "--device",
        "sim",
        "key",
        "--fields",
        "tcb_version",
        "--tcb",
        "0xffffffffffffffff",
        "--out",
        &d.path("f"),
    ]);
    assert_eq!(too_new.status.code(), Some(1), "{}", text(&too_new));
    assert!(text(&too_new).contains("INVALID_PARAM"), "{}", text(&too_new));
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(d.path("a")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let bad = sev(&[
        "guest",
        "--device",
        "sim",
        "key",
        "--fields",
        "colour",
        "--out",
        &d.path("e"),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad).contains("unknown field"));
}

#[test]
fn report_data_must_be_64_bytes() {
    let d = Dir::new("data");
    let o = sev(&[
        "guest",
        "--device",
        "sim",
        "report",
        "--data",
        "abcd",
        "--out",
        &d.path("r"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("exactly 64 bytes, found 2"), "{}", text(&o));
    let o = sev(&["guest", "--device", "sim", "report", "--out", &d.path("r")]);
    assert_eq!(o.status.code(), Some(1), "--random or --data is required");
}
