//! Sans-IO ICE (RFC 8445) for WebRTC: candidates, connectivity checks,
//! nomination, consent (RFC 7675), trickle (RFC 8838) and restarts.
#![forbid(unsafe_code)]

pub mod candidate;
pub mod turn;
