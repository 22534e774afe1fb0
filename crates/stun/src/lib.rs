//! STUN and TURN message codec for sanderling: RFC 8489 (STUN), the
//! attributes ICE uses (RFC 8445 §16.1) and TURN's (RFC 8656 §18),
//! ChannelData, and stream framing for STUN/TURN over TCP and TLS.
//!
//! Sans-IO and allocation-light: [`Message::parse`] takes the received
//! `Bytes` and hands out attribute values as slices of it;
//! [`MessageBuilder`] writes a message into one buffer. Parsers never panic,
//! never trust a length beyond the bytes present, and bound the attribute
//! count ([`MAX_ATTRIBUTES`]).
//!
//! # Map
//!
//! * [`header`]: method, class, transaction id, [`is_stun`].
//! * [`attr`]: one file per attribute type, [`Attribute`] (any of them, or
//!   [`Attribute::Unknown`]), the [`StunAttribute`] trait behind
//!   [`Message::get`].
//! * [`message`]: [`Message`], the parsed view; accessors; FINGERPRINT check;
//!   unknown comprehension-required attributes.
//! * [`builder`]: [`MessageBuilder`], responses, the 420 response.
//! * [`integrity`]: [`IntegrityKey`] (short- and long-term), MESSAGE-INTEGRITY
//!   and MESSAGE-INTEGRITY-SHA256 (built, and verified in constant time).
//! * [`channel_data`]: [`ChannelData`] (TURN channels).
//! * [`framer`]: [`Framer`], STUN and ChannelData out of a TCP/TLS stream.
//!
//! # Building an ICE connectivity check
//!
//! ```
//! use sanderling_stun::attr::{IceControlling, Priority, UseCandidate, Username};
//! use sanderling_stun::{IntegrityKey, Message, MessageBuilder, Method, TransactionId};
//!
//! // The transaction id comes from the agent's seeded generator.
//! let tid = TransactionId([7; 12]);
//! // Short-term credentials: the key is the remote peer's ICE password.
//! let key = IntegrityKey::short_term("remote-ice-password");
//! let request = MessageBuilder::request(Method::BINDING, tid)
//!     .attr(Username::new("remoteufrag:localufrag")?)
//!     .attr(Priority(1_853_824_767))
//!     .attr(IceControlling(0x1234_5678_9abc_def0))
//!     .attr(UseCandidate)
//!     .message_integrity(&key)
//!     .fingerprint()
//!     .build()?;
//!
//! // The peer checks it like this.
//! let received = Message::parse(request)?;
//! assert!(received.unknown_comprehension_required().is_empty());
//! received.verify_fingerprint()?;
//! received.verify_integrity(&key)?;
//! assert_eq!(received.username(), Some("remoteufrag:localufrag"));
//! assert_eq!(received.priority(), Some(1_853_824_767));
//! assert_eq!(received.ice_controlling(), Some(0x1234_5678_9abc_def0));
//! assert!(received.use_candidate());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Answering it and reading XOR-MAPPED-ADDRESS
//!
//! ```
//! use std::net::SocketAddr;
//!
//! use sanderling_stun::attr::XorMappedAddress;
//! use sanderling_stun::{Class, IntegrityKey, Message, MessageBuilder, Method, TransactionId};
//!
//! let key = IntegrityKey::short_term("local-ice-password");
//! let request = Message::parse(
//!     MessageBuilder::request(Method::BINDING, TransactionId([1; 12])).build()?,
//! )?;
//! let from: SocketAddr = "203.0.113.5:50000".parse()?;
//! // Responder: same transaction id, the address the request came from.
//! let response = MessageBuilder::success_response(&request)
//!     .attr(XorMappedAddress(from))
//!     .message_integrity(&key)
//!     .fingerprint()
//!     .build()?;
//!
//! // Requester: match the transaction, check integrity, read the address.
//! let response = Message::parse(response)?;
//! assert_eq!(response.class(), Class::Success);
//! assert_eq!(response.transaction_id(), request.transaction_id());
//! response.verify_integrity(&key)?;
//! assert_eq!(response.xor_mapped_address(), Some(from));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Unknown comprehension-required attributes
//!
//! ```
//! use sanderling_stun::{Attribute, AttrType, Message, MessageBuilder, Method, TransactionId};
//! # use bytes::Bytes;
//!
//! let request = MessageBuilder::request(Method::BINDING, TransactionId([2; 12]))
//!     .attr(Attribute::Unknown { typ: AttrType(0x7777), value: Bytes::from_static(b"?") })
//!     .build()?;
//! let request = Message::parse(request)?;
//! let unknown = request.unknown_comprehension_required();
//! assert_eq!(unknown, [AttrType(0x7777)]);
//! let answer = Message::parse(
//!     MessageBuilder::unknown_attributes_response(&request, &unknown).build()?,
//! )?;
//! assert_eq!(answer.error_code().map(|e| e.code()), Some(420));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # TURN: long-term credentials and ChannelData
//!
//! ```
//! use bytes::Bytes;
//! use sanderling_stun::attr::{Lifetime, Nonce, Realm, RequestedTransport, Username};
//! use sanderling_stun::{
//!     ChannelData, Frame, Framer, IntegrityKey, MessageBuilder, Method, TransactionId,
//! };
//!
//! // After the server's 401 with REALM and NONCE:
//! let key = IntegrityKey::long_term_md5("alice", "example.org", "secret");
//! let allocate = MessageBuilder::request(Method::ALLOCATE, TransactionId([3; 12]))
//!     .attr(RequestedTransport::UDP)
//!     .attr(Lifetime(600))
//!     .attr(Username::new("alice")?)
//!     .attr(Realm::new("example.org")?)
//!     .attr(Nonce::new(Bytes::from_static(b"server-nonce"))?)
//!     .message_integrity(&key)
//!     .build()?;
//!
//! // Over TCP, ChannelData is padded and the framer splits the stream.
//! let data = ChannelData { channel: 0x4000, data: Bytes::from_static(b"hi") };
//! let mut framer = Framer::new();
//! framer.push(&allocate)?;
//! framer.push(&data.to_bytes(true))?;
//! assert!(matches!(framer.next_frame()?, Some(Frame::Stun(_))));
//! assert_eq!(framer.next_frame()?, Some(Frame::ChannelData(data)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
