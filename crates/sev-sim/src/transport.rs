//! [`sev_sys::GuestTransport`] for [`Sim`]: `/dev/sev-guest` as the Linux driver and the
//! firmware answer it.
//!
//! Order of checks, as in the driver: `msg_version` 0, malformed request or response buffers
//! and a certificate buffer whose `len` is not a page multiple of at most 16 KiB (or exceeds
//! the buffer) fail with `EINVAL`; a wiped VMPCK fails every request with `ENOTTY`; then a
//! queued [`Fault`] is used; then the extended report's certificate buffer is checked
//! (empty or too small: `EIO`, `exit_info2` = VMM INVALID_LEN `1 << 32`, and `certs.len` set to
//! the table's size in whole pages); then the firmware answers. Requests the firmware itself
//! refuses (VMPL rule, reserved bits, unavailable key) succeed at the ioctl level with the
//! refusal in the response header's STATUS, as real firmware does.

use sev_sys::CERTS_PAGE_SIZE;
use sev_sys::uapi::tsm::SEV_FW_BLOB_MAX_SIZE;
use sev_sys::{CertsBuffer, GuestCommand, GuestTransport, TransportError};
use sev_types::guest::key::{self, KeyReqV1, KeyReqV2};
use sev_types::guest::report::{self, RSP_HEADER_LEN, RSP_LEN};
use sev_types::guest::{KeyRequest, ReportReq};
use sev_types::report::REPORT_LEN;
use sev_types::status::{ExitInfo2, FirmwareStatus, VmmError};

use crate::engine::Sim;
use crate::errno;
use crate::error::SimError;
use crate::fault::Fault;

/// The largest certificate buffer the driver accepts (`SEV_FW_BLOB_MAX_SIZE`).
const CERTS_MAX: u32 = SEV_FW_BLOB_MAX_SIZE as u32;
/// The page size of the certificate buffer.
const PAGE: u32 = CERTS_PAGE_SIZE as u32;

fn fail(errno: i32) -> TransportError {
    TransportError {
        errno,
        exit_info2: None,
    }
}

/// What the firmware answers: a report or key, or a refusal (STATUS).
enum Answer {
    Report(Vec<u8>),
    Key([u8; 32]),
    Refused(FirmwareStatus),
}

fn status_of(e: SimError) -> FirmwareStatus {
    match e {
        SimError::Firmware(s) => s,
        SimError::CertTableTooLarge { .. } => FirmwareStatus::ResourceLimit,
        _ => FirmwareStatus::InvalidConfig,
    }
}

fn write_response(resp: &mut [u8], answer: &Answer) {
    resp.fill(0);
    match answer {
        Answer::Report(r) => {
            resp[4..8].copy_from_slice(&(REPORT_LEN as u32).to_le_bytes());
            resp[RSP_HEADER_LEN..RSP_HEADER_LEN + r.len()].copy_from_slice(r);
        }
        Answer::Key(k) => resp[32..64].copy_from_slice(k),
        // A refused MSG_KEY_RSP / MSG_REPORT_RSP carries no payload.
        Answer::Refused(s) => resp[..4].copy_from_slice(&s.code().to_le_bytes()),
    }
}

fn decode_key_request(req: &[u8]) -> Result<KeyRequest, FirmwareStatus> {
    let invalid = FirmwareStatus::InvalidParam;
    let (key, reserved) = if req.len() == key::REQ_V2_LEN {
        let r = KeyReqV2::from_bytes(req).map_err(|_| invalid)?;
        (
            KeyRequest::from(r),
            r.reserved_select_bits() != 0 || r.reserved_004.get() != 0,
        )
    } else {
        let r = KeyReqV1::from_bytes(req).map_err(|_| invalid)?;
        (
            KeyRequest::from(r),
            r.reserved_select_bits() != 0 || r.reserved_004.get() != 0,
        )
    };
    if reserved { Err(invalid) } else { Ok(key) }
}

