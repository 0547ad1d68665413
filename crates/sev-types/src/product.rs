//! The AMD EPYC product table: one row per SEV-capable generation.
//!
//! A report's TCB layout, the KDS product name and the hwID length are all decided by the product,
//! and the product of a v3+ report is read from the report's own CPUID fields — never from the
//! machine the code happens to run on. Bergamo and Siena parts report Genoa-class CPUIDs and are
//! served by the Genoa roots, so they share one row that points at Genoa for KDS.

use core::fmt;

use crate::tcb::TcbLayout;

/// An AMD EPYC generation that supports SEV.
///
/// ```
/// use sev_types::Product;
/// assert_eq!(Product::from_cpuid(0x19, 0xA0), Some(Product::BergamoSiena));
/// assert_eq!(Product::BergamoSiena.kds_product(), Product::Genoa);
/// assert_eq!(Product::Turin.hwid_len(), 8);
/// assert_eq!("genoa".parse::<Product>(), Ok(Product::Genoa));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Product {
    /// EPYC 7001 (Zen 1): SEV only.
    Naples,
    /// EPYC 7002 (Zen 2): SEV, SEV-ES.
    Rome,
    /// EPYC 7003 (Zen 3): first SNP generation.
    Milan,
    /// EPYC 9004 (Zen 4).
    Genoa,
    /// EPYC 97x4 (Bergamo) and 8004 (Siena): Genoa-class, certified by the Genoa roots.
    BergamoSiena,
    /// EPYC 9005 (Zen 5).
    Turin,
    /// The generation after Turin (Zen 6); facts here are provisional.
    Venice,
}

/// One row of the product table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProductInfo {
    /// The product this row describes.
    pub product: Product,
    /// Display name.
    pub name: &'static str,
    /// CPUID family (base + extended).
    pub family: u8,
    /// Inclusive CPUID model ranges ((extended model << 4) | base model).
    pub models: &'static [(u8, u8)],
    /// Layout of TCB_VERSION values; `None` for generations without SNP.
    pub tcb_layout: Option<TcbLayout>,
    /// Product name in AMD KDS URLs and certificate names; `None` where KDS serves no SNP keys.
    pub kds_name: Option<&'static str>,
    /// Length of the hwID used in KDS URLs and the VCEK hwID extension (a prefix of CHIP_ID).
    pub hwid_len: usize,
}

/// The table, in generation order.
pub const PRODUCTS: &[ProductInfo] = &[
    ProductInfo {
        product: Product::Naples,
        name: "Naples",
        family: 0x17,
        models: &[(0x00, 0x0F)],
        tcb_layout: None,
        kds_name: None,
        hwid_len: 64,
    },
    ProductInfo {
        product: Product::Rome,
        name: "Rome",
        family: 0x17,
        models: &[(0x30, 0x3F)],
        tcb_layout: None,
        kds_name: None,
        hwid_len: 64,
    },
    ProductInfo {
        product: Product::Milan,
        name: "Milan",
        family: 0x19,
        models: &[(0x00, 0x0F)],
        tcb_layout: Some(TcbLayout::MilanGenoa),
        kds_name: Some("Milan"),
        hwid_len: 64,
    },
    ProductInfo {
        product: Product::Genoa,
        name: "Genoa",
        family: 0x19,
        models: &[(0x10, 0x1F)],
        tcb_layout: Some(TcbLayout::MilanGenoa),
        kds_name: Some("Genoa"),
        hwid_len: 64,
    },
    ProductInfo {
        product: Product::BergamoSiena,
        name: "Bergamo/Siena",
        family: 0x19,
        models: &[(0xA0, 0xAF)],
        tcb_layout: Some(TcbLayout::MilanGenoa),
        kds_name: Some("Genoa"),
        hwid_len: 64,
    },
    ProductInfo {
        product: Product::Turin,
        name: "Turin",
        family: 0x1A,
        models: &[(0x00, 0x11)],
        tcb_layout: Some(TcbLayout::Turin),
        kds_name: Some("Turin"),
        hwid_len: 8,
    },
    ProductInfo {
        product: Product::Venice,
        name: "Venice",
        family: 0x1A,
        models: &[(0x50, 0x57), (0x90, 0x9F), (0xA0, 0xAF), (0xC0, 0xC7)],
        tcb_layout: Some(TcbLayout::Turin),
        kds_name: Some("Venice"),
        hwid_len: 8,
    },
];

