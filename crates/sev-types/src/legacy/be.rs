//! An owned big-endian integer of bounded size, converted from AMD's little-endian storage.

use core::fmt;

/// A big-endian unsigned integer of at most `N` bytes, produced from AMD's little-endian fields.
///
/// Needs no allocator, so it works in `no_std` verifiers. Its length is the length of the field
/// it came from (e.g. `modulus_bits / 8`); [`BeInt::trimmed`] drops leading zero bytes.
///
/// ```
/// use sev_types::legacy::BeInt;
/// let x = BeInt::<4>::from_le(&[0x01, 0x00, 0x01, 0x00]).unwrap();
/// assert_eq!(x.as_bytes(), &[0x00, 0x01, 0x00, 0x01]);
/// assert_eq!(x.trimmed(), &[0x01, 0x00, 0x01]);
/// assert!(BeInt::<2>::from_le(&[1, 2, 3]).is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BeInt<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> BeInt<N> {
    /// Byte-reverses `le`; `None` if it is longer than `N`.
    pub fn from_le(le: &[u8]) -> Option<Self> {
        (le.len() <= N).then(|| Self::from_le_prefix(le))
    }

    /// Byte-reverses the first `N` bytes of `le` (all of it when shorter).
    pub(crate) fn from_le_prefix(le: &[u8]) -> Self {
        let le = le.get(..N).unwrap_or(le);
        let mut buf = [0u8; N];
        for (dst, src) in buf.iter_mut().zip(le.iter().rev()) {
            *dst = *src;
        }
        Self { buf, len: le.len() }
    }

    /// The big-endian bytes, as long as the source field.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The big-endian bytes without leading zero bytes (empty for zero).
    pub fn trimmed(&self) -> &[u8] {
        let b = self.as_bytes();
        let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        &b[first..]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the integer has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The value as a `u64` if it fits.
    pub fn to_u64(&self) -> Option<u64> {
        let t = self.trimmed();
        if t.len() > 8 {
            return None;
        }
        Some(t.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }
}

impl<const N: usize> core::ops::Deref for BeInt<N> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl<const N: usize> AsRef<[u8]> for BeInt<N> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl<const N: usize> fmt::Debug for BeInt<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&crate::fmt::Hex(self.as_bytes()), f)
    }
}

impl<const N: usize> fmt::Display for BeInt<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&crate::fmt::Hex(self.as_bytes()), f)
    }
}

#[cfg(feature = "serde")]
impl<const N: usize> serde::Serialize for BeInt<N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::fmt::serde_hex::serialize(&self.as_bytes(), s)
    }
}
