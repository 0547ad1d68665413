//! The real devices: `/dev/sev`, KVM VMs for launches, and the host's product.
//!
//! Everything else in this crate is written against the `sev_sys::seam` traits; this module is
//! the one place that names concrete `sev-sys` devices. A launcher takes the VM by value like
//! any other [`sev_sys::seam::SnpLaunchDevice`]:
//!
//! ```no_run
//! use sev_host::launch::{SnpInit, SnpLauncher};
//! let vm = sev_host::real::create_snp_vm()?;
//! let launcher = SnpLauncher::new(vm, &SnpInit::default())?;
//! # Ok::<(), sev_host::HostError>(())
//! ```

use std::path::PathBuf;

use sev_sys::kvm_ioctls::Kvm;
use sev_sys::uapi::{KVM_X86_SEV_ES_VM, KVM_X86_SEV_VM, KVM_X86_SNP_VM};
use sev_sys::{KvmHost, SevDevice, SevVm};
use sev_types::Product;

use crate::cpuinfo::CpuInfo;
use crate::error::{DeviceResultExt, HostError};
use crate::launch::SevMode;
use crate::platform::Platform;

/// Opens `/dev/kvm`: absent is [`sev_sys::Error::DeviceAbsent`], anything else keeps its errno.
fn open_kvm() -> Result<Kvm, HostError> {
    let path = PathBuf::from("/dev/kvm");
    Kvm::new()
        .map_err(|e| match e.errno() {
            libc::ENOENT => sev_sys::Error::DeviceAbsent { path },
            errno => sev_sys::Error::Open {
                path,
                source: std::io::Error::from_raw_os_error(errno),
            },
        })
        .step("open /dev/kvm")
}

/// Creates a KVM VM of `vm_type` with `/dev/sev` (KVM's SEV commands name it); the VM type is
/// checked first, so a KVM without it says so whether or not `/dev/sev` exists.
fn create_vm(vm_type: u32, step: &'static str) -> Result<SevVm, HostError> {
    let kvm = open_kvm()?;
    let supported = KvmHost::new(&kvm).supported_vm_types().step(step)?;
    if !supported.contains(vm_type) {
        let unsupported = sev_sys::Error::VmTypeUnsupported {
            vm_type,
            supported: supported.0,
        };
        return Err(unsupported).step(step);
    }
    let sev = SevDevice::open().step("open /dev/sev")?;
    SevVm::create(&kvm, vm_type, Some(sev)).step(step)
}

/// A new SNP VM (`KVM_X86_SNP_VM`) with `/dev/sev`, for a
/// [`SnpLauncher`](crate::launch::SnpLauncher). On a KVM without SNP this is a device error
/// holding [`sev_sys::Error::VmTypeUnsupported`].
pub fn create_snp_vm() -> Result<SevVm, HostError> {
    create_vm(KVM_X86_SNP_VM, "create an SNP VM")
}

/// A new SEV (`KVM_X86_SEV_VM`) or SEV-ES (`KVM_X86_SEV_ES_VM`) VM with `/dev/sev`, for a
/// [`SevLauncher`](crate::launch::SevLauncher).
pub fn create_sev_vm(mode: SevMode) -> Result<SevVm, HostError> {
    match mode {
        SevMode::Sev => create_vm(KVM_X86_SEV_VM, "create an SEV VM"),
        SevMode::Es => create_vm(KVM_X86_SEV_ES_VM, "create an SEV-ES VM"),
    }
}

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

/// The product named by the first processor of `/proc/cpuinfo` text ([`CpuInfo`]).
pub fn product_from_cpuinfo(cpuinfo: &str) -> Option<Product> {
    CpuInfo::parse(cpuinfo).product()
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
