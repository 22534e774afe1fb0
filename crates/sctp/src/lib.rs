//! Sans-IO SCTP for WebRTC data channels.
//!
//! The association never touches a socket, a clock or a global random source:
//! time and randomness are inputs, packets and events are outputs (see the
//! project's `ARCHITECTURE.md`).
#![forbid(unsafe_code)]

pub mod association;
pub mod capabilities;
pub mod chunk;
pub mod congestion;
mod cookie;
pub mod error_cause;
pub mod event;
pub mod options;
pub mod packet;
pub mod param;
pub mod parse_error;
pub mod rx;
pub mod stats;
mod stream_map;
mod timer;
pub mod tx;
pub mod types;
mod wire;
