//! The peer core: one `RTCPeerConnection` as a sans-IO state machine.
//!
//! It owns the ICE agent, the DTLS transport and the data channels, and
//! wires them: datagrams are demultiplexed by their first byte (RFC 7983),
//! STUN goes to ICE, DTLS records to the DTLS transport, whose application
//! data is SCTP for the data channels; SCTP packets go back down through
//! DTLS and leave on the pair ICE selected.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use base64::Engine;
use bytes::Bytes;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sanderling_datachannel::{
    ChannelConfig, ChannelError, ChannelId, DataChannelEvent, DataChannels, DtlsRole as DcRole,
    Message, ReadyState,
};
use sanderling_dtls::demux::{PacketKind, classify};
use sanderling_dtls::{
    Certificate, DtlsConfig, DtlsEvent, DtlsRole, DtlsTransport, Fingerprint, HashAlgorithm,
};
use sanderling_ice::turn::{TurnClient, TurnConfig, TurnEvent, TurnTransport};
use sanderling_ice::{
    Candidate as IceCandidate, ConnectionState as IceState, GatheringState, IceAgent, IceConfig,
    IceEvent, RelayProtocol,
};
use sanderling_sctp::association::Association;
use sanderling_sctp::options::SctpOptions;

use crate::jsep::{
    BASE64, DtlsSide, Jsep, JsepError, LocalParameters, RemoteParameters, SessionDescription,
    SignalingState,
};
use crate::relay::{Relay, RelayId, error_code};

/// Bound on DTLS datagrams held while the transport does not exist yet
/// (a ClientHello racing the answer).
const MAX_EARLY_DTLS: usize = 16;
/// Bound on addresses reported before the ICE agent exists.
const MAX_EARLY_ADDRESSES: usize = 64;
/// Bound on the datagrams `close()` leaves to send (an SCTP ABORT and the
/// DTLS close_notify, and whatever DTLS still had queued).
const MAX_CLOSING_TRANSMITS: usize = 16;

/// A datagram to send: from our `local` socket address to `remote`.
pub type Transmit = sanderling_ice::Transmit;

/// A channel of this peer connection, valid for its lifetime (unlike the
/// stream id, which is known only once the DTLS role is, and is reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelHandle(pub u64);

/// W3C `RTCPeerConnectionState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionState {
    /// Nothing started.
    New,
    /// ICE or DTLS under way.
    Connecting,
    /// ICE and DTLS up.
    Connected,
    /// ICE lost consent for a while; may come back.
    Disconnected,
    /// ICE or DTLS failed.
    Failed,
    /// `close()` was called.
    Closed,
}

/// Everything a peer connection needs that is not negotiated.
#[derive(Clone, Debug)]
pub struct PeerConfig {
    /// Seed of every random choice of this connection (ICE credentials,
    /// SDP session id, SCTP tags). Fill from the OS generator in production.
    pub seed: [u8; 32],
    /// ICE settings; its seed and role are set by the peer.
    pub ice: IceConfig,
    /// DTLS settings; role and fingerprints are set by the peer.
    pub dtls: DtlsConfig,
    /// SCTP settings; its seed is set by the peer. Zero checksum is offered
    /// since DTLS protects the packets, and the path MTU is probed
    /// ([`sctp_probe_sizes`](crate::sctp_probe_sizes); sizes at or below
    /// `mtu` are skipped, an empty list probes nothing; sizes above 1500
    /// only on a peer that announced `accept_large_packets`, as we do).
    pub sctp: SctpOptions,
    /// Offer and accept SNAP (draft-hancke-tsvwg-snap): our SCTP INIT goes
    /// into the description (`a=sctp-init`), and when the peer's carries
    /// one too, SCTP opens from the two INITs as soon as DTLS is up,
    /// without its four-way handshake: the first channel's DCEP OPEN
    /// goes with DTLS's last flight. A peer that does not know it ignores
    /// the attribute and the handshake runs as before. Default on.
    pub snap: bool,
    /// TURN servers to allocate relayed candidates on: over UDP from the
    /// first host address of the server's family, over TCP or TLS on a
    /// connection the driver opens when asked
    /// ([`PeerEvent::ConnectTurnServer`]).
    pub turn_servers: Vec<TurnServer>,
}

/// A TURN server and its long-term credentials (W3C `RTCIceServer`).
#[derive(Clone, Debug)]
pub struct TurnServer {
    /// The server's address.
    pub address: SocketAddr,
    /// How it is reached: UDP, TCP, or TLS over TCP (`turns:`).
    pub transport: TurnTransport,
    /// Username.
    pub username: String,
    /// Password (`credential`).
    pub password: String,
}

impl Default for PeerConfig {
    fn default() -> Self {
        Self {
            seed: [0; 32],
            ice: IceConfig::default(),
            dtls: DtlsConfig::default(),
            sctp: SctpOptions {
                enable_zero_checksum: true,
                probe_mtus: crate::sctp_probe_sizes(),
                // DTLS and the socket below take records of any size.
                accept_large_packets: true,
                ..SctpOptions::default()
            },
            snap: true,
            turn_servers: Vec::new(),
        }
    }
}

/// What happened, for the application (W3C events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerEvent {
    /// A local candidate to signal (`None`: gathering is complete).
    IceCandidate(Option<String>),
    /// `icegatheringstatechange`.
    IceGatheringState(GatheringState),
    /// `iceconnectionstatechange`.
    IceConnectionState(IceState),
    /// `connectionstatechange`.
    ConnectionState(ConnectionState),
    /// `signalingstatechange`.
    SignalingState(SignalingState),
    /// A remote candidate needs an mDNS lookup; answer with
    /// [`Peer::resolve_mdns`].
    ResolveMdns(String),
    /// A TURN relay over TCP or TLS needs its connection: the driver opens
    /// a TCP connection to `server`, writes what
    /// [`Peer::poll_stream_transmit`] gives for `relay`, feeds what it
    /// reads to [`Peer::handle_stream_input`], and reports the end (or a
    /// failure to connect) with [`Peer::handle_stream_closed`].
    ConnectTurnServer {
        /// The relay the connection carries.
        relay: RelayId,
        /// The server's address.
        server: SocketAddr,
    },
    /// W3C `icecandidateerror`: a TURN server gave no relayed candidate
    /// (or lost its allocation). Gathering does not wait for it any more.
    IceCandidateError {
        /// The server.
        server: SocketAddr,
        /// How it was reached: `udp`, `tcp` or `tls`.
        transport: &'static str,
        /// The STUN error code the server answered (401: wrong
        /// credentials), or 701 when it could not be reached or talked to.
        code: u16,
        /// What went wrong, for people.
        reason: String,
    },
    /// The peer opened a channel (`datachannel` event).
    DataChannel(ChannelHandle),
    /// A channel opened.
    ChannelOpen(ChannelHandle),
    /// A message arrived on a channel.
    ChannelMessage {
        /// The channel.
        channel: ChannelHandle,
        /// The message.
        message: Message,
    },
    /// `bufferedamountlow`.
    ChannelBufferedAmountLow(ChannelHandle),
    /// The channel is closing.
    ChannelClosing(ChannelHandle),
    /// The channel closed.
    ChannelClosed(ChannelHandle),
    /// A channel-level error.
    ChannelError {
        /// The channel.
        channel: Option<ChannelHandle>,
        /// What happened.
        reason: String,
    },
}

