//! The SNP chain: ARK (self-signed, pinned) → ASK → VCEK, or ARK → ASVK → VLEK.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::cache::{ChainCache, chain_key, edge_key};
use super::cert::AmdCert;
use super::error::SnpError;
use super::role::{Endorsement, Role};
use super::roots::TrustStore;
use super::strict::Relaxations;
use super::verified::VerifiedChain;
use crate::crypto::CryptoProvider;

/// Verifies a chain from certificates given as DER in any order and any mix of roles, parsed
/// strictly (see [`super::Verifier`] to relax).
///
/// * The leaf is the certificate of kind `leaf`; with `None`, a VLEK is preferred over a VCEK.
/// * A missing ASK/ASVK or ARK is taken from `store`; a supplied ARK must be byte-identical to
///   one of the store's ARKs.
/// * Names must chain (leaf issuer = intermediate subject, intermediate issuer = ARK subject),
///   all products must agree, every certificate must be valid at `now`, and every signature
///   must verify (ARK over itself, ARK over the intermediate, intermediate over the leaf).
///
/// With a `cache`, the signatures of a chain built from the same bytes against the same store
/// are checked once; validity is still checked at `now` on every call.
///
/// ```
/// use sev_verify::snp::{verify_chain, Endorsement, TrustStore};
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let vcek = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/turin/routex-v5/vcek.der"))?;
/// let now = 1_764_547_200; // 2025-12-01T00:00:00Z
/// let chain = verify_chain(&provider, &store, &[&vcek], Some(Endorsement::Vcek), now, None)?;
/// assert_eq!(chain.intermediate().subject_cn(), "SEV-Turin");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_chain(
    provider: &CryptoProvider,
    store: &TrustStore,
    certs: &[&[u8]],
    leaf: Option<Endorsement>,
    now: u64,
    cache: Option<&ChainCache>,
) -> Result<Arc<VerifiedChain>, SnpError> {
    verify_chain_relaxed(provider, store, certs, leaf, now, cache, &Relaxations::STRICT)
}

/// [`verify_chain`] with certificates parsed under `relax`.
pub(crate) fn verify_chain_relaxed(
    provider: &CryptoProvider,
    store: &TrustStore,
    certs: &[&[u8]],
    leaf: Option<Endorsement>,
    now: u64,
    cache: Option<&ChainCache>,
    relax: &Relaxations,
) -> Result<Arc<VerifiedChain>, SnpError> {
    let parse = || certs.iter().map(|d| AmdCert::from_der_with(d, relax)).collect();
    cached_chain(provider, store, certs, leaf, now, cache, relax, parse)
}

/// A chain from `cache` when it holds one for these exact bytes (`ders`, parsed under `relax`),
/// rechecked at `now`; otherwise the chain of `parse()`'s certificates, verified and cached.
#[allow(clippy::too_many_arguments)]
pub(crate) fn cached_chain(
    provider: &CryptoProvider,
    store: &TrustStore,
    ders: &[&[u8]],
    leaf: Option<Endorsement>,
    now: u64,
    cache: Option<&ChainCache>,
    relax: &Relaxations,
    parse: impl FnOnce() -> Result<Vec<AmdCert>, SnpError>,
) -> Result<Arc<VerifiedChain>, SnpError> {
    let key = cache.map(|_| chain_key(provider, store, ders, leaf, relax));
    if let (Some(cache), Some(key)) = (cache, &key) {
        if let Some(chain) = cache.get_chain(key) {
            chain.check_validity(now)?;
            return Ok(chain);
        }
    }
    let chain = Arc::new(assemble(provider, store, parse()?, leaf, now, cache)?);
    if let (Some(cache), Some(key)) = (cache, key) {
        cache.put_chain(key, chain.clone());
    }
    Ok(chain)
}