impl Product {
    /// Every product, in generation order.
    pub const ALL: [Product; 7] = [
        Product::Naples,
        Product::Rome,
        Product::Milan,
        Product::Genoa,
        Product::BergamoSiena,
        Product::Turin,
        Product::Venice,
    ];

    /// This product's row of [`PRODUCTS`].
    #[inline]
    pub fn info(self) -> &'static ProductInfo {
        // The table holds exactly one row per variant, in declaration order.
        &PRODUCTS[self as usize]
    }

    /// Finds the product from CPUID family and model (as in report fields CPUID_FAM_ID/CPUID_MOD_ID).
    #[inline]
    pub const fn from_cpuid(family: u8, model: u8) -> Option<Product> {
        // A direct match (checked against PRODUCTS by a test) keeps this on the hot path of
        // every report decode.
        match (family, model) {
            (0x17, 0x00..=0x0F) => Some(Product::Naples),
            (0x17, 0x30..=0x3F) => Some(Product::Rome),
            (0x19, 0x00..=0x0F) => Some(Product::Milan),
            (0x19, 0x10..=0x1F) => Some(Product::Genoa),
            (0x19, 0xA0..=0xAF) => Some(Product::BergamoSiena),
            (0x1A, 0x00..=0x11) => Some(Product::Turin),
            (0x1A, 0x50..=0x57 | 0x90..=0xAF | 0xC0..=0xC7) => Some(Product::Venice),
            _ => None,
        }
    }

    /// Finds the product from a raw CPUID Fn0000_0001 EAX value.
    #[inline]
    pub fn from_cpuid_1_eax(eax: u32) -> Option<Product> {
        let (family, model, _) = split_cpuid_1_eax(eax);
        Self::from_cpuid(family, model)
    }

    /// The display name.
    #[inline]
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The TCB_VERSION layout, or `None` for generations without SNP.
    #[inline]
    pub fn tcb_layout(self) -> Option<TcbLayout> {
        self.info().tcb_layout
    }

    /// The product whose KDS endpoints and AMD roots certify this one (Bergamo/Siena → Genoa).
    #[inline]
    pub fn kds_product(self) -> Product {
        match self {
            Product::BergamoSiena => Product::Genoa,
            p => p,
        }
    }

    /// The name used in KDS URLs and AMD certificate names, if KDS serves SNP keys for it.
    #[inline]
    pub fn kds_name(self) -> Option<&'static str> {
        self.info().kds_name
    }

    /// Bytes of CHIP_ID that form the hwID (64, or 8 from Turin on).
    #[inline]
    pub fn hwid_len(self) -> usize {
        self.info().hwid_len
    }

    /// Whether the generation supports SEV-SNP.
    #[inline]
    pub fn supports_snp(self) -> bool {
        self.info().tcb_layout.is_some()
    }
}

/// Splits CPUID Fn0000_0001 EAX into (family, model, stepping) the way AMD combines them.
pub const fn split_cpuid_1_eax(eax: u32) -> (u8, u8, u8) {
    let stepping = (eax & 0xF) as u8;
    let base_model = (eax >> 4) & 0xF;
    let base_family = (eax >> 8) & 0xF;
    let ext_model = (eax >> 16) & 0xF;
    let ext_family = (eax >> 20) & 0xFF;
    let family = (base_family + ext_family) as u8;
    let model = ((ext_model << 4) | base_model) as u8;
    (family, model, stepping)
}

impl fmt::Display for Product {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error returned when a string names no known product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[error("unknown product name; expected one of Naples, Rome, Milan, Genoa, Bergamo, Siena, Turin, Venice")]
pub struct UnknownProduct;

impl core::str::FromStr for Product {
    type Err = UnknownProduct;