/// Why a peer call failed. Nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// Signalling.
    #[error(transparent)]
    Jsep(#[from] JsepError),
    /// A data-channel call.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// An unknown channel handle.
    #[error("no such channel")]
    UnknownChannel,
    /// The connection is closed (W3C InvalidStateError).
    #[error("the peer connection is closed")]
    Closed,
    /// A candidate string that does not parse.
    #[error("invalid candidate: {0}")]
    Candidate(String),
    /// A transport could not be created.
    #[error("transport: {0}")]
    Transport(String),
}

#[derive(Debug)]
struct Channel {
    config: ChannelConfig,
    id: Option<ChannelId>,
    /// W3C `bufferedAmountLowThreshold`, kept here so that a value set
    /// before the channel has a stream id is applied when it gets one.
    low_threshold: usize,
}

/// Most TURN servers used at once.
const MAX_RELAYS: usize = 8;

/// One peer connection, sans-IO.
#[derive(Debug)]
pub struct Peer {
    config: PeerConfig,
    rng: ChaCha20Rng,
    jsep: Jsep,
    certificate: Certificate,
    ice: Option<IceAgent>,
    early_addresses: Vec<(String, SocketAddr)>,
    host_addresses: Vec<SocketAddr>,
    turns_started: bool,
    /// Configured TURN servers the agent was told to wait for before their
    /// clients exist.
    preannounced: Vec<SocketAddr>,
    early_end_of_addresses: bool,
    dtls: Option<DtlsTransport>,
    /// Our DTLS side, once DTLS exists.
    dtls_side: Option<DtlsSide>,
    early_dtls: VecDeque<Bytes>,
    /// SCTP packets that arrived over DTLS before the association existed
    /// (ORTC: the peer started SCTP first), bounded.
    early_sctp: VecDeque<Bytes>,
    dtls_connected: bool,
    /// DTLS is up and SCTP should open: done when output is next taken,
    /// after the rest of the input, so an INIT of the peer's that came
    /// with its Finished is answered first and ours is held back (no
    /// collision).
    sctp_connect_due: bool,
    /// The DTLS transport closed (the peer's close_notify) or failed.
    dtls_closed: bool,
    channels: Option<DataChannels>,
    /// The seed of the SCTP association, drawn up front: SNAP's INIT in
    /// our descriptions is made from it before the association exists.
    sctp_seed: [u8; 32],
    /// With SNAP negotiated, the peer's INIT: SCTP opens from it when
    /// DTLS is up. `None` otherwise.
    snap_peer_init: Option<Bytes>,
    /// TURN allocations (relayed candidates).
    relays: Vec<Relay>,
    handles: BTreeMap<ChannelHandle, Channel>,
    /// Stream id to handle, for every channel that has an id: a message
    /// finds its channel in O(log n).
    by_id: BTreeMap<u16, ChannelHandle>,
    next_handle: u64,
    remote: Option<RemoteParameters>,
    pending_remote_candidates: Vec<IceCandidate>,
    local_candidates: Vec<String>,
    gathering_complete: bool,
    events: VecDeque<PeerEvent>,
    state: ConnectionState,
    ice_state: IceState,
    /// The latest instant a call brought (for `close()`, which takes none).
    last_now: Option<Instant>,
    /// What `close()` left to send: the peer learns at once.
    closing_transmits: VecDeque<Transmit>,
}

impl Peer {
    /// A new peer connection with `certificate` as its DTLS identity.
    pub fn new(config: PeerConfig, certificate: Certificate) -> Self {
        let mut rng = ChaCha20Rng::from_seed(config.seed);
        let session_id: u64 = rng.random();
        let sctp_seed = rng.random();
        Self {
            config,
            rng,
            jsep: Jsep::new(session_id),
            certificate,
            ice: None,
            early_addresses: Vec::new(),
            host_addresses: Vec::new(),
            turns_started: false,
            preannounced: Vec::new(),
            early_end_of_addresses: false,
            dtls: None,
            dtls_side: None,
            early_dtls: VecDeque::new(),
            early_sctp: VecDeque::new(),
            dtls_connected: false,
            sctp_connect_due: false,
            dtls_closed: false,
            channels: None,
            sctp_seed,
            snap_peer_init: None,
            relays: Vec::new(),
            handles: BTreeMap::new(),
            by_id: BTreeMap::new(),
            next_handle: 1,
            remote: None,
            pending_remote_candidates: Vec::new(),
            local_candidates: Vec::new(),
            gathering_complete: false,
            events: VecDeque::new(),
            state: ConnectionState::New,
            ice_state: IceState::New,
            last_now: None,
            closing_transmits: VecDeque::new(),
        }
    }

    /// W3C `signalingState`.
    pub fn signaling_state(&self) -> SignalingState {
        self.jsep.state()
    }

    /// W3C `connectionState`.
    pub fn connection_state(&self) -> ConnectionState {
        self.state
    }

    /// W3C `iceConnectionState`.
    pub fn ice_connection_state(&self) -> IceState {
        self.ice_state
    }

    /// W3C `localDescription`.
    pub fn local_description(&self) -> Option<&SessionDescription> {
        self.jsep.local_description()
    }

    /// W3C `remoteDescription`.
    pub fn remote_description(&self) -> Option<&SessionDescription> {
        self.jsep.remote_description()
    }

    /// The mid of the local description's data section (what trickled
    /// candidates carry as `sdpMid`).
    pub fn local_mid(&self) -> Option<&str> {
        self.jsep.local_mid()
    }

    /// The pair ICE selected: (our address, the peer's).
    pub fn selected_pair(&self) -> Option<(SocketAddr, SocketAddr)> {
        self.ice.as_ref().and_then(IceAgent::selected_pair)
    }

    /// The SCTP extensions both sides announced (partial reliability,
    /// I-DATA, stream reset, zero checksum), once the association is up.
    pub fn sctp_capabilities(&self) -> Option<sanderling_sctp::capabilities::Capabilities> {
        self.channels
            .as_ref()
            .and_then(|dc| dc.association().capabilities())
    }

    /// The SCTP association's counters (packets, retransmissions, ...),
    /// once it exists.
    pub fn sctp_stats(&self) -> Option<sanderling_sctp::stats::Stats> {
        self.channels.as_ref().map(|dc| dc.association().stats())
    }

    /// Whether SCTP opened from the two descriptions' INITs (SNAP,
    /// [`PeerConfig::snap`]) rather than by its handshake.
    pub fn sctp_opened_by_snap(&self) -> bool {
        self.channels
            .as_ref()
            .is_some_and(|dc| dc.association().opened_by_snap())
    }

    /// Reports a local address the driver bound a socket to.
    pub fn add_local_address(&mut self, interface: &str, addr: SocketAddr) {
        if self.host_addresses.len() < MAX_EARLY_ADDRESSES {
            self.host_addresses.push(addr);
        }
        match &mut self.ice {
            Some(ice) => {
                let _ = ice.add_local_address(interface, addr);
            }
            None => {
                if self.early_addresses.len() < MAX_EARLY_ADDRESSES {
                    self.early_addresses.push((interface.to_owned(), addr));
                }
            }
        }
        self.pump(None);
    }

