//! AMD's SNP roots (ARK) and intermediates (ASK, ASVK) for Milan, Genoa and Turin, built in,
//! and the trust store that decides which ARKs a chain may end in.

use alloc::vec::Vec;

use sev_types::Product;

use super::cert::AmdCert;
use super::error::SnpError;
use super::role::Role;
use super::strict::Relaxations;
use crate::crypto::CryptoProvider;

/// Built-in data from this crate's own `data/` directory (byte-identical copies of the
/// workspace's `fixtures/`, checked by `tests/builtin_data.rs`).
macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", $path))
    };
}

const ARK_MILAN: &[u8] = fixture!("snp/milan/ark.der");
const ASK_MILAN: &[u8] = fixture!("snp/milan/ask.der");
const ARK_GENOA: &[u8] = fixture!("snp/genoa/ark.der");
const ASK_GENOA: &[u8] = fixture!("snp/genoa/ask.der");
const ARK_TURIN: &[u8] = fixture!("snp/turin/ark.der");
const ASK_TURIN: &[u8] = fixture!("snp/turin/ask.der");
const ASVK_MILAN: &[u8] = fixture!("snp/vlek/milan/asvk.der");
const ASVK_GENOA: &[u8] = fixture!("snp/vlek/genoa/asvk.der");
const ASVK_TURIN: &[u8] = fixture!("snp/vlek/turin/asvk.der");

/// The built-in DER certificate of `role` (ARK, ASK or ASVK) for `product`'s KDS product, if
/// AMD publishes one (Milan, Genoa — also for Bergamo/Siena — and Turin).
///
/// ```
/// use sev_verify::snp::{builtin_cert, Role};
/// use sev_types::Product;
/// assert!(builtin_cert(Product::BergamoSiena, Role::Asvk).is_some());
/// assert!(builtin_cert(Product::Rome, Role::Ark).is_none());
/// ```
pub fn builtin_cert(product: Product, role: Role) -> Option<&'static [u8]> {
    Some(match (product.kds_product(), role) {
        (Product::Milan, Role::Ark) => ARK_MILAN,
        (Product::Milan, Role::Ask) => ASK_MILAN,
        (Product::Milan, Role::Asvk) => ASVK_MILAN,
        (Product::Genoa, Role::Ark) => ARK_GENOA,
        (Product::Genoa, Role::Ask) => ASK_GENOA,
        (Product::Genoa, Role::Asvk) => ASVK_GENOA,
        (Product::Turin, Role::Ark) => ARK_TURIN,
        (Product::Turin, Role::Ask) => ASK_TURIN,
        (Product::Turin, Role::Asvk) => ASVK_TURIN,
        _ => return None,
    })
}

/// Products with built-in roots.
pub const BUILTIN_PRODUCTS: [Product; 3] = [Product::Milan, Product::Genoa, Product::Turin];

/// The ARKs a chain may end in, and the intermediates used when a caller supplies none.
///
/// A chain is trusted only if its ARK is byte-identical to one of [`TrustStore::arks`].
/// Intermediates here are a convenience: they are still verified against the ARK. The store
/// checks the ARK self-signatures and the ARK → intermediate signatures once, when it is built
/// (byte-identical certificates in a chain are not checked again), so build it once and reuse it.
///
/// **Which ARK fills a chain.** When the certificates given for a chain hold no ARK, the store
/// supplies the ARK for the chain's product. Several may match (a built-in one and one the
/// caller pinned with [`TrustStore::with_pinned_arks`]). By default the built-in ARK is chosen;
/// after [`TrustStore::prefer_pinned`], a pinned ARK is chosen when one exists for the product.
/// Either way the chosen ARK must then verify the intermediate's signature, and an ARK supplied
/// with the chain is always used as given (it must be byte-identical to a trusted one).
#[derive(Debug, Clone)]
pub struct TrustStore {
    arks: Vec<AmdCert>,
    /// Per ARK: whether the caller pinned it (rather than it being built in).
    pinned: Vec<bool>,
    prefer_pinned: bool,
    intermediates: Vec<AmdCert>,
    fingerprint: [u8; 48],
    /// Per ARK: its self-signature verified when the store was built.
    ark_ok: Vec<bool>,
    /// Per intermediate: the index of the ARK whose signature over it verified.
    int_ok: Vec<Option<usize>>,
}

