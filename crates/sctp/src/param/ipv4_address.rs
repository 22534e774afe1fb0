//! IPv4 Address parameter (RFC 9260 §3.3.2.1).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Type = 5            |          Length = 8           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         IPv4 Address                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::net::Ipv4Addr;

use bytes::{BufMut, Bytes, BytesMut};

use crate::parse_error::ParseError;
use crate::wire::{Reader, Tlv};

/// An IPv4 address of the sending endpoint (unused over DTLS, but a peer may
/// send it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Ipv4AddressParameter {
    /// The address.
    pub address: Ipv4Addr,
}

impl Ipv4AddressParameter {
    /// Parameter type.
    pub const TYPE: u16 = 5;

    /// Parses the parameter value: exactly four bytes.
    pub fn parse(value: &Bytes) -> Result<Self, ParseError> {
        let mut r = Reader::new(value, "IPv4 Address parameter");
        let address = Ipv4Addr::from(r.array::<4>()?);
        r.finish()?;
        Ok(Self { address })
    }
}

impl Tlv for Ipv4AddressParameter {
    fn tlv_type(&self) -> u16 {
        Self::TYPE
    }
    fn value_len(&self) -> usize {
        4
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
        assert_round_trip(&Parameter::Ipv4Address(Ipv4AddressParameter {
            address: Ipv4Addr::new(192, 0, 2, 1),
        }));
        assert_eq!(
            parse(&[0, 5, 0, 8, 127, 0, 0, 1]).unwrap(),
            vec![Parameter::Ipv4Address(Ipv4AddressParameter {
                address: Ipv4Addr::LOCALHOST
            })]
        );
    }

    #[test]
    fn wrong_length() {
        assert!(parse(&[0, 5, 0, 7, 127, 0, 0, 0]).is_err());
        assert!(parse(&[0, 5, 0, 12, 127, 0, 0, 1, 0, 0, 0, 0]).is_err());
    }
}
