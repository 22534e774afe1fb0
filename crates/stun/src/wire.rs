//! Byte-level helpers shared by every parser and serializer: a bounds-checked
//! reader and the 32-bit padding STUN uses for attributes.
//!
//! Nothing here indexes a slice with a value from the wire; every read goes
//! through a checked accessor so malformed input becomes an error.

use bytes::{BufMut, BytesMut};

/// `len` rounded up to a multiple of four (STUN pads every attribute value
/// to a 32-bit boundary, RFC 8489 §14).
#[inline]
pub(crate) const fn padded(len: usize) -> usize {
    (len + 3) & !3
}

/// Appends zero bytes until the bytes written since `start` are a multiple
/// of four.
#[inline]
pub(crate) fn pad_from(out: &mut BytesMut, start: usize) {
    let written = out.len().saturating_sub(start);
    out.put_bytes(0, padded(written) - written);
}

/// Converts a length to its 16-bit wire field. Callers bound lengths first;
/// saturating keeps a misuse from panicking in release builds.
#[inline]
pub(crate) fn len16(len: usize) -> u16 {
    debug_assert!(len <= usize::from(u16::MAX), "length {len} exceeds 16 bits");
    u16::try_from(len).unwrap_or(u16::MAX)
}

/// A cursor that reads big-endian integers and returns `None` instead of
/// panicking when the bytes run out.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    #[inline]
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    #[inline]
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let a = *self.buf.get(self.pos..)?.first_chunk::<N>()?;
        self.pos += N;
        Some(a)
    }

    /// Reads one byte.
    #[inline]
    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }

    /// Reads a big-endian `u16`.
    #[inline]
    pub(crate) fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take()?))
    }

    /// Reads a big-endian `u32`.
    #[inline]
    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take()?))
    }

    /// Reads a big-endian `u64`.
    #[inline]
    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take()?))
    }

    /// Reads `N` raw bytes.
    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding() {
        assert_eq!(padded(0), 0);
        assert_eq!(padded(1), 4);
        assert_eq!(padded(4), 4);
        assert_eq!(padded(5), 8);
        let mut out = BytesMut::from(&b"abcde"[..]);
        pad_from(&mut out, 0);
        assert_eq!(&out[..], b"abcde\0\0\0");
    }

    #[test]
    fn reader_stops_at_the_end() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5]);
        assert_eq!(r.u16(), Some(0x0102));
        assert_eq!(r.u32(), None);
        assert_eq!(r.u8(), Some(3));
        assert_eq!(r.array::<2>(), Some([4, 5]));
        assert_eq!(r.u8(), None);
        assert_eq!(Reader::new(&[0; 8]).u64(), Some(0));
    }
}
