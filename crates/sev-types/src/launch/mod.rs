//! Launch command buffers for SEV, SEV-ES and SEV-SNP, plus the ID block, PAGE_INFO and VMSA.
//!
//! * [`sev`]: SEV / SEV-ES (pre-SNP) launch: guest policy, LAUNCH_START, session, measurement,
//!   secret header, the PEK-signed ATTESTATION report and the KVM `KVM_SEV_*` payloads.
//! * [`snp`]: SNP page types, the SNP_LAUNCH_* firmware buffers and the KVM payloads.
//! * [`id_block`]: ID_BLOCK and ID_AUTH_INFO.
//! * [`cpuid_page`]: the SNP CPUID page.

pub mod cpuid_page;
pub mod id_block;
pub mod page_info;
pub mod sev;
mod sev_kvm;
pub mod snp;
pub mod vmsa;

#[cfg(feature = "serde")]
pub(crate) mod ser;

pub(crate) use crate::view::{assert_offsets, exact, prefix};

/// Defines a `#[non_exhaustive]` enum over a raw integer with an `Unknown(raw)` catch-all, plus
/// `from_raw`, `raw`, `name`, `From` conversions, `Display` and serde (snake_case names).
macro_rules! value_enum {
    (
        $(#[$m:meta])*
        pub enum $name:ident : $raw:ty {
            $( $(#[$vm:meta])* $var:ident = $val:literal => $label:literal, )*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $var, )*
            /// Any other value, kept verbatim.
            Unknown($raw),
        }

        impl $name {
            /// Every named value, in numeric order.
            pub const ALL: &'static [$name] = &[$($name::$var,)*];

            /// Decodes a raw value; unknown values are kept in `Unknown`.
            pub const fn from_raw(v: $raw) -> Self {
                match v {
                    $( $val => $name::$var, )*
                    v => $name::Unknown(v),
                }
            }

            /// The raw value.
            pub const fn raw(self) -> $raw {
                match self {
                    $( $name::$var => $val, )*
                    $name::Unknown(v) => v,
                }
            }

            /// The name AMD's documents use (`"unknown"` for unknown values).
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$var => $label, )*
                    $name::Unknown(_) => "unknown",
                }
            }
        }

        impl From<$raw> for $name {
            fn from(v: $raw) -> Self {
                Self::from_raw(v)
            }
        }

        impl From<$name> for $raw {
            fn from(v: $name) -> $raw {
                v.raw()
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    $name::Unknown(v) => write!(f, "unknown ({v:#x})"),
                    known => f.write_str(known.name()),
                }
            }
        }
    };
}
pub(crate) use value_enum;
