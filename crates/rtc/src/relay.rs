//! The peer core's TURN allocations: one [`Relay`] per server, named by a
//! [`RelayId`] so that the driver can carry a TCP or TLS relay's byte
//! stream on a connection it owns.
//!
//! Over UDP a relay talks to its server from one of the driver's sockets,
//! and its datagrams travel with the rest (`Peer::poll_transmit`,
//! `Peer::handle_input`). Over TCP and TLS the TURN client does the framing
//! and the TLS itself (rustls is sans-IO), so the driver only opens the
//! connection when asked (`PeerEvent::ConnectTurnServer`) and moves opaque
//! bytes both ways (`Peer::poll_stream_transmit`,
//! `Peer::handle_stream_input`, `Peer::handle_stream_closed`).

use std::net::SocketAddr;

use sanderling_ice::turn::{TurnClient, TurnError};

/// One TURN relay of a peer connection, valid for the connection's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelayId(pub u32);

/// A TURN allocation giving the agent a relayed candidate.
#[derive(Debug)]
pub(crate) struct Relay {
    pub(crate) id: RelayId,
    pub(crate) client: TurnClient,
    /// Our UDP socket that talks to the server (UDP relays only).
    pub(crate) local: SocketAddr,
    /// The server is reached over TCP or TLS on a connection the driver
    /// owns.
    pub(crate) stream: bool,
    pub(crate) relayed: Option<SocketAddr>,
    pub(crate) mapped: Option<SocketAddr>,
    pub(crate) failed: bool,
    /// Why the driver's connection ended, if it told us: a clearer reason
    /// than the client's "connection closed" (refused, TLS, timeout).
    pub(crate) stream_error: Option<String>,
    /// The agent was told gathering waits for this server.
    pub(crate) announced: bool,
    /// The agent was told the outcome.
    pub(crate) settled: bool,
}

/// W3C `RTCPeerConnectionIceErrorEvent.errorCode` for a TURN failure: the
/// STUN error code the server answered, or 701 when the server could not
/// be reached or talked to (W3C: "outside the STUN error code range").
pub(crate) fn error_code(e: &TurnError) -> u16 {
    match e {
        TurnError::WrongCredentials { code, .. } => *code,
        TurnError::Rejected { code, .. } => *code,
        TurnError::StaleNonceLoop { .. } => 438,
        TurnError::TryAlternate { .. } => 300,
        _ => 701,
    }
}
