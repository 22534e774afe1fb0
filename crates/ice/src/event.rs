//! What the agent tells its owner: [`IceEvent`] and the two state enums.

use std::net::SocketAddr;

use crate::candidate::Candidate;

/// Gathering state (W3C `RTCIceGathererState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GatheringState {
    /// No local address yet.
    New,
    /// Host addresses are being added or STUN servers / TURN allocations
    /// are being asked.
    Gathering,
    /// [`IceAgent::end_of_local_addresses`](crate::IceAgent::end_of_local_addresses)
    /// was called and every server has answered or timed out.
    Complete,
}

/// Connection state (RFC 8445 and W3C `RTCIceTransportState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Nothing checked yet.
    New,
    /// Checks are running, no pair works yet.
    Checking,
    /// A pair works: [`IceAgent::selected_pair`](crate::IceAgent::selected_pair)
    /// can carry data.
    Connected,
    /// A nominated pair is selected and no check is left to run.
    Completed,
    /// The selected pair has stopped answering consent checks for
    /// [`IceConfig::disconnected_timeout`](crate::IceConfig::disconnected_timeout);
    /// it may come back.
    Disconnected,
    /// Every pair failed after the peer's end-of-candidates, or consent was
    /// lost for [`IceConfig::consent_timeout`](crate::IceConfig::consent_timeout).
    /// Only an ICE restart leaves it.
    Failed,
    /// [`IceAgent::close`](crate::IceAgent::close) was called.
    Closed,
}

/// One thing that happened; drain with
/// [`IceAgent::poll_event`](crate::IceAgent::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IceEvent {
    /// A new local candidate to signal to the peer (trickle).
    LocalCandidate(Candidate),
    /// Every local candidate has been signalled (send end-of-candidates).
    EndOfLocalCandidates,
    /// The gathering state changed.
    GatheringState(GatheringState),
    /// The connection state changed.
    ConnectionState(ConnectionState),
    /// The pair that carries data changed: send from `local` to `remote`.
    SelectedPair {
        /// Our address (a socket of the layer, or a TURN relayed address).
        local: SocketAddr,
        /// The peer's address.
        remote: SocketAddr,
    },
    /// A remote candidate hides its address behind this mDNS name: resolve
    /// it (RFC 6762 one-shot query) and call
    /// [`IceAgent::resolve_mdns`](crate::IceAgent::resolve_mdns).
    ResolveMdns {
        /// The `.local` name.
        name: String,
    },
}
