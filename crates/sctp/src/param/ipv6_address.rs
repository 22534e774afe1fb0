//! IPv6 Address parameter (RFC 9260 §3.3.2.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Type = 6            |          Length = 20          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                 IPv6 Address (16 bytes)                       |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::net::Ipv6Addr;

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// An IPv6 address of the sending endpoint.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ipv6AddressParameter {
    /// The address.
    pub address: Ipv6Addr,
}

impl Ipv6AddressParameter {
    /// Parameter type.
    pub const TYPE: u16 = 6;

    /// Parses the parameter value: exactly sixteen bytes.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "IPv6 Address parameter");
        let address = Ipv6Addr::from(r.array::<16>()?);
        r.finish()?;
        Ok(Self { address })
    }
}

impl Tlv for Ipv6AddressParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        16
    }
    fn write_value(&self, out: &mut BytesMut) {
        out.put_slice(&self.address.octets());
    }
}

#[cfg(test)]
mod tests {
    use super::super::Parameter;
    use super::super::test_support::*;
    use super::*;

    #[test]
    fn round_trip() {
        assert_round_trip(&Parameter::Ipv6Address(Ipv6AddressParameter {
            address: "2001:db8::1".parse().unwrap(),
        }));
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0, 6, 0, 8, 0, 0, 0, 1]).is_err());
    }
}
