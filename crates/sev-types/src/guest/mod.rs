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
//! * [`sev_guest`]: the payloads of the Linux `/dev/sev-guest` ioctls, by their kernel names.
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
pub mod sev_guest;

pub use certs::{Cert, CertKind, CertTable};
pub use hashstick::VlekHashstick;
pub use header::{AeadAlgo, MsgHeader, MsgType};
pub use key::{DerivedKey, GuestFieldSelect, KeyRequest, KeyRsp, RootKeySelect};
pub use report::{KeySelect, ReportReq, ReportRspHeader, parse_response as parse_report_response};
pub use secrets::SecretsPage;
pub use sev_guest::{SnpDerivedKeyReq, SnpDerivedKeyResp, SnpExtReportReq, SnpReportReq, SnpReportResp};

pub(crate) use crate::view::{assert_offsets, exact as view_exact, prefix as view_prefix};
