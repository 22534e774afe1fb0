//! [`SctpPeer`] for `sctp-proto` (str0m's sans-IO SCTP).
//!
//! How the mapping works:
//! - sctp-proto splits an [`Endpoint`] (demultiplexes packets, creates
//!   associations) from an [`Association`] (the protocol state). The adapter
//!   owns one endpoint with a server config and at most one association.
//!   [`SctpPeer::connect`] makes it the client ([`Endpoint::connect`]); a
//!   peer's INIT arriving first makes it the server (the endpoint hands out a
//!   new association, which the adapter adopts).
//! - Incoming packets go through [`Endpoint::handle`]; the association's
//!   endpoint events go back through [`Endpoint::handle_event`]. Outgoing
//!   packets come from [`Association::poll_transmit`] (each call may yield
//!   several packets) and [`Endpoint::poll_transmit`].
//! - Messages are read eagerly on `Opened`/`Readable` stream events. Streams
//!   are opened on first send. Reliability and ordering are stream settings
//!   in sctp-proto ([`sctp_proto::Stream::set_reliability_params`]); the adapter
//!   sets them before every write, and each message keeps the policy it was
//!   written with.
//!
//! Quirks (verified by the tests, see the crate README):
//! - **No simultaneous open.** A peer's INIT is routed by the endpoint to a
//!   brand-new server association, never to the client association in
//!   COOKIE-WAIT, so RFC 9260 section 5.2.1 collision handling is out of
//!   reach of the API. While it has an association the adapter drops such
//!   INITs (counted by [`SctpProtoPeer::ignored_inits`]). Against dcsctp a
//!   simultaneous open still succeeds (dcsctp answers the collision);
//!   between two sctp-proto peers it never completes.
//! - **Only the WebRTC PPIDs** (50, 51, 53, 56, 57) can be carried: any other
//!   value would go out as 58, so [`SctpPeer::send`] refuses it; a message
//!   arriving with any other PPID is reported with PPID 58.
//! - **No sending before the association is established** (the stack
//!   returns an error), no I-DATA, no zero checksum.
//! - **A stream reset closes both directions**: resetting closes the stream
//!   (RFC 8831 data-channel close), and an incoming reset makes sctp-proto
//!   reset its own outgoing stream automatically. The stream id can be
//!   opened again once `ResetComplete` arrives; until then sending on it
//!   fails. When sctp-proto resets first and the peer (like dcsctp) leaves
//!   the answering reset to its application, sctp-proto answers that
//!   answer with one more reset request, so the peer reports the incoming
//!   reset twice.
//! - [`Endpoint::connect`] reads the real clock (`Instant::now()`) to start
//!   the INIT timer, and verification tags / TSNs come from the thread's
//!   OS-seeded generator: sctp-proto runs cannot be replayed bit for bit, and
//!   on a virtual clock the first INIT timer is offset by the real time
//!   between the clock's epoch and `connect`.
//! - PR-SCTP supports either a retransmission limit or a lifetime per
//!   message, not both. A lifetime starts at the first `poll_transmit` after
//!   the write.

use std::collections::VecDeque;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use sctp_proto::{
    Association, AssociationHandle, ClientConfig, DatagramEvent, Endpoint, EndpointConfig, Event,
    Payload, PayloadProtocolIdentifier, ReliabilityType, ServerConfig, StreamEvent,
    TransportConfig,
};

use crate::peer::{Capabilities, Negotiated, OutMessage, PeerConfig, PeerEvent, SctpPeer};

/// sctp-proto wants a remote socket address; packets never go there.
const REMOTE: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 5000);

/// Bytes of SCTP common header plus DATA chunk header; sctp-proto's MTU is
/// its endpoint "max payload size" plus these.
const HEADER_OVERHEAD: usize = 12 + 16;

/// An sctp-proto endpoint and its association behind [`SctpPeer`].
pub struct SctpProtoPeer {
    endpoint: Endpoint,
    client_config: ClientConfig,
    association: Option<(AssociationHandle, Association)>,
    packets: VecDeque<Bytes>,
    events: VecDeque<PeerEvent>,
    ignored_inits: u64,
}

impl fmt::Debug for SctpProtoPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SctpProtoPeer")
            .field("side", &self.association.as_ref().map(|(_, a)| a.side()))
            .field("queued_packets", &self.packets.len())
            .field("queued_events", &self.events.len())
            .field("ignored_inits", &self.ignored_inits)
            .finish_non_exhaustive()
    }
}

