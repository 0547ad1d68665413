//! Crate-internal helpers shared by every wire structure: typed zero-copy views and
//! compile-time offset checks.

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::ParseError;

/// Views exactly `size_of::<T>()` bytes as `T`: shorter is [`ParseError::Truncated`], longer is
/// [`ParseError::BadLength`].
pub(crate) fn exact<'a, T: FromBytes + KnownLayout + Immutable>(
    what: &'static str,
    bytes: &'a [u8],
) -> Result<&'a T, ParseError> {
    let need = size_of::<T>();
    if bytes.len() < need {
        return Err(ParseError::truncated(what, need, bytes.len()));
    }
    T::ref_from_bytes(bytes).map_err(|_| ParseError::BadLength {
        what,
        expected: need,
        got: bytes.len(),
    })
}

/// Views the first `size_of::<T>()` bytes as `T` and returns the rest.
pub(crate) fn prefix<'a, T: FromBytes + KnownLayout + Immutable>(
    what: &'static str,
    bytes: &'a [u8],
) -> Result<(&'a T, &'a [u8]), ParseError> {
    T::ref_from_prefix(bytes).map_err(|_| ParseError::truncated(what, size_of::<T>(), bytes.len()))
}

/// Compile-time checks of every field offset of a wire struct, written from the spec tables.
macro_rules! assert_offsets {
    ($ty:ty { $($field:ident : $off:expr),* $(,)? }) => {
        $( const _: () = assert!(core::mem::offset_of!($ty, $field) == $off); )*
    };
}
pub(crate) use assert_offsets;
