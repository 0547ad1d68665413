//! The SNP chain: ARK (self-signed, pinned) → ASK → VCEK, or ARK → ASVK → VLEK.

use alloc::sync::Arc;
use alloc::vec::Vec;

use sev_types::Product;

use super::cache::ChainCache;
use super::cert::AmdCert;
use super::error::{SnpError, Subject};
use super::role::Role;
use super::roots::TrustStore;
use crate::crypto::CryptoProvider;

/// A chain whose signatures, names, products and trust anchor have been verified.
///
/// Validity periods depend on the time and are checked again by every use
/// ([`VerifiedChain::check_validity`]); so is revocation.
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    ark: AmdCert,
    intermediate: AmdCert,
    leaf: AmdCert,
}

impl VerifiedChain {
    /// The KDS product of the chain.
    pub fn product(&self) -> Product {
        self.ark.product()
    }

    /// The root.
    pub fn ark(&self) -> &AmdCert {
        &self.ark
    }

    /// The ASK (VCEK chain) or ASVK (VLEK chain).
    pub fn intermediate(&self) -> &AmdCert {
        &self.intermediate
    }

    /// The VCEK or VLEK.
    pub fn leaf(&self) -> &AmdCert {
        &self.leaf
    }

    /// The three certificates, root first.
    pub fn certs(&self) -> [&AmdCert; 3] {
        [&self.ark, &self.intermediate, &self.leaf]
    }

    /// Checks every certificate's validity period at `now` (seconds since the Unix epoch).
    pub fn check_validity(&self, now: u64) -> Result<(), SnpError> {
        self.certs().iter().try_for_each(|c| c.check_validity(now))
    }
}

/// Verifies a chain from certificates given in any order and any mix of roles.
///
/// * The leaf is the certificate of role `leaf` (VCEK or VLEK); with `None`, a VLEK is preferred
///   over a VCEK.
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
/// use sev_verify::snp::{verify_chain, Role, TrustStore};
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let vcek = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/turin/routex-v5/vcek.der"))?;
/// let now = 1_764_547_200; // 2025-12-01T00:00:00Z
/// let chain = verify_chain(&provider, &store, &[&vcek], Some(Role::Vcek), now, None)?;
/// assert_eq!(chain.intermediate().subject_cn(), "SEV-Turin");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_chain(
    provider: &CryptoProvider,
    store: &TrustStore,
    certs: &[&[u8]],
    leaf: Option<Role>,
    now: u64,
    cache: Option<&ChainCache>,
) -> Result<Arc<VerifiedChain>, SnpError> {
    let key = cache.map(|_| chain_key(provider, store, certs, leaf));
    if let (Some(cache), Some(key)) = (cache, &key) {
        if let Some(chain) = cache.get_chain(key) {
            chain.check_validity(now)?;
            return Ok(chain);
        }
    }
    let parsed = certs
        .iter()
        .map(|d| AmdCert::from_der(d))
        .collect::<Result<Vec<_>, _>>()?;
    let chain = Arc::new(assemble(provider, store, parsed, leaf, now, cache)?);
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
    leaf: Option<Role>,
    now: u64,
    cache: Option<&ChainCache>,
) -> Result<VerifiedChain, SnpError> {
    assemble(provider, store, certs, leaf, now, cache)
}

fn chain_key(provider: &CryptoProvider, store: &TrustStore, certs: &[&[u8]], leaf: Option<Role>) -> [u8; 48] {
    let role = [match leaf {
        None => 0u8,
        Some(r) => 1 + r as u8,
    }];
    let lens: Vec<[u8; 8]> = certs.iter().map(|c| (c.len() as u64).to_le_bytes()).collect();
    let mut parts: Vec<&[u8]> = alloc::vec![b"sev-verify chain v1", store.fingerprint(), &role];
    for (c, len) in certs.iter().zip(&lens) {
        parts.push(len);
        parts.push(c);
    }
    provider.digests.sha384(&parts)
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
    leaf_role: Option<Role>,
    now: u64,
    cache: Option<&ChainCache>,
) -> Result<VerifiedChain, SnpError> {
    let vlek = take_role(&mut certs, Role::Vlek)?;
    let vcek = take_role(&mut certs, Role::Vcek)?;
    let leaf = match leaf_role {
        Some(Role::Vlek) => vlek.ok_or(SnpError::MissingCertificate(Role::Vlek))?,
        Some(Role::Vcek) => vcek.ok_or(SnpError::MissingCertificate(Role::Vcek))?,
        Some(other) => return Err(SnpError::MissingCertificate(other)),
        None => vlek.or(vcek).ok_or(SnpError::MissingCertificate(Role::Vcek))?,
    };
    let product = leaf.product();
    let int_role = leaf.role().intermediate_for().unwrap_or(Role::Ask);
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
            .ark_for(intermediate.product())
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
    let chain = VerifiedChain {
        ark,
        intermediate,
        leaf,
    };
    chain.check_validity(now)?;
    for (issuer, subject) in [(&chain.ark, &chain.ark), (&chain.ark, &chain.intermediate)] {
        if !store.verified_edge(issuer, subject) {
            verify_edge(provider, issuer, subject, cache)?;
        }
    }
    verify_edge(provider, &chain.intermediate, &chain.leaf, cache)?;
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
    let ilen = (issuer.der().len() as u64).to_le_bytes();
    let key = provider
        .digests
        .sha384(&[b"sev-verify edge v1", &ilen, issuer.der(), subject.der()]);
    if cache.has_edge(&key) {
        return Ok(());
    }
    subject.verify_signed_by(issuer, provider)?;
    cache.put_edge(key);
    Ok(())
}

impl Subject {
    /// The certificate role, if this subject is a certificate.
    pub fn role(self) -> Option<Role> {
        match self {
            Subject::Certificate(r) => Some(r),
            _ => None,
        }
    }
}
