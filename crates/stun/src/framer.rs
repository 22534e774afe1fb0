//! Splitting a byte stream into STUN messages and ChannelData messages
//! (STUN and TURN over TCP or TLS, RFC 8489 §6.2.2, RFC 8656 §12.5).
//!
//! A stream carries no other framing: each message is delimited by its own
//! length field. The first two bits tell the kinds apart: `00` starts a
//! STUN message (20-byte header, length field counting the attributes),
//! `01` a ChannelData message (4-byte header, length field counting the
//! data, which over a stream is always padded to four bytes). Anything else
//! means the stream is out of sync, and the connection should be closed.
//!
//! The framer's buffer is bounded: [`Framer::push`] refuses bytes that would
//! overflow it, and a frame that could never fit is an error as soon as its
//! header arrives. Frames come out as slices of the buffer (`split_to`), not
//! copies.

use bytes::{Bytes, BytesMut};

use crate::channel_data::ChannelData;
use crate::error::FramingError;
use crate::header::{HEADER_LEN, MessageHeader};
use crate::wire::padded;

/// The longest STUN message: a 20-byte header and 65532 bytes of attributes.
pub const MAX_STUN_LEN: usize = HEADER_LEN + 0xFFFC;

/// The longest padded ChannelData message: 4-byte header, 65535 bytes of
/// data, one byte of padding.
pub const MAX_CHANNEL_DATA_LEN: usize = ChannelData::HEADER_LEN + padded(0xFFFF);

/// One frame from the stream.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Frame {
    /// A whole STUN message, to be given to
    /// [`Message::parse`](crate::Message::parse). A malformed body is that
    /// message's problem, not the stream's.
    Stun(Bytes),
    /// A ChannelData message (its padding consumed).
    ChannelData(ChannelData),
}

/// Splits a byte stream into [`Frame`]s, holding at most `capacity` bytes.
#[derive(Debug)]
pub struct Framer {
    buf: BytesMut,
    capacity: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new()
    }
}

impl Framer {
    /// Room for a largest frame while the next read's bytes arrive: twice
    /// the longest STUN message.
    pub const DEFAULT_CAPACITY: usize = 2 * MAX_STUN_LEN;

