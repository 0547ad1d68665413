//! Signature checks of the legacy SEV chain: ARK → ASK → CEK → PEK ← OCA, PEK → PDH.

use sev_types::legacy::{
    AmdCertChain, AmdCertificate, HashAlgorithm, KeyKind, PlatformChain, SevCertificate, SignatureSlot, Usage,
};

use super::{Generation, LegacyError, LinkFailure};
use crate::crypto::{CryptoProvider, HashAlg};

pub(crate) fn hash_alg(h: HashAlgorithm) -> HashAlg {
    match h {
        HashAlgorithm::Sha256 => HashAlg::Sha256,
        HashAlgorithm::Sha384 => HashAlg::Sha384,
    }
}

/// Verifies the self-signed AMD root key (ARK) in AMD's format.
///
/// ```
/// # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
/// use sev_verify::{crypto::default_provider, legacy::{Generation, verify_ark}};
/// verify_ark(&default_provider(), &Generation::Naples.ark())?;
/// # }
/// # Ok::<(), sev_verify::legacy::LegacyError>(())
/// ```
pub fn verify_ark(provider: &CryptoProvider, ark: &AmdCertificate<'_>) -> Result<(), LegacyError> {
    verify_amd(provider, ark, ark, Usage::Ark)
}

/// Verifies an AMD signing key (ASK) in AMD's format against its ARK.
pub fn verify_ask(
    provider: &CryptoProvider,
    ask: &AmdCertificate<'_>,
    ark: &AmdCertificate<'_>,
) -> Result<(), LegacyError> {
    verify_amd(provider, ask, ark, Usage::Ask)
}

/// Verifies an AMD-format pair: the ARK self-signed and the ASK signed by it.
pub fn verify_amd_chain(provider: &CryptoProvider, chain: &AmdCertChain<'_>) -> Result<(), LegacyError> {
    verify_ark(provider, &chain.ark)?;
    verify_ask(provider, &chain.ask, &chain.ark)
}

fn verify_amd(
    provider: &CryptoProvider,
    subject: &AmdCertificate<'_>,
    signer: &AmdCertificate<'_>,
    expected: Usage,
) -> Result<(), LegacyError> {
    let fail = |reason| LegacyError::link(Usage::Ark, expected, reason);
    if subject.key_usage() != expected {
        return Err(fail(LinkFailure::SubjectUsage {
            expected,
            found: subject.key_usage(),
        }));
    }
    if signer.key_usage() != Usage::Ark {
        return Err(fail(LinkFailure::SignerUsage {
            expected: Usage::Ark,
            found: signer.key_usage(),
        }));
    }
    if subject.certifying_id() != signer.key_id() {
        return Err(fail(LinkFailure::CertifyingId {
            expected: *signer.key_id(),
            found: *subject.certifying_id(),
        }));
    }
    let sig = subject.signature_be();
    if sig.len() != signer.modulus_bits() as usize / 8 {
        return Err(fail(LinkFailure::SignatureEncoding(
            "signature length differs from the signer's modulus",
        )));
    }
    provider
        .rsa_pss
        .verify(
            signer.modulus_be().trimmed(),
            signer.exponent_be().trimmed(),
            hash_alg(signer.signature_hash()),
            subject.signed_bytes(),
            &sig,
        )
        .map_err(|_| fail(LinkFailure::BadSignature))
}

/// The key that signs an SEV certificate: an AMD ASK or another SEV certificate's key.
#[derive(Debug, Clone, Copy)]
pub enum Signer<'s, 'a> {
    /// The AMD SEV signing key (signs the CEK).
    Ask(&'s AmdCertificate<'a>),
    /// An SEV certificate's key: OCA (signs itself and the PEK), CEK (signs the PEK), PEK (signs the PDH).
    Sev(&'s SevCertificate<'a>),
}

impl Signer<'_, '_> {
    fn usage(&self) -> Usage {
        match self {
            Signer::Ask(c) => c.key_usage(),
            Signer::Sev(c) => c.pubkey_usage(),
        }
    }
}