impl SctpProtoPeer {
    /// An endpoint configured from `config`, sctp-proto's defaults otherwise.
    /// It can both initiate ([`SctpPeer::connect`]) and accept.
    pub fn new(config: &PeerConfig) -> Self {
        let max_message = u32::try_from(config.max_message_size).unwrap_or(u32::MAX);
        let mut transport = TransportConfig::default()
            .with_local_port(config.local_port)
            .with_remote_port(config.remote_port)
            .with_max_send_message_size(max_message)
            .with_max_receive_message_size(max_message);
        // The receive buffer must hold a whole message being reassembled.
        let window = config
            .receive_window
            .unwrap_or(1024 * 1024)
            .max(config.max_message_size + config.mtu * 4);
        transport =
            transport.with_max_receive_buffer_size(u32::try_from(window).unwrap_or(u32::MAX));
        let transport = Arc::new(transport);

        let mut endpoint_config = EndpointConfig::new();
        endpoint_config.max_payload_size(
            u32::try_from(config.mtu.saturating_sub(HEADER_OVERHEAD)).unwrap_or(u32::MAX),
        );
        let mut server_config = ServerConfig::new();
        server_config.transport = transport.clone();
        let mut client_config = ClientConfig::new();
        client_config.transport = transport;
        Self {
            endpoint: Endpoint::new(Arc::new(endpoint_config), Some(Arc::new(server_config))),
            client_config,
            association: None,
            packets: VecDeque::new(),
            events: VecDeque::new(),
            ignored_inits: 0,
        }
    }

    /// The association, once there is one.
    pub fn association(&self) -> Option<&Association> {
        self.association.as_ref().map(|(_, a)| a)
    }

    /// INITs from the peer dropped because this side already had an
    /// association (a simultaneous open sctp-proto cannot resolve).
    pub fn ignored_inits(&self) -> u64 {
        self.ignored_inits
    }

    /// Routes endpoint events and collects what the association and the
    /// endpoint produced.
    fn pump(&mut self) {
        if let Some((handle, association)) = &mut self.association {
            while let Some(event) = association.poll_endpoint_event() {
                if let Some(back) = self.endpoint.handle_event(*handle, event) {
                    association.handle_event(back);
                }
            }
        }
        while let Some(transmit) = self.endpoint.poll_transmit() {
            push_payload(&mut self.packets, transmit.payload);
        }
        self.collect_events();
    }

    fn collect_events(&mut self) {
        let Some((_, association)) = &mut self.association else {
            return;
        };
        while let Some(event) = association.poll() {
            match event {
                Event::Connected => self.events.push_back(PeerEvent::Connected),
                Event::HandshakeFailed { reason } => {
                    self.events
                        .push_back(PeerEvent::Error(format!("handshake failed: {reason}")));
                    self.events.push_back(PeerEvent::Closed);
                }
                Event::AssociationLost { reason } => {
                    self.events
                        .push_back(PeerEvent::Error(format!("association lost: {reason}")));
                    self.events.push_back(PeerEvent::Closed);
                }
                Event::Stream(StreamEvent::Opened { id }) => {
                    // Take it off the accept queue; it is read by id.
                    let _ = association.accept_stream();
                    read_stream(association, id, &mut self.events);
                }
                Event::Stream(StreamEvent::Readable { id }) => {
                    read_stream(association, id, &mut self.events);
                }
                Event::Stream(StreamEvent::Finished { id }) => {
                    self.events
                        .push_back(PeerEvent::StreamsReset { streams: vec![id] });
                }
                Event::Stream(StreamEvent::ResetComplete { id }) => {
                    self.events
                        .push_back(PeerEvent::StreamsResetPerformed { streams: vec![id] });
                }
                Event::Stream(StreamEvent::ResetFailed { id, reason }) => {
                    self.events.push_back(PeerEvent::Error(format!(
                        "stream {id} reset failed: {reason:?}"
                    )));
                }
                _ => {}
            }
        }
    }

    fn established(&mut self) -> Result<&mut Association, String> {
        match &mut self.association {
            Some((_, a)) if !a.is_handshaking() && !a.is_closed() => Ok(a),
            Some(_) => Err("sctp-proto: association not established".into()),
            None => Err("sctp-proto: no association".into()),
        }
    }
}

/// Reads every complete message waiting on stream `id`.
fn read_stream(association: &mut Association, id: u16, events: &mut VecDeque<PeerEvent>) {
    let Ok(mut stream) = association.stream(id) else {
        return;
    };
    while let Ok(Some(chunks)) = stream.read_sctp() {
        let mut payload = vec![0; chunks.len()];
        let n = chunks.read(&mut payload).unwrap_or(0);
        payload.truncate(n);
        events.push_back(PeerEvent::Message {
            stream: id,
            ppid: chunks.ppi as u32,
            payload,
        });
    }
}

