//! The real legacy SEV chains in `fixtures/sev-legacy` (see its PROVENANCE.md), on every backend:
//! built-in ARK/ASK, the Milan platform chain, the early Naples chain whose CEK AMD never signed,
//! the Rome CEK, wrong-way links, and single-byte tampering of every signed byte.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

#[macro_use]
mod backends;

use sev_verify::crypto::CryptoProvider;
use sev_verify::legacy::{
    Generation, LegacyError, Link, LinkFailure, Signer, detect_generation, verify_amd_chain, verify_ark, verify_ask,
    verify_cek, verify_platform, verify_platform_links, verify_platform_with, verify_signed_by,
};
use sev_verify::sev_types::legacy::{AmdCertChain, AmdCertificate, PlatformChain, SevCertificate, Usage};

use std::ops::Range;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sev(bytes: &[u8]) -> SevCertificate<'_> {
    SevCertificate::from_bytes(bytes).unwrap()
}

fn link_err(signer: Usage, subject: Usage, reason: LinkFailure) -> LegacyError {
    LegacyError::Link {
        link: Link { signer, subject },
        reason,
    }
}

/// Stride for exhaustive tamper loops: every byte, except for the pure-Rust backend in an
/// unoptimized build, where RSA-4096 is too slow for ~10⁴ verifications and every 61st byte (plus
/// the first and last) is flipped instead.
fn stride(p: &CryptoProvider) -> usize {
    if p.name == "rustcrypto" && cfg!(debug_assertions) {
        61
    } else {
        1
    }
}

fn positions(len: usize, stride: usize) -> impl Iterator<Item = usize> {
    (0..len).step_by(stride).chain([len - 1])
}

fn builtin_ark_and_ask_verify(p: &CryptoProvider) {
    let key_ids = [
        (
            Generation::Naples,
            "1bb987c359494606b174945601c9ea5b",
            "e139970cfc464377ae61b289e2f9e96e",
            2048,
        ),
        (
            Generation::Rome,
            "e6002122fb58419399d15fee7b131351",
            "c6cbcf145b3146f498e40ecb4ad4fded",
            4096,
        ),
        (
            Generation::Milan,
            "94c38e4177d0479292a7ae671d083fb6",
            "73478c05cc174bfeb06e718fa75dc3c8",
            4096,
        ),
        (
            Generation::Genoa,
            "9f9d4a8fe761456599f6946c4c010f3a",
            "acbb4ad21acc436fb3e932f812cd01b0",
            4096,
        ),
        (
            Generation::Turin,
            "d05c3a8bde484904b49552422ceb3942",
            "15051693f7304d65a527b4a7f3f7cb77",
            4096,
        ),
    ];
    for (g, ark_id, ask_id, bits) in key_ids {
        let (ark, ask) = (g.ark(), g.ask());
        assert_eq!(
            (hex::encode(ark.key_id()), hex::encode(ask.key_id())),
            (ark_id.into(), ask_id.into()),
            "{g}"
        );
        assert_eq!((ark.modulus_bits(), ask.modulus_bits()), (bits, bits), "{g}");
        verify_ark(p, &ark).unwrap_or_else(|e| panic!("{g} ARK: {e}"));
        verify_ask(p, &ask, &ark).unwrap_or_else(|e| panic!("{g} ASK: {e}"));
        assert_eq!(g.ark_bytes(), read(&format!("{}/ark.cert", g.name().to_lowercase())));
    }
}

fn naples_bundle_is_the_builtin_pair(p: &CryptoProvider) {
    let bundle = read("naples/ask_ark_naples.cert");
    let chain = AmdCertChain::from_bytes(&bundle).unwrap();
    assert_eq!(chain.ark.as_bytes(), Generation::Naples.ark_bytes());
    assert_eq!(chain.ask.as_bytes(), Generation::Naples.ask_bytes());
    verify_amd_chain(p, &chain).unwrap();
}

