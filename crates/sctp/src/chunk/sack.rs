//! SACK chunk (RFC 9260 §3.3.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 3    |  Chunk Flags  |         Chunk Length          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Cumulative TSN Ack                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Advertised Receiver Window Credit (a_rwnd)          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Number of Gap Ack Blocks = N  |  Number of Duplicate TSNs = M |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Gap Ack Block #1 Start     |      Gap Ack Block #1 End     |
//! /                              ...                              /
//! |    Gap Ack Block #N Start     |      Gap Ack Block #N End     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Duplicate TSN 1                         |
//! /                              ...                              /
//! |                       Duplicate TSN M                         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The counts are checked against the bytes present before anything is
//! allocated: the chunk must hold exactly `4 * (N + M)` bytes after the
//! fixed part.

use bytes::{BufMut, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::types::Tsn;
use crate::wire::{Reader, padded, write_chunk_header};

/// Chunk type of SACK.
pub const SACK_TYPE: u8 = 3;

const WHAT: &str = "SACK chunk";

/// A gap ack block: TSNs `cumulative_tsn_ack + start ..= cumulative_tsn_ack + end`
/// were received.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GapAckBlock {
    /// Offset of the first TSN of the block from the cumulative TSN ack.
    pub start: u16,
    /// Offset of the last TSN of the block from the cumulative TSN ack.
    pub end: u16,
}

/// Selective acknowledgement.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SackChunk {
    /// Every TSN up to and including this one was received.
    pub cumulative_tsn_ack: Tsn,
    /// Advertised receiver window credit, in bytes.
    pub a_rwnd: u32,
    /// Blocks received beyond the cumulative ack, in ascending order.
    pub gap_ack_blocks: Vec<GapAckBlock>,
    /// TSNs received more than once since the last SACK.
    pub duplicate_tsns: Vec<Tsn>,
}

impl SackChunk {
    /// Parses a SACK. The vectors allocate only when the peer sent blocks or
    /// duplicates, and only after their bytes were found to be present.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        let mut r = Reader::new(&raw.value, WHAT);
        let cumulative_tsn_ack = Tsn(r.u32()?);
        let a_rwnd = r.u32()?;
        let gaps = usize::from(r.u16()?);
        let dups = usize::from(r.u16()?);
        if r.remaining() != 4 * (gaps + dups) {
            return Err(ParseError::InvalidLength {
                what: WHAT,
                length: raw.value.len(),
            });
        }
        let mut gap_ack_blocks = Vec::with_capacity(gaps);
        for _ in 0..gaps {
            gap_ack_blocks.push(GapAckBlock {
                start: r.u16()?,
                end: r.u16()?,
            });
        }
        let mut duplicate_tsns = Vec::with_capacity(dups);
        for _ in 0..dups {
            duplicate_tsns.push(Tsn(r.u32()?));
        }
        Ok(Self {
            cumulative_tsn_ack,
            a_rwnd,
            gap_ack_blocks,
            duplicate_tsns,
        })
    }

    fn value_len(&self) -> usize {
        12 + 4 * (self.gap_ack_blocks.len() + self.duplicate_tsns.len())
    }
}

impl WriteChunk for SackChunk {
    #[inline]
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    /// Appends the SACK. The block and duplicate counts are 16-bit on the
    /// wire; the caller keeps the lists within that (and within the MTU).
    fn serialize(&self, out: &mut BytesMut) {
        out.reserve(self.serialized_len());
        write_chunk_header(out, SACK_TYPE, 0, self.value_len());
        out.put_u32(self.cumulative_tsn_ack.0);
        out.put_u32(self.a_rwnd);
        out.put_u16(crate::wire::len16(self.gap_ack_blocks.len()));
        out.put_u16(crate::wire::len16(self.duplicate_tsns.len()));
        for b in &self.gap_ack_blocks {
            out.put_u16(b.start);
            out.put_u16(b.end);
        }
        for t in &self.duplicate_tsns {
            out.put_u32(t.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn raw(value: &[u8]) -> RawChunk {
        RawChunk {
            typ: SACK_TYPE,
            flags: 0,
            value: Bytes::copy_from_slice(value),
        }
    }

    #[test]
    fn round_trip() {
        let c = SackChunk {
            cumulative_tsn_ack: Tsn(100),
            a_rwnd: 65536,
            gap_ack_blocks: vec![
                GapAckBlock { start: 2, end: 3 },
                GapAckBlock { start: 5, end: 9 },
            ],
            duplicate_tsns: vec![Tsn(98)],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[3, 0, 0, 28]);
        assert_eq!(SackChunk::parse(&raw(&out[4..])), Ok(c));
    }

    #[test]
    fn empty_lists_round_trip() {
        let c = SackChunk::default();
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), 16);
        assert_eq!(SackChunk::parse(&raw(&out[4..])), Ok(c));
    }

    #[test]
    fn counts_beyond_the_bytes_are_rejected() {
        // Claims 65535 gap blocks and 65535 duplicates with no bytes behind.
        let v = [0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF];
        assert!(matches!(
            SackChunk::parse(&raw(&v)),
            Err(ParseError::InvalidLength { .. })
        ));
        assert!(matches!(
            SackChunk::parse(&raw(&v[..10])),
            Err(ParseError::Truncated { .. })
        ));
    }
}
