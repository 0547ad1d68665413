//! AMD SEV and SEV-SNP on the host: platform management and guest launch.
//!
//! * [`platform`]: `/dev/sev` commands with typed results ([`Platform`]): SEV status, PEK/PDH
//!   management, certificate export and chain verification, platform ownership with an
//!   [`OcaKey`](platform::OcaKey), and the SNP commands (status with decoded TCBs, commit,
//!   configuration, VLEK load).
//! * [`launch`]: typestate launchers that own their KVM VM device —
//!   [`SevLauncher`](launch::SevLauncher) for SEV and SEV-ES, [`SnpLauncher`](launch::SnpLauncher)
//!   for SNP — and [`launch::ovmf::OvmfLaunch`], QEMU's launch sequence for an OVMF guest.
//! * [`cpuinfo`]: what `/proc/cpuinfo` says about the processor (vendor, product, SEV flags).
//! * [`real`]: the real devices — `/dev/sev` as a [`Platform`], and SEV, SEV-ES and SNP VMs on
//!   `/dev/kvm` for the launchers.
//!
//! Everything above [`real`] is written against the `sev_sys::seam` traits, so it runs against
//! hardware or against the simulator in `sev-sim` unchanged. Every failure is a [`HostError`]
//! that keeps the errno and the firmware status of a device error.
//!
//! Launching an OVMF guest on the simulator and checking the launch digest against
//! `sev-measure`'s independent prediction:
//!
//! ```
//! use sev_host::launch::ovmf::OvmfLaunch;
//! use sev_host::launch::{SnpFinish, SnpInit, SnpStart};
//! use sev_measure::ovmf::Ovmf;
//! use sev_measure::snp::{SnpInput, snp_launch_digest};
//! use sev_sim::host::{HostConfig, SimHost};
//! use sev_types::Product;
//!
//! let image = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"))?;
//! let ovmf = Ovmf::parse(&image)?;
//! let host = SimHost::new(HostConfig::new(Product::Genoa));
//!
//! // QEMU's launch: firmware, metadata sections, 4 vCPUs of EPYC-v4.
//! let plan = OvmfLaunch { vcpus: 4, vcpu_sig: 0x0080_0F12, ..OvmfLaunch::new(&ovmf) };
//! let launched = plan.launch_snp(host.create_snp_vm(), &SnpInit::default(), &SnpStart::default(), &SnpFinish::default())?;
//! let vm = launched.into_device();
//!
//! // The same launch predicted independently (sev-measure), and the guest's reports agree.
//! let expected = snp_launch_digest(&SnpInput { vcpus: 4, vcpu_sig: 0x0080_0F12, ..SnpInput::new(&ovmf) })?;
//! assert_eq!(vm.launch_digest(), expected);
//! assert_eq!(vm.guest()?.config().measurement, expected);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod cpuinfo;
mod error;
pub mod launch;
pub mod platform;
pub mod real;

pub use error::HostError;
pub use platform::Platform;
