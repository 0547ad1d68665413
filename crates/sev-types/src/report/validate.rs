//! Strict checks of reserved fields, separate from parsing.

use core::fmt;

use super::Report;
use crate::Product;
use crate::policy::GuestPolicy;

/// A reserved field or bit that does not hold its required value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReservedViolation {
    /// Byte offset of the field in the report.
    pub offset: usize,
    /// Length of the field in bytes.
    pub len: usize,
    /// Name of the field.
    pub field: &'static str,
    /// The offending bits (for flag words) or the first non-zero byte (for byte ranges).
    pub found: u64,
    /// What the field must hold.
    pub expected: &'static str,
}

impl fmt::Display for ReservedViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {:#05x}..{:#05x} is {:#x}, expected {}",
            self.field,
            self.offset,
            self.offset + self.len,
            self.found,
            self.expected
        )
    }
}

fn byte_range(bytes: &[u8], offset: usize, len: usize, field: &'static str) -> Option<ReservedViolation> {
    bytes[offset..offset + len]
        .iter()
        .find(|&&b| b != 0)
        .map(|&b| ReservedViolation {
            offset,
            len,
            field,
            found: b.into(),
            expected: "zero",
        })
}

pub(super) fn violations<'a>(r: Report<'a>, hint: Option<Product>) -> impl Iterator<Item = ReservedViolation> + 'a {
    let b = r.as_bytes();
    let v = r.version();
    let policy = r.policy();
    let layout = r.tcb_layout(hint);
    let mbo = (!policy.contains(GuestPolicy::RESERVED_MBO)).then_some(ReservedViolation {
        offset: 0x008,
        len: 8,
        field: "POLICY bit 17",
        found: 0,
        expected: "one",
    });
    let flag_words = [
        (0x008, 8, "POLICY reserved bits 63:26", policy.reserved_bits()),
        (
            0x040,
            8,
            "PLATFORM_INFO reserved bits 63:8",
            r.platform_info().reserved_bits(),
        ),
        (
            0x048,
            4,
            "KEY_INFO reserved bits 31:5",
            u64::from(r.key_info().reserved_bits()),
        ),
    ]
    .into_iter()
    .filter(|w| w.3 != 0)
    .map(|(offset, len, field, found)| ReservedViolation {
        offset,
        len,
        field,
        found,
        expected: "zero",
    });
    let cpuid_reserved = if v >= 3 { (0x18B, 21) } else { (0x188, 24) };
    let tail_reserved = if v >= 5 { (0x208, 0x98) } else { (0x1F8, 0xA8) };
    let ranges = [
        (0x04C, 4, "reserved 0x04C"),
        (cpuid_reserved.0, cpuid_reserved.1, "reserved after REPORTED_TCB"),
        (0x1EB, 1, "reserved 0x1EB"),
        (0x1EF, 1, "reserved 0x1EF"),
        (tail_reserved.0, tail_reserved.1, "reserved before SIGNATURE"),
        (0x330, 0x170, "SIGNATURE reserved"),
    ]
    .into_iter()
    .filter_map(move |(o, l, n)| byte_range(b, o, l, n));
    let tcbs = [
        (0x038, "CURRENT_TCB reserved bytes", r.current_tcb()),
        (0x180, "REPORTED_TCB reserved bytes", r.reported_tcb()),
        (0x1E0, "COMMITTED_TCB reserved bytes", r.committed_tcb()),
        (0x1F0, "LAUNCH_TCB reserved bytes", r.launch_tcb()),
    ]
    .into_iter()
    .filter_map(move |(offset, field, tcb)| {
        let layout = layout?;
        tcb.reserved_bytes(layout)
            .find(|&x| x != 0)
            .map(|found| ReservedViolation {
                offset,
                len: 8,
                field,
                found: found.into(),
                expected: "zero",
            })
    });
    mbo.into_iter().chain(flag_words).chain(ranges).chain(tcbs)
}