    /// All local addresses have been reported.
    pub fn end_of_local_addresses(&mut self) {
        match &mut self.ice {
            Some(ice) => ice.end_of_local_addresses(),
            None => self.early_end_of_addresses = true,
        }
        self.pump(None);
    }

    /// Creates the ICE agent once the role is known (the offerer controls).
    fn ensure_ice(&mut self, controlling: bool) {
        if self.ice.is_some() {
            return;
        }
        let mut config = self.config.ice.clone();
        config.seed = self.rng.random();
        config.controlling = controlling;
        let mut ice = IceAgent::new(config);
        for (interface, addr) in self.early_addresses.drain(..) {
            let _ = ice.add_local_address(&interface, addr);
        }
        // Gathering waits for every relay, so the agent hears of them
        // before it hears that the addresses are all in (it completes at
        // once when nothing is pending). The configured servers' clients
        // start at the next call that brings the time.
        for server in self.configured_relays() {
            ice.start_relay_gathering(server);
            self.preannounced.push(server);
        }
        self.ice = Some(ice);
        self.sync_relays();
        if self.early_end_of_addresses
            && let Some(ice) = &mut self.ice
        {
            ice.end_of_local_addresses();
        }
        self.pump(None);
    }

    /// The configured TURN servers an allocation will be made on: those
    /// with a host address of their family.
    fn configured_relays(&self) -> Vec<SocketAddr> {
        if self.turns_started {
            return Vec::new();
        }
        let mut seen = std::collections::HashSet::new();
        self.config
            .turn_servers
            .iter()
            .filter(|t| {
                t.transport.is_stream()
                    || self
                        .host_addresses
                        .iter()
                        .any(|h| h.is_ipv4() == t.address.is_ipv4())
            })
            // A server listed twice over one transport is used once.
            .filter(|t| seen.insert((t.address, t.transport.name())))
            .map(|t| t.address)
            .collect()
    }

    /// Uses a TURN server for a relayed candidate. The allocation starts
    /// at once; gathering waits for it (a failure is a
    /// [`PeerEvent::IceCandidateError`] and gathering goes on without it).
    ///
    /// Over UDP, `local` is our socket that reaches the server: the driver
    /// sends what comes out of [`poll_transmit`](Self::poll_transmit) with
    /// `remote == config.server` from there, and feeds the server's
    /// datagrams to [`handle_input`](Self::handle_input). Over TCP and TLS
    /// `local` is not used: a [`PeerEvent::ConnectTurnServer`] asks the
    /// driver for a connection, whose bytes travel through
    /// [`poll_stream_transmit`](Self::poll_stream_transmit) and
    /// [`handle_stream_input`](Self::handle_stream_input) under the
    /// returned id. A server already in use over the same transport gives
    /// the id it has.
    pub fn add_turn_server(
        &mut self,
        now: Instant,
        local: SocketAddr,
        mut config: TurnConfig,
    ) -> Result<RelayId, PeerError> {
        self.check_open()?;
        if let Some(r) = self.relays.iter().find(|r| {
            r.client.server() == config.server
                && r.client.config().transport.name() == config.transport.name()
        }) {
            return Ok(r.id);
        }
        if self.relays.len() >= MAX_RELAYS {
            return Err(PeerError::Transport("too many TURN servers".into()));
        }
        config.seed = self.rng.random();
        let stream = config.transport.is_stream();
        let server = config.server;
        let client =
            TurnClient::new(now, config).map_err(|e| PeerError::Transport(format!("TURN: {e}")))?;
        let id = RelayId(u32::try_from(self.relays.len()).unwrap_or(u32::MAX));
        self.relays.push(Relay {
            id,
            client,
            local,
            stream,
            relayed: None,
            mapped: None,
            failed: false,
            stream_error: None,
            announced: false,
            settled: false,
        });
        if stream {
            self.events
                .push_back(PeerEvent::ConnectTurnServer { relay: id, server });
        }
        self.sync_relays();
        self.pump(None);
        Ok(id)
    }

    /// The next bytes to write on the connection of stream relay `relay`
    /// (TCP or TLS); drain after every call into the peer, as
    /// [`poll_transmit`](Self::poll_transmit). Stops when the driver
    /// stops asking: the TURN client then holds the output (bounded by
    /// [`TurnConfig::max_output_bytes`], beyond which relayed data is
    /// dropped like a lost datagram).
    pub fn poll_stream_transmit(&mut self, now: Instant, relay: RelayId) -> Option<Bytes> {
        self.relays
            .iter_mut()
            .find(|r| r.id == relay && r.stream)?
            .client
            .poll_transmit(now)
    }

    /// Bytes read from the connection of stream relay `relay`, in any
    /// split.
    pub fn handle_stream_input(&mut self, now: Instant, relay: RelayId, data: Bytes) {
        let Some(r) = self.relays.iter_mut().find(|r| r.id == relay && r.stream) else {
            return;
        };
        r.client.handle_input(now, data);
        self.after_relay_input(now);
    }

    /// The connection of stream relay `relay` ended, or could not be made:
    /// `error` says why, if something failed. The allocation is lost; if it
    /// was being made, gathering goes on without it.
    pub fn handle_stream_closed(&mut self, now: Instant, relay: RelayId, error: Option<String>) {
        let Some(r) = self.relays.iter_mut().find(|r| r.id == relay && r.stream) else {
            return;
        };
        if r.stream_error.is_none() {
            r.stream_error = error;
        }
        r.client.handle_stream_closed(now);
        self.after_relay_input(now);
    }

    /// The relays' data into ICE, then everything that follows.
    fn after_relay_input(&mut self, now: Instant) {
        for (relayed, peer, data) in self.drain_relays() {
            self.handle_input(now, relayed, peer, data);
        }
        self.pump(Some(now));
    }

    /// The relayed addresses of the TURN allocations made so far.
    pub fn relayed_addresses(&self) -> Vec<SocketAddr> {
        self.relays.iter().filter_map(|r| r.relayed).collect()
    }

    /// Tells the agent what the relays have become.
    fn sync_relays(&mut self) {
        let Some(ice) = &mut self.ice else {
            return;
        };
        for r in &mut self.relays {
            let server = r.client.server();
            if !r.announced {
                match self.preannounced.iter().position(|&a| a == server) {
                    Some(i) => {
                        self.preannounced.swap_remove(i);
                    }
                    None => ice.start_relay_gathering(server),
                }
                r.announced = true;
            }
            if !r.settled {
                if let Some(relayed) = r.relayed {
                    let relay = RelayProtocol::from(&r.client.config().transport);
                    let _ = ice.add_relayed_candidate(server, relayed, r.mapped, relay);
                    r.settled = true;
                } else if r.failed {
                    ice.relay_gathering_failed(server);
                    r.settled = true;
                }
            }
        }
    }

