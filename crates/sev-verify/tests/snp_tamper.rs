//! Tamper matrix over the real fixtures: every single-bit flip of the signed region and of r‖s,
//! byte flips in every certificate's TBS and signature, wrong chips, products and key types.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

mod snp_common;

use std::sync::atomic::{AtomicUsize, Ordering};

use sev_types::report::Report;
use sev_verify::crypto::{CryptoProvider, all_providers, default_provider};
use sev_verify::snp::{
    AmdCert, Endorsement, ErrorKind, Role, SnpError, TrustStore, VerifyOptions, verify_chain, verify_report,
    verify_report_signature, verify_report_with_chain,
};
use snp_common::{CASES, NOW, fixture};

/// Bits of 0x000..0x2A0 plus the 2 × 72 bytes of R and S.
const SIGNED_BITS: usize = 0x2A0 * 8;
const RS_BITS: usize = 2 * 72 * 8;
/// The unsigned, must-be-zero rest of the signature area, 0x330..0x4A0.
const RESERVED_BITS: usize = 0x170 * 8;
const ALL_BITS: usize = SIGNED_BITS + RS_BITS + RESERVED_BITS;

fn fastest() -> CryptoProvider {
    all_providers()
        .into_iter()
        .find(|p| p.name == "aws-lc")
        .unwrap_or_else(default_provider)
}

/// Flips bit `bit` (counted over the signed region then R‖S) and returns the tampered copy.
fn flip(report: &[u8], bit: usize) -> Vec<u8> {
    let mut t = report.to_vec();
    t[bit / 8] ^= 1 << (bit % 8);
    t
}

