//! Memory stays linear in the size of a hostile certificate table. One test in its own binary,
//! so that the counting allocator sees nothing else.

use peak_alloc::PeakAlloc;
use sev_testing::hostile::overlapping_cert_table;
use sev_types::guest::{CertKind, CertTable};
use sev_verify::snp::{CertBundle, ErrorKind};

#[global_allocator]
static A: PeakAlloc = PeakAlloc;

/// Bytes allocated at the peak of `f`, above what was live before it.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = A.current_usage();
    A.reset_peak_usage();
    let out = f();
    (out, A.peak_usage().saturating_sub(before))
}

#[test]
fn hostile_tables_cost_memory_linear_in_their_size() {
    // The two shapes of the review: 6.6 MB with 100 entries (2.3 GB before), 16 MB with 349k
    // entries (aborted on allocation before), plus one at the limits that is parsed.
    let shapes = [
        (100, 6_600_000, CertKind::Vcek),
        (349_000, 16_000_000 - 350_000 * 24, CertKind::Crl),
        (64, 1 << 19, CertKind::Ask),
        (2, (1 << 20) - 3 * 24, CertKind::Crl),
    ];
    for (entries, blob, kind) in shapes {
        let buf = overlapping_cert_table(entries, blob, kind);
        let t = CertTable::from_bytes(&buf).unwrap();
        let (result, used) = peak_of(|| CertBundle::from_table(&t));
        let err = result.expect_err("every shape here overlaps or exceeds a limit");
        assert_eq!(err.kind(), ErrorKind::CertTable, "{err}");
        // Refused before any blob is parsed: at most a sort buffer of the entries.
        assert!(used <= 64 * entries + 4096, "{entries} entries: {used} bytes allocated");
    }
    // A legitimate table at the limit parses each byte once: memory is a small multiple of it.
    let ders: Vec<Vec<u8>> = (0..64).map(|i| vec![0x30, 0x03, 0x02, 0x01, i as u8]).collect();
    let buf = ders
        .iter()
        .fold(sev_types::guest::certs::CertTableBuilder::new(), |b, d| {
            b.push(CertKind::Unknown(sev_types::Guid([9; 16])), d)
        })
        .build()
        .unwrap();
    let table = CertTable::from_bytes(&buf).unwrap();
    let (bundle, used) = peak_of(|| CertBundle::from_table(&table).unwrap());
    assert_eq!(bundle.ignored().len(), 64);
    assert!(used < 64 * 1024, "{used}");
}
