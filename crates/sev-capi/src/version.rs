//! [`sev_version`].

use core::ffi::c_char;

/// The library's version, `"MAJOR.MINOR.PATCH"`: a static string; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn sev_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
