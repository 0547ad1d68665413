//! `libsev`: the C API of sev-rs, built and installed with cargo-c
//! (`cargo cinstall -p sev-capi --prefix=... --libdir=...`), found with
//! `pkg-config --cflags --libs sev`, declared in the generated header `sev.h`.
//!
//! * Versions and errors: [`sev_version`], [`sev_strerror`], the `SEV_ERR_*` codes
//!   ([`error`]); every function returns `SEV_OK` (0) or a negative code, and device commands
//!   put the firmware status into a `uint32_t *fw_error` out-parameter.
//! * SEV and SEV-ES launch ([`sev_launch`]): an opaque `sev_launcher` handle.
//! * SNP launch ([`snp_launch`]): an opaque `sev_snp_launcher` handle.
//! * Guest requests ([`guest`]): an opaque `sev_guest` handle.
//! * Offline verification ([`verify`]): `sev_snp_verify_report` against the built-in AMD
//!   roots, `sev_snp_verify_extended_report` with a certificate table.
//! * Launch digests ([`measure`]): `sev_launch_digest`, `sev_vmsa_build`.
//!
//! There is no global state: each handle owns its VM or device. No panic unwinds into C: every
//! exported function catches it and returns `SEV_ERR_INTERNAL`. NULL pointers and wrong
//! lengths are error codes. With the `sim` feature (tests only) the launchers can run on the
//! simulated secure processor of `sev-sim`.
//!
//! From Rust the functions are ordinary `extern "C"` functions:
//!
//! ```
//! let text = unsafe { std::ffi::CStr::from_ptr(sev_capi::sev_strerror(sev_capi::error::SEV_ERR_POLICY)) };
//! assert_eq!(text.to_str()?, "the report violates the policy");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
mod ffi;
pub mod guest;
pub mod measure;
pub mod sev_launch;
pub mod snp_launch;
pub mod verify;
mod version;

pub use error::sev_strerror;
pub use version::sev_version;
