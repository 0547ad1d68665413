//! TEST ONLY: a fake AMD SEV-SNP PKI.
//!
//! Issues ARK, ASK, ASVK, VCEK and VLEK certificates shaped like AMD's (names, RSA-PSS SHA-384
//! signatures, the KDS extensions of OID arc `1.3.6.1.4.1.3704.1`) from the **test keys**
//! committed under this crate's `keys/` (compiled in with `include_str!`), and issues CRLs.
//! Every field of every object can be overridden, so that each verification rule can be shown
//! to fail.
//!
//! **These are TEST keys. Their private halves are public: never trust anything signed by
//! them.** AMD's real roots (and so every correct verifier) reject all of it.
//!
//! ```
//! use sev_sim::pki::{FakePki, LeafKey, TEST_TIME};
//! use sev_sim::report_spec::ReportSpec;
//! use sev_types::Product;
//! let pki = FakePki::new(Product::Milan);
//! let key = LeafKey::vcek_a();
//! let spec = ReportSpec::new(Product::Milan);
//! let vcek = pki.issue(&pki.vcek_spec(&key, &spec.chip_id, spec.reported_tcb));
//! let report = spec.signed(&key);
//! assert_eq!(report.len(), 0x4A0);
//! assert_eq!(vcek[0], 0x30);
//! assert!(TEST_TIME > 1_700_000_000);
//! ```
pub mod der_build;
mod keys;

use std::sync::OnceLock;

use der_build::{
    SHA256, amd_name, amd_pss_alg, basic_constraints, bits, bool_true, ctx, ia5, int_raw, key_usage, octets, oid,
    pss_alg, seq, time, uint, uint_content,
};
pub use keys::LeafKey;
use rsa::PrivateKey;
use rsa::pkcs8::EncodePublicKey;
use sev_types::Product;
use sev_types::tcb::{TcbLayout, TcbVersion};

/// 2025-12-01T00:00:00Z: inside the validity of every fake certificate and every real fixture
/// certificate (per `openssl x509 -dates` on the fixtures).
pub const TEST_TIME: u64 = 1_764_547_200;
/// One day in seconds.
pub const DAY: u64 = 86_400;

/// Which RSA key signs a certificate or CRL.
#[derive(Clone)]
pub enum Signer {
    /// This PKI's ARK.
    Ark,
    /// This PKI's ASK.
    Ask,
    /// This PKI's ASVK.
    Asvk,
    /// Any other RSA key (for example another product's).
    Key(Box<PrivateKey>),
}

/// One X.509 extension, encoded as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ext {
    /// Dotted OID.
    pub oid: String,
    /// The critical flag (written only when true).
    pub critical: bool,
    /// The extnValue OCTET STRING contents.
    pub value: Vec<u8>,
}

impl Ext {
    /// A non-critical extension.
    pub fn new(oid: &str, value: Vec<u8>) -> Self {
        Ext {
            oid: oid.to_string(),
            critical: false,
            value,
        }
    }

    /// A critical extension.
    pub fn critical(oid: &str, value: Vec<u8>) -> Self {
        Ext {
            critical: true,
            ..Ext::new(oid, value)
        }
    }

    /// The DER `Extension` SEQUENCE.
    fn encode(&self) -> Vec<u8> {
        let crit = if self.critical { bool_true() } else { Vec::new() };
        seq(&[&oid(&self.oid), &crit, &octets(&self.value)])
    }
}

/// The standard X.509 extension OIDs the fake PKI writes or tests need.
pub mod x509_oid {
    /// keyUsage.
    pub const KEY_USAGE: &str = "2.5.29.15";
    /// basicConstraints.
    pub const BASIC_CONSTRAINTS: &str = "2.5.29.19";
    /// cRLNumber (a CRL extension).
    pub const CRL_NUMBER: &str = "2.5.29.20";
    /// reasonCode (a CRL entry extension).
    pub const REASON_CODE: &str = "2.5.29.21";
    /// deltaCRLIndicator (a CRL extension, always critical).
    pub const DELTA_CRL_INDICATOR: &str = "2.5.29.27";
    /// issuingDistributionPoint (a CRL extension, critical).
    pub const ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
    /// certificateIssuer (a CRL entry extension, always critical).
    pub const CERTIFICATE_ISSUER: &str = "2.5.29.29";
}

