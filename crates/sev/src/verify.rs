//! Verification of AMD evidence (`sev-verify`).
//!
//! Shared: the crypto provider ([`crypto`]: one constructor per backend feature) and [`time`].
//! Feature `snp` adds SNP reports and the AMD VCEK/VLEK chain (`snp`), the relying party's
//! `policy` and KDS request building (`kds`); feature `sev` adds the legacy SEV certificate
//! chains, the SEV attestation report and the guest owner's session (`legacy`).
//!
//! `crypto::default_provider` exists when a backend feature (`aws-lc`, `ring` or
//! `rustcrypto`) is on; without one, build a [`crypto::CryptoProvider`] from your own
//! implementations.

pub use sev_verify::{crypto, time};

#[cfg(feature = "sev")]
pub use sev_verify::legacy;
#[cfg(feature = "snp")]
pub use sev_verify::{kds, policy, snp};
