//! The real legacy SEV chains in `fixtures/sev-legacy` (see its PROVENANCE.md), on every backend:
//! built-in ARK/ASK, the Milan platform chain, the early Naples chain whose CEK AMD never signed,
//! the Rome CEK, wrong-way links, and single-byte tampering of every signed byte.
#![cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]

#[macro_use]
mod backends;

use sev_verify::crypto::CryptoProvider;
use sev_verify::legacy::{
    CertSet, Generation, LegacyCert, LegacyError, LegacyRoot, Link, LinkFailure, Signer, builtin_root,
    detect_generation, split_certificates, verify_amd_chain, verify_ark, verify_ask, verify_cek, verify_platform,
    verify_platform_links, verify_platform_with, verify_signed_by,
};
use sev_verify::sev_types::legacy::{AmdCertChain, AmdCertificate, PlatformChain, SevCertificate, Usage};
use sev_verify::snp::{AmdCert, PublicKey};

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
        Ok(Generation::Milan)
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

/// An AMD-format RSA-4096 certificate for the public half of `subject`'s key, signed with
/// `signer`'s key (the test-only keys of sev-testing's fake Milan PKI: not AMD's).
fn fake_amd_cert(
    subject: &sev_testing::Signer,
    signer: &sev_testing::Signer,
    key_id: [u8; 16],
    certifying_id: [u8; 16],
    usage: Usage,
) -> Vec<u8> {
    let pki = sev_testing::FakePki::new(sev_verify::sev_types::Product::Milan);
    let spki_holder = match subject {
        sev_testing::Signer::Ark => pki.ark(),
        _ => pki.ask(),
    };
    let cert = AmdCert::from_der(spki_holder).unwrap();
    let PublicKey::Rsa { modulus, exponent } = cert.public_key() else {
        panic!("fake CA keys are RSA")
    };
    let le = |be: &[u8]| {
        let mut field = vec![0u8; 512];
        field[..be.len()].copy_from_slice(&be.iter().rev().copied().collect::<Vec<u8>>());
        field
    };
    let mut bytes = Vec::new();
    bytes.extend(1u32.to_le_bytes());
    bytes.extend(key_id);
    bytes.extend(certifying_id);
    bytes.extend(usage.raw().to_le_bytes());
    bytes.extend([0u8; 16]);
    bytes.extend(4096u32.to_le_bytes());
    bytes.extend(4096u32.to_le_bytes());
    bytes.extend(le(exponent));
    bytes.extend(le(modulus));
    let sig = sev_testing::pss_sign(&pki.key(signer), &bytes);
    bytes.extend(le(&sig));
    bytes
}

const FAKE_ARK_ID: [u8; 16] = *b"not-an-AMD-ARK!!";
const FAKE_ASK_ID: [u8; 16] = *b"not-an-AMD-ASK!!";

/// A self-consistent ARK/ASK pair that is no built-in generation's, and the Milan CEK re-signed
/// by that ASK (same body, so the real PEK's CEK signature still verifies).
struct FakeRoot {
    ark: Vec<u8>,
    ask: Vec<u8>,
    cek: Vec<u8>,
}

fn fake_root() -> FakeRoot {
    use sev_testing::Signer as S;
    let ark = fake_amd_cert(&S::Ark, &S::Ark, FAKE_ARK_ID, FAKE_ARK_ID, Usage::Ark);
    let ask = fake_amd_cert(&S::Ask, &S::Ark, FAKE_ASK_ID, FAKE_ARK_ID, Usage::Ask);
    let pki = sev_testing::FakePki::new(sev_verify::sev_types::Product::Milan);
    let mut cek = milan().cek;
    let sig = sev_testing::pss_sign(&pki.key(&S::Ask), &cek[..0x414]);
    let field = &mut cek[SLOT1_RSA4096];
    field.fill(0);
    for (dst, src) in field.iter_mut().zip(sig.iter().rev()) {
        *dst = *src;
    }
    FakeRoot { ark, ask, cek }
}

