//! [`Transmit`]: a datagram the agent wants sent.

use std::net::SocketAddr;

use bytes::Bytes;

/// A datagram to send from the layer's socket bound at `local` (or, for a
/// relayed local address, through the TURN allocation that owns it) to
/// `remote`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The local address it leaves from.
    pub local: SocketAddr,
    /// The destination.
    pub remote: SocketAddr,
    /// The STUN message.
    pub payload: Bytes,
}
