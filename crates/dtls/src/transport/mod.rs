//! The sans-IO DTLS transport: dimpl behind the shape every core shares.
//!
//! ```text
//!   handle_input(now, datagram) ──► dimpl.handle_packet ─┐
//!   handle_timeout(now)         ──► dimpl.handle_timeout ├─► drain dimpl's output:
//!   send(now, data)             ──► dimpl.send_app_data ─┘     Packet        → poll_transmit queue
//!                                                              PeerCert      → check fingerprints
//!                                                              Connected     → (once verified) Connected event
//!                                                              AppData       → event (held until verified)
//!                                                              CloseNotify   → Closed event
//!                                                              Timeout       → poll_timeout
//! ```
//!
//! The peer's certificate is checked against the remote fingerprints the
//! moment dimpl hands it over, in the middle of the handshake. A mismatch
//! fails the transport there: the flight dimpl prepared is thrown away (so
//! the peer never completes its handshake either), a plaintext
//! `bad_certificate` alert goes out instead, and nothing is ever delivered
//! or accepted for sending. Application data is only accepted once the
//! transport reports [`DtlsState::Connected`], which needs both a finished
//! handshake and a verified certificate.
//!
//! Every error dimpl returns is fatal to its connection (its documented
//! contract), with two exceptions from `handle_packet` that dimpl raises
//! before touching any state — it drops the datagram and returns:
//! `ReceiveQueueFull` (too many handshake datagrams buffered) and, for a
//! client in [`VersionPolicy::Auto`], a first answer that is neither a
//! DTLS 1.2 nor a DTLS 1.3 server's. Treating those as fatal would let a
//! few junk datagrams kill a handshake, so they are counted as dropped.

mod engine_config;
mod output;

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;
use dimpl::{Dtls, Output, ProtocolVersion};

use crate::alert::{AlertDescription, Epoch0Sequence};
use crate::certificate::Certificate;
use crate::config::{DtlsConfig, VersionPolicy};
use crate::demux::{PacketKind, classify};
use crate::error::DtlsError;
use crate::event::{DtlsEvent, DtlsState, DtlsVersion, SrtpProfile};
use crate::fingerprint::Fingerprint;
use crate::role::DtlsRole;
use crate::stats::DtlsStats;
use engine_config::engine_config;
use output::{OutputBuffer, Span};

/// The most a DTLS record adds to its payload with any cipher suite dimpl
/// negotiates: a 13-byte DTLS 1.2 header, an 8-byte explicit nonce and a
/// 16-byte AEAD tag (AES-GCM). DTLS 1.3 and ChaCha20 records add less.
pub const MAX_RECORD_OVERHEAD: usize = 13 + 8 + 16;

/// The largest plaintext a TLS record may carry (RFC 6347 §4.1, 2^14).
pub const MAX_RECORD_PLAINTEXT: usize = 1 << 14;

/// How long a connected transport produces nothing before its output
/// buffer is given back.
const RELEASE_AFTER: Duration = Duration::from_secs(1);

/// The smallest `mtu` a transport accepts.
pub const MIN_MTU: usize = 128;

/// The largest UDP payload over IPv4.
const MAX_MTU: usize = 65_507;

/// Records of application data held while the peer is not yet verified.
const MAX_HELD_RECORDS: usize = 64;

/// dimpl reports a deadline ten years ahead when no timer is armed.
const IDLE: Duration = Duration::from_secs(365 * 86_400);

/// Output items per drain beyond which dimpl is assumed stuck.
const MAX_OUTPUTS_PER_DRAIN: usize = 100_000;