    /// Takes the TURN clients' events; returns the peers' data to handle as
    /// if it had arrived on the relayed address.
    fn drain_relays(&mut self) -> Vec<(SocketAddr, SocketAddr, Bytes)> {
        let mut data = Vec::new();
        for r in &mut self.relays {
            while let Some(e) = r.client.poll_event() {
                match e {
                    TurnEvent::Allocated {
                        relayed, mapped, ..
                    } => {
                        r.relayed = Some(relayed);
                        r.mapped = mapped;
                    }
                    TurnEvent::Data { peer, data: d } => {
                        if let Some(relayed) = r.relayed {
                            data.push((relayed, peer, d));
                        }
                    }
                    TurnEvent::Failed(e) => {
                        r.failed = true;
                        let reason = match r.stream_error.take() {
                            Some(why) => format!("{why} ({e})"),
                            None => e.to_string(),
                        };
                        self.events.push_back(PeerEvent::IceCandidateError {
                            server: r.client.server(),
                            transport: r.client.config().transport.name(),
                            code: error_code(&e),
                            reason,
                        });
                    }
                    _ => {}
                }
            }
        }
        self.sync_relays();
        data
    }

    /// Sends a datagram from a relayed address through its allocation.
    /// Returns it back if `local` is not relayed.
    fn relay_send(&mut self, now: Instant, t: Transmit) -> Option<Transmit> {
        match self.relays.iter_mut().find(|r| r.relayed == Some(t.local)) {
            Some(r) => {
                let _ = r.client.send_to(now, t.remote, t.payload);
                None
            }
            None => Some(t),
        }
    }

    fn local_parameters(&self, answering: bool) -> LocalParameters {
        let creds = self.ice.as_ref().map(IceAgent::local_credentials);
        let fp = self.certificate.fingerprint(HashAlgorithm::Sha256);
        LocalParameters {
            ice_ufrag: creds.map(|c| c.ufrag.clone()).unwrap_or_default(),
            ice_pwd: creds.map(|c| c.pwd.clone()).unwrap_or_default(),
            fingerprint: sanderling_sdp::Fingerprint::from_bytes("sha-256", fp.value()),
            sctp_port: self.config.sctp.local_port,
            max_message_size: self.config.sctp.max_message_size as u64,
            candidates: self
                .local_candidates
                .iter()
                .filter_map(|c| sanderling_sdp::Candidate::parse(c).ok())
                .collect(),
            end_of_candidates: self.gathering_complete,
            ice_lite: self.config.ice.lite,
            sctp_init: self.local_sctp_init(answering),
        }
    }

    /// `a=sctp-init` for our next description (SNAP), base64: offered when
    /// enabled, answered only to an offer that had a valid one, and after
    /// the first exchange only if SNAP was negotiated then.
    fn local_sctp_init(&self, answering: bool) -> Option<String> {
        // Once the association exists, later descriptions keep what the
        // first exchange decided (the draft: the same `a=sctp-init` again).
        let declined = self.channels.is_some() && self.snap_peer_init.is_none();
        if !self.config.snap || declined {
            return None;
        }
        if answering && self.remote.as_ref().is_none_or(|r| r.sctp_init.is_none()) {
            return None;
        }
        Some(BASE64.encode(self.own_sctp_init()))
    }

    /// Our SCTP INIT as SNAP signals it: the one the association will be
    /// made with (same options, same seed).
    fn own_sctp_init(&self) -> Bytes {
        Association::signalled_init(&SctpOptions {
            seed: self.sctp_seed,
            ..self.config.sctp.clone()
        })
    }

    /// W3C `createOffer`.
    pub fn create_offer(&mut self) -> Result<SessionDescription, PeerError> {
        self.check_open()?;
        self.ensure_ice(true);
        let local = self.local_parameters(false);
        Ok(self.jsep.create_offer(&local)?)
    }

    /// W3C `restartIce`: new local ICE credentials; the next offer carries
    /// them and the current pair keeps carrying data until a new one is
    /// selected.
    pub fn restart_ice(&mut self) {
        if let Some(ice) = &mut self.ice {
            ice.restart();
        }
        self.pump(None);
    }

    /// W3C `createAnswer`.
    pub fn create_answer(&mut self) -> Result<SessionDescription, PeerError> {
        self.check_open()?;
        let local = self.local_parameters(true);
        Ok(self.jsep.create_answer(&local)?)
    }

    /// W3C `setLocalDescription`.
    pub fn set_local_description(
        &mut self,
        now: Instant,
        d: SessionDescription,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        let before = self.jsep.state();
        self.jsep.set_local_description(d)?;
        self.after_signaling(now, before);
        Ok(())
    }

    /// W3C `setRemoteDescription`. A description that fails to parse or
    /// lacks what a data connection needs is refused, and the connection
    /// carries on as before.
    pub fn set_remote_description(
        &mut self,
        now: Instant,
        d: SessionDescription,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        let before = self.jsep.state();
        let is_offer = d.sdp_type == crate::jsep::SdpType::Offer;
        let update = self.jsep.set_remote_description(d)?;
        if is_offer {
            self.ensure_ice(false);
        }
        if let Some(update) = update {
            let p = update.parameters;
            if let Some(ice) = &mut self.ice {
                // The peer offers an ICE restart: we restart too, so the
                // answer carries new credentials (RFC 8445 §9, RFC 8839
                // §4.4.3.1). The agent signals its candidates again.
                if is_offer && update.ice_restart {
                    ice.restart();
                    self.local_candidates.clear();
                    self.gathering_complete = false;
                }
                let _ = ice.set_remote_credentials(&p.ice_ufrag, &p.ice_pwd);
                ice.set_remote_ice_lite(p.ice_lite);
                for c in &p.candidates {
                    if let Ok(c) = c.to_string().parse::<IceCandidate>() {
                        let _ = ice.add_remote_candidate(c);
                    }
                }
                for c in self.pending_remote_candidates.drain(..) {
                    let _ = ice.add_remote_candidate(c);
                }
                if p.end_of_candidates {
                    ice.end_of_remote_candidates();
                }
            }
            if let Some(dtls) = &mut self.dtls {
                let _ = dtls.set_remote_fingerprints(dtls_fingerprints(&p));
            }
            self.remote = Some(p);
        }
        self.after_signaling(now, before);
        Ok(())
    }

    fn after_signaling(&mut self, now: Instant, before: SignalingState) {
        let after = self.jsep.state();
        if after != before {
            self.events.push_back(PeerEvent::SignalingState(after));
        }
        self.start_transports(now);
        // Let the agent act on the description now rather than at the
        // driver's next turn: gathering from known addresses completes, and
        // the first check is ready, within this call (a driver hop less per
        // side in setup). An answer may then carry end-of-candidates with
        // no candidate the offerer can reach; RFC 8863's PAC timer keeps
        // the offerer waiting for our checks.
        if let Some(ice) = &mut self.ice {
            ice.handle_timeout(now);
        }
        self.pump(Some(now));
    }

    /// W3C `addIceCandidate`: a trickled candidate string (`None` or an
    /// empty string: the peer has no more).
    pub fn add_ice_candidate(&mut self, candidate: Option<&str>) -> Result<(), PeerError> {
        self.check_open()?;
        let text = candidate.unwrap_or("").trim();
        if text.is_empty() {
            if let Some(ice) = &mut self.ice {
                ice.end_of_remote_candidates();
            }
            return Ok(());
        }
        let c: IceCandidate = text
            .parse()
            .map_err(|e| PeerError::Candidate(format!("{e}")))?;
        match &mut self.ice {
            Some(ice) if ice.remote_credentials().is_some() => {
                let _ = ice.add_remote_candidate(c);
            }
            _ => {
                if self.pending_remote_candidates.len() < 100 {
                    self.pending_remote_candidates.push(c);
                }
            }
        }
        self.pump(None);
        Ok(())
    }

