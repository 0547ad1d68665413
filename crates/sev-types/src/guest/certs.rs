//! The certificate table of the extended guest request (`SNP_GET_EXT_REPORT`'s certificate
//! buffer, configfs-tsm's `auxblob`, KVM_EXIT_SNP_REQ_CERTS).
//!
//! The buffer starts with 24-byte entries `{GUID, offset u32, length u32}` ended by an all-zero
//! entry; the certificate blobs follow, addressed by offsets from the start of the buffer.
//! [`CertTable::from_bytes`] checks every entry before handing out any blob:
//!
//! * an empty buffer is a valid table with no entries (the host supplied no certificates);
//! * otherwise the terminator must be present ([`ParseError::MissingTerminator`]);
//! * each blob must lie after the table, terminator included, and end within the buffer
//!   ([`ParseError::OutOfBounds`]; offset + length is computed without `u32` overflow).
//!
//! Blobs may overlap each other and may share bytes; that is accepted (nothing in the format
//! forbids it, and nothing here depends on it). Entries with GUIDs this crate does not know are
//! kept as [`CertKind::Unknown`].
//!
//! ```
//! use sev_types::guest::{CertKind, CertTable};
//! # #[cfg(feature = "alloc")] {
//! use sev_types::guest::certs::CertTableBuilder;
//! let buf = CertTableBuilder::new()
//!     .push(CertKind::Vcek, b"vcek der")
//!     .push(CertKind::Ask, b"ask der")
//!     .build()?;
//! let table = CertTable::from_bytes(&buf)?;
//! assert_eq!(table.len(), 2);
//! assert_eq!(table.get(CertKind::Vcek), Some(&b"vcek der"[..]));
//! assert_eq!(table.get(CertKind::Vlek), None);
//! # }
//! assert!(CertTable::from_bytes(&[])?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::assert_offsets;
use crate::guid::Guid;
use crate::{ParseError, U32};

/// Size of one table entry.
pub const ENTRY_LEN: usize = 24;

const WHAT: &str = "certificate table";

/// GUID of the ARK certificate.
pub const ARK_GUID: Guid = Guid::literal_rfc4122("c0b406a4-a803-4952-9743-3fb6014cd0ae");
/// GUID of the ASK certificate (also used for the ASVK in a VLEK chain).
pub const ASK_GUID: Guid = Guid::literal_rfc4122("4ab7b379-bbac-4fe4-a02f-05aef327c782");
/// GUID of the VCEK certificate.
pub const VCEK_GUID: Guid = Guid::literal_rfc4122("63da758d-e664-4564-adc5-f4b93be8accd");
/// GUID of the VLEK certificate.
pub const VLEK_GUID: Guid = Guid::literal_rfc4122("a8074bc2-a25a-483e-aae6-39c045a0b8a1");
/// GUID of a CRL blob (used by virtee/sev; not in the GHCB spec).
pub const CRL_GUID: Guid = Guid::literal_rfc4122("92f81bc3-5811-4d3d-97ff-d19f88dc67ea");

/// What a table entry holds, by its GUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CertKind {
    /// AMD Root Key certificate.
    Ark,
    /// AMD SEV Key certificate, or the ASVK in a VLEK chain (same GUID).
    Ask,
    /// Versioned Chip Endorsement Key certificate.
    Vcek,
    /// Versioned Loaded Endorsement Key certificate.
    Vlek,
    /// Certificate revocation list(s).
    Crl,
    /// Any other GUID (kept verbatim).
    Unknown(Guid),
}

impl CertKind {
    /// The kind named by `guid`.
    pub const fn from_guid(guid: Guid) -> Self {
        match guid.0 {
            g if eq16(&g, &ARK_GUID.0) => CertKind::Ark,
            g if eq16(&g, &ASK_GUID.0) => CertKind::Ask,
            g if eq16(&g, &VCEK_GUID.0) => CertKind::Vcek,
            g if eq16(&g, &VLEK_GUID.0) => CertKind::Vlek,
            g if eq16(&g, &CRL_GUID.0) => CertKind::Crl,
            _ => CertKind::Unknown(guid),
        }
    }