fn assert_all_flips_fail(provider: &CryptoProvider, step: usize) -> usize {
    let store = TrustStore::builtin(provider);
    let count = AtomicUsize::new(0);
    for case in CASES {
        let bytes = case.report();
        let report = Report::from_bytes(&bytes).unwrap();
        let certs = case.certs();
        let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        let role = if case.vlek {
            Endorsement::Vlek
        } else {
            Endorsement::Vcek
        };
        let chain = verify_chain(provider, &store, &refs, Some(role), NOW, None).unwrap();
        verify_report_with_chain(provider, &report, chain.clone(), &VerifyOptions::at(NOW)).unwrap();
        let bits: Vec<usize> = (0..ALL_BITS).step_by(step).collect();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        std::thread::scope(|s| {
            for part in bits.chunks(bits.len().div_ceil(threads)) {
                let (chain, bytes, count) = (&chain, &bytes, &count);
                s.spawn(move || {
                    for &bit in part {
                        let t = flip(bytes, bit);
                        let Ok(r) = Report::from_bytes(&t) else {
                            count.fetch_add(1, Ordering::Relaxed);
                            continue; // a flipped VERSION below 2 no longer parses: refused too
                        };
                        let full = verify_report_with_chain(provider, &r, chain.clone(), &VerifyOptions::at(NOW));
                        let kind = full
                            .err()
                            .unwrap_or_else(|| panic!("{} bit {bit:#x}: accepted", case.dir))
                            .kind();
                        if bit >= SIGNED_BITS + RS_BITS {
                            // Not signed: only the strict reserved-field rule can refuse it.
                            assert_eq!(kind, ErrorKind::Nonconforming, "{} bit {bit:#x}", case.dir);
                        } else if kind != ErrorKind::Signature {
                            // Refused by a binding check first? The signature alone must refuse it too.
                            assert!(
                                verify_report_signature(provider, &r, chain.leaf()).is_err(),
                                "{} bit {bit:#x}",
                                case.dir
                            );
                        }
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
    }
    count.into_inner()
}

#[test]
fn every_single_bit_flip_of_every_fixture_report_fails() {
    let provider = fastest();
    let n = assert_all_flips_fail(&provider, 1);
    eprintln!(
        "tamper matrix: {n} single-bit flips refused on {} ({} reports)",
        provider.name,
        CASES.len()
    );
    assert_eq!(n, CASES.len() * ALL_BITS);
}

#[test]
fn sampled_bit_flips_fail_on_every_backend() {
    let fast = fastest().name;
    for provider in all_providers().into_iter().filter(|p| p.name != fast) {
        let n = assert_all_flips_fail(&provider, 331);
        assert_eq!(n, CASES.len() * ALL_BITS.div_ceil(331), "{}", provider.name);
    }
}

/// Byte flips across the TBS and the signature of every leaf and intermediate make the chain fail.
#[test]
fn flipping_any_certificate_byte_fails_the_chain() {
    let provider = fastest();
    let store = TrustStore::builtin(&provider);
    let mut flips = 0;
    let mut chains: Vec<(Vec<u8>, Vec<u8>, Endorsement)> = Vec::new();
    for case in CASES.iter().filter(|c| c.cert.ends_with(".der")) {
        let leaf = fixture(&format!("{}/{}", case.dir, case.cert));
        let role = if case.vlek {
            Endorsement::Vlek
        } else {
            Endorsement::Vcek
        };
        let int = sev_verify::snp::builtin_cert(case.product, role.intermediate())
            .unwrap()
            .to_vec();
        chains.push((leaf, int, role));
    }
    for (leaf, int, role) in &chains {
        verify_chain(&provider, &store, &[leaf, int], Some(*role), NOW, None).unwrap();
        for which in 0..2 {
            let target = if which == 0 { leaf } else { int };
            let parsed = AmdCert::from_der(target).unwrap();
            let tbs_start = 4; // after the outer SEQUENCE header (length ≥ 256: 30 82 xx xx)
            let tbs_end = tbs_start + parsed.tbs_bytes().len();
            let sig_start = target.len() - parsed.signature().len();
            for i in (tbs_start..tbs_end).chain(sig_start..target.len()) {
                let mut t = target.clone();
                t[i] ^= 0x01;
                let (l, m) = if which == 0 { (&t, int) } else { (leaf, &t) };
                let r = verify_chain(&provider, &store, &[l, m], Some(*role), NOW, None);
                assert!(
                    r.is_err(),
                    "byte {i} of the {} accepted",
                    if which == 0 { "leaf" } else { "intermediate" }
                );
                flips += 1;
            }
        }
    }
    eprintln!("certificate byte flips refused: {flips}");
    assert!(flips > 20_000);
}

#[test]
fn a_vcek_of_another_chip_fails_on_hwid() {
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let bytes = fixture("snp/milan/gosev/report.bin");
    let other = fixture("snp/milan/trustee/vcek.der");
    let err = verify_report(
        &provider,
        &store,
        &Report::from_bytes(&bytes).unwrap(),
        &[&other],
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    // The two chips also run different TCBs; the hwID check must fire regardless of order.
    assert!(
        matches!(err, SnpError::HwIdMismatch { .. } | SnpError::TcbMismatch { .. }),
        "{err}"
    );
    let mut opts = VerifyOptions::at(NOW);
    opts.skip_hwid_check = true;
    let err = verify_report(
        &provider,
        &store,
        &Report::from_bytes(&bytes).unwrap(),
        &[&other],
        &opts,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Mismatch, "{err}");
    // azure-v0 and azure-v1 share one chip and TCB: the VCEK of azure-v2 (another chip, same TCB)
    // fails only on the hwID.
    let v0 = fixture("snp/milan/azure-v0/report.bin");
    let v2_vcek = fixture("snp/milan/azure-v2/vcek.der");
    let err = verify_report(
        &provider,
        &store,
        &Report::from_bytes(&v0).unwrap(),
        &[&v2_vcek],
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    assert!(matches!(err, SnpError::HwIdMismatch { .. }), "{err}");
}

#[test]
fn another_products_chain_fails() {
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let bytes = fixture("snp/milan/routex-v3/report.bin");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let report = Report::from_bytes(&bytes).unwrap();
    let genoa_ask = fixture("snp/genoa/ask.der");
    let genoa_ark = fixture("snp/genoa/ark.der");
    let err = verify_report(
        &provider,
        &store,
        &report,
        &[&vcek, &genoa_ask, &genoa_ark],
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    assert!(
        matches!(err, SnpError::IssuerMismatch { role: Role::Vcek, .. }),
        "{err}"
    );
    let err = verify_report(
        &provider,
        &store,
        &report,
        &[&vcek, &genoa_ark],
        &VerifyOptions::at(NOW),
    )
    .unwrap_err();
    assert!(matches!(err, SnpError::IssuerMismatch { role: Role::Ask, .. }), "{err}");
    // A Genoa VCEK for a Milan report: the report's CPUID says Milan.
    let genoa_vcek = fixture("snp/genoa/routex-v3/vcek.der");
    let err = verify_report(&provider, &store, &report, &[&genoa_vcek], &VerifyOptions::at(NOW)).unwrap_err();
    assert!(matches!(err, SnpError::ProductMismatch { .. }), "{err}");
}

#[test]
fn vlek_report_against_a_vcek_and_the_reverse_fail() {
    let provider = default_provider();
    let store = TrustStore::builtin(&provider);
    let vlek_report = fixture("snp/vlek/milan/report.bin");
    let vlek = fixture("snp/vlek/milan/vlek.der");
    let vcek_report = fixture("snp/milan/routex-v3/report.bin");
    let vcek = fixture("snp/milan/routex-v3/vcek.der");
    let opts = VerifyOptions::at(NOW);
    let err = verify_report(
        &provider,
        &store,
        &Report::from_bytes(&vlek_report).unwrap(),
        &[&vcek],
        &opts,
    )
    .unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Vlek));
    let err = verify_report(
        &provider,
        &store,
        &Report::from_bytes(&vcek_report).unwrap(),
        &[&vlek],
        &opts,
    )
    .unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Vcek));
    // Given both, each report picks its own key type.
    verify_report(
        &provider,
        &store,
        &Report::from_bytes(&vlek_report).unwrap(),
        &[&vcek, &vlek],
        &opts,
    )
    .unwrap();
    // The VLEK against the VCEK-side ASK (SEV-Milan) instead of the ASVK fails.
    let ask = fixture("snp/milan/ask.der");
    let err = verify_chain(&provider, &store, &[&vlek, &ask], Some(Endorsement::Vlek), NOW, None);
    assert!(
        err.is_ok(),
        "an unrelated ASK is ignored for a VLEK chain; the built-in ASVK is used"
    );
    let pinned = TrustStore::pinned(&provider, &[&fixture("snp/milan/ark.der")], &[&ask]).unwrap();
    let err = verify_chain(&provider, &pinned, &[&vlek, &ask], Some(Endorsement::Vlek), NOW, None).unwrap_err();
    assert_eq!(err, SnpError::MissingCertificate(Role::Asvk));
}
