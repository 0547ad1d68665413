//! The process-wide default provider (std only), installed once and never replaced.

use super::CryptoProvider;
use std::sync::OnceLock;

static PROCESS_DEFAULT: OnceLock<CryptoProvider> = OnceLock::new();

/// Makes `provider` the process default.
///
/// Refuses to replace a default installed earlier: then `provider` comes back as the error.
///
/// ```
/// # #[cfg(feature = "aws-lc")] {
/// use sev_verify::crypto::{aws_lc, get_default, install_default};
/// let first = install_default(aws_lc::provider());
/// assert!(first.is_ok() || get_default().is_some());
/// assert!(install_default(aws_lc::provider()).is_err(), "a second install is refused");
/// # }
/// ```
pub fn install_default(provider: CryptoProvider) -> Result<(), CryptoProvider> {
    PROCESS_DEFAULT.set(provider)
}

/// The process default, if one was installed.
pub fn get_default() -> Option<&'static CryptoProvider> {
    PROCESS_DEFAULT.get()
}

/// The process default; installs [`default_provider()`](super::default_provider) first if
/// none was installed.
#[cfg(any(feature = "aws-lc", feature = "ring", feature = "rustcrypto"))]
pub fn get_default_or_install() -> &'static CryptoProvider {
    PROCESS_DEFAULT.get_or_init(super::default_provider)
}
