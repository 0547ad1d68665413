//! AMD SEV and SEV-SNP in one crate: pick the layers and generations you need with features.
//!
//! This crate re-exports the workspace's layers as modules:
//!
//! | module | layer | needs |
//! |---|---|---|
//! | [`types`] | `sev-types`: zero-copy firmware and kernel ABI types | always (no_std) |
//! | [`verify`] | `sev-verify`: reports, AMD chains, policy, legacy chains and session | always (no_std with `rustcrypto`) |
//! | [`measure`] | `sev-measure`: expected launch digests, ID blocks | always (no_std) |
//! | `sys` | `sev-sys`: raw ioctls and the device seams (Linux) | `std` |
//! | `host` | `sev-host`: platform management, typestate launchers | `std` |
//! | `guest` | `snp-guest`: reports and derived keys inside an SNP guest | `std` + `snp` |
//! | `sim` | `sev-sim`: the simulated AMD secure processor (TEST keys), for tests | `sim` |
//! | `kds` | `sev-kds`: VCEKs, chains and CRLs from AMD's KDS, cache, offline bundles | `std` + `snp` |
//!
//! # Features
//!
//! The features add up: any combination compiles.
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `snp` | yes | SEV-SNP: the report and its flag words, guest requests, SNP launch buffers; report and VCEK/VLEK chain verification, relying-party policy, KDS request building; the SNP launch digest and ID blocks; the SNP launcher; `guest` and `kds` (with `std`) |
//! | `sev` | yes | legacy SEV and SEV-ES: certificate formats, the PEK/OCA/CEK chain and the SEV attestation report, the guest owner's session and launch secret; SEV / SEV-ES launch buffers and digests; the SEV / SEV-ES launcher |
//! | `aws-lc` | yes | the aws-lc-rs crypto backend (implies `std`) |
//! | `ring` | no | the ring crypto backend (implies `std`) |
//! | `rustcrypto` | no | the pure-Rust RustCrypto backend; the only one without `std` |
//! | `std` | yes | the device layers (`sys`, `host`, `guest`), `kds` (with `snp`), file input, a process-wide crypto provider |
//! | `serde` | no | serde for policies, flag words and explain logs |
//! | `sim` | no | `sim`, the simulated secure processor (implies `std`); for tests only |
//!
//! What both generations share is always there: platform buffers, firmware status codes,
//! products and TCB versions, the VMSA, OVMF parsing, the crypto provider, the host's
//! `host::Platform` and the raw `sys` layer. `sev` and `snp` choose what this facade
//! exposes; the layer crates underneath are compiled whole.
//!
//! Each backend feature adds its constructor (`verify::crypto::aws_lc::provider()`,
//! `ring::provider()`, `rustcrypto::provider()`); `verify::crypto::default_provider()` prefers
//! aws-lc, then ring, then RustCrypto. Note: the `std` layers (`host`, `guest`, `kds`) currently
//! build `sev-verify` with its default backend, so with `std` aws-lc-rs is always compiled in and
//! is the default provider; ask for `ring::provider()` or `rustcrypto::provider()` by name.
//!
//! With `default-features = false, features = ["snp", "rustcrypto"]` the crate is `no_std`
//! (it needs `alloc`): types, verification with the RustCrypto backend and the measurement core.
//!
//! # Verify a report
//!
//! A real Milan report and its VCEK, against AMD's built-in roots:
//!
//! ```
//! # #[cfg(all(feature = "snp", any(feature = "aws-lc", feature = "ring", feature = "rustcrypto")))] {
//! use sev::types::{Product, report::Report};
//! use sev::verify::crypto::default_provider;
//! use sev::verify::policy::{EvidenceContext, Policy};
//! use sev::verify::snp::Verifier;
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/snp/milan/gosev");
//! let bytes = std::fs::read(format!("{dir}/report.bin"))?;
//! let vcek = std::fs::read(format!("{dir}/vcek.der"))?;
//! let report = Report::from_bytes(&bytes)?;
//!
//! let verifier = Verifier::builtin(default_provider());
//! let verified = verifier.verify_der(&report, &[&vcek], 1_764_547_200 /* 2025-12-01 */)?;
//! assert_eq!(verified.product(), Product::Milan);
//!
//! // A valid signature is not enough: the relying party's policy decides. This guest's policy
//! // (0xB0000) allows debugging, which the default policy refuses.
//! let ctx = EvidenceContext { product: Some(verified.product()), ..Default::default() };
//! let violations = Policy::default().validate(&report, &ctx).unwrap_err();
//! assert_eq!(violations.iter().map(|v| v.field).collect::<Vec<_>>(), ["POLICY.DEBUG"]);
//!
//! let mut tampered = bytes.clone();
//! tampered[0x50] ^= 1; // one bit of REPORT_DATA
//! assert!(verifier.verify_der(&Report::from_bytes(&tampered)?, &[&vcek], 1_764_547_200).is_err());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Compute a launch digest
//!
//! The SNP digest of an OVMF image's pages, as `sev-snp-measure` computes it for the same file:
//!
//! ```
//! # #[cfg(feature = "snp")] {
//! use sev::measure::{ovmf::Ovmf, snp::snp_ovmf_hash};
//!
//! let image = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"))?;
//! let ovmf = Ovmf::parse(&image)?;
//! let digest = snp_ovmf_hash(&ovmf)?;
//! let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
//! assert_eq!(hex, "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74");
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Get a report in a guest
//!
//! Inside a guest, `GuestClient::open()` talks to `/dev/sev-guest`; here the same client talks to
//! the simulator (`sev::sim` with the `sim` feature), and the evidence verifies under the
//! simulator's fake AMD root:
//!
//! ```
//! # #[cfg(all(feature = "snp", feature = "std", any(feature = "aws-lc", feature = "ring", feature = "rustcrypto")))] {
//! use sev::guest::{DEFAULT_VMPL, GuestClient};
//! use sev::types::Product;
//! use sev::verify::{crypto::default_provider, snp::{TrustStore, Verifier}};
//! use sev_sim::{GuestConfig, Sim, pki::TEST_TIME};
//!
//! let mut guest = GuestClient::new(Sim::new(GuestConfig::new(Product::Genoa))?);
//! let evidence = guest.ext_report(&[0x42; 64], DEFAULT_VMPL)?;
//! assert_eq!(evidence.parsed_report()?.report_data(), &[0x42; 64]);
//!
//! let pki = guest.transport().pki();
//! let provider = default_provider();
//! let store = TrustStore::pinned(&provider, &[pki.ark()], &[pki.ask(), pki.asvk()])?;
//! let verified = evidence.verify(&Verifier::new(provider, store), TEST_TIME)?;
//! assert_eq!(verified.product(), Product::Genoa);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Launch an SNP guest
//!
//! QEMU's launch of an OVMF guest with 4 vCPUs, on the simulated host; the launch digest equals
//! the independent prediction of [`measure`]:
//!
//! ```
//! # #[cfg(all(feature = "snp", feature = "std"))] {
//! use sev::host::launch::{SnpFinish, SnpInit, SnpStart, ovmf::OvmfLaunch};
//! use sev::measure::{ovmf::Ovmf, snp::{SnpInput, snp_launch_digest}};
//! use sev::types::Product;
//! use sev_sim::host::{HostConfig, SimHost};
//!
//! let image = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/measurement/ovmf_AmdSev_suffix.bin"))?;
//! let ovmf = Ovmf::parse(&image)?;
//! let host = SimHost::new(HostConfig::new(Product::Genoa));
//!
//! let plan = OvmfLaunch { vcpus: 4, vcpu_sig: 0x0080_0F12, ..OvmfLaunch::new(&ovmf) };
//! let launched = plan.launch_snp(host.create_snp_vm(), &SnpInit::default(), &SnpStart::default(), &SnpFinish::default())?;
//! let vm = launched.into_device();
//!
//! let expected = snp_launch_digest(&SnpInput { vcpus: 4, vcpu_sig: 0x0080_0F12, ..SnpInput::new(&ovmf) })?;
//! assert_eq!(vm.launch_digest(), expected);
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! On hardware, `sev::host::real` opens `/dev/sev` and creates the KVM VM instead of
//! `SimHost`; the launcher code is the same.
//!
//! Coming from the published `sev` crate? See [`migration`].
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod measure;
pub mod types;
pub mod verify;

#[cfg(feature = "std")]
pub mod host;

/// Raw Linux ioctls for `/dev/sev`, `/dev/sev-guest` and KVM, and the device seams (`sev-sys`).
#[cfg(feature = "std")]
pub use sev_sys as sys;

/// Attestation reports and derived keys from inside an SNP guest (`snp-guest`).
#[cfg(all(feature = "std", feature = "snp"))]
pub use snp_guest as guest;

/// The simulated AMD secure processor (`sev-sim`): TEST keys only, for tests.
#[cfg(feature = "sim")]
pub use sev_sim as sim;

/// AMD SEV-SNP collateral (VCEKs, CA chains, CRLs) from AMD's Key Distribution Service, with an
/// on-disk cache and offline bundles (`sev-kds`).
#[cfg(all(feature = "std", feature = "snp"))]
pub use sev_kds as kds;

#[doc = include_str!("../MIGRATION.md")]
pub mod migration {}
