//! Error types.

use alloc::string::String;
use sev_types::Guid;

/// Why an OVMF (or SVSM) image could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OvmfError {
    /// The image is too short to hold the footer table.
    #[error("firmware image is {got} bytes, need at least {need} for the footer table")]
    TooShort {
        /// Minimum length.
        need: usize,
        /// Actual length.
        got: usize,
    },
    /// The footer's size field claims more bytes than precede the footer.
    #[error("footer table size {size} exceeds the {available} bytes before the footer")]
    TableTooLarge {
        /// Table size without the footer.
        size: usize,
        /// Bytes available.
        available: usize,
    },
    /// A table entry's size is below 18 or runs past the table start.
    #[error("footer table entry ending at {end:#x} has size {size}, expected 18..={max}")]
    BadEntrySize {
        /// Image offset one past the entry.
        end: usize,
        /// The size field.
        size: usize,
        /// Largest size that fits.
        max: usize,
    },
    /// A table entry is too short for the value it must carry.
    #[error("footer table entry {guid} has {got} data bytes, need {need}")]
    EntryTooShort {
        /// Entry GUID (EFI order, displayed as text).
        guid: Guid,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// The SEV metadata offset points outside the image.
    #[error("SEV metadata offset {offset:#x} points outside the {len}-byte image (need 16 header bytes)")]
    MetadataOutOfBounds {
        /// Offset from the end of the image.
        offset: u32,
        /// Image length.
        len: usize,
    },
    /// The SEV metadata header lacks the `ASEV` signature.
    #[error("SEV metadata signature is {found:02x?}, expected \"ASEV\"")]
    BadMetadataSignature {
        /// The four bytes found.
        found: [u8; 4],
    },
    /// The SEV metadata version is not 1.
    #[error("SEV metadata version is {found}, expected 1")]
    BadMetadataVersion {
        /// The version found.
        found: u32,
    },
    /// The section descriptors do not fit the header's size or the image.
    #[error("SEV metadata declares {count} sections ({need} bytes) but only {available} bytes are available")]
    MetadataTruncated {
        /// Number of descriptors declared.
        count: u32,
        /// Bytes the header and descriptors need.
        need: u64,
        /// Bytes available (the smaller of the header size and the rest of the image).
        available: u64,
    },
}

/// Why a launch digest or ID block could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// The firmware image is malformed.
    #[error(transparent)]
    Ovmf(#[from] OvmfError),
    /// SNP: a kernel was given but the firmware has no SNP_KERNEL_HASHES section.
    #[error("Kernel specified but OVMF metadata doesn't include SNP_KERNEL_HASHES section")]
    NoKernelHashesSection,
    /// SEV / SEV-ES: a kernel was given but the firmware has no usable SEV hash-table entry.
    #[error("Kernel specified but OVMF doesn't support kernel/initrd/cmdline measurement")]
    KernelHashesUnsupported,
    /// The footer table has no SEV-ES reset block (needed for VMSAs).
    #[error("Can't find SEV_ES_RESET_BLOCK_GUID entry in OVMF table")]
    NoResetBlock,
    /// The footer table has no SEV hash-table entry (needed to place the hashes page).
    #[error("Can't find SEV_HASH_TABLE_RV_GUID entry in OVMF table")]
    NoHashTableEntry,
    /// The footer table of the SVSM image has no SVSM info entry.
    #[error("Can't find SVSM_INFO_GUID entry in SVSM table")]
    NoSvsmInfo,
    /// More than one vCPU but the reset block gives AP reset address 0.
    #[error("the SEV-ES reset block gives AP reset address 0: cannot build VMSAs for {vcpus} vCPUs")]
    NoApResetAddress {
        /// vCPUs requested.
        vcpus: u32,
    },
    /// The 176-byte hashes table would cross the end of its page.
    #[error("kernel hashes table at page offset {offset:#x} does not fit in a 4 KiB page")]
    HashTableDoesNotFit {
        /// Offset in the page (hash-table GPA & 0xFFF).
        offset: u32,
    },
    /// The SNP_KERNEL_HASHES section is not exactly one page.
    #[error("SNP_KERNEL_HASHES section is {size:#x} bytes, expected exactly one page (0x1000)")]
    KernelHashesSectionSize {
        /// Section size.
        size: u32,
    },
    /// A metadata section has a size that is not a multiple of 4 KiB.
    #[error("SEV metadata section {index} (type {kind:#x}) has size {size:#x}, expected a multiple of 0x1000")]
    SectionNotPageMultiple {
        /// Descriptor index.
        index: usize,
        /// Raw section type.
        kind: u32,
        /// Section size.
        size: u32,
    },
    /// A metadata section has a type this crate does not know.
    #[error("unknown OVMF metadata section type {kind:#x} (section {index}), expected 1, 2, 3, 4 or 0x10")]
    UnknownSectionType {
        /// Descriptor index.
        index: usize,
        /// Raw section type.
        kind: u32,
    },
    /// An image measured as NORMAL pages is not a whole number of pages.
    #[error("{what} is {len} bytes, expected a multiple of 4096")]
    NotPageMultiple {
        /// Which image.
        what: &'static str,
        /// Its length.
        len: u64,
    },
    /// An image does not fit below the address where it must end.
    #[error("{what} of {len} bytes cannot end at GPA {end:#x}")]
    DoesNotFit {
        /// Which image.
        what: &'static str,
        /// Its length.
        len: u64,
        /// Where it must end.
        end: u64,
    },
    /// A precomputed digest has the wrong length or is not hex.
    #[error("{what}: expected {expected} hex digits, got {found:?}")]
    BadHex {
        /// Which value.
        what: &'static str,
        /// Digits expected.
        expected: usize,
        /// What was given.
        found: String,
    },
    /// A parameter combination the mode does not accept.
    #[error("{0}")]
    Usage(&'static str),
    /// A file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating-system error.
        message: String,
    },
}
