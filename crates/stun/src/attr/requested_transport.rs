//! REQUESTED-TRANSPORT (RFC 8656 §18.8). In an Allocate request: the
//! transport protocol between server and peers, as an IP protocol number
//! (17, UDP, is the one TURN defines).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Protocol   |                    RFFU                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;

/// REQUESTED-TRANSPORT: an IP protocol number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct RequestedTransport(pub u8);

impl RequestedTransport {
    /// UDP (17).
    pub const UDP: Self = Self(17);
    /// TCP (6, RFC 6062).
    pub const TCP: Self = Self(6);
}

impl StunAttribute for RequestedTransport {
    const TYPE: AttrType = AttrType::REQUESTED_TRANSPORT;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 4)?;
        Ok(Self(value[0]))
    }

    fn value_len(&self) -> usize {
        4
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u8(self.0);
        out.put_bytes(0, 3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(&round_trip(RequestedTransport::UDP)[..], &[17, 0, 0, 0]);
        round_trip(RequestedTransport::TCP);
        assert_eq!(
            decode::<RequestedTransport>(&[17, 1, 1, 1]),
            Ok(RequestedTransport::UDP)
        );
    }

    #[test]
    fn malformed() {
        assert!(decode::<RequestedTransport>(&[17]).is_err());
        assert!(decode::<RequestedTransport>(&[17, 0, 0, 0, 0]).is_err());
    }
}
