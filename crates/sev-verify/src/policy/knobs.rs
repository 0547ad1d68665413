//! The groups of knobs that make up a [`super::Policy`].

use core::fmt;
use core::str::FromStr;

use sev_types::Product;

/// A `major.minor` version: SNP firmware (`1.55`) or the guest policy's ABI floor.
///
/// Serializes as the string `"1.55"`; the minor number is decimal, as AMD prints it.
///
/// ```
/// use sev_verify::policy::Version;
/// let v: Version = "1.55".parse()?;
/// assert_eq!(v, Version { major: 1, minor: 55 });
/// assert!(v > Version { major: 1, minor: 9 });
/// assert_eq!(v.to_string(), "1.55");
/// # Ok::<(), sev_verify::policy::BadVersion>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Version {
    /// Major number.
    pub major: u8,
    /// Minor number.
    pub minor: u8,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A string that is not `major.minor` with both numbers in 0..=255.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a version: expected MAJOR.MINOR with numbers 0..=255, such as 1.55")]
pub struct BadVersion;

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, BadVersion> {
        let (major, minor) = s.split_once('.').ok_or(BadVersion)?;
        let num = |t: &str| {
            if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadVersion);
            }
            t.parse::<u8>().map_err(|_| BadVersion)
        };
        Ok(Version {
            major: num(major)?,
            minor: num(minor)?,
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Version;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a version string MAJOR.MINOR such as \"1.55\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Version, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

/// Per-component minimum security patch levels. A component left `None` is not checked.
///
/// The report's TCB is decoded with its own product's layout before comparing. `fmc` is
/// only compared on products whose layout has an FMC SPL (Turin and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct TcbFloor {
    /// Minimum FMC SPL (Turin and later).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub fmc: Option<u8>,
    /// Minimum boot loader SPL.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub bootloader: Option<u8>,
    /// Minimum TEE SPL.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub tee: Option<u8>,
    /// Minimum SNP firmware SPL.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub snp: Option<u8>,
    /// Minimum microcode SPL.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub microcode: Option<u8>,
}

/// The guest-policy ceiling: what the guest's own POLICY word may allow and must require.
///
/// The default forbids only DEBUG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct GuestPolicyRules {
    /// Whether POLICY.DEBUG may be set (default `false`).
    pub allow_debug: bool,
    /// Whether POLICY.SMT may be set (default `true`).
    pub allow_smt: bool,
    /// Whether POLICY.MIGRATE_MA may be set (default `true`).
    pub allow_migrate_ma: bool,
    /// Whether POLICY.CXL_ALLOW may be set (default `true`).
    pub allow_cxl: bool,
    /// Require POLICY.SINGLE_SOCKET.
    pub require_single_socket: bool,
    /// Require POLICY.MEM_AES_256_XTS.
    pub require_mem_aes_256_xts: bool,
    /// Require POLICY.RAPL_DIS.
    pub require_rapl_dis: bool,
    /// Require POLICY.CIPHERTEXT_HIDING.
    pub require_ciphertext_hiding: bool,
    /// Require POLICY.PAGE_SWAP_DISABLE.
    pub require_page_swap_disable: bool,
    /// Minimum ABI version the guest policy demands of the firmware (POLICY bits 15:0).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub min_abi: Option<Version>,
}

impl Default for GuestPolicyRules {
    fn default() -> Self {
        GuestPolicyRules {
            allow_debug: false,
            allow_smt: true,
            allow_migrate_ma: true,
            allow_cxl: true,
            require_single_socket: false,
            require_mem_aes_256_xts: false,
            require_rapl_dis: false,
            require_ciphertext_hiding: false,
            require_page_swap_disable: false,
            min_abi: None,
        }
    }
}

/// Required PLATFORM_INFO bits: `Some(true)` requires the bit set, `Some(false)` requires it
/// clear, `None` does not look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct PlatformRequirements {
    /// SMT_EN.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub smt: Option<bool>,
    /// TSME_EN.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub tsme: Option<bool>,
    /// ECC_EN.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub ecc: Option<bool>,
    /// RAPL_DIS.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub rapl_dis: Option<bool>,
    /// CIPHERTEXT_HIDING_EN.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub ciphertext_hiding: Option<bool>,
    /// ALIAS_CHECK_COMPLETE.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub alias_check_complete: Option<bool>,
    /// TIO_EN.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub tio: Option<bool>,
}

/// Facts about the evidence that are not in the report itself.
///
/// ```
/// use sev_verify::policy::EvidenceContext;
/// use sev_types::Product;
/// let ctx = EvidenceContext { product: Some(Product::Milan), ..Default::default() };
/// assert_eq!(ctx.vlek_csp_id, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EvidenceContext<'a> {
    /// The product, for v2 reports that carry no CPUID (used to decode TCB values).
    pub product: Option<Product>,
    /// The cspID extension of the VLEK that signed the report, when it was a VLEK.
    pub vlek_csp_id: Option<&'a str>,
}
