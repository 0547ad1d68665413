//! AMD SNP X.509 certificates: parsed once, kept with their exact bytes.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ops::Range;

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, UintRef};
use der::{Decode, Reader, SliceReader};
use sev_types::Product;
use x509_cert::TbsCertificate;
use x509_cert::spki::{AlgorithmIdentifierOwned, AlgorithmIdentifierRef};

use super::amd_ext::AmdExtensions;
use super::error::{SnpError, Subject};
use super::role::Role;
use crate::crypto::{CryptoProvider, HashAlg};

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// A subject public key as AMD certificates carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey {
    /// RSA (ARK, ASK, ASVK): big-endian modulus and exponent, leading zeros stripped.
    Rsa {
        /// Modulus.
        modulus: Vec<u8>,
        /// Public exponent.
        exponent: Vec<u8>,
    },
    /// ECDSA P-384 (VCEK, VLEK): uncompressed SEC1 point `04 ‖ X ‖ Y`.
    EcP384([u8; 97]),
}

/// The signature scheme of a certificate or CRL: RSASSA-PSS, MGF1 with the same hash, salt =
/// hash length (the only scheme AMD uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PssScheme {
    /// The hash (SHA-384 for every SNP certificate).
    pub hash: HashAlg,
}

/// The parts of a signed DER object (certificate or CRL), as ranges into its bytes.
#[derive(Debug, Clone)]
pub(crate) struct SignedParts {
    /// The to-be-signed TLV, exactly as received.
    pub tbs: Range<usize>,
    /// The outer signatureAlgorithm TLV.
    pub alg: Range<usize>,
    /// The signature BIT STRING contents (whole bytes).
    pub sig: Range<usize>,
}

/// Splits `SEQUENCE { tbs, algorithm, BIT STRING }` without re-encoding anything.
pub(crate) fn split_signed(der: &[u8], what: Subject) -> Result<SignedParts, SnpError> {
    let e = |error| SnpError::der(what, error);
    let base = der.as_ptr() as usize;
    let offset = |s: &[u8]| s.as_ptr() as usize - base;
    let mut reader = SliceReader::new(der).map_err(e)?;
    let (tbs, alg, sig) = reader
        .sequence(|seq| {
            let tbs = seq.tlv_bytes()?;
            let alg = seq.tlv_bytes()?;
            let sig = BitStringRef::decode(seq)?;
            Ok::<_, der::Error>((tbs, alg, sig))
        })
        .map_err(e)?;
    reader.finish().map_err(e)?;
    let sig = sig.as_bytes().ok_or(SnpError::Unexpected {
        what,
        field: "signature",
        expected: "a whole number of bytes",
        found: "unused bits".to_string(),
    })?;
    let range = |s: &[u8]| offset(s)..offset(s) + s.len();
    Ok(SignedParts {
        tbs: range(tbs),
        alg: range(alg),
        sig: range(sig),
    })
}

#[derive(der::Sequence)]
struct PssParams<'a> {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

fn hash_of(alg: &AlgorithmIdentifierRef<'_>) -> Option<HashAlg> {
    if alg.parameters.is_some_and(|p| !p.is_null()) {
        return None;
    }
    match alg.oid {
        SHA384 => Some(HashAlg::Sha384),
        SHA256 => Some(HashAlg::Sha256),
        _ => None,
    }
}

/// Decodes an AlgorithmIdentifier TLV that must be RSASSA-PSS with MGF1 on the same hash and a
/// salt as long as the hash.
pub(crate) fn parse_pss(alg_tlv: &[u8], what: Subject) -> Result<PssScheme, SnpError> {
    let unexpected = |found: String| SnpError::Unexpected {
        what,
        field: "signatureAlgorithm",
        expected: "RSASSA-PSS with SHA-384 (or SHA-256), MGF1 with the same hash, salt = hash length",
        found,
    };
    let alg = AlgorithmIdentifierRef::from_der(alg_tlv).map_err(|e| SnpError::der(what, e))?;
    if alg.oid != RSASSA_PSS {
        return Err(unexpected(alg.oid.to_string()));
    }
    let params: PssParams<'_> = alg
        .parameters
        .ok_or_else(|| unexpected("RSASSA-PSS without parameters".to_string()))?
        .decode_as()
        .map_err(|e| SnpError::der(what, e))?;
    let hash = params
        .hash
        .as_ref()
        .and_then(hash_of)
        .ok_or_else(|| unexpected("PSS hash".to_string()))?;
    let mgf = params
        .mask_gen
        .ok_or_else(|| unexpected("PSS with default MGF".to_string()))?;
    let mgf_hash: Option<AlgorithmIdentifierRef<'_>> = mgf.parameters.and_then(|p: AnyRef<'_>| p.decode_as().ok());
    if mgf.oid != MGF1 || mgf_hash.as_ref().and_then(hash_of) != Some(hash) {
        return Err(unexpected("PSS mask generation".to_string()));
    }
    if params.salt_len != Some(hash.len() as u32) {
        return Err(unexpected(alloc::format!("PSS salt length {:?}", params.salt_len)));
    }
    if params.trailer.is_some_and(|t| t != 1) {
        return Err(unexpected("PSS trailer field".to_string()));
    }
    Ok(PssScheme { hash })
}

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
    /// Parses a DER certificate and decides its role from its contents.
    ///
    /// Fails on anything AMD never issues: non-PSS signatures, keys other than RSA (CAs) and
    /// P-384 (VCEK/VLEK), unknown critical extensions, duplicate extensions, names that match no
    /// role, a VCEK/VLEK productName that contradicts its issuer.
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
        let unknown = Subject::Certificate(Role::Unknown);
        let parts = split_signed(der, unknown)?;
        let tbs = TbsCertificate::from_der(&der[parts.tbs.clone()]).map_err(|e| SnpError::der(unknown, e))?;
        let outer_alg =
            AlgorithmIdentifierOwned::from_der(&der[parts.alg.clone()]).map_err(|e| SnpError::der(unknown, e))?;
        if &outer_alg != tbs.signature() {
            return Err(SnpError::Unexpected {
                what: unknown,
                field: "signatureAlgorithm",
                expected: "the same algorithm as the TBS signature field",
                found: outer_alg.oid.to_string(),
            });
        }
        let scheme = parse_pss(&der[parts.alg.clone()], unknown)?;
        let subject_cn = common_name(tbs.subject(), "subject")?;
        let issuer_cn = common_name(tbs.issuer(), "issuer")?;
        let key = parse_key(tbs.subject_public_key_info())?;
        let (role, product) = classify(&subject_cn, &issuer_cn, &key, tbs.subject() == tbs.issuer())?;
        let extensions: &[x509_cert::ext::Extension] = tbs.extensions().map_or(&[], |v| v.as_slice());
        for ext in extensions {
            if ext.critical && ext.extn_id != KEY_USAGE && ext.extn_id != BASIC_CONSTRAINTS {
                return Err(SnpError::Unexpected {
                    what: Subject::Certificate(role),
                    field: "critical extension",
                    expected: "only keyUsage and basicConstraints",
                    found: ext.extn_id.to_string(),
                });
            }
        }
        let amd = AmdExtensions::parse(extensions, role)?;
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

