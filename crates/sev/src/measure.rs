//! Expected launch digests and SNP ID blocks (`sev-measure`).
//!
//! Shared: OVMF parsing ([`ovmf`]), the kernel hashes table ([`hashes`]), vCPU types and VMSAs
//! ([`vcpu`], [`vmsa`]) and explain logs ([`explain`]); with `std`, file input (`files`).
//! Feature `snp` adds the SNP digest (`snp`, `gctx`) and ID blocks (`idblock`); feature
//! `sev` adds the SEV and SEV-ES digests (`sev`).

pub use sev_measure::{MeasureError, OvmfError, PAGE_SIZE};
pub use sev_measure::{explain, hashes, ovmf, vcpu, vmsa};

#[cfg(feature = "std")]
pub use sev_measure::files;
#[cfg(feature = "snp")]
pub use sev_measure::{Gctx, PageType, SnpDigest, gctx, idblock, snp};
#[cfg(feature = "sev")]
pub use sev_measure::{SevDigest, sev};