/// KeyUsage bit numbers (RFC 5280 §4.2.1.3), for [`der_build::key_usage`].
pub mod key_usage_bit {
    /// digitalSignature.
    pub const DIGITAL_SIGNATURE: u8 = 0;
    /// keyCertSign.
    pub const KEY_CERT_SIGN: u8 = 5;
    /// cRLSign.
    pub const CRL_SIGN: u8 = 6;
}

/// Everything that goes into a certificate. All fields are public: change any of them.
#[derive(Clone)]
pub struct CertSpec {
    /// Serial number INTEGER content bytes, written as is (`[0]` = serial 0, as VCEKs use).
    pub serial: Vec<u8>,
    /// DER AlgorithmIdentifier written in the TBS.
    pub tbs_alg: Vec<u8>,
    /// DER AlgorithmIdentifier written outside the TBS.
    pub outer_alg: Vec<u8>,
    /// Issuer CN.
    pub issuer_cn: String,
    /// Subject CN.
    pub subject_cn: String,
    /// notBefore (Unix seconds).
    pub not_before: u64,
    /// notAfter (Unix seconds).
    pub not_after: u64,
    /// DER SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    /// Extensions, in order (duplicates allowed on purpose).
    pub extensions: Vec<Ext>,
    /// The signing key.
    pub signer: Signer,
    /// Replace the signature with these bytes.
    pub signature: Option<Vec<u8>>,
}

/// How the hwID extension is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HwIdEncoding {
    /// Raw bytes, as KDS issues them.
    Raw,
    /// Wrapped in a DER OCTET STRING.
    OctetString,
}

/// The AMD extension OIDs by name.
pub mod amd_oid {
    /// structVersion.
    pub const STRUCT_VERSION: &str = "1.3.6.1.4.1.3704.1.1";
    /// productName.
    pub const PRODUCT_NAME: &str = "1.3.6.1.4.1.3704.1.2";
    /// blSPL.
    pub const BL_SPL: &str = "1.3.6.1.4.1.3704.1.3.1";
    /// teeSPL.
    pub const TEE_SPL: &str = "1.3.6.1.4.1.3704.1.3.2";
    /// snpSPL.
    pub const SNP_SPL: &str = "1.3.6.1.4.1.3704.1.3.3";
    /// spl_4.
    pub const SPL_4: &str = "1.3.6.1.4.1.3704.1.3.4";
    /// spl_5.
    pub const SPL_5: &str = "1.3.6.1.4.1.3704.1.3.5";
    /// spl_6.
    pub const SPL_6: &str = "1.3.6.1.4.1.3704.1.3.6";
    /// spl_7.
    pub const SPL_7: &str = "1.3.6.1.4.1.3704.1.3.7";
    /// ucodeSPL.
    pub const UCODE_SPL: &str = "1.3.6.1.4.1.3704.1.3.8";
    /// fmcSPL.
    pub const FMC_SPL: &str = "1.3.6.1.4.1.3704.1.3.9";
    /// hwID.
    pub const HW_ID: &str = "1.3.6.1.4.1.3704.1.4";
    /// cspID.
    pub const CSP_ID: &str = "1.3.6.1.4.1.3704.1.5";
}