/// RSA-PSS verification of `msg`/`sig` under `signer`'s RSA key.
pub(crate) fn verify_pss(
    provider: &CryptoProvider,
    signer: &AmdCert,
    scheme: PssScheme,
    msg: &[u8],
    sig: &[u8],
    what: Subject,
) -> Result<(), SnpError> {
    let PublicKey::Rsa { modulus, exponent } = &signer.key else {
        return Err(SnpError::Signature {
            what,
            signer: signer.role,
        });
    };
    provider
        .rsa_pss
        .verify(modulus, exponent, scheme.hash, msg, sig)
        .map_err(|_| SnpError::Signature {
            what,
            signer: signer.role,
        })
}

pub(crate) fn common_name(name: &x509_cert::name::Name, field: &'static str) -> Result<String, SnpError> {
    let what = Subject::Certificate(Role::Unknown);
    let mut cns = name.iter().filter(|atv| atv.oid == der::oid::db::rfc4519::COMMON_NAME);
    let first = cns.next().ok_or(SnpError::Unexpected {
        what,
        field,
        expected: "exactly one common name",
        found: "none".to_string(),
    })?;
    if cns.next().is_some() {
        return Err(SnpError::Unexpected {
            what,
            field,
            expected: "exactly one common name",
            found: "several".to_string(),
        });
    }
    let s = x509_cert::ext::pkix::name::DirectoryString::try_from(&first.value).map_err(|e| SnpError::der(what, e))?;
    Ok(s.value().into_owned())
}

fn parse_key(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Result<PublicKey, SnpError> {
    let what = Subject::Certificate(Role::Unknown);
    let bits = spki.subject_public_key.as_bytes().ok_or(SnpError::Unexpected {
        what,
        field: "subjectPublicKey",
        expected: "whole bytes",
        found: "unused bits".to_string(),
    })?;
    let alg = &spki.algorithm;
    if alg.oid == RSA_ENCRYPTION {
        let (modulus, exponent) = SliceReader::new(bits)
            .and_then(|mut r| {
                let v = r.sequence(|seq| Ok::<_, der::Error>((UintRef::decode(seq)?, UintRef::decode(seq)?)))?;
                r.finish()?;
                Ok(v)
            })
            .map_err(|e| SnpError::der(what, e))?;
        return Ok(PublicKey::Rsa {
            modulus: modulus.as_bytes().to_vec(),
            exponent: exponent.as_bytes().to_vec(),
        });
    }
    if alg.oid == EC_PUBLIC_KEY {
        let curve = alg
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(SECP384R1) {
            return Err(SnpError::Unexpected {
                what,
                field: "EC curve",
                expected: "secp384r1",
                found: curve.map_or_else(|| "absent".to_string(), |c| c.to_string()),
            });
        }
        let point: [u8; 97] = bits.try_into().map_err(|_| SnpError::Unexpected {
            what,
            field: "EC public key",
            expected: "uncompressed P-384 point (97 bytes)",
            found: alloc::format!("{} bytes", bits.len()),
        })?;
        if point[0] != 0x04 {
            return Err(SnpError::Unexpected {
                what,
                field: "EC public key",
                expected: "uncompressed point (04)",
                found: alloc::format!("{:02x}", point[0]),
            });
        }
        return Ok(PublicKey::EcP384(point));
    }
    Err(SnpError::Unexpected {
        what,
        field: "subjectPublicKeyInfo algorithm",
        expected: "rsaEncryption or id-ecPublicKey",
        found: alg.oid.to_string(),
    })
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