    /// The answer to a [`PeerEvent::ResolveMdns`] (`None`: not found).
    pub fn resolve_mdns(&mut self, name: &str, ip: Option<std::net::IpAddr>) {
        if let Some(ice) = &mut self.ice {
            ice.resolve_mdns(name, ip);
        }
        self.pump(None);
    }

    /// Creates DTLS and the data channels once offer and answer are done.
    fn start_transports(&mut self, now: Instant) {
        let (Some(side), Some(remote)) = (self.jsep.dtls_side(), self.remote.as_ref()) else {
            return;
        };
        let fingerprints = dtls_fingerprints(remote);
        let (port, max) = (remote.sctp_port, remote.max_message_size);
        // SNAP when both descriptions of the exchange carry an INIT, and
        // the peer's is not ours: libdatachannel copies attributes it does
        // not know from the offer into its answer, our a=sctp-init too.
        let snap = remote.sctp_init.clone().filter(|init| {
            self.config.snap && self.jsep.local_has_sctp_init() && *init != self.own_sctp_init()
        });
        self.start_dtls(now, side, fingerprints);
        self.start_sctp(now, side, None, port, max, snap);
    }

    /// Creates the DTLS transport (once).
    fn start_dtls(&mut self, now: Instant, side: DtlsSide, fingerprints: Vec<Fingerprint>) {
        if self.dtls.is_some() {
            return;
        }
        let mut config = self.config.dtls.clone();
        config.role = match side {
            DtlsSide::Client => DtlsRole::Client,
            DtlsSide::Server => DtlsRole::Server,
        };
        config.remote_fingerprints = fingerprints;
        match DtlsTransport::new(now, &self.certificate, config) {
            Ok(mut dtls) => {
                for d in self.early_dtls.drain(..) {
                    dtls.handle_input(now, &d);
                }
                self.dtls_side = Some(side);
                self.dtls = Some(dtls);
            }
            Err(e) => self.events.push_back(PeerEvent::ChannelError {
                channel: None,
                reason: format!("DTLS: {e}"),
            }),
        }
    }

    /// Creates the SCTP association and the data channels (once), on our
    /// `local_port` (the configured one when `None`); `snap_peer_init` is
    /// the peer's INIT when SNAP was negotiated.
    fn start_sctp(
        &mut self,
        now: Instant,
        side: DtlsSide,
        local_port: Option<u16>,
        remote_port: u16,
        remote_max_message_size: usize,
        snap_peer_init: Option<Bytes>,
    ) {
        if self.channels.is_some() {
            return;
        }
        self.snap_peer_init = snap_peer_init;
        let mut sctp = self.config.sctp.clone();
        sctp.seed = self.sctp_seed;
        sctp.remote_port = remote_port;
        if let Some(port) = local_port {
            sctp.local_port = port;
        }
        // An SCTP packet must fit in one DTLS record.
        if let Some(dtls) = &self.dtls {
            sctp.mtu = sctp.mtu.min(dtls.max_application_data());
        }
        let base = sctp.mtu;
        sctp.probe_mtus
            .retain(|&s| s > base && s <= sanderling_dtls::MAX_RECORD_PLAINTEXT);
        let role = match side {
            DtlsSide::Client => DcRole::Client,
            DtlsSide::Server => DcRole::Server,
        };
        match DataChannels::new(now, sctp, role, remote_max_message_size) {
            Ok(mut dc) => {
                for (handle, ch) in &mut self.handles {
                    if ch.id.is_none() {
                        match dc.create_channel(now, ch.config.clone()) {
                            Ok(id) => {
                                ch.id = Some(id);
                                self.by_id.insert(id.0, *handle);
                                if ch.low_threshold != 0 {
                                    dc.set_buffered_amount_low_threshold(id, ch.low_threshold);
                                }
                            }
                            Err(e) => self.events.push_back(PeerEvent::ChannelError {
                                channel: Some(*handle),
                                reason: e.to_string(),
                            }),
                        }
                    }
                }
                // DTLS may be up already (ORTC starts the layers one by one).
                if self.dtls_connected {
                    for packet in self.early_sctp.drain(..) {
                        dc.handle_input(now, packet);
                    }
                    self.sctp_connect_due = true;
                }
                self.channels = Some(dc);
            }
            Err(e) => self.events.push_back(PeerEvent::ChannelError {
                channel: None,
                reason: format!("SCTP options: {e}"),
            }),
        }
    }

    /// ORTC (no SDP): creates the ICE agent now, controlled until
    /// [`ortc_start_ice`](Self::ortc_start_ice) says otherwise, so that
    /// the local credentials and candidates exist before the remote's
    /// parameters are known (`RTCIceGatherer`).
    pub fn ortc_gather(&mut self) -> Result<(), PeerError> {
        self.check_open()?;
        self.ensure_ice(false);
        Ok(())
    }

    /// Our ICE username fragment and password, once the agent exists.
    pub fn local_ice_credentials(&self) -> Option<(String, String)> {
        self.ice.as_ref().map(|ice| {
            let c = ice.local_credentials();
            (c.ufrag.clone(), c.pwd.clone())
        })
    }

    /// Our candidates so far (attribute values with `candidate:`).
    pub fn local_candidates(&self) -> &[String] {
        &self.local_candidates
    }

    /// The certificate in use.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// ORTC: replaces the certificate; only before DTLS started.
    pub fn set_certificate(&mut self, certificate: Certificate) -> Result<(), PeerError> {
        self.check_open()?;
        if self.dtls.is_some() {
            return Err(PeerError::Transport(
                "the DTLS transport has started: its certificate is fixed".into(),
            ));
        }
        self.certificate = certificate;
        Ok(())
    }

    /// ORTC (`RTCIceTransport.start`): our role and the remote's ICE
    /// parameters; checks start with the remote candidates given so far
    /// ([`add_ice_candidate`](Self::add_ice_candidate)).
    pub fn ortc_start_ice(
        &mut self,
        controlling: bool,
        remote_ufrag: &str,
        remote_pwd: &str,
        remote_lite: bool,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        self.ensure_ice(controlling);
        let Some(ice) = &mut self.ice else {
            return Err(PeerError::Transport("no ICE agent".into()));
        };
        if ice.remote_credentials().is_some() {
            return Err(PeerError::Transport("ICE has started already".into()));
        }
        ice.set_remote_credentials(remote_ufrag, remote_pwd)
            .map_err(|e| PeerError::Transport(format!("ICE parameters: {e}")))?;
        ice.set_controlling(controlling);
        ice.set_remote_ice_lite(remote_lite);
        for c in self.pending_remote_candidates.drain(..) {
            let _ = ice.add_remote_candidate(c);
        }
        self.pump(None);
        Ok(())
    }

    /// Whether ICE controls (the offerer, or the ORTC role).
    pub fn is_ice_controlling(&self) -> Option<bool> {
        self.ice.as_ref().map(IceAgent::is_controlling)
    }

