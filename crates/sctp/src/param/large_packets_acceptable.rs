//! Large Packets Acceptable parameter (sanderling's own, not IANA
//! registered): the largest SCTP packet the sender of the INIT reads.
//! Path MTU discovery (RFC 8899) assumes a probe larger than the path is
//! dropped, but over DTLS some stacks read each record into a 1500-byte
//! buffer and keep the rest for the next read, so one large probe corrupts
//! every packet after it. An association probes sizes above 1500 only for
//! a peer that announced 65535 here. Its type's top bits (10) tell every
//! other stack to skip it without a report (RFC 9260 §3.2.1). It carries
//! a value on purpose: webrtc-rs 0.21 misparses an INIT that ends with a
//! header-only parameter (it skips it and then reads its bytes as the
//! next chunk).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 0xBF53        |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Largest packet read (bytes)                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// The largest SCTP packet the sender reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LargePacketsAcceptableParameter {
    /// Bytes; [`Self::ANY`] for every size SCTP's 16-bit lengths allow.
    pub max_packet: u32,
}

impl LargePacketsAcceptableParameter {
    /// Parameter type (0xBF53: skip if unknown, no report).
    pub const TYPE: u16 = 0xBF53;
    /// Every packet size.
    pub const ANY: u32 = 65_535;

    /// Parses the parameter value: exactly four bytes.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "Large Packets Acceptable parameter");
        let max_packet = r.u32()?;
        r.finish()?;
        Ok(Self { max_packet })
    }
}

impl Tlv for LargePacketsAcceptableParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.max_packet);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{Parameter, unknown_parameter_action};
    use super::*;

    #[test]
    fn round_trip() {
        let p = Parameter::LargePacketsAcceptable(LargePacketsAcceptableParameter {
            max_packet: LargePacketsAcceptableParameter::ANY,
        });
        let mut out = BytesMut::new();
        p.serialize(&mut out);
        assert_eq!(&out[..], &[0xBF, 0x53, 0, 8, 0, 0, 0xFF, 0xFF]);
        assert_round_trip(&p);
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0xBF, 0x53, 0, 4]).is_err());
        assert!(parse(&[0xBF, 0x53, 0, 6, 0, 1, 0, 0]).is_err());
    }

    #[test]
    fn other_stacks_skip_it_silently() {
        let action = unknown_parameter_action(LargePacketsAcceptableParameter::TYPE);
        assert!(!action.stop && !action.report, "{action:?}");
    }
}