fn a_self_consistent_unpinned_root_is_refused(p: &CryptoProvider) {
    let fake = fake_root();
    let amd = AmdCertChain {
        ask: AmdCertificate::from_bytes(&fake.ask).unwrap(),
        ark: AmdCertificate::from_bytes(&fake.ark).unwrap(),
    };
    let m = milan();
    let chain = PlatformChain {
        pek: sev(&m.pek),
        oca: sev(&m.oca),
        cek: sev(&fake.cek),
    };
    // Every signature verifies: only the root's trust is missing.
    verify_amd_chain(p, &amd).unwrap();
    verify_cek(p, &chain.cek, &amd.ask).unwrap();
    verify_platform_links(p, &sev(&m.pdh), &chain).unwrap();
    let untrusted = LegacyError::UntrustedRoot { key_id: FAKE_ARK_ID };
    assert_eq!(
        verify_platform_with(p, &sev(&m.pdh), &chain, &amd),
        Err(untrusted.clone())
    );
    assert_eq!(builtin_root(&amd.ark), Err(untrusted.clone()));
    assert!(untrusted.to_string().contains(&hex::encode(FAKE_ARK_ID)), "{untrusted}");
    // The same through a CertSet, with and without the fake ARK.
    let mut set = CertSet::new();
    for bytes in [&m.pdh, &m.pek, &m.oca, &fake.cek, &fake.ask, &fake.ark] {
        set.insert(only_cert(bytes)).unwrap();
    }
    assert_eq!(set.verify(p), Err(untrusted));
    let mut set = CertSet::new();
    for bytes in [&m.pdh, &m.pek, &m.oca, &fake.cek, &fake.ask] {
        set.insert(only_cert(bytes)).unwrap();
    }
    assert_eq!(set.verify(p), Err(LegacyError::UntrustedRoot { key_id: FAKE_ARK_ID }));
    // The re-signed CEK alone is signed by no built-in ASK.
    let mut set = CertSet::new();
    set.insert(only_cert(&fake.cek)).unwrap();
    assert_eq!(set.verify(p), Err(LegacyError::UnknownGeneration));
    // A built-in ARK with one byte changed is no longer the built-in root.
    let mut ark = Generation::Milan.ark_bytes().to_vec();
    ark[0x40 + 600] ^= 0x01;
    let ark = AmdCertificate::from_bytes(&ark).unwrap();
    assert!(matches!(builtin_root(&ark), Err(LegacyError::UntrustedRoot { .. })));
    let amd = AmdCertChain {
        ask: Generation::Milan.ask(),
        ark,
    };
    assert!(matches!(
        verify_platform_with(p, &sev(&m.pdh), &m.chain(), &amd),
        Err(LegacyError::UntrustedRoot { .. })
    ));
}

/// The one legacy certificate `bytes` holds.
fn only_cert(bytes: &[u8]) -> LegacyCert<'_> {
    let mut certs = split_certificates(bytes).unwrap().expect("a legacy certificate");
    assert_eq!(certs.len(), 1);
    certs.remove(0)
}

fn usages(bytes: &[u8]) -> Option<Vec<Usage>> {
    split_certificates(bytes)
        .unwrap()
        .map(|certs| certs.iter().map(LegacyCert::usage).collect())
}

