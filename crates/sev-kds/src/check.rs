//! Checking a KDS response against the request before anything is cached: it must parse, have
//! the role and product asked for, carry the hwID and TCB asked for, and be signed by the
//! trusted AMD keys.

use std::sync::{Arc, OnceLock};

use sev_types::Product;
use sev_verify::crypto::CryptoProvider;
use sev_verify::kds::{Endorsement, KdsRequest, Resource};
use sev_verify::snp::{AmdCert, Crl, Role, TrustStore, pem};

use crate::error::CheckError;

/// A response that passed its checks, in the form it is cached: DER for certificates and CRLs,
/// PEM (intermediate then ARK, as KDS serves it) for chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    bytes: Vec<u8>,
}

impl Checked {
    /// The bytes to store: DER, or PEM for a chain.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Checks KDS responses against what was asked for, with the trusted AMD roots and
/// intermediates of a [`TrustStore`].
///
/// ```
/// use sev_kds::{CheckError, Checker};
/// use sev_types::Product;
/// use sev_verify::kds::{Endorsement, KdsRequest};
/// let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
/// let checker = Checker::builtin();
/// let chain = std::fs::read(format!("{fixtures}/kds/vcek_cert_chain_genoa.pem"))?;
/// checker.check(&KdsRequest::cert_chain(Product::Genoa, Endorsement::Vcek)?, &chain)?;
/// // Genoa's chain served for Milan is refused.
/// let err = checker.check(&KdsRequest::cert_chain(Product::Milan, Endorsement::Vcek)?, &chain).unwrap_err();
/// assert!(matches!(err, CheckError::Product { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Checker {
    provider: CryptoProvider,
    /// Built on first use: reading the cache checks no signature, so needs no store.
    store: Arc<OnceLock<TrustStore>>,
}

impl Checker {
    /// A checker trusting `store`.
    pub fn new(provider: CryptoProvider, store: TrustStore) -> Self {
        Checker {
            provider,
            store: Arc::new(OnceLock::from(store)),
        }
    }

    /// A checker trusting AMD's built-in roots and intermediates (whose own signatures are
    /// checked the first time a signature is checked).
    pub fn builtin() -> Self {
        Checker {
            provider: sev_verify::crypto::default_provider(),
            store: Arc::new(OnceLock::new()),
        }
    }

    /// The trusted roots.
    pub fn store(&self) -> &TrustStore {
        self.store.get_or_init(|| TrustStore::builtin(&self.provider))
    }

    /// The crypto provider.
    pub fn provider(&self) -> &CryptoProvider {
        &self.provider
    }

    /// Checks `body` as the answer to `request`, signatures included.
    pub fn check(&self, request: &KdsRequest, body: &[u8]) -> Result<Checked, CheckError> {
        self.check_with(request, body, true)
    }

    /// Checks `body` as the answer to `request`; with `signatures` false only what the bytes
    /// say (parse, role, product, hwID, TCB) is checked, as when reading back the cache:
    /// verification checks every signature anyway.
    pub fn check_with(&self, request: &KdsRequest, body: &[u8], signatures: bool) -> Result<Checked, CheckError> {
        match request.resource() {
            Resource::Vcek | Resource::Vlek => self.check_leaf(request, body, signatures.then_some(None)),
            Resource::CertChain => self.check_chain(request, body, signatures),
            Resource::Crl => self.check_crl(request, body, signatures),
        }
    }

