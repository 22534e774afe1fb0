//! RESERVATION-TOKEN (RFC 8656 §18.10). Names a relayed address the server holds in reserve (after an Allocate with EVEN-PORT R=1); a later Allocate passes it to get that address.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                    Reservation token (64 bits)                |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// RESERVATION-TOKEN: an opaque 8-byte token.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ReservationToken(pub [u8; 8]);

impl StunAttribute for ReservationToken {
    const TYPE: AttrType = AttrType::RESERVATION_TOKEN;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 8)?;
        Ok(Self(Reader::new(value).array().unwrap_or([0; 8])))
    }

    fn value_len(&self) -> usize {
        8
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.extend_from_slice(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        let mut v = [0u8; 8];
        for (i, b) in v.iter_mut().enumerate() {
            *b = i as u8;
        }
        assert_eq!(&round_trip(ReservationToken(v))[..], &v);
        round_trip(ReservationToken([0xff; 8]));
    }

    #[test]
    fn malformed() {
        assert!(decode::<ReservationToken>(&[0; 8 - 1]).is_err());
        assert!(decode::<ReservationToken>(&[0; 8 + 1]).is_err());
        assert!(decode::<ReservationToken>(&[]).is_err());
    }
}
