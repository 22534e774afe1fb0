//! USERNAME (RFC 8489 §14.3). The user name of the credentials; in ICE, `remote-ufrag:local-ufrag` (RFC 8445 §7.2.2).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                UTF-8 text (variable, at most 512 bytes)       ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! RFC 8489 asks senders for fewer than 509 bytes; RFC 5389 allowed fewer than 513, which is what is accepted here. See [`super::text`] for the limits and the absence of SASLprep.

use bytes::{Bytes, BytesMut};

use super::text::Text;
use super::{AttrType, StunAttribute};
use crate::error::AttrError;
use crate::header::TransactionId;

/// USERNAME (RFC 8489 §14.3): The user name of the credentials; in ICE, `remote-ufrag:local-ufrag` (RFC 8445 §7.2.2).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Username(Text);

impl Username {
    /// The most bytes the value may have.
    pub const MAX_LEN: usize = 512;

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

impl StunAttribute for Username {
    const TYPE: AttrType = AttrType::USERNAME;

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
            &round_trip(Username::new("evtj:h6vY").unwrap())[..],
            b"evtj:h6vY"
        );
        round_trip(Username::new("").unwrap());
        round_trip(Username::new("マトリックス").unwrap());
        round_trip(Username::new(&"x".repeat(Username::MAX_LEN)).unwrap());
        assert_eq!(Username::new("evtj:h6vY").unwrap().as_str(), "evtj:h6vY");
    }

    #[test]
    fn malformed() {
        assert!(Username::new(&"x".repeat(Username::MAX_LEN + 1)).is_err());
        assert!(decode::<Username>(&vec![b'x'; Username::MAX_LEN + 1]).is_err());
        assert!(decode::<Username>(&[b'a', 0xc3]).is_err());
        assert!(decode::<Username>(&[0xff]).is_err());
    }
}
