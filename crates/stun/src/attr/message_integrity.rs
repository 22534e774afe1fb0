//! MESSAGE-INTEGRITY (RFC 8489 §14.5). HMAC-SHA1 over the message up to this attribute, with the header's length field counting up to and including it. Computed by [`MessageBuilder::message_integrity`](crate::MessageBuilder::message_integrity) and checked by [`Message::verify_integrity`](crate::Message::verify_integrity); as an attribute value it is just the 20 bytes. Attributes after it other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                     HMAC-SHA1 (160 bits)                      |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// MESSAGE-INTEGRITY: an HMAC-SHA1 tag, as carried.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MessageIntegrity(pub [u8; 20]);

impl StunAttribute for MessageIntegrity {
    const TYPE: AttrType = AttrType::MESSAGE_INTEGRITY;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 20)?;
        Ok(Self(Reader::new(value).array().unwrap_or([0; 20])))
    }

    fn value_len(&self) -> usize {
        20
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
        let mut v = [0u8; 20];
        for (i, b) in v.iter_mut().enumerate() {
            *b = i as u8;
        }
        assert_eq!(&round_trip(MessageIntegrity(v))[..], &v);
        round_trip(MessageIntegrity([0xff; 20]));
    }

    #[test]
    fn malformed() {
        assert!(decode::<MessageIntegrity>(&[0; 20 - 1]).is_err());
        assert!(decode::<MessageIntegrity>(&[0; 20 + 1]).is_err());
        assert!(decode::<MessageIntegrity>(&[]).is_err());
    }
}
