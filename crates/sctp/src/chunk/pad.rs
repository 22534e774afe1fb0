//! PAD chunk (RFC 4820 §3): filler used to probe the path MTU. The receiver
//! ignores its content.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Type = 0x84   |   Flags=0     |             Length            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                         Padding Data                          \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::wire::{pad_from, padded, write_chunk_header};

/// PAD: `padding_len` bytes of padding data (written as zeros).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PadChunk {
    /// Length of the padding data (the chunk's value).
    pub padding_len: usize,
}

impl PadChunk {
    /// Chunk type.
    pub const TYPE: u8 = 132;

    /// Parses the chunk; the content is not kept.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self {
            padding_len: raw.value.len(),
        })
    }
}

impl WriteChunk for PadChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.padding_len)
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        write_chunk_header(out, Self::TYPE, 0, self.padding_len);
        out.put_bytes(0, self.padding_len);
        pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn round_trip() {
        let c = PadChunk { padding_len: 10 };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), 16);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[132, 0, 0, 14]);
        let raw = RawChunk {
            typ: 132,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..14]),
        };
        assert_eq!(PadChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn any_content_is_accepted() {
        let raw = RawChunk {
            typ: 132,
            flags: 7,
            value: Bytes::from_static(&[0xFF; 3]),
        };
        assert_eq!(PadChunk::parse(&raw), Ok(PadChunk { padding_len: 3 }));
    }
}
