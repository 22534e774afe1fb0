//! The one trait every SCTP implementation is driven through.

use std::time::{Duration, Instant};

use bytes::Bytes;

/// WebRTC "binary" payload protocol identifier (RFC 8831).
pub const PPID_BINARY: u32 = 53;
/// WebRTC "string" payload protocol identifier (RFC 8831).
pub const PPID_STRING: u32 = 51;

/// A sans-IO SCTP association (one endpoint of it), driven by a test or a
/// benchmark.
///
/// The driver contract is the project's (see `ARCHITECTURE.md`): after any
/// call the driver drains [`SctpPeer::poll_packet`] and
/// [`SctpPeer::poll_event`] until `None`, then re-reads
/// [`SctpPeer::poll_timeout`]. `now` never goes backwards.
///
/// Errors are strings: they are only shown to people or asserted to be
/// `Err`, and each implementation has its own error types.
pub trait SctpPeer {
    /// Short name of the implementation ("dcsctp", "sctp-proto", ...).
    fn name(&self) -> &'static str;

    /// What this implementation supports; fixed for its lifetime.
    fn capabilities(&self) -> Capabilities;

    /// Starts the association (sends INIT). In WebRTC both sides may call
    /// this (simultaneous open); see [`Capabilities::simultaneous_open`].
    fn connect(&mut self, now: Instant);

    /// An SCTP packet (the payload of a DTLS record or UDP datagram) arrived.
    fn handle_packet(&mut self, now: Instant, packet: Bytes);

    /// The next SCTP packet to send, if any.
    fn poll_packet(&mut self, now: Instant) -> Option<Bytes>;

    /// When [`SctpPeer::handle_timeout`] should next be called.
    fn poll_timeout(&mut self) -> Option<Instant>;

    /// Time has reached (at least) the instant `poll_timeout` returned.
    /// Spurious early calls are harmless.
    fn handle_timeout(&mut self, now: Instant);

    /// Queues a message. Fails without side effects if the implementation
    /// cannot send it (too large, unsupported option, queue full, not
    /// connected where the implementation requires it).
    fn send(&mut self, now: Instant, msg: OutMessage) -> Result<(), String>;

    /// The next event, if any.
    fn poll_event(&mut self, now: Instant) -> Option<PeerEvent>;

    /// Resets the given outgoing streams (RFC 6525). The peer reports
    /// [`PeerEvent::StreamsReset`] for them; this side reports
    /// [`PeerEvent::StreamsResetPerformed`] when the peer has acknowledged
    /// the request. Whether the incoming direction is reset too is
    /// [`Capabilities::reciprocal_reset`].
    fn reset_streams(&mut self, now: Instant, streams: &[u16]) -> Result<(), String>;

    /// Bytes queued on `stream` and not yet acknowledged (sent or not).
    /// `&mut` because sctp-proto only gives access to a stream mutably.
    fn buffered_amount(&mut self, stream: u16) -> usize;

    /// What the established association negotiated (all `false` before).
    fn negotiated(&self) -> Negotiated;
}

/// A message to send.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OutMessage {
    /// Stream identifier.
    pub stream: u16,
    /// Payload protocol identifier. sctp-proto can only carry the WebRTC
    /// ones (50, 51, 53, 56, 57); see [`Capabilities::arbitrary_ppid`].
    pub ppid: u32,
    /// The message; must not be empty.
    pub payload: Vec<u8>,
    /// Unordered delivery (the U bit).
    pub unordered: bool,
    /// PR-SCTP: give up after this many retransmissions (RFC 3758 "rtx"
    /// policy); `Some(0)` sends once.
    pub max_retransmits: Option<u16>,
    /// PR-SCTP: give up after this lifetime ("ttl" policy).
    pub lifetime: Option<Duration>,
}

impl OutMessage {
    /// An ordered, reliable binary message on `stream`.
    pub fn new(stream: u16, payload: Vec<u8>) -> Self {
        Self {
            stream,
            ppid: PPID_BINARY,
            payload,
            unordered: false,
            max_retransmits: None,
            lifetime: None,
        }
    }

