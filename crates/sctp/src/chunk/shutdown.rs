//! SHUTDOWN chunk (RFC 9260 §3.3.8): graceful close, acknowledging data up
//! to a TSN.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 7    |  Chunk Flags  |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Cumulative TSN Ack                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::types::Tsn;
use crate::wire::{Reader, write_chunk_header};

/// SHUTDOWN: the sender has no more data to send.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ShutdownChunk {
    /// Every TSN up to and including this one was received.
    pub cumulative_tsn_ack: Tsn,
}

impl ShutdownChunk {
    /// Chunk type.
    pub const TYPE: u8 = 7;

    /// Parses the chunk: exactly four value bytes.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        let mut r = Reader::new(&raw.value, "SHUTDOWN chunk");
        let cumulative_tsn_ack = Tsn(r.u32()?);
        r.finish()?;
        Ok(Self { cumulative_tsn_ack })
    }
}

impl WriteChunk for ShutdownChunk {
    fn serialized_len(&self) -> usize {
        8
    }

    fn serialize(&self, out: &mut BytesMut) {
        write_chunk_header(out, Self::TYPE, 0, 4);
        out.put_u32(self.cumulative_tsn_ack.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = ShutdownChunk {
            cumulative_tsn_ack: Tsn(0x0102_0304),
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(&out[..], &[7, 0, 0, 8, 1, 2, 3, 4]);
        let raw = RawChunk {
            typ: 7,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..]),
        };
        assert_eq!(ShutdownChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn wrong_length() {
        for v in [&[1u8, 2, 3][..], &[1, 2, 3, 4, 5, 6, 7, 8]] {
            let raw = RawChunk {
                typ: 7,
                flags: 0,
                value: Bytes::copy_from_slice(v),
            };
            assert!(ShutdownChunk::parse(&raw).is_err());
        }
    }
}
