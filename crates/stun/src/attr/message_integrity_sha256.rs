//! MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6). HMAC-SHA256 over the
//! message up to this attribute (with the header's length field counting up
//! to and including it), possibly truncated to its first 16, 20, 24 or 28
//! bytes. Computed by
//! [`MessageBuilder::message_integrity_sha256`](crate::MessageBuilder::message_integrity_sha256)
//! and checked by [`Message::verify_integrity`](crate::Message::verify_integrity)
//! (which prefers it over MESSAGE-INTEGRITY). Attributes after it other than
//! FINGERPRINT are ignored.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |            HMAC-SHA256 (128 to 256 bits, by 32 bits)          |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// MESSAGE-INTEGRITY-SHA256: an HMAC-SHA256 tag (16 to 32 bytes, a
/// multiple of four), as carried.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct MessageIntegritySha256(Bytes);

impl MessageIntegritySha256 {
    /// Whether a tag may be `len` bytes long: 16 to 32, a multiple of four.
    pub const fn is_valid_len(len: usize) -> bool {
        len >= 16 && len <= 32 && len.is_multiple_of(4)
    }

    /// The attribute carrying `tag`; an error unless
    /// [`is_valid_len`](Self::is_valid_len).
    pub fn new(tag: impl Into<Bytes>) -> Result<Self, AttrError> {
        let tag = tag.into();
        if Self::is_valid_len(tag.len()) {
            Ok(Self(tag))
        } else {
            Err(AttrError::new(
                Self::TYPE,
                "tag must be 16 to 32 bytes, a multiple of 4",
            ))
        }
    }

    /// The tag.
    pub fn tag(&self) -> &Bytes {
        &self.0
    }
}

impl StunAttribute for MessageIntegritySha256 {
    const TYPE: AttrType = AttrType::MESSAGE_INTEGRITY_SHA256;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        Self::new(value.clone())
    }

    fn value_len(&self) -> usize {
        self.0.len()
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
        for len in [16, 20, 24, 28, 32] {
            round_trip(MessageIntegritySha256::new(vec![len as u8; len]).unwrap());
        }
    }

    #[test]
    fn malformed() {
        for len in [0, 4, 12, 15, 17, 30, 36, 64] {
            assert!(
                decode::<MessageIntegritySha256>(&vec![0; len]).is_err(),
                "{len}"
            );
            assert!(MessageIntegritySha256::new(vec![0; len]).is_err());
        }
    }
}
