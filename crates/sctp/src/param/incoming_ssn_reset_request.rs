//! Incoming SSN Reset Request parameter (RFC 6525 §4.2): the sender asks
//! the peer to reset the peer's outgoing streams.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 14       |  Parameter Length = 8 + 2 * N |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Re-configuration Request Sequence Number             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
//! /                            ......                             /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::outgoing_ssn_reset_request::parse_stream_list;
use crate::parse_error::ParseError;
use crate::types::StreamId;
use crate::wire::{Reader, Tlv};

/// Request that the peer reset its outgoing streams.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct IncomingSsnResetRequestParameter {
    /// Re-configuration request sequence number of this request.
    pub request_seq: u32,
    /// Streams to reset; empty for all.
    pub streams: Vec<StreamId>,
}

impl IncomingSsnResetRequestParameter {
    /// Parameter type.
    pub const TYPE: u16 = 14;

    /// Parses the parameter value: one word and whole 16-bit stream ids.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        const WHAT: &str = "Incoming SSN Reset Request parameter";
        let mut r = Reader::new(value, WHAT);
        let request_seq = r.u32()?;
        let streams = parse_stream_list(&mut r, WHAT)?;
        Ok(Self {
            request_seq,
            streams,
        })
    }
}

impl Tlv for IncomingSsnResetRequestParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        4 + 2 * self.streams.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.request_seq);
        for s in &self.streams {
            out.put_u16(s.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::IncomingSsnResetRequest(
            IncomingSsnResetRequestParameter {
                request_seq: 77,
                streams: vec![StreamId(3), StreamId(5), StreamId(7)],
            },
        ));
    }

    #[test]
    fn malformed() {
        assert!(parse(&[0, 14, 0, 6, 0, 0, 0, 0]).is_err());
        assert!(parse(&[0, 14, 0, 9, 0, 0, 0, 1, 1, 0, 0, 0]).is_err());
    }
}
