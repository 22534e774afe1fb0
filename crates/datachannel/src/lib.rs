//! WebRTC data channels (RFC 8831, 8832) over a sans-IO SCTP association.
//!
//! [`DataChannels`] owns the association and has the same sans-IO shape
//! (input, transmit, timeout, events); it adds DCEP to open channels, the
//! PPIDs that tell text from binary (empty messages included), stream ids
//! by DTLS role, negotiated channels, and closing by stream reset.
#![forbid(unsafe_code)]

mod channel;
pub mod dcep;
mod endpoint;
mod message;
pub mod ppid;

pub use channel::{ChannelConfig, ChannelError, ChannelId, ReadyState};
pub use endpoint::{DataChannelEvent, DataChannels, DtlsRole};
pub use message::Message;
