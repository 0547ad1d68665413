//! X.509 pieces shared by AMD certificates and CRLs: the signed envelope, AMD's RSASSA-PSS
//! parameters, names, subject public keys, and the basicConstraints/keyUsage extensions.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ops::Range;

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, UintRef};
use der::{Decode, Reader, SliceReader};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::spki::AlgorithmIdentifierRef;

use super::cert::AmdCert;
use super::error::{SnpError, Subject};
use super::role::Role;
use super::strict::Relaxations;
use crate::crypto::{CryptoProvider, HashAlg};

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
pub(crate) const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
pub(crate) const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// The PSS parameters AMD signs with.
const AMD_PSS: &str = "RSASSA-PSS with hash SHA-384, MGF1 with SHA-384, salt length 48, trailer 1";
/// The PSS parameters accepted under [`Relaxations::pss_parameters`].
const RELAXED_PSS: &str = "RSASSA-PSS with hash SHA-384, MGF1 with SHA-384, salt length 48, \
                           or hash SHA-256, MGF1 with SHA-256, salt length 32; trailer 1";

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
/// hash length.
///
/// AMD signs only with SHA-384; SHA-256 appears here only when
/// [`Relaxations::pss_parameters`] let it through.
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

/// A digest AlgorithmIdentifier: the hash, if it is one this crate verifies with (parameters
/// absent or NULL), and its name for messages.
fn digest(alg: Option<&AlgorithmIdentifierRef<'_>>) -> (Option<HashAlg>, String) {
    let Some(alg) = alg else {
        return (None, "SHA-1 (default)".to_string());
    };
    let (hash, name) = match alg.oid {
        SHA384 => (Some(HashAlg::Sha384), "SHA-384"),
        SHA256 => (Some(HashAlg::Sha256), "SHA-256"),
        SHA1 => (None, "SHA-1"),
        SHA512 => (None, "SHA-512"),
        other => return (None, other.to_string()),
    };
    if alg.parameters.is_some_and(|p| !p.is_null()) {
        return (None, format!("{name} with parameters"));
    }
    (hash, name.to_string())
}

/// Decodes an AlgorithmIdentifier TLV that must be RSASSA-PSS with the parameters AMD uses:
/// SHA-384, MGF1 with SHA-384, salt length 48, trailer 1 (absent or explicit). With
/// [`Relaxations::pss_parameters`], SHA-256 with MGF1-SHA-256 and salt length 32 is accepted too.
pub(crate) fn parse_pss(alg_tlv: &[u8], what: Subject, relax: &Relaxations) -> Result<PssScheme, SnpError> {
    let expected = if relax.pss_parameters { RELAXED_PSS } else { AMD_PSS };
    let unexpected = |found: String| SnpError::Unexpected {
        what,
        field: "signatureAlgorithm",
        expected,
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
    let (hash, hash_name) = digest(params.hash.as_ref());
    let (mgf_hash, mgf_name) = match &params.mask_gen {
        None => (None, "MGF1 with SHA-1 (default)".to_string()),
        Some(mgf) if mgf.oid != MGF1 => (None, format!("mask generation {}", mgf.oid)),
        Some(mgf) => match mgf
            .parameters
            .map(|p: AnyRef<'_>| p.decode_as::<AlgorithmIdentifierRef<'_>>())
        {
            Some(Ok(inner)) => {
                let (h, name) = digest(Some(&inner));
                (h, format!("MGF1 with {name}"))
            }
            _ => (None, "MGF1 without a hash AlgorithmIdentifier".to_string()),
        },
    };
    let salt = params.salt_len.unwrap_or(20);
    let trailer = params.trailer.unwrap_or(1);
    let accepted = match (hash, mgf_hash, salt, trailer) {
        (Some(HashAlg::Sha384), Some(HashAlg::Sha384), 48, 1) => true,
        (Some(HashAlg::Sha256), Some(HashAlg::Sha256), 32, 1) => relax.pss_parameters,
        _ => false,
    };
    match hash {
        Some(hash) if accepted => Ok(PssScheme { hash }),
        _ => Err(unexpected(format!(
            "RSASSA-PSS with hash {hash_name}, {mgf_name}, salt length {salt}, trailer {trailer}"
        ))),
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
    let PublicKey::Rsa { modulus, exponent } = signer.public_key() else {
        return Err(SnpError::Signature {
            what,
            signer: signer.role(),
        });
    };
    provider
        .rsa_pss
        .verify(modulus, exponent, scheme.hash, msg, sig)
        .map_err(|_| SnpError::Signature {
            what,
            signer: signer.role(),
        })
}

/// The single common name of `name`; `field` names it in errors.
pub(crate) fn common_name(
    name: &x509_cert::name::Name,
    what: Subject,
    field: &'static str,
) -> Result<String, SnpError> {
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

/// The subject public key: RSA, or an uncompressed point on P-384.
pub(crate) fn parse_key(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Result<PublicKey, SnpError> {
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
            found: format!("{} bytes", bits.len()),
        })?;
        if point[0] != 0x04 {
            return Err(SnpError::Unexpected {
                what,
                field: "EC public key",
                expected: "uncompressed point (04)",
                found: format!("{:02x}", point[0]),
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

/// basicConstraints and keyUsage of a certificate, decoded (`None`: absent).
#[derive(Debug, Clone, Default)]
pub(crate) struct CaExtensions {
    /// basicConstraints.
    pub basic_constraints: Option<BasicConstraints>,
    /// keyUsage.
    pub key_usage: Option<KeyUsage>,
}

/// Decodes basicConstraints and keyUsage out of `extensions` (each at most once, which
/// [`super::amd_ext::AmdExtensions::parse`] has already enforced). A value that is not DER of
/// its type is a [`SnpError::BadExtension`] against `role`.
pub(crate) fn ca_extensions(extensions: &[Extension], role: Role) -> Result<CaExtensions, SnpError> {
    let mut out = CaExtensions::default();
    for ext in extensions {
        let value = ext.extn_value.as_bytes();
        if ext.extn_id == BASIC_CONSTRAINTS {
            out.basic_constraints = Some(BasicConstraints::from_der(value).map_err(|_| SnpError::BadExtension {
                role,
                name: "basicConstraints",
                reason: "not a DER BasicConstraints",
            })?);
        } else if ext.extn_id == KEY_USAGE {
            out.key_usage = Some(KeyUsage::from_der(value).map_err(|_| SnpError::BadExtension {
                role,
                name: "keyUsage",
                reason: "not a DER KeyUsage BIT STRING",
            })?);
        }
    }
    Ok(out)
}