    /// ORTC (`RTCDtlsTransport.start`): our DTLS side and the
    /// fingerprints the peer's certificate must match.
    pub fn ortc_start_dtls(
        &mut self,
        now: Instant,
        side: DtlsSide,
        remote_fingerprints: Vec<Fingerprint>,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        if remote_fingerprints.is_empty() {
            return Err(PeerError::Transport("no remote fingerprint".into()));
        }
        if self.dtls.is_some() {
            return Err(PeerError::Transport("DTLS has started already".into()));
        }
        self.start_dtls(now, side, remote_fingerprints);
        self.pump(Some(now));
        Ok(())
    }

    /// ORTC (`RTCSctpTransport.start`): the SCTP ports and the peer's
    /// largest message. DTLS must have been started.
    pub fn ortc_start_sctp(
        &mut self,
        now: Instant,
        local_port: u16,
        remote_port: u16,
        remote_max_message_size: usize,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        let Some(side) = self.dtls_side else {
            return Err(PeerError::Transport(
                "start the DTLS transport before SCTP".into(),
            ));
        };
        if self.channels.is_some() {
            return Err(PeerError::Transport("SCTP has started already".into()));
        }
        self.start_sctp(
            now,
            side,
            Some(local_port),
            remote_port,
            remote_max_message_size,
            None,
        );
        self.pump(Some(now));
        Ok(())
    }

    /// W3C `createDataChannel`. The channel opens once the connection is up.
    pub fn create_data_channel(
        &mut self,
        now: Instant,
        config: ChannelConfig,
    ) -> Result<ChannelHandle, PeerError> {
        self.check_open()?;
        config.validate()?;
        let id = match &mut self.channels {
            Some(dc) => Some(dc.create_channel(now, config.clone())?),
            None => {
                if let Some(n) = config.negotiated
                    && self
                        .handles
                        .values()
                        .any(|c| c.config.negotiated == Some(n))
                {
                    return Err(ChannelError::IdInUse(n).into());
                }
                None
            }
        };
        let handle = ChannelHandle(self.next_handle);
        self.next_handle += 1;
        if let Some(id) = id {
            self.by_id.insert(id.0, handle);
        }
        self.handles.insert(
            handle,
            Channel {
                config,
                id,
                low_threshold: 0,
            },
        );
        self.pump(Some(now));
        Ok(handle)
    }

    fn channel_id(&self, handle: ChannelHandle) -> Result<Option<ChannelId>, PeerError> {
        self.handles
            .get(&handle)
            .map(|c| c.id)
            .ok_or(PeerError::UnknownChannel)
    }

    /// Sends on a channel (W3C `send`).
    pub fn send(
        &mut self,
        now: Instant,
        handle: ChannelHandle,
        message: impl Into<Message>,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        let id = self.channel_id(handle)?;
        let (Some(id), Some(dc)) = (id, &mut self.channels) else {
            return Err(ChannelError::NotOpen(u16::MAX).into());
        };
        dc.send(now, id, message)?;
        self.pump(Some(now));
        Ok(())
    }

    /// Closes a channel (W3C `close`).
    pub fn close_channel(&mut self, now: Instant, handle: ChannelHandle) -> Result<(), PeerError> {
        let id = self.channel_id(handle)?;
        match (id, &mut self.channels) {
            (Some(id), Some(dc)) => dc.close(now, id)?,
            _ => {
                self.handles.remove(&handle);
                self.events.push_back(PeerEvent::ChannelClosed(handle));
            }
        }
        self.pump(Some(now));
        Ok(())
    }

    /// With `PeerConfig::sctp.app_flow_control`: the application has read
    /// `message` (from a [`PeerEvent::ChannelMessage`]), which frees its
    /// bytes of the SCTP receive window. Returns whether a window update is
    /// due (it comes out of [`poll_transmit`](Self::poll_transmit)).
    pub fn release_received(&mut self, message: &Message) -> bool {
        self.channels.as_mut().is_some_and(|dc| dc.release(message))
    }

    /// A channel's configuration (label, protocol, reliability, ...).
    pub fn channel_config(&self, handle: ChannelHandle) -> Option<&ChannelConfig> {
        self.handles.get(&handle).map(|c| &c.config)
    }

    /// A channel's stream id, once known (W3C `id`).
    pub fn channel_stream_id(&self, handle: ChannelHandle) -> Option<u16> {
        self.handles.get(&handle).and_then(|c| c.id).map(|id| id.0)
    }

    /// A channel's state (W3C `readyState`).
    pub fn channel_state(&self, handle: ChannelHandle) -> Option<ReadyState> {
        let c = self.handles.get(&handle)?;
        if self.state == ConnectionState::Closed {
            return Some(ReadyState::Closed);
        }
        match (c.id, &self.channels) {
            (Some(id), Some(dc)) => dc.ready_state(id),
            _ => Some(ReadyState::Connecting),
        }
    }

    /// W3C `bufferedAmount`.
    pub fn buffered_amount(&self, handle: ChannelHandle) -> usize {
        match (self.handles.get(&handle).and_then(|c| c.id), &self.channels) {
            (Some(id), Some(dc)) => dc.buffered_amount(id),
            _ => 0,
        }
    }

    /// W3C `bufferedAmountLowThreshold` (setter). Kept for a channel that
    /// has no stream id yet and applied when it gets one.
    /// W3C `bufferedAmountLowThreshold` (getter; 0 for an unknown channel).
    pub fn buffered_amount_low_threshold(&self, handle: ChannelHandle) -> usize {
        self.handles.get(&handle).map_or(0, |c| c.low_threshold)
    }

    /// W3C `bufferedAmountLowThreshold` (setter).
    pub fn set_buffered_amount_low_threshold(&mut self, handle: ChannelHandle, bytes: usize) {
        let Some(c) = self.handles.get_mut(&handle) else {
            return;
        };
        c.low_threshold = bytes;
        if let (Some(id), Some(dc)) = (c.id, &mut self.channels) {
            dc.set_buffered_amount_low_threshold(id, bytes);
        }
    }

    /// W3C `close()`: everything stops. The peer is told at once rather
    /// than left to notice by consent failure (some 30 s): the SCTP
    /// association is torn down with an ABORT (as W3C says) and DTLS sends
    /// close_notify, both on the selected pair, which the driver gets from
    /// [`poll_transmit`](Self::poll_transmit) as usual. No channel events
    /// follow: every channel is simply closed.
    pub fn close(&mut self) {
        if self.state == ConnectionState::Closed {
            return;
        }
        let pair = self.selected_pair();
        let mut last = Vec::new();
        if let (Some(now), Some(dtls)) = (self.last_now, &mut self.dtls) {
            if let Some(dc) = &mut self.channels {
                dc.abort(now, "peer connection closed");
                while let Some(packet) = dc.poll_transmit(now) {
                    if self.dtls_connected && !self.dtls_closed {
                        let _ = dtls.send(now, &packet);
                    }
                }
                while dc.poll_event().is_some() {}
            }
            dtls.close();
            while let Some(payload) = dtls.poll_transmit(now) {
                if let Some((local, remote)) = pair {
                    last.push(Transmit {
                        local,
                        remote,
                        payload,
                    });
                }
            }
        }
        if let Some(now) = self.last_now {
            for t in last {
                if let Some(t) = self.relay_send(now, t) {
                    self.push_closing(t);
                }
            }
            // Through a relay the last datagrams go first, then each
            // allocation is deleted (a zero-lifetime Refresh).
            let mut to_server = Vec::new();
            for r in &mut self.relays {
                if r.stream {
                    // Its bytes stay in the client for the driver to write
                    // (poll_stream_transmit) before it drops the connection.
                    r.client.close(now);
                    continue;
                }
                while let Some(payload) = r.client.poll_transmit(now) {
                    to_server.push(Transmit {
                        local: r.local,
                        remote: r.client.server(),
                        payload,
                    });
                }
                r.client.close(now);
                while let Some(payload) = r.client.poll_transmit(now) {
                    to_server.push(Transmit {
                        local: r.local,
                        remote: r.client.server(),
                        payload,
                    });
                }
            }
            for t in to_server {
                self.push_closing(t);
            }
        }
        // Every channel now reads as closed (`channel_state`); as W3C says,
        // closing the connection fires no channel events.
        if let Some(ice) = &mut self.ice {
            ice.close();
        }
        self.jsep.close();
        self.set_state(ConnectionState::Closed);
    }

