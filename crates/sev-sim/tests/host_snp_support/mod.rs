//! Shared by the host_snp* tests: fixtures, a QEMU-ordered OVMF launch driven by hand, and a
//! LAUNCH_UPDATE loop that resumes after partial progress and EAGAIN as callers must.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use sev_measure::hashes::SevHashes;
use sev_measure::ovmf::{Ovmf, SectionKind};
use sev_measure::vmsa::{self, BSP_EIP, VmmType};
use sev_sim::errno::EAGAIN;
use sev_sim::host::SimSnpVm;
use sev_sys::seam::{MemoryAttributes, MemorySlot, SnpLaunchDevice, VmMemory};
use sev_types::launch::cpuid_page::{CpuidEntry, CpuidPage};
use sev_types::launch::snp::{KvmPageType, KvmSevInit, KvmSnpLaunchStart};
use sev_types::policy::GuestPolicy;
use zerocopy::IntoBytes;

pub const PAGE: u64 = 4096;
pub const FOUR_GIB: u64 = 1 << 32;
/// Low RAM slot: [0, 16 MiB), holding the OVMF metadata sections.
pub const LOW_SIZE: u64 = 16 << 20;
/// Firmware slot: the 16 MiB below 4 GiB.
pub const FW_BASE: u64 = FOUR_GIB - (16 << 20);

