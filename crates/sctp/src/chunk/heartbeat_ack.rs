//! HEARTBEAT ACK chunk (RFC 9260 §3.3.6). Its value is one Heartbeat Info parameter,
//! whose content only the HEARTBEAT's sender interprets.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 5    |  Chunk Flags  |       Heartbeat Length        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Heartbeat Info Type = 1    |        HB Info Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                 Sender-Specific Heartbeat Info                /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::param::HeartbeatInfoParameter;
use crate::parse_error::ParseError;
use crate::wire::{TlvIter, pad_from, padded, write_chunk_header};

/// HEARTBEAT ACK: carries opaque heartbeat information.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct HeartbeatAckChunk {
    /// The Heartbeat Info parameter's value (a slice of the packet).
    pub info: Bytes,
}

impl HeartbeatAckChunk {
    /// Chunk type.
    pub const TYPE: u8 = 5;

    /// Parses the chunk: its first parameter must be Heartbeat Info.
    pub fn parse(raw: &RawChunk) -> Result<Self, ParseError> {
        const WHAT: &str = "HEARTBEAT ACK chunk";
        match TlvIter::new(raw.value.clone(), WHAT).next() {
            Some(Ok(t)) if t.typ == HeartbeatInfoParameter::TYPE => Ok(Self { info: t.value }),
            Some(Err(e)) => Err(e),
            _ => Err(ParseError::InvalidValue { what: WHAT }),
        }
    }

    fn value_len(&self) -> usize {
        4 + self.info.len()
    }
}

impl WriteChunk for HeartbeatAckChunk {
    fn serialized_len(&self) -> usize {
        padded(4 + self.value_len())
    }

    fn serialize(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.serialized_len());
        write_chunk_header(out, Self::TYPE, 0, self.value_len());
        out.put_u16(HeartbeatInfoParameter::TYPE);
        out.put_u16(crate::wire::len16(self.value_len()));
        out.put_slice(&self.info);
        pad_from(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let c = HeartbeatAckChunk {
            info: Bytes::from_static(b"abcdefg"),
        };
        let mut out = BytesMut::new();
        c.serialize(&mut out);
        assert_eq!(out.len(), c.serialized_len());
        assert_eq!(&out[..8], &[5, 0, 0, 15, 0, 1, 0, 11]);
        let raw = RawChunk {
            typ: 5,
            flags: 0,
            value: Bytes::copy_from_slice(&out[4..15]),
        };
        assert_eq!(HeartbeatAckChunk::parse(&raw), Ok(c));
    }

    #[test]
    fn malformed() {
        let wrong_param = RawChunk {
            typ: 5,
            flags: 0,
            value: Bytes::from_static(&[0, 7, 0, 4]),
        };
        assert!(matches!(
            HeartbeatAckChunk::parse(&wrong_param),
            Err(ParseError::InvalidValue { .. })
        ));
        let empty = RawChunk {
            typ: 5,
            flags: 0,
            value: Bytes::new(),
        };
        assert!(HeartbeatAckChunk::parse(&empty).is_err());
        let overrun = RawChunk {
            typ: 5,
            flags: 0,
            value: Bytes::from_static(&[0, 1, 0, 40, 1]),
        };
        assert!(matches!(
            HeartbeatAckChunk::parse(&overrun),
            Err(ParseError::Truncated { .. })
        ));
    }
}
