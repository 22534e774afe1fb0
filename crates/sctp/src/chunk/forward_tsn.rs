//! FORWARD-TSN chunk (RFC 3758 §3.2): the sender abandoned data up to a TSN.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 192  |  Flags = 0x00 |        Length = Variable      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      New Cumulative TSN                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Stream-1              |       Stream Sequence-1       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                              ...                              /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Stream-N              |       Stream Sequence-N       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::types::{Ssn, StreamId, Tsn};
use crate::wire::{Reader, padded, write_chunk_header};

/// Chunk type of FORWARD-TSN.
pub const FORWARD_TSN_TYPE: u8 = 192;

const WHAT: &str = "FORWARD-TSN chunk";

/// The last abandoned ordered message of one stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SkippedStream {
    /// The stream.
    pub stream_id: StreamId,
    /// The largest SSN skipped on that stream.
    pub ssn: Ssn,
}

/// Move the receiver's cumulative TSN forward past abandoned data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ForwardTsnChunk {
    /// The receiver treats every TSN up to this one as received.
    pub new_cumulative_tsn: Tsn,
    /// Ordered streams whose skipped messages must be passed over.
    pub skipped_streams: Vec<SkippedStream>,
}

impl ForwardTsnChunk {
    /// Parses a FORWARD-TSN; the entry count comes from the bytes present.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        let mut r = Reader::new(&raw.value, WHAT);
        let new_cumulative_tsn = Tsn(r.u32()?);
        if !r.remaining().is_multiple_of(4) {
            return Err(ParseError::InvalidLength {
                what: WHAT,
                length: raw.value.len(),
            });
        }
        let mut skipped_streams = Vec::with_capacity(r.remaining() / 4);
        while r.remaining() > 0 {
            skipped_streams.push(SkippedStream {
                stream_id: StreamId(r.u16()?),
                ssn: Ssn(r.u16()?),
            });
        }
        Ok(Self {
            new_cumulative_tsn,
            skipped_streams,
        })
    }

    fn value_len(&self) -> usize {
        4 + 4 * self.skipped_streams.len()
    }
}

impl WriteChunk for ForwardTsnChunk {
    #[inline]
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        out.reserve(self.serialized_len());
        write_chunk_header(out, FORWARD_TSN_TYPE, 0, self.value_len());
        out.put_u32(self.new_cumulative_tsn.0);
        for s in &self.skipped_streams {
            out.put_u16(s.stream_id.0);
            out.put_u16(s.ssn.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = ForwardTsnChunk {
            new_cumulative_tsn: Tsn(0xFFFF_FFFF),
            skipped_streams: vec![
                SkippedStream {
                    stream_id: StreamId(1),
                    ssn: Ssn(2),
                },
                SkippedStream {
                    stream_id: StreamId(65535),
                    ssn: Ssn(65535),
                },
            ],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[192, 0, 0, 16]);
        let raw = RawChunk {
            typ: 192,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..]),
        };
        assert_eq!(ForwardTsnChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn malformed() {
        let raw = RawChunk {
            typ: 192,
            flags: 0,
            value: Bytes::from_static(&[0, 0, 0, 1, 0, 2]),
        };
        assert!(matches!(
            ForwardTsnChunk::parse(&raw),
            Err(ParseError::InvalidLength { .. })
        ));
        let raw = RawChunk {
            typ: 192,
            flags: 0,
            value: Bytes::from_static(&[0, 0, 1]),
        };
        assert!(matches!(
            ForwardTsnChunk::parse(&raw),
            Err(ParseError::Truncated { .. })
        ));
    }
}