    /// The GUID stored in the table for this kind.
    pub const fn guid(self) -> Guid {
        match self {
            CertKind::Ark => ARK_GUID,
            CertKind::Ask => ASK_GUID,
            CertKind::Vcek => VCEK_GUID,
            CertKind::Vlek => VLEK_GUID,
            CertKind::Crl => CRL_GUID,
            CertKind::Unknown(g) => g,
        }
    }

    /// A short lowercase name (`ark`, `ask`, `vcek`, `vlek`, `crl`), or `None` for unknown GUIDs.
    pub const fn name(self) -> Option<&'static str> {
        match self {
            CertKind::Ark => Some("ark"),
            CertKind::Ask => Some("ask"),
            CertKind::Vcek => Some("vcek"),
            CertKind::Vlek => Some("vlek"),
            CertKind::Crl => Some("crl"),
            CertKind::Unknown(_) => None,
        }
    }

    /// Looks a kind up by its name (case-insensitive; `asvk` is accepted for [`CertKind::Ask`])
    /// or by a GUID string.
    pub fn from_name(s: &str) -> Option<Self> {
        const NAMES: [(&str, CertKind); 6] = [
            ("ark", CertKind::Ark),
            ("ask", CertKind::Ask),
            ("asvk", CertKind::Ask),
            ("vcek", CertKind::Vcek),
            ("vlek", CertKind::Vlek),
            ("crl", CertKind::Crl),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, k)| k)
            .or_else(|| Guid::from_str_rfc4122(s).map(CertKind::from_guid))
    }
}

const fn eq16(a: &[u8; 16], b: &[u8; 16]) -> bool {
    let mut i = 0;
    while i < 16 {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl From<Guid> for CertKind {
    fn from(g: Guid) -> Self {
        CertKind::from_guid(g)
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertKind::Ark => f.write_str("ARK"),
            CertKind::Ask => f.write_str("ASK/ASVK"),
            CertKind::Vcek => f.write_str("VCEK"),
            CertKind::Vlek => f.write_str("VLEK"),
            CertKind::Crl => f.write_str("CRL"),
            CertKind::Unknown(g) => write!(f, "unknown {g}"),
        }
    }
}

/// Serialized as its name (`"vcek"`), or the GUID string when unknown.
#[cfg(feature = "serde")]
impl serde::Serialize for CertKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.collect_str(&self.guid()),
        }
    }
}

/// Accepts a name (`"vcek"`, `"asvk"`, ...) or a GUID string.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CertKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = CertKind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a certificate kind (ark, ask, asvk, vcek, vlek, crl) or a GUID")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CertKind, E> {
                CertKind::from_name(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_str(V)
    }
}

/// One raw 24-byte table entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CertEntry {
    /// 0x00: GUID in RFC 4122 byte order.
    pub guid: Guid,
    /// 0x10: offset of the blob from the start of the buffer.
    pub offset: U32,
    /// 0x14: length of the blob.
    pub length: U32,
}

assert_offsets!(CertEntry {
    guid: 0x00,
    offset: 0x10,
    length: 0x14
});
const _: () = assert!(size_of::<CertEntry>() == ENTRY_LEN);

impl CertEntry {
    /// Whether this is the all-zero terminator.
    pub fn is_terminator(&self) -> bool {
        self.guid.is_nil() && self.offset.get() == 0 && self.length.get() == 0
    }

    /// The kind named by the GUID.
    pub fn kind(&self) -> CertKind {
        CertKind::from_guid(self.guid)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CertEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("CertEntry", 4)?;
        st.serialize_field("guid", &self.guid)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("offset", &self.offset.get())?;
        st.serialize_field("length", &self.length.get())?;
        st.end()
    }
}

/// A checked, borrowed view of a certificate table.
#[derive(Clone, Copy)]
pub struct CertTable<'a> {
    bytes: &'a [u8],
    entries: &'a [CertEntry],
}

/// One certificate of a [`CertTable`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cert<'a> {
    /// What the GUID says the blob is.
    pub kind: CertKind,
    /// The blob (DER for X.509 certificates).
    pub data: &'a [u8],
}

impl Cert<'_> {
    /// The GUID of the entry.
    pub fn guid(&self) -> Guid {
        self.kind.guid()
    }
}