    /// The same message, unordered.
    pub fn unordered(mut self) -> Self {
        self.unordered = true;
        self
    }

    /// The same message with a retransmission limit.
    pub fn max_retransmits(mut self, n: u16) -> Self {
        self.max_retransmits = Some(n);
        self
    }

    /// The same message with a lifetime.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// The same message with another payload protocol identifier.
    pub fn ppid(mut self, ppid: u32) -> Self {
        self.ppid = ppid;
        self
    }
}

/// What an association reports.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PeerEvent {
    /// The association is established.
    Connected,
    /// A complete message arrived.
    Message {
        /// Stream identifier.
        stream: u16,
        /// Payload protocol identifier.
        ppid: u32,
        /// The message.
        payload: Vec<u8>,
    },
    /// The peer reset these outgoing streams of its own, so our incoming
    /// streams start again at SSN 0 (the incoming reset is done).
    StreamsReset {
        /// The streams reset; empty means all.
        streams: Vec<u16>,
    },
    /// A reset of our outgoing streams was performed by the peer: the
    /// streams can be used again. Follows [`SctpPeer::reset_streams`], and
    /// for implementations with [`Capabilities::reciprocal_reset`] also the
    /// automatic reset answering an incoming one.
    StreamsResetPerformed {
        /// The streams reset.
        streams: Vec<u16>,
    },
    /// The association ended (graceful shutdown, abort, or failure).
    Closed,
    /// Something went wrong; fatal ones are followed by [`PeerEvent::Closed`].
    Error(String),
}

/// Settings every adapter takes in its constructor.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PeerConfig {
    /// SCTP source port.
    pub local_port: u16,
    /// SCTP destination port.
    pub remote_port: u16,
    /// Largest SCTP packet produced, in bytes.
    pub mtu: usize,
    /// Largest message sent or accepted, in bytes.
    pub max_message_size: usize,
    /// Receive buffer (advertised receiver window) in bytes; `None` keeps
    /// the implementation's default (dcsctp 5 MiB, sctp-proto 1 MiB).
    pub receive_window: Option<usize>,
    /// Offer RFC 8260 message interleaving (I-DATA). dcsctp only;
    /// sctp-proto ignores it.
    pub interleaving: bool,
    /// Offer RFC 9653 zero checksum with DTLS as the alternate error
    /// detection method. dcsctp only; sctp-proto ignores it.
    pub zero_checksum: bool,
}

impl Default for PeerConfig {
    /// Ports 5000/5000, MTU 1200, 256 KiB messages, no I-DATA, checksums.
    fn default() -> Self {
        Self {
            local_port: 5000,
            remote_port: 5000,
            mtu: 1200,
            max_message_size: 256 * 1024,
            receive_window: None,
            interleaving: false,
            zero_checksum: false,
        }
    }
}

/// What an implementation can do, as verified by this crate's tests.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Capabilities {
    /// Both sides may call [`SctpPeer::connect`] (RFC 9260 section 5.2.1
    /// INIT collision).
    pub simultaneous_open: bool,
    /// Messages can be queued before the association is established.
    pub send_before_connected: bool,
    /// Any 32-bit PPID can be sent (not just the WebRTC ones).
    pub arbitrary_ppid: bool,
    /// Unordered delivery.
    pub unordered: bool,
    /// RFC 3758 partial reliability (FORWARD-TSN).
    pub partial_reliability: bool,
    /// RFC 6525 outgoing stream reset.
    pub stream_reset: bool,
    /// An incoming stream reset makes the implementation reset its own
    /// outgoing stream of the same id (the RFC 8831 data-channel close) by
    /// itself. Where `false`, the application (the data-channel layer) does it.
    pub reciprocal_reset: bool,
    /// RFC 8260 I-DATA (message interleaving) can be negotiated.
    pub interleaving: bool,
    /// RFC 9653 zero checksum can be negotiated.
    pub zero_checksum: bool,
}

/// What an established association negotiated with its peer.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Negotiated {
    /// I-DATA is in use.
    pub interleaving: bool,
    /// Packets are sent with a zero checksum.
    pub zero_checksum: bool,
}
