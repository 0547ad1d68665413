//! SNP guest-request messages (MSG_REPORT_REQ/RSP, MSG_KEY_REQ/RSP), the extended-report
//! certificate table, and the VLEK hashstick.
//!
//! * [`header`]: the 0x60-byte message header and [`MsgType`].
//! * [`report`]: MSG_REPORT_REQ and the MSG_REPORT_RSP parser that hands out a
//!   [`Report`](crate::report::Report) view.
//! * [`key`]: MSG_KEY_REQ versions 1 and 2 (with a builder) and MSG_KEY_RSP, whose key is
//!   returned as a [`DerivedKey`] that is wiped on drop.
//! * [`certs`]: the certificate table returned by the extended guest request (and by
//!   configfs-tsm's `auxblob`).
//! * [`hashstick`]: the wrapped VLEK hashstick loaded by SNP_VLEK_LOAD.
//! * [`secrets`]: the secrets page given to the guest at launch.
//!
//! ```
//! use sev_types::guest::{KeySelect, ReportReq};
//! let req = ReportReq::new([7; 64], 0, KeySelect::Vcek);
//! assert_eq!(zerocopy::IntoBytes::as_bytes(&req).len(), 0x60);
//! assert_eq!(req.key_select(), KeySelect::Vcek);
//! ```

pub mod certs;
pub mod hashstick;
pub mod header;
pub mod key;
pub mod report;
pub mod secrets;

pub use certs::{Cert, CertKind, CertTable};
pub use hashstick::VlekHashstick;
pub use header::{AeadAlgo, MsgHeader, MsgType};
pub use key::{DerivedKey, GuestFieldSelect, KeyRequest, KeyRsp, RootKeySelect};
pub use report::{KeySelect, ReportReq, ReportRspHeader, parse_response as parse_report_response};
pub use secrets::SecretsPage;

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::ParseError;

/// Views `bytes`, which must be exactly `size_of::<T>()` long, as a `T`.
///
/// Shorter input is [`ParseError::Truncated`], longer input [`ParseError::BadLength`].
pub(crate) fn view_exact<'a, T: FromBytes + KnownLayout + Immutable>(
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

/// Views the first `size_of::<T>()` bytes of `bytes` as a `T` and returns the rest.
pub(crate) fn view_prefix<'a, T: FromBytes + KnownLayout + Immutable>(
    what: &'static str,
    bytes: &'a [u8],
) -> Result<(&'a T, &'a [u8]), ParseError> {
    T::ref_from_prefix(bytes).map_err(|_| ParseError::truncated(what, size_of::<T>(), bytes.len()))
}

/// Compile-time checks of every field offset of a wire struct.
macro_rules! assert_offsets {
    ($ty:ty { $($field:ident : $off:expr),* $(,)? }) => {
        $( const _: () = assert!(core::mem::offset_of!($ty, $field) == $off); )*
    };
}
pub(crate) use assert_offsets;
