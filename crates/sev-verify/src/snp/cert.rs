//! AMD SNP X.509 certificates: parsed once, kept with their exact bytes, classified by role and
//! held to the constraints of that role. The X.509 pieces shared with CRLs live in `x509`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::Decode;
use sev_types::Product;
use x509_cert::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::amd_ext::AmdExtensions;
use super::error::{SnpError, Subject};
use super::role::Role;
use super::strict::Relaxations;
use super::x509::{
    BASIC_CONSTRAINTS, KEY_USAGE, SignedParts, ca_extensions, common_name, parse_key, parse_pss, split_signed,
    verify_pss,
};
pub use super::x509::{PssScheme, PublicKey};
use crate::crypto::CryptoProvider;

/// A certificate of AMD's SNP PKI, parsed and classified, holding its exact DER bytes.
#[derive(Debug, Clone)]
pub struct AmdCert {
    der: Vec<u8>,
    parts: SignedParts,
    scheme: PssScheme,
    role: Role,
    product: Product,
    subject_cn: String,
    issuer_cn: String,
    serial: Vec<u8>,
    not_before: u64,
    not_after: u64,
    key: PublicKey,
    amd: AmdExtensions,
}

impl AmdCert {
    /// Parses a DER certificate and decides its role from its contents, with every check on
    /// ([`AmdCert::from_der_with`] with [`Relaxations::STRICT`]).
    ///
    /// Fails on anything AMD never issues: signatures other than RSASSA-PSS with SHA-384,
    /// MGF1-SHA-384 and salt length 48, keys other than RSA (CAs) and P-384 (VCEK/VLEK),
    /// unknown critical extensions, duplicate extensions, names that match no role, a
    /// VCEK/VLEK productName that contradicts its issuer, an ARK/ASK/ASVK that is not a CA
    /// allowed to sign certificates, or a VCEK/VLEK that is.
    ///
    /// ```
    /// use sev_verify::snp::{AmdCert, Role};
    /// use sev_types::Product;
    /// let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev/vcek.der"))?;
    /// let vcek = AmdCert::from_der(&der)?;
    /// assert_eq!(vcek.role(), Role::Vcek);
    /// assert_eq!(vcek.product(), Product::Milan);
    /// assert_eq!(vcek.amd_extensions().product_name.as_deref(), Some("Milan-B0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_der(der: &[u8]) -> Result<Self, SnpError> {
        Self::from_der_with(der, &Relaxations::STRICT)
    }

    /// [`AmdCert::from_der`] with the named exceptions of `relax`.
    ///
    /// Only [`Relaxations::pss_parameters`] (also accept RSASSA-PSS with SHA-256,
    /// MGF1-SHA-256, salt length 32) and [`Relaxations::ca_constraints`] (do not evaluate
    /// basicConstraints and keyUsage) concern certificates; the other fields are ignored here.
    ///
    /// ```
    /// use sev_testing::FakePki;
    /// use sev_testing::der_build::{SHA256, pss_alg};
    /// use sev_types::Product;
    /// use sev_verify::crypto::HashAlg;
    /// use sev_verify::snp::{AmdCert, ErrorKind, Relaxations};
    /// let pki = FakePki::new(Product::Milan);
    /// let mut ask = pki.ask_spec();
    /// ask.tbs_alg = pss_alg(SHA256, SHA256, 32);
    /// ask.outer_alg = ask.tbs_alg.clone();
    /// let der = pki.issue(&ask);
    /// let err = AmdCert::from_der(&der).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MalformedCertificate);
    /// let relax = Relaxations { pss_parameters: true, ..Relaxations::STRICT };
    /// let cert = AmdCert::from_der_with(&der, &relax)?;
    /// assert_eq!(cert.scheme().hash, HashAlg::Sha256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_der_with(der: &[u8], relax: &Relaxations) -> Result<Self, SnpError> {
        let unknown = Subject::Certificate(Role::Unknown);
        let parts = split_signed(der, unknown)?;
        let tbs = TbsCertificate::from_der(&der[parts.tbs.clone()]).map_err(|e| SnpError::der(unknown, e))?;
        let subject_cn = common_name(tbs.subject(), unknown, "subject")?;
        let issuer_cn = common_name(tbs.issuer(), unknown, "issuer")?;
        let key = parse_key(tbs.subject_public_key_info())?;
        let (role, product) = classify(&subject_cn, &issuer_cn, &key, tbs.subject() == tbs.issuer())?;
        let what = Subject::Certificate(role);
        let outer_alg =
            AlgorithmIdentifierOwned::from_der(&der[parts.alg.clone()]).map_err(|e| SnpError::der(what, e))?;
        if &outer_alg != tbs.signature() {
            return Err(SnpError::Unexpected {
                what,
                field: "signatureAlgorithm",
                expected: "the same algorithm as the TBS signature field",
                found: outer_alg.oid.to_string(),
            });
        }
        let scheme = parse_pss(&der[parts.alg.clone()], what, relax)?;
        let extensions: &[Extension] = tbs.extensions().map_or(&[], |v| v.as_slice());
        for ext in extensions {
            if ext.critical && ext.extn_id != KEY_USAGE && ext.extn_id != BASIC_CONSTRAINTS {
                return Err(SnpError::Unexpected {
                    what,
                    field: "critical extension",
                    expected: "only keyUsage and basicConstraints",
                    found: ext.extn_id.to_string(),
                });
            }
        }
        let amd = AmdExtensions::parse(extensions, role)?;
        if !relax.ca_constraints {
            check_ca_constraints(role, extensions)?;
        }
        if role.is_leaf() {
            check_leaf_extensions(role, product, &amd)?;
        }
        let validity = tbs.validity();
        Ok(AmdCert {
            der: der.to_vec(),
            parts,
            scheme,
            role,
            product,
            subject_cn,
            issuer_cn,
            serial: tbs.serial_number().as_bytes().to_vec(),
            not_before: validity.not_before.to_unix_duration().as_secs(),
            not_after: validity.not_after.to_unix_duration().as_secs(),
            key,
            amd,
        })
    }

    /// The certificate's bytes, exactly as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The to-be-signed bytes, exactly as received.
    pub fn tbs_bytes(&self) -> &[u8] {
        &self.der[self.parts.tbs.clone()]
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.der[self.parts.sig.clone()]
    }

    /// The signature scheme.
    pub fn scheme(&self) -> PssScheme {
        self.scheme
    }

    /// Role decided from the contents.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The KDS product of the chain this certificate belongs to (from its CN or its issuer's CN).
    pub fn product(&self) -> Product {
        self.product
    }

    /// Subject common name.
    pub fn subject_cn(&self) -> &str {
        &self.subject_cn
    }

    /// Issuer common name.
    pub fn issuer_cn(&self) -> &str {
        &self.issuer_cn
    }

    /// Serial number, big-endian, leading zeros stripped (empty for serial 0).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// notBefore, seconds since the Unix epoch.
    pub fn not_before(&self) -> u64 {
        self.not_before
    }

    /// notAfter, seconds since the Unix epoch.
    pub fn not_after(&self) -> u64 {
        self.not_after
    }

    /// The subject public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The AMD extensions (empty for ARK/ASK/ASVK).
    pub fn amd_extensions(&self) -> &AmdExtensions {
        &self.amd
    }

    /// Checks the validity period at `now` (seconds since the Unix epoch).
    pub fn check_validity(&self, now: u64) -> Result<(), SnpError> {
        if now < self.not_before {
            return Err(SnpError::NotYetValid {
                role: self.role,
                not_before: self.not_before,
                now,
            });
        }
        if now > self.not_after {
            return Err(SnpError::Expired {
                role: self.role,
                not_after: self.not_after,
                now,
            });
        }
        Ok(())
    }

    /// Verifies that `self` is signed by `issuer`'s key (signature only; names are checked by
    /// the chain).
    pub fn verify_signed_by(&self, issuer: &AmdCert, provider: &CryptoProvider) -> Result<(), SnpError> {
        verify_pss(
            provider,
            issuer,
            self.scheme,
            self.tbs_bytes(),
            self.signature(),
            Subject::Certificate(self.role),
        )
    }
}

