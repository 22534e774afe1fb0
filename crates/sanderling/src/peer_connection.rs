//! [`PeerConnection`]: W3C `RTCPeerConnection` as a cheap cloneable handle
//! over the shared state, with one driver task doing the I/O.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use sanderling_dtls::Certificate;
use sanderling_ice::turn::{TurnConfig, TurnTransport};
use sanderling_ice::{ConnectionState as IceConnectionState, GatheringState};
use sanderling_rtc::jsep::SignalingState;
use sanderling_rtc::{ConnectionState, Peer, PeerConfig};

use crate::config::{Configuration, TurnKind};
use crate::data_channel::{DataChannel, DataChannelInit};
use crate::description::{IceCandidate, SessionDescription, with_candidates};
use crate::driver;
use crate::error::Error;
use crate::shared::{ChannelEntry, ChannelInfo, ConnRef, QueuedEvent, Shared};
use crate::socket::{self, Socket, SocketBuffers};

/// What happens on a connection (W3C event names in Rust case).
#[derive(Debug)]
pub enum PeerConnectionEvent {
    /// `datachannel`: the peer opened a channel. It is open already; its
    /// [`Open`](crate::DataChannelEvent::Open) event is queued too.
    DataChannel(DataChannel),
    /// `icecandidate`: a local candidate to signal to the peer; `None`
    /// when gathering is complete (signal end-of-candidates).
    IceCandidate(Option<IceCandidate>),
    /// `connectionstatechange`.
    ConnectionState(ConnectionState),
    /// `iceconnectionstatechange`.
    IceConnectionState(IceConnectionState),
    /// `icegatheringstatechange`.
    IceGatheringState(GatheringState),
    /// `signalingstatechange`.
    SignalingState(SignalingState),
    /// `icecandidateerror`: a TURN server gave no relayed candidate (it
    /// could not be reached, TLS failed, it refused the credentials) or
    /// lost the allocation. Gathering goes on without it.
    IceCandidateError(IceCandidateError),
}

/// W3C `RTCPeerConnectionIceErrorEvent`: why a server gave no candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceCandidateError {
    /// The server's URL as configured.
    pub url: String,
    /// The server's address.
    pub address: SocketAddr,
    /// The STUN error code the server answered (401: wrong username or
    /// password), or 701 when it could not be reached or talked to (W3C).
    pub error_code: u16,
    /// What went wrong, for people.
    pub error_text: String,
}

/// The SCTP extensions an association negotiated
/// ([`PeerConnection::sctp_features`]): each is on only when both ends
/// announced it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SctpFeatures {
    /// PR-SCTP (RFC 3758): partially reliable channels give messages up.
    pub partial_reliability: bool,
    /// I-DATA (RFC 8260): a large message does not hold back other channels.
    pub message_interleaving: bool,
    /// Stream reset (RFC 6525): how channels close.
    pub stream_reset: bool,
    /// Zero checksum (RFC 9653): packets go without CRC32C (DTLS already
    /// protects them).
    pub zero_checksum: bool,
    /// SNAP (draft-hancke-tsvwg-snap): the association opened from the
    /// SCTP INITs in the two descriptions, without the SCTP handshake
    /// ([`Configuration::snap`](crate::Configuration::snap)).
    pub snap: bool,
}

/// W3C `RTCPeerConnection`, for data channels.
///
/// A cheap handle: clones share one connection. It needs a tokio runtime
/// (a driver task is spawned on it). The connection closes on
/// [`close`](Self::close) or when the last handle (connection or channel)
/// is dropped.
///
/// ```no_run
/// # async fn demo() -> Result<(), sanderling::Error> {
/// use sanderling::{Configuration, DataChannelInit, PeerConnection};
/// let pc = PeerConnection::new(Configuration::default())?;
/// let chat = pc.create_data_channel("chat", DataChannelInit::default())?;
/// let offer = pc.create_offer().await?;
/// pc.set_local_description(offer.clone()).await?;
/// // ... send the offer to the peer, get its answer ...
/// # let answer = offer;
/// pc.set_remote_description(answer).await?;
/// chat.opened().await?;
/// chat.send("hello")?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PeerConnection {
    conn: ConnRef,
}

impl fmt::Debug for PeerConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerConnection")
            .field("local_addresses", &self.conn.0.local_addresses)
            .field("connection_state", &self.connection_state())
            .finish()
    }
}