impl TrustStore {
    /// AMD's ARK, ASK and ASVK for Milan, Genoa and Turin.
    ///
    /// ```
    /// let store = sev_verify::snp::TrustStore::builtin(&sev_verify::crypto::default_provider());
    /// assert_eq!(store.arks().len(), 3);
    /// ```
    pub fn builtin(provider: &CryptoProvider) -> Self {
        let mut arks = Vec::new();
        let mut intermediates = Vec::new();
        for p in BUILTIN_PRODUCTS {
            for role in [Role::Ark, Role::Ask, Role::Asvk] {
                let der = builtin_cert(p, role).unwrap_or_default();
                // The built-in certificates are fixed bytes checked by this crate's tests.
                if let Ok(cert) = AmdCert::from_der(der) {
                    if role == Role::Ark {
                        arks.push(cert)
                    } else {
                        intermediates.push(cert)
                    }
                }
            }
        }
        let n = arks.len();
        Self::assemble(provider, arks, alloc::vec![false; n], intermediates)
    }

    /// Only the ARKs the caller pins (DER), plus any intermediates the caller supplies; nothing
    /// built in. Every certificate must parse; ARKs must classify as ARK, intermediates as
    /// ASK or ASVK.
    pub fn pinned(provider: &CryptoProvider, arks: &[&[u8]], intermediates: &[&[u8]]) -> Result<Self, SnpError> {
        Self::pinned_with(provider, arks, intermediates, &Relaxations::STRICT)
    }

    /// [`TrustStore::pinned`], parsing the certificates under `relax` (for test PKIs that use,
    /// say, SHA-256 RSASSA-PSS with [`Relaxations::pss_parameters`]).
    pub fn pinned_with(
        provider: &CryptoProvider,
        arks: &[&[u8]],
        intermediates: &[&[u8]],
        relax: &Relaxations,
    ) -> Result<Self, SnpError> {
        let parse = |der: &&[u8], ok: &[Role]| {
            let c = AmdCert::from_der_with(der, relax)?;
            if ok.contains(&c.role()) {
                Ok(c)
            } else {
                Err(SnpError::UnknownRole {
                    subject_cn: c.subject_cn().into(),
                    issuer_cn: c.issuer_cn().into(),
                })
            }
        };
        let arks = arks
            .iter()
            .map(|d| parse(d, &[Role::Ark]))
            .collect::<Result<Vec<_>, _>>()?;
        let ints = intermediates
            .iter()
            .map(|d| parse(d, &[Role::Ask, Role::Asvk]))
            .collect::<Result<Vec<_>, _>>()?;
        let n = arks.len();
        Ok(Self::assemble(provider, arks, alloc::vec![true; n], ints))
    }

    /// Adds caller-pinned ARKs (DER) to this store.
    pub fn with_pinned_arks(self, provider: &CryptoProvider, arks: &[&[u8]]) -> Result<Self, SnpError> {
        self.with_pinned_arks_relaxed(provider, arks, &Relaxations::STRICT)
    }

    /// [`TrustStore::with_pinned_arks`], parsing the ARKs under `relax`.
    pub fn with_pinned_arks_relaxed(
        self,
        provider: &CryptoProvider,
        arks: &[&[u8]],
        relax: &Relaxations,
    ) -> Result<Self, SnpError> {
        let mut extra = Self::pinned_with(provider, arks, &[], relax)?;
        let mut all = self.arks;
        let mut pinned = self.pinned;
        pinned.append(&mut extra.pinned);
        all.append(&mut extra.arks);
        let mut store = Self::assemble(provider, all, pinned, self.intermediates);
        store.prefer_pinned = self.prefer_pinned;
        Ok(store)
    }

    /// Fills chains that lack an ARK with a pinned ARK of the product, when one exists, rather
    /// than the built-in one (see the [type docs](Self)).
    ///
    /// ```
    /// use sev_types::Product;
    /// use sev_verify::snp::TrustStore;
    /// let provider = sev_verify::crypto::default_provider();
    /// let fake = sev_testing::FakePki::new(Product::Milan);
    /// let store = TrustStore::builtin(&provider).with_pinned_arks(&provider, &[fake.ark()])?;
    /// assert_ne!(store.ark_for(Product::Milan).unwrap().der(), fake.ark());
    /// let store = store.prefer_pinned();
    /// assert_eq!(store.ark_for(Product::Milan).unwrap().der(), fake.ark());
    /// # Ok::<(), sev_verify::snp::SnpError>(())
    /// ```
    pub fn prefer_pinned(mut self) -> Self {
        self.prefer_pinned = true;
        self
    }