/// The AMD extensions KDS puts in a VCEK (with `hwid`) or VLEK (with `csp_id`) for `product` at
/// `tcb`, in KDS order.
pub fn amd_extensions(
    product: Product,
    tcb: TcbVersion,
    hwid: Option<(&[u8], HwIdEncoding)>,
    csp_id: Option<&str>,
) -> Vec<Ext> {
    use amd_oid::*;
    let layout = product.tcb_layout().expect("SNP product");
    let b = tcb.to_le_bytes();
    let spl = |o: &str, v: u8| Ext::new(o, uint(v.into()));
    let turin = layout == TcbLayout::Turin;
    let mut v = vec![
        Ext::new(STRUCT_VERSION, uint(u64::from(turin))),
        Ext::new(PRODUCT_NAME, ia5(product.kds_name().expect("KDS product"))),
    ];
    if turin {
        v.extend([
            spl(FMC_SPL, b[0]),
            spl(BL_SPL, b[1]),
            spl(TEE_SPL, b[2]),
            spl(SNP_SPL, b[3]),
            spl(SPL_5, b[4]),
            spl(SPL_6, b[5]),
            spl(SPL_7, b[6]),
            spl(UCODE_SPL, b[7]),
        ]);
    } else {
        v.extend([
            spl(BL_SPL, b[0]),
            spl(TEE_SPL, b[1]),
            spl(SPL_4, b[2]),
            spl(SPL_5, b[3]),
            spl(SPL_6, b[4]),
            spl(SPL_7, b[5]),
            spl(SNP_SPL, b[6]),
            spl(UCODE_SPL, b[7]),
        ]);
    }
    if let Some((id, enc)) = hwid {
        let value = match enc {
            HwIdEncoding::Raw => id.to_vec(),
            HwIdEncoding::OctetString => octets(id),
        };
        v.push(Ext::new(HW_ID, value));
    }
    if let Some(csp) = csp_id {
        v.push(Ext::new(CSP_ID, ia5(csp)));
    }
    v
}

/// A CRL. All fields are public.
#[derive(Clone)]
pub struct CrlSpec {
    /// DER AlgorithmIdentifier, written both in the TBS and outside it. The signature is made
    /// with the hash it names (see [`pss_sign_as`]).
    pub alg: Vec<u8>,
    /// Issuer CN.
    pub issuer_cn: String,
    /// thisUpdate (Unix seconds).
    pub this_update: u64,
    /// nextUpdate (Unix seconds), or absent.
    pub next_update: Option<u64>,
    /// Revoked serial numbers (INTEGER content bytes).
    pub revoked: Vec<Vec<u8>>,
    /// crlEntryExtensions written in every revoked entry (omitted when empty).
    pub entry_extensions: Vec<Ext>,
    /// crlExtensions, written as `[0] EXPLICIT` at the end of the TBS (omitted when empty).
    pub extensions: Vec<Ext>,
    /// The signing key.
    pub signer: Signer,
    /// Replace the signature with these bytes.
    pub signature: Option<Vec<u8>>,
}

/// The fake PKI of one KDS product (Milan, Genoa or Turin).
pub struct FakePki {
    product: Product,
    ark: PrivateKey,
    ask: PrivateKey,
    asvk: PrivateKey,
    issued: OnceLock<[Vec<u8>; 3]>,
}

impl FakePki {
    /// The PKI for `product`'s KDS product (Bergamo/Siena → Genoa).
    pub fn new(product: Product) -> Self {
        let product = product.kds_product();
        let [ark, ask, asvk] = keys::ca_keys(product);
        FakePki {
            product,
            ark,
            ask,
            asvk,
            issued: OnceLock::new(),
        }
    }

    /// The KDS product.
    pub fn product(&self) -> Product {
        self.product
    }

