//! Expected launch measurements for AMD SEV, SEV-ES and SEV-SNP guests, and SNP ID blocks.
//!
//! Given the same inputs as the hypervisor (an OVMF image, optionally a kernel, initrd and
//! command line, the vCPU count and type, the VMM), this crate predicts the launch digest the
//! AMD secure processor will compute, bit for bit as `sev-snp-measure` and virtee/sev do.
//!
//! * [`ovmf`]: the OVMF footer GUID table and SEV metadata (total: errors, never panics).
//! * [`hashes`]: the kernel/initrd/cmdline hashes table that QEMU places in guest memory.
//! * [`vcpu`] and [`vmsa`]: initial vCPU state per VMM profile (QEMU, EC2, GCE, KRUN).
//! * [`gctx`]: the page-by-page SNP launch-digest builder ([`Gctx`]); its digest is readable
//!   after every page and it can record an explain log.
//! * [`snp`], [`sev`]: the high-level digests (`snp`, `snp:ovmf-hash`, `snp:svsm`, `seves`, `sev`).
//! * [`idblock`]: ID block and ID authentication block: build, sign (ECDSA P-384), verify, key digests.
//! * [`explain`]: page-by-page logs, their text/JSON form and diffs.
//! * `files` (feature `std`): file input; kernel and initrd are hashed by streaming.
//!
//! ```
//! use sev_measure::{ovmf::Ovmf, snp::{SnpInput, snp_launch_digest}, vmsa::VmmType, vcpu::VcpuType};
//! # let image = include_bytes!("../../../fixtures/measurement/ovmf_AmdSev_suffix.bin");
//! let ovmf = Ovmf::parse(image)?;
//! let input = SnpInput {
//!     vcpus: 1,
//!     vcpu_sig: VcpuType::by_name("EPYC-v4").unwrap().signature(),
//!     guest_features: 0x1,
//!     ..SnpInput::new(&ovmf)
//! };
//! let ld = snp_launch_digest(&input)?;
//! assert_eq!(ld[..4], [0x19, 0x35, 0x8b, 0xa9]);
//! # Ok::<(), sev_measure::MeasureError>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]
#![warn(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod error;
pub mod explain;
#[cfg(feature = "std")]
pub mod files;
pub mod gctx;
pub mod hashes;
pub mod idblock;
pub mod ovmf;
mod par;
pub mod sev;
pub mod snp;
pub mod vcpu;
pub mod vmsa;

pub use error::{MeasureError, OvmfError};
pub use gctx::{Gctx, PageType};
pub use sev_types;

/// A 48-byte SNP launch digest (SHA-384).
pub type SnpDigest = [u8; 48];
/// A 32-byte SEV / SEV-ES launch digest (SHA-256).
pub type SevDigest = [u8; 32];

/// Size of a guest page.
pub const PAGE_SIZE: usize = 4096;
