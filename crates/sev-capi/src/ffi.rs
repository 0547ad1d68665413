//! Turning C pointers and lengths into Rust references: every NULL and every wrong length is
//! an error code, never undefined behaviour on our side.
//!
//! Each function here is `unsafe` because it trusts the one thing it cannot check: that a
//! non-NULL pointer points to as many valid bytes as the caller says.

use core::ffi::{CStr, c_char};

use crate::error::{
    Failure, SEV_ERR_BUFFER_TOO_SMALL, SEV_ERR_INVALID, SEV_ERR_LENGTH, SEV_ERR_NULL_POINTER, SEV_ERR_STATE,
};

/// `len` bytes at `ptr`, which must not be NULL.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay valid and unmodified for `'a`.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return Err(Failure::code(SEV_ERR_NULL_POINTER));
    }
    // SAFETY: not NULL (checked); the caller guarantees `len` readable bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// `len` bytes at `ptr`, or `None` when `ptr` is NULL (then `len` must be 0).
///
/// # Safety
/// As [`input`].
pub(crate) unsafe fn optional_input<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a [u8]>, Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(None)
        } else {
            Err(Failure::code(SEV_ERR_NULL_POINTER))
        };
    }
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { input(ptr, len) }.map(Some)
}

/// `len` bytes at `ptr` that must be exactly `N` long.
///
/// # Safety
/// As [`input`].
pub(crate) unsafe fn input_exact<'a, const N: usize>(ptr: *const u8, len: usize) -> Result<&'a [u8; N], Failure> {
    // SAFETY: forwarded to the caller's guarantee.
    let bytes = unsafe { input(ptr, len) }?;
    bytes.try_into().map_err(|_| Failure::code(SEV_ERR_LENGTH))
}

/// The fixed-size array at `ptr` (a C `const uint8_t x[N]` parameter), or `None` for NULL.
///
/// # Safety
/// A non-NULL `ptr` must point to `N` readable bytes valid for `'a`.
pub(crate) unsafe fn optional_array<'a, const N: usize>(ptr: *const u8) -> Option<&'a [u8; N]> {
    // SAFETY: the caller guarantees N readable bytes at a non-NULL `ptr`; `[u8; N]` has
    // alignment 1.
    (!ptr.is_null()).then(|| unsafe { &*ptr.cast::<[u8; N]>() })
}

/// The fixed-size array at `ptr`, which must not be NULL.
///
/// # Safety
/// As [`optional_array`].
pub(crate) unsafe fn array<'a, const N: usize>(ptr: *const u8) -> Result<&'a [u8; N], Failure> {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { optional_array(ptr) }.ok_or(Failure::code(SEV_ERR_NULL_POINTER))
}

/// Copies `data` to the `N`-byte output array at `out`, which must not be NULL.
///
/// # Safety
/// A non-NULL `out` must point to `N` writable bytes.
pub(crate) unsafe fn write_array<const N: usize>(out: *mut u8, data: &[u8; N]) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::code(SEV_ERR_NULL_POINTER));
    }
    // SAFETY: not NULL; the caller guarantees N writable bytes; the regions cannot overlap
    // because `data` is memory this library owns.
    unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), out, N) };
    Ok(())
}

/// Copies `data` to the caller's buffer `out` of `out_len` bytes and stores its length in
/// `*written` (when not NULL) — also when the buffer is too small, so the caller can retry.
///
/// # Safety
/// A non-NULL `out` must point to `out_len` writable bytes; a non-NULL `written` must be a
/// valid `size_t *`.
pub(crate) unsafe fn write_buffer(
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    data: &[u8],
) -> Result<(), Failure> {
    if !written.is_null() {
        // SAFETY: not NULL; the caller guarantees a valid, aligned `size_t *`.
        unsafe { written.write(data.len()) };
    }
    if out.is_null() {
        return Err(Failure::code(SEV_ERR_NULL_POINTER));
    }
    if out_len < data.len() {
        return Err(Failure::code(SEV_ERR_BUFFER_TOO_SMALL));
    }
    // SAFETY: not NULL; `data.len() <= out_len` writable bytes; no overlap (library memory).
    unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), out, data.len()) };
    Ok(())
}

