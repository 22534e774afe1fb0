//! Heartbeat Info parameter (RFC 9260 §3.3.5): opaque sender-specific data
//! that the peer echoes back in the HEARTBEAT ACK.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Heartbeat Info Type = 1    |      HB Info Length           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                  Sender-Specific Heartbeat Info               /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Heartbeat Info: opaque bytes (a slice of the received packet).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct HeartbeatInfoParameter {
    /// The sender-specific information.
    pub info: Bytes,
}

impl HeartbeatInfoParameter {
    /// Parameter type.
    pub const TYPE: u16 = 1;

    /// Parses the parameter value (any content is valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            info: value.clone(),
        })
    }
}

impl Tlv for HeartbeatInfoParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
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
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::HeartbeatInfo(HeartbeatInfoParameter {
            info: Bytes::from_static(b"12345"),
        }));
        assert_round_trip(&Parameter::HeartbeatInfo(HeartbeatInfoParameter::default()));
    }

    #[test]
    fn length_beyond_bytes() {
        assert!(parse(&[0, 1, 0, 12, 1, 2, 3, 4]).is_err());
    }
}
