//! UNKNOWN-ATTRIBUTES (RFC 8489 §14.13). In a 420 (Unknown Attribute)
//! response: the comprehension-required types the server did not
//! understand.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Attribute 1 Type         |       Attribute 2 Type        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Attribute 3 Type         |       Attribute 4 Type    ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The value length must be even; an odd count is followed by the usual
//! zero padding (RFC 3489's repeated last type is not produced).

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// UNKNOWN-ATTRIBUTES: a list of attribute types.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct UnknownAttributes(pub Vec<AttrType>);

impl StunAttribute for UnknownAttributes {
    const TYPE: AttrType = AttrType::UNKNOWN_ATTRIBUTES;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        let (pairs, rest) = value.as_chunks::<2>();
        if !rest.is_empty() {
            return Err(AttrError::new(Self::TYPE, "odd value length"));
        }
        // The list is no longer than the bytes that arrived.
        Ok(Self(
            pairs
                .iter()
                .map(|p| AttrType(u16::from_be_bytes(*p)))
                .collect(),
        ))
    }

    fn value_len(&self) -> usize {
        2 * self.0.len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        for t in &self.0 {
            out.put_u16(t.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        let v = round_trip(UnknownAttributes(vec![AttrType(0x7001), AttrType(0x0002)]));
        assert_eq!(&v[..], &[0x70, 0x01, 0, 2]);
        assert_eq!(
            round_trip(UnknownAttributes(vec![AttrType(0x7001)])).len(),
            2
        );
        round_trip(UnknownAttributes(vec![]));
    }

    #[test]
    fn malformed() {
        assert!(decode::<UnknownAttributes>(&[0]).is_err());
        assert!(decode::<UnknownAttributes>(&[0, 1, 2]).is_err());
    }
}
