//! The crate's error types, one per job: parsing ([`StunError`], with
//! [`AttrError`] for one attribute's value), building ([`BuildError`]),
//! checking integrity and fingerprint ([`IntegrityError`],
//! [`FingerprintError`]) and splitting a byte stream ([`FramingError`]).
//!
//! Network input is hostile, so parsers report what was wrong instead of
//! panicking; misuse of the builder is reported by `build` and produces
//! nothing.

use crate::attr::AttrType;

/// Why an attribute value is not valid for its type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("attribute {typ:?}: {reason}")]
pub struct AttrError {
    /// The attribute's type.
    pub typ: AttrType,
    /// What was wrong with it.
    pub reason: &'static str,
}

impl AttrError {
    pub(crate) const fn new(typ: AttrType, reason: &'static str) -> Self {
        Self { typ, reason }
    }
}

/// Why bytes could not be parsed as a STUN message (RFC 8489 §5, §14).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum StunError {
    /// Fewer than the 20 bytes of the header.
    #[error("truncated: {length} bytes, a STUN header needs 20")]
    Truncated {
        /// Bytes present.
        length: usize,
    },
    /// The two most significant bits of the message are not zero, so this is
    /// not STUN (RFC 8489 §5; RFC 7983 demultiplexing).
    #[error("not STUN: the first two bits are not zero")]
    NotStun,
    /// The magic cookie is not 0x2112A442 (RFC 8489 §5; classic RFC 3489
    /// messages are not accepted).
    #[error("bad magic cookie {cookie:#010x}")]
    BadMagicCookie {
        /// The cookie the message carries.
        cookie: u32,
    },
    /// The length field is not a multiple of four.
    #[error("message length {length} is not a multiple of 4")]
    UnalignedLength {
        /// The length field.
        length: usize,
    },
    /// The length field does not match the bytes present after the header.
    #[error("message length {declared} but {available} bytes follow the header")]
    LengthMismatch {
        /// The length field.
        declared: usize,
        /// Bytes after the 20-byte header.
        available: usize,
    },
    /// An attribute's length runs past the end of the message.
    #[error("attribute {typ:?} of length {length} overruns the message")]
    AttributeOverrun {
        /// The attribute's type.
        typ: AttrType,
        /// Its length field.
        length: usize,
    },
    /// More attributes than [`MAX_ATTRIBUTES`](crate::MAX_ATTRIBUTES).
    #[error("more than {max} attributes", max = crate::MAX_ATTRIBUTES)]
    TooManyAttributes,
    /// An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7).
    #[error("FINGERPRINT is not the last attribute")]
    FingerprintNotLast,
    /// A known attribute carries a value its type does not allow.
    #[error(transparent)]
    Attribute(#[from] AttrError),
}

/// Why [`MessageBuilder::build`](crate::MessageBuilder::build) refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum BuildError {
    /// An attribute value its type does not allow (too long, out of range).
    #[error(transparent)]
    Attribute(#[from] AttrError),
    /// An attribute was added after MESSAGE-INTEGRITY or
    /// MESSAGE-INTEGRITY-SHA256; only MESSAGE-INTEGRITY-SHA256 (after
    /// MESSAGE-INTEGRITY) and FINGERPRINT may follow them (RFC 8489 §14.5,
    /// §14.6).
    #[error("attribute {typ:?} after message integrity")]
    AfterIntegrity {
        /// The attribute that came too late.
        typ: AttrType,
    },
    /// Something was added after FINGERPRINT, which must be last.
    #[error("attribute {typ:?} after FINGERPRINT")]
    AfterFingerprint {
        /// The attribute that came too late.
        typ: AttrType,
    },
    /// The message would exceed the 16-bit length field.
    #[error("message too large: {length} bytes of attributes")]
    MessageTooLarge {
        /// Bytes of attributes the message would have.
        length: usize,
    },
    /// MESSAGE-INTEGRITY-SHA256 truncated to a length other than 16, 20, 24,
    /// 28 or 32 bytes (RFC 8489 §14.6).
    #[error("MESSAGE-INTEGRITY-SHA256 cannot be {length} bytes")]
    BadTruncation {
        /// The length asked for.
        length: usize,
    },
}

/// Why a message's integrity could not be verified.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum IntegrityError {
    /// Neither MESSAGE-INTEGRITY nor MESSAGE-INTEGRITY-SHA256 is present.
    #[error("no message integrity attribute")]
    Missing,
    /// The HMAC does not match: wrong key or altered message.
    #[error("message integrity check failed")]
    Mismatch,
}

/// Why a message's FINGERPRINT could not be verified.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum FingerprintError {
    /// The message has no FINGERPRINT.
    #[error("no FINGERPRINT attribute")]
    Missing,
    /// The CRC does not match the message.
    #[error("FINGERPRINT {carried:#010x} does not match {computed:#010x}")]
    Mismatch {
        /// The value the message carries.
        carried: u32,
        /// The value computed over the message.
        computed: u32,
    },
}

/// Why a byte stream (STUN and ChannelData over TCP or TLS) cannot be split
/// into frames. Every variant means the stream is out of sync or abusive:
/// the connection should be closed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum FramingError {
    /// The next frame starts with a byte that begins neither a STUN message
    /// (`0b00`) nor ChannelData (`0b01`).
    #[error("byte {first:#04x} starts neither STUN nor ChannelData")]
    UnknownFrame {
        /// The first byte of the would-be frame.
        first: u8,
    },
    /// A STUN header in the stream is invalid (magic cookie, length).
    #[error("bad STUN header in stream: {0}")]
    BadStunHeader(StunError),
    /// A ChannelData header names a channel outside 0x4000–0x4FFF.
    #[error("ChannelData on invalid channel {channel:#06x}")]
    BadChannel {
        /// The channel number.
        channel: u16,
    },
    /// A frame longer than the framer accepts.
    #[error("frame of {length} bytes exceeds the limit of {max}")]
    FrameTooLarge {
        /// The frame's length, header and padding included.
        length: usize,
        /// The framer's limit.
        max: usize,
    },
    /// Pushing these bytes would exceed the framer's buffer; drain frames
    /// first.
    #[error("framer buffer full: {buffered} buffered, {pushed} pushed, capacity {capacity}")]
    BufferFull {
        /// Bytes already buffered.
        buffered: usize,
        /// Bytes the caller tried to push.
        pushed: usize,
        /// The buffer's capacity.
        capacity: usize,
    },
}
