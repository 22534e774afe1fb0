//! What the client tells its owner: [`TurnEvent`], the [`TurnState`] it is
//! in, and [`TurnStats`] counters.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::Bytes;

use super::error::TurnError;

/// Something that happened; drained with
/// [`TurnClient::poll_event`](super::TurnClient::poll_event).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TurnEvent {
    /// The allocation exists: `relayed` is the relayed candidate's address,
    /// `mapped` the server-reflexive one (XOR-MAPPED-ADDRESS, if the server
    /// sent it).
    Allocated {
        /// XOR-RELAYED-ADDRESS: where peers send to reach us.
        relayed: SocketAddr,
        /// XOR-MAPPED-ADDRESS: our address as the server saw it.
        mapped: Option<SocketAddr>,
        /// The lifetime the server granted.
        lifetime: Duration,
    },
    /// A Refresh succeeded; the allocation lives `lifetime` longer.
    Refreshed {
        /// The lifetime the server granted.
        lifetime: Duration,
    },
    /// A permission for this peer IP address is installed (first time
    /// only, not on refreshes). Data queued for it has been sent.
    PermissionCreated(IpAddr),
    /// The server refused a permission (or its refresh); data queued for
    /// the address is dropped.
    PermissionFailed {
        /// The peer address.
        ip: IpAddr,
        /// Why.
        error: TurnError,
    },
    /// A channel is bound to `peer`; data to it now travels as ChannelData.
    ChannelBound {
        /// The peer.
        peer: SocketAddr,
        /// The channel number, 0x4000–0x4FFF.
        channel: u16,
    },
    /// A ChannelBind (or its refresh) failed; data to `peer` travels in
    /// Send indications.
    ChannelBindFailed {
        /// The peer.
        peer: SocketAddr,
        /// Why.
        error: TurnError,
    },
    /// Data from a peer, relayed by the server (Data indication or
    /// ChannelData). `data` is a slice of the received bytes.
    Data {
        /// The peer's address as the server saw it.
        peer: SocketAddr,
        /// The payload.
        data: Bytes,
    },
    /// The allocation failed or was lost; the client does nothing more.
    Failed(TurnError),
    /// [`close`](super::TurnClient::close) finished: the allocation is
    /// deleted (or was never made).
    Closed,
}

/// Where the client is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TurnState {
    /// Allocate sent, waiting for the allocation.
    Allocating,
    /// The allocation exists.
    Allocated,
    /// Deleting the allocation.
    Closing,
    /// Closed by the caller.
    Closed,
    /// Failed (see the [`TurnEvent::Failed`] event).
    Failed,
}

/// Counters of what went through the client and what it dropped.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TurnStats {
    /// Requests sent, retries after 401/438 included, retransmissions not.
    pub requests_sent: u64,
    /// Retransmissions of requests (UDP only).
    pub retransmissions: u64,
    /// Binding indications sent to keep a NAT binding open (UDP only).
    pub keepalives_sent: u64,
    /// Send indications sent.
    pub send_indications_sent: u64,
    /// ChannelData messages sent.
    pub channel_data_sent: u64,
    /// Data indications received.
    pub data_indications_received: u64,
    /// ChannelData messages received.
    pub channel_data_received: u64,
    /// Input dropped as malformed (not STUN, not ChannelData, bad
    /// attributes, Data indications without peer or data).
    pub malformed_dropped: u64,
    /// Responses dropped: no matching transaction, or failed integrity.
    pub responses_dropped: u64,
    /// ChannelData on a channel that is not bound.
    pub unknown_channel_dropped: u64,
    /// Received data dropped because the caller did not drain events.
    pub events_dropped: u64,
    /// Data dropped from queues (allocation or permission failed, client
    /// closed).
    pub queued_data_dropped: u64,
}