impl Sim {
    fn answer(&self, cmd: GuestCommand, req: &[u8]) -> Answer {
        match cmd {
            GuestCommand::DerivedKey => match decode_key_request(req) {
                Ok(k) => self
                    .derive_key(&k)
                    .map_or_else(|e| Answer::Refused(status_of(e)), Answer::Key),
                Err(s) => Answer::Refused(s),
            },
            GuestCommand::Report | GuestCommand::ExtReport => {
                let Ok(r) = ReportReq::from_bytes(req) else {
                    return Answer::Refused(FirmwareStatus::InvalidParam);
                };
                if r.reserved_key_sel_bits() != 0 || r.reserved.iter().any(|&b| b != 0) {
                    return Answer::Refused(FirmwareStatus::InvalidParam);
                }
                self.report_with_key(&r.report_data, r.vmpl(), r.key_select())
                    .map_or_else(|e| Answer::Refused(status_of(e)), Answer::Report)
            }
        }
    }

    /// The size the certificate table needs, in whole pages (0: no table).
    fn certs_needed(&self) -> u32 {
        self.cert_table().map_or(PAGE, |t| {
            u32::try_from(t.len()).unwrap_or(u32::MAX).div_ceil(PAGE) * PAGE
        })
    }

    fn failed(&mut self, fault: &Fault, err: TransportError) -> TransportError {
        if self.wipe_on_error && fault.wipes_vmpck() {
            self.vmpck_wiped = true;
        }
        err
    }
}

impl GuestTransport for Sim {
    fn guest_request(
        &mut self,
        cmd: GuestCommand,
        msg_version: u8,
        req: &[u8],
        resp: &mut [u8],
        mut certs: Option<&mut CertsBuffer<'_>>,
    ) -> Result<(), TransportError> {
        if msg_version == 0 {
            return Err(fail(errno::EINVAL));
        }
        let (req_ok, resp_min) = match cmd {
            GuestCommand::Report | GuestCommand::ExtReport => (req.len() == report::REQ_LEN, RSP_LEN),
            GuestCommand::DerivedKey => (matches!(req.len(), key::REQ_V1_LEN | key::REQ_V2_LEN), key::RSP_LEN),
        };
        if !req_ok || resp.len() < resp_min {
            return Err(fail(errno::EINVAL));
        }
        if cmd == GuestCommand::ExtReport {
            if let Some(c) = certs.as_deref() {
                if c.len % PAGE != 0 || c.len > CERTS_MAX || c.len as usize > c.buf.len() {
                    return Err(fail(errno::EINVAL));
                }
            }
        }
        if self.vmpck_wiped {
            return Err(fail(errno::ENOTTY));
        }
        if let Some(fault) = self.faults.take(cmd) {
            if let Some(err) = fault.transport_error() {
                if cmd == GuestCommand::ExtReport && fault.vmm == Some(VmmError::InvalidLength) {
                    let needed = self.certs_needed();
                    if let Some(c) = certs.as_deref_mut() {
                        c.len = needed;
                    }
                }
                return Err(self.failed(&fault, err));
            }
            if let Some(status) = fault.response_status {
                write_response(resp, &Answer::Refused(status));
                return Ok(());
            }
        }
        if cmd == GuestCommand::ExtReport {
            let table = match self.cert_table() {
                Ok(t) => t.to_vec(),
                Err(e) => {
                    write_response(resp, &Answer::Refused(status_of(e)));
                    return Ok(());
                }
            };
            let needed = self.certs_needed();
            let offered = certs.as_deref().map_or(0, |c| c.len);
            if offered < needed {
                if let Some(c) = certs.as_deref_mut() {
                    c.len = needed;
                }
                return Err(TransportError {
                    errno: errno::EIO,
                    exit_info2: Some(ExitInfo2::new(Some(VmmError::InvalidLength), FirmwareStatus::Success).0),
                });
            }
            let answer = self.answer(cmd, req);
            write_response(resp, &answer);
            if let (Answer::Report(_), Some(c)) = (&answer, certs) {
                let area = &mut c.buf[..offered as usize];
                area.fill(0);
                area[..table.len()].copy_from_slice(&table);
            }
            return Ok(());
        }
        let answer = self.answer(cmd, req);
        write_response(resp, &answer);
        Ok(())
    }
}