    /// Checks a VCEK or VLEK `body` whose issuer is the intermediate of `chain` (PEM, as KDS
    /// serves it), rather than the trust store's intermediate: for PKIs whose ARK is pinned and
    /// whose intermediate the store does not hold. The chain itself is checked first (its ARK
    /// must be trusted, its intermediate signed by that ARK).
    ///
    /// ```
    /// use sev_kds::Checker;
    /// use sev_testing::{FakePki, LeafKey, ReportSpec};
    /// use sev_types::{Product, report::Report};
    /// use sev_verify::kds::KdsRequest;
    /// use sev_verify::snp::TrustStore;
    /// let pki = FakePki::new(Product::Genoa);
    /// let spec = ReportSpec::new(Product::Genoa);
    /// let vcek = pki.issue(&pki.vcek_spec(&LeafKey::vcek_a(), &spec.chip_id, spec.reported_tcb));
    /// let report = spec.signed(&LeafKey::vcek_a());
    /// let req = KdsRequest::vcek_for_report(&Report::from_bytes(&report)?, None)?;
    /// let provider = sev_verify::crypto::default_provider();
    /// let checker = Checker::new(provider, TrustStore::builtin(&provider).with_pinned_arks(&provider, &[pki.ark()])?);
    /// assert!(checker.check(&req, &vcek).is_err()); // not signed by AMD's ASK
    /// let chain = [sev_testing::pem("CERTIFICATE", pki.ask()), sev_testing::pem("CERTIFICATE", pki.ark())].concat();
    /// checker.check_with_chain(&req, &vcek, chain.as_bytes())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_with_chain(&self, request: &KdsRequest, body: &[u8], chain: &[u8]) -> Result<Checked, CheckError> {
        let chain_req =
            KdsRequest::cert_chain(request.product(), request.key_type()).map_err(|e| CheckError::Malformed {
                expected: "a VCEK or VLEK request",
                reason: e.to_string(),
            })?;
        let checked = self.check_chain(&chain_req, chain, true)?;
        let ders = pem::split_der_or_pem(checked.bytes()).map_err(|e| malformed("certificate chain", e))?;
        let issuer = ders
            .first()
            .map(|d| parse_cert(d, "certificate chain"))
            .transpose()?
            .ok_or_else(|| malformed("certificate chain", "empty"))?;
        self.check_leaf(request, body, Some(Some(&issuer)))
    }

    /// `signatures`: `None` checks none; `Some(None)` checks under the store's intermediate;
    /// `Some(Some(issuer))` under `issuer`.
    fn check_leaf(
        &self,
        request: &KdsRequest,
        body: &[u8],
        signatures: Option<Option<&AmdCert>>,
    ) -> Result<Checked, CheckError> {
        let (role, intermediate, what) = match request.resource() {
            Resource::Vcek => (Role::Vcek, Role::Ask, "VCEK certificate"),
            _ => (Role::Vlek, Role::Asvk, "VLEK certificate"),
        };
        let der = single_der(body, what)?;
        let cert = parse_cert(&der, what)?;
        expect_role(&cert, role)?;
        expect_product(cert.product(), request.product())?;
        if let Some(hwid) = request.hwid() {
            let found = cert.amd_extensions().hw_id.as_deref();
            if found != Some(hwid.as_bytes()) {
                return Err(CheckError::HwId {
                    expected: hwid.to_string(),
                    found: found.map_or("absent".into(), |h| sev_types::fmt::Hex(h).to_string()),
                });
            }
        }
        if let (Some(tcb), Some(layout)) = (request.tcb(), request.product().tcb_layout()) {
            cert.amd_extensions()
                .check_tcb(role, tcb.encode(layout), layout)
                .map_err(|e| CheckError::Tcb { reason: e.to_string() })?;
        }
        if let Some(given) = signatures {
            let issuer = match given {
                Some(i) => i,
                None => self
                    .store()
                    .intermediate_for(request.product(), intermediate)
                    .ok_or_else(|| CheckError::Signature {
                        reason: format!("no trusted {} for {}", intermediate.name(), request.product()),
                    })?,
            };
            expect_role(issuer, intermediate)?;
            cert.verify_signed_by(issuer, &self.provider)
                .map_err(|e| CheckError::Signature { reason: e.to_string() })?;
        }
        Ok(Checked { bytes: der })
    }

    fn check_chain(&self, request: &KdsRequest, body: &[u8], signatures: bool) -> Result<Checked, CheckError> {
        let what = "certificate chain (PEM: intermediate, ARK)";
        let ders = pem::split_der_or_pem(body).map_err(|e| malformed(what, e))?;
        let certs = ders
            .iter()
            .map(|d| parse_cert(d, what))
            .collect::<Result<Vec<_>, _>>()?;
        let int_role = match request.key_type() {
            Endorsement::Vcek => Role::Ask,
            Endorsement::Vlek => Role::Asvk,
        };
        let (Some(int), Some(ark), 2) = (
            certs.iter().find(|c| c.role() == int_role),
            certs.iter().find(|c| c.role() == Role::Ark),
            certs.len(),
        ) else {
            let roles: Vec<&str> = certs.iter().map(|c| c.role().name()).collect();
            return Err(CheckError::Malformed {
                expected: what,
                reason: format!("expected [{}, ARK], found [{}]", int_role.name(), roles.join(", ")),
            });
        };
        expect_product(int.product(), request.product())?;
        expect_product(ark.product(), request.product())?;
        if signatures {
            if !self.store().trusts(ark) {
                return Err(CheckError::UntrustedArk {
                    subject_cn: ark.subject_cn().into(),
                });
            }
            int.verify_signed_by(ark, &self.provider)
                .map_err(|e| CheckError::Signature { reason: e.to_string() })?;
        }
        let mut out = pem::encode("CERTIFICATE", int.der());
        out.push_str(&pem::encode("CERTIFICATE", ark.der()));
        Ok(Checked {
            bytes: out.into_bytes(),
        })
    }

    fn check_crl(&self, request: &KdsRequest, body: &[u8], signatures: bool) -> Result<Checked, CheckError> {
        let what = "CRL";
        let mut crls = Crl::parse_all(body).map_err(|e| malformed(what, e))?;
        let crl = match (crls.pop(), crls.is_empty()) {
            (Some(c), true) => c,
            _ => {
                return Err(CheckError::Malformed {
                    expected: what,
                    reason: "expected exactly one CRL".into(),
                });
            }
        };
        let expected_issuer = format!("ARK-{}", request.product().kds_name().unwrap_or_default());
        if crl.issuer_cn() != expected_issuer {
            return Err(CheckError::Product {
                expected: expected_issuer,
                found: crl.issuer_cn().into(),
            });
        }
        if signatures {
            // Any trusted ARK of the product (built in, or pinned beside the built-in one).
            let mut last = format!("no trusted ARK for {}", request.product());
            let signed = self
                .store()
                .arks()
                .iter()
                .filter(|a| a.product() == request.product().kds_product())
                .any(|ark| match crl.verify(&self.provider, ark) {
                    Ok(()) => true,
                    Err(e) => {
                        last = e.to_string();
                        false
                    }
                });
            if !signed {
                return Err(CheckError::Signature { reason: last });
            }
        }
        Ok(Checked {
            bytes: crl.der().to_vec(),
        })
    }
}

