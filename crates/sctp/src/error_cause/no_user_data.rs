//! No User Data error cause (RFC 9260 §3.3.10.9): a DATA chunk arrived
//! without payload.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 9        |        Cause Length = 8       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                  TSN value                                    /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::types::Tsn;
use crate::wire::{Reader, Tlv};

/// The DATA chunk with this TSN was empty.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct NoUserDataCause {
    /// TSN of the empty DATA chunk.
    pub tsn: Tsn,
}

impl NoUserDataCause {
    /// Cause code.
    pub const CODE: u16 = 9;

    /// Parses the cause-specific information.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "No User Data cause");
        Ok(Self { tsn: Tsn(r.u32()?) })
    }
}

impl Tlv for NoUserDataCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        4
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(self.tsn.0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::NoUserData(NoUserDataCause { tsn: Tsn(77) }));
    }

    #[test]
    fn truncated() {
        assert!(parse(&[0, 9, 0, 4]).is_err());
    }
}