impl<'a> CertTable<'a> {
    /// Parses and bounds-checks a certificate buffer (see the [module docs](self)).
    ///
    /// The table is the whole of `bytes`: every offset and length is checked against its length,
    /// so pass exactly the buffer the host filled (trailing zero padding is fine).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, ParseError> {
        if bytes.is_empty() {
            return Ok(CertTable { bytes, entries: &[] });
        }
        let all = <[CertEntry]>::ref_from_prefix_with_elems(bytes, bytes.len() / ENTRY_LEN)
            .map(|(e, _)| e)
            .unwrap_or(&[]);
        let count = all
            .iter()
            .position(CertEntry::is_terminator)
            .ok_or(ParseError::MissingTerminator {
                what: WHAT,
                len: bytes.len(),
            })?;
        let entries = all.get(..count).unwrap_or(&[]);
        let table_end = (count as u64 + 1) * ENTRY_LEN as u64;
        let max = bytes.len() as u64;
        for (index, e) in entries.iter().enumerate() {
            let offset = u64::from(e.offset.get());
            let end = offset + u64::from(e.length.get());
            if offset < table_end || end > max {
                return Err(ParseError::OutOfBounds {
                    what: WHAT,
                    index,
                    offset,
                    end,
                    min: table_end,
                    max,
                });
            }
        }
        Ok(CertTable { bytes, entries })
    }

    /// The whole buffer, as given.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The raw entries, terminator excluded.
    pub fn entries(&self) -> &'a [CertEntry] {
        self.entries
    }

    /// Number of certificates.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table holds no certificates.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes taken by the table including its terminator (0 for an empty buffer).
    pub fn table_len(&self) -> usize {
        if self.bytes.is_empty() {
            0
        } else {
            (self.entries.len() + 1) * ENTRY_LEN
        }
    }

    fn blob(&self, e: &CertEntry) -> &'a [u8] {
        let start = e.offset.get() as usize;
        let end = start + e.length.get() as usize;
        // Every entry was bounds-checked in `from_bytes`.
        &self.bytes[start..end]
    }

    /// The certificates in table order.
    pub fn iter(&self) -> CertIter<'a> {
        CertIter {
            table: *self,
            inner: self.entries.iter(),
        }
    }

    /// The first blob of `kind`.
    pub fn get(&self, kind: CertKind) -> Option<&'a [u8]> {
        self.get_guid(&kind.guid())
    }

    /// The first blob whose entry has `guid`.
    pub fn get_guid(&self, guid: &Guid) -> Option<&'a [u8]> {
        self.entries.iter().find(|e| e.guid == *guid).map(|e| self.blob(e))
    }

    /// The endorsement key certificate: the VLEK if present, else the VCEK.
    pub fn endorsement_key(&self) -> Option<Cert<'a>> {
        [CertKind::Vlek, CertKind::Vcek].into_iter().find_map(|kind| {
            Some(Cert {
                kind,
                data: self.get(kind)?,
            })
        })
    }
}

impl<'a> IntoIterator for &CertTable<'a> {
    type Item = Cert<'a>;
    type IntoIter = CertIter<'a>;

    fn into_iter(self) -> CertIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for CertTable<'a> {
    type Item = Cert<'a>;
    type IntoIter = CertIter<'a>;

    fn into_iter(self) -> CertIter<'a> {
        self.iter()
    }
}

/// Iterator over the certificates of a [`CertTable`], in table order.
#[derive(Clone)]
pub struct CertIter<'a> {
    table: CertTable<'a>,
    inner: core::slice::Iter<'a, CertEntry>,
}

impl<'a> Iterator for CertIter<'a> {
    type Item = Cert<'a>;

    fn next(&mut self) -> Option<Cert<'a>> {
        let e = self.inner.next()?;
        Some(Cert {
            kind: e.kind(),
            data: self.table.blob(e),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl ExactSizeIterator for CertIter<'_> {}

impl fmt::Debug for CertTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|c| (c.kind, c.data.len())))
            .finish()
    }
}

impl fmt::Display for CertTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("certificate table: empty");
        }
        write!(f, "certificate table: {} entries", self.len())?;
        for e in self.entries {
            write!(
                f,
                "\n  {:<8} {} offset {:#x} length {}",
                e.kind(),
                e.guid,
                e.offset.get(),
                e.length.get()
            )?;
        }
        Ok(())
    }
}

