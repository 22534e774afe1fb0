//! ChannelData messages (RFC 8656 §12.4): application data between a TURN
//! client and server on a bound channel, with a 4-byte header instead of a
//! STUN message around it.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Channel Number        |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! /                       Application Data                        /
//! /                                                               /
//! |                                                               |
//! |                               +-------------------------------+
//! |                               |
//! +-------------------------------+
//! ```
//!
//! Channel numbers are 0x4000–0x4FFF, so the first byte tells ChannelData
//! (0x40–0x4F) from STUN (0x00–0x03). Length counts the data only.
//!
//! Padding (RFC 8656 §12.5): over TCP and TLS the message is padded with
//! zeros to a multiple of four bytes, and the padding is part of the frame
//! ([`Framer`](crate::Framer) consumes it); over UDP and DTLS padding is not
//! required but may be present. [`ChannelData::serialize`] therefore takes
//! `pad` (true for streams), and [`ChannelData::parse`] accepts up to three
//! bytes after the data, whatever their value.

use bytes::{BufMut, Bytes, BytesMut};

use crate::wire::{len16, padded};

/// Why bytes are not a ChannelData message.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ChannelDataError {
    /// Fewer than 4 bytes, or fewer data bytes than the length says.
    #[error("ChannelData truncated: length {length}, {available} bytes of data")]
    Truncated {
        /// The length field (0 if the header itself is missing).
        length: usize,
        /// Bytes after the header.
        available: usize,
    },
    /// The channel number is outside 0x4000–0x4FFF.
    #[error("ChannelData channel {channel:#06x} outside 0x4000-0x4FFF")]
    BadChannel {
        /// The channel number.
        channel: u16,
    },
    /// More than three bytes follow the data.
    #[error("ChannelData has {extra} bytes after the data")]
    TrailingBytes {
        /// Bytes after the data.
        extra: usize,
    },
}

/// A ChannelData message: a channel number and application data (a slice
/// of the received bytes, not a copy).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ChannelData {
    /// The channel, 0x4000–0x4FFF.
    pub channel: u16,
    /// The application data.
    pub data: Bytes,
}

impl ChannelData {
    /// Size of the header.
    pub const HEADER_LEN: usize = 4;
    /// The lowest channel number.
    pub const MIN_CHANNEL: u16 = 0x4000;
    /// The highest channel number.
    pub const MAX_CHANNEL: u16 = 0x4FFF;

    /// Whether `channel` is a valid channel number (0x4000–0x4FFF).
    pub const fn is_valid_channel(channel: u16) -> bool {
        channel >= Self::MIN_CHANNEL && channel <= Self::MAX_CHANNEL
    }

    /// Quick check that a datagram starts like ChannelData (first byte
    /// 0x40–0x4F, RFC 7983) and holds at least its header.
    pub fn is_channel_data(buf: &[u8]) -> bool {
        buf.len() >= Self::HEADER_LEN && (0x40..=0x4F).contains(&buf[0])
    }

    /// Parses one message: header, data, and at most three bytes of padding
    /// (present over TCP, optional over UDP). No copy.
    pub fn parse(buf: Bytes) -> Result<Self, ChannelDataError> {
        let Some(head) = buf.first_chunk::<4>() else {
            return Err(ChannelDataError::Truncated {
                length: 0,
                available: 0,
            });
        };
        let channel = u16::from_be_bytes([head[0], head[1]]);
        let length = usize::from(u16::from_be_bytes([head[2], head[3]]));
        if !Self::is_valid_channel(channel) {
            return Err(ChannelDataError::BadChannel { channel });
        }
        let available = buf.len() - Self::HEADER_LEN;
        if length > available {
            return Err(ChannelDataError::Truncated { length, available });
        }
        if available - length > 3 {
            return Err(ChannelDataError::TrailingBytes {
                extra: available - length,
            });
        }
        Ok(Self {
            channel,
            data: buf.slice(Self::HEADER_LEN..Self::HEADER_LEN + length),
        })
    }

    /// Bytes [`serialize`](Self::serialize) writes.
    pub fn serialized_len(&self, pad: bool) -> usize {
        let len = Self::HEADER_LEN + self.data.len();
        if pad { padded(len) } else { len }
    }

    /// Appends the message; with `pad` (TCP and TLS) zero padding to a
    /// multiple of four bytes follows the data. The caller keeps the data
    /// within 65535 bytes (the length field's limit; a datagram's payload
    /// always is).
    pub fn serialize(&self, out: &mut BytesMut, pad: bool) {
        out.reserve(self.serialized_len(pad));
        out.put_u16(self.channel);
        out.put_u16(len16(self.data.len()));
        out.put_slice(&self.data);
        if pad {
            out.put_bytes(0, padded(self.data.len()) - self.data.len());
        }
    }

    /// The message as new bytes.
    pub fn to_bytes(&self, pad: bool) -> Bytes {
        let mut out = BytesMut::with_capacity(self.serialized_len(pad));
        self.serialize(&mut out, pad);
        out.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_padding() {
        let cd = ChannelData {
            channel: 0x4001,
            data: Bytes::from_static(b"hello"),
        };
        let udp = cd.to_bytes(false);
        assert_eq!(&udp[..], b"\x40\x01\x00\x05hello");
        assert_eq!(udp.len(), cd.serialized_len(false));
        assert_eq!(ChannelData::parse(udp), Ok(cd.clone()));
        let tcp = cd.to_bytes(true);
        assert_eq!(&tcp[..], b"\x40\x01\x00\x05hello\0\0\0");
        assert_eq!(tcp.len(), cd.serialized_len(true));
        assert_eq!(ChannelData::parse(tcp), Ok(cd));
        let empty = ChannelData {
            channel: 0x4FFF,
            data: Bytes::new(),
        };
        assert_eq!(ChannelData::parse(empty.to_bytes(true)), Ok(empty));
    }

    #[test]
    fn data_is_a_slice() {
        let buf = Bytes::from_static(b"\x40\x00\x00\x02ab");
        let cd = ChannelData::parse(buf.clone()).unwrap();
        assert_eq!(cd.data.as_ptr(), buf[4..].as_ptr());
    }

    #[test]
    fn malformed() {
        let p = |b: &'static [u8]| ChannelData::parse(Bytes::from_static(b));
        assert!(matches!(
            p(b"\x40\x00\x00"),
            Err(ChannelDataError::Truncated { .. })
        ));
        assert!(matches!(
            p(b"\x40\x00\x00\x05abc"),
            Err(ChannelDataError::Truncated { .. })
        ));
        assert_eq!(
            p(b"\x50\x00\x00\x00"),
            Err(ChannelDataError::BadChannel { channel: 0x5000 })
        );
        assert_eq!(
            p(b"\x3f\xff\x00\x00"),
            Err(ChannelDataError::BadChannel { channel: 0x3fff })
        );
        assert_eq!(
            p(b"\x40\x00\x00\x01abcde"),
            Err(ChannelDataError::TrailingBytes { extra: 4 })
        );
    }

    #[test]
    fn quick_check() {
        assert!(ChannelData::is_channel_data(b"\x40\x00\x00\x00"));
        assert!(ChannelData::is_channel_data(b"\x4f\xff\x00\x00"));
        assert!(!ChannelData::is_channel_data(b"\x50\x00\x00\x00"));
        assert!(!ChannelData::is_channel_data(b"\x00\x01\x00\x00"));
        assert!(!ChannelData::is_channel_data(b"\x40\x00\x00"));
    }
}
