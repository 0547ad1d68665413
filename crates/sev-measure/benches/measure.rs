//! Launch-digest speed, side by side with the published `sev` crate (virtee) on the same inputs.
//!
//! Inputs: Debian's OVMF.fd (`apt-get install ovmf`) with 1 and 64 vCPUs, and the AmdSev OVMF
//! fixture with an 8 MiB kernel and a 32 MiB initrd (random bytes). Without `--cfg sev_ref=...`
//! only this crate is measured; with it, `sev` 8 runs in the same process on the same files:
//!
//! ```text
//! RUSTFLAGS='--cfg sev_ref="openssl"' cargo bench -p sev-measure --bench measure   # needs libssl-dev
//! RUSTFLAGS='--cfg sev_ref="nossl"'   cargo bench -p sev-measure --bench measure
//! ```
#![allow(unexpected_cfgs, missing_docs)]

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use sev_measure::files::{MeasureArgs, Mode, measure};

const DEBIAN_OVMF: &str = "/usr/share/ovmf/OVMF.fd";
const AMDSEV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"
);
const EPYC_V4: u32 = 0x0080_0F12;

fn big_file(name: &str, len: usize) -> PathBuf {
    let p = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    if std::fs::metadata(&p).map(|m| m.len() as usize).ok() != Some(len) {
        let mut x = 0x1234_5678_9ABC_DEF0u64;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        std::fs::write(&p, data).unwrap();
    }
    p
}

fn ours(ovmf: &Path, vcpus: u32, kernel: Option<&Path>, initrd: Option<&Path>) -> Vec<u8> {
    let args = MeasureArgs {
        vcpus: Some(vcpus),
        vcpu_sig: Some(EPYC_V4),
        kernel,
        initrd,
        append: kernel.map(|_| "console=ttyS0"),
        ..MeasureArgs::new(Mode::Snp, ovmf)
    };
    measure(&args).unwrap().digest
}

#[cfg(any(sev_ref = "openssl", sev_ref = "nossl"))]
fn reference(ovmf: &Path, vcpus: u32, kernel: Option<&Path>, initrd: Option<&Path>) -> Vec<u8> {
    use sev::measurement::snp::{SnpMeasurementArgs, snp_calc_launch_digest};
    use sev::measurement::vcpu_types::CpuType;
    use sev::measurement::vmsa::{GuestFeatures, VMMType};
    let args = SnpMeasurementArgs {
        vcpus,
        vcpu_type: CpuType::EpycV4,
        ovmf_file: ovmf.to_path_buf(),
        guest_features: GuestFeatures(0x1),
        kernel_file: kernel.map(Path::to_path_buf),
        initrd_file: initrd.map(Path::to_path_buf),
        append: kernel.map(|_| "console=ttyS0"),
        ovmf_hash_str: None,
        vmm_type: Some(VMMType::QEMU),
    };
    let ld = snp_calc_launch_digest(args).unwrap();
    let v: Vec<u8> = ld.try_into().unwrap();
    v
}

#[cfg(sev_ref = "openssl")]
const REF: &str = "sev8-openssl";
#[cfg(sev_ref = "nossl")]
const REF: &str = "sev8-nossl";

/// (name, firmware, vCPUs, kernel, initrd)
type Case = (&'static str, PathBuf, u32, Option<PathBuf>, Option<PathBuf>);

fn bench(c: &mut Criterion) {
    let mut cases: Vec<Case> = Vec::new();
    if Path::new(DEBIAN_OVMF).exists() {
        cases.push(("debian-ovmf-1vcpu", DEBIAN_OVMF.into(), 1, None, None));
        cases.push(("debian-ovmf-64vcpu", DEBIAN_OVMF.into(), 64, None, None));
    } else {
        eprintln!("SKIP debian-ovmf benches: {DEBIAN_OVMF} absent (apt-get install ovmf)");
    }
    let kernel = big_file("bench-kernel-8M", 8 << 20);
    let initrd = big_file("bench-initrd-32M", 32 << 20);
    cases.push((
        "amdsev-kernel8M-initrd32M",
        AMDSEV.into(),
        1,
        Some(kernel),
        Some(initrd),
    ));

    // On a shared machine criterion's means follow the load; the minimum and the median of
    // interleaved runs are steadier, so print those too.
    #[cfg(any(sev_ref = "openssl", sev_ref = "nossl"))]
    for (name, ovmf, vcpus, k, i) in &cases {
        let runs = if k.is_some() { 40 } else { 200 };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let t = std::time::Instant::now();
            std::hint::black_box(ours(ovmf, *vcpus, k.as_deref(), i.as_deref()));
            a.push(t.elapsed());
            let t = std::time::Instant::now();
            std::hint::black_box(reference(ovmf, *vcpus, k.as_deref(), i.as_deref()));
            b.push(t.elapsed());
        }
        a.sort();
        b.sort();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "{name}: sev-measure min {:.3} ms median {:.3} ms; {REF} min {:.3} ms median {:.3} ms; ratio (min) {:.2}x, (median) {:.2}x",
            ms(a[0]),
            ms(a[runs / 2]),
            ms(b[0]),
            ms(b[runs / 2]),
            ms(b[0]) / ms(a[0]),
            ms(b[runs / 2]) / ms(a[runs / 2]),
        );
    }

    for (name, ovmf, vcpus, k, i) in &cases {
        let mut g = c.benchmark_group(*name);
        g.sample_size(if k.is_some() { 30 } else { 60 });
        #[cfg(any(sev_ref = "openssl", sev_ref = "nossl"))]
        assert_eq!(
            ours(ovmf, *vcpus, k.as_deref(), i.as_deref()),
            reference(ovmf, *vcpus, k.as_deref(), i.as_deref()),
            "{name}: the two crates disagree"
        );
        g.bench_function("sev-measure", |b| {
            b.iter(|| ours(ovmf, *vcpus, k.as_deref(), i.as_deref()))
        });
        #[cfg(any(sev_ref = "openssl", sev_ref = "nossl"))]
        g.bench_function(REF, |b| b.iter(|| reference(ovmf, *vcpus, k.as_deref(), i.as_deref())));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
