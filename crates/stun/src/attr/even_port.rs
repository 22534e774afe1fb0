//! EVEN-PORT (RFC 8656 §18.7). Asks for a relayed port that is even and,
//! with R set, for the next port to be reserved too (RTP/RTCP pairs).
//!
//! ```text
//!  0
//!  0 1 2 3 4 5 6 7
//! +-+-+-+-+-+-+-+-+
//! |R|    RFFU     |
//! +-+-+-+-+-+-+-+-+
//! ```
//!
//! The value is one byte (padded to four on the wire); the RFFU bits are
//! ignored.

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::error::AttrError;
use crate::header::TransactionId;

/// EVEN-PORT: ask for an even relayed port.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct EvenPort {
    /// R: also reserve the next-higher port.
    pub reserve_next: bool,
}

impl StunAttribute for EvenPort {
    const TYPE: AttrType = AttrType::EVEN_PORT;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 1)?;
        Ok(Self {
            reserve_next: value[0] & 0x80 != 0,
        })
    }

    fn value_len(&self) -> usize {
        1
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u8(if self.reserve_next { 0x80 } else { 0 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(&round_trip(EvenPort { reserve_next: true })[..], &[0x80]);
        assert_eq!(
            &round_trip(EvenPort {
                reserve_next: false
            })[..],
            &[0]
        );
        assert_eq!(
            decode::<EvenPort>(&[0x7f]),
            Ok(EvenPort {
                reserve_next: false
            })
        );
    }

    #[test]
    fn malformed() {
        assert!(decode::<EvenPort>(&[]).is_err());
        assert!(decode::<EvenPort>(&[0x80, 0, 0, 0]).is_err());
    }
}
