//! Supported Address Types parameter (RFC 9260 §3.3.2.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Type = 12            |          Length               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Address Type #1        |        Address Type #2        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                            ......                             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// The address types (parameter types 5, 6, ...) the sender can use.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SupportedAddressTypesParameter {
    /// Address parameter types.
    pub address_types: Vec<u16>,
}

impl SupportedAddressTypesParameter {
    /// Parameter type.
    pub const TYPE: u16 = 12;

    /// Parses the parameter value: a whole number of 16-bit types.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        const WHAT: &str = "Supported Address Types parameter";
        if !value.len().is_multiple_of(2) {
            return Err(ParseError::InvalidLength {
                what: WHAT,
                length: value.len(),
            });
        }
        let mut r = Reader::new(value, WHAT);
        let mut address_types = Vec::with_capacity(value.len() / 2);
        while r.remaining() > 0 {
            address_types.push(r.u16()?);
        }
        Ok(Self { address_types })
    }
}

impl Tlv for SupportedAddressTypesParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        2 * self.address_types.len()
    }
    fn write_value(&self, out: &mut BytesMut) {
        for t in &self.address_types {
            out.put_u16(*t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::SupportedAddressTypes(
            SupportedAddressTypesParameter {
                address_types: vec![5],
            },
        ));
        assert_round_trip(&Parameter::SupportedAddressTypes(
            SupportedAddressTypesParameter {
                address_types: vec![5, 6],
            },
        ));
    }

    #[test]
    fn odd_length() {
        assert!(parse(&[0, 12, 0, 7, 0, 5, 0, 0]).is_err());
    }
}
