//! The ORTC objects (aiortc's ORTC mode): [`IceGatherer`] →
//! [`IceTransport`] → [`DtlsTransport`] → [`SctpTransport`] →
//! [`DataChannel::new`], each started with the remote's parameters, no SDP
//! and no [`PeerConnection`] in sight.
//!
//! The layers of one chain share one connection underneath (one set of
//! sockets, one driver), so they are cheap handles like the rest of the
//! API; [`stop`](IceTransport::stop) on any of them stops the whole chain,
//! and it closes when the last handle of any layer (or of a channel) is
//! dropped. Events (candidates, states, channels the peer opens) come from
//! one queue: [`SctpTransport::events`] (also [`IceGatherer::events`]).
//!
//! ```
//! # #[tokio::main]
//! # async fn main() -> Result<(), sanderling::Error> {
//! use sanderling::ortc::*;
//! use sanderling::{Configuration, DataChannel, Message, PeerConnectionEvent};
//!
//! let config = Configuration { include_loopback: true, interfaces: vec!["127.0.0.1".into()], ..Configuration::default() };
//! let (ga, gb) = (IceGatherer::new(config.clone())?, IceGatherer::new(config)?);
//! ga.gather().await;
//! gb.gather().await;
//! let (ia, ib) = (IceTransport::new(&ga), IceTransport::new(&gb));
//! for c in gb.local_candidates() { ia.add_remote_candidate(Some(c)).await?; }
//! for c in ga.local_candidates() { ib.add_remote_candidate(Some(c)).await?; }
//! ia.start(&gb.local_parameters(), IceRole::Controlling).await?;
//! ib.start(&ga.local_parameters(), IceRole::Controlled).await?;
//! let (da, db) = (DtlsTransport::new(&ia, vec![])?, DtlsTransport::new(&ib, vec![])?);
//! da.start(&db.local_parameters()).await?;
//! db.start(&da.local_parameters()).await?;
//! let (sa, sb) = (SctpTransport::new(&da, 5000), SctpTransport::new(&db, 5000));
//! sa.start(sb.capabilities(), sb.port()).await?;
//! sb.start(sa.capabilities(), sa.port()).await?;
//!
//! let chat = DataChannel::new(&sa, DataChannelParameters { label: "chat".into(), ..Default::default() })?;
//! let mut events = sb.events();
//! let remote = loop {
//!     if let Some(PeerConnectionEvent::DataChannel(ch)) = events.recv().await { break ch; }
//! };
//! chat.opened().await?;
//! chat.send("over ORTC")?;
//! assert_eq!(remote.recv().await, Some(Message::Text("over ORTC".into())));
//! # Ok(()) }
//! ```

use std::time::{Duration, Instant};

use sanderling_dtls::{Fingerprint, HashAlgorithm};
use sanderling_rtc::jsep::DtlsSide;

use crate::config::Configuration;
use crate::data_channel::{DataChannel, DataChannelInit};
use crate::description::IceCandidate;
use crate::error::Error;
use crate::peer_connection::{PeerConnection, PeerConnectionEvents};
use crate::{Certificate, IceConnectionState, IceGatheringState, PeerConnectionState};

/// W3C `RTCIceParameters`: what the peer needs to check our candidates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceParameters {
    /// `usernameFragment`.
    pub username_fragment: String,
    /// `password`.
    pub password: String,
    /// `iceLite`.
    pub ice_lite: bool,
}

/// W3C `RTCIceRole`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IceRole {
    /// Nominates the pair (one side of every connection).
    Controlling,
    /// Follows the controlling side's nomination.
    Controlled,
}

/// W3C `RTCIceGatherer`: the local sockets and candidates.
#[derive(Clone, Debug)]
pub struct IceGatherer {
    pc: PeerConnection,
}

impl IceGatherer {
    /// Binds the sockets (as [`PeerConnection::new`] does) and starts
    /// gathering. Needs a tokio runtime.
    pub fn new(config: Configuration) -> Result<Self, Error> {
        let pc = PeerConnection::new(config)?;
        pc.call(|st| Ok(st.peer.ortc_gather()?))?;
        Ok(Self { pc })
    }

    /// W3C `getLocalParameters`.
    pub fn local_parameters(&self) -> IceParameters {
        let st = self.pc.shared().lock();
        let (ufrag, pwd) = st.peer.local_ice_credentials().unwrap_or_default();
        IceParameters {
            username_fragment: ufrag,
            password: pwd,
            ice_lite: false,
        }
    }

    /// W3C `getLocalCandidates`: the candidates gathered so far.
    pub fn local_candidates(&self) -> Vec<IceCandidate> {
        let st = self.pc.shared().lock();
        st.peer
            .local_candidates()
            .iter()
            .map(|c| IceCandidate::new(c.clone()))
            .collect()
    }

