//! SSN/TSN Reset Request parameter (RFC 6525 §4.3): reset every stream and
//! the TSN counters of both directions.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Parameter Type = 15       |      Parameter Length = 8     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Re-configuration Request Sequence Number              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// Request to reset all streams and the TSNs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SsnTsnResetRequestParameter {
    /// Re-configuration request sequence number of this request.
    pub request_seq: u32,
}

impl SsnTsnResetRequestParameter {
    /// Parameter type.
    pub const TYPE: u16 = 15;

    /// Parses the parameter value: exactly four bytes.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "SSN/TSN Reset Request parameter");
        let request_seq = r.u32()?;
        r.finish()?;
        Ok(Self { request_seq })
    }
}

impl Tlv for SsnTsnResetRequestParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.request_seq);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::SsnTsnResetRequest(
            SsnTsnResetRequestParameter {
                request_seq: u32::MAX,
            },
        ));
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0, 15, 0, 12, 0, 0, 0, 1, 0, 0, 0, 1]).is_err());
    }
}
