//! Cross-check against the published `sev` crate 8 (virtee), which is the only reference for the
//! KRUN profile. Built only with `--cfg sev_ref`:
//!
//! ```text
//! RUSTFLAGS='--cfg sev_ref="nossl"' cargo test -p sev-measure --test vs_sev_crate
//! ```
//!
//! EC2 is not compared: the two references disagree on its RDX and we follow sev-snp-measure.
#![allow(unexpected_cfgs)]
#![cfg(all(any(sev_ref = "openssl", sev_ref = "nossl"), feature = "std"))]

use std::path::Path;

use sev::measurement::snp::{SnpMeasurementArgs, snp_calc_launch_digest};
use sev::measurement::vcpu_types::CpuType;
use sev::measurement::vmsa::{GuestFeatures, VMMType};
use sev_measure::files::{MeasureArgs, Mode, measure};
use sev_measure::vmsa::VmmType;

const AMDSEV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"
);
const OVMFX64: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/measurement/ovmf_OvmfX64_suffix.bin"
);

fn theirs(ovmf: &str, vcpus: u32, cpu: CpuType, vmm: VMMType, features: u64, kernel: Option<&Path>) -> Vec<u8> {
    let args = SnpMeasurementArgs {
        vcpus,
        vcpu_type: cpu,
        ovmf_file: ovmf.into(),
        guest_features: GuestFeatures(features),
        kernel_file: kernel.map(Path::to_path_buf),
        initrd_file: None,
        append: kernel.map(|_| "root=/dev/vda"),
        ovmf_hash_str: None,
        vmm_type: Some(vmm),
    };
    snp_calc_launch_digest(args).unwrap().try_into().unwrap()
}

fn mine(ovmf: &str, vcpus: u32, sig: u32, vmm: VmmType, features: u64, kernel: Option<&Path>) -> Vec<u8> {
    let args = MeasureArgs {
        vcpus: Some(vcpus),
        vcpu_sig: Some(sig),
        vmm,
        kernel,
        append: kernel.map(|_| "root=/dev/vda"),
        guest_features: features,
        ..MeasureArgs::new(Mode::Snp, Path::new(ovmf))
    };
    measure(&args).unwrap().digest
}

#[test]
fn krun_and_qemu_match_virtee_sev() {
    let kernel = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vs-sev-kernel");
    std::fs::write(&kernel, b"not really a bzImage").unwrap();
    let mut n = 0;
    for (cpu, sig) in [
        (CpuType::EpycV4, 0x0080_0F12),
        (CpuType::EpycGenoa, 0x00A1_0F10),
        (CpuType::EpycTurin, 0x00B0_0F00),
    ] {
        for vcpus in [1, 2, 7, 64] {
            for features in [0x1, 0x21] {
                for (vmm, ours_vmm) in [(VMMType::KRUN, VmmType::Krun), (VMMType::QEMU, VmmType::Qemu)] {
                    for (ovmf, k) in [(AMDSEV, Some(kernel.as_path())), (AMDSEV, None), (OVMFX64, None)] {
                        assert_eq!(
                            mine(ovmf, vcpus, sig, ours_vmm, features, k),
                            theirs(ovmf, vcpus, cpu, vmm, features, k),
                            "{vmm:?} {cpu:?} vcpus={vcpus} features={features:#x} kernel={}",
                            k.is_some()
                        );
                        n += 1;
                    }
                }
            }
        }
    }
    eprintln!("{n} combinations identical with virtee/sev 8");
}
