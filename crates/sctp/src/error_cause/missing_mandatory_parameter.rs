//! Missing Mandatory Parameter error cause (RFC 9260 §3.3.10.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Cause Code = 2        |   Cause Length = 8 + N * 2    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                   Number of missing params = N                |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Missing Param Type #1       |   Missing Param Type #2       |
//! /                            ......                             /
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

const WHAT: &str = "Missing Mandatory Parameter cause";

/// Mandatory parameters were missing from an INIT or INIT ACK.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MissingMandatoryParameterCause {
    /// The missing parameter types.
    pub missing_types: Vec<u16>,
}

impl MissingMandatoryParameterCause {
    /// Cause code.
    pub const CODE: u16 = 2;

    /// Parses the cause-specific information. The count is checked against
    /// the bytes present before anything is allocated.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, WHAT);
        let n = r.u32()?;
        if u64::from(n) * 2 > r.remaining() as u64 {
            return Err(ParseError::InvalidLength {
                what: WHAT,
                length: value.len(),
            });
        }
        // The check above bounds n by the datagram size.
        let n = usize::try_from(n).map_err(|_| ParseError::InvalidValue { what: WHAT })?;
        let mut missing_types = Vec::with_capacity(n);
        for _ in 0..n {
            missing_types.push(r.u16()?);
        }
        Ok(Self { missing_types })
    }
}

impl Tlv for MissingMandatoryParameterCause {
    fn tlv_type(&self) -> u16 {
        Self::CODE
    }
    fn value_len(&self) -> usize {
        4 + 2 * self.missing_types.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_u32(u32::try_from(self.missing_types.len()).unwrap_or(u32::MAX));
        for t in &self.missing_types {
            out.put_u16(*t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ErrorCause;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&ErrorCause::MissingMandatoryParameter(
            MissingMandatoryParameterCause {
                missing_types: vec![7],
            },
        ));
        assert_round_trip(&ErrorCause::MissingMandatoryParameter(
            MissingMandatoryParameterCause {
                missing_types: vec![7, 5, 6],
            },
        ));
    }

    #[test]
    fn count_beyond_bytes() {
        assert!(parse(&[0, 2, 0, 10, 0xFF, 0xFF, 0xFF, 0xFF, 0, 7, 0, 0]).is_err());
    }
}
