//! What travels over the simulated network.

use std::net::SocketAddr;

use bytes::Bytes;

/// One UDP-like datagram as it travels and arrives.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Datagram {
    /// Where it comes from.
    pub source: SocketAddr,
    /// Where it goes; the network routes on this address alone.
    pub destination: SocketAddr,
    /// The bytes carried (the UDP payload).
    pub payload: Bytes,
}

/// A datagram an endpoint wants to send.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Transmit {
    /// Where it goes.
    pub destination: SocketAddr,
    /// Which of the endpoint's addresses it leaves from; `None` is the
    /// address the endpoint was added with.
    pub source: Option<SocketAddr>,
    /// The bytes to carry.
    pub payload: Bytes,
}