    /// Waits until gathering is complete (aiortc's `gather()`).
    pub async fn gather(&self) {
        let shared = self.pc.shared();
        loop {
            let notified = shared.events.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let st = shared.lock();
                if st.gathering_done || st.closed {
                    return;
                }
            }
            // Gathering state changes come as events; the timer is a guard.
            let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
        }
    }

    /// W3C `state` (`new`, `gathering`, `complete`).
    pub fn state(&self) -> IceGatheringState {
        self.pc.ice_gathering_state()
    }

    /// The chain's events (see the module docs).
    pub fn events(&self) -> PeerConnectionEvents {
        self.pc.events()
    }
}

/// W3C `RTCIceTransport`: connectivity checks with the peer's candidates.
#[derive(Clone, Debug)]
pub struct IceTransport {
    pc: PeerConnection,
}

impl IceTransport {
    /// The transport over `gatherer`'s candidates.
    pub fn new(gatherer: &IceGatherer) -> Self {
        Self {
            pc: gatherer.pc.clone(),
        }
    }

    /// W3C `start`: the peer's parameters and our role. Candidates added
    /// before are checked now. `InvalidStateError` if started already,
    /// `OperationError` for bad parameters.
    pub async fn start(&self, remote: &IceParameters, role: IceRole) -> Result<(), Error> {
        self.pc.call(|st| {
            if st.ortc.ice {
                return Err(Error::InvalidState("the ICE transport has started".into()));
            }
            st.peer.ortc_start_ice(
                role == IceRole::Controlling,
                &remote.username_fragment,
                &remote.password,
                remote.ice_lite,
            )?;
            st.ortc.ice = true;
            Ok(())
        })
    }

    /// W3C `addRemoteCandidate`; `None` (or an empty candidate) when the
    /// peer has no more. Candidates may come before [`start`](Self::start).
    pub async fn add_remote_candidate(&self, candidate: Option<IceCandidate>) -> Result<(), Error> {
        self.pc.add_ice_candidate(candidate).await
    }

    /// W3C `role` (`None` before [`start`](Self::start)).
    pub fn role(&self) -> Option<IceRole> {
        let st = self.pc.shared().lock();
        if !st.ortc.ice {
            return None;
        }
        st.peer.is_ice_controlling().map(|c| {
            if c {
                IceRole::Controlling
            } else {
                IceRole::Controlled
            }
        })
    }

    /// W3C `state`.
    pub fn state(&self) -> IceConnectionState {
        self.pc.ice_connection_state()
    }

    /// W3C `iceGatherer`.
    pub fn gatherer(&self) -> IceGatherer {
        IceGatherer {
            pc: self.pc.clone(),
        }
    }

    /// W3C `stop`: stops the whole chain.
    pub fn stop(&self) {
        self.pc.close();
    }
}

/// W3C `RTCDtlsFingerprint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DtlsFingerprint {
    /// `sha-256`, ...
    pub algorithm: String,
    /// Upper-case hex pairs joined by colons.
    pub value: String,
}

/// W3C `RTCDtlsRole`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DtlsRole {
    /// Decided at start: the opposite of the peer's role, else by the ICE
    /// role (controlling: server, as aiortc does).
    #[default]
    Auto,
    /// Starts the handshake.
    Client,
    /// Waits for it.
    Server,
}

/// W3C `RTCDtlsParameters`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DtlsParameters {
    /// The certificate's fingerprints (any one must match).
    pub fingerprints: Vec<DtlsFingerprint>,
    /// The role.
    pub role: DtlsRole,
}

/// W3C `RTCDtlsTransportState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtlsTransportState {
    /// Not started.
    New,
    /// Handshaking (or ICE not connected yet).
    Connecting,
    /// Up.
    Connected,
    /// Closed.
    Closed,
    /// Failed (a fingerprint mismatch, a timeout, ICE failure).
    Failed,
}

/// W3C `RTCDtlsTransport`: DTLS over the ICE transport.
#[derive(Clone, Debug)]
pub struct DtlsTransport {
    pc: PeerConnection,
}

impl DtlsTransport {
    /// DTLS over `ice` with `certificates` (the first is used; none: the
    /// one generated with the gatherer). `InvalidStateError` once started.
    pub fn new(ice: &IceTransport, certificates: Vec<Certificate>) -> Result<Self, Error> {
        if let Some(cert) = certificates.into_iter().next() {
            ice.pc.call(|st| {
                if st.ortc.dtls {
                    return Err(Error::InvalidState("DTLS has started".into()));
                }
                Ok(st.peer.set_certificate(cert)?)
            })?;
        }
        Ok(Self { pc: ice.pc.clone() })
    }

    /// W3C `getLocalParameters`: our SHA-256 fingerprint, role `Auto`.
    pub fn local_parameters(&self) -> DtlsParameters {
        let st = self.pc.shared().lock();
        let fp = st.peer.certificate().fingerprint(HashAlgorithm::Sha256);
        DtlsParameters {
            fingerprints: vec![DtlsFingerprint {
                algorithm: fp.algorithm().to_string(),
                value: fp.hex(),
            }],
            role: DtlsRole::Auto,
        }
    }