/// The NUL-terminated UTF-8 string at `ptr`, or `None` for NULL.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn optional_str<'a>(ptr: *const c_char) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL; the caller guarantees a NUL-terminated string valid for `'a`.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str().map(Some).map_err(|_| Failure::code(SEV_ERR_INVALID))
}

/// Writes `text` to `buf` (`len` bytes) as a NUL-terminated string, cut at a character
/// boundary to fit; nothing when `buf` is NULL or `len` is 0.
///
/// # Safety
/// A non-NULL `buf` must point to `len` writable bytes.
pub(crate) unsafe fn write_text(buf: *mut c_char, len: usize, text: &str) {
    if buf.is_null() || len == 0 {
        return;
    }
    let mut n = text.len().min(len - 1);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: not NULL; `n + 1 <= len` writable bytes; `text` is library memory (no overlap).
    unsafe {
        core::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        buf.add(n).write(0);
    }
}

/// The object behind a handle, which must not be NULL.
///
/// # Safety
/// A non-NULL `handle` must come from this library's constructor for `T` and not be freed.
pub(crate) unsafe fn handle<'a, T>(handle: *mut T) -> Result<&'a mut T, Failure> {
    if handle.is_null() {
        return Err(Failure::code(SEV_ERR_NULL_POINTER));
    }
    // SAFETY: not NULL; the caller guarantees a live handle from `Box::into_raw`, not aliased
    // during this call.
    Ok(unsafe { &mut *handle })
}

/// Stores a new handle in `*out` (which must not be NULL).
///
/// # Safety
/// A non-NULL `out` must be a valid, writable `T **`.
pub(crate) unsafe fn store_handle<T>(out: *mut *mut T, value: T) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::code(SEV_ERR_NULL_POINTER));
    }
    // SAFETY: not NULL; the caller guarantees a writable, aligned `T **`.
    unsafe { out.write(Box::into_raw(Box::new(value))) };
    Ok(())
}

/// Frees a handle made by [`store_handle`]; NULL is ignored. A panic while dropping it (a VM
/// closing, say) is caught here: it must not unwind into C.
///
/// # Safety
/// A non-NULL `handle` must come from [`store_handle`] for `T` and not be used afterwards.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    if handle.is_null() {
        return;
    }
    // SAFETY: the caller guarantees the pointer came from `Box::into_raw` and is freed once.
    let owned = unsafe { Box::from_raw(handle) };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(owned)));
}

/// Sets `*out` to NULL so that a failed constructor leaves no stale pointer.
///
/// # Safety
/// `out` must be NULL or a valid `T **`.
pub(crate) unsafe fn clear<T>(out: *mut *mut T) -> Result<(), Failure> {
    if out.is_null() {
        return Err(Failure::code(crate::error::SEV_ERR_NULL_POINTER));
    }
    // SAFETY: not NULL; valid and writable per the caller.
    unsafe { out.write(core::ptr::null_mut()) };
    Ok(())
}

/// The failure of a call made in the wrong launch state.
pub(crate) fn state() -> Failure {
    Failure::code(SEV_ERR_STATE)
}

/// Runs `$body` with `$p` bound to a launcher's phase, whatever its device: the `Launch` enum
/// in scope at the call site has a `Real` and (with `sim`) a `Sim` variant, each boxing a phase.
macro_rules! with_phase {
    ($launch:expr, $p:ident => $body:expr) => {
        match $launch {
            Launch::Real($p) => {
                let $p = &mut **$p;
                $body
            }
            #[cfg(feature = "sim")]
            Launch::Sim($p) => {
                let $p = &mut **$p;
                $body
            }
        }
    };
}
pub(crate) use with_phase;
