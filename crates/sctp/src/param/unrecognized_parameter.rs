//! Unrecognized Parameter (RFC 9260 §3.3.3): sent in INIT ACK to report a
//! parameter of the INIT whose type's high bits ask for a report.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 8             |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /     Unrecognized Parameter (the whole TLV, as received)       /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::RawParameter;
use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Wraps the bytes of a parameter the sender did not recognise.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UnrecognizedParameter {
    /// The unrecognised parameter, header included, as received.
    pub parameter: Bytes,
}

impl UnrecognizedParameter {
    /// Parameter type.
    pub const TYPE: u16 = 8;

    /// Reports `raw`.
    pub fn new(raw: &RawParameter) -> Self {
        Self {
            parameter: raw.to_bytes(),
        }
    }

    /// Parses the parameter value. The content is kept opaque: it is only
    /// informative.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            parameter: value.clone(),
        })
    }
}

impl Tlv for UnrecognizedParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        self.parameter.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.parameter);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        let raw = RawParameter {
            typ: 0x4444,
            value: Bytes::from_static(&[1, 2, 3]),
        };
        let p = UnrecognizedParameter::new(&raw);
        assert_eq!(&p.parameter[..], &[0x44, 0x44, 0, 7, 1, 2, 3]);
        assert_round_trip(&Parameter::UnrecognizedParameter(p));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 8, 0, 9, 1]).is_err());
    }
}
