//! The first processor of `/proc/cpuinfo`: vendor, family, model and flags.

use sev_types::Product;

/// What `/proc/cpuinfo` says about the first processor.
///
/// ```
/// use sev_host::cpuinfo::CpuInfo;
/// use sev_types::Product;
/// let c = CpuInfo::parse("vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nflags\t\t: fpu sev\n");
/// assert!(c.has("sev") && !c.has("sev_snp"));
/// assert_eq!(c.product(), Some(Product::Genoa));
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CpuInfo {
    /// `vendor_id` (e.g. `AuthenticAMD`).
    pub vendor: Option<String>,
    /// `cpu family`.
    pub family: Option<u8>,
    /// `model`.
    pub model: Option<u8>,
    /// `flags`.
    pub flags: Vec<String>,
}

impl CpuInfo {
    /// Parses the text of `/proc/cpuinfo` (only the first processor block is read).
    pub fn parse(text: &str) -> Self {
        let mut info = CpuInfo::default();
        for line in text.lines() {
            if line.trim().is_empty() && info.vendor.is_some() {
                break;
            }
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "vendor_id" => info.vendor = Some(value.to_string()),
                "cpu family" => info.family = value.parse().ok(),
                "model" => info.model = value.parse().ok(),
                "flags" => info.flags = value.split_whitespace().map(str::to_string).collect(),
                _ => {}
            }
        }
        info
    }

    /// Whether the processor has `flag`.
    pub fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// The EPYC generation from family and model.
    pub fn product(&self) -> Option<Product> {
        Product::from_cpuid(self.family?, self.model?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_first_block_only() {
        let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\n\
                    flags\t\t: fpu sev sev_es\n\nprocessor\t: 1\nvendor_id\t: Other\n";
        let c = CpuInfo::parse(text);
        assert_eq!(c.vendor.as_deref(), Some("AuthenticAMD"));
        assert_eq!((c.family, c.model), (Some(25), Some(17)));
        assert!(c.has("sev_es") && !c.has("sev_snp"));
        // Family 0x19 model 0x11 is Genoa in AMD's product table.
        assert_eq!(c.product(), Some(Product::Genoa));
    }
}