fn malformed(expected: &'static str, e: impl std::fmt::Display) -> CheckError {
    CheckError::Malformed {
        expected,
        reason: e.to_string(),
    }
}

fn single_der(body: &[u8], what: &'static str) -> Result<Vec<u8>, CheckError> {
    let mut ders = pem::split_der_or_pem(body).map_err(|e| malformed(what, e))?;
    match (ders.pop(), ders.is_empty()) {
        (Some(d), true) => Ok(d),
        _ => Err(CheckError::Malformed {
            expected: what,
            reason: "expected exactly one certificate".into(),
        }),
    }
}

fn parse_cert(der: &[u8], what: &'static str) -> Result<AmdCert, CheckError> {
    AmdCert::from_der(der).map_err(|e| malformed(what, e))
}

fn expect_role(cert: &AmdCert, role: Role) -> Result<(), CheckError> {
    if cert.role() == role {
        Ok(())
    } else {
        Err(CheckError::Role {
            expected: role.name(),
            found: cert.role().name(),
            subject_cn: cert.subject_cn().into(),
        })
    }
}

fn expect_product(found: Product, expected: Product) -> Result<(), CheckError> {
    if found.kds_product() == expected.kds_product() {
        Ok(())
    } else {
        Err(CheckError::Product {
            expected: expected.to_string(),
            found: found.to_string(),
        })
    }
}
