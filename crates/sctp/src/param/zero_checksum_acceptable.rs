//! Zero Checksum Acceptable parameter (RFC 9653 §4): the sender accepts
//! packets whose checksum is zero when the named alternate error detection
//! method protects them.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 0x8001        |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Error Detection Method Identifier (EDMID)           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// The sender accepts zero checksums under an error detection method.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ZeroChecksumAcceptableParameter {
    /// Error Detection Method Identifier; [`Self::EDMID_DTLS`] for SCTP over
    /// DTLS.
    pub edmid: u32,
}

impl ZeroChecksumAcceptableParameter {
    /// Parameter type (0x8001: skip if unknown, no report).
    pub const TYPE: u16 = 0x8001;
    /// EDMID of "SCTP over DTLS" (RFC 9653 §5).
    pub const EDMID_DTLS: u32 = 1;

    /// Parses the parameter value: exactly four bytes. The EDMID is not
    /// checked here; the association ignores methods it does not use.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "Zero Checksum Acceptable parameter");
        let edmid = r.u32()?;
        r.finish()?;
        Ok(Self { edmid })
    }
}

impl Tlv for ZeroChecksumAcceptableParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.edmid);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        let p = Parameter::ZeroChecksumAcceptable(ZeroChecksumAcceptableParameter {
            edmid: ZeroChecksumAcceptableParameter::EDMID_DTLS,
        });
        let mut out = BytesMut::new();
        p.serialize(&mut out);
        assert_eq!(&out[..], &[0x80, 0x01, 0, 8, 0, 0, 0, 1]);
        assert_round_trip(&p);
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0x80, 0x01, 0, 4]).is_err());
        assert!(parse(&[0x80, 0x01, 0, 6, 0, 1, 0, 0]).is_err());
    }
}