#[test]
fn every_fixture_is_recognised_by_content() {
    use Usage::*;
    let expected: &[(&str, &[Usage])] = &[
        ("naples/ark.cert", &[Ark]),
        ("naples/ask.cert", &[Ask]),
        ("naples/ask_ark_naples.cert", &[Ask, Ark]),
        ("naples/platform-early/pek.cert", &[Pek]),
        ("naples/platform-early/oca.cert", &[Oca]),
        ("naples/platform-early/cek-unsigned.cert", &[Cek]),
        ("naples/platform-early/pek_oca_cek.cert", &[Pek, Oca, Cek]),
        ("rome/platform-early/cek.cert", &[Cek]),
        ("milan/platform/pdh.cert", &[Pdh]),
        ("milan/platform/pek.cert", &[Pek]),
        ("milan/platform/oca.cert", &[Oca]),
        ("milan/platform/cek.cert", &[Cek]),
    ];
    for (file, want) in expected {
        assert_eq!(usages(&read(file)).as_deref(), Some(*want), "{file}");
    }
    for g in Generation::ALL {
        assert_eq!(usages(g.ark_bytes()), Some(vec![Ark]), "{g}");
        assert_eq!(usages(g.ask_bytes()), Some(vec![Ask]), "{g}");
    }
    // A full export, PDH ‖ PEK ‖ OCA ‖ CEK ‖ ASK ‖ ARK.
    let m = milan();
    let full = [
        &m.pdh,
        &m.pek,
        &m.oca,
        &m.cek,
        Generation::Milan.ask_bytes(),
        Generation::Milan.ark_bytes(),
    ]
    .concat();
    assert_eq!(usages(&full), Some(vec![Pdh, Pek, Oca, Cek, Ask, Ark]));
    // Other files are not legacy certificates, whatever their name.
    for other in [
        "rome/platform-early/cek.cert.hex",
        "launch/vmsa0.bin",
        "launch/vectors.md",
        "../snp/milan/ark.der",
        "../snp/milan/ask.pem",
    ] {
        assert_eq!(usages(&read(other)), None, "{other}");
    }
    assert_eq!(usages(&[]), None);
    // A zeroed, a wrong-version and a wrong-usage certificate are not recognised.
    assert_eq!(usages(&[0u8; 0x824]), None);
    let mut v2 = m.pek.clone();
    v2[0] = 2;
    assert_eq!(usages(&v2), None);
    let mut ark_as_sev = m.pek.clone();
    ark_as_sev[8..12].copy_from_slice(&Ark.raw().to_le_bytes());
    assert_eq!(usages(&ark_as_sev), None);
    let mut reserved = Generation::Milan.ark_bytes().to_vec();
    reserved[0x30] = 1;
    assert_eq!(usages(&reserved), None);
    // Recognised certificates followed by anything else are an error, not silently cut.
    for (bytes, offset) in [
        ([&m.pek[..], &m.oca[..], &m.cek[..0x400]].concat(), 2 * 0x824),
        ([&m.pdh[..], b"\n"].concat(), 0x824),
        ([Generation::Naples.ask_bytes(), &m.pek[..10]].concat(), 832),
    ] {
        assert_eq!(
            split_certificates(&bytes).unwrap_err(),
            LegacyError::Unrecognized {
                offset,
                len: bytes.len() - offset
            }
        );
    }
}

/// A set of every legacy certificate in `certs` (each one or more certificates back to back).
fn set_of<'a>(certs: &[&'a [u8]]) -> CertSet<'a> {
    let mut set = CertSet::new();
    for bytes in certs {
        for cert in split_certificates(bytes).unwrap().unwrap() {
            set.insert(cert).unwrap();
        }
    }
    set
}

fn cert_sets_verify_as_far_as_they_reach(p: &CryptoProvider) {
    let m = milan();
    let (ark, ask) = (Generation::Milan.ark_bytes(), Generation::Milan.ask_bytes());
    let full = set_of(&[&m.pdh, &m.pek, &m.oca, &m.cek, ask, ark]);
    let v = full.verify(p).unwrap();
    assert_eq!(v.generation(), Some(Generation::Milan));
    let all = [Usage::Pdh, Usage::Pek, Usage::Oca, Usage::Cek, Usage::Ask, Usage::Ark];
    assert!(all.iter().all(|&u| v.supplied(u)));
    assert_eq!(
        v.to_string(),
        "PDH \u{2190} PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} ARK (Milan)"
    );
    assert_eq!(full.usages().count(), 6);
    // The export forms: PDH, PEK ‖ OCA ‖ CEK, ASK ‖ ARK.
    let chain = [&m.pek[..], &m.oca, &m.cek].concat();
    let amd = [ask, ark].concat();
    assert_eq!(set_of(&[&m.pdh, &chain, &amd]).verify(p), Ok(v));
    // Platform only: the built-in pair decides.
    let v = set_of(&[&m.pdh, &chain]).verify(p).unwrap();
    assert_eq!(
        (v.generation().unwrap(), v.supplied(Usage::Ask), v.supplied(Usage::Ark)),
        (Generation::Milan, false, false)
    );
    assert_eq!(
        v.to_string(),
        "PDH \u{2190} PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} ARK (Milan; ASK and ARK built in)"
    );
    // Without the PDH, and the CEK alone.
    let v = set_of(&[&chain, ark]).verify(p).unwrap();
    assert_eq!(
        v.to_string(),
        "PEK \u{2190} (OCA, CEK) \u{2190} ASK \u{2190} ARK (Milan; ASK built in)"
    );
    let rome_cek = read("rome/platform-early/cek.cert");
    let v = set_of(&[&rome_cek, Generation::Rome.ask_bytes()]).verify(p).unwrap();
    assert_eq!(v.to_string(), "CEK \u{2190} ASK \u{2190} ARK (Rome; ARK built in)");
    // Every generation's own pair, the ASK alone, the ARK alone.
    for g in Generation::ALL {
        for certs in [&[g.ask_bytes(), g.ark_bytes()][..], &[g.ask_bytes()], &[g.ark_bytes()]] {
            let set = set_of(certs);
            assert!(!set.has_platform());
            assert_eq!(set.verify(p).map(|v| v.generation()), Ok(Some(g)), "{g}");
        }
    }
    // An OCA next to a root is checked on its own.
    let v = set_of(&[&m.oca, ark]).verify(p).unwrap();
    assert!(v.to_string().ends_with("; OCA self-signed"), "{v}");
}

