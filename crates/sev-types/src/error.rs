//! The parse error shared by every view in this crate.

/// Why a byte buffer could not be viewed as a given structure.
///
/// Every parser in this crate is total: it either returns a view or one of these,
/// and never panics or reads out of bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum ParseError {
    /// The buffer is shorter than the structure.
    #[error("{what}: need at least {need} bytes, got {got}")]
    Truncated {
        /// The structure being parsed.
        what: &'static str,
        /// Minimum number of bytes required.
        need: usize,
        /// Number of bytes supplied.
        got: usize,
    },
    /// A length-determined structure was given a buffer of a different length.
    #[error("{what}: expected exactly {expected} bytes, got {got}")]
    BadLength {
        /// The structure being parsed.
        what: &'static str,
        /// The exact size required.
        expected: usize,
        /// Number of bytes supplied.
        got: usize,
    },
    /// A field holds a value the format does not allow.
    #[error("{what}: field {field} is {found:#x}, expected {expected}")]
    BadValue {
        /// The structure being parsed.
        what: &'static str,
        /// The offending field.
        field: &'static str,
        /// The value found.
        found: u64,
        /// What the format allows, in words.
        expected: &'static str,
    },
    /// An offset/length pair points outside the buffer or into a region it may not overlap.
    #[error("{what}: entry {index} covers {offset:#x}..{end:#x}, outside the allowed range {min:#x}..{max:#x}")]
    OutOfBounds {
        /// The structure being parsed.
        what: &'static str,
        /// Index of the entry in its table.
        index: usize,
        /// Start offset given by the entry.
        offset: u64,
        /// End offset (offset + length) given by the entry.
        end: u64,
        /// Lowest permitted offset.
        min: u64,
        /// One past the highest permitted offset.
        max: u64,
    },
    /// A firmware response carries a status other than SUCCESS (the body is not valid).
    #[error("{what}: firmware status {status}")]
    Firmware {
        /// The response being parsed.
        what: &'static str,
        /// The status the firmware returned.
        status: crate::status::FirmwareStatus,
    },
    /// A table was not closed by its terminator.
    #[error("{what}: no terminating entry within {len} bytes")]
    MissingTerminator {
        /// The structure being parsed.
        what: &'static str,
        /// Length of the buffer searched.
        len: usize,
    },
}

impl ParseError {
    /// Shorthand for [`ParseError::Truncated`].
    pub const fn truncated(what: &'static str, need: usize, got: usize) -> Self {
        Self::Truncated { what, need, got }
    }
}
