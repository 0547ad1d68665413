//! Parse a real report and read every field: ours (a bounds check and a borrowed view) side by side
//! with the published `sev` 8.0 crate (`AttestationReport::from_bytes`, which decodes into an owned
//! struct). Criterion prints both; the ratio is their quotient.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sev::parser::ByteParser;

const REPORT: &[u8] = include_bytes!("../../../fixtures/snp/genoa/routex-v5/report.bin");

#[inline(always)]
fn ours(bytes: &[u8]) -> u64 {
    let r = sev_types::report::Report::from_bytes(bytes).unwrap();
    let layout = r.tcb_layout(None).unwrap();
    let mut acc = u64::from(r.version()) ^ u64::from(r.guest_svn()) ^ r.policy().bits();
    acc ^= u64::from(r.family_id()[0] ^ r.image_id()[0]) ^ u64::from(r.vmpl()) ^ u64::from(r.signature_algo());
    acc ^= tcb_ours(layout, r.current_tcb()) ^ r.platform_info().bits() ^ u64::from(r.key_info().bits());
    acc ^= u64::from(r.report_data()[63] ^ r.measurement()[47] ^ r.host_data()[31]);
    acc ^= u64::from(r.id_key_digest()[0] ^ r.author_key_digest()[0] ^ r.report_id()[0] ^ r.report_id_ma()[0]);
    acc ^=
        tcb_ours(layout, r.reported_tcb()) ^ u64::from(r.cpuid_fam_id().unwrap_or(0) ^ r.cpuid_mod_id().unwrap_or(0));
    acc ^= u64::from(r.cpuid_step().unwrap_or(0) ^ r.chip_id()[0]) ^ tcb_ours(layout, r.committed_tcb());
    let (a, b, c) = r.current_version();
    let (d, e, f) = r.committed_version();
    acc ^= u64::from(a ^ b ^ c ^ d ^ e ^ f) ^ tcb_ours(layout, r.launch_tcb());
    acc ^= r.launch_mit_vector().unwrap_or(0) ^ r.current_mit_vector().unwrap_or(0);
    acc ^ u64::from(r.signature().r[0] ^ r.signature().s[0])
}

fn tcb_theirs(t: &sev::firmware::host::TcbVersion) -> u64 {
    u64::from(t.fmc.unwrap_or(0) ^ t.bootloader ^ t.tee ^ t.snp ^ t.microcode)
}

#[inline(always)]
fn tcb_ours(layout: sev_types::tcb::TcbLayout, t: sev_types::TcbVersion) -> u64 {
    let t = t.decode(layout);
    u64::from(t.fmc.unwrap_or(0) ^ t.bootloader ^ t.tee ^ t.snp ^ t.microcode)
}

fn theirs(bytes: &[u8]) -> u64 {
    let r = sev::firmware::guest::AttestationReport::from_bytes(bytes).unwrap();
    let mut acc = u64::from(r.version) ^ u64::from(r.guest_svn) ^ u64::from(r.policy);
    acc ^= u64::from(r.family_id[0] ^ r.image_id[0]) ^ u64::from(r.vmpl) ^ u64::from(r.sig_algo);
    acc ^= tcb_theirs(&r.current_tcb) ^ u64::from(r.plat_info) ^ u64::from(u32::from(r.key_info));
    acc ^= u64::from(r.report_data[63] ^ r.measurement[47] ^ r.host_data[31]);
    acc ^= u64::from(r.id_key_digest[0] ^ r.author_key_digest[0] ^ r.report_id[0] ^ r.report_id_ma[0]);
    acc ^= tcb_theirs(&r.reported_tcb) ^ u64::from(r.cpuid_fam_id.unwrap_or(0) ^ r.cpuid_mod_id.unwrap_or(0));
    acc ^= u64::from(r.cpuid_step.unwrap_or(0) ^ r.chip_id[0]) ^ tcb_theirs(&r.committed_tcb);
    acc ^= u64::from(r.current.major ^ r.current.minor ^ r.current.build);
    acc ^= u64::from(r.committed.major ^ r.committed.minor ^ r.committed.build) ^ tcb_theirs(&r.launch_tcb);
    acc ^= r.launch_mit_vector.unwrap_or(0) ^ r.current_mit_vector.unwrap_or(0);
    acc ^ u64::from(r.signature.r()[0] ^ r.signature.s()[0])
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_report_and_read_every_field");
    g.bench_function("sev-types", |b| b.iter(|| ours(black_box(REPORT))));
    g.bench_function("sev-types/parse-only", |b| {
        b.iter(|| sev_types::report::Report::from_bytes(black_box(REPORT)).is_ok())
    });
    g.bench_function("sev-8.0", |b| b.iter(|| theirs(black_box(REPORT))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
