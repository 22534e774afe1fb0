//! PRIORITY (RFC 8445 §16.1, §7.1.1). The priority a peer reflexive
//! candidate learnt from this connectivity check would get.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                           Priority                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;

/// PRIORITY: a candidate priority (RFC 8445 §5.1.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Priority(pub u32);

impl StunAttribute for Priority {
    const TYPE: AttrType = AttrType::PRIORITY;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 4)?;
        Ok(Self(u32::from_be_bytes([
            value[0], value[1], value[2], value[3],
        ])))
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
            &round_trip(Priority(0x6e0001ff))[..],
            &[0x6e, 0x00, 0x01, 0xff]
        );
        round_trip(Priority(0));
        round_trip(Priority(u32::MAX));
    }

    #[test]
    fn malformed() {
        assert!(decode::<Priority>(&[1, 2, 3]).is_err());
        assert!(decode::<Priority>(&[1, 2, 3, 4, 5]).is_err());
        assert!(decode::<Priority>(&[]).is_err());
    }
}
