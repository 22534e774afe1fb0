//! SHUTDOWN ACK chunk (RFC 9260 §3.3.9): acknowledges a SHUTDOWN once all data
//! is acknowledged.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Type = 8   |  Chunk Flags  |          Length = 4           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::BytesMut;

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::wire::write_chunk_header;

/// SHUTDOWN ACK (no content).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ShutdownAckChunk;

impl ShutdownAckChunk {
    /// Chunk type.
    pub const TYPE: u8 = 8;

    /// Parses the chunk. A value is ignored rather than rejected: it changes
    /// nothing about the chunk's meaning.
    pub fn parse(_raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self)
    }
}

impl WriteChunk for ShutdownAckChunk {
    fn serialized_len(&self) -> usize {
        4
    }

    fn serialize(&self, out: &mut BytesMut) {
        write_chunk_header(out, Self::TYPE, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let mut out = BytesMut::new();
        ShutdownAckChunk.serialize(&mut out);
        assert_eq!(&out[..], &[8, 0, 0, 4]);
        let raw = RawChunk {
            typ: 8,
            flags: 0,
            value: Bytes::new(),
        };
        assert_eq!(ShutdownAckChunk::parse(&raw), Ok(ShutdownAckChunk));
    }

    #[test]
    fn trailing_value_is_ignored() {
        let raw = RawChunk {
            typ: 8,
            flags: 0xFF,
            value: Bytes::from_static(&[1, 2, 3]),
        };
        assert_eq!(ShutdownAckChunk::parse(&raw), Ok(ShutdownAckChunk));
    }
}