/// The policy sev-snp-measure and virtee use by default: SMT allowed, bit 17.
pub fn default_policy() -> GuestPolicy {
    GuestPolicy::RESERVED_MBO | GuestPolicy::SMT
}

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// One row of `fixtures/measurement/snp-measure-vectors.tsv`, by column name.
pub fn vector(id: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(fixtures().join("measurement/snp-measure-vectors.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let row = lines
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|cols| cols[0] == id)
        .unwrap_or_else(|| panic!("no vector {id}"));
    header
        .iter()
        .zip(row)
        .map(|(h, v)| (h.to_string(), v.to_string()))
        .collect()
}

pub fn hex48(s: &str) -> [u8; 48] {
    let v = hex::decode(s).unwrap();
    v.try_into().unwrap()
}

pub fn parse_u64(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

/// Guest memory as QEMU lays it out for an OVMF guest: two guest_memfd slots, all private.
pub fn add_memory(vm: &mut SimSnpVm) {
    for (slot, gpa, size) in [(0, 0, LOW_SIZE), (1, FW_BASE, FOUR_GIB - FW_BASE)] {
        let fd = vm.create_guest_memfd(size, 0).unwrap();
        vm.add_memory_slot(&MemorySlot {
            slot,
            gpa,
            size,
            guest_memfd: Some((fd, 0)),
        })
        .unwrap();
        vm.set_memory_attributes(gpa, size, MemoryAttributes::PRIVATE).unwrap();
    }
}

/// Statistics of one [`update_all`]: how many calls it took.
#[derive(Debug, Default, Clone, Copy)]
pub struct Calls {
    pub calls: u32,
    pub eagain: u32,
}

/// LAUNCH_UPDATE of all of `data` from `gpa`, resuming after partial progress and retrying
/// EAGAIN, as a VMM does.
pub fn update_all(vm: &mut SimSnpVm, gpa: u64, t: KvmPageType, data: &[u8]) -> Calls {
    let mut calls = Calls::default();
    let mut off = 0usize;
    while off < data.len() {
        calls.calls += 1;
        assert!(calls.calls < 100_000, "no progress");
        match vm.snp_launch_update((gpa + off as u64) / PAGE, t, &data[off..]) {
            Ok(p) => off += p.consumed as usize,
            Err(e) if e.errno() == Some(EAGAIN) => calls.eagain += 1,
            Err(e) => panic!("LAUNCH_UPDATE at {:#x}: {e}", gpa + off as u64),
        }
    }
    calls
}

/// A CPUID table the simulated firmware accepts (its contents are not measured).
pub fn cpuid_table() -> Vec<u8> {
    let mut page = CpuidPage::new();
    page.push(CpuidEntry::new(0x8000_001F, 0, [0x1_B3EF, 0x51, 0, 0]))
        .unwrap();
    page.as_bytes().to_vec()
}

/// What to launch.
pub struct OvmfLaunch<'a> {
    pub image: &'a [u8],
    pub vcpus: u32,
    pub vcpu_sig: u32,
    /// Guest features as sev-snp-measure names them (SNP_ACTIVE included).
    pub guest_features: u64,
    pub hashes: Option<SevHashes>,
    pub policy: GuestPolicy,
}

/// Drives INIT2, the vCPUs, LAUNCH_START and every LAUNCH_UPDATE of an OVMF launch in the
/// order QEMU (and sev-measure) use: the firmware as NORMAL pages ending at 4 GiB, then the
/// metadata sections in descriptor order. LAUNCH_FINISH is left to the caller.
pub fn launch_ovmf(vm: &mut SimSnpVm, l: &OvmfLaunch<'_>) -> Calls {
    let ovmf = Ovmf::parse(l.image).unwrap();
    add_memory(vm);
    // KVM adds SNP_ACTIVE itself: INIT2 names the other features.
    vm.sev_init2(&KvmSevInit::new(l.guest_features & !1, 0)).unwrap();
    let ap_eip = ovmf.sev_es_reset_eip().unwrap().unwrap_or(0);
    for i in 0..l.vcpus {
        let eip = if i == 0 { BSP_EIP } else { ap_eip };
        // The VMM's register state; KVM overwrites SEV_FEATURES.
        vm.add_vcpu(i, &vmsa::build(VmmType::Qemu, eip, l.vcpu_sig, 0)).unwrap();
    }
    vm.snp_launch_start(&KvmSnpLaunchStart::new(l.policy)).unwrap();
    let mut total = Calls::default();
    let mut add = |c: Calls| {
        total.calls += c.calls;
        total.eagain += c.eagain;
    };
    let fw_gpa = FOUR_GIB - l.image.len() as u64;
    add(update_all(vm, fw_gpa, KvmPageType::Normal, l.image));
    for s in ovmf.sections() {
        let (gpa, size) = (u64::from(s.gpa), u64::from(s.size));
        let zeros = vec![0u8; size as usize];
        match s.kind {
            SectionKind::SnpSecMem | SectionKind::SvsmCaa => add(update_all(vm, gpa, KvmPageType::Zero, &zeros)),
            SectionKind::SnpSecrets => add(update_all(vm, gpa, KvmPageType::Secrets, &[0; 4096])),
            SectionKind::Cpuid => add(update_all(vm, gpa, KvmPageType::Cpuid, &cpuid_table())),
            SectionKind::SnpKernelHashes => match &l.hashes {
                Some(h) => {
                    let (table_gpa, _) = ovmf.sev_hash_table().unwrap().unwrap();
                    let page = h.page(table_gpa & 0xFFF).unwrap();
                    add(update_all(vm, gpa, KvmPageType::Normal, &page));
                }
                None => add(update_all(vm, gpa, KvmPageType::Zero, &zeros)),
            },
            other => panic!("unexpected section {other:?}"),
        }
    }
    total
}

/// The firmware image named by a vector row.
pub fn vector_image(row: &HashMap<String, String>) -> Vec<u8> {
    std::fs::read(fixtures().join(&row["ovmf"])).unwrap()
}

/// The launch a vector row describes (QEMU, kernel hashes when it names a kernel).
pub fn vector_hashes(row: &HashMap<String, String>) -> Option<SevHashes> {
    let opt = |s: &str| -> Option<Vec<u8>> {
        match s {
            "EMPTY" => Some(Vec::new()),
            "-" | "(none)" => None,
            other => panic!("unexpected input {other}"),
        }
    };
    let kernel = opt(&row["kernel"])?;
    let initrd = opt(&row["initrd"]);
    let append = match row["append"].as_str() {
        "(none)" | "-" => None,
        s => Some(s.to_string()),
    };
    Some(SevHashes::new(&kernel, initrd.as_deref(), append.as_deref()))
}
