//! Outgoing SSN Reset Request parameter (RFC 6525 §4.1): the sender resets
//! its outgoing streams (data channels close this way).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 13       | Parameter Length = 16 + 2 * N |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Re-configuration Request Sequence Number            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Re-configuration Response Sequence Number           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Sender's Last Assigned TSN                     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Stream Number 1 (optional)   |    Stream Number 2 (optional) |
//! /                            ......                             /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! An empty stream list means "all streams".

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::types::{StreamId, Tsn};
use crate::wire::{Reader, Tlv};

/// Request to reset the sender's outgoing streams.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct OutgoingSsnResetRequestParameter {
    /// Re-configuration request sequence number of this request.
    pub request_seq: u32,
    /// The request sequence number this one answers (an Incoming SSN Reset
    /// Request from the peer), or the sender's last response otherwise.
    pub response_seq: u32,
    /// The last TSN the sender assigned before the reset.
    pub sender_last_tsn: Tsn,
    /// Streams to reset; empty for all.
    pub streams: Vec<StreamId>,
}

impl OutgoingSsnResetRequestParameter {
    /// Parameter type.
    pub const TYPE: u16 = 13;

    /// Parses the parameter value: three words and whole 16-bit stream ids.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        const WHAT: &str = "Outgoing SSN Reset Request parameter";
        let mut r = Reader::new(value, WHAT);
        let request_seq = r.u32()?;
        let response_seq = r.u32()?;
        let sender_last_tsn = Tsn(r.u32()?);
        let streams = parse_stream_list(&mut r, WHAT)?;
        Ok(Self {
            request_seq,
            response_seq,
            sender_last_tsn,
            streams,
        })
    }
}

impl Tlv for OutgoingSsnResetRequestParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        12 + 2 * self.streams.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.request_seq);
        out.put_u32(self.response_seq);
        out.put_u32(self.sender_last_tsn.0);
        for s in &self.streams {
            out.put_u16(s.0);
        }
    }
}

/// Reads the rest of `r` as 16-bit stream ids (shared with the Incoming SSN
/// Reset Request).
pub(crate) fn parse_stream_list(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<Vec<StreamId>, ParseError> {
    if !r.remaining().is_multiple_of(2) {
        return Err(ParseError::InvalidLength {
            what,
            length: r.pos() + r.remaining(),
        });
    }
    let mut streams = Vec::with_capacity(r.remaining() / 2);
    while r.remaining() > 0 {
        streams.push(StreamId(r.u16()?));
    }
    Ok(streams)
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        for streams in [vec![], vec![StreamId(1)], vec![StreamId(1), StreamId(4)]] {
            assert_round_trip(&Parameter::OutgoingSsnResetRequest(
                OutgoingSsnResetRequestParameter {
                    request_seq: 10,
                    response_seq: 9,
                    sender_last_tsn: Tsn(1234),
                    streams,
                },
            ));
        }
    }

    #[test]
    fn malformed() {
        assert!(parse(&[0, 13, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2]).is_err());
        assert!(parse(&[0, 13, 0, 17, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9, 0, 0, 0]).is_err());
    }
}