    fn name(&self) -> &'static str {
        self.product.kds_name().expect("KDS product")
    }

    /// The RSA key of `signer`.
    pub fn key(&self, signer: &Signer) -> PrivateKey {
        match signer {
            Signer::Ark => self.ark.clone(),
            Signer::Ask => self.ask.clone(),
            Signer::Asvk => self.asvk.clone(),
            Signer::Key(k) => (**k).clone(),
        }
    }

    fn ca_spec(&self, subject: String, key: &PrivateKey, signer: Signer, serial: u64) -> CertSpec {
        let spki = key
            .to_public_key()
            .to_public_key_der()
            .expect("SPKI")
            .as_bytes()
            .to_vec();
        let alg = amd_pss_alg();
        // As AMD's ASK and ASVK: basicConstraints critical CA:TRUE pathlen:0, then keyUsage
        // critical keyCertSign (AMD writes that BIT STRING with one unused bit, not two).
        CertSpec {
            serial: uint_content(serial),
            tbs_alg: alg.clone(),
            outer_alg: alg,
            issuer_cn: format!("ARK-{}", self.name()),
            subject_cn: subject,
            not_before: TEST_TIME - 1000 * DAY,
            not_after: TEST_TIME + 9000 * DAY,
            spki,
            extensions: vec![
                Ext::critical(x509_oid::BASIC_CONSTRAINTS, basic_constraints(true, Some(0))),
                Ext::critical(x509_oid::KEY_USAGE, der_build::tlv(0x03, &[0x01, 0x04])),
            ],
            signer,
            signature: None,
        }
    }

    /// The ARK, self-signed; as AMD's, with keyUsage critical {keyCertSign, cRLSign} and
    /// basicConstraints critical CA:TRUE.
    pub fn ark_spec(&self) -> CertSpec {
        let mut spec = self.ca_spec(format!("ARK-{}", self.name()), &self.ark, Signer::Ark, 0x10000);
        spec.extensions = vec![
            Ext::critical(
                x509_oid::KEY_USAGE,
                key_usage(&[key_usage_bit::KEY_CERT_SIGN, key_usage_bit::CRL_SIGN]),
            ),
            Ext::critical(x509_oid::BASIC_CONSTRAINTS, basic_constraints(true, None)),
        ];
        spec
    }

    /// The ASK, signed by the ARK.
    pub fn ask_spec(&self) -> CertSpec {
        self.ca_spec(format!("SEV-{}", self.name()), &self.ask, Signer::Ark, 0x10001)
    }

    /// The ASVK, signed by the ARK.
    pub fn asvk_spec(&self) -> CertSpec {
        self.ca_spec(format!("SEV-VLEK-{}", self.name()), &self.asvk, Signer::Ark, 0x10101)
    }

    /// A VCEK for `key` on the chip `chip_id` at `tcb`, signed by the ASK (hwID raw, serial 0).
    pub fn vcek_spec(&self, key: &LeafKey, chip_id: &[u8; 64], tcb: TcbVersion) -> CertSpec {
        let hwid = &chip_id[..self.product.hwid_len()];
        let alg = amd_pss_alg();
        CertSpec {
            serial: vec![0],
            tbs_alg: alg.clone(),
            outer_alg: alg,
            issuer_cn: format!("SEV-{}", self.name()),
            subject_cn: "SEV-VCEK".into(),
            not_before: TEST_TIME - 30 * DAY,
            not_after: TEST_TIME + 7 * 365 * DAY,
            spki: der_build::ec_p384_spki(&key.public_sec1()),
            extensions: amd_extensions(self.product, tcb, Some((hwid, HwIdEncoding::Raw)), None),
            signer: Signer::Ask,
            signature: None,
        }
    }

    /// A VLEK for `key` at `tcb` issued to `csp_id`, signed by the ASVK.
    pub fn vlek_spec(&self, key: &LeafKey, tcb: TcbVersion, csp_id: &str) -> CertSpec {
        let mut spec = self.vcek_spec(key, &[0; 64], tcb);
        spec.issuer_cn = format!("SEV-VLEK-{}", self.name());
        spec.subject_cn = "SEV-VLEK".into();
        spec.extensions = amd_extensions(self.product, tcb, None, Some(csp_id));
        spec.signer = Signer::Asvk;
        spec.not_after = TEST_TIME + 365 * DAY;
        spec
    }

    /// Issues the certificate described by `spec` (DER). The signature is made with the hash
    /// `spec.tbs_alg` names (see [`pss_sign_as`]).
    pub fn issue(&self, spec: &CertSpec) -> Vec<u8> {
        let exts = extensions(&spec.extensions).map_or_else(Vec::new, |e| ctx(3, &e));
        let tbs = seq(&[
            &ctx(0, &uint(2)),
            &int_raw(&spec.serial),
            &spec.tbs_alg,
            &amd_name(&spec.issuer_cn),
            &seq(&[&time(spec.not_before), &time(spec.not_after)]),
            &amd_name(&spec.subject_cn),
            &spec.spki,
            &exts,
        ]);
        let sig = match &spec.signature {
            Some(s) => s.clone(),
            None => pss_sign_as(&spec.tbs_alg, &self.key(&spec.signer), &tbs),
        };
        seq(&[&tbs, &spec.outer_alg, &bits(&sig)])
    }

    /// The default ARK, ASK and ASVK (issued once per PKI).
    pub fn ca_certs(&self) -> &[Vec<u8>; 3] {
        self.issued.get_or_init(|| {
            [
                self.issue(&self.ark_spec()),
                self.issue(&self.ask_spec()),
                self.issue(&self.asvk_spec()),
            ]
        })
    }

    /// The default ARK.
    pub fn ark(&self) -> &[u8] {
        &self.ca_certs()[0]
    }

    /// The default ASK.
    pub fn ask(&self) -> &[u8] {
        &self.ca_certs()[1]
    }

    /// The default ASVK.
    pub fn asvk(&self) -> &[u8] {
        &self.ca_certs()[2]
    }

    /// A CRL by the ARK, current at [`TEST_TIME`], revoking nothing.
    pub fn crl_spec(&self) -> CrlSpec {
        CrlSpec {
            alg: amd_pss_alg(),
            issuer_cn: format!("ARK-{}", self.name()),
            this_update: TEST_TIME - DAY,
            next_update: Some(TEST_TIME + 30 * DAY),
            revoked: Vec::new(),
            entry_extensions: Vec::new(),
            extensions: Vec::new(),
            signer: Signer::Ark,
            signature: None,
        }
    }

    /// Issues the CRL described by `spec` (DER).
    pub fn issue_crl(&self, spec: &CrlSpec) -> Vec<u8> {
        let alg = &spec.alg;
        let entry_exts = extensions(&spec.entry_extensions).unwrap_or_default();
        let entries: Vec<Vec<u8>> = spec
            .revoked
            .iter()
            .map(|s| seq(&[&int_raw(s), &time(spec.this_update - DAY), &entry_exts]))
            .collect();
        let entry_refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let revoked = if entries.is_empty() {
            Vec::new()
        } else {
            seq(&entry_refs)
        };
        let next = spec.next_update.map(time).unwrap_or_default();
        let crl_exts = extensions(&spec.extensions).map_or_else(Vec::new, |e| ctx(0, &e));
        let tbs = seq(&[
            &uint(1),
            alg,
            &amd_name(&spec.issuer_cn),
            &time(spec.this_update),
            &next,
            &revoked,
            &crl_exts,
        ]);
        let sig = match &spec.signature {
            Some(s) => s.clone(),
            None => pss_sign_as(alg, &self.key(&spec.signer), &tbs),
        };
        seq(&[&tbs, alg, &bits(&sig)])
    }
}

/// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt 48.
pub fn pss_sign(key: &PrivateKey, msg: &[u8]) -> Vec<u8> {
    key.pss_sign::<sha2::Sha384>(msg).expect("RSA-PSS signing")
}

/// RSASSA-PSS as the AlgorithmIdentifier `alg` asks: SHA-256 with MGF1-SHA-256 and salt 32 when
/// `alg` is exactly `pss_alg(SHA256, SHA256, 32)`, otherwise AMD's SHA-384 scheme ([`pss_sign`]).
pub fn pss_sign_as(alg: &[u8], key: &PrivateKey, msg: &[u8]) -> Vec<u8> {
    if alg == pss_alg(SHA256, SHA256, 32) {
        key.pss_sign::<sha2::Sha256>(msg).expect("RSA-PSS signing")
    } else {
        pss_sign(key, msg)
    }
}

/// The `Extensions` SEQUENCE of `exts`, or `None` when there are none (the field is then
/// omitted).
fn extensions(exts: &[Ext]) -> Option<Vec<u8>> {
    if exts.is_empty() {
        return None;
    }
    let encoded: Vec<Vec<u8>> = exts.iter().map(Ext::encode).collect();
    let refs: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
    Some(seq(&refs))
}

/// A PEM block around DER.
pub fn pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).expect("PEM encodes")
}
