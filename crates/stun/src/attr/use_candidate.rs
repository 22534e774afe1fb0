//! USE-CANDIDATE (RFC 8445 §16.1, §7.2.2). The controlling agent nominates the pair this check is sent on.
//!
//! The value is empty (length 0).

use bytes::{Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;

/// USE-CANDIDATE (RFC 8445 §16.1, §7.2.2): a flag with no value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct UseCandidate;

impl StunAttribute for UseCandidate {
    const TYPE: AttrType = AttrType::USE_CANDIDATE;

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
        assert!(round_trip(UseCandidate).is_empty());
    }

    #[test]
    fn malformed() {
        assert!(decode::<UseCandidate>(&[0]).is_err());
        assert!(decode::<UseCandidate>(&[0; 4]).is_err());
    }
}
