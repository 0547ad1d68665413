//! The `/dev/sev-guest` backend: [`GuestClient`] builds the kernel's request structs, runs the
//! extended-report resize protocol, checks response headers, retries busy answers and maps
//! every failure to a [`GuestError`] — once, over any [`GuestTransport`] (the real device
//! [`sev_sys::SevGuestDevice`], or a simulator).
//!
//! ```
//! use sev_sys::{CertsBuffer, GuestCommand, GuestTransport, TransportError};
//! use snp_guest::{GuestClient, Provider};
//!
//! /// A host that answers every report request with an empty v2 report.
//! struct Host;
//! impl GuestTransport for Host {
//!     fn guest_request(
//!         &mut self,
//!         _: GuestCommand,
//!         _: u8,
//!         _: &[u8],
//!         resp: &mut [u8],
//!         _: Option<&mut CertsBuffer<'_>>,
//!     ) -> Result<(), TransportError> {
//!         resp[4..8].copy_from_slice(&0x4A0u32.to_le_bytes());
//!         resp[32] = 2;
//!         Ok(())
//!     }
//! }
//!
//! let mut client = GuestClient::new(Host);
//! let evidence = client.ext_report(&[0; 64], snp_guest::DEFAULT_VMPL)?;
//! assert_eq!(evidence.report.len(), 0x4A0);
//! assert!(evidence.certs.is_empty());
//! assert_eq!(evidence.provider, Provider::Ioctl);
//! # Ok::<(), snp_guest::GuestError>(())
//! ```

use std::time::Instant;

use sev_sys::uapi::{SEV_FW_BLOB_MAX_SIZE, SNP_REPORT_RESP_SIZE};
use sev_sys::{CertsBuffer, GuestCommand, GuestTransport};
use sev_types::guest::sev_guest::{SnpDerivedKeyReq, SnpDerivedKeyResp, SnpReportReq};
use sev_types::guest::{CertTable, DerivedKey, GuestFieldSelect, KeyRequest, KeySelect, ReportRspHeader};
use sev_types::status::VmmError;
use zerocopy::{FromZeros, IntoBytes};

use crate::error::GuestError;
use crate::evidence::{Evidence, EvidenceSource, Provider};
use crate::retry::RetryPolicy;

/// The VMPL asked for when the caller has no reason to pick another: 0, the most privileged.
/// A guest running at a higher VMPL (under an SVSM) must ask for its own VMPL or above.
pub const DEFAULT_VMPL: u32 = 0;

/// The highest VMPL.
pub const MAX_VMPL: u32 = 3;

/// Size of the kernel's `struct snp_derived_key_req` (MSG_KEY_REQ version 1).
pub const DERIVED_KEY_REQ_LEN: usize = size_of::<SnpDerivedKeyReq>();

pub use sev_sys::CERTS_PAGE_SIZE;

/// Extended-report requests made at most: the first (no buffer), one with the size the host
/// asked for, and one more in case its table grew in between.
pub const MAX_CERT_ROUNDS: u32 = 3;

/// The message version for reports (`msg_version` of `struct snp_guest_request_ioctl`).
const REPORT_MSG_VERSION: u8 = 1;

/// A derived-key request: the MSG_KEY_REQ fields and the message version to send.
///
/// Through `/dev/sev-guest` the request is always the kernel's 32-byte
/// `struct snp_derived_key_req` (`root_key_select` u32 @0, `rsvd` u32 @4, `guest_field_select`
/// u64 @8, `vmpl` u32 @16, `guest_svn` u32 @20, `tcb_version` u64 @24), which is the
/// MSG_KEY_REQ version-1 layout; the driver copies exactly 32 bytes and forwards `msg_version`
/// into the message header. A version-2 request therefore reaches the firmware as a version-2
/// header over the same 32 bytes: LAUNCH_MIT_VECTOR (offset 0x20 of MSG_KEY_REQ v2) cannot be
/// carried. Requests that use it (a `launch_mit_vector`, or GUEST_FIELD_SELECT bit 6) are
/// refused with [`GuestError::DerivedKeyV2Unsupported`] instead of sending a malformed
/// message; whether a firmware accepts a version-2 header with the 32-byte body is not
/// documented, so [`DerivedKeyRequest::new`] picks version 1 whenever it suffices.
///
/// ```
/// use sev_types::guest::{GuestFieldSelect, KeyRequest, RootKeySelect};
/// use snp_guest::DerivedKeyRequest;
/// let req = DerivedKeyRequest::new(
///     KeyRequest::new()
///         .with_root_key(RootKeySelect::Vmrk)
///         .with_guest_fields(GuestFieldSelect::MEASUREMENT)
///         .with_vmpl(1),
/// );
/// let bytes = req.to_kernel_bytes()?;
/// assert_eq!(bytes[0], 1); // root_key_select: VMRK
/// assert_eq!(bytes[8], 0x08); // guest_field_select: MEASUREMENT
/// assert_eq!(bytes[16], 1); // vmpl
/// # Ok::<(), snp_guest::GuestError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivedKeyRequest {
    /// The MSG_KEY_REQ fields (root key, key select, guest fields, VMPL, GUEST_SVN, TCB).
    pub key: KeyRequest,
    /// The message version: 1 or 2.
    pub msg_version: u8,
}