    /// A framer with [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY).
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A framer that buffers at most `capacity` bytes; frames longer than
    /// that are refused ([`FramingError::FrameTooLarge`]). Memory is taken
    /// as bytes arrive, not up front.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: BytesMut::new(),
            capacity,
        }
    }

    /// Bytes buffered, not yet returned as frames.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// How many more bytes [`push`](Self::push) accepts now.
    pub fn space(&self) -> usize {
        self.capacity.saturating_sub(self.buf.len())
    }

    /// Appends bytes read from the stream. Refuses (appending nothing) if
    /// they would exceed the capacity: take frames out with
    /// [`next_frame`](Self::next_frame) first, or push less.
    pub fn push(&mut self, data: &[u8]) -> Result<(), FramingError> {
        if data.len() > self.space() {
            return Err(FramingError::BufferFull {
                buffered: self.buf.len(),
                pushed: data.len(),
                capacity: self.capacity,
            });
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// The next whole frame, `Ok(None)` if more bytes are needed, or an
    /// error if the stream cannot be framed (it stays so: close the
    /// connection).
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FramingError> {
        let Some(&first) = self.buf.first() else {
            return Ok(None);
        };
        let frame_len = match first >> 6 {
            0b00 => {
                if self.buf.len() < HEADER_LEN {
                    return Ok(None);
                }
                let header =
                    MessageHeader::parse(&self.buf).map_err(FramingError::BadStunHeader)?;
                header.message_len()
            }
            0b01 => {
                let Some(head) = self.buf.first_chunk::<4>() else {
                    return Ok(None);
                };
                let channel = u16::from_be_bytes([head[0], head[1]]);
                if !ChannelData::is_valid_channel(channel) {
                    return Err(FramingError::BadChannel { channel });
                }
                let len = usize::from(u16::from_be_bytes([head[2], head[3]]));
                ChannelData::HEADER_LEN + padded(len)
            }
            _ => return Err(FramingError::UnknownFrame { first }),
        };
        if frame_len > self.capacity {
            return Err(FramingError::FrameTooLarge {
                length: frame_len,
                max: self.capacity,
            });
        }
        if self.buf.len() < frame_len {
            return Ok(None);
        }
        let frame = self.buf.split_to(frame_len).freeze();
        if first >> 6 == 0b00 {
            return Ok(Some(Frame::Stun(frame)));
        }
        // The header was checked above and the padding is at most 3 bytes.
        match ChannelData::parse(frame) {
            Ok(cd) => Ok(Some(Frame::ChannelData(cd))),
            Err(_) => Err(FramingError::UnknownFrame { first }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::{Data, Software};
    use crate::builder::MessageBuilder;
    use crate::header::{MAGIC_COOKIE, Method, TransactionId};
    use crate::message::Message;

    fn stun(text: &str) -> Bytes {
        MessageBuilder::indication(Method::BINDING, TransactionId([5; 12]))
            .attr(Software::new(text).unwrap())
            .build()
            .unwrap()
    }

    fn channel_data(len: usize) -> Bytes {
        ChannelData {
            channel: 0x4001,
            data: Bytes::from(vec![0xab; len]),
        }
        .to_bytes(true)
    }

    #[test]
    fn splits_a_stream_fed_byte_by_byte() {
        let mut stream = Vec::new();
        stream.extend_from_slice(&stun("one"));
        stream.extend_from_slice(&channel_data(5));
        stream.extend_from_slice(&stun("two"));
        stream.extend_from_slice(&channel_data(0));
        stream.extend_from_slice(&channel_data(8));
        let mut f = Framer::new();
        let mut frames = Vec::new();
        for b in &stream {
            f.push(std::slice::from_ref(b)).unwrap();
            while let Some(frame) = f.next_frame().unwrap() {
                frames.push(frame);
            }
        }
        assert_eq!(f.buffered(), 0);
        assert_eq!(frames.len(), 5);
        let Frame::Stun(m) = &frames[0] else { panic!() };
        assert_eq!(
            Message::parse(m.clone())
                .unwrap()
                .get::<Software>()
                .unwrap()
                .as_str(),
            "one"
        );
        let Frame::ChannelData(cd) = &frames[1] else {
            panic!()
        };
        assert_eq!((cd.channel, cd.data.len()), (0x4001, 5));
        assert!(matches!(&frames[2], Frame::Stun(_)));
        let Frame::ChannelData(cd) = &frames[3] else {
            panic!()
        };
        assert!(cd.data.is_empty());
        let Frame::ChannelData(cd) = &frames[4] else {
            panic!()
        };
        assert_eq!(cd.data.len(), 8);
    }

    #[test]
    fn splits_a_stream_fed_at_once() {
        let mut f = Framer::new();
        let big = MessageBuilder::indication(Method::SEND, TransactionId([1; 12]))
            .attr(Data(Bytes::from(vec![1; 60_000])))
            .build()
            .unwrap();
        f.push(&big).unwrap();
        f.push(&channel_data(3)).unwrap();
        assert_eq!(f.next_frame().unwrap(), Some(Frame::Stun(big)));
        assert!(matches!(
            f.next_frame().unwrap(),
            Some(Frame::ChannelData(_))
        ));
        assert_eq!(f.next_frame().unwrap(), None);
    }

    #[test]
    fn buffer_is_bounded() {
        let mut f = Framer::with_capacity(64);
        assert_eq!(f.space(), 64);
        f.push(&[0; 60]).unwrap();
        assert_eq!(
            f.push(&[0; 5]),
            Err(FramingError::BufferFull {
                buffered: 60,
                pushed: 5,
                capacity: 64
            })
        );
        assert_eq!(f.buffered(), 60);
        // A frame that can never fit is refused once its header is seen.
        let mut f = Framer::with_capacity(64);
        f.push(&channel_data(100)[..4]).unwrap();
        assert_eq!(
            f.next_frame(),
            Err(FramingError::FrameTooLarge {
                length: 104,
                max: 64
            })
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let mut f = Framer::new();
        f.push(&[0x80, 0, 0, 0]).unwrap();
        assert_eq!(
            f.next_frame(),
            Err(FramingError::UnknownFrame { first: 0x80 })
        );
        let mut f = Framer::new();
        f.push(&[0x50, 0, 0, 0]).unwrap();
        assert_eq!(
            f.next_frame(),
            Err(FramingError::BadChannel { channel: 0x5000 })
        );
        let mut f = Framer::new();
        let mut bad = stun("x").to_vec();
        bad[4..8].copy_from_slice(&(MAGIC_COOKIE ^ 1).to_be_bytes());
        f.push(&bad).unwrap();
        assert!(matches!(
            f.next_frame(),
            Err(FramingError::BadStunHeader(_))
        ));
        // Partial headers wait.
        let mut f = Framer::new();
        f.push(&stun("x")[..19]).unwrap();
        assert_eq!(f.next_frame(), Ok(None));
        f.push(&[]).unwrap();
        assert_eq!(Framer::default().next_frame(), Ok(None));
    }
}
