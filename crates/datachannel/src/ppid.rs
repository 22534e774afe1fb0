//! Payload protocol identifiers of WebRTC data channels (RFC 8831 §8).

use sanderling_sctp::types::Ppid;

/// DCEP messages.
pub const DCEP: Ppid = Ppid(50);
/// A UTF-8 string.
pub const STRING: Ppid = Ppid(51);
/// Deprecated: part of a binary message (RFC 8831 §6.6 says do not send).
pub const BINARY_PARTIAL: Ppid = Ppid(52);
/// Binary data.
pub const BINARY: Ppid = Ppid(53);
/// Deprecated: part of a string message.
pub const STRING_PARTIAL: Ppid = Ppid(54);
/// An empty string (sent as one zero byte: SCTP cannot carry empty data).
pub const STRING_EMPTY: Ppid = Ppid(56);
/// An empty binary message (sent as one zero byte).
pub const BINARY_EMPTY: Ppid = Ppid(57);
