//! Unrecognized Parameters error cause (RFC 9260 §3.3.10.8): parameters of an
//! INIT ACK that the receiver does not understand.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 8        |          Cause Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                 Unrecognized Parameters (TLVs)                /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::Tlv;

/// Unrecognized Parameters: The unrecognized parameters (TLVs), as received.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UnrecognizedParametersCause {
    /// The unrecognized parameters (TLVs), as received.
    pub parameters: Bytes,
}

impl UnrecognizedParametersCause {
    /// Cause code.
    pub const CODE: u16 = 8;

    /// Reports `params`, each with its header and padding.
    pub fn new(params: &[crate::param::RawParameter]) -> Self {
        let mut out = BytesMut::new();
        for p in params {
            crate::wire::write_tlv(p, &mut out);
        }
        Self {
            parameters: out.freeze(),
        }
    }

    /// Parses the cause-specific information (kept opaque; any content is
    /// valid).
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Ok(Self {
            parameters: value.clone(),
        })
    }
}

impl Tlv for UnrecognizedParametersCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        self.parameters.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.parameters);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::UnrecognizedParameters(
            UnrecognizedParametersCause {
                parameters: Bytes::from_static(b"\x00\x05\x00\x08\x7f\x00\x00\x01 and more"),
            },
        ));
        assert_round_trip(&ErrorCause::UnrecognizedParameters(
            UnrecognizedParametersCause::default(),
        ));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 8, 0, 9, 1, 2]).is_err());
    }
}
