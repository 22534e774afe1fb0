//! Large Packets Acceptable parameter (sanderling's own, not IANA
//! registered): the sender of the INIT reads SCTP packets of any size up
//! to 65535 bytes. Path MTU discovery (RFC 8899) assumes a probe larger
//! than the path is dropped, but over DTLS some stacks read each record
//! into a 1500-byte buffer and keep the rest for the next read, so one
//! large probe corrupts every packet after it. An association probes sizes
//! above 1500 only for a peer that sent this parameter. Its type's top
//! bits (10) tell every other stack to skip it without a report
//! (RFC 9260 §3.2.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 0xBF53        |          Length = 4           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// The sender reads packets of up to 65535 bytes (no content).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct LargePacketsAcceptableParameter;

impl LargePacketsAcceptableParameter {
    /// Parameter type (0xBF53: skip if unknown, no report).
    pub const TYPE: u16 = 0xBF53;

    /// Parses the parameter value, which must be empty.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        Reader::new(value, "Large Packets Acceptable parameter").finish()?;
        Ok(Self)
    }
}

impl Tlv for LargePacketsAcceptableParameter {
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
    use super::super::test_support::*;
    use super::super::{Parameter, unknown_parameter_action};
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::LargePacketsAcceptable(
            LargePacketsAcceptableParameter,
        ));
        assert_eq!(
            parse(&[0xBF, 0x53, 0, 4]).unwrap(),
            vec![Parameter::LargePacketsAcceptable(
                LargePacketsAcceptableParameter
            )]
        );
    }

    #[test]
    fn content_is_rejected() {
        assert!(parse(&[0xBF, 0x53, 0, 8, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn other_stacks_skip_it_silently() {
        let action = unknown_parameter_action(LargePacketsAcceptableParameter::TYPE);
        assert!(!action.stop && !action.report, "{action:?}");
    }
}