    fn push_closing(&mut self, t: Transmit) {
        if self.closing_transmits.len() < MAX_CLOSING_TRANSMITS {
            self.closing_transmits.push_back(t);
        }
    }

    fn check_open(&self) -> Result<(), PeerError> {
        if self.state == ConnectionState::Closed {
            Err(PeerError::Closed)
        } else {
            Ok(())
        }
    }

    /// A datagram arrived on our socket `local` from `remote`.
    pub fn handle_input(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        payload: Bytes,
    ) {
        if self.state == ConnectionState::Closed {
            return;
        }
        if let Some(r) = self
            .relays
            .iter_mut()
            .find(|r| !r.stream && r.local == local && r.client.server() == remote)
        {
            r.client.handle_input(now, payload);
            self.after_relay_input(now);
            return;
        }
        match classify(&payload) {
            PacketKind::Stun => {
                if let Some(ice) = &mut self.ice {
                    ice.handle_input(now, local, remote, &payload);
                }
            }
            PacketKind::Dtls => {
                if let Some(ice) = &mut self.ice {
                    ice.record_data_received(now, payload.len());
                }
                match &mut self.dtls {
                    Some(dtls) => dtls.handle_input(now, &payload),
                    None => {
                        if self.early_dtls.len() < MAX_EARLY_DTLS {
                            self.early_dtls.push_back(payload);
                        }
                    }
                }
            }
            // No media yet.
            _ => {}
        }
    }

