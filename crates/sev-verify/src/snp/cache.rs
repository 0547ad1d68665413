//! A bounded, thread-safe memory of verified chains and certificate signatures.
//!
//! Keys are SHA-384 digests of the exact certificate bytes (and of the trust store), so an
//! entry can only stand for bytes that were fully verified before. Everything that depends on
//! the call — the time, CRLs, the report — is checked again on every hit; the cache can only
//! save work, never accept what a full check would refuse.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::cert::AmdCert;
use super::role::Endorsement;
use super::roots::TrustStore;
use super::strict::Relaxations;
use super::verified::VerifiedChain;
use crate::crypto::CryptoProvider;

#[cfg(feature = "std")]
type Lock<T> = std::sync::Mutex<T>;
#[cfg(not(feature = "std"))]
type Lock<T> = spin::Mutex<T>;

#[cfg(feature = "std")]
fn lock<T>(l: &Lock<T>) -> std::sync::MutexGuard<'_, T> {
    l.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
#[cfg(not(feature = "std"))]
fn lock<T>(l: &Lock<T>) -> spin::MutexGuard<'_, T> {
    l.lock()
}

/// A cache key: a SHA-384 digest over a domain label and length-prefixed inputs.
pub(crate) type Key = [u8; 48];

/// The key of a chain: the trust store, the leaf asked for, the relaxations the certificates
/// were parsed under, and every supplied certificate's exact bytes.
pub(crate) fn chain_key(
    provider: &CryptoProvider,
    store: &TrustStore,
    certs: &[&[u8]],
    leaf: Option<Endorsement>,
    relax: &Relaxations,
) -> Key {
    let params = [
        match leaf {
            None => 0u8,
            Some(Endorsement::Vcek) => 1,
            Some(Endorsement::Vlek) => 2,
        },
        relax.bits(),
    ];
    let lens: Vec<[u8; 8]> = certs.iter().map(|c| (c.len() as u64).to_le_bytes()).collect();
    let mut parts: Vec<&[u8]> = alloc::vec![b"sev-verify chain v2", store.fingerprint(), &params];
    for (c, len) in certs.iter().zip(&lens) {
        parts.push(len);
        parts.push(c);
    }
    provider.digests.sha384(&parts)
}

/// The key of one verified certificate signature: issuer and subject bytes.
pub(crate) fn edge_key(provider: &CryptoProvider, issuer: &AmdCert, subject: &AmdCert) -> Key {
    let ilen = (issuer.der().len() as u64).to_le_bytes();
    provider
        .digests
        .sha384(&[b"sev-verify edge v1", &ilen, issuer.der(), subject.der()])
}

#[derive(Debug)]
struct Bounded<V> {
    map: BTreeMap<Key, V>,
    order: VecDeque<Key>,
    capacity: usize,
}

impl<V: Clone> Bounded<V> {
    fn new(capacity: usize) -> Self {
        Bounded {
            map: BTreeMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    fn get(&self, k: &Key) -> Option<V> {
        self.map.get(k).cloned()
    }

    fn insert(&mut self, k: Key, v: V) {
        if self.capacity == 0 {
            return;
        }
        if self.map.insert(k, v).is_none() {
            self.order.push_back(k);
            while self.order.len() > self.capacity {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }

    fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }
}

/// A cache of verified chains (keyed by the digest of the supplied certificates and the trust
/// store) and of verified certificate signatures (keyed by the digest of issuer and subject).
///
/// Holds at most `capacity` chains and `capacity` signatures; the oldest entry goes first.
/// Share one cache between threads by reference.
///
/// ```
/// use sev_verify::snp::{verify_chain, ChainCache, Endorsement, TrustStore};
/// let provider = sev_verify::crypto::default_provider();
/// let store = TrustStore::builtin(&provider);
/// let cache = ChainCache::new(64);
/// let vcek = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev/vcek.der"))?;
/// let now = 1_764_547_200;
/// verify_chain(&provider, &store, &[&vcek], Some(Endorsement::Vcek), now, Some(&cache))?;
/// assert_eq!(cache.chains(), 1);
/// // A hit still checks validity at the given time:
/// assert!(verify_chain(&provider, &store, &[&vcek], Some(Endorsement::Vcek), 4_000_000_000, Some(&cache)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ChainCache {
    chains: Lock<Bounded<Arc<VerifiedChain>>>,
    edges: Lock<Bounded<()>>,
}

impl ChainCache {
    /// A cache holding at most `capacity` chains and `capacity` signatures (0 disables it).
    pub fn new(capacity: usize) -> Self {
        ChainCache {
            chains: Lock::new(Bounded::new(capacity)),
            edges: Lock::new(Bounded::new(capacity)),
        }
    }

    /// Number of cached chains.
    pub fn chains(&self) -> usize {
        lock(&self.chains).map.len()
    }

    /// Number of cached certificate signatures.
    pub fn signatures(&self) -> usize {
        lock(&self.edges).map.len()
    }

    /// Forgets everything.
    pub fn clear(&self) {
        lock(&self.chains).clear();
        lock(&self.edges).clear();
    }

    pub(crate) fn get_chain(&self, key: &Key) -> Option<Arc<VerifiedChain>> {
        lock(&self.chains).get(key)
    }

    pub(crate) fn put_chain(&self, key: Key, chain: Arc<VerifiedChain>) {
        lock(&self.chains).insert(key, chain);
    }

    pub(crate) fn has_edge(&self, key: &Key) -> bool {
        lock(&self.edges).get(key).is_some()
    }

    pub(crate) fn put_edge(&self, key: Key) {
        lock(&self.edges).insert(key, ());
    }
}

impl Default for ChainCache {
    /// A cache for 1024 chains.
    fn default() -> Self {
        Self::new(1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_map_evicts_oldest_first() {
        let mut b = Bounded::new(2);
        b.insert([1; 48], 1);
        b.insert([2; 48], 2);
        b.insert([1; 48], 10); // replacing does not reorder or grow
        b.insert([3; 48], 3);
        assert_eq!(b.get(&[1; 48]), None);
        assert_eq!(b.get(&[2; 48]), Some(2));
        assert_eq!(b.get(&[3; 48]), Some(3));
        assert_eq!(b.map.len(), 2);
        let mut none = Bounded::new(0);
        none.insert([1; 48], 1);
        assert_eq!(none.get(&[1; 48]), None);
    }
}
