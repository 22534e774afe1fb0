//! COOKIE ECHO chunk (RFC 9260 §3.3.11): returns the State Cookie from the
//! INIT ACK.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 10   |  Chunk Flags  |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                            Cookie                             /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::wire::{pad_from, padded, write_chunk_header};

/// COOKIE ECHO: the cookie, opaque (its creator authenticates it).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct CookieEchoChunk {
    /// The State Cookie (a slice of the packet).
    pub cookie: Bytes,
}

impl CookieEchoChunk {
    /// Chunk type.
    pub const TYPE: u8 = 10;

    /// Parses the chunk (any content is structurally valid).
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        Ok(Self {
            cookie: raw.value.clone(),
        })
    }
}

impl WriteChunk for CookieEchoChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.cookie.len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.serialized_len());
        write_chunk_header(out, Self::TYPE, 0, self.cookie.len());
        out.put_slice(&self.cookie);
        pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let c = CookieEchoChunk {
            cookie: Bytes::from_static(&[7; 33]),
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), 40);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..4], &[10, 0, 0, 37]);
        let raw = RawChunk {
            typ: 10,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..37]),
        };
        assert_eq!(CookieEchoChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn empty_cookie_parses() {
        // Structurally fine; the association rejects the cookie itself.
        let raw = RawChunk {
            typ: 10,
            flags: 0,
            value: Bytes::new(),
        };
        assert_eq!(CookieEchoChunk::parse(&raw), Ok(CookieEchoChunk::default()));
    }
}
