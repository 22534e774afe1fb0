//! Sans-IO SCTP for WebRTC data channels.
//!
//! The association never touches a socket, a clock or a global random source:
//! time and randomness are inputs, packets and events are outputs (see the
//! project's `ARCHITECTURE.md`).
#![forbid(unsafe_code)]

pub mod chunk;
pub mod rx;
pub mod types;
