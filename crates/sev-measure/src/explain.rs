//! Explain mode: page-by-page logs of a launch and the first place two launches diverge.
//!
//! Record a launch with [`Gctx::recording`](crate::Gctx::recording), print it with
//! [`PageRecord`]'s `Display` (one line per page) or as JSON (feature `serde`), and compare two
//! logs with [`first_divergence`], or expected VMSAs against dumped ones with [`compare_vmsas`].
//!
//! ```
//! use sev_measure::{Gctx, explain::{first_divergence, Difference}};
//! let mut a = Gctx::new().recording();
//! a.measure_zero_pages(0x1000, 0x3000)?;
//! let mut b = Gctx::new().recording();
//! b.measure_zero_pages(0x1000, 0x1000)?;
//! b.measure_secrets_page(0x2000);
//! let d = first_divergence(a.log().unwrap(), b.log().unwrap()).unwrap();
//! assert_eq!(d.index, 1);
//! assert_eq!(d.difference, Difference::PageType);
//! # Ok::<(), sev_measure::MeasureError>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

use sev_types::launch::vmsa::{FieldSpan, SaveArea};

pub use crate::gctx::{Origin, PageRecord};

/// What differs at the first diverging page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Difference {
    /// One log ends here; the other goes on.
    Length,
    /// The page types differ.
    PageType,
    /// The GPAs differ.
    Gpa,
    /// Same type and GPA, different page contents.
    Contents,
    /// Same PAGE_INFO fields, different running digest: the logs started from different digests
    /// (for example a different OVMF-hash seed) or one was edited.
    Digest,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Length => "one log ends",
            Self::PageType => "page type differs",
            Self::Gpa => "GPA differs",
            Self::Contents => "page contents differ",
            Self::Digest => "running digest differs (different starting digest)",
        })
    }
}

/// The first page where two logs diverge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence<'a> {
    /// Position in the sequence.
    pub index: usize,
    /// What differs.
    pub difference: Difference,
    /// The left log's record there, if any.
    pub left: Option<&'a PageRecord>,
    /// The right log's record there, if any.
    pub right: Option<&'a PageRecord>,
}

impl fmt::Display for Divergence<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "first divergence at page {}: {}", self.index, self.difference)?;
        match self.left {
            Some(r) => writeln!(f, "  left : {r}")?,
            None => writeln!(f, "  left : (end of log)")?,
        }
        match self.right {
            Some(r) => write!(f, "  right: {r}"),
            None => write!(f, "  right: (end of log)"),
        }
    }
}

/// The first page where `left` and `right` differ, or `None` if they are identical.
pub fn first_divergence<'a>(left: &'a [PageRecord], right: &'a [PageRecord]) -> Option<Divergence<'a>> {
    let n = left.len().max(right.len());
    (0..n).find_map(|index| {
        let (l, r) = (left.get(index), right.get(index));
        let difference = match (l, r) {
            (Some(a), Some(b)) if a.page_type != b.page_type => Difference::PageType,
            (Some(a), Some(b)) if a.gpa != b.gpa => Difference::Gpa,
            (Some(a), Some(b)) if a.contents != b.contents => Difference::Contents,
            (Some(a), Some(b)) if a.digest != b.digest => Difference::Digest,
            (Some(_), Some(_)) => return None,
            _ => Difference::Length,
        };
        Some(Divergence {
            index,
            difference,
            left: l,
            right: r,
        })
    })
}

/// A VMSA that differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmsaMismatch {
    /// vCPU index.
    pub vcpu: usize,
    /// The fields whose bytes differ, in offset order.
    pub fields: Vec<FieldSpan>,
}

impl fmt::Display for VmsaMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VMSA of vCPU {} differs in:", self.vcpu)?;
        for s in &self.fields {
            write!(f, " {} (0x{:03x}, {} B)", s.name, s.offset, s.size)?;
        }
        Ok(())
    }
}

/// Compares expected VMSAs with dumped ones (vCPU order) and names the first that differs and
/// its differing fields. Extra or missing dumps are not compared.
pub fn compare_vmsas<'a>(
    expected: impl IntoIterator<Item = &'a SaveArea>,
    dumped: impl IntoIterator<Item = &'a SaveArea>,
) -> Option<VmsaMismatch> {
    expected.into_iter().zip(dumped).enumerate().find_map(|(vcpu, (e, d))| {
        let fields: Vec<_> = e.diff_fields(d).collect();
        (!fields.is_empty()).then_some(VmsaMismatch { vcpu, fields })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Gctx;

    #[test]
    fn identical_logs_do_not_diverge_and_gpa_changes_are_found() {
        let mut a = Gctx::new().recording();
        a.measure_zero_pages(0x1000, 0x2000).unwrap();
        let la = a.take_log().unwrap();
        assert!(first_divergence(&la, &la).is_none());
        let mut lb = la.clone();
        lb[1].gpa = 0x9000;
        let d = first_divergence(&la, &lb).unwrap();
        assert_eq!((d.index, d.difference), (1, Difference::Gpa));
        let d = first_divergence(&la, &la[..1]).unwrap();
        assert_eq!((d.index, d.difference), (1, Difference::Length));
        assert!(d.right.is_none());
    }

    #[test]
    fn vmsa_comparison_names_fields() {
        let e = crate::vmsa::build(crate::vmsa::VmmType::Qemu, crate::vmsa::BSP_EIP, 0x800F12, 1);
        let mut d = e.clone();
        assert!(compare_vmsas([&e], [&d]).is_none());
        d.sev_features.set(0x21);
        let m = compare_vmsas([&e, &e], [&e, &d]).unwrap();
        assert_eq!(m.vcpu, 1);
        assert_eq!(m.fields.iter().map(|f| f.name).collect::<Vec<_>>(), ["sev_features"]);
    }
}
