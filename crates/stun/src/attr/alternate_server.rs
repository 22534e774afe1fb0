//! ALTERNATE-SERVER (RFC 8489 §14.15). The server to try instead, in a 300 (Try Alternate) response.
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

/// ALTERNATE-SERVER: The server to try instead, in a 300 (Try Alternate) response.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AlternateServer(pub SocketAddr);

impl StunAttribute for AlternateServer {
    const TYPE: AttrType = AttrType::ALTERNATE_SERVER;

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
        let v = round_trip(AlternateServer("192.0.2.1:32853".parse().unwrap()));
        assert_eq!(v.len(), 8);
        let v = round_trip(AlternateServer("[2001:db8::1]:3478".parse().unwrap()));
        assert_eq!(v.len(), 20);
    }

    #[test]
    fn malformed() {
        assert!(decode::<AlternateServer>(&[]).is_err());
        assert!(decode::<AlternateServer>(&[0, 1, 0, 0, 1, 2, 3]).is_err());
        assert!(decode::<AlternateServer>(&[0, 2, 0, 0, 1, 2, 3, 4]).is_err());
        assert!(decode::<AlternateServer>(&[0, 9, 0, 0, 1, 2, 3, 4]).is_err());
    }
}
