//! FINGERPRINT (RFC 8489 §14.7). CRC-32 of the message up to this
//! attribute (with the header's length field counting it), XORed with
//! 0x5354554e; it tells STUN apart from other protocols on the same port.
//! It must be the last attribute. Computed by
//! [`MessageBuilder::fingerprint`](crate::MessageBuilder::fingerprint) and
//! checked by [`Message::verify_fingerprint`](crate::Message::verify_fingerprint).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                  CRC-32 XOR 0x5354554e                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// FINGERPRINT: the value as carried.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Fingerprint(pub u32);

impl Fingerprint {
    /// What the CRC-32 is XORed with ("STUN" in ASCII).
    pub const XOR: u32 = 0x5354_554e;

    /// The fingerprint of a message whose bytes before the FINGERPRINT
    /// attribute are `before` (header included), the header's length field
    /// replaced by `length` (which must count the 8 bytes of FINGERPRINT).
    /// Nothing is copied: the CRC runs over the pieces.
    pub fn compute(before: &[u8], length: u16) -> Self {
        let mut crc = crc32fast::Hasher::new();
        crc.update(before.get(..2).unwrap_or_default());
        crc.update(&length.to_be_bytes());
        crc.update(before.get(4..).unwrap_or_default());
        Self(crc.finalize() ^ Self::XOR)
    }
}

impl StunAttribute for Fingerprint {
    const TYPE: AttrType = AttrType::FINGERPRINT;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 4)?;
        Ok(Self(Reader::new(value).u32().unwrap_or_default()))
    }

    fn value_len(&self) -> usize {
        4
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u32(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(
            &round_trip(Fingerprint(0xe57a3bcf))[..],
            &[0xe5, 0x7a, 0x3b, 0xcf]
        );
    }

    #[test]
    fn crc32_check_value() {
        // The CRC-32 (ISO-HDLC) check value: CRC of "123456789".
        let mut crc = crc32fast::Hasher::new();
        crc.update(b"123456789");
        assert_eq!(crc.finalize(), 0xCBF4_3926);
        // compute() replaces bytes 2..4 with the length.
        let f = Fingerprint::compute(b"12\0\x0056789", u16::from_be_bytes(*b"34"));
        assert_eq!(f, Fingerprint(0xCBF4_3926 ^ Fingerprint::XOR));
    }

    #[test]
    fn malformed() {
        assert!(decode::<Fingerprint>(&[0; 3]).is_err());
        assert!(decode::<Fingerprint>(&[0; 5]).is_err());
    }
}
