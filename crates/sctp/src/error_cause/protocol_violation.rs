//! Protocol Violation error cause (RFC 9260 §3.3.10.13): the peer broke the
//! protocol in a way no other cause describes.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Cause Code = 13        |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                     Additional Information                    /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Protocol Violation: Additional information about the violation.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ProtocolViolationCause {
    /// Additional information about the violation.
    pub info: Bytes,
}

impl ProtocolViolationCause {
    /// Cause code.
    pub const CODE: u16 = 13;

    /// Parses the cause-specific information (kept opaque; any content is
    /// valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            info: value.clone(),
        })
    }
}

impl Tlv for ProtocolViolationCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        self.info.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.info);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::ProtocolViolation(ProtocolViolationCause {
            info: Bytes::from_static(b"\x00\x05\x00\x08\x7f\x00\x00\x01 and more"),
        }));
        assert_round_trip(&ErrorCause::ProtocolViolation(
            ProtocolViolationCause::default(),
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 13, 0, 9, 1, 2]).is_err());
    }
}