    /// W3C `start` with the peer's parameters. `InvalidStateError` when
    /// started already, or for role `Auto` on both sides before the ICE
    /// transport started; `OperationError` without a usable fingerprint.
    pub async fn start(&self, remote: &DtlsParameters) -> Result<(), Error> {
        let fingerprints: Vec<Fingerprint> = remote
            .fingerprints
            .iter()
            .filter_map(|f| format!("{} {}", f.algorithm, f.value).parse().ok())
            .collect();
        if fingerprints.is_empty() {
            return Err(Error::Operation(
                "the remote DTLS parameters have no usable fingerprint".into(),
            ));
        }
        self.pc.call(|st| {
            if st.ortc.dtls {
                return Err(Error::InvalidState("the DTLS transport has started".into()));
            }
            let side = match remote.role {
                DtlsRole::Client => DtlsSide::Server,
                DtlsRole::Server => DtlsSide::Client,
                DtlsRole::Auto => match (st.ortc.ice, st.peer.is_ice_controlling()) {
                    (true, Some(true)) => DtlsSide::Server,
                    (true, Some(false)) => DtlsSide::Client,
                    _ => {
                        return Err(Error::InvalidState(
                            "role auto needs the ICE transport started first".into(),
                        ));
                    }
                },
            };
            st.peer
                .ortc_start_dtls(Instant::now(), side, fingerprints)?;
            st.ortc.dtls = true;
            Ok(())
        })
    }

    /// W3C `state`.
    pub fn state(&self) -> DtlsTransportState {
        let st = self.pc.shared().lock();
        if !st.ortc.dtls {
            return if st.closed {
                DtlsTransportState::Closed
            } else {
                DtlsTransportState::New
            };
        }
        match st.peer.connection_state() {
            PeerConnectionState::New | PeerConnectionState::Connecting => {
                DtlsTransportState::Connecting
            }
            PeerConnectionState::Connected | PeerConnectionState::Disconnected => {
                DtlsTransportState::Connected
            }
            PeerConnectionState::Failed => DtlsTransportState::Failed,
            PeerConnectionState::Closed => DtlsTransportState::Closed,
        }
    }

    /// W3C `iceTransport`.
    pub fn transport(&self) -> IceTransport {
        IceTransport {
            pc: self.pc.clone(),
        }
    }

    /// W3C `stop`: stops the whole chain.
    pub fn stop(&self) {
        self.pc.close();
    }
}

/// W3C `RTCSctpCapabilities`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SctpCapabilities {
    /// The largest message accepted.
    pub max_message_size: usize,
}

/// W3C `RTCSctpTransport`: the association that carries the channels.
#[derive(Clone, Debug)]
pub struct SctpTransport {
    pc: PeerConnection,
    port: u16,
}

impl SctpTransport {
    /// SCTP over `dtls` on our `port` (5000 by convention).
    pub fn new(dtls: &DtlsTransport, port: u16) -> Self {
        Self {
            pc: dtls.pc.clone(),
            port,
        }
    }

    /// W3C `getCapabilities`: what we accept (the configured
    /// [`Configuration::max_message_size`]).
    pub fn capabilities(&self) -> SctpCapabilities {
        SctpCapabilities {
            max_message_size: self.pc.configuration().max_message_size,
        }
    }

    /// Our SCTP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// W3C `start`: the peer's capabilities and port. The DTLS transport
    /// must have started (`InvalidStateError` otherwise, or when started
    /// already). Channels created before open now.
    pub async fn start(&self, remote: SctpCapabilities, remote_port: u16) -> Result<(), Error> {
        let port = self.port;
        self.pc.call(|st| {
            if !st.ortc.dtls {
                return Err(Error::InvalidState(
                    "start the DTLS transport before SCTP".into(),
                ));
            }
            if st.ortc.sctp {
                return Err(Error::InvalidState("the SCTP transport has started".into()));
            }
            let max = if remote.max_message_size == 0 {
                usize::MAX
            } else {
                remote.max_message_size
            };
            st.peer
                .ortc_start_sctp(Instant::now(), port, remote_port, max)?;
            st.ortc.sctp = true;
            Ok(())
        })
    }

    /// The chain's events: channels the peer opens
    /// ([`PeerConnectionEvent::DataChannel`](crate::PeerConnectionEvent)),
    /// states, candidates.
    pub fn events(&self) -> PeerConnectionEvents {
        self.pc.events()
    }

    /// W3C `transport`.
    pub fn transport(&self) -> DtlsTransport {
        DtlsTransport {
            pc: self.pc.clone(),
        }
    }

    /// W3C `stop`: stops the whole chain.
    pub fn stop(&self) {
        self.pc.close();
    }
}

/// W3C ORTC `RTCDataChannelParameters`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataChannelParameters {
    /// The label.
    pub label: String,
    /// Everything else, as for [`PeerConnection::create_data_channel`].
    pub init: DataChannelInit,
}

impl DataChannel {
    /// ORTC: a channel on `transport` (before or after it started), with
    /// the same rules and errors as
    /// [`PeerConnection::create_data_channel`].
    pub fn new(
        transport: &SctpTransport,
        parameters: DataChannelParameters,
    ) -> Result<Self, Error> {
        transport
            .pc
            .create_data_channel(parameters.label, parameters.init)
    }
}