impl Default for DerivedKeyRequest {
    /// A VCEK-rooted key with no guest fields mixed in, at VMPL 0, message version 1.
    fn default() -> Self {
        Self::new(KeyRequest::new())
    }
}

impl From<KeyRequest> for DerivedKeyRequest {
    fn from(key: KeyRequest) -> Self {
        Self::new(key)
    }
}

impl DerivedKeyRequest {
    /// A request with the smallest message version that carries `key`.
    pub fn new(key: KeyRequest) -> Self {
        Self {
            key,
            msg_version: key.min_version(),
        }
    }

    /// Sets the message version (1 or 2).
    pub fn with_msg_version(mut self, msg_version: u8) -> Self {
        self.msg_version = msg_version;
        self
    }

    /// The 32 bytes of `struct snp_derived_key_req` sent to the kernel, after checking
    /// everything the firmware would reject (a rejection costs the VMPCK): message version 1
    /// or 2, no version-2-only field, VMPL at most 3, KEY_SEL not the reserved value 3, no
    /// reserved GUEST_FIELD_SELECT bits.
    pub fn to_kernel_bytes(&self) -> Result<[u8; DERIVED_KEY_REQ_LEN], GuestError> {
        let invalid = |reason: String| GuestError::InvalidRequest {
            op: GuestCommand::DerivedKey,
            reason,
        };
        if !matches!(self.msg_version, 1 | 2) {
            return Err(invalid(format!(
                "message version {} (MSG_KEY_REQ has versions 1 and 2)",
                self.msg_version
            )));
        }
        if self.key.launch_mit_vector.is_some() {
            return Err(GuestError::DerivedKeyV2Unsupported {
                reason: "LAUNCH_MIT_VECTOR is set",
            });
        }
        if self.key.guest_fields.contains(GuestFieldSelect::LAUNCH_MIT_VECTOR) {
            return Err(GuestError::DerivedKeyV2Unsupported {
                reason: "GUEST_FIELD_SELECT includes LAUNCH_MIT_VECTOR (bit 6)",
            });
        }
        let reserved = self.key.guest_fields.reserved_bits();
        if reserved != 0 {
            return Err(invalid(format!("reserved GUEST_FIELD_SELECT bits {reserved:#x}")));
        }
        if self.key.key_select == KeySelect::Reserved {
            return Err(invalid("KEY_SEL 3 is reserved".into()));
        }
        if self.key.vmpl > MAX_VMPL {
            return Err(invalid(format!("VMPL {} (at most {MAX_VMPL})", self.key.vmpl)));
        }
        let v1: SnpDerivedKeyReq = self
            .key
            .to_v1()
            .map_err(|e| GuestError::DerivedKeyV2Unsupported { reason: e.reason })?;
        let mut out = [0u8; DERIVED_KEY_REQ_LEN];
        out.copy_from_slice(v1.as_bytes());
        Ok(out)
    }
}

/// The `/dev/sev-guest` client over a [`GuestTransport`]: attestation reports (plain and with
/// the host's certificates) and derived keys.
///
/// Busy answers (`EAGAIN`, VMM `BUSY`) are retried per [`RetryPolicy`] — on top of the
/// kernel's own retrying of host-BUSY for up to 60 s (`SNP_REQ_MAX_RETRY_DURATION_S`);
/// everything else fails at once with a [`GuestError`]. Note that the Linux driver disables the VMPCK after any failed request
/// other than a too-small certificate buffer, so requests the firmware would refuse are
/// checked here before they are sent.
#[derive(Debug)]
pub struct GuestClient<T> {
    transport: T,
    retry: RetryPolicy,
    provider: Provider,
}

#[cfg(target_os = "linux")]
impl GuestClient<sev_sys::SevGuestDevice> {
    /// Opens `/dev/sev-guest`.
    pub fn open() -> Result<Self, GuestError> {
        Self::open_path(sev_sys::SevGuestDevice::PATH)
    }

