//! Byte-level helpers shared by every parser and serializer: a bounds-checked
//! reader, padding, and the TLV framing that parameters and error causes use.
//!
//! Nothing here indexes a slice with a value from the wire; every read goes
//! through a checked accessor so malformed input becomes a [`ParseError`].

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;

/// `len` rounded up to a multiple of four (SCTP pads chunks, parameters and
/// error causes to 32-bit boundaries).
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

/// Converts a length to its 16-bit wire field. Every caller bounds lengths
/// first (the packet writer never accepts more than 65535 bytes); saturating
/// keeps a misuse from panicking in release builds.
#[inline]
pub(crate) fn len16(len: usize) -> u16 {
    debug_assert!(len <= usize::from(u16::MAX), "length {len} exceeds 16 bits");
    u16::try_from(len).unwrap_or(u16::MAX)
}

/// `bytes[start..end]` without copying, or an error if out of range.
#[inline]
pub(crate) fn slice(
    bytes: &Bytes,
    start: usize,
    end: usize,
    what: &'static str,
) -> Result<Bytes, ParseError> {
    if start <= end && end <= bytes.len() {
        Ok(bytes.slice(start..end))
    } else {
        Err(ParseError::Truncated { what })
    }
}

/// A cursor that reads big-endian integers and fails instead of panicking.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`; errors name `what`.
    #[inline]
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Self { buf, pos: 0, what }
    }

    #[inline]
    fn take<const N: usize>(&mut self) -> Result<[u8; N], ParseError> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        match rest.first_chunk::<N>() {
            Some(a) => {
                self.pos += N;
                Ok(*a)
            }
            None => Err(ParseError::Truncated { what: self.what }),
        }
    }

    /// Reads one byte.
    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.take::<1>()?[0])
    }

    /// Reads a big-endian `u16`.
    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, ParseError> {
        Ok(u16::from_be_bytes(self.take()?))
    }

    /// Reads a big-endian `u32`.
    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.take()?))
    }

    /// Reads `N` raw bytes.
    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], ParseError> {
        self.take()
    }

    /// Offset of the next unread byte.
    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Fails unless every byte was read: used where trailing bytes mean a
    /// wrong length field.
    #[inline]
    pub(crate) fn finish(&self) -> Result<(), ParseError> {
        match self.remaining() {
            0 => Ok(()),
            _ => Err(ParseError::InvalidLength {
                what: self.what,
                length: self.buf.len(),
            }),
        }
    }
}

/// One type-length-value item (parameter or error cause), value without its
/// 4-byte header and padding.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct RawTlv {
    pub(crate) typ: u16,
    pub(crate) value: Bytes,
}

/// Iterates the TLVs packed in `buf` (RFC 9260 §3.2.1: 16-bit type, 16-bit
/// length including the header but not the padding, value, zero padding to
/// four bytes; the padding of the last item may be absent).
///
/// After the first error it yields nothing more.
#[derive(Debug)]
pub(crate) struct TlvIter {
    buf: Bytes,
    pos: usize,
    what: &'static str,
}

impl TlvIter {
    pub(crate) fn new(buf: Bytes, what: &'static str) -> Self {
        Self { buf, pos: 0, what }
    }

    fn next_tlv(&mut self) -> Result<RawTlv, ParseError> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let mut r = Reader::new(rest, self.what);
        let typ = r.u16()?;
        let len = usize::from(r.u16()?);
        if len < 4 {
            return Err(ParseError::InvalidLength {
                what: self.what,
                length: len,
            });
        }
        let value = slice(&self.buf, self.pos + 4, self.pos + len, self.what)?;
        // Missing padding after the last item is tolerated.
        self.pos = (self.pos + padded(len)).min(self.buf.len());
        Ok(RawTlv { typ, value })
    }
}

impl Iterator for TlvIter {
    type Item = Result<RawTlv, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let item = self.next_tlv();
        if item.is_err() {
            self.pos = self.buf.len();
        }
        Some(item)
    }
}