/// Verifies that `signer` signed `subject`, over the received bytes 0x000..0x414.
///
/// The link must be one of ASK → CEK, OCA → OCA, OCA → PEK, CEK → PEK, PEK → PDH; the
/// signature is taken from whichever slot names the signer's usage.
///
/// ```
/// # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
/// use sev_verify::crypto::default_provider;
/// use sev_verify::legacy::{Signer, verify_signed_by};
/// use sev_verify::sev_types::legacy::SevCertificate;
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/milan/platform/");
/// let pek = std::fs::read(format!("{dir}pek.cert"))?;
/// let pdh = std::fs::read(format!("{dir}pdh.cert"))?;
/// let (pek, pdh) = (SevCertificate::from_bytes(&pek)?, SevCertificate::from_bytes(&pdh)?);
/// verify_signed_by(&default_provider(), &pdh, Signer::Sev(&pek))?;
/// assert!(verify_signed_by(&default_provider(), &pek, Signer::Sev(&pdh)).is_err());
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_signed_by(
    provider: &CryptoProvider,
    subject: &SevCertificate<'_>,
    signer: Signer<'_, '_>,
) -> Result<(), LegacyError> {
    let subject_usage = subject.pubkey_usage();
    let signer_usage = signer.usage();
    let fail = |reason| LegacyError::link(signer_usage, subject_usage, reason);
    let allowed: &[Usage] = match subject_usage {
        Usage::Cek => &[Usage::Ask],
        Usage::Pek => &[Usage::Oca, Usage::Cek],
        Usage::Pdh => &[Usage::Pek],
        Usage::Oca => &[Usage::Oca],
        _ => &[],
    };
    if !allowed.contains(&signer_usage) {
        return Err(fail(LinkFailure::NotAllowed {
            signer: signer_usage,
            subject: subject_usage,
        }));
    }
    if let Signer::Sev(s) = signer {
        if s.pubkey_usage() == Usage::Oca && subject_usage == Usage::Oca && s.as_bytes() != subject.as_bytes() {
            return Err(fail(LinkFailure::SignerKey(
                "an OCA certificate is self-signed: signer must be itself",
            )));
        }
    }
    let slot = subject
        .signature_by(signer_usage)
        .ok_or(fail(LinkFailure::NoSignature {
            signer: signer_usage,
            slot1: subject.sig1().usage(),
            slot2: subject.sig2().usage(),
        }))?;
    verify_slot(provider, subject, &slot, signer).map_err(fail)
}

fn verify_slot(
    provider: &CryptoProvider,
    subject: &SevCertificate<'_>,
    slot: &SignatureSlot<'_>,
    signer: Signer<'_, '_>,
) -> Result<(), LinkFailure> {
    let algo = slot.algo();
    let hash = algo.hash().map(hash_alg);
    match signer {
        Signer::Ask(ask) => {
            let (Some(KeyKind::Rsa), Some(hash)) = (algo.key_kind(), hash) else {
                return Err(LinkFailure::Algorithm {
                    expected: "RSA-PSS",
                    found: algo,
                });
            };
            let sig = slot.rsa_be(ask.modulus_bits()).ok_or(LinkFailure::SignatureEncoding(
                "bytes set above the signer's modulus size",
            ))?;
            provider
                .rsa_pss
                .verify(
                    ask.modulus_be().trimmed(),
                    ask.exponent_be().trimmed(),
                    hash,
                    subject.signed_bytes(),
                    &sig,
                )
                .map_err(|_| LinkFailure::BadSignature)
        }
        Signer::Sev(key_cert) => {
            let (Some(KeyKind::Ecdsa), Some(hash)) = (algo.key_kind(), hash) else {
                return Err(LinkFailure::Algorithm {
                    expected: "ECDSA",
                    found: algo,
                });
            };
            if key_cert.pubkey_algo().key_kind() != Some(KeyKind::Ecdsa) {
                return Err(LinkFailure::SignerKey("not an ECDSA key"));
            }
            let point = p384_point(key_cert).ok_or(LinkFailure::SignerKey("not a P-384 point"))?;
            let r_s = slot
                .ecdsa()
                .and_then(|s| s.p384_r_s_be())
                .ok_or(LinkFailure::SignatureEncoding("R or S wider than 384 bits"))?;
            provider
                .ecdsa_p384
                .verify(&point, hash, subject.signed_bytes(), &r_s)
                .map_err(|_| LinkFailure::BadSignature)
        }
    }
}

/// The certificate's key as an uncompressed SEC1 P-384 point, if it is one.
pub(crate) fn p384_point(cert: &SevCertificate<'_>) -> Option<[u8; 97]> {
    cert.public_key().sec1_uncompressed()?.as_bytes().try_into().ok()
}