/// [`verify_chain`] for certificates already parsed.
pub fn verify_parsed_chain(
    provider: &CryptoProvider,
    store: &TrustStore,
    certs: Vec<AmdCert>,
    leaf: Option<Endorsement>,
    now: u64,
    cache: Option<&ChainCache>,
) -> Result<VerifiedChain, SnpError> {
    assemble(provider, store, certs, leaf, now, cache)
}

fn take_role(certs: &mut Vec<AmdCert>, role: Role) -> Result<Option<AmdCert>, SnpError> {
    let mut found: Option<AmdCert> = None;
    let mut i = 0;
    while i < certs.len() {
        if certs[i].role() == role {
            let c = certs.swap_remove(i);
            match &found {
                Some(f) if f.der() != c.der() => return Err(SnpError::DuplicateCertificate(role)),
                Some(_) => {}
                None => found = Some(c),
            }
        } else {
            i += 1;
        }
    }
    Ok(found)
}

fn assemble(
    provider: &CryptoProvider,
    store: &TrustStore,
    mut certs: Vec<AmdCert>,
    want: Option<Endorsement>,
    now: u64,
    cache: Option<&ChainCache>,
) -> Result<VerifiedChain, SnpError> {
    let vlek = take_role(&mut certs, Role::Vlek)?;
    let vcek = take_role(&mut certs, Role::Vcek)?;
    let (endorsement, leaf) = match want {
        Some(Endorsement::Vlek) => (Endorsement::Vlek, vlek),
        Some(Endorsement::Vcek) => (Endorsement::Vcek, vcek),
        None if vlek.is_some() => (Endorsement::Vlek, vlek),
        None => (Endorsement::Vcek, vcek),
    };
    let leaf = leaf.ok_or(SnpError::MissingCertificate(endorsement.role()))?;
    let product = leaf.product();
    let int_role = endorsement.intermediate();
    let intermediate = match take_role(&mut certs, int_role)? {
        Some(c) => c,
        None => store
            .intermediate_for(product, int_role)
            .cloned()
            .ok_or(SnpError::MissingCertificate(int_role))?,
    };
    let ark = match take_role(&mut certs, Role::Ark)? {
        Some(c) => c,
        None => store
            .ark_for_intermediate(&intermediate)
            .cloned()
            .ok_or(SnpError::MissingCertificate(Role::Ark))?,
    };
    if leaf.issuer_cn() != intermediate.subject_cn() {
        return Err(SnpError::IssuerMismatch {
            role: leaf.role(),
            expected: intermediate.subject_cn().into(),
            found: leaf.issuer_cn().into(),
        });
    }
    if intermediate.issuer_cn() != ark.subject_cn() {
        return Err(SnpError::IssuerMismatch {
            role: intermediate.role(),
            expected: ark.subject_cn().into(),
            found: intermediate.issuer_cn().into(),
        });
    }
    if !store.trusts(&ark) {
        return Err(SnpError::UntrustedRoot {
            cn: ark.subject_cn().into(),
        });
    }
    let chain = VerifiedChain::new(ark, intermediate, leaf, endorsement);
    chain.check_validity(now)?;
    let [ark, intermediate, leaf] = chain.certs();
    for (issuer, subject) in [(ark, ark), (ark, intermediate)] {
        if !store.verified_edge(issuer, subject) {
            verify_edge(provider, issuer, subject, cache)?;
        }
    }
    verify_edge(provider, intermediate, leaf, cache)?;
    Ok(chain)
}

/// Verifies `subject`'s signature under `issuer`, consulting and filling `cache`.
fn verify_edge(
    provider: &CryptoProvider,
    issuer: &AmdCert,
    subject: &AmdCert,
    cache: Option<&ChainCache>,
) -> Result<(), SnpError> {
    let Some(cache) = cache else {
        return subject.verify_signed_by(issuer, provider);
    };
    let key = edge_key(provider, issuer, subject);
    if cache.has_edge(&key) {
        return Ok(());
    }
    subject.verify_signed_by(issuer, provider)?;
    cache.put_edge(key);
    Ok(())
}
