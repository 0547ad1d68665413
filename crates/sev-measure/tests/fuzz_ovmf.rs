//! Property tests: the OVMF parser and every measurement built on it are total. Random images,
//! truncated real images and bit-flipped real images give a value or an error, never a panic.

use proptest::prelude::*;
use sev_measure::hashes::SevHashes;
use sev_measure::ovmf::Ovmf;
use sev_measure::sev::{sev_launch_digest, seves_launch_digest};
use sev_measure::snp::{SnpInput, snp_launch_digest};
use sev_measure::vmsa::VmmType;

const AMDSEV: &[u8] = include_bytes!("../../../fixtures/measurement/ovmf_AmdSev_suffix.bin");
const OVMFX64: &[u8] = include_bytes!("../../../fixtures/measurement/ovmf_OvmfX64_suffix.bin");

/// Parses and, when parsing succeeds, runs one mode (chosen by `pick`) over the image.
fn exercise(image: &[u8], vcpus: u32, vmm: VmmType, pick: u8) {
    let Ok(ovmf) = Ovmf::parse(image) else { return };
    let _ = ovmf.sev_es_reset_eip();
    let _ = ovmf.sev_hash_table();
    let _ = ovmf.sev_secret_area();
    let _ = ovmf.svsm_entry_offset();
    let hashes = SevHashes::new(b"kernel", None, Some("console=ttyS0"));
    let kernel = (pick & 1 == 1).then_some(&hashes);
    match pick % 6 / 2 {
        0 => drop(snp_launch_digest(&SnpInput {
            vcpus,
            vmm,
            kernel_hashes: kernel,
            ..SnpInput::new(&ovmf)
        })),
        1 => drop(sev_launch_digest(&ovmf, kernel)),
        _ => drop(seves_launch_digest(&ovmf, kernel, vcpus, 0, vmm)),
    }
}

fn vmm() -> impl Strategy<Value = VmmType> {
    prop_oneof![
        Just(VmmType::Qemu),
        Just(VmmType::Ec2),
        Just(VmmType::Gce),
        Just(VmmType::Krun)
    ]
}

fn real() -> impl Strategy<Value = &'static [u8]> {
    prop_oneof![Just(AMDSEV), Just(OVMFX64)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(image in proptest::collection::vec(any::<u8>(), 0..5000), vcpus in 0u32..4, vmm in vmm(), pick: u8) {
        exercise(&image, vcpus, vmm, pick);
    }

    #[test]
    fn random_bodies_with_a_real_footer_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..4096),
        tail in 1usize..2000,
        src in real(),
        vcpus in 0u32..3,
        pick: u8,
    ) {
        // A random body followed by the last `tail` bytes of a real image: the footer and table
        // are real, their offsets point into random data.
        let mut image = body;
        image.extend_from_slice(&src[src.len() - tail.min(src.len())..]);
        exercise(&image, vcpus, VmmType::Qemu, pick);
    }

    #[test]
    fn truncated_real_images_never_panic(src in real(), front in 0usize..4096, back in 0usize..64, pick: u8) {
        let end = src.len() - back.min(src.len());
        let start = front.min(end);
        exercise(&src[start..end], 2, VmmType::Qemu, pick);
    }

    #[test]
    fn bit_flipped_real_images_never_panic(
        src in real(),
        flips in proptest::collection::vec((0usize..4096, 0u8..8), 1..8),
        vcpus in 0u32..4,
        vmm in vmm(),
        pick: u8,
    ) {
        let mut image = src.to_vec();
        // Concentrate flips on the last 0x600 bytes, where the table and metadata live.
        for (pos, bit) in flips {
            let pos = image.len() - 1 - (pos % 0x600);
            image[pos] ^= 1 << bit;
        }
        exercise(&image, vcpus, vmm, pick);
    }
}
