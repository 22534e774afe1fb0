//! I-FORWARD-TSN chunk (RFC 8260 §2.3.1): FORWARD-TSN for I-DATA.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 194  | Flags = 0x00  |      Length = Variable        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       New Cumulative TSN                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |       Stream Identifier       |          Reserved           |U|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Message Identifier                      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                   (more 8-byte entries)                       /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::types::{Mid, StreamId, Tsn};
use crate::wire::{Reader, padded, write_chunk_header};

/// Chunk type of I-FORWARD-TSN.
pub const IFORWARD_TSN_TYPE: u8 = 194;

const WHAT: &str = "I-FORWARD-TSN chunk";

/// The last abandoned message of one stream, ordered or unordered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SkippedMessage {
    /// The stream.
    pub stream_id: StreamId,
    /// The U bit: the skipped message was unordered.
    pub unordered: bool,
    /// The largest MID skipped.
    pub mid: Mid,
}

/// Move the receiver's cumulative TSN forward past abandoned I-DATA.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct IForwardTsnChunk {
    /// The receiver treats every TSN up to this one as received.
    pub new_cumulative_tsn: Tsn,
    /// Streams whose skipped messages must be passed over.
    pub skipped: Vec<SkippedMessage>,
}

impl IForwardTsnChunk {
    /// Parses an I-FORWARD-TSN; the entry count comes from the bytes present.
    /// Reserved bits are ignored.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        let mut r = Reader::new(&raw.value, WHAT);
        let new_cumulative_tsn = Tsn(r.u32()?);
        if !r.remaining().is_multiple_of(8) {
            return Err(ParseError::InvalidLength {
                what: WHAT,
                length: raw.value.len(),
            });
        }
        let mut skipped = Vec::with_capacity(r.remaining() / 8);
        while r.remaining() > 0 {
            let stream_id = StreamId(r.u16()?);
            let unordered = r.u16()? & 1 != 0;
            skipped.push(SkippedMessage {
                stream_id,
                unordered,
                mid: Mid(r.u32()?),
            });
        }
        Ok(Self {
            new_cumulative_tsn,
            skipped,
        })
    }

    fn value_len(&self) -> usize {
        4 + 8 * self.skipped.len()
    }
}

impl WriteChunk for IForwardTsnChunk {
    #[inline]
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        out.reserve(self.serialized_len());
        write_chunk_header(out, IFORWARD_TSN_TYPE, 0, self.value_len());
        out.put_u32(self.new_cumulative_tsn.0);
        for s in &self.skipped {
            out.put_u16(s.stream_id.0);
            out.put_u16(u16::from(s.unordered));
            out.put_u32(s.mid.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = IForwardTsnChunk {
            new_cumulative_tsn: Tsn(42),
            skipped: vec![
                SkippedMessage {
                    stream_id: StreamId(1),
                    unordered: true,
                    mid: Mid(9),
                },
                SkippedMessage {
                    stream_id: StreamId(2),
                    unordered: false,
                    mid: Mid(u32::MAX),
                },
            ],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[194, 0, 0, 24]);
        assert_eq!(&out[8..16], &[0, 1, 0, 1, 0, 0, 0, 9]);
        let raw = RawChunk {
            typ: 194,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..]),
        };
        assert_eq!(IForwardTsnChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn partial_entry_is_rejected() {
        let raw = RawChunk {
            typ: 194,
            flags: 0,
            value: Bytes::from_static(&[0, 0, 0, 1, 0, 2, 0, 1]),
        };
        assert!(matches!(
            IForwardTsnChunk::parse(&raw),
            Err(ParseError::InvalidLength { .. })
        ));
    }
}
