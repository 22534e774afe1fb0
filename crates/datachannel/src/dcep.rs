//! The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN
//! and DATA_CHANNEL_ACK, sent with PPID 50 on the channel's own stream.
//!
//! ```text
//! DATA_CHANNEL_OPEN:
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Message Type |  Channel Type |            Priority           |
//! |                    Reliability Parameter                      |
//! |         Label Length          |       Protocol Length         |
//! \                             Label                             /
//! \                            Protocol                           /
//!
//! DATA_CHANNEL_ACK: one byte, Message Type = 0x02.
//! ```

use bytes::{BufMut, Bytes, BytesMut};

const OPEN: u8 = 0x03;
const ACK: u8 = 0x02;
const UNORDERED_BIT: u8 = 0x80;

/// How a channel delivers (RFC 8832 §5.1 channel types, without the
/// unordered bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reliability {
    /// Every message arrives (types 0x00 / 0x80).
    Reliable,
    /// At most this many retransmissions (0x01 / 0x81; W3C `maxRetransmits`).
    MaxRetransmits(u32),
    /// Retransmitted for at most this many milliseconds (0x02 / 0x82;
    /// W3C `maxPacketLifeTime`).
    MaxLifetimeMs(u32),
}

/// A DCEP message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DcepMessage {
    /// DATA_CHANNEL_OPEN.
    Open(OpenMessage),
    /// DATA_CHANNEL_ACK.
    Ack,
}

/// The contents of DATA_CHANNEL_OPEN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenMessage {
    /// Ordered delivery.
    pub ordered: bool,
    /// Partial reliability.
    pub reliability: Reliability,
    /// Priority (RFC 8831 §6.4: 128 below normal, 256 normal, 512 high,
    /// 1024 extra high).
    pub priority: u16,
    /// The channel's label (UTF-8).
    pub label: String,
    /// The sub-protocol (UTF-8).
    pub protocol: String,
}