/// The WebRTC DTLS transport: one DTLS connection over one path, sans-IO.
///
/// Feed it datagrams ([`handle_input`](Self::handle_input)) and time
/// ([`handle_timeout`](Self::handle_timeout)); after every call drain
/// [`poll_transmit`](Self::poll_transmit) and
/// [`poll_event`](Self::poll_event), then re-read
/// [`poll_timeout`](Self::poll_timeout).
///
/// ```
/// use std::time::Instant;
/// use sanderling_dtls::*;
///
/// let (ca, cb) = (Certificate::generate().unwrap(), Certificate::generate().unwrap());
/// let now = Instant::now();
/// let config = |role, peer: &Certificate| DtlsConfig {
///     role,
///     remote_fingerprints: vec![peer.fingerprint(HashAlgorithm::Sha256)],
///     ..DtlsConfig::default()
/// };
/// let mut client = DtlsTransport::new(now, &ca, config(DtlsRole::Client, &cb)).unwrap();
/// let mut server = DtlsTransport::new(now, &cb, config(DtlsRole::Server, &ca)).unwrap();
///
/// // A perfect network: shuttle datagrams until neither side has any.
/// loop {
///     let mut moved = false;
///     while let Some(d) = client.poll_transmit(now) { server.handle_input(now, &d); moved = true; }
///     while let Some(d) = server.poll_transmit(now) { client.handle_input(now, &d); moved = true; }
///     if !moved { break; }
/// }
/// assert_eq!(client.state(), DtlsState::Connected);
/// assert!(matches!(server.poll_event(), Some(DtlsEvent::Connected { version: DtlsVersion::Dtls12, .. })));
///
/// client.send(now, b"hello").unwrap();
/// let d = client.poll_transmit(now).unwrap();
/// server.handle_input(now, &d);
/// assert_eq!(server.poll_event(), Some(DtlsEvent::ApplicationData("hello".into())));
/// ```
pub struct DtlsTransport {
    dtls: Dtls,
    role: DtlsRole,
    max_application_data: usize,
    max_send_queue: usize,
    handshake_deadline: Instant,
    /// The latest instant given to dimpl (its clock must not go back).
    now: Instant,

    state: DtlsState,
    failure: Option<DtlsError>,
    remote_fingerprints: Vec<Fingerprint>,
    peer_certificate: Option<Bytes>,
    verified: bool,
    engine_connected: bool,
    version: Option<DtlsVersion>,
    srtp: Option<(SrtpProfile, Vec<u8>)>,

    out: OutputBuffer,
    /// When the last datagram was produced (for [`RELEASE_AFTER`]).
    last_output: Instant,
    transmits: VecDeque<Bytes>,
    events: VecDeque<DtlsEvent>,
    held: VecDeque<Bytes>,
    engine_timeout: Option<Instant>,
    epoch0: Epoch0Sequence,
    stats: DtlsStats,
}

/// One item of dimpl's output, detached from the buffer it borrowed.
enum Polled {
    Packet(Span),
    Grow(usize),
    Timeout(Instant),
    Connected,
    PeerCert(Bytes),
    Keying(Vec<u8>, dimpl::SrtpProfile),
    Data(Bytes),
    CloseNotify,
    Other,
}

impl DtlsTransport {
    /// A transport in `config.role` with `certificate` as our identity,
    /// starting its handshake at `now` (a client's ClientHello is ready in
    /// `poll_transmit` at once).
    pub fn new(
        now: Instant,
        certificate: &Certificate,
        config: DtlsConfig,
    ) -> Result<Self, DtlsError> {
        if !(MIN_MTU..=MAX_MTU).contains(&config.mtu) {
            return Err(DtlsError::InvalidConfig(format!(
                "mtu {} outside {MIN_MTU}..={MAX_MTU}",
                config.mtu
            )));
        }
        if config.max_send_queue == 0 {
            return Err(DtlsError::InvalidConfig("max_send_queue is 0".into()));
        }
        let handshake_deadline = now
            .checked_add(config.handshake_timeout)
            .ok_or_else(|| DtlsError::InvalidConfig("handshake_timeout out of range".into()))?;
        let engine_config = engine_config(&config)?;
        let mut dtls = match config.version {
            VersionPolicy::Dtls12 => Dtls::new_12(engine_config, certificate.dimpl(), now),
            VersionPolicy::Dtls13 => Dtls::new_13(engine_config, certificate.dimpl(), now),
            VersionPolicy::Auto => Dtls::new_auto(engine_config, certificate.dimpl(), now),
        };
        dtls.set_active(config.role == DtlsRole::Client);

        let mut t = Self {
            dtls,
            role: config.role,
            max_application_data: (config.mtu - MAX_RECORD_OVERHEAD).min(MAX_RECORD_PLAINTEXT),
            max_send_queue: config.max_send_queue,
            handshake_deadline,
            now,
            state: DtlsState::Connecting,
            failure: None,
            remote_fingerprints: config.remote_fingerprints,
            peer_certificate: None,
            verified: false,
            engine_connected: false,
            version: None,
            srtp: None,
            // Room for one datagram; dimpl asks for more (`BufferTooSmall`)
            // when a record from the peer needs it.
            last_output: now,
            out: OutputBuffer::new(config.mtu + 256),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            held: VecDeque::new(),
            engine_timeout: None,
            epoch0: Epoch0Sequence::default(),
            stats: DtlsStats::default(),
        };
        t.tick(now);
        Ok(t)
    }

