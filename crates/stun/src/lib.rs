//! STUN and TURN message codec for sanderling: RFC 8489 (STUN), the
//! attributes ICE uses (RFC 8445 §16.1) and TURN's (RFC 8656 §18),
//! ChannelData, and stream framing for STUN/TURN over TCP and TLS.
//!
//! Sans-IO and allocation-light: [`Message::parse`] takes the received
//! `Bytes` and hands out attribute values as slices of it;
//! [`MessageBuilder`] writes a message into one buffer. Parsers never panic
//! and never trust a length beyond the bytes present.
#![forbid(unsafe_code)]

pub mod attr;
pub mod builder;
pub mod channel_data;
pub mod error;
pub mod framer;
pub mod header;
pub mod integrity;
pub mod message;
mod wire;

pub use attr::{AttrType, Attribute, StunAttribute};
pub use builder::MessageBuilder;
pub use channel_data::{ChannelData, ChannelDataError};
pub use error::{AttrError, BuildError, FingerprintError, FramingError, IntegrityError, StunError};
pub use framer::{Frame, Framer};
pub use header::{
    Class, HEADER_LEN, MAGIC_COOKIE, MessageHeader, MessageType, Method, TransactionId, is_stun,
};
pub use integrity::IntegrityKey;
pub use message::{MAX_ATTRIBUTES, Message};
