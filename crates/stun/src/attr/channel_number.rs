//! CHANNEL-NUMBER (RFC 8656 §18.1). The channel a ChannelBind request
//! binds to a peer.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Channel Number         |         RFFU = 0              |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Any number parses (the RFFU bits are ignored); whether it lies in
//! 0x4000–0x4FFF is the TURN logic's business ([`ChannelNumber::is_valid`]).

use bytes::{BufMut, Bytes, BytesMut};

use super::{AttrType, StunAttribute, expect_len};
use crate::channel_data::ChannelData;
use crate::error::AttrError;
use crate::header::TransactionId;

/// CHANNEL-NUMBER: a TURN channel number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ChannelNumber(pub u16);

impl ChannelNumber {
    /// Whether the number is one a client may bind (0x4000–0x4FFF).
    pub const fn is_valid(self) -> bool {
        ChannelData::is_valid_channel(self.0)
    }
}

impl StunAttribute for ChannelNumber {
    const TYPE: AttrType = AttrType::CHANNEL_NUMBER;

    fn decode(value: &Bytes, _: &TransactionId) -> Result<Self, AttrError> {
        expect_len(Self::TYPE, value, 4)?;
        Ok(Self(u16::from_be_bytes([value[0], value[1]])))
    }

    fn value_len(&self) -> usize {
        4
    }

    fn encode(&self, out: &mut BytesMut, _: &TransactionId) {
        out.put_u16(self.0);
        out.put_u16(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::test_support::{decode, round_trip};

    #[test]
    fn round_trips() {
        assert_eq!(&round_trip(ChannelNumber(0x4001))[..], &[0x40, 0x01, 0, 0]);
        assert!(ChannelNumber(0x4FFF).is_valid());
        assert!(!ChannelNumber(0x5000).is_valid());
        assert!(!ChannelNumber(0x3FFF).is_valid());
        assert_eq!(
            decode::<ChannelNumber>(&[0x40, 0, 0xff, 0xff]),
            Ok(ChannelNumber(0x4000))
        );
    }

    #[test]
    fn malformed() {
        assert!(decode::<ChannelNumber>(&[0x40, 0]).is_err());
        assert!(decode::<ChannelNumber>(&[0; 8]).is_err());
    }
}