    /// Opens a given device node.
    pub fn open_path(path: impl AsRef<std::path::Path>) -> Result<Self, GuestError> {
        match sev_sys::SevGuestDevice::open_path(path) {
            Ok(dev) => Ok(Self::new(dev)),
            Err(sev_sys::Error::DeviceAbsent { path }) => Err(GuestError::DeviceAbsent { path }),
            Err(e) => Err(GuestError::Open(e)),
        }
    }
}

impl<T: GuestTransport> GuestClient<T> {
    /// A client over `transport`, with the default [`RetryPolicy`], producing evidence marked
    /// [`Provider::Ioctl`].
    pub fn new(transport: T) -> Self {
        Self {
            transport,
            retry: RetryPolicy::default(),
            provider: Provider::Ioctl,
        }
    }

    /// Sets the retry policy for busy answers.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the provider recorded in the evidence (e.g. [`Provider::Other`] for a simulator).
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The transport, consuming the client.
    pub fn into_inner(self) -> T {
        self.transport
    }

    /// `SNP_GET_REPORT`: a report with `user_data` in REPORT_DATA at `vmpl`, without
    /// certificates.
    pub fn report(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, GuestError> {
        let op = GuestCommand::Report;
        let req = report_request(op, user_data, vmpl)?;
        let mut resp = vec![0u8; SNP_REPORT_RESP_SIZE];
        self.call(op, REPORT_MSG_VERSION, req.as_bytes(), &mut resp, None)?;
        Ok(self.make_evidence(report_from_response(op, &resp)?, Vec::new()))
    }

    /// `SNP_GET_EXT_REPORT`: a report with the host's certificate table.
    ///
    /// Asks first with no buffer; if the host has certificates it answers VMM `INVALID_LEN`
    /// with the size it needs, and the request is repeated with a buffer of that size rounded
    /// up to whole pages (at most 16 KiB, else [`GuestError::CertsTooLarge`]). At most
    /// [`MAX_CERT_ROUNDS`] requests are made ([`GuestError::CertsResize`] after that). A host
    /// with no certificates yields the report with an empty table.
    pub fn ext_report(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, GuestError> {
        let op = GuestCommand::ExtReport;
        let req = report_request(op, user_data, vmpl)?;
        let mut certs: Vec<u8> = Vec::new();
        let mut resp = vec![0u8; SNP_REPORT_RESP_SIZE];
        let mut needed = 0;
        for _ in 0..MAX_CERT_ROUNDS {
            resp.fill(0);
            let len = certs.len() as u32;
            let mut buf = CertsBuffer { buf: &mut certs, len };
            match self.call(op, REPORT_MSG_VERSION, req.as_bytes(), &mut resp, Some(&mut buf)) {
                Ok(()) => {
                    let report = report_from_response(op, &resp)?;
                    if CertTable::from_bytes(&certs).is_ok_and(|t| t.is_empty()) {
                        certs = Vec::new();
                    }
                    return Ok(self.make_evidence(report, certs));
                }
                Err(e) if e.vmm_error() == Some(VmmError::InvalidLength) => {
                    needed = buf.len;
                    let given = certs.len();
                    if needed as usize > SEV_FW_BLOB_MAX_SIZE {
                        return Err(GuestError::CertsTooLarge {
                            needed,
                            max: SEV_FW_BLOB_MAX_SIZE,
                        });
                    }
                    if needed as usize <= given {
                        return Err(GuestError::CertsResize {
                            rounds: 1,
                            needed,
                            given,
                        });
                    }
                    certs = vec![0u8; (needed as usize).next_multiple_of(CERTS_PAGE_SIZE)];
                }
                Err(e) => return Err(e),
            }
        }
        Err(GuestError::CertsResize {
            rounds: MAX_CERT_ROUNDS,
            needed,
            given: certs.len(),
        })
    }

    /// `SNP_GET_DERIVED_KEY`: a key derived by the firmware (wiped on drop; the response
    /// buffer is wiped too). See [`DerivedKeyRequest`] for what reaches the firmware.
    pub fn derived_key(&mut self, request: &DerivedKeyRequest) -> Result<DerivedKey, GuestError> {
        let op = GuestCommand::DerivedKey;
        let req = request.to_kernel_bytes()?;
        // Wiped on drop: it holds the key.
        let mut resp = SnpDerivedKeyResp::new_zeroed();
        self.call(op, request.msg_version, &req, resp.as_mut_bytes(), None)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(GuestError::ResponseStatus { op, status });
        }
        resp.derived_key().map_err(|e| GuestError::MalformedResponse {
            op,
            reason: e.to_string(),
        })
    }

    fn make_evidence(&self, report: Vec<u8>, certs: Vec<u8>) -> Evidence {
        Evidence {
            report,
            certs,
            manifest: None,
            provider: self.provider.clone(),
        }
    }

    /// One request, retried while the host is busy (`EAGAIN` or VMM `BUSY`, but never
    /// `ETIMEDOUT`: the driver has given up and disabled the VMPCK by then).
    fn call(
        &mut self,
        op: GuestCommand,
        msg_version: u8,
        req: &[u8],
        resp: &mut [u8],
        mut certs: Option<&mut CertsBuffer<'_>>,
    ) -> Result<(), GuestError> {
        let start = Instant::now();
        let max_attempts = self.retry.max_attempts.max(1);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(c) = certs.as_deref_mut() {
                c.len = u32::try_from(c.buf.len()).unwrap_or(u32::MAX);
            }
            let e = match self
                .transport
                .guest_request(op, msg_version, req, resp, certs.as_deref_mut())
            {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            let err = GuestError::request(op, e.errno, e.exit_info2);
            let vmm = err.vmm_error();
            let busy = e.errno != libc::ETIMEDOUT && (e.errno == libc::EAGAIN || vmm == Some(VmmError::Busy));
            if !busy {
                return Err(err);
            }
            let delay = self.retry.delay(attempt - 1);
            let elapsed = start.elapsed();
            if attempt >= max_attempts || elapsed.saturating_add(delay) > self.retry.max_total {
                return Err(GuestError::Busy {
                    op,
                    attempts: attempt,
                    elapsed,
                    errno: e.errno,
                    vmm,
                });
            }
            if !delay.is_zero() {
                std::thread::sleep(delay);
            }
        }
    }
}

impl<T: GuestTransport> EvidenceSource for GuestClient<T> {
    type Error = GuestError;

