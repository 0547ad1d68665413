//! vCPU types and CPUID signatures (the reset value of RDX).
//!
//! ```
//! use sev_measure::vcpu::{VcpuType, cpu_sig};
//! assert_eq!(VcpuType::by_name("EPYC-Milan").unwrap().signature(), 0x00A0_0F11);
//! assert_eq!(cpu_sig(26, 0, 0), 0x00B0_0F00);
//! ```

use core::fmt;

/// The CPUID Fn0000_0001_EAX signature for a family, model and stepping.
///
/// For family > 0xF the base family is 0xF and the extended family `family - 0xF`; the model is
/// split into base (low nibble) and extended (high nibble) parts.
pub const fn cpu_sig(family: u32, model: u32, stepping: u32) -> u32 {
    let (family_low, family_high) = if family > 0xF {
        (0xF, (family - 0xF) & 0xFF)
    } else {
        (family, 0)
    };
    (family_high << 20) | (((model >> 4) & 0xF) << 16) | (family_low << 8) | ((model & 0xF) << 4) | (stepping & 0xF)
}

/// A named QEMU CPU model with its family, model and stepping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VcpuType {
    /// QEMU model name.
    pub name: &'static str,
    /// CPU family.
    pub family: u32,
    /// CPU model.
    pub model: u32,
    /// Stepping.
    pub stepping: u32,
}

const fn t(name: &'static str, family: u32, model: u32, stepping: u32) -> VcpuType {
    VcpuType {
        name,
        family,
        model,
        stepping,
    }
}

/// Every vCPU type sev-snp-measure 0.0.13 and virtee/sev 8 (snpguest) know.
pub const VCPU_TYPES: &[VcpuType] = &[
    t("EPYC", 23, 1, 2),
    t("EPYC-v1", 23, 1, 2),
    t("EPYC-v2", 23, 1, 2),
    t("EPYC-IBPB", 23, 1, 2),
    t("EPYC-v3", 23, 1, 2),
    t("EPYC-v4", 23, 1, 2),
    t("EPYC-Rome", 23, 49, 0),
    t("EPYC-Rome-v1", 23, 49, 0),
    t("EPYC-Rome-v2", 23, 49, 0),
    t("EPYC-Rome-v3", 23, 49, 0),
    t("EPYC-Milan", 25, 1, 1),
    t("EPYC-Milan-v1", 25, 1, 1),
    t("EPYC-Milan-v2", 25, 1, 1),
    t("EPYC-Genoa", 25, 17, 0),
    t("EPYC-Genoa-v1", 25, 17, 0),
    t("EPYC-Turin", 26, 0, 0),
    t("EPYC-Turin-v1", 26, 0, 0),
    t("EPYC-Turin-v2", 26, 0, 0),
];

impl VcpuType {
    /// Looks a type up by its QEMU name (exact match first, then ASCII case-insensitive).
    pub fn by_name(name: &str) -> Option<VcpuType> {
        VCPU_TYPES
            .iter()
            .find(|t| t.name == name)
            .or_else(|| VCPU_TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
            .copied()
    }

    /// The CPUID signature.
    pub const fn signature(&self) -> u32 {
        cpu_sig(self.family, self.model, self.stepping)
    }
}

impl fmt::Display for VcpuType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_spec_table() {
        let sig = |n| VcpuType::by_name(n).unwrap().signature();
        for n in ["EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4"] {
            assert_eq!(sig(n), 0x0080_0F12, "{n}");
        }
        for n in ["EPYC-Rome", "EPYC-Rome-v1", "EPYC-Rome-v2", "EPYC-Rome-v3"] {
            assert_eq!(sig(n), 0x0083_0F10, "{n}");
        }
        for n in ["EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2"] {
            assert_eq!(sig(n), 0x00A0_0F11, "{n}");
        }
        assert_eq!(sig("EPYC-Genoa"), 0x00A1_0F10);
        assert_eq!(sig("EPYC-Genoa-v1"), 0x00A1_0F10);
        assert_eq!(sig("EPYC-Turin"), 0x00B0_0F00);
        assert_eq!(sig("epyc-turin-v2"), 0x00B0_0F00);
        assert!(VcpuType::by_name("EPYC-Zen9").is_none());
        assert_eq!(cpu_sig(6, 0x55, 7), 0x0005_0657);
    }
}
