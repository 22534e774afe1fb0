//! LIFETIME (RFC 8656 §18.2). Seconds until an allocation expires
//! unless refreshed: asked for in Allocate and Refresh requests (0 in a
//! Refresh deletes the allocation), granted in their success responses.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Lifetime (seconds)                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;
use crate::wire::Reader;

/// LIFETIME: an allocation's lifetime in seconds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Lifetime(pub u32);

impl Lifetime {
    /// The lifetime as a duration.
    pub const fn duration(self) -> Duration {
        Duration::from_secs(self.0 as u64)
    }

    /// A lifetime of `d`, in whole seconds (saturating at `u32::MAX`).
    pub fn from_duration(d: Duration) -> Self {
        Self(u32::try_from(d.as_secs()).unwrap_or(u32::MAX))
    }
}

impl StunAttribute for Lifetime {
    const TYPE: AttrType = AttrType::LIFETIME;

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
        assert_eq!(&round_trip(Lifetime(600))[..], &[0, 0, 2, 0x58]);
        round_trip(Lifetime(0));
        assert_eq!(Lifetime(600).duration(), Duration::from_secs(600));
        assert_eq!(
            Lifetime::from_duration(Duration::from_millis(3_900)),
            Lifetime(3)
        );
        assert_eq!(
            Lifetime::from_duration(Duration::from_secs(u64::MAX)),
            Lifetime(u32::MAX)
        );
    }

    #[test]
    fn malformed() {
        assert!(decode::<Lifetime>(&[0; 3]).is_err());
        assert!(decode::<Lifetime>(&[0; 8]).is_err());
    }
}
