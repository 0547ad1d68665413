//! `sev measure`, `sev key-digest`: the digest alone on stdout, as sev-snp-measure prints it, for
//! vectors from fixtures/measurement/snp-measure-vectors.tsv and fixtures/idblock/vectors.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).to_str().unwrap().to_owned()
}

fn sev(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sev"))
        .args(args)
        .output()
        .expect("run sev")
}

fn empty_file(name: &str) -> String {
    let p = std::env::temp_dir().join(format!("sev-cli-{}-{name}", std::process::id()));
    std::fs::write(&p, b"").unwrap();
    p.to_str().unwrap().to_owned()
}

fn stdout_of(args: &[&str]) -> String {
    let out = sev(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn snp_seves_and_sev_digests_match_the_published_vectors() {
    let amdsev = fixture("measurement/ovmf_AmdSev_suffix.bin");
    let (kernel, initrd) = (empty_file("kernel"), empty_file("initrd"));
    // snp-nokernel-snp-only
    let snp = [
        "measure",
        "--mode",
        "snp",
        "--ovmf",
        &amdsev,
        "--vcpus",
        "1",
        "--vcpu-type",
        "EPYC-v4",
    ];
    let got = stdout_of(&[&snp[..], &["--guest-features", "0x1"]].concat());
    assert_eq!(
        got,
        "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d\n"
    );
    // snp-full-default
    let got = stdout_of(
        &[
            &snp[..],
            &[
                "--guest-features",
                "0x21",
                "--kernel",
                &kernel,
                "--initrd",
                &initrd,
                "--append",
                "console=ttyS0 loglevel=7",
            ],
        ]
        .concat(),
    );
    assert_eq!(
        got,
        "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977\n"
    );
    // seves-4vcpus
    let got = stdout_of(&[
        "measure",
        "--mode",
        "seves",
        "--ovmf",
        &amdsev,
        "--vcpus",
        "4",
        "--vcpu-type",
        "EPYC-v4",
        "--kernel",
        &kernel,
        "--initrd",
        &initrd,
    ]);
    assert_eq!(
        got,
        "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91\n"
    );
    // sev-ovmfx64-nokernel; the base64 form is Python base64.b64encode of the hex vector's bytes
    let ovmfx64 = fixture("measurement/ovmf_OvmfX64_suffix.bin");
    let hex = stdout_of(&["measure", "--mode", "sev", "--ovmf", &ovmfx64]);
    assert_eq!(
        hex,
        "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da\n"
    );
    let b64 = stdout_of(&[
        "measure",
        "--mode",
        "sev",
        "--ovmf",
        &ovmfx64,
        "--output-format",
        "base64",
    ]);
    assert_eq!(b64, "tMAh4IX7g87/5lcaPTV7Sph3PIPEdOR/dsh2cI/jFto=\n");
}

#[test]
fn a_kernel_for_firmware_without_a_hashes_section_is_exit_1_with_the_reason() {
    let (kernel, initrd) = (empty_file("k2"), empty_file("i2"));
    let out = sev(&[
        "measure",
        "--mode",
        "snp",
        "--ovmf",
        &fixture("measurement/ovmf_OvmfX64_suffix.bin"),
        "--vcpus",
        "1",
        "--vcpu-type",
        "EPYC-v4",
        "--kernel",
        &kernel,
        "--initrd",
        &initrd,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section"),
        "{err}"
    );
}

#[test]
fn key_digests_match_the_id_block_vectors() {
    let id = stdout_of(&[
        "key-digest",
        "--key",
        &fixture("idblock/id_key_test.pem"),
        "--output-format",
        "base64",
    ]);
    assert_eq!(id, "hwt+NcU/inLQ0yL3WrKvgmJ5Kq9leWIs5BMcPyHyied8sFYKXjuQs5MuZ07HCcsU\n");
    let author = stdout_of(&[
        "key-digest",
        "--key",
        &fixture("idblock/author_key_test.pem"),
        "--output-format",
        "base64",
    ]);
    assert_eq!(
        author,
        "YxEcNLv8Ckk4+aAJvQdJgNgXIyPmFZnJ/TNtqGcySOHcqY0L6PdjdqEGuK/UwKBX\n"
    );
}

#[test]
fn missing_or_garbage_firmware_is_exit_1() {
    let garbage = std::env::temp_dir().join(format!("sev-cli-{}-garbage.fd", std::process::id()));
    std::fs::write(&garbage, b"not an OVMF image").unwrap();
    for ovmf in [garbage.to_str().unwrap(), "/nonexistent/OVMF.fd"] {
        let out = sev(&[
            "measure",
            "--mode",
            "snp",
            "--ovmf",
            ovmf,
            "--vcpus",
            "1",
            "--vcpu-type",
            "EPYC-v4",
        ]);
        assert_eq!(out.status.code(), Some(1), "{ovmf}");
        assert!(out.stdout.is_empty());
    }
}