    /// Starts an allocation on every configured TURN server (over UDP from
    /// our host socket of the server's address family), once ICE exists.
    fn start_relays(&mut self, now: Instant) {
        if self.turns_started || self.config.turn_servers.is_empty() || self.ice.is_none() {
            return;
        }
        self.turns_started = true;
        for server in self.config.turn_servers.clone() {
            let family = self
                .host_addresses
                .iter()
                .find(|a| a.is_ipv4() == server.address.is_ipv4())
                .copied();
            let local = match (family, server.transport.is_stream()) {
                (Some(local), _) => local,
                // A stream leaves from wherever the driver's connection does.
                (None, true) => SocketAddr::new(unspecified(server.address), 0),
                (None, false) => continue,
            };
            let transport = server.transport.name();
            let config = TurnConfig::new(
                server.address,
                server.transport,
                server.username,
                server.password,
                [0; 32],
            );
            if let Err(e) = self.add_turn_server(now, local, config) {
                // Gathering was told to wait for this one.
                if let Some(i) = self.preannounced.iter().position(|&a| a == server.address) {
                    self.preannounced.swap_remove(i);
                    if let Some(ice) = &mut self.ice {
                        ice.relay_gathering_failed(server.address);
                    }
                }
                self.events.push_back(PeerEvent::IceCandidateError {
                    server: server.address,
                    transport,
                    code: 701,
                    reason: e.to_string(),
                });
            }
        }
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.closing_transmits.pop_front() {
            return Some(t);
        }
        while let Some(t) = self.ice.as_mut().and_then(|ice| ice.poll_transmit(now)) {
            if let Some(t) = self.relay_send(now, t) {
                return Some(t);
            }
        }
        self.connect_sctp_if_due(now);
        self.pump(Some(now));
        if let Some((local, remote)) = self.selected_pair() {
            while let Some(payload) = self.dtls.as_mut().and_then(|d| d.poll_transmit(now)) {
                if let Some(ice) = &mut self.ice {
                    ice.record_data_sent(now, payload.len());
                }
                let t = Transmit {
                    local,
                    remote,
                    payload,
                };
                if let Some(t) = self.relay_send(now, t) {
                    return Some(t);
                }
            }
        }
        // What the TURN clients send to their servers over UDP (ours and
        // relayed); stream relays go through poll_stream_transmit.
        for r in self.relays.iter_mut().filter(|r| !r.stream) {
            if let Some(payload) = r.client.poll_transmit(now) {
                return Some(Transmit {
                    local: r.local,
                    remote: r.client.server(),
                    payload,
                });
            }
        }
        None
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<PeerEvent> {
        self.events.pop_front()
    }

    /// The earliest instant [`handle_timeout`](Self::handle_timeout) is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.sctp_connect_due && self.channels.is_some() {
            return self.last_now;
        }
        [
            self.ice.as_ref().and_then(IceAgent::poll_timeout),
            self.dtls.as_ref().and_then(DtlsTransport::poll_timeout),
            self.channels.as_ref().and_then(DataChannels::poll_timeout),
            self.relays
                .iter()
                .filter_map(|r| r.client.poll_timeout())
                .min(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Opens SCTP if DTLS came up since output was last taken.
    fn connect_sctp_if_due(&mut self, now: Instant) {
        if !self.sctp_connect_due {
            return;
        }
        // Without channels yet, it stays due for when they come.
        if let Some(dc) = &mut self.channels {
            self.sctp_connect_due = false;
            if !self.dtls_closed {
                open_sctp(dc, now, self.snap_peer_init.as_deref());
            }
        }
    }

    /// Handles expired timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.connect_sctp_if_due(now);
        if let Some(ice) = &mut self.ice {
            ice.handle_timeout(now);
        }
        if let Some(dtls) = &mut self.dtls {
            dtls.handle_timeout(now);
        }
        if let Some(dc) = &mut self.channels {
            dc.handle_timeout(now);
        }
        let mut due = false;
        for r in &mut self.relays {
            if r.client.poll_timeout().is_some_and(|t| t <= now) {
                r.client.handle_timeout(now);
                due = true;
            }
        }
        if due {
            for (relayed, peer, data) in self.drain_relays() {
                self.handle_input(now, relayed, peer, data);
            }
        }
        self.pump(Some(now));
    }

    fn set_state(&mut self, s: ConnectionState) {
        if self.state != s && self.state != ConnectionState::Closed {
            self.state = s;
            self.events.push_back(PeerEvent::ConnectionState(s));
        }
    }

    fn update_state(&mut self) {
        let dtls_failed = self.dtls.as_ref().is_some_and(|d| d.failure().is_some());
        let s = match self.ice_state {
            _ if dtls_failed => ConnectionState::Failed,
            IceState::Failed => ConnectionState::Failed,
            IceState::Closed => ConnectionState::Closed,
            IceState::Disconnected => ConnectionState::Disconnected,
            IceState::New if self.dtls.is_none() => ConnectionState::New,
            IceState::Connected | IceState::Completed if self.dtls_connected => {
                ConnectionState::Connected
            }
            _ => ConnectionState::Connecting,
        };
        self.set_state(s);
    }

    /// Moves data and events between the layers until nothing moves.
    fn pump(&mut self, now: Option<Instant>) {
        while let Some(e) = self.ice.as_mut().and_then(IceAgent::poll_event) {
            match e {
                IceEvent::LocalCandidate(c) => {
                    let text = c.to_string();
                    self.local_candidates.push(text.clone());
                    self.events.push_back(PeerEvent::IceCandidate(Some(text)));
                }
                IceEvent::EndOfLocalCandidates => {
                    self.gathering_complete = true;
                    self.events.push_back(PeerEvent::IceCandidate(None));
                }
                IceEvent::GatheringState(s) => {
                    self.events.push_back(PeerEvent::IceGatheringState(s))
                }
                IceEvent::ConnectionState(s) => {
                    self.ice_state = s;
                    self.events.push_back(PeerEvent::IceConnectionState(s));
                }
                IceEvent::SelectedPair { .. } => {}
                IceEvent::ResolveMdns { name } => {
                    self.events.push_back(PeerEvent::ResolveMdns(name))
                }
            }
        }
        let Some(now) = now else {
            self.update_state();
            return;
        };
        self.last_now = Some(now);
        self.start_relays(now);
        loop {
            let mut moved = false;
            // SCTP → DTLS; nothing carries SCTP once DTLS has closed.
            if self.dtls_closed
                && let Some(dc) = &mut self.channels
            {
                while dc.poll_transmit(now).is_some() {
                    moved = true;
                }
            } else if self.dtls_connected
                && let (Some(dc), Some(dtls)) = (&mut self.channels, &mut self.dtls)
            {
                // One packet at a time, and only once DTLS's datagrams
                // were taken: SCTP builds its next packet when the socket
                // is ready for it, so a window's worth of ciphertext (a
                // megabyte in bulk) never waits in DTLS's queue.
                while !dtls.has_pending_transmit()
                    && let Some(packet) = dc.poll_transmit(now)
                {
                    moved = true;
                    if let Err(e) = dtls.send(now, &packet) {
                        self.events.push_back(PeerEvent::ChannelError {
                            channel: None,
                            reason: format!("DTLS refused an SCTP packet: {e}"),
                        });
                    }
                }
            }
            // DTLS → SCTP and state.
            while let Some(e) = self.dtls.as_mut().and_then(DtlsTransport::poll_event) {
                moved = true;
                match e {
                    DtlsEvent::Connected { .. } => {
                        self.dtls_connected = true;
                        self.sctp_connect_due = true;
                        // With SNAP there is no INIT of the peer's to wait
                        // for: open now, before the records that came with
                        // the Finished (the peer's first DATA) are read.
                        if self.snap_peer_init.is_some() {
                            self.connect_sctp_if_due(now);
                        }
                    }
                    DtlsEvent::ApplicationData(data) => match &mut self.channels {
                        Some(dc) => dc.handle_input(now, data),
                        None => {
                            if self.early_sctp.len() < MAX_EARLY_DTLS {
                                self.early_sctp.push_back(data);
                            }
                        }
                    },
                    // The peer closed DTLS (close_notify) or it failed: the
                    // association has nothing left to run on, so it ends and
                    // every channel closes (W3C: the channels' underlying
                    // transport closed). Without this they stayed open.
                    DtlsEvent::Closed | DtlsEvent::Failed(_) => {
                        self.dtls_closed = true;
                        if let Some(dc) = &mut self.channels {
                            dc.abort(now, "DTLS transport closed");
                        }
                    }
                }
            }
            // Channel events.
            while let Some(e) = self.channels.as_mut().and_then(DataChannels::poll_event) {
                moved = true;
                self.channel_event(e);
            }
            if !moved {
                break;
            }
        }
        self.update_state();
    }

    fn handle_of(&self, id: ChannelId) -> Option<ChannelHandle> {
        self.by_id.get(&id.0).copied()
    }

    fn channel_event(&mut self, e: DataChannelEvent) {
        match e {
            DataChannelEvent::Connected | DataChannelEvent::TransportClosed(_) => {}
            DataChannelEvent::Open(id) => {
                if let Some(h) = self.handle_of(id) {
                    self.events.push_back(PeerEvent::ChannelOpen(h));
                }
            }
            DataChannelEvent::IncomingChannel(id) => {
                let config = self
                    .channels
                    .as_ref()
                    .and_then(|dc| dc.config(id).cloned())
                    .unwrap_or_else(|| ChannelConfig::new(""));
                let handle = ChannelHandle(self.next_handle);
                self.next_handle += 1;
                self.by_id.insert(id.0, handle);
                self.handles.insert(
                    handle,
                    Channel {
                        config,
                        id: Some(id),
                        low_threshold: 0,
                    },
                );
                self.events.push_back(PeerEvent::DataChannel(handle));
                self.events.push_back(PeerEvent::ChannelOpen(handle));
            }
            DataChannelEvent::Message { id, message } => match self.handle_of(id) {
                Some(channel) => self
                    .events
                    .push_back(PeerEvent::ChannelMessage { channel, message }),
                None => {
                    self.release_received(&message);
                }
            },
            DataChannelEvent::BufferedAmountLow(id) => {
                if let Some(h) = self.handle_of(id) {
                    self.events
                        .push_back(PeerEvent::ChannelBufferedAmountLow(h));
                }
            }
            DataChannelEvent::Closing(id) => {
                if let Some(h) = self.handle_of(id) {
                    self.events.push_back(PeerEvent::ChannelClosing(h));
                }
            }
            DataChannelEvent::Closed(id) => {
                if let Some(h) = self.handle_of(id) {
                    // The stream id is free again; the handle is retired.
                    self.handles.remove(&h);
                    self.by_id.remove(&id.0);
                    self.events.push_back(PeerEvent::ChannelClosed(h));
                }
            }
            DataChannelEvent::Error { id, reason } => {
                let channel = id.and_then(|id| self.handle_of(id));
                self.events
                    .push_back(PeerEvent::ChannelError { channel, reason });
            }
        }
    }
}

/// The unspecified address of `server`'s family.
fn unspecified(server: SocketAddr) -> std::net::IpAddr {
    if server.is_ipv4() {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    }
}

/// Opens the association: from the peer's signalled INIT (SNAP) when
/// there is one, else by the handshake (also if the INIT is refused,
/// which `RemoteParameters` checked already).
fn open_sctp(dc: &mut DataChannels, now: Instant, snap_peer_init: Option<&[u8]>) {
    match snap_peer_init {
        Some(init) if dc.connect_with_peer_init(now, init).is_ok() => {}
        _ => dc.connect(now),
    }
}

fn dtls_fingerprints(p: &RemoteParameters) -> Vec<Fingerprint> {
    p.fingerprints
        .iter()
        .filter_map(|f| {
            format!("{} {}", f.algorithm, f.value)
                .parse::<Fingerprint>()
                .ok()
        })
        .collect()
}
