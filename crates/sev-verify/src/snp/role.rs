//! Certificate roles in AMD's SNP PKI, decided from certificate contents only.

use core::fmt;

use sev_types::key_info::SigningKey;

/// The place of a certificate in an AMD SNP chain.
///
/// Roles are decided from the subject and issuer common names together with the key and
/// signature algorithms (see [`super::cert::AmdCert::role`]), never from file names or order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Role {
    /// AMD Root Key: self-signed RSA-4096, CN `ARK-<product>`.
    Ark,
    /// AMD SEV Key: signs VCEKs, CN `SEV-<product>`, issued by the ARK.
    Ask,
    /// AMD SEV VLEK Key: signs VLEKs, CN `SEV-VLEK-<product>`, issued by the ARK.
    Asvk,
    /// Versioned Chip Endorsement Key: P-384, CN `SEV-VCEK`, issued by the ASK.
    Vcek,
    /// Versioned Loaded Endorsement Key: P-384, CN `SEV-VLEK`, issued by the ASVK.
    Vlek,
    /// Not (yet) classified.
    Unknown,
}

impl Role {
    /// Upper-case name (`"ARK"`, `"VCEK"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Role::Ark => "ARK",
            Role::Ask => "ASK",
            Role::Asvk => "ASVK",
            Role::Vcek => "VCEK",
            Role::Vlek => "VLEK",
            Role::Unknown => "unknown",
        }
    }

    /// Whether this is an endorsement key that signs reports (VCEK or VLEK).
    pub const fn is_leaf(self) -> bool {
        matches!(self, Role::Vcek | Role::Vlek)
    }

    /// The endorsement key this role is, if it is a leaf (VCEK or VLEK).
    pub const fn endorsement(self) -> Option<Endorsement> {
        match self {
            Role::Vcek => Some(Endorsement::Vcek),
            Role::Vlek => Some(Endorsement::Vlek),
            _ => None,
        }
    }
}

/// The two kinds of endorsement key that sign attestation reports: the chip's VCEK or a
/// provider's VLEK.
///
/// It names the leaf of a chain ([`Role::Vcek`] or [`Role::Vlek`]), the KEY_INFO.SIGNING_KEY of a
/// report that carries a signature, and the KDS key path (`/vcek/v1/...`, `/vlek/v1/...`), so
/// nothing that must be a leaf can be given a role that cannot.
///
/// ```
/// use sev_verify::snp::{Endorsement, Role};
/// use sev_types::key_info::SigningKey;
/// assert_eq!(Endorsement::from_signing_key(SigningKey::Vlek), Some(Endorsement::Vlek));
/// assert_eq!(Endorsement::from_signing_key(SigningKey::None), None);
/// assert_eq!(Role::from(Endorsement::Vcek), Role::Vcek);
/// assert_eq!(Endorsement::Vlek.intermediate(), Role::Asvk);
/// assert_eq!(Endorsement::Vcek.path(), "vcek");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endorsement {
    /// Versioned Chip Endorsement Key: ARK → ASK → VCEK.
    Vcek,
    /// Versioned Loaded Endorsement Key: ARK → ASVK → VLEK.
    Vlek,
}

impl Endorsement {
    /// The endorsement key a report's SIGNING_KEY names (`None` for "not signed" and reserved
    /// values).
    pub const fn from_signing_key(key: SigningKey) -> Option<Self> {
        match key {
            SigningKey::Vcek => Some(Endorsement::Vcek),
            SigningKey::Vlek => Some(Endorsement::Vlek),
            _ => None,
        }
    }

    /// The report field value for this key.
    pub const fn signing_key(self) -> SigningKey {
        match self {
            Endorsement::Vcek => SigningKey::Vcek,
            Endorsement::Vlek => SigningKey::Vlek,
        }
    }

    /// The certificate role of this key.
    pub const fn role(self) -> Role {
        match self {
            Endorsement::Vcek => Role::Vcek,
            Endorsement::Vlek => Role::Vlek,
        }
    }

    /// The intermediate that signs this key: ASK for a VCEK, ASVK for a VLEK.
    pub const fn intermediate(self) -> Role {
        match self {
            Endorsement::Vcek => Role::Ask,
            Endorsement::Vlek => Role::Asvk,
        }
    }

    /// The KDS path segment: `vcek` or `vlek`.
    pub const fn path(self) -> &'static str {
        match self {
            Endorsement::Vcek => "vcek",
            Endorsement::Vlek => "vlek",
        }
    }
}

impl From<Endorsement> for Role {
    fn from(e: Endorsement) -> Role {
        e.role()
    }
}

impl From<Endorsement> for SigningKey {
    fn from(e: Endorsement) -> SigningKey {
        e.signing_key()
    }
}

impl fmt::Display for Endorsement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.role().name())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