fn ask_of_one_generation_is_not_signed_by_another_ark(p: &CryptoProvider) {
    let err = verify_ask(p, &Generation::Rome.ask(), &Generation::Milan.ark()).unwrap_err();
    let LegacyError::Link {
        link,
        reason: LinkFailure::CertifyingId { expected, found },
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(
        link,
        Link {
            signer: Usage::Ark,
            subject: Usage::Ask
        }
    );
    assert_eq!(
        (&expected, &found),
        (Generation::Milan.ark().key_id(), Generation::Rome.ask().certifying_id())
    );
    // An ASK offered as a root is refused for its usage.
    let err = verify_ark(p, &Generation::Genoa.ask()).unwrap_err();
    assert_eq!(
        err,
        link_err(
            Usage::Ark,
            Usage::Ark,
            LinkFailure::SubjectUsage {
                expected: Usage::Ark,
                found: Usage::Ask
            }
        )
    );
}

struct Milan {
    pdh: Vec<u8>,
    pek: Vec<u8>,
    oca: Vec<u8>,
    cek: Vec<u8>,
}

fn milan() -> Milan {
    let f = |n: &str| read(&format!("milan/platform/{n}.cert"));
    Milan {
        pdh: f("pdh"),
        pek: f("pek"),
        oca: f("oca"),
        cek: f("cek"),
    }
}

impl Milan {
    fn chain(&self) -> PlatformChain<'_> {
        PlatformChain {
            pek: sev(&self.pek),
            oca: sev(&self.oca),
            cek: sev(&self.cek),
        }
    }
}

fn milan_full_chain_verifies(p: &CryptoProvider) {
    let m = milan();
    assert_eq!(verify_platform(p, &sev(&m.pdh), &m.chain()), Ok(Generation::Milan));
    let amd = AmdCertChain {
        ask: Generation::Milan.ask(),
        ark: Generation::Milan.ark(),
    };
    assert_eq!(
        verify_platform_with(p, &sev(&m.pdh), &m.chain(), &amd),
        Ok(Some(Generation::Milan))
    );
    // Each link on its own, both PEK slots.
    let (pek, oca, cek, pdh) = (sev(&m.pek), sev(&m.oca), sev(&m.cek), sev(&m.pdh));
    verify_signed_by(p, &pek, Signer::Sev(&oca)).unwrap();
    verify_signed_by(p, &pek, Signer::Sev(&cek)).unwrap();
    verify_signed_by(p, &oca, Signer::Sev(&oca)).unwrap();
    verify_signed_by(p, &pdh, Signer::Sev(&pek)).unwrap();
}

fn milan_cek_verifies_only_under_the_milan_ask(p: &CryptoProvider) {
    let m = milan();
    let cek = sev(&m.cek);
    for g in Generation::ALL {
        let result = verify_cek(p, &cek, &g.ask());
        assert_eq!(result.is_ok(), g == Generation::Milan, "{g}: {result:?}");
        if let Err(LegacyError::Link { link, .. }) = result {
            assert_eq!(
                link,
                Link {
                    signer: Usage::Ask,
                    subject: Usage::Cek
                }
            );
        }
    }
    assert_eq!(detect_generation(p, &cek), Ok(Generation::Milan));
}

fn rome_cek_verifies_only_under_the_rome_ask(p: &CryptoProvider) {
    let bytes = read("rome/platform-early/cek.cert");
    assert_eq!(hex::decode(read("rome/platform-early/cek.cert.hex")).unwrap(), bytes);
    let cek = sev(&bytes);
    for g in Generation::ALL {
        assert_eq!(verify_cek(p, &cek, &g.ask()).is_ok(), g == Generation::Rome, "{g}");
    }
    assert_eq!(detect_generation(p, &cek), Ok(Generation::Rome));
}

