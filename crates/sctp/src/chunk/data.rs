//! DATA chunk (RFC 9260 §3.3.1, I bit from RFC 7053). The I-DATA form
//! (RFC 8260) carries the same record and lives in `idata.rs`.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Type = 0    |  Res  |I|U|B|E|            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                              TSN                              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Stream Identifier S      |   Stream Sequence Number n    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  Payload Protocol Identifier                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! \                 User Data (seq n of Stream S)                 \
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, BytesMut};

use super::{RawChunk, WriteChunk};
use crate::parse_error::ParseError;
use crate::types::{Data, Ppid, Ssn, StreamId, Tsn};
use crate::wire::{Reader, pad_from, padded, slice, write_chunk_header};

/// Chunk type of DATA.
pub const DATA_TYPE: u8 = 0;
/// The E bit: last fragment of a message.
pub const FLAG_END: u8 = 0x01;
/// The B bit: first fragment of a message.
pub const FLAG_BEGINNING: u8 = 0x02;
/// The U bit: unordered message.
pub const FLAG_UNORDERED: u8 = 0x04;
/// The I bit (RFC 7053): the sender asks for a SACK without delay.
pub const FLAG_IMMEDIATE_ACK: u8 = 0x08;

/// Bytes between the chunk header and the user data.
const DATA_HEADER_LEN: usize = 12;

/// A DATA or I-DATA chunk: one fragment of a user message and its TSN.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct DataChunk {
    /// Transmission sequence number.
    pub tsn: Tsn,
    /// The I bit (RFC 7053): the sender asks for an immediate SACK.
    pub immediate_ack: bool,
    /// The fragment and its stream, sequence and flag fields.
    pub data: Data,
}

impl DataChunk {
    /// The flags byte shared by DATA and I-DATA.
    #[inline]
    pub fn flags(&self) -> u8 {
        u8::from(self.data.is_end)
            | u8::from(self.data.is_beginning) << 1
            | u8::from(self.data.is_unordered) << 2
            | u8::from(self.immediate_ack) << 3
    }

    /// Sets `data`'s B, E and U fields from a DATA or I-DATA flags byte and
    /// returns the I bit.
    #[inline]
    pub(crate) fn apply_flags(flags: u8, data: &mut Data) -> bool {
        data.is_end = flags & FLAG_END != 0;
        data.is_beginning = flags & FLAG_BEGINNING != 0;
        data.is_unordered = flags & FLAG_UNORDERED != 0;
        flags & FLAG_IMMEDIATE_ACK != 0
    }

    /// Parses a DATA chunk; the payload is a slice of `raw.value`, not a
    /// copy. `mid` and `fsn` are zero. An empty payload is
    /// [`ParseError::NoUserData`].
    pub fn parse_data(raw: &RawChunk) -> Result<Self, ParseError> {
        const WHAT: &str = "DATA chunk";
        let mut r = Reader::new(&raw.value, WHAT);
        let tsn = Tsn(r.u32()?);
        let stream_id = StreamId(r.u16()?);
        let ssn = Ssn(r.u16()?);
        let ppid = Ppid(r.u32()?);
        if r.remaining() == 0 {
            return Err(ParseError::NoUserData { tsn });
        }
        let mut data = Data {
            stream_id,
            ssn,
            ppid,
            payload: slice(&raw.value, DATA_HEADER_LEN, raw.value.len(), WHAT)?,
            ..Data::default()
        };
        let immediate_ack = Self::apply_flags(raw.flags, &mut data);
        Ok(Self {
            tsn,
            immediate_ack,
            data,
        })
    }

    /// Bytes this chunk takes as DATA: header, value and padding.
    #[inline]
    pub fn data_serialized_len(&self) -> usize {
        padded(4 + DATA_HEADER_LEN + self.data.payload.len())
    }

    /// Appends this chunk as DATA (header, value, padding).
    pub fn serialize_data(&self, out: &mut BytesMut) {
        let start = out.len();
        out.reserve(self.data_serialized_len());
        write_chunk_header(
            out,
            DATA_TYPE,
            self.flags(),
            DATA_HEADER_LEN + self.data.payload.len(),
        );
        out.put_u32(self.tsn.0);
        out.put_u16(self.data.stream_id.0);
        out.put_u16(self.data.ssn.0);
        out.put_u32(self.data.ppid.0);
        out.put_slice(&self.data.payload);
        pad_from(out, start);
    }
}

/// Borrows a [`DataChunk`] to write it as DATA (a `DataChunk` alone does not
/// say whether it is DATA or I-DATA).
#[derive(Clone, Copy, Debug)]
pub struct AsData<'a>(pub &'a DataChunk);

impl WriteChunk for AsData<'_> {
    #[inline]
    fn serialized_len(&self) -> usize {
        self.0.data_serialized_len()
    }

    #[inline]
    fn serialize(&self, out: &mut BytesMut) {
        self.0.serialize_data(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn sample() -> DataChunk {
        DataChunk {
            tsn: Tsn(0xDEAD_BEEF),
            immediate_ack: true,
            data: Data {
                stream_id: StreamId(7),
                ssn: Ssn(513),
                ppid: Ppid(51),
                payload: Bytes::from_static(b"hello"),
                is_beginning: true,
                is_end: false,
                is_unordered: true,
                ..Data::default()
            },
        }
    }

    fn raw_of(bytes: &[u8]) -> RawChunk {
        let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        RawChunk {
            typ: bytes[0],
            flags: bytes[1],
            value: Bytes::copy_from_slice(&bytes[4..len]),
        }
    }

    #[test]
    fn round_trip() {
        let c = sample();
        let mut out = BytesMut::new();
        c.serialize_data(&mut out);
        assert_eq!(out.len(), c.data_serialized_len());
        assert_eq!(out.len(), 24);
        assert_eq!(
            &out[..16],
            &[
                0, 0x0E, 0, 21, 0xDE, 0xAD, 0xBE, 0xEF, 0, 7, 2, 1, 0, 0, 0, 51
            ]
        );
        assert_eq!(&out[21..], &[0, 0, 0]);
        assert_eq!(DataChunk::parse_data(&raw_of(&out)), Ok(c));
    }

    #[test]
    fn payload_is_a_slice_of_the_input() {
        let mut out = BytesMut::new();
        sample().serialize_data(&mut out);
        let raw = raw_of(&out);
        let parsed = DataChunk::parse_data(&raw).unwrap();
        assert_eq!(parsed.data.payload.as_ptr(), raw.value[12..].as_ptr());
    }

    #[test]
    fn empty_payload_is_no_user_data() {
        let raw = RawChunk {
            typ: 0,
            flags: 3,
            value: Bytes::from_static(&[0, 0, 0, 9, 0, 1, 0, 0, 0, 0, 0, 0]),
        };
        assert_eq!(
            DataChunk::parse_data(&raw),
            Err(ParseError::NoUserData { tsn: Tsn(9) })
        );
    }

    #[test]
    fn truncated_header() {
        let raw = RawChunk {
            typ: 0,
            flags: 3,
            value: Bytes::from_static(&[0, 0, 0, 9, 0, 1]),
        };
        assert!(matches!(
            DataChunk::parse_data(&raw),
            Err(ParseError::Truncated { .. })
        ));
    }
}
