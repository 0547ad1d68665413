//! Legacy SEV / SEV-ES (pre-SNP): certificate chains, the guest owner's session, and the
//! PEK-signed attestation report.
//!
//! * Chains: [`verify_ark`], [`verify_ask`], [`verify_signed_by`], [`detect_generation`],
//!   [`verify_platform`] (against the built-in ASKs of every [`Generation`]),
//!   [`verify_platform_with`] (a supplied ASK under a built-in ARK; [`builtin_root`]).
//! * Loose inputs: [`split_certificates`] recognises SEV- and AMD-format certificates by content
//!   (single files and the concatenations platforms export), [`CertSet`] gathers them and
//!   verifies as far as they reach.
//! * Session: [`GuestOwnerSession`] (ECDH with the PDH, KDF, TEK/TIK wrapping, LAUNCH_START
//!   buffer, measurement check, LAUNCH_SECRET packets), [`EfiSecretTable`].
//! * Report: [`verify_attestation_report`].
//!
//! Formats and formulas: `sev-legacy.md` §3, §4, §6. The byte views come from
//! [`sev_types::legacy`] and [`sev_types::launch::sev`]; signatures are checked over the bytes
//! received.
//!
//! ```
//! # #[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))] {
//! use sev_verify::{crypto::default_provider, legacy::{Generation, verify_platform}};
//! use sev_verify::sev_types::legacy::{PlatformChain, SevCertificate};
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/sev-legacy/milan/platform/");
//! let read = |f: &str| std::fs::read(format!("{dir}{f}")).unwrap();
//! let (pdh, pek, oca, cek) = (read("pdh.cert"), read("pek.cert"), read("oca.cert"), read("cek.cert"));
//! let chain = PlatformChain {
//!     pek: SevCertificate::from_bytes(&pek)?,
//!     oca: SevCertificate::from_bytes(&oca)?,
//!     cek: SevCertificate::from_bytes(&cek)?,
//! };
//! let generation = verify_platform(&default_provider(), &SevCertificate::from_bytes(&pdh)?, &chain)?;
//! assert_eq!(generation, Generation::Milan);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builtin;
mod chain;
mod collect;
mod error;
mod kdf;
mod report;
mod secret_table;
mod session;

pub use builtin::Generation;
pub use chain::{
    Signer, builtin_root, detect_generation, verify_amd_chain, verify_ark, verify_ask, verify_cek, verify_platform,
    verify_platform_links, verify_platform_with, verify_signed_by,
};
pub use collect::{CertSet, LegacyCert, LegacyRoot, VerifiedLegacyChain, split_certificates};
pub use error::{LegacyError, Link, LinkFailure};
pub use kdf::{
    LABEL_KEK, LABEL_KIK, LABEL_MASTER_SECRET, PlatformVersion, kdf, kek, kik, launch_measure, master_secret,
    policy_mac,
};
pub use report::verify_attestation_report;
pub use secret_table::{DISK_PASSPHRASE_GUID, EfiSecretTable, SECRET_TABLE_GUID};
pub use session::{GuestOwnerSession, LaunchSecret, LaunchStartMaterial};