fn naples_early_chain_fails_only_at_the_ask_link(p: &CryptoProvider) {
    let bundle = read("naples/platform-early/pek_oca_cek.cert");
    let chain = PlatformChain::from_bytes(&bundle).unwrap();
    assert_eq!(chain.pek.as_bytes(), read("naples/platform-early/pek.cert"));
    assert_eq!(chain.oca.as_bytes(), read("naples/platform-early/oca.cert"));
    assert_eq!(chain.cek.as_bytes(), read("naples/platform-early/cek-unsigned.cert"));
    verify_signed_by(p, &chain.oca, Signer::Sev(&chain.oca)).unwrap();
    verify_signed_by(p, &chain.pek, Signer::Sev(&chain.oca)).unwrap();
    verify_signed_by(p, &chain.pek, Signer::Sev(&chain.cek)).unwrap();
    let err = verify_cek(p, &chain.cek, &Generation::Naples.ask()).unwrap_err();
    let LegacyError::Link {
        link,
        reason: LinkFailure::NoSignature { signer: Usage::Ask, .. },
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(
        link,
        Link {
            signer: Usage::Ask,
            subject: Usage::Cek
        }
    );
    assert!(
        err.to_string()
            .starts_with("ASK \u{2192} CEK: no signature slot is by ASK"),
        "{err}"
    );
    assert_eq!(detect_generation(p, &chain.cek), Err(LegacyError::UnknownGeneration));
    // Naples has no PDH fixture; the CEK link fails first anyway.
    let m = milan();
    assert_eq!(
        verify_platform(p, &sev(&m.pdh), &chain),
        Err(LegacyError::UnknownGeneration)
    );
}

fn links_do_not_verify_the_wrong_way_round(p: &CryptoProvider) {
    let m = milan();
    let (pek, oca, cek, pdh) = (sev(&m.pek), sev(&m.oca), sev(&m.cek), sev(&m.pdh));
    assert_eq!(
        verify_signed_by(p, &pek, Signer::Sev(&pdh)),
        Err(link_err(
            Usage::Pdh,
            Usage::Pek,
            LinkFailure::NotAllowed {
                signer: Usage::Pdh,
                subject: Usage::Pek
            }
        ))
    );
    assert!(verify_signed_by(p, &oca, Signer::Sev(&pek)).is_err());
    assert!(verify_signed_by(p, &cek, Signer::Sev(&pek)).is_err());
    assert!(verify_signed_by(p, &pdh, Signer::Sev(&oca)).is_err());
    assert!(verify_signed_by(p, &pdh, Signer::Sev(&pdh)).is_err());
    assert!(verify_signed_by(p, &cek, Signer::Sev(&cek)).is_err());
    // The right kind of signer but another platform's key: the signature itself fails.
    let naples = read("naples/platform-early/oca.cert");
    assert_eq!(
        verify_signed_by(p, &pek, Signer::Sev(&sev(&naples))),
        Err(link_err(Usage::Oca, Usage::Pek, LinkFailure::BadSignature))
    );
    // Swapped roles in a whole chain.
    let swapped = PlatformChain {
        pek: sev(&m.pek),
        oca: sev(&m.cek),
        cek: sev(&m.oca),
    };
    assert!(verify_platform_links(p, &pdh, &swapped).is_err());
}

/// Flips every signed byte of `bytes` and every 7th byte of the signature in `sig`, and expects
/// `check` to fail each time.
fn tamper(
    p: &CryptoProvider,
    what: &str,
    bytes: &[u8],
    signed: usize,
    sig: Range<usize>,
    check: impl Fn(&[u8]) -> bool,
) {
    assert!(check(bytes), "{what}: untampered must verify");
    let mut copy = bytes.to_vec();
    let mut flips = 0;
    for i in positions(signed, stride(p)).chain(sig.step_by(7)) {
        copy[i] ^= 0x01;
        assert!(!check(&copy), "{what}: flipping byte {i:#x} still verifies");
        copy[i] ^= 0x01;
        flips += 1;
    }
    assert!(flips > signed / stride(p));
}

/// R ‖ S of an ECDSA signature in slot 1 or 2 (72 bytes each, little-endian).
const SLOT1_ECDSA: Range<usize> = 0x41C..0x41C + 144;
const SLOT2_ECDSA: Range<usize> = 0x624..0x624 + 144;
const SLOT1_RSA4096: Range<usize> = 0x41C..0x41C + 512;

fn parse_then<'f>(f: &'f dyn Fn(&SevCertificate<'_>) -> bool) -> impl Fn(&[u8]) -> bool + 'f {
    move |b: &[u8]| SevCertificate::from_bytes(b).is_ok_and(|c| f(&c))
}

fn tampering_any_signed_byte_fails(p: &CryptoProvider) {
    let m = milan();
    let (pek, oca, cek) = (sev(&m.pek), sev(&m.oca), sev(&m.cek));
    let ask = Generation::Milan.ask();
    tamper(
        p,
        "PDH",
        &m.pdh,
        0x414,
        SLOT1_ECDSA,
        parse_then(&|c| verify_signed_by(p, c, Signer::Sev(&pek)).is_ok()),
    );
    tamper(
        p,
        "PEK/OCA",
        &m.pek,
        0x414,
        SLOT1_ECDSA,
        parse_then(&|c| verify_signed_by(p, c, Signer::Sev(&oca)).is_ok()),
    );
    tamper(
        p,
        "PEK/CEK",
        &m.pek,
        0x414,
        SLOT2_ECDSA,
        parse_then(&|c| verify_signed_by(p, c, Signer::Sev(&cek)).is_ok()),
    );
    tamper(
        p,
        "OCA",
        &m.oca,
        0x414,
        SLOT1_ECDSA,
        parse_then(&|c| verify_signed_by(p, c, Signer::Sev(c)).is_ok()),
    );
    tamper(
        p,
        "CEK",
        &m.cek,
        0x414,
        SLOT1_RSA4096,
        parse_then(&|c| verify_cek(p, c, &ask).is_ok()),
    );
    for g in [Generation::Naples, Generation::Turin] {
        let ark = g.ark();
        let signed = ark.signed_bytes().len();
        let check_ark = |b: &[u8]| AmdCertificate::from_bytes(b).is_ok_and(|c| verify_ark(p, &c).is_ok());
        tamper(
            p,
            &format!("{g} ARK"),
            g.ark_bytes(),
            signed,
            signed..g.ark_bytes().len(),
            check_ark,
        );
        let check_ask = |b: &[u8]| AmdCertificate::from_bytes(b).is_ok_and(|c| verify_ask(p, &c, &ark).is_ok());
        tamper(
            p,
            &format!("{g} ASK"),
            g.ask_bytes(),
            signed,
            signed..g.ask_bytes().len(),
            check_ask,
        );
    }
}

fn a_tampered_signer_key_fails(p: &CryptoProvider) {
    // Changing the signer's key (not the subject) must break the link too.
    let m = milan();
    let pdh = sev(&m.pdh);
    let mut pek = m.pek.clone();
    pek[0x20] ^= 0x01; // inside QX
    let pek = sev(&pek);
    assert!(verify_signed_by(p, &pdh, Signer::Sev(&pek)).is_err());
    let mut ask = Generation::Milan.ask_bytes().to_vec();
    let modulus_at = 0x40 + 512;
    ask[modulus_at + 5] ^= 0x01;
    let ask = AmdCertificate::from_bytes(&ask).unwrap();
    assert!(verify_cek(p, &sev(&m.cek), &ask).is_err());
}

/// Hostile certificates: random key areas and signatures under every usage and algorithm pairing
/// must be rejected with an error, never accepted and never a panic.
fn garbage_certificates_are_rejected(p: &CryptoProvider) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let usages = [
        Usage::Ark,
        Usage::Ask,
        Usage::Oca,
        Usage::Pek,
        Usage::Pdh,
        Usage::Cek,
        Usage::Invalid,
    ];
    let algos = [0x0u32, 0x1, 0x2, 0x3, 0x101, 0x102, 0x103, 0x7777];
    let ask = Generation::Milan.ask();
    let rounds = if p.name == "rustcrypto" && cfg!(debug_assertions) {
        60
    } else {
        300
    };
    let mut reached_crypto = 0;
    for round in 0..rounds {
        let mut certs = [vec![0u8; 0x824], vec![0u8; 0x824]];
        for c in &mut certs {
            c.iter_mut().for_each(|b| *b = next() as u8);
            let pick = next() as usize;
            c[8..12].copy_from_slice(&usages[pick % usages.len()].raw().to_le_bytes());
            c[12..16].copy_from_slice(&algos[(pick >> 8) % algos.len()].to_le_bytes());
            if pick & 0x10000 != 0 {
                c[0x10..0x14].copy_from_slice(&2u32.to_le_bytes()); // claim P-384
                c[0x10 + 4 + 48..0x10 + 4 + 72].fill(0);
                c[0x10 + 0x4C + 48..0x10 + 0x4C + 72].fill(0);
            }
            for slot in [0x414, 0x61C] {
                let u = usages[(next() as usize) % usages.len()];
                c[slot..slot + 4].copy_from_slice(&u.raw().to_le_bytes());
                c[slot + 4..slot + 8].copy_from_slice(&algos[(next() as usize) % algos.len()].to_le_bytes());
            }
        }
        // Half of the rounds get a permitted link with the signer named in slot 1 and a fitting
        // algorithm, so they reach the signature check itself.
        let links = [
            (Usage::Pek, Usage::Oca),
            (Usage::Pek, Usage::Cek),
            (Usage::Pdh, Usage::Pek),
            (Usage::Cek, Usage::Ask),
        ];
        let deep = next() & 1 == 1;
        if deep {
            let (subject_usage, signer_usage) = links[(next() as usize) % links.len()];
            certs[0][8..12].copy_from_slice(&subject_usage.raw().to_le_bytes());
            certs[1][8..12].copy_from_slice(&signer_usage.raw().to_le_bytes());
            certs[1][12..16].copy_from_slice(&0x2u32.to_le_bytes());
            certs[0][0x414..0x418].copy_from_slice(&signer_usage.raw().to_le_bytes());
            let algo: u32 = if signer_usage == Usage::Ask { 0x101 } else { 0x2 };
            certs[0][0x418..0x41C].copy_from_slice(&algo.to_le_bytes());
            certs[0][0x41C + 48..0x41C + 72].fill(0);
            certs[0][0x41C + 72 + 48..0x41C + 144].fill(0);
        }
        let (subject, signer) = (sev(&certs[0]), sev(&certs[1]));
        assert!(
            verify_signed_by(p, &subject, Signer::Sev(&signer)).is_err(),
            "round {round}"
        );
        assert!(
            verify_signed_by(p, &subject, Signer::Sev(&subject)).is_err(),
            "round {round}"
        );
        let by_ask = verify_signed_by(p, &subject, Signer::Ask(&ask));
        assert!(by_ask.is_err(), "round {round}");
        reached_crypto += usize::from(matches!(
            by_ask,
            Err(LegacyError::Link {
                reason: LinkFailure::BadSignature,
                ..
            })
        ));
    }
    assert!(reached_crypto > 0, "some rounds must reach the RSA signature check");
}

per_backend!(
    builtin_ark_and_ask_verify,
    naples_bundle_is_the_builtin_pair,
    ask_of_one_generation_is_not_signed_by_another_ark,
    milan_full_chain_verifies,
    milan_cek_verifies_only_under_the_milan_ask,
    rome_cek_verifies_only_under_the_rome_ask,
    naples_early_chain_fails_only_at_the_ask_link,
    links_do_not_verify_the_wrong_way_round,
    tampering_any_signed_byte_fails,
    a_tampered_signer_key_fails,
    garbage_certificates_are_rejected,
);
