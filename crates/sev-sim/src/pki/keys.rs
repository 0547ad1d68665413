//! The committed TEST ONLY keys (the crate's `keys/*.pem`, PKCS#8). Their private halves are
//! public.

use p384::ecdsa::signature::Signer as _;
use p384::ecdsa::{Signature, SigningKey};
use p384::pkcs8::DecodePrivateKey as _;
use rsa::PrivateKey;
use sev_types::Product;

macro_rules! key {
    ($file:literal) => {
        include_str!(concat!("../../keys/", $file))
    };
}

pub(crate) fn ca_keys(product: Product) -> [PrivateKey; 3] {
    let pems = match product {
        Product::Milan => [key!("milan-ark.pem"), key!("milan-ask.pem"), key!("milan-asvk.pem")],
        Product::Genoa => [key!("genoa-ark.pem"), key!("genoa-ask.pem"), key!("genoa-asvk.pem")],
        Product::Turin => [key!("turin-ark.pem"), key!("turin-ask.pem"), key!("turin-asvk.pem")],
        other => panic!("no fake PKI for {other}"),
    };
    pems.map(|p| PrivateKey::from_pkcs8_pem(p).expect("committed test key parses"))
}

/// A P-384 endorsement key (VCEK or VLEK) from the committed test keys.
#[derive(Clone)]
pub struct LeafKey(SigningKey);

impl LeafKey {
    fn load(pem: &str) -> Self {
        LeafKey(SigningKey::from_pkcs8_pem(pem).expect("committed test key parses"))
    }

    /// VCEK key of fake chip A.
    pub fn vcek_a() -> Self {
        Self::load(key!("vcek-a.pem"))
    }

    /// VCEK key of fake chip B.
    pub fn vcek_b() -> Self {
        Self::load(key!("vcek-b.pem"))
    }

    /// A VLEK key.
    pub fn vlek_a() -> Self {
        Self::load(key!("vlek-a.pem"))
    }

    /// Another VLEK key.
    pub fn vlek_b() -> Self {
        Self::load(key!("vlek-b.pem"))
    }

    /// The public key as an uncompressed SEC1 point (97 bytes).
    pub fn public_sec1(&self) -> Vec<u8> {
        self.0.verifying_key().to_sec1_point(false).as_bytes().to_vec()
    }

    /// ECDSA P-384 with SHA-384 over `msg`: r ‖ s, big-endian.
    pub fn sign(&self, msg: &[u8]) -> [u8; 96] {
        let sig: Signature = self.0.sign(msg);
        sig.to_bytes().into()
    }
}