    /// Accepts product names case-insensitively, with an optional stepping suffix as found in
    /// VCEK productName extensions (`Milan-B0`, `Genoa-B1`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let base = match s.split_once('-') {
            Some((b, step)) if is_stepping(step) => b,
            _ => s,
        };
        let p = if base.eq_ignore_ascii_case("naples") {
            Product::Naples
        } else if base.eq_ignore_ascii_case("rome") {
            Product::Rome
        } else if base.eq_ignore_ascii_case("milan") {
            Product::Milan
        } else if base.eq_ignore_ascii_case("genoa") {
            Product::Genoa
        } else if base.eq_ignore_ascii_case("bergamo")
            || base.eq_ignore_ascii_case("siena")
            || base.eq_ignore_ascii_case("bergamo/siena")
            || base.eq_ignore_ascii_case("bergamosiena")
        {
            Product::BergamoSiena
        } else if base.eq_ignore_ascii_case("turin") {
            Product::Turin
        } else if base.eq_ignore_ascii_case("venice") {
            Product::Venice
        } else {
            return Err(UnknownProduct);
        };
        Ok(p)
    }
}

fn is_stepping(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 2 && b[0].is_ascii_alphabetic() && b[1].is_ascii_digit()
}

#[cfg(feature = "serde")]
impl serde::Serialize for Product {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Product {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Product;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a product name such as \"Milan\", \"Genoa\" or \"Turin\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Product, E> {
                v.parse()
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_match_variants() {
        for (i, p) in Product::ALL.iter().enumerate() {
            assert_eq!(PRODUCTS[i].product, *p);
        }
        assert_eq!(PRODUCTS.len(), Product::ALL.len());
    }

    #[test]
    fn fast_cpuid_match_agrees_with_the_table() {
        for family in 0..=255u8 {
            for model in 0..=255u8 {
                let from_table = PRODUCTS
                    .iter()
                    .find(|p| p.family == family && p.models.iter().any(|&(lo, hi)| (lo..=hi).contains(&model)))
                    .map(|p| p.product);
                assert_eq!(Product::from_cpuid(family, model), from_table, "{family:#x} {model:#x}");
            }
        }
    }

    #[test]
    fn cpuid_ranges_follow_the_spec() {
        assert_eq!(Product::from_cpuid(0x19, 0x01), Some(Product::Milan));
        assert_eq!(Product::from_cpuid(0x19, 0x11), Some(Product::Genoa));
        assert_eq!(Product::from_cpuid(0x19, 0xA0), Some(Product::BergamoSiena));
        assert_eq!(Product::from_cpuid(0x1A, 0x02), Some(Product::Turin));
        assert_eq!(Product::from_cpuid(0x1A, 0x11), Some(Product::Turin));
        assert_eq!(Product::from_cpuid(0x1A, 0x50), Some(Product::Venice));
        assert_eq!(Product::from_cpuid(0x19, 0x20), None);
        assert_eq!(Product::from_cpuid(0, 0), None);
    }

    #[test]
    fn cpuid_1_eax_signatures_split_as_amd_documents() {
        assert_eq!(split_cpuid_1_eax(0x00A00F11), (0x19, 0x01, 1));
        assert_eq!(split_cpuid_1_eax(0x00A10F10), (0x19, 0x11, 0));
        assert_eq!(split_cpuid_1_eax(0x00B00F20), (0x1A, 0x02, 0));
        assert_eq!(Product::from_cpuid_1_eax(0x00A00F10), Some(Product::Milan));
    }

    #[test]
    fn names_parse_with_steppings() {
        assert_eq!("Milan-B0".parse(), Ok(Product::Milan));
        assert_eq!("TURIN".parse(), Ok(Product::Turin));
        assert_eq!("Siena".parse(), Ok(Product::BergamoSiena));
        assert_eq!("Milan-XX".parse::<Product>(), Err(UnknownProduct));
        assert_eq!("".parse::<Product>(), Err(UnknownProduct));
    }
}
