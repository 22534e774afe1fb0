//! Unrecognized Chunk Type error cause (RFC 9260 §3.3.10.6): a chunk whose
//! type's high bits ask for a report.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 6        |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /        Unrecognized Chunk (type, flags, length, value)        /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Unrecognized Chunk Type: The unrecognized chunk, header included, as received.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UnrecognizedChunkTypeCause {
    /// The unrecognized chunk, header included, as received.
    pub chunk: Bytes,
}

impl UnrecognizedChunkTypeCause {
    /// Cause code.
    pub const CODE: u16 = 6;

    /// Reports `chunk` (copies its header and value).
    pub fn new(chunk: &crate::chunk::RawChunk) -> Self {
        Self {
            chunk: chunk.to_bytes(),
        }
    }

    /// Parses the cause-specific information (kept opaque; any content is
    /// valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            chunk: value.clone(),
        })
    }
}

impl Tlv for UnrecognizedChunkTypeCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        self.chunk.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::UnrecognizedChunkType(
            UnrecognizedChunkTypeCause {
                chunk: Bytes::from_static(b"\x00\x05\x00\x08\x7f\x00\x00\x01 and more"),
            },
        ));
        assert_round_trip(&ErrorCause::UnrecognizedChunkType(
            UnrecognizedChunkTypeCause::default(),
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 6, 0, 9, 1, 2]).is_err());
    }
}
