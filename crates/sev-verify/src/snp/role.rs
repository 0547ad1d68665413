//! Certificate roles in AMD's SNP PKI, decided from certificate contents only.

use core::fmt;

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

    /// The intermediate that signs this leaf (ASK for VCEK, ASVK for VLEK).
    pub const fn intermediate_for(self) -> Option<Role> {
        match self {
            Role::Vcek => Some(Role::Ask),
            Role::Vlek => Some(Role::Asvk),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
