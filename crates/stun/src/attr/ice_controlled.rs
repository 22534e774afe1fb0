//! ICE-CONTROLLED (RFC 8445 §16.1, §7.3.1.1). Sent in checks by the agent that believes it is controlled; the 64-bit random tie-breaker resolves role conflicts.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! |                    Tie-breaker (64 bits)                      |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// ICE-CONTROLLED: the sender's tie-breaker.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct IceControlled(pub u64);

impl StunAttribute for IceControlled {
    const TYPE: AttrType = AttrType::ICE_CONTROLLED;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 8)?;
        Ok(Self(Reader::new(value).u64().unwrap_or_default()))
    }

    fn value_len(&self) -> usize {
        8
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u64(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(
            &round_trip(IceControlled(0x932f_f9b1_5126_3b36))[..],
            &[0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36]
        );
        round_trip(IceControlled(0));
        round_trip(IceControlled(u64::MAX));
    }

    #[test]
    fn malformed() {
        assert!(decode::<IceControlled>(&[0; 4]).is_err());
        assert!(decode::<IceControlled>(&[0; 7]).is_err());
        assert!(decode::<IceControlled>(&[0; 12]).is_err());
    }
}