fn cert_sets_refuse_gaps_wrong_generations_and_duplicates(p: &CryptoProvider) {
    let m = milan();
    let (ark, ask) = (Generation::Milan.ark_bytes(), Generation::Milan.ask_bytes());
    let missing = |usage, needed_by| Err(LegacyError::Missing { usage, needed_by });
    assert_eq!(set_of(&[&m.pdh, ark]).verify(p), missing(Usage::Pek, Some(Usage::Pdh)));
    assert_eq!(
        set_of(&[&m.pdh, &m.pek, &m.oca, ask, ark]).verify(p),
        missing(Usage::Cek, Some(Usage::Pek))
    );
    assert_eq!(
        set_of(&[&m.pek, &m.cek]).verify(p),
        missing(Usage::Oca, Some(Usage::Pek))
    );
    assert_eq!(set_of(&[&m.oca]).verify(p), missing(Usage::Cek, None));
    assert_eq!(CertSet::new().verify(p), missing(Usage::Cek, None));
    assert!(CertSet::new().is_empty());
    let e = LegacyError::Missing {
        usage: Usage::Cek,
        needed_by: Some(Usage::Pek),
    };
    assert_eq!(e.to_string(), "missing the CEK certificate, needed to verify the PEK");
    // The wrong generation's ASK: under the Milan ARK, and on its own above the Milan CEK.
    let rome_ask = Generation::Rome.ask_bytes();
    let full = [&m.pdh[..], &m.pek, &m.oca, &m.cek].concat();
    let Err(LegacyError::Link { link, reason }) = set_of(&[&full, rome_ask, ark]).verify(p) else {
        panic!("Rome ASK under the Milan ARK")
    };
    assert_eq!((link.signer, link.subject), (Usage::Ark, Usage::Ask));
    assert!(matches!(reason, LinkFailure::CertifyingId { .. }), "{reason}");
    assert_eq!(
        set_of(&[&full, rome_ask]).verify(p),
        Err(link_err(Usage::Ask, Usage::Cek, LinkFailure::BadSignature))
    );
    // The early Naples chain: its CEK carries no ASK signature.
    let naples = read("naples/platform-early/pek_oca_cek.cert");
    assert_eq!(set_of(&[&naples]).verify(p), Err(LegacyError::UnknownGeneration));
    let Err(LegacyError::Link { reason, .. }) = set_of(&[&naples, &read("naples/ask_ark_naples.cert")]).verify(p)
    else {
        panic!("Naples CEK")
    };
    assert!(matches!(reason, LinkFailure::NoSignature { .. }), "{reason}");
    // A tampered PEK signature (slot 1, by the OCA).
    let mut pek = m.pek.clone();
    pek[SLOT1_ECDSA.start + 3] ^= 0x01;
    assert_eq!(
        set_of(&[&m.pdh, &pek, &m.oca, &m.cek]).verify(p),
        Err(link_err(Usage::Oca, Usage::Pek, LinkFailure::BadSignature))
    );
    // Duplicates: the same certificate twice is kept once, two different ones are refused.
    let mut set = set_of(&[&m.cek, &m.cek, ask]);
    assert_eq!(set.usages().collect::<Vec<_>>(), [Usage::Cek, Usage::Ask]);
    let rome_cek = read("rome/platform-early/cek.cert");
    assert_eq!(
        set.insert(only_cert(&rome_cek)),
        Err(LegacyError::Duplicate { usage: Usage::Cek })
    );
    assert_eq!(
        set.insert(only_cert(Generation::Genoa.ask_bytes())),
        Err(LegacyError::Duplicate { usage: Usage::Ask })
    );
    assert_eq!(set.get(Usage::Cek).unwrap().as_bytes(), &m.cek[..]);
}