/// The product named by a CN suffix (`Milan` in `ARK-Milan`): it must be the exact KDS name of
/// an SNP product.
pub(crate) fn kds_product_named(name: &str) -> Option<Product> {
    let p: Product = name.parse().ok()?;
    (p.supports_snp() && p.kds_name() == Some(name)).then_some(p)
}

fn classify(subject: &str, issuer: &str, key: &PublicKey, self_issued: bool) -> Result<(Role, Product), SnpError> {
    let unknown = || SnpError::UnknownRole {
        subject_cn: subject.to_string(),
        issuer_cn: issuer.to_string(),
    };
    let product_of = |what: &'static str, name: &str| {
        kds_product_named(name).ok_or_else(|| SnpError::UnknownProduct {
            what,
            found: name.to_string(),
        })
    };
    let is_rsa = matches!(key, PublicKey::Rsa { .. });
    let issuer_ark = issuer.strip_prefix("ARK-");
    match (is_rsa, subject) {
        (true, s) if s.starts_with("ARK-") => {
            if !self_issued || subject != issuer {
                return Err(unknown());
            }
            Ok((Role::Ark, product_of("ARK common name", &s[4..])?))
        }
        (true, s) if s.starts_with("SEV-VLEK-") || s.starts_with("SEV-") => {
            let (role, name) = match s.strip_prefix("SEV-VLEK-") {
                Some(n) => (Role::Asvk, n),
                None => (Role::Ask, &s[4..]),
            };
            if name == "VCEK" || name == "VLEK" {
                return Err(unknown());
            }
            let product = product_of("intermediate common name", name)?;
            let issuer_name = issuer_ark.ok_or_else(unknown)?;
            let issuer_product = product_of("intermediate issuer common name", issuer_name)?;
            if issuer_product != product {
                return Err(SnpError::ProductMismatch {
                    what: "intermediate issuer (ARK) common name",
                    expected: product,
                    found: issuer_product,
                });
            }
            Ok((role, product))
        }
        (false, "SEV-VCEK") => {
            let name = issuer
                .strip_prefix("SEV-")
                .filter(|n| !n.starts_with("VLEK-"))
                .ok_or_else(unknown)?;
            Ok((Role::Vcek, product_of("VCEK issuer common name", name)?))
        }
        (false, "SEV-VLEK") => {
            let name = issuer.strip_prefix("SEV-VLEK-").ok_or_else(unknown)?;
            Ok((Role::Vlek, product_of("VLEK issuer common name", name)?))
        }
        _ => Err(unknown()),
    }
}

