//! Forward-TSN-Supported parameter (RFC 3758 §3.1): the sender understands
//! FORWARD-TSN (partial reliability).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Parameter Type = 49152     |  Parameter Length = 4         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// Partial reliability is supported (no content).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ForwardTsnSupportedParameter;

impl ForwardTsnSupportedParameter {
    /// Parameter type (0xC000: skip if unknown, and report).
    pub const TYPE: u16 = 0xC000;

    /// Parses the parameter value, which must be empty.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Reader::new(value, "Forward-TSN-Supported parameter").finish()?;
        Ok(Self)
    }
}

impl Tlv for ForwardTsnSupportedParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        0
    }
    fn write_value(&self, _out: &mut BytesMut) {}
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::ForwardTsnSupported(
            ForwardTsnSupportedParameter,
        ));
        assert_eq!(
            parse(&[0xC0, 0, 0, 4]).unwrap(),
            vec![Parameter::ForwardTsnSupported(ForwardTsnSupportedParameter)]
        );
    }

    #[test]
    fn content_is_rejected() {
        assert!(parse(&[0xC0, 0, 0, 8, 0, 0, 0, 0]).is_err());
    }
}