/// Mangled exports (header words rewritten, bytes flipped, cut anywhere) are recognised or not,
/// and verify or not, but never panic and never verify when a signed byte changed.
fn mangled_exports_never_panic(p: &CryptoProvider) {
    let m = milan();
    let full = [
        &m.pdh[..],
        &m.pek,
        &m.oca,
        &m.cek,
        Generation::Milan.ask_bytes(),
        Generation::Milan.ark_bytes(),
    ]
    .concat();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let words = [0u32, 1, 2, 0x13, 0x800, 0x1000, 0x1002, 0x1004, 0x101, u32::MAX];
    let rounds = if p.name == "rustcrypto" && cfg!(debug_assertions) {
        40
    } else {
        300
    };
    for round in 0..rounds {
        let mut bytes = full.clone();
        // Rewrite a header word of some certificate (version, usage, algorithm, sizes).
        let starts = [0, 0x824, 2 * 0x824, 3 * 0x824, 4 * 0x824, 4 * 0x824 + 1600];
        let at = starts[next() as usize % starts.len()] + [0, 8, 12, 0x24, 0x38, 0x3C][next() as usize % 6];
        let word = words[next() as usize % words.len()];
        bytes[at..at + 4].copy_from_slice(&word.to_le_bytes());
        let changed = bytes != full;
        let cut = if next() % 3 == 0 {
            next() as usize % bytes.len()
        } else {
            bytes.len()
        };
        let bytes = &bytes[..cut];
        let Ok(Some(certs)) = split_certificates(bytes) else {
            continue;
        };
        let mut set = CertSet::new();
        if certs.into_iter().any(|c| set.insert(c).is_err()) {
            continue;
        }
        let verified = set.verify(p);
        if changed && set.usages().count() == 6 {
            assert!(
                verified.is_err(),
                "round {round}: rewriting {at:#x} to {word:#x} still verifies"
            );
        }
    }
}

/// A pinned ARK is the only root trusted: the real Milan chain verifies under Milan's ARK
/// pinned (reported as pinned, with no generation), and under no other generation's.
fn a_pinned_ark_is_the_only_root_trusted(p: &CryptoProvider) {
    let m = milan();
    let (ark, ask) = (Generation::Milan.ark(), Generation::Milan.ask_bytes());
    let chain = [&m.pek[..], &m.oca, &m.cek].concat();
    let set = set_of(&[&m.pdh, &chain, ask]);
    let v = set.verify_pinned(p, &ark).unwrap();
    assert_eq!(v.generation(), None);
    assert_eq!(v.root(), LegacyRoot::Pinned { key_id: *ark.key_id() });
    assert!(v.to_string().contains("ASK \u{2190} pinned ARK (key ID "), "{v}");
    for g in [Generation::Naples, Generation::Rome, Generation::Genoa] {
        assert!(set.verify_pinned(p, &g.ark()).is_err(), "{g}");
    }
    // The set's own ARK must be the pinned one; the ASK cannot be left to a built-in.
    let with_rome_ark = set_of(&[&m.pdh, &chain, ask, Generation::Rome.ark_bytes()]);
    assert!(matches!(
        with_rome_ark.verify_pinned(p, &ark),
        Err(LegacyError::UntrustedRoot { .. })
    ));
    assert!(matches!(
        set_of(&[&m.pdh, &chain]).verify_pinned(p, &ark),
        Err(LegacyError::Missing { usage: Usage::Ask, .. })
    ));
}

per_backend!(
    a_pinned_ark_is_the_only_root_trusted,
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
    a_self_consistent_unpinned_root_is_refused,
    cert_sets_verify_as_far_as_they_reach,
    cert_sets_refuse_gaps_wrong_generations_and_duplicates,
    mangled_exports_never_panic,
);