/// Why a DCEP message was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DcepError {
    /// Fewer bytes than the fixed part or the lengths announce.
    #[error("DCEP message truncated: {0}")]
    Truncated(&'static str),
    /// Bytes beyond what the lengths announce.
    #[error("DCEP message has {0} trailing bytes")]
    TrailingBytes(usize),
    /// Message type not OPEN or ACK.
    #[error("unknown DCEP message type {0:#04x}")]
    UnknownType(u8),
    /// Channel type not defined by RFC 8832.
    #[error("unknown DCEP channel type {0:#04x}")]
    UnknownChannelType(u8),
    /// Label or protocol is not UTF-8.
    #[error("DCEP {0} is not valid UTF-8")]
    NotUtf8(&'static str),
    /// Label or protocol longer than 65535 bytes (cannot be encoded).
    #[error("DCEP {0} longer than 65535 bytes")]
    TooLong(&'static str),
}

impl DcepMessage {
    /// Parses a message received with PPID 50.
    pub fn parse(b: &[u8]) -> Result<Self, DcepError> {
        match b.first() {
            Some(&ACK) => {
                // RFC 8832 §5.2: the ACK is the type byte alone.
                if b.len() > 1 {
                    return Err(DcepError::TrailingBytes(b.len() - 1));
                }
                Ok(Self::Ack)
            }
            Some(&OPEN) => OpenMessage::parse(b).map(Self::Open),
            Some(&t) => Err(DcepError::UnknownType(t)),
            None => Err(DcepError::Truncated("empty")),
        }
    }

    /// Serialises the message.
    pub fn to_bytes(&self) -> Result<Bytes, DcepError> {
        match self {
            Self::Ack => Ok(Bytes::from_static(&[ACK])),
            Self::Open(o) => o.to_bytes(),
        }
    }
}

impl OpenMessage {
    fn parse(b: &[u8]) -> Result<Self, DcepError> {
        if b.len() < 12 {
            return Err(DcepError::Truncated("fixed part"));
        }
        let channel_type = b[1];
        let priority = u16::from_be_bytes([b[2], b[3]]);
        let param = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        let label_len = usize::from(u16::from_be_bytes([b[8], b[9]]));
        let protocol_len = usize::from(u16::from_be_bytes([b[10], b[11]]));
        let rest = &b[12..];
        if rest.len() < label_len + protocol_len {
            return Err(DcepError::Truncated("label and protocol"));
        }
        if rest.len() > label_len + protocol_len {
            return Err(DcepError::TrailingBytes(
                rest.len() - label_len - protocol_len,
            ));
        }
        let reliability = match channel_type & !UNORDERED_BIT {
            0x00 => Reliability::Reliable,
            0x01 => Reliability::MaxRetransmits(param),
            0x02 => Reliability::MaxLifetimeMs(param),
            _ => return Err(DcepError::UnknownChannelType(channel_type)),
        };
        let label =
            std::str::from_utf8(&rest[..label_len]).map_err(|_| DcepError::NotUtf8("label"))?;
        let protocol =
            std::str::from_utf8(&rest[label_len..]).map_err(|_| DcepError::NotUtf8("protocol"))?;
        Ok(Self {
            ordered: channel_type & UNORDERED_BIT == 0,
            reliability,
            priority,
            label: label.to_owned(),
            protocol: protocol.to_owned(),
        })
    }

    fn to_bytes(&self) -> Result<Bytes, DcepError> {
        let label_len = u16::try_from(self.label.len()).map_err(|_| DcepError::TooLong("label"))?;
        let protocol_len =
            u16::try_from(self.protocol.len()).map_err(|_| DcepError::TooLong("protocol"))?;
        let (kind, param) = match self.reliability {
            Reliability::Reliable => (0x00, 0),
            Reliability::MaxRetransmits(n) => (0x01, n),
            Reliability::MaxLifetimeMs(ms) => (0x02, ms),
        };
        let mut out = BytesMut::with_capacity(12 + self.label.len() + self.protocol.len());
        out.put_u8(OPEN);
        out.put_u8(if self.ordered {
            kind
        } else {
            kind | UNORDERED_BIT
        });
        out.put_u16(self.priority);
        out.put_u32(param);
        out.put_u16(label_len);
        out.put_u16(protocol_len);
        out.put_slice(self.label.as_bytes());
        out.put_slice(self.protocol.as_bytes());
        Ok(out.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_round_trip_every_channel_type_and_unicode() {
        for ordered in [true, false] {
            for reliability in [
                Reliability::Reliable,
                Reliability::MaxRetransmits(0),
                Reliability::MaxRetransmits(7),
                Reliability::MaxLifetimeMs(1500),
            ] {
                let m = DcepMessage::Open(OpenMessage {
                    ordered,
                    reliability,
                    priority: 512,
                    label: "chat 💬 канал".into(),
                    protocol: "json/v1".into(),
                });
                let wire = m.to_bytes().unwrap();
                assert_eq!(DcepMessage::parse(&wire).unwrap(), m);
            }
        }
    }

    #[test]
    fn wire_layout_matches_rfc_8832() {
        let m = DcepMessage::Open(OpenMessage {
            ordered: false,
            reliability: Reliability::MaxRetransmits(3),
            priority: 256,
            label: "ab".into(),
            protocol: "c".into(),
        });
        let wire = m.to_bytes().unwrap();
        assert_eq!(
            &wire[..],
            &[
                0x03, 0x81, 0x01, 0x00, 0, 0, 0, 3, 0, 2, 0, 1, b'a', b'b', b'c'
            ]
        );
        assert_eq!(DcepMessage::Ack.to_bytes().unwrap()[..], [0x02]);
    }

    #[test]
    fn malformed_messages_are_refused() {
        assert_eq!(DcepMessage::parse(&[]), Err(DcepError::Truncated("empty")));
        assert_eq!(
            DcepMessage::parse(&[0x02, 0]),
            Err(DcepError::TrailingBytes(1))
        );
        assert_eq!(DcepMessage::parse(&[0x09]), Err(DcepError::UnknownType(9)));
        assert_eq!(
            DcepMessage::parse(&[0x03, 0, 0]),
            Err(DcepError::Truncated("fixed part"))
        );
        // Label length says 5, only 2 bytes follow.
        let short = [0x03, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0, 0, b'a', b'b'];
        assert_eq!(
            DcepMessage::parse(&short),
            Err(DcepError::Truncated("label and protocol"))
        );
        let long = [0x03, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, b'a', b'b'];
        assert_eq!(DcepMessage::parse(&long), Err(DcepError::TrailingBytes(1)));
        let bad_type = [0x03, 0x05, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            DcepMessage::parse(&bad_type),
            Err(DcepError::UnknownChannelType(5))
        );
        let bad_utf8 = [0x03, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff];
        assert_eq!(
            DcepMessage::parse(&bad_utf8),
            Err(DcepError::NotUtf8("label"))
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
            let _ = DcepMessage::parse(&b);
        }
    }
}
