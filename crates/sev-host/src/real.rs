//! The real devices: `/dev/sev` and the host's product.
//!
//! Everything else in this crate is written against the `sev_sys::seam` traits; this module is
//! the one place that names a concrete `sev-sys` device. (The owned KVM VM types for real
//! launches live in `sev-sys` once they exist; a launcher takes them by value like any other
//! [`sev_sys::seam::SnpLaunchDevice`].)

use sev_sys::SevDevice;
use sev_types::Product;

use crate::error::{DeviceResultExt, HostError};
use crate::platform::Platform;

/// Opens `/dev/sev` read-write as a [`Platform`].
pub fn open_platform() -> Result<Platform<SevDevice>, HostError> {
    Ok(Platform::new(SevDevice::open().step("open /dev/sev")?))
}

/// The product of this host's CPU, from the family and model in `/proc/cpuinfo`; `None` on a
/// CPU this crate does not know (or without `/proc/cpuinfo`).
pub fn host_product() -> Option<Product> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    product_from_cpuinfo(&text)
}

/// The product named by the first `cpu family` and `model` lines of `/proc/cpuinfo` text.
pub fn product_from_cpuinfo(cpuinfo: &str) -> Option<Product> {
    let field = |name: &str| {
        cpuinfo.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().parse::<u8>().ok()).flatten()
        })
    };
    Product::from_cpuid(field("cpu family")?, field("model")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpuinfo_family_and_model_name_the_product() {
        // Family 25 (0x19), model 17 (0x11): EPYC 9004 (Genoa), per the product table.
        let genoa =
            "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9654\n";
        assert_eq!(product_from_cpuinfo(genoa), Some(Product::Genoa));
        assert_eq!(product_from_cpuinfo("cpu family\t: 6\nmodel\t\t: 143\n"), None);
        assert_eq!(product_from_cpuinfo(""), None);
    }
}
