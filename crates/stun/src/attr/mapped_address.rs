//! MAPPED-ADDRESS (RFC 8489 §14.1). The reflexive transport address, unobfuscated; kept for RFC 3489 servers, which send it instead of XOR-MAPPED-ADDRESS.
//!
//! The value is an address in the plain form of [`super::address`]:
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |0 0 0 0 0 0 0 0|    Family     |             Port              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Address (32 bits or 128 bits)                 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::net::SocketAddr;

use bytes::{Bytes, BytesMut};

use super::address::{address_len, decode_address, encode_address};
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// MAPPED-ADDRESS: The reflexive transport address, unobfuscated; kept for RFC 3489 servers, which send it instead of XOR-MAPPED-ADDRESS.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MappedAddress(pub SocketAddr);

impl StunAttribute for MappedAddress {
    const TYPE: AttrType = AttrType::MAPPED_ADDRESS;

    fn decode(value: &Bytes, _transaction_id: &TransactionId) -> Result<Self, AttrError> {
        decode_address(Self::TYPE, value, None).map(Self)
    }

    fn value_len(&self) -> usize {
        address_len(&self.0)
    }

    fn encode(&self, out: &mut BytesMut, _transaction_id: &TransactionId) {
        encode_address(out, &self.0, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trip_v4_and_v6() {
        let v = round_trip(MappedAddress("192.0.2.1:32853".parse().unwrap()));
        assert_eq!(v.len(), 8);
        let v = round_trip(MappedAddress("[2001:db8::1]:3478".parse().unwrap()));
        assert_eq!(v.len(), 20);
    }

    #[test]
    fn malformed() {
        assert!(decode::<MappedAddress>(&[]).is_err());
        assert!(decode::<MappedAddress>(&[0, 1, 0, 0, 1, 2, 3]).is_err());
        assert!(decode::<MappedAddress>(&[0, 2, 0, 0, 1, 2, 3, 4]).is_err());
        assert!(decode::<MappedAddress>(&[0, 9, 0, 0, 1, 2, 3, 4]).is_err());
    }
}
