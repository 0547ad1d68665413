//! Zero-copy types for the AMD SEV, SEV-ES and SEV-SNP firmware and kernel ABIs (`sev-types`).
//!
//! Shared by both generations: [`platform`], [`status`], [`product`], [`tcb`], [`ecdsa`],
//! [`guid`], [`fmt`] and the VMSA ([`launch::vmsa`]). Feature `snp` adds the attestation
//! report and its flag words, guest requests and the SNP launch buffers; feature `sev` adds the
//! legacy certificate formats and the SEV / SEV-ES launch buffers.

pub use sev_types::{Guid, ParseError, Product, Tcb, TcbVersion, U16, U32, U64};
pub use sev_types::{ecdsa, fmt, guid, platform, product, status, tcb};

#[cfg(feature = "sev")]
pub use sev_types::legacy;
#[cfg(feature = "snp")]
pub use sev_types::{guest, key_info, platform_info, policy, report};

/// Launch command buffers (`sev_types::launch`), by generation.
pub mod launch {
    pub use sev_types::launch::vmsa;

    #[cfg(feature = "sev")]
    pub use sev_types::launch::sev;
    #[cfg(feature = "snp")]
    pub use sev_types::launch::{cpuid_page, id_block, page_info, snp};
}
