//! I-DATA chunk (RFC 8260 §2.1): DATA with a 32-bit message identifier and
//! a fragment sequence number, so that large messages can be interleaved.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 64   |  Res  |I|U|B|E|       Length = Variable       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                              TSN                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Stream Identifier      |           Reserved            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                      Message Identifier                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Payload Protocol Identifier / Fragment Sequence Number     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                           User Data                           \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The fourth word is the PPID when the B bit is set (the first fragment,
//! whose FSN is implicitly 0) and the FSN otherwise; later fragments carry
//! no PPID, so it parses as 0 there.

use bytes::{BufMut, BytesMut};

use super::{DataChunk, RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::types::{Data, Fsn, Mid, Ppid, StreamId, Tsn};
use crate::wire::{Reader, pad_from, padded, slice, write_chunk_header};

/// Chunk type of I-DATA.
pub const IDATA_TYPE: u8 = 64;

/// Bytes between the chunk header and the user data.
const IDATA_HEADER_LEN: usize = 16;

impl DataChunk {
    /// Parses an I-DATA chunk; the payload is a slice of `raw.value`, not a
    /// copy. `ssn` is zero. An empty payload is [`ParseError::NoUserData`].
    pub fn parse_idata(raw: &RawChunk) -> Result<Self, ParseError> {
        const WHAT: &str = "I-DATA chunk";
        let mut r = Reader::new(&raw.value, WHAT);
        let tsn = Tsn(r.u32()?);
        let stream_id = StreamId(r.u16()?);
        let _reserved = r.u16()?;
        let mid = Mid(r.u32()?);
        let ppid_or_fsn = r.u32()?;
        if r.remaining() == 0 {
            return Err(ParseError::NoUserData { tsn });
        }
        let mut data = Data {
            stream_id,
            mid,
            payload: slice(&raw.value, IDATA_HEADER_LEN, raw.value.len(), WHAT)?,
            ..Data::default()
        };
        let immediate_ack = Self::apply_flags(raw.flags, &mut data);
        if data.is_beginning {
            data.ppid = Ppid(ppid_or_fsn);
        } else {
            data.fsn = Fsn(ppid_or_fsn);
        }
        Ok(Self {
            tsn,
            immediate_ack,
            data,
        })
    }

    /// Bytes this chunk takes as I-DATA: header, value and padding.
    #[inline]
    pub fn idata_serialized_len(&self) -> usize {
        padded(4 + IDATA_HEADER_LEN + self.data.payload.len())
    }

    /// Appends this chunk as I-DATA (header, value, padding). Writes the PPID
    /// if the B bit is set, the FSN otherwise.
    pub fn serialize_idata(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.idata_serialized_len());
        write_chunk_header(
            out,
            IDATA_TYPE,
            self.flags(),
            IDATA_HEADER_LEN + self.data.payload.len(),
        );
        out.put_u32(self.tsn.0);
        out.put_u16(self.data.stream_id.0);
        out.put_u16(0);
        out.put_u32(self.data.mid.0);
        out.put_u32(if self.data.is_beginning {
            self.data.ppid.0
        } else {
            self.data.fsn.0
        });
        out.put_slice(&self.data.payload);
        pad_from(out, start);
    }
}

/// Borrows a [`DataChunk`] to write it as I-DATA.
#[derive(Clone, Copy, Debug)]
pub struct AsIData<'a>(pub &'a DataChunk);

impl WriteChunk for AsIData<'_> {
    #[inline]
    fn serialized_len(&self) -> usize {
        self.0.idata_serialized_len()
    }

    #[inline]
    fn serialize(&self, out: &mut BytesMut) {
        self.0.serialize_idata(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn raw_of(bytes: &[u8]) -> RawChunk {
        let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        RawChunk {
            typ: bytes[0],
            flags: bytes[1],
            value: Bytes::copy_from_slice(&bytes[4..len]),
        }
    }

    #[test]
    fn first_fragment_carries_ppid() {
        let c = DataChunk {
            tsn: Tsn(1),
            immediate_ack: false,
            data: Data {
                stream_id: StreamId(3),
                mid: Mid(0x0102_0304),
                ppid: Ppid(53),
                payload: Bytes::from_static(&[0xAA; 9]),
                is_beginning: true,
                ..Data::default()
            },
        };
        let mut out = BytesMut::new();
        c.serialize_idata(&mut out);
        assert_eq!(out.len(), c.idata_serialized_len());
        assert_eq!(out.len(), 32);
        assert_eq!(
            &out[..20],
            &[
                64, 0x02, 0, 29, 0, 0, 0, 1, 0, 3, 0, 0, 1, 2, 3, 4, 0, 0, 0, 53
            ]
        );
        assert_eq!(DataChunk::parse_idata(&raw_of(&out)), Ok(c));
    }

    #[test]
    fn later_fragment_carries_fsn() {
        let c = DataChunk {
            tsn: Tsn(2),
            immediate_ack: true,
            data: Data {
                stream_id: StreamId(3),
                mid: Mid(4),
                fsn: Fsn(77),
                payload: Bytes::from_static(b"tail"),
                is_end: true,
                is_unordered: true,
                ..Data::default()
            },
        };
        let mut out = BytesMut::new();
        c.serialize_idata(&mut out);
        assert_eq!(&out[16..20], &[0, 0, 0, 77]);
        assert_eq!(DataChunk::parse_idata(&raw_of(&out)), Ok(c));
    }

    #[test]
    fn malformed() {
        let empty = RawChunk {
            typ: 64,
            flags: 3,
            value: Bytes::from_static(&[0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        };
        assert_eq!(
            DataChunk::parse_idata(&empty),
            Err(ParseError::NoUserData { tsn: Tsn(5) })
        );
        let short = RawChunk {
            typ: 64,
            flags: 3,
            value: Bytes::from_static(&[0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0]),
        };
        assert!(matches!(
            DataChunk::parse_idata(&short),
            Err(ParseError::Truncated { .. })
        ));
    }
}
