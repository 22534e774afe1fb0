//! ERROR chunk (RFC 9260 §3.3.10): reports conditions that do not end the
//! association.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 9    | Chunk  Flags  |           Length              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                    One or more Error Causes                   \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::BytesMut;

use super::{RawChunk, WriteChunk};
use crate::error_cause::{ErrorCause, parse_error_causes};
use crate::parse_error::ParseError;
use crate::wire::{pad_from, padded, tlv_list_len, write_chunk_header, write_tlv_list};

/// ERROR: one or more error causes.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ErrorChunk {
    /// The reported causes.
    pub causes: Vec<ErrorCause>,
}

impl ErrorChunk {
    /// Chunk type.
    pub const TYPE: u8 = 9;

    /// Parses the chunk; a malformed error cause fails it. An empty list is
    /// accepted (there is nothing to act on).
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self {
            causes: parse_error_causes(&raw.value)?,
        })
    }

    fn value_len(&self) -> usize {
        tlv_list_len(&self.causes)
    }
}

impl WriteChunk for ErrorChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.serialized_len());
        write_chunk_header(out, Self::TYPE, 0, self.value_len());
        write_tlv_list(&self.causes, out);
        pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_cause::UnrecognizedChunkTypeCause;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = ErrorChunk {
            causes: vec![ErrorCause::UnrecognizedChunkType(
                UnrecognizedChunkTypeCause {
                    chunk: Bytes::from_static(&[0x40, 0, 0, 5, 1]),
                },
            )],
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[9, 0, 0, 13]);
        let raw = RawChunk {
            typ: 9,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..13]),
        };
        assert_eq!(ErrorChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn malformed_cause() {
        let raw = RawChunk {
            typ: 9,
            flags: 0,
            value: Bytes::from_static(&[0, 6, 0, 2]),
        };
        assert!(ErrorChunk::parse(&raw).is_err());
    }
}