    /// A datagram from the peer (the whole UDP payload). Datagrams that are
    /// not DTLS by RFC 7983 are dropped and counted, as is anything after
    /// the transport closed or failed.
    pub fn handle_input(&mut self, now: Instant, datagram: &[u8]) {
        if !self.is_open() {
            self.stats.dropped_after_close += 1;
            return;
        }
        if classify(datagram) != PacketKind::Dtls {
            self.stats.dropped_not_dtls += 1;
            return;
        }
        if self.role == DtlsRole::Client
            && self.state == DtlsState::Connecting
            && is_client_hello(datagram)
        {
            self.fail(DtlsError::RoleConflict, None);
            return;
        }
        self.stats.datagrams_received += 1;
        if !self.tick(now) {
            return;
        }
        match self.dtls.handle_packet(datagram) {
            Ok(()) => {}
            Err(dimpl::Error::ReceiveQueueFull) => self.stats.dropped_queue_full += 1,
            Err(dimpl::Error::UnexpectedMessage(
                dimpl::UnexpectedMessageError::UnrecognizedAutoServerResponse,
            )) => self.stats.dropped_unrecognized += 1,
            Err(e) => {
                self.engine_failed(e);
                return;
            }
        }
        self.drain();
    }

    /// The next datagram to send, if any.
    pub fn poll_transmit(&mut self, _now: Instant) -> Option<Bytes> {
        let d = self.transmits.pop_front()?;
        self.stats.datagrams_sent += 1;
        Some(d)
    }

