//! XOR-PEER-ADDRESS (RFC 8656 §18.3). A peer's address as the TURN server sees it (CreatePermission may carry several; ChannelBind, Send and Data carry one).
//!
//! The value is an address in the XOR form of [`super::address`]:
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |0 0 0 0 0 0 0 0|    Family     |           X-Port              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |               X-Address (32 bits or 128 bits)                 |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::net::SocketAddr;

use bytes::{Bytes, BytesMut};

use super::address::{address_len, decode_address, encode_address};
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// XOR-PEER-ADDRESS: A peer's address as the TURN server sees it (CreatePermission may carry several; ChannelBind, Send and Data carry one).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct XorPeerAddress(pub SocketAddr);

impl StunAttribute for XorPeerAddress {
    const TYPE: AttrType = AttrType::XOR_PEER_ADDRESS;

    fn decode(value: &Bytes, transaction_id: &TransactionId) -> Result<Self, AttrError> {
        decode_address(Self::TYPE, value, Some(transaction_id)).map(Self)
    }

    fn value_len(&self) -> usize {
        address_len(&self.0)
    }

    fn encode(&self, out: &mut BytesMut, transaction_id: &TransactionId) {
        encode_address(out, &self.0, Some(transaction_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trip_v4_and_v6() {
        let v = round_trip(XorPeerAddress("192.0.2.1:32853".parse().unwrap()));
        assert_eq!(v.len(), 8);
        let v = round_trip(XorPeerAddress("[2001:db8::1]:3478".parse().unwrap()));
        assert_eq!(v.len(), 20);
    }

    #[test]
    fn malformed() {
        assert!(decode::<XorPeerAddress>(&[]).is_err());
        assert!(decode::<XorPeerAddress>(&[0, 1, 0, 0, 1, 2, 3]).is_err());
        assert!(decode::<XorPeerAddress>(&[0, 2, 0, 0, 1, 2, 3, 4]).is_err());
        assert!(decode::<XorPeerAddress>(&[0, 9, 0, 0, 1, 2, 3, 4]).is_err());
    }
}