fn push_payload(packets: &mut VecDeque<Bytes>, payload: Payload) {
    if let Payload::RawEncode(datagrams) = payload {
        packets.extend(datagrams);
    }
}

impl SctpPeer for SctpProtoPeer {
    fn name(&self) -> &'static str {
        "sctp-proto"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            simultaneous_open: false,
            send_before_connected: false,
            arbitrary_ppid: false,
            unordered: true,
            partial_reliability: true,
            stream_reset: true,
            reciprocal_reset: true,
            interleaving: false,
            zero_checksum: false,
        }
    }

    fn connect(&mut self, _now: Instant) {
        if self.association.is_some() {
            self.events.push_back(PeerEvent::Error(
                "sctp-proto: connect with an association already in place".into(),
            ));
            return;
        }
        match self.endpoint.connect(self.client_config.clone(), REMOTE) {
            Ok((handle, association)) => self.association = Some((handle, association)),
            Err(e) => self
                .events
                .push_back(PeerEvent::Error(format!("sctp-proto connect: {e}"))),
        }
        self.pump();
    }

    fn handle_packet(&mut self, now: Instant, packet: Bytes) {
        match self.endpoint.handle(now, REMOTE, None, None, packet) {
            Some((handle, DatagramEvent::AssociationEvent(event))) => {
                if let Some((ours, association)) = &mut self.association
                    && *ours == handle
                {
                    association.handle_event(event);
                }
            }
            Some((handle, DatagramEvent::NewAssociation(association))) => {
                if self.association.is_none() {
                    self.association = Some((handle, association));
                } else {
                    self.ignored_inits += 1;
                }
            }
            None => {}
        }
        self.pump();
    }

    fn poll_packet(&mut self, now: Instant) -> Option<Bytes> {
        if self.packets.is_empty()
            && let Some((_, association)) = &mut self.association
        {
            if let Some(transmit) = association.poll_transmit(now) {
                push_payload(&mut self.packets, transmit.payload);
            }
            self.pump();
        }
        self.packets.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.association.as_ref()?.1.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        if let Some((_, association)) = &mut self.association {
            association.handle_timeout(now);
        }
        self.pump();
    }

    fn send(&mut self, _now: Instant, msg: OutMessage) -> Result<(), String> {
        let ppi = PayloadProtocolIdentifier::from(msg.ppid);
        if ppi as u32 != msg.ppid {
            return Err(format!(
                "sctp-proto cannot send PPID {} (only 50, 51, 53, 56, 57)",
                msg.ppid
            ));
        }
        let (rel_type, rel_value) = match (msg.max_retransmits, msg.lifetime) {
            (None, None) => (ReliabilityType::Reliable, 0),
            (Some(n), None) => (ReliabilityType::Rexmit, u32::from(n)),
            (None, Some(t)) => (
                ReliabilityType::Timed,
                u32::try_from(t.as_millis()).unwrap_or(u32::MAX),
            ),
            (Some(_), Some(_)) => {
                return Err("sctp-proto: either max_retransmits or lifetime, not both".into());
            }
        };
        let association = self.established()?;
        let mut stream = match association.stream(msg.stream) {
            Ok(s) => s,
            Err(_) => association
                .open_stream(msg.stream, ppi)
                .map_err(|e| format!("sctp-proto open_stream {}: {e}", msg.stream))?,
        };
        stream
            .set_reliability_params(msg.unordered, rel_type, rel_value)
            .map_err(|e| e.to_string())?;
        let result = stream
            .write_sctp(&Bytes::from(msg.payload), ppi)
            .map(|_| ())
            .map_err(|e| format!("sctp-proto write on stream {}: {e}", msg.stream));
        self.pump();
        result
    }

    fn poll_event(&mut self, _now: Instant) -> Option<PeerEvent> {
        if self.events.is_empty() {
            self.pump();
        }
        self.events.pop_front()
    }

    fn reset_streams(&mut self, _now: Instant, streams: &[u16]) -> Result<(), String> {
        let association = self.established()?;
        for &id in streams {
            association
                .stream(id)
                .and_then(|mut s| s.close())
                .map_err(|e| format!("sctp-proto reset of stream {id}: {e}"))?;
        }
        self.pump();
        Ok(())
    }

    fn buffered_amount(&mut self, stream: u16) -> usize {
        let Some((_, association)) = &mut self.association else {
            return 0;
        };
        association
            .stream(stream)
            .and_then(|s| s.buffered_amount())
            .unwrap_or(0)
    }

    fn negotiated(&self) -> Negotiated {
        Negotiated::default()
    }
}
