//! Re-configuration Response parameter (RFC 6525 §4.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 16       |      Parameter Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Re-configuration Response Sequence Number             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                            Result                             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                   Sender's Next TSN (optional)                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  Receiver's Next TSN (optional)               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The length is 12, or 20 when both TSNs are present (they come together,
//! answering an SSN/TSN Reset Request).

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::types::Tsn;
use crate::wire::{Reader, Tlv};

/// The outcome of a re-configuration request (RFC 6525 §4.4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReconfigResult {
    /// 0: Success - Nothing to do.
    SuccessNothingToDo,
    /// 1: Success - Performed.
    SuccessPerformed,
    /// 2: Denied.
    Denied,
    /// 3: Error - Wrong SSN.
    ErrorWrongSsn,
    /// 4: Error - Request already in progress.
    ErrorRequestAlreadyInProgress,
    /// 5: Error - Bad Sequence Number.
    ErrorBadSequenceNumber,
    /// 6: In progress.
    InProgress,
    /// Any other code.
    Unknown(u32),
}

impl ReconfigResult {
    /// The code on the wire.
    pub fn code(self) -> u32 {
        match self {
            Self::SuccessNothingToDo => 0,
            Self::SuccessPerformed => 1,
            Self::Denied => 2,
            Self::ErrorWrongSsn => 3,
            Self::ErrorRequestAlreadyInProgress => 4,
            Self::ErrorBadSequenceNumber => 5,
            Self::InProgress => 6,
            Self::Unknown(c) => c,
        }
    }

    /// The result for a wire code.
    pub fn from_code(code: u32) -> Self {
        match code {
            0 => Self::SuccessNothingToDo,
            1 => Self::SuccessPerformed,
            2 => Self::Denied,
            3 => Self::ErrorWrongSsn,
            4 => Self::ErrorRequestAlreadyInProgress,
            5 => Self::ErrorBadSequenceNumber,
            6 => Self::InProgress,
            c => Self::Unknown(c),
        }
    }
}

/// The TSNs that follow an SSN/TSN reset.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NextTsns {
    /// The next TSN the responder will send.
    pub sender_next_tsn: Tsn,
    /// The next TSN the responder expects.
    pub receiver_next_tsn: Tsn,
}

/// Response to a re-configuration request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ReconfigResponseParameter {
    /// The request sequence number being answered.
    pub response_seq: u32,
    /// The outcome.
    pub result: ReconfigResult,
    /// Present in answers to an SSN/TSN Reset Request.
    pub next_tsns: Option<NextTsns>,
}

impl ReconfigResponseParameter {
    /// Parameter type.
    pub const TYPE: u16 = 16;

    /// Parses the parameter value: 8 or 16 bytes.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        const WHAT: &str = "Re-configuration Response parameter";
        let mut r = Reader::new(value, WHAT);
        let response_seq = r.u32()?;
        let result = ReconfigResult::from_code(r.u32()?);
        let next_tsns = match r.remaining() {
            0 => None,
            8 => Some(NextTsns {
                sender_next_tsn: Tsn(r.u32()?),
                receiver_next_tsn: Tsn(r.u32()?),
            }),
            _ => {
                return Err(ParseError::InvalidLength {
                    what: WHAT,
                    length: value.len(),
                });
            }
        };
        Ok(Self {
            response_seq,
            result,
            next_tsns,
        })
    }
}

impl Tlv for ReconfigResponseParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        if self.next_tsns.is_some() { 16 } else { 8 }
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.response_seq);
        out.put_u32(self.result.code());
        if let Some(t) = self.next_tsns {
            out.put_u32(t.sender_next_tsn.0);
            out.put_u32(t.receiver_next_tsn.0);
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
        for code in 0..=7 {
            assert_eq!(ReconfigResult::from_code(code).code(), code);
        }
        assert_round_trip(&Parameter::ReconfigResponse(ReconfigResponseParameter {
            response_seq: 5,
            result: ReconfigResult::SuccessPerformed,
            next_tsns: None,
        }));
        assert_round_trip(&Parameter::ReconfigResponse(ReconfigResponseParameter {
            response_seq: 5,
            result: ReconfigResult::Unknown(99),
            next_tsns: Some(NextTsns {
                sender_next_tsn: Tsn(1),
                receiver_next_tsn: Tsn(2),
            }),
        }));
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0, 16, 0, 16, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]).is_err());
        assert!(parse(&[0, 16, 0, 8, 0, 0, 0, 1]).is_err());
    }
}
