//! DONT-FRAGMENT (RFC 8656 §18.9). Asks the TURN server to set the DF bit on what it relays to the peer (Allocate requests and Send indications).
//!
//! The value is empty (length 0).

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;

/// DONT-FRAGMENT (RFC 8656 §18.9): a flag with no value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DontFragment;

impl StunAttribute for DontFragment {
    const TYPE: AttrType = AttrType::DONT_FRAGMENT;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 0)?;
        Ok(Self)
    }

    fn value_len(&self) -> usize {
        0
    }

    fn encode(&self, _: &mut BytesMut, _: &TransactionId) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert!(round_trip(DontFragment).is_empty());
    }

    #[test]
    fn malformed() {
        assert!(decode::<DontFragment>(&[0]).is_err());
        assert!(decode::<DontFragment>(&[0; 4]).is_err());
    }
}