/// The unspecified address of `server`'s family, port 0.
fn unspecified(server: SocketAddr) -> SocketAddr {
    let ip: std::net::IpAddr = if server.is_ipv4() {
        std::net::Ipv4Addr::UNSPECIFIED.into()
    } else {
        std::net::Ipv6Addr::UNSPECIFIED.into()
    };
    SocketAddr::new(ip, 0)
}

/// Fills a seed from the operating system's generator.
fn os_seed() -> Result<[u8; 32], Error> {
    let mut seed = [0u8; 32];
    aws_lc_rs::rand::fill(&mut seed)
        .map_err(|_| Error::Operation("the system random generator failed".into()))?;
    Ok(seed)
}

impl PeerConnection {
    /// A new connection: checks `config`, binds one UDP socket per usable
    /// local address (reported to ICE as host candidates), starts the TURN
    /// allocations and spawns the driver on the current tokio runtime. ICE
    /// server host names are resolved here, blocking (IP addresses need no
    /// lookup).
    ///
    /// Errors: `SyntaxError` / `InvalidAccessError` for bad ICE servers,
    /// `NotSupportedError` for the relay-only policy without a TURN server,
    /// `TypeError` for an unusable certificate in
    /// [`turn_tls_trust`](Configuration::turn_tls_trust),
    /// `InvalidStateError` outside a tokio runtime, an I/O error when no
    /// socket can be bound. A TURN server that cannot be reached is no
    /// error here: it is a [`PeerConnectionEvent::IceCandidateError`].
    pub fn new(config: Configuration) -> Result<Self, Error> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::InvalidState("a PeerConnection needs a tokio runtime".into()))?;
        let servers = config.validate()?;
        let certificate = match config.certificates.first() {
            Some(c) => c.clone(),
            None => Certificate::generate()
                .map_err(|e| Error::Operation(format!("certificate: {e}")))?,
        };
        let ice = config.ice_config(servers.stun.clone());
        let mut start = [0u8; 2];
        let _ = aws_lc_rs::rand::fill(&mut start);
        let mut sockets = Vec::new();
        let mut last_error = None;
        let _guard = runtime.enter();
        for (interface, ip) in socket::local_addresses(&ice) {
            match Socket::bind(
                &interface,
                ip,
                config.port_range.as_ref(),
                config.socket_buffer_size,
                u16::from_be_bytes(start),
            ) {
                Ok(s) => sockets.push(s),
                Err(e) => {
                    tracing::debug!(%ip, error = %e, "cannot bind");
                    last_error = Some(e);
                }
            }
        }
        if sockets.is_empty() {
            return Err(Error::Io(last_error.unwrap_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no usable address")
            })));
        }
        let mut peer_config = PeerConfig {
            seed: os_seed()?,
            ice,
            snap: config.snap,
            ..PeerConfig::default()
        };
        peer_config.sctp.max_message_size = config.max_message_size;
        peer_config.sctp.max_receive_buffer = config.receive_buffer_size;
        peer_config.sctp.congestion = config.congestion_control;
        // The window follows what the application has read.
        peer_config.sctp.app_flow_control = true;
        let mut peer = Peer::new(peer_config, certificate.clone());
        // Relay only: the sockets reach the TURN servers, their addresses
        // are not offered.
        if config.ice_transport_policy != crate::IceTransportPolicy::Relay {
            for s in &sockets {
                peer.add_local_address(&s.interface, s.local);
            }
        }
        for turn in &servers.turn {
            let socket = sockets
                .iter()
                .find(|s| s.local.is_ipv4() == turn.addr.is_ipv4());
            let (transport, local) = match (turn.kind, socket) {
                (TurnKind::Udp, Some(s)) => (TurnTransport::Udp, s.local),
                (TurnKind::Udp, None) => {
                    tracing::warn!(server = %turn.addr, "no socket of the TURN server's family");
                    continue;
                }
                // A stream's own connection carries it; `local` is unused.
                (TurnKind::Tcp, _) => (TurnTransport::Tcp, unspecified(turn.addr)),
                (TurnKind::Tls, _) => (
                    TurnTransport::Tls(config.turn_tls_trust.settings(&turn.host)?),
                    unspecified(turn.addr),
                ),
            };
            let turn_config = TurnConfig::new(
                turn.addr,
                transport,
                turn.username.clone(),
                turn.credential.clone(),
                [0; 32],
            );
            peer.add_turn_server(Instant::now(), local, turn_config)?;
        }
        peer.end_of_local_addresses();
        let local_addresses = sockets.iter().map(|s| s.local).collect();
        let buffers = sockets.iter().map(|s| s.buffers).collect();
        let shared = Arc::new(Shared::new(
            peer,
            config,
            certificate,
            local_addresses,
            buffers,
        ));
        shared.lock().turn_urls = servers
            .turn
            .iter()
            .map(|t| (t.addr, t.kind.name(), t.url.clone()))
            .collect();
        let conn = ConnRef::new(shared.clone());
        runtime.spawn(driver::run(shared, sockets, u16::from_be_bytes(start)));
        Ok(Self { conn })
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.conn.0
    }

    /// Runs a user call under the lock, then dispatches what it produced
    /// and wakes the driver to flush its output.
    pub(crate) fn call<T>(
        &self,
        f: impl FnOnce(&mut crate::shared::State) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let shared = self.shared();
        let (result, pushed) = {
            let mut st = shared.lock();
            if st.closed {
                return Err(Error::closed());
            }
            let result = f(&mut st);
            st.drain_events();
            (result, st.take_events_pushed())
        };
        if pushed {
            shared.events.notify_waiters();
        }
        shared.wake_driver();
        result
    }

    /// The configuration given to [`new`](Self::new).
    pub fn configuration(&self) -> &Configuration {
        &self.shared().config
    }

    /// The DTLS certificate in use (its fingerprint is in our descriptions).
    pub fn certificate(&self) -> &Certificate {
        &self.shared().certificate
    }

    /// The addresses of the UDP sockets bound for this connection.
    pub fn local_addresses(&self) -> &[SocketAddr] {
        &self.shared().local_addresses
    }

    /// The send and receive buffers the kernel gave each UDP socket
    /// ([`Configuration::socket_buffer_size`](crate::Configuration::socket_buffer_size)
    /// asks; the kernel may cap it at `net.core.rmem_max` unless the
    /// process may go past it).
    pub fn socket_buffers(&self) -> &[SocketBuffers] {
        &self.shared().socket_buffers
    }

    /// W3C `createDataChannel`. The channel opens when the connection is up
    /// (or at once on a connected one).
    ///
    /// `TypeError` for a bad `init` (both `max_retransmits` and
    /// `max_packet_life_time`; `negotiated` without an `id`; id 65535; a
    /// label or protocol over 65535 bytes), `OperationError` for an id in
    /// use, `InvalidStateError` on a closed connection. Nothing changes on
    /// error.
    pub fn create_data_channel(
        &self,
        label: impl Into<String>,
        init: DataChannelInit,
    ) -> Result<DataChannel, Error> {
        let config = init.to_config(label.into())?;
        let info = ChannelInfo {
            label: config.label.clone(),
            protocol: config.protocol.clone(),
            ordered: config.ordered,
            max_packet_life_time: config.max_packet_lifetime,
            max_retransmits: config.max_retransmits,
            negotiated: config.negotiated.is_some(),
        };
        let conn = self.conn.clone();
        self.call(move |st| {
            let handle = st.peer.create_data_channel(Instant::now(), config)?;
            let entry = ChannelEntry::new(info, sanderling_datachannel::ReadyState::Connecting);
            let channel = DataChannel::from_entry(conn, handle, &entry);
            st.channels.insert(handle, entry);
            Ok(channel)
        })
    }

    /// W3C `createOffer`: a data-only offer with the candidates gathered
    /// so far (more follow as [`PeerConnectionEvent::IceCandidate`]).
    pub async fn create_offer(&self) -> Result<SessionDescription, Error> {
        self.call(|st| Ok(SessionDescription::from_core(&st.peer.create_offer()?)))
    }

    /// W3C `createAnswer`, to the remote offer.
    pub async fn create_answer(&self) -> Result<SessionDescription, Error> {
        self.call(|st| Ok(SessionDescription::from_core(&st.peer.create_answer()?)))
    }

    /// W3C `setLocalDescription` with the description
    /// [`create_offer`](Self::create_offer) or
    /// [`create_answer`](Self::create_answer) returned.
    pub async fn set_local_description(
        &self,
        description: SessionDescription,
    ) -> Result<(), Error> {
        self.call(|st| {
            st.peer
                .set_local_description(Instant::now(), description.to_core())?;
            st.local_mid = st.peer.local_mid().map(str::to_owned);
            Ok(())
        })
    }

    /// W3C `setRemoteDescription`. A description that does not parse or
    /// lacks what a data connection needs is refused (`OperationError`) and
    /// the connection carries on as before.
    pub async fn set_remote_description(
        &self,
        description: SessionDescription,
    ) -> Result<(), Error> {
        self.call(|st| {
            st.peer
                .set_remote_description(Instant::now(), description.to_core())?;
            Ok(())
        })
    }

    /// W3C `addIceCandidate`: a candidate the peer trickled; `None` (or an
    /// empty `candidate`) when the peer has no more.
    pub async fn add_ice_candidate(&self, candidate: Option<IceCandidate>) -> Result<(), Error> {
        self.call(|st| {
            st.peer
                .add_ice_candidate(candidate.as_ref().map(|c| c.candidate.as_str()))?;
            Ok(())
        })
    }

    /// W3C `localDescription`: the description set, with the candidates
    /// gathered since and `a=end-of-candidates` once gathering is complete
    /// (so a peer that does not trickle can wait for
    /// [`IceGatheringState::Complete`](crate::IceGatheringState) and send
    /// this).
    pub fn local_description(&self) -> Option<SessionDescription> {
        let st = self.shared().lock();
        let mut d = SessionDescription::from_core(st.peer.local_description()?);
        d.sdp = with_candidates(&d.sdp, &st.local_candidates, st.gathering_done);
        Some(d)
    }

    /// W3C `remoteDescription`.
    pub fn remote_description(&self) -> Option<SessionDescription> {
        self.shared()
            .lock()
            .peer
            .remote_description()
            .map(SessionDescription::from_core)
    }

    /// W3C `signalingState`.
    pub fn signaling_state(&self) -> SignalingState {
        self.shared().lock().peer.signaling_state()
    }

    /// W3C `connectionState`.
    pub fn connection_state(&self) -> ConnectionState {
        self.shared().lock().peer.connection_state()
    }

    /// W3C `iceConnectionState`.
    pub fn ice_connection_state(&self) -> IceConnectionState {
        self.shared().lock().peer.ice_connection_state()
    }

    /// The SCTP extensions both ends announced in the association's
    /// handshake, once the association is up (`None` before, and without
    /// SCTP). No W3C counterpart: for diagnostics and interop tests (did
    /// I-DATA and zero checksum get negotiated with this peer?).
    pub fn sctp_features(&self) -> Option<SctpFeatures> {
        let shared = self.shared().lock();
        let caps = shared.peer.sctp_capabilities()?;
        Some(SctpFeatures {
            snap: shared.peer.sctp_opened_by_snap(),
            partial_reliability: caps.partial_reliability,
            message_interleaving: caps.message_interleaving,
            stream_reset: caps.reconfig,
            zero_checksum: caps.zero_checksum,
        })
    }

    /// W3C `iceGatheringState`.
    pub fn ice_gathering_state(&self) -> GatheringState {
        self.shared().lock().gathering
    }

    /// The connection's events, queued from its creation until taken: one
    /// queue per connection, so several receivers share it (each event goes
    /// to one). Events are few and small (states, candidates, incoming
    /// channels), so the queue is not bounded. The receiver holds a handle:
    /// the connection stays open while it lives.
    pub fn events(&self) -> PeerConnectionEvents {
        PeerConnectionEvents { pc: self.clone() }
    }

    /// W3C `close`: every channel closes (the peer is told: SCTP ABORT and
    /// DTLS close_notify), the sockets close once that is sent. Later calls
    /// fail with `InvalidStateError`. Idempotent.
    pub fn close(&self) {
        let shared = self.shared();
        shared.lock().close();
        shared.events.notify_waiters();
        shared.wake_driver();
    }
}

/// The events of a connection ([`PeerConnection::events`]).
#[derive(Debug)]
pub struct PeerConnectionEvents {
    pc: PeerConnection,
}

impl PeerConnectionEvents {
    /// The next event; `None` once the connection is closed and every
    /// event was taken.
    pub async fn recv(&mut self) -> Option<PeerConnectionEvent> {
        let shared = self.pc.shared();
        loop {
            let notified = shared.events.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut st = shared.lock();
                if let Some(e) = st.events.pop_front() {
                    let event = match e {
                        QueuedEvent::Other(e) => e,
                        QueuedEvent::DataChannel(h) => match st.channels.get(&h) {
                            Some(entry) => PeerConnectionEvent::DataChannel(
                                DataChannel::from_entry(self.pc.conn.clone(), h, entry),
                            ),
                            None => continue,
                        },
                    };
                    drop(st);
                    return Some(event);
                }
                if st.closed {
                    return None;
                }
            }
            notified.await;
        }
    }
}