/// Verifies ASK → CEK.
pub fn verify_cek(
    provider: &CryptoProvider,
    cek: &SevCertificate<'_>,
    ask: &AmdCertificate<'_>,
) -> Result<(), LegacyError> {
    verify_signed_by(provider, cek, Signer::Ask(ask))
}

/// Finds the generation whose built-in ASK signs `cek`.
///
/// Fails with [`LegacyError::UnknownGeneration`] when no built-in ASK does (e.g. a CEK exported
/// before AMD signed it: fetch the signed one from AMD's KDS).
pub fn detect_generation(provider: &CryptoProvider, cek: &SevCertificate<'_>) -> Result<Generation, LegacyError> {
    if cek.pubkey_usage() != Usage::Cek {
        return Err(LegacyError::link(
            Usage::Ask,
            cek.pubkey_usage(),
            LinkFailure::SubjectUsage {
                expected: Usage::Cek,
                found: cek.pubkey_usage(),
            },
        ));
    }
    Generation::ALL
        .into_iter()
        .find(|g| verify_cek(provider, cek, &g.ask()).is_ok())
        .ok_or(LegacyError::UnknownGeneration)
}

/// Verifies the platform's own links: OCA self-signed, OCA → PEK, CEK → PEK and PEK → PDH.
pub fn verify_platform_links(
    provider: &CryptoProvider,
    pdh: &SevCertificate<'_>,
    chain: &PlatformChain<'_>,
) -> Result<(), LegacyError> {
    verify_signed_by(provider, &chain.oca, Signer::Sev(&chain.oca))?;
    verify_signed_by(provider, &chain.pek, Signer::Sev(&chain.oca))?;
    verify_signed_by(provider, &chain.pek, Signer::Sev(&chain.cek))?;
    verify_signed_by(provider, pdh, Signer::Sev(&chain.pek))
}

/// Verifies the whole chain PDH ← PEK ← (OCA, CEK ← ASK) against the built-in ASKs and returns the
/// generation whose ASK signs the CEK.
pub fn verify_platform(
    provider: &CryptoProvider,
    pdh: &SevCertificate<'_>,
    chain: &PlatformChain<'_>,
) -> Result<Generation, LegacyError> {
    let generation = detect_generation(provider, &chain.cek)?;
    verify_platform_links(provider, pdh, chain)?;
    Ok(generation)
}

/// The built-in generation whose ARK is byte-identical to `ark`.
///
/// Fails with [`LegacyError::UntrustedRoot`] for any other ARK, however well it verifies: a
/// legacy chain is only trusted when it ends at one of AMD's roots built into this crate.
///
/// ```
/// use sev_verify::legacy::{Generation, LegacyError, builtin_root};
/// assert_eq!(builtin_root(&Generation::Rome.ark()), Ok(Generation::Rome));
/// // An ASK is no root, even a built-in one.
/// assert!(matches!(builtin_root(&Generation::Rome.ask()), Err(LegacyError::UntrustedRoot { .. })));
/// ```
pub fn builtin_root(ark: &AmdCertificate<'_>) -> Result<Generation, LegacyError> {
    Generation::ALL
        .into_iter()
        .find(|g| g.ark_bytes() == ark.as_bytes())
        .ok_or(LegacyError::UntrustedRoot { key_id: *ark.key_id() })
}

/// Verifies the whole chain against a caller-supplied AMD pair (for example an ASK fetched from
/// AMD's KDS): the ARK must be one of the built-in roots ([`builtin_root`]), then ARK
/// self-signed, ARK → ASK, ASK → CEK and the platform links. Returns the ARK's generation.
///
/// An ARK that is not built in is refused with [`LegacyError::UntrustedRoot`] before any
/// signature is checked, even when the pair and the chain below it are self-consistent.
pub fn verify_platform_with(
    provider: &CryptoProvider,
    pdh: &SevCertificate<'_>,
    chain: &PlatformChain<'_>,
    amd: &AmdCertChain<'_>,
) -> Result<Generation, LegacyError> {
    let generation = builtin_root(&amd.ark)?;
    verify_amd_chain(provider, amd)?;
    verify_cek(provider, &chain.cek, &amd.ask)?;
    verify_platform_links(provider, pdh, chain)?;
    Ok(generation)
}
