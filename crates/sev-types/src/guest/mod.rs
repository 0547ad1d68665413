//! SNP guest-request messages (MSG_REPORT_REQ/RSP, MSG_KEY_REQ/RSP), the extended-report
//! certificate table, and the VLEK hashstick.