    /// [`GuestClient::ext_report`].
    fn evidence(&mut self, user_data: &[u8; 64], vmpl: u32) -> Result<Evidence, GuestError> {
        self.ext_report(user_data, vmpl)
    }
}

/// `struct snp_report_req`: user data, VMPL, reserved zero (KEY_SEL 0: VLEK if installed,
/// else VCEK).
fn report_request(op: GuestCommand, user_data: &[u8; 64], vmpl: u32) -> Result<SnpReportReq, GuestError> {
    if vmpl > MAX_VMPL {
        return Err(GuestError::InvalidRequest {
            op,
            reason: format!("VMPL {vmpl} (at most {MAX_VMPL})"),
        });
    }
    Ok(SnpReportReq::new(*user_data, vmpl, KeySelect::Auto))
}

/// The report after the MSG_REPORT_RSP header, REPORT_SIZE bytes (not forced to 0x4A0, so
/// later report versions pass through).
fn report_from_response(op: GuestCommand, resp: &[u8]) -> Result<Vec<u8>, GuestError> {
    let malformed = |reason: String| GuestError::MalformedResponse { op, reason };
    let (hdr, rest) = ReportRspHeader::from_prefix(resp).map_err(|e| malformed(e.to_string()))?;
    let status = hdr.status();
    if !status.is_success() {
        return Err(GuestError::ResponseStatus { op, status });
    }
    let size = hdr.report_size() as usize;
    if size == 0 {
        return Err(malformed("REPORT_SIZE is zero".into()));
    }
    rest.get(..size).map(<[u8]>::to_vec).ok_or_else(|| {
        malformed(format!(
            "REPORT_SIZE {size:#x} exceeds the {:#x} bytes after the header",
            rest.len()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_header_is_checked() {
        let op = GuestCommand::Report;
        let mut resp = [0u8; SNP_REPORT_RESP_SIZE];
        resp[4..8].copy_from_slice(&0x4A0u32.to_le_bytes());
        assert_eq!(report_from_response(op, &resp).unwrap().len(), 0x4A0);
        resp[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            report_from_response(op, &resp),
            Err(GuestError::MalformedResponse { .. })
        ));
        resp[4..8].fill(0);
        assert!(matches!(
            report_from_response(op, &resp),
            Err(GuestError::MalformedResponse { .. })
        ));
        assert!(matches!(
            report_from_response(op, &resp[..10]),
            Err(GuestError::MalformedResponse { .. })
        ));
    }

    #[test]
    fn report_vmpl_above_3_is_refused() {
        assert!(matches!(
            report_request(GuestCommand::Report, &[0; 64], 4),
            Err(GuestError::InvalidRequest { .. })
        ));
        let r = report_request(GuestCommand::Report, &[7; 64], 3).unwrap();
        let b = r.as_bytes();
        assert_eq!(
            (&b[..64], &b[64..68], &b[68..]),
            (&[7u8; 64][..], &3u32.to_le_bytes()[..], &[0u8; 28][..])
        );
    }
}