/// Something encoded as a TLV: parameters and error causes.
pub(crate) trait Tlv {
    /// The 16-bit type (parameter type or cause code).
    fn tlv_type(&self) -> u16;
    /// Length of the value alone, without header or padding.
    fn value_len(&self) -> usize;
    /// Appends the value alone.
    fn write_value(&self, out: &mut BytesMut);
}

/// Size of `t` on the wire, header and padding included.
#[inline]
pub(crate) fn tlv_padded_len<T: Tlv + ?Sized>(t: &T) -> usize {
    padded(4 + t.value_len())
}

/// Appends `t` with its header and padding.
pub(crate) fn write_tlv<T: Tlv + ?Sized>(t: &T, out: &mut BytesMut) {
    let start = out.len();
    let len = 4 + t.value_len();
    out.reserve(padded(len));
    out.put_u16(t.tlv_type());
    out.put_u16(len16(len));
    t.write_value(out);
    debug_assert_eq!(
        out.len() - start,
        len,
        "TLV value_len disagrees with write_value"
    );
    pad_from(out, start);
}

/// Length of a TLV list inside a chunk, as counted by the chunk's length
/// field: every item padded except the last (RFC 9260 §3.2: the chunk length
/// includes the padding of all parameters but the last one).
pub(crate) fn tlv_list_len<'a, T: Tlv + 'a>(items: impl IntoIterator<Item = &'a T>) -> usize {
    let mut total = 0;
    let mut last_pad = 0;
    for t in items {
        let len = 4 + t.value_len();
        total += padded(len);
        last_pad = padded(len) - len;
    }
    total - last_pad
}

/// Appends a TLV list, every item padded (the padding of the last one is then
/// the chunk's own padding).
pub(crate) fn write_tlv_list<'a, T: Tlv + 'a>(
    items: impl IntoIterator<Item = &'a T>,
    out: &mut BytesMut,
) {
    for t in items {
        write_tlv(t, out);
    }
}

/// Appends a chunk header: type, flags, and length (header plus value,
/// excluding the final padding).
#[inline]
pub(crate) fn write_chunk_header(out: &mut BytesMut, typ: u8, flags: u8, value_len: usize) {
    out.put_u8(typ);
    out.put_u8(flags);
    out.put_u16(len16(4 + value_len));
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
        let mut b = BytesMut::new();
        b.put_u8(1);
        pad_from(&mut b, 0);
        assert_eq!(&b[..], &[1, 0, 0, 0]);
    }

    #[test]
    fn reader_fails_instead_of_panicking() {
        let mut r = Reader::new(&[1, 2, 3], "t");
        assert_eq!(r.u16(), Ok(0x0102));
        assert_eq!(r.u16(), Err(ParseError::Truncated { what: "t" }));
        assert_eq!(r.u8(), Ok(3));
        assert_eq!(r.u8(), Err(ParseError::Truncated { what: "t" }));
        assert!(r.finish().is_ok());
    }

    #[test]
    fn tlv_iter_tolerates_missing_last_padding_and_rejects_overruns() {
        let buf = Bytes::from_static(&[0, 1, 0, 5, 9, 0, 0, 0, 0, 2, 0, 6, 7, 8]);
        let items: Vec<_> = TlvIter::new(buf, "t").collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].as_ref().unwrap().value, Bytes::from_static(&[9]));
        assert_eq!(items[1].as_ref().unwrap().typ, 2);

        let bad = Bytes::from_static(&[0, 1, 0, 9, 1, 2]);
        let items: Vec<_> = TlvIter::new(bad, "t").collect();
        assert_eq!(items, vec![Err(ParseError::Truncated { what: "t" })]);

        let short = Bytes::from_static(&[0, 1, 0, 3, 0, 0, 0, 0]);
        let items: Vec<_> = TlvIter::new(short, "t").collect();
        assert!(matches!(items[..], [Err(ParseError::InvalidLength { .. })]));

        let stub = Bytes::from_static(&[0, 1, 0, 4, 0, 0]);
        let items: Vec<_> = TlvIter::new(stub, "t").collect();
        assert!(matches!(
            items[..],
            [Ok(_), Err(ParseError::Truncated { .. })]
        ));
    }
}
