//! A chunk as framed in a packet, before its value is interpreted.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Chunk Type  | Chunk  Flags  |        Chunk Length           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                          Chunk Value                          \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Chunk Length counts the 4-byte header and the value, not the zero padding
//! that follows to a multiple of four (RFC 9260 §3.2).

use bytes::{BufMut, Bytes, BytesMut};

use super::WriteChunk;
use crate::wire::{padded, write_chunk_header};

/// A chunk's type, flags and value (a slice of the received datagram,
/// without the header and the padding).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RawChunk {
    /// Chunk type.
    pub typ: u8,
    /// Chunk flags (meaning depends on the type).
    pub flags: u8,
    /// Chunk value.
    pub value: Bytes,
}

impl RawChunk {
    /// The chunk as it appeared on the wire (header and value, no padding):
    /// the content of the "Unrecognized Chunk Type" error cause.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(4 + self.value.len());
        write_chunk_header(&mut out, self.typ, self.flags, self.value.len());
        out.put_slice(&self.value);
        out.freeze()
    }
}

impl WriteChunk for RawChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.value.len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        write_chunk_header(out, self.typ, self.flags, self.value.len());
        out.put_slice(&self.value);
        crate::wire::pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_chunk_bytes_and_padding() {
        let c = RawChunk {
            typ: 0xC1,
            flags: 3,
            value: Bytes::from_static(&[1, 2, 3]),
        };
        assert_eq!(&c.to_bytes()[..], &[0xC1, 3, 0, 7, 1, 2, 3]);
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(&out[..], &[0xC1, 3, 0, 7, 1, 2, 3, 0]);
        assert_eq!(c.serialized_len(), out.len());
    }
}
