//! Add Incoming Streams Request parameter (RFC 6525 §4.6): the sender asks the peer to add outgoing streams (incoming for the sender).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 18       |      Parameter Length = 12    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Re-configuration Request Sequence Number             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Number of new streams    |         Reserved              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// Add Incoming Streams Request.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AddIncomingStreamsParameter {
    /// Re-configuration request sequence number of this request.
    pub request_seq: u32,
    /// How many streams to add.
    pub new_streams: u16,
}

impl AddIncomingStreamsParameter {
    /// Parameter type.
    pub const TYPE: u16 = 18;

    /// Parses the parameter value: exactly eight bytes (reserved bits
    /// ignored).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "Add Incoming Streams Request parameter");
        let request_seq = r.u32()?;
        let new_streams = r.u16()?;
        let _reserved = r.u16()?;
        r.finish()?;
        Ok(Self {
            request_seq,
            new_streams,
        })
    }
}

impl Tlv for AddIncomingStreamsParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        8
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.request_seq);
        out.put_u16(self.new_streams);
        out.put_u16(0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::AddIncomingStreams(
            AddIncomingStreamsParameter {
                request_seq: 3,
                new_streams: 16,
            },
        ));
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0, 18, 0, 8, 0, 0, 0, 1]).is_err());
    }
}