fn check_leaf_extensions(role: Role, product: Product, amd: &AmdExtensions) -> Result<(), SnpError> {
    if let Some(name) = &amd.product_name {
        let named: Product = name.parse().map_err(|_| SnpError::UnknownProduct {
            what: "productName extension",
            found: name.clone(),
        })?;
        if named.kds_product() != product {
            return Err(SnpError::ProductMismatch {
                what: "productName extension against the issuer",
                expected: product,
                found: named,
            });
        }
    }
    match role {
        Role::Vcek if amd.csp_id.is_some() => Err(SnpError::BadExtension {
            role,
            name: "cspID",
            reason: "present in a VCEK",
        }),
        Role::Vlek if amd.hw_id.is_some() => Err(SnpError::BadExtension {
            role,
            name: "hwID",
            reason: "present in a VLEK",
        }),
        _ => Ok(()),
    }
}

/// basicConstraints and keyUsage against the role: an ARK, ASK or ASVK is a CA whose key signs
/// certificates; a VCEK or VLEK is neither.
fn check_ca_constraints(role: Role, extensions: &[Extension]) -> Result<(), SnpError> {
    let ca = ca_extensions(extensions, role)?;
    let is_ca = ca.basic_constraints.as_ref().map(|bc| bc.ca);
    let cert_sign = ca.key_usage.map(|ku| ku.key_cert_sign());
    let violation = |expected, found| Err(SnpError::CaConstraint { role, expected, found });
    if role.is_leaf() {
        if is_ca == Some(true) {
            return violation("basicConstraints absent or cA FALSE", "cA TRUE");
        }
        if cert_sign == Some(true) {
            return violation("keyUsage absent or without keyCertSign", "keyUsage with keyCertSign");
        }
        return Ok(());
    }
    match is_ca {
        None => return violation("basicConstraints with cA TRUE", "no basicConstraints"),
        Some(false) => return violation("basicConstraints with cA TRUE", "cA FALSE"),
        Some(true) => {}
    }
    match cert_sign {
        None => violation("keyUsage with keyCertSign", "no keyUsage"),
        Some(false) => violation("keyUsage with keyCertSign", "keyUsage without keyCertSign"),
        Some(true) => Ok(()),
    }
}
