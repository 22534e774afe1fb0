//! USERHASH (RFC 8489 §14.4). The username hidden as SHA-256(username ":" realm), for username anonymity; see [`crate::integrity::userhash`].
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                        Userhash (256 bits)                    |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// USERHASH: SHA-256 of username and realm.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct UserHash(pub [u8; 32]);

impl StunAttribute for UserHash {
    const TYPE: AttrType = AttrType::USERHASH;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 32)?;
        Ok(Self(Reader::new(value).array().unwrap_or([0; 32])))
    }

    fn value_len(&self) -> usize {
        32
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
        let mut v = [0u8; 32];
        for (i, b) in v.iter_mut().enumerate() {
            *b = i as u8;
        }
        assert_eq!(&round_trip(UserHash(v))[..], &v);
        round_trip(UserHash([0xff; 32]));
    }

    #[test]
    fn malformed() {
        assert!(decode::<UserHash>(&[0; 32 - 1]).is_err());
        assert!(decode::<UserHash>(&[0; 32 + 1]).is_err());
        assert!(decode::<UserHash>(&[]).is_err());
    }
}