    /// Whether datagrams wait for [`poll_transmit`](Self::poll_transmit).
    /// A layer above that produces records faster than they are sent can
    /// hold its next one back until this is false, so that no more than
    /// one record's worth of ciphertext waits here.
    pub fn has_pending_transmit(&self) -> bool {
        !self.transmits.is_empty()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next:
    /// a retransmission, or the end of the handshake's time.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            DtlsState::Connecting => Some(
                self.engine_timeout
                    .map_or(self.handshake_deadline, |t| t.min(self.handshake_deadline)),
            ),
            DtlsState::Connected => self.engine_timeout,
            DtlsState::Closed | DtlsState::Failed => None,
        }
    }

    /// Time has reached `now`: retransmit what is due, or fail a handshake
    /// that ran out of time.
    pub fn handle_timeout(&mut self, now: Instant) {
        if !self.is_open() {
            return;
        }
        if self.state == DtlsState::Connecting && now >= self.handshake_deadline {
            let error = if self.engine_connected && self.remote_fingerprints.is_empty() {
                DtlsError::RemoteFingerprintsMissing
            } else {
                DtlsError::HandshakeTimeout
            };
            self.fail(error, None);
            return;
        }
        if self.engine_timeout.is_some_and(|t| now >= t) {
            self.stats.timer_expirations += 1;
        }
        self.tick(now);
        // Some other layer's timer brought us here on an idle connection:
        // the output chunk goes back (many idle connections add up).
        if self.state == DtlsState::Connected
            && self.transmits.is_empty()
            && now.saturating_duration_since(self.last_output) >= RELEASE_AFTER
        {
            self.out.release();
        }
    }

    /// Sends one record of application data, in a datagram of its own
    /// size. Refused — and nothing sent — before the transport is
    /// connected, after it closed or failed, when `data` exceeds what a
    /// record may hold ([`MAX_RECORD_PLAINTEXT`]), or when too many
    /// datagrams wait to be polled.
    ///
    /// Up to [`max_application_data`](Self::max_application_data) fits the
    /// configured `mtu`; a larger record is for a layer above that found
    /// (by probing, RFC 8899) that the path carries it.
    pub fn send(&mut self, now: Instant, data: &[u8]) -> Result<(), DtlsError> {
        self.check_connected()?;
        if data.len() > MAX_RECORD_PLAINTEXT {
            return Err(DtlsError::RecordTooLarge {
                size: data.len(),
                max: MAX_RECORD_PLAINTEXT,
            });
        }
        if self.transmits.len() >= self.max_send_queue {
            return Err(DtlsError::SendQueueFull(self.transmits.len()));
        }
        // The clock only needs moving when time has passed (the hot path
        // sends many records at one instant).
        if now > self.now && !self.tick(now) {
            return self.check_connected();
        }
        if let Err(e) = self.dtls.send_application_data(data) {
            self.engine_failed(e);
            return self.check_connected();
        }
        self.stats.records_sent += 1;
        self.drain();
        Ok(())
    }

    /// Closes the transport: a connected one sends close_notify, one still
    /// handshaking stops sending. No event follows (the caller knows);
    /// [`state`](Self::state) becomes [`DtlsState::Closed`].
    pub fn close(&mut self) {
        match self.state {
            DtlsState::Connected => {
                self.state = DtlsState::Closed;
                // An error here leaves nothing to do: we are closing anyway.
                if self.dtls.close().is_ok() {
                    self.drain();
                }
            }
            DtlsState::Connecting => {
                self.state = DtlsState::Closed;
                let _ = self.dtls.close();
                self.transmits.clear();
            }
            DtlsState::Closed | DtlsState::Failed => {}
        }
        self.held.clear();
        self.engine_timeout = None;
    }

    /// Supplies the peer's fingerprints when they arrive after the
    /// transport was created (the answer came after the ClientHello). A
    /// certificate already received is checked at once.
    pub fn set_remote_fingerprints(
        &mut self,
        fingerprints: Vec<Fingerprint>,
    ) -> Result<(), DtlsError> {
        if let Some(f) = &self.failure {
            return Err(f.clone());
        }
        if fingerprints.is_empty() {
            return Err(DtlsError::InvalidFingerprint("empty list".into()));
        }
        if self.verified || self.state != DtlsState::Connecting {
            return Err(DtlsError::InvalidState(
                "the peer's certificate has already been checked",
            ));
        }
        self.remote_fingerprints = fingerprints;
        self.verify_peer();
        self.maybe_connected();
        Ok(())
    }

    /// Exports keying material (RFC 5705). dimpl derives only the DTLS-SRTP
    /// keys (RFC 5764 §4.2): label `EXTRACTOR-dtls_srtp`, no context, the
    /// length the negotiated profile needs
    /// ([`SrtpProfile::keying_material_len`]). Anything else is refused.
    pub fn export_keying_material(
        &self,
        label: &str,
        context: Option<&[u8]>,
        len: usize,
    ) -> Result<Vec<u8>, DtlsError> {
        if !(self.verified && self.engine_connected) {
            return Err(self.failure.clone().unwrap_or(DtlsError::NotConnected));
        }
        let Some((profile, material)) = &self.srtp else {
            return Err(DtlsError::ExportUnavailable(
                "no SRTP profile was negotiated (dimpl exports only DTLS-SRTP keys)".into(),
            ));
        };
        if label != "EXTRACTOR-dtls_srtp" || context.is_some() {
            return Err(DtlsError::ExportUnavailable(format!(
                "dimpl exports only label \"EXTRACTOR-dtls_srtp\" without context, not {label:?}"
            )));
        }
        if len != material.len() {
            return Err(DtlsError::ExportUnavailable(format!(
                "{} keying material is {} bytes, not {len}",
                profile.name(),
                material.len()
            )));
        }
        Ok(material.clone())
    }

    /// The DTLS-SRTP profile and its keying material (client write key,
    /// server write key, client salt, server salt), once connected.
    pub fn srtp_keying_material(&self) -> Option<(SrtpProfile, &[u8])> {
        if !(self.verified && self.engine_connected) {
            return None;
        }
        self.srtp.as_ref().map(|(p, m)| (*p, m.as_slice()))
    }

    /// The negotiated SRTP protection profile, once connected.
    pub fn selected_srtp_profile(&self) -> Option<SrtpProfile> {
        self.srtp_keying_material().map(|(p, _)| p)
    }

    /// The negotiated DTLS version, once the handshake has completed.
    pub fn negotiated_version(&self) -> Option<DtlsVersion> {
        self.version
    }

    /// Where the transport is.
    pub fn state(&self) -> DtlsState {
        self.state
    }

    /// Why the transport failed, if it did.
    pub fn failure(&self) -> Option<&DtlsError> {
        self.failure.as_ref()
    }

    /// Our role.
    pub fn role(&self) -> DtlsRole {
        self.role
    }

    /// The peer's certificate (DER), once it has been verified.
    pub fn peer_certificate(&self) -> Option<&[u8]> {
        self.peer_certificate.as_deref().filter(|_| self.verified)
    }

    /// The fingerprints the peer's certificate is checked against.
    pub fn remote_fingerprints(&self) -> &[Fingerprint] {
        &self.remote_fingerprints
    }

    /// The most application data one record can carry within the
    /// configured `mtu`: `mtu` less [`MAX_RECORD_OVERHEAD`]. The layer
    /// above (SCTP) sizes its packets to it until it learns that the path
    /// carries more.
    pub fn max_application_data(&self) -> usize {
        self.max_application_data
    }

    /// Counters.
    pub fn stats(&self) -> &DtlsStats {
        &self.stats
    }

    fn is_open(&self) -> bool {
        matches!(self.state, DtlsState::Connecting | DtlsState::Connected)
    }

    fn check_connected(&self) -> Result<(), DtlsError> {
        match self.state {
            DtlsState::Connected => Ok(()),
            DtlsState::Connecting => Err(DtlsError::NotConnected),
            DtlsState::Closed => Err(DtlsError::Closed),
            DtlsState::Failed => Err(self
                .failure
                .clone()
                .unwrap_or(DtlsError::Protocol("failed".into()))),
        }
    }

    /// Moves dimpl's clock to `now` (never back), lets it act on expired
    /// timers and drains its output. False if the transport failed.
    fn tick(&mut self, now: Instant) -> bool {
        self.now = self.now.max(now);
        if let Err(e) = self.dtls.handle_timeout(self.now) {
            self.engine_failed(e);
            return false;
        }
        self.drain();
        self.state != DtlsState::Failed
    }

    /// Takes everything dimpl has to say, up to its next timeout.
    fn drain(&mut self) {
        for _ in 0..MAX_OUTPUTS_PER_DRAIN {
            if self.state == DtlsState::Failed {
                return;
            }
            let (base, len, space) = self.out.space();
            let polled = match self.dtls.poll_output(space) {
                Output::Packet(p) => Polled::Packet(OutputBuffer::locate(base, len, p)),
                Output::BufferTooSmall { needed } => Polled::Grow(needed),
                Output::Timeout(t) => Polled::Timeout(t),
                Output::Connected => Polled::Connected,
                Output::PeerCert(c) => Polled::PeerCert(Bytes::copy_from_slice(c)),
                Output::KeyingMaterial(m, p) => Polled::Keying(m.to_vec(), p),
                Output::ApplicationData(d) => Polled::Data(Bytes::copy_from_slice(d)),
                Output::CloseNotify => Polled::CloseNotify,
                _ => Polled::Other,
            };
            match polled {
                Polled::Packet(span) => {
                    self.last_output = self.now;
                    let datagram = self.out.take(span);
                    if self.state == DtlsState::Connecting {
                        self.epoch0.observe(&datagram);
                        self.stats.handshake_datagrams_sent += 1;
                    }
                    self.transmits.push_back(datagram);
                }
                Polled::Grow(needed) => self.out.require(needed),
                Polled::Timeout(t) => {
                    self.engine_timeout = t
                        .checked_duration_since(self.now)
                        .is_none_or(|d| d < IDLE)
                        .then_some(t);
                    self.maybe_connected();
                    return;
                }
                Polled::Connected => {
                    self.engine_connected = true;
                    self.version = match self.dtls.protocol_version() {
                        Some(ProtocolVersion::DTLS1_3) => Some(DtlsVersion::Dtls13),
                        _ => Some(DtlsVersion::Dtls12),
                    };
                    if self.peer_certificate.is_none() {
                        self.fail(DtlsError::MissingPeerCertificate, None);
                    }
                }
                Polled::PeerCert(cert) => self.on_peer_certificate(cert),
                Polled::Keying(material, profile) => {
                    self.srtp = SrtpProfile::from_dimpl(profile).map(|p| (p, material));
                }
                Polled::Data(data) => self.on_application_data(data),
                Polled::CloseNotify => {
                    if self.is_open() {
                        self.state = DtlsState::Closed;
                        self.held.clear();
                        self.events.push_back(DtlsEvent::Closed);
                    }
                }
                Polled::Other => {}
            }
        }
        self.fail(
            DtlsError::Protocol("the DTLS engine produced output without end".into()),
            None,
        );
    }

    fn on_peer_certificate(&mut self, cert: Bytes) {
        match &self.peer_certificate {
            Some(known) if *known != cert => {
                self.fail(
                    DtlsError::Protocol(
                        "the peer presented a second, different certificate".into(),
                    ),
                    None,
                );
            }
            Some(_) => {}
            None => {
                self.peer_certificate = Some(cert);
                self.verify_peer();
            }
        }
    }

    fn on_application_data(&mut self, data: Bytes) {
        match self.state {
            DtlsState::Connected => {
                self.stats.records_received += 1;
                self.events.push_back(DtlsEvent::ApplicationData(data));
            }
            // Handshake done in dimpl but not yet verified (fingerprints
            // pending) or not yet reported: keep a bounded amount.
            DtlsState::Connecting if self.held.len() < MAX_HELD_RECORDS => {
                self.held.push_back(data);
            }
            DtlsState::Connecting => self.stats.dropped_unverified += 1,
            DtlsState::Closed | DtlsState::Failed => self.stats.dropped_after_close += 1,
        }
    }

    /// Checks the peer's certificate against the remote fingerprints, if
    /// both are known.
    fn verify_peer(&mut self) {
        if self.verified || self.state != DtlsState::Connecting {
            return;
        }
        let (Some(cert), Some(first)) = (&self.peer_certificate, self.remote_fingerprints.first())
        else {
            return;
        };
        if self.remote_fingerprints.iter().any(|f| f.matches(cert)) {
            self.verified = true;
            return;
        }
        let error = DtlsError::FingerprintMismatch {
            actual: Fingerprint::of(cert, first.algorithm()),
            expected: self.remote_fingerprints.clone(),
        };
        self.fail(error, Some(AlertDescription::BAD_CERTIFICATE));
    }

    /// Reports the connection once dimpl finished and the peer is verified.
    fn maybe_connected(&mut self) {
        if self.state != DtlsState::Connecting || !(self.engine_connected && self.verified) {
            return;
        }
        self.state = DtlsState::Connected;
        self.events.push_back(DtlsEvent::Connected {
            version: self.version.unwrap_or(DtlsVersion::Dtls12),
            srtp_profile: self.srtp.as_ref().map(|(p, _)| *p),
        });
        self.stats.records_received += self.held.len() as u64;
        self.events
            .extend(self.held.drain(..).map(DtlsEvent::ApplicationData));
    }

    fn engine_failed(&mut self, e: dimpl::Error) {
        let error = match e {
            dimpl::Error::SecurityError(dimpl::SecurityError::FatalAlert { description }) => {
                DtlsError::AlertReceived(AlertDescription(description))
            }
            dimpl::Error::Timeout(_) => DtlsError::HandshakeTimeout,
            other => DtlsError::Protocol(other.to_string()),
        };
        self.fail(error, None);
    }

    /// Fails the transport: nothing more goes out but, if given, a
    /// plaintext fatal alert.
    fn fail(&mut self, error: DtlsError, alert: Option<AlertDescription>) {
        if self.state == DtlsState::Failed {
            return;
        }
        self.state = DtlsState::Failed;
        self.failure = Some(error.clone());
        self.transmits.clear();
        self.held.clear();
        self.engine_timeout = None;
        if let Some(alert) = alert {
            self.transmits.push_back(self.epoch0.fatal_alert(alert));
        }
        self.events.push_back(DtlsEvent::Failed(error));
    }
}

/// A plaintext handshake record at epoch 0 whose first message is a
/// ClientHello.
fn is_client_hello(datagram: &[u8]) -> bool {
    datagram.len() > 13 && datagram[0] == 22 && datagram[3..5] == [0, 0] && datagram[13] == 1
}

impl fmt::Debug for DtlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsTransport")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("failure", &self.failure)
            .field("version", &self.version)
            .field("verified", &self.verified)
            .field("engine", &self.dtls)
            .field("transmits", &self.transmits.len())
            .field("events", &self.events.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}
