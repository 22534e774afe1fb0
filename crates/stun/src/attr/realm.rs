//! REALM (RFC 8489 §14.9). The long-term credentials' realm, from the server's 401 response; it goes into the key.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                UTF-8 text (variable, at most 763 bytes)       ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Fewer than 128 characters. See [`super::text`] for the limits and the absence of SASLprep.

use bytes::{Bytes, BytesMut};

use super::text::Text;
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// REALM (RFC 8489 §14.9): The long-term credentials' realm, from the server's 401 response; it goes into the key.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Realm(Text);

impl Realm {
    /// The most bytes the value may have.
    pub const MAX_LEN: usize = 763;

    /// The attribute carrying `text`; an error if it is longer than
    /// [`MAX_LEN`](Self::MAX_LEN) bytes.
    pub fn new(text: &str) -> Result<Self, AttrError> {
        Text::from_str(Self::TYPE, text, Self::MAX_LEN).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The text's bytes, as carried.
    pub fn as_bytes(&self) -> &Bytes {
        self.0.as_bytes()
    }
}

impl StunAttribute for Realm {
    const TYPE: AttrType = AttrType::REALM;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        Text::from_bytes(Self::TYPE, value.clone(), Self::MAX_LEN).map(Self)
    }

    fn value_len(&self) -> usize {
        self.0.len()
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.extend_from_slice(self.0.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(
            &round_trip(Realm::new("example.org").unwrap())[..],
            b"example.org"
        );
        round_trip(Realm::new("").unwrap());
        round_trip(Realm::new("マトリックス").unwrap());
        round_trip(Realm::new(&"x".repeat(Realm::MAX_LEN)).unwrap());
        assert_eq!(Realm::new("example.org").unwrap().as_str(), "example.org");
    }

    #[test]
    fn malformed() {
        assert!(Realm::new(&"x".repeat(Realm::MAX_LEN + 1)).is_err());
        assert!(decode::<Realm>(&vec![b'x'; Realm::MAX_LEN + 1]).is_err());
        assert!(decode::<Realm>(&[b'a', 0xc3]).is_err());
        assert!(decode::<Realm>(&[0xff]).is_err());
    }
}