/// Serialized as a list of `{kind, guid, data: hex}`.
#[cfg(feature = "serde")]
impl serde::Serialize for CertTable<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Cert<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Cert", 3)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("guid", &self.guid())?;
        st.serialize_field("data", &crate::fmt::Hex(self.data))?;
        st.end()
    }
}

#[cfg(feature = "alloc")]
pub use builder::{CertTableBuilder, CertTableTooLarge};

#[cfg(feature = "alloc")]
mod builder {
    use alloc::vec::Vec;

    use zerocopy::IntoBytes;

    use super::{CertEntry, CertKind, ENTRY_LEN};
    use crate::U32;
    use crate::guid::Guid;

    /// The blobs do not fit in a table whose offsets and lengths are `u32`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
    #[cfg_attr(feature = "serde", derive(serde::Serialize))]
    #[error("certificate table would be {len} bytes; offsets are limited to 4 GiB")]
    pub struct CertTableTooLarge {
        /// The size the table would have had.
        pub len: u64,
    }

    /// Lays out a certificate table: entries in push order, the terminator, then each blob in
    /// push order with no gaps, optionally zero-padded to a multiple of the 4 KiB page size (what
    /// `SNP_GET_EXT_REPORT` and the GHCB expect of the buffer).
    ///
    /// Parsing the output with [`CertTable::from_bytes`](super::CertTable::from_bytes) returns
    /// the same entries and blobs.
    #[derive(Debug, Clone, Default)]
    pub struct CertTableBuilder<'b> {
        certs: Vec<(Guid, &'b [u8])>,
        page_align: bool,
    }

    /// The page size the builder pads to.
    pub const PAGE_SIZE: usize = 4096;

    impl<'b> CertTableBuilder<'b> {
        /// An empty builder.
        pub fn new() -> Self {
            Self::default()
        }

        /// Adds a blob of `kind`.
        pub fn push(mut self, kind: CertKind, data: &'b [u8]) -> Self {
            self.certs.push((kind.guid(), data));
            self
        }

        /// Adds a blob under an arbitrary GUID.
        pub fn push_guid(mut self, guid: Guid, data: &'b [u8]) -> Self {
            self.certs.push((guid, data));
            self
        }

        /// Pads the output with zeros to a multiple of 4096 bytes.
        pub fn page_aligned(mut self, yes: bool) -> Self {
            self.page_align = yes;
            self
        }

        /// Builds the buffer. With no blobs the output is the terminator alone (padded if asked).
        pub fn build(&self) -> Result<Vec<u8>, CertTableTooLarge> {
            let table_len = (self.certs.len() + 1) * ENTRY_LEN;
            let total = self
                .certs
                .iter()
                .fold(table_len as u64, |acc, (_, d)| acc + d.len() as u64);
            let padded = if self.page_align {
                total.div_ceil(PAGE_SIZE as u64) * PAGE_SIZE as u64
            } else {
                total
            };
            let too_large = CertTableTooLarge { len: padded };
            let padded_len = usize::try_from(padded).map_err(|_| too_large)?;
            u32::try_from(total).map_err(|_| too_large)?;

            let mut out = Vec::with_capacity(padded_len);
            let mut offset = table_len;
            for (guid, data) in &self.certs {
                let e = CertEntry {
                    guid: *guid,
                    offset: U32::new(offset as u32),
                    length: U32::new(data.len() as u32),
                };
                out.extend_from_slice(e.as_bytes());
                offset += data.len();
            }
            out.extend_from_slice(&[0; ENTRY_LEN]);
            for (_, data) in &self.certs {
                out.extend_from_slice(data);
            }
            out.resize(padded_len, 0);
            Ok(out)
        }
    }

    impl<'b> FromIterator<(CertKind, &'b [u8])> for CertTableBuilder<'b> {
        fn from_iter<I: IntoIterator<Item = (CertKind, &'b [u8])>>(iter: I) -> Self {
            iter.into_iter().fold(Self::new(), |b, (k, d)| b.push(k, d))
        }
    }

    impl<'b> From<super::CertTable<'b>> for CertTableBuilder<'b> {
        /// The blobs of a parsed table, in table order (to re-lay them out contiguously).
        fn from(t: super::CertTable<'b>) -> Self {
            t.iter().map(|c| (c.kind, c.data)).collect()
        }
    }
}