    fn assemble(provider: &CryptoProvider, arks: Vec<AmdCert>, pinned: Vec<bool>, intermediates: Vec<AmdCert>) -> Self {
        let ark_count = (arks.len() as u64).to_le_bytes();
        let lens: Vec<[u8; 8]> = arks
            .iter()
            .chain(&intermediates)
            .map(|c| (c.der().len() as u64).to_le_bytes())
            .collect();
        let mut parts: Vec<&[u8]> = alloc::vec![b"sev-verify trust store v1", &ark_count];
        for (c, len) in arks.iter().chain(&intermediates).zip(&lens) {
            parts.push(len);
            parts.push(c.der());
        }
        let fingerprint = provider.digests.sha384(&parts);
        let ark_ok = arks.iter().map(|a| a.verify_signed_by(a, provider).is_ok()).collect();
        let int_ok = intermediates
            .iter()
            .map(|i| {
                arks.iter()
                    .position(|a| a.subject_cn() == i.issuer_cn() && i.verify_signed_by(a, provider).is_ok())
            })
            .collect();
        TrustStore {
            arks,
            pinned,
            prefer_pinned: false,
            intermediates,
            fingerprint,
            ark_ok,
            int_ok,
        }
    }

    /// Whether the store verified `subject`'s signature under `issuer` when it was built (an
    /// ARK's self-signature, or a stored intermediate under its stored ARK), compared by bytes.
    pub(crate) fn verified_edge(&self, issuer: &AmdCert, subject: &AmdCert) -> bool {
        let Some(a) = self.arks.iter().position(|x| x.der() == issuer.der()) else {
            return false;
        };
        if issuer.der() == subject.der() {
            return self.ark_ok[a];
        }
        self.intermediates
            .iter()
            .zip(&self.int_ok)
            .any(|(i, ok)| *ok == Some(a) && i.der() == subject.der())
    }

    /// The trusted ARKs.
    pub fn arks(&self) -> &[AmdCert] {
        &self.arks
    }

    /// The intermediates available to fill a chain.
    pub fn intermediates(&self) -> &[AmdCert] {
        &self.intermediates
    }

    /// A digest of every certificate in the store (used to key caches).
    pub fn fingerprint(&self) -> &[u8; 48] {
        &self.fingerprint
    }

    /// The trusted ARK for `product`'s KDS product, if any: a built-in one first, or a pinned
    /// one first after [`TrustStore::prefer_pinned`].
    pub fn ark_for(&self, product: Product) -> Option<&AmdCert> {
        let mut candidates = self
            .arks
            .iter()
            .zip(&self.pinned)
            .filter(|(c, _)| c.product() == product.kds_product());
        let first = candidates.clone().next().map(|(c, _)| c);
        candidates
            .find(|(_, pinned)| **pinned == self.prefer_pinned)
            .map(|(c, _)| c)
            .or(first)
    }

    /// The trusted ARK to complete a chain whose intermediate is `intermediate`: for an
    /// intermediate of this store, the ARK whose signature over it the store verified;
    /// otherwise [`TrustStore::ark_for`] its product.
    pub fn ark_for_intermediate(&self, intermediate: &AmdCert) -> Option<&AmdCert> {
        let signer = self
            .intermediates
            .iter()
            .zip(&self.int_ok)
            .find(|(i, _)| i.der() == intermediate.der())
            .and_then(|(_, ok)| *ok);
        match signer {
            Some(a) => self.arks.get(a),
            None => self.ark_for(intermediate.product()),
        }
    }

    /// A stored intermediate of `role` for `product`'s KDS product, if any.
    pub fn intermediate_for(&self, product: Product, role: Role) -> Option<&AmdCert> {
        self.intermediates
            .iter()
            .find(|c| c.product() == product.kds_product() && c.role() == role)
    }

    /// Whether `ark` is byte-identical to a trusted ARK.
    pub fn trusts(&self, ark: &AmdCert) -> bool {
        self.arks.iter().any(|a| a.der() == ark.der())
    }
}
