//! ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11). In an Allocate request: ask for an IPv6 relayed address in addition to the IPv4 one (only IPv6 is allowed here).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Family     |            Reserved                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Any family byte parses (a server answers one it does not support with
//! 440); the reserved bytes are ignored.

use bytes::{BufMut, Bytes, BytesMut};

use super::{AddressFamily, AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;

/// ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11): an address family.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AdditionalAddressFamily(pub AddressFamily);

impl StunAttribute for AdditionalAddressFamily {
    const TYPE: AttrType = AttrType::ADDITIONAL_ADDRESS_FAMILY;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 4)?;
        Ok(Self(AddressFamily(value[0])))
    }

    fn value_len(&self) -> usize {
        4
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u8(self.0.0);
        out.put_bytes(0, 3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(
            &round_trip(AdditionalAddressFamily(AddressFamily::IPV6))[..],
            &[2, 0, 0, 0]
        );
        round_trip(AdditionalAddressFamily(AddressFamily::IPV4));
        assert_eq!(
            decode::<AdditionalAddressFamily>(&[9, 1, 2, 3]),
            Ok(AdditionalAddressFamily(AddressFamily(9)))
        );
    }

    #[test]
    fn malformed() {
        assert!(decode::<AdditionalAddressFamily>(&[1]).is_err());
        assert!(decode::<AdditionalAddressFamily>(&[1, 0, 0, 0, 0]).is_err());
    }
}
