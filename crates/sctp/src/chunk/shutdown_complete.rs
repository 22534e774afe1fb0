//! SHUTDOWN COMPLETE chunk (RFC 9260 §3.3.13): the last chunk of a graceful
//! close.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 14   |  Reserved   |T|          Length = 4           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::BytesMut;

use super::abort::FLAG_TAG_REFLECTED;
use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::wire::write_chunk_header;

/// SHUTDOWN COMPLETE.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ShutdownCompleteChunk {
    /// The T bit: the verification tag is the receiver's own, reflected
    /// (the sender had no TCB).
    pub tag_reflected: bool,
}

impl ShutdownCompleteChunk {
    /// Chunk type.
    pub const TYPE: u8 = 14;

    /// Parses the chunk (any value is ignored).
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self {
            tag_reflected: raw.flags & FLAG_TAG_REFLECTED != 0,
        })
    }
}

impl WriteChunk for ShutdownCompleteChunk {
    fn serialized_len(&self) -> usize {
        4
    }

    fn serialize(&self, out: &mut BytesMut) {
        let flags = if self.tag_reflected {
            FLAG_TAG_REFLECTED
        } else {
            0
        };
        write_chunk_header(out, Self::TYPE, flags, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        for tag_reflected in [false, true] {
            let c = ShutdownCompleteChunk { tag_reflected };
            let mut out = BytesMut::new();
            c.serialize(&mut out);
            assert_eq!(&out[..], &[14, u8::from(tag_reflected), 0, 4]);
            let raw = RawChunk {
                typ: 14,
                flags: out[1],
                value: Bytes::new(),
            };
            assert_eq!(ShutdownCompleteChunk::parse(&raw), Ok(c));
        }
    }

    #[test]
    fn reserved_flags_are_ignored() {
        let raw = RawChunk {
            typ: 14,
            flags: 0xFE,
            value: Bytes::from_static(&[0; 4]),
        };
        assert_eq!(
            ShutdownCompleteChunk::parse(&raw),
            Ok(ShutdownCompleteChunk {
                tag_reflected: false
            })
        );
    }
}
