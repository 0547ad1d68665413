//! `sev verify report --cert-table` on the hostile tables of the security review: refused, with
//! the process's peak memory bounded. Alone in its binary, so the children's peak RSS is its own.

use std::process::Command;

use nix::sys::resource::{UsageWho, getrusage};
use sev_testing::hostile::overlapping_cert_table;
use sev_types::guest::CertKind;

#[test]
fn hostile_tables_are_refused_in_bounded_memory() {
    let dir = std::env::temp_dir().join(format!("sev-cli-table-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev/report.bin");
    for (entries, blob) in [(100, 6_600_000), (349_000, 16_000_000 - 350_000 * 24)] {
        let path = dir.join(format!("table-{entries}.bin"));
        std::fs::write(&path, overlapping_cert_table(entries, blob, CertKind::Vcek)).unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_sev"))
            .args(["verify", "report", report, "--cert-table"])
            .arg(&path)
            .args(["--time", "1764547200"])
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(2), "{out}");
        assert!(out.contains("certificate table"), "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    // ru_maxrss is in KiB on Linux: the largest child read a 16 MB file, nothing more.
    let peak_kib = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap().max_rss();
    assert!(peak_kib < 128 * 1024, "peak RSS of a child: {peak_kib} KiB");
}
