//! [`TurnClient`]: one allocation on one TURN server (RFC 8656), sans-IO.
//!
//! ```text
//!  new ──Allocate──▶ 401 (REALM, NONCE) ──Allocate + MESSAGE-INTEGRITY──▶ Allocated
//!                                                                          │
//!        Refresh at lifetime − 60 s (or ¾ of it) ◀─────────────────────────┤
//!        CreatePermission per peer IP (refreshed at 4 min while used) ◀────┤
//!        ChannelBind per peer (refreshed at 9 min while used) ◀────────────┤
//!        close: Refresh(LIFETIME 0) ──▶ Closed                             │
//!        438 Stale Nonce on any request: retry with the new NONCE ◀────────┘
//! ```

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sanderling_stun::attr::{
    AddressFamily, AlternateServer, ChannelNumber, Data, ErrorCode, Lifetime, Nonce,
    PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms, Realm, RequestedAddressFamily,
    RequestedTransport, Software, Username, XorPeerAddress,
};
use sanderling_stun::{
    ChannelData, Class, IntegrityKey, Message, MessageBuilder, Method, TransactionId,
};

use super::carrier::{Carrier, Incoming};
use super::channels::Channels;
use super::config::{RelayFamily, TurnConfig};
use super::error::{SendError, TurnError};
use super::event::{TurnEvent, TurnState, TurnStats};
use super::permissions::{
    DENIED_FOR, PERMISSION_LIFETIME, PERMISSION_REFRESH, PermAction, PermState, Permissions,
};
use super::transaction::{Request, Transaction};

/// Retries of one request after 401 (fresh nonce) or 438.
const MAX_RETRIES: u8 = 3;
/// Received data events held for the caller before more are dropped.
const MAX_DATA_EVENTS: usize = 1024;
/// The largest payload that fits in a Send indication to an IPv6 peer
/// (the 65532 bytes of attributes less XOR-PEER-ADDRESS and DATA's header);
/// ChannelData would carry up to 65535.
pub const MAX_PAYLOAD: usize = 65_504;
/// Refresh the allocation this long before it expires (when the lifetime
/// allows; else at ¾ of it).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The longest allocation lifetime believed from a server (RFC 8656's
/// recommended maximum is an hour); longer grants are refreshed as if
/// this long, which keeps every instant computation far from overflow.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Bit 0 of the nonce's security features (RFC 8489 §9.2.1: the leftmost of
/// the 24): the server supports PASSWORD-ALGORITHMS.
const FEATURE_PASSWORD_ALGORITHMS: u32 = 1 << 23;

/// The long-term credential state: what the server told us in 401/438.
#[derive(Debug)]
struct Auth {
    username: Username,
    password: String,
    realm: Option<Realm>,
    nonce: Option<Nonce>,
    key: Option<IntegrityKey>,
    /// PASSWORD-ALGORITHMS as the server sent it, and our choice, when the
    /// server announced the feature (RFC 8489 §9.2.4).
    algorithms: Option<(PasswordAlgorithms, PasswordAlgorithm)>,
}

impl Auth {
    /// Takes REALM (if present), NONCE and PASSWORD-ALGORITHMS from a 401
    /// or 438 response; false if it lacks what is needed.
    fn learn(&mut self, msg: &Message) -> bool {
        let Some(nonce) = msg.nonce() else {
            return false;
        };
        let realm = match (msg.get::<Realm>(), &self.realm) {
            (Some(r), _) => r.clone(),
            (None, Some(r)) => r.clone(),
            (None, None) => return false,
        };
        let advertised = nonce
            .security_features()
            .is_some_and(|f| f & FEATURE_PASSWORD_ALGORITHMS != 0);
        let algorithms = match msg.get::<PasswordAlgorithms>() {
            Some(list) if advertised => {
                let pick = [PasswordAlgorithmId::SHA256, PasswordAlgorithmId::MD5]
                    .into_iter()
                    .find_map(|id| list.0.iter().find(|a| a.algorithm == id));
                pick.map(|a| (list.clone(), a.clone()))
            }
            _ => None,
        };
        let id = algorithms
            .as_ref()
            .map_or(PasswordAlgorithmId::MD5, |(_, a)| a.algorithm);
        let Some(key) =
            IntegrityKey::long_term(self.username.as_str(), realm.as_str(), &self.password, id)
        else {
            return false;
        };
        self.key = Some(key);
        self.nonce = Some(nonce.clone());
        self.realm = Some(realm);
        self.algorithms = algorithms;
        true
    }
}

/// The allocation once it exists.
#[derive(Clone, Copy, Debug)]
struct Allocation {
    relayed: SocketAddr,
    mapped: Option<SocketAddr>,
    expires: Instant,
    refresh_at: Option<Instant>,
}

#[derive(Clone, Copy, Debug)]
enum State {
    Allocating,
    Allocated(Allocation),
    /// Deleting the allocation; `allocated` is false while the Allocate is
    /// still outstanding (its success is answered by the delete).
    Closing {
        allocated: bool,
    },
    Closed,
    Failed,
}

/// A sans-IO TURN client: one allocation on one server, over UDP, TCP or
/// TLS, with long-term credentials, refreshes, permissions, channels and
/// the data path (see the [module documentation](super)).
#[derive(Debug)]
pub struct TurnClient {
    config: TurnConfig,
    software: Option<Software>,
    carrier: Carrier,
    rng: ChaCha20Rng,
    state: State,
    auth: Auth,
    transactions: HashMap<TransactionId, Transaction>,
    permissions: Permissions,
    channels: Channels,
    /// Data waiting for the allocation: (peer, payload).
    pending: VecDeque<(SocketAddr, Bytes)>,
    /// Packets and payload bytes waiting, here and in permission queues.
    queued_packets: usize,
    queued_bytes: usize,
    events: VecDeque<TurnEvent>,
    data_events: usize,
    stats: TurnStats,
    next_timeout: Option<Instant>,
    /// When something last went to the server (UDP keepalives).
    last_sent: Instant,
    /// When to look at sending a keepalive (UDP, while allocated).
    keepalive_at: Option<Instant>,
}

impl TurnClient {
    /// A client for `config`; the first Allocate is queued at once (drain
    /// [`poll_transmit`](Self::poll_transmit)). Over TCP and TLS the caller
    /// connects to `config.server` first; over TLS the ClientHello comes
    /// before the Allocate.
    pub fn new(now: Instant, config: TurnConfig) -> Result<Self, TurnError> {
        let username = Username::new(&config.username)
            .map_err(|_| TurnError::Config("username longer than 512 bytes"))?;
        let software = match &config.software {
            Some(s) => Some(
                Software::new(s)
                    .map_err(|_| TurnError::Config("software longer than 763 bytes"))?,
            ),
            None => None,
        };
        if config.max_channels
            > usize::from(ChannelData::MAX_CHANNEL - ChannelData::MIN_CHANNEL) + 1
        {
            return Err(TurnError::Config("max_channels above 4096"));
        }
        let in_range = |d: Duration, max: Duration| !d.is_zero() && d <= max;
        if config
            .keepalive
            .is_some_and(|k| !in_range(k, Duration::from_secs(3600)))
        {
            return Err(TurnError::Config(
                "keepalive must be above zero and at most 1 h",
            ));
        }
        if !in_range(config.rto, Duration::from_secs(60))
            || !in_range(config.stream_timeout, Duration::from_secs(3600))
            || !in_range(config.lifetime, MAX_LIFETIME)
        {
            return Err(TurnError::Config(
                "rto (at most 60 s), stream_timeout (at most 1 h) and lifetime (at most 1 day) \
                 must be above zero",
            ));
        }
        let carrier = Carrier::new(&config.transport, config.max_output_bytes)?;
        let mut client = Self {
            rng: ChaCha20Rng::from_seed(config.seed),
            auth: Auth {
                username,
                password: config.password.clone(),
                realm: None,
                nonce: None,
                key: None,
                algorithms: None,
            },
            software,
            config,
            carrier,
            state: State::Allocating,
            transactions: HashMap::new(),
            permissions: Permissions::default(),
            channels: Channels::default(),
            pending: VecDeque::new(),
            queued_packets: 0,
            queued_bytes: 0,
            events: VecDeque::new(),
            data_events: 0,
            stats: TurnStats::default(),
            next_timeout: None,
            last_sent: now,
            keepalive_at: None,
        };
        client.start_request(now, Request::Allocate, 0);
        client.update_timeout();
        Ok(client)
    }

    // ----- accessors -----

    /// The server's address (where every transmit goes).
    pub fn server(&self) -> SocketAddr {
        self.config.server
    }

    /// The configuration.
    pub fn config(&self) -> &TurnConfig {
        &self.config
    }

    /// Where the client is.
    pub fn state(&self) -> TurnState {
        match self.state {
            State::Allocating => TurnState::Allocating,
            State::Allocated(_) => TurnState::Allocated,
            State::Closing { .. } => TurnState::Closing,
            State::Closed => TurnState::Closed,
            State::Failed => TurnState::Failed,
        }
    }

    /// The relayed address (the relayed candidate), once allocated.
    pub fn relayed_address(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated(a) => Some(a.relayed),
            _ => None,
        }
    }

    /// The server-reflexive address the server saw, once allocated.
    pub fn mapped_address(&self) -> Option<SocketAddr> {
        match self.state {
            State::Allocated(a) => a.mapped,
            _ => None,
        }
    }

    /// When the allocation expires unless refreshed.
    pub fn expires_at(&self) -> Option<Instant> {
        match self.state {
            State::Allocated(a) => Some(a.expires),
            _ => None,
        }
    }

    /// Whether a permission for `ip` is installed.
    pub fn has_permission(&self, ip: IpAddr) -> bool {
        self.permissions.is_installed(&ip)
    }

    /// The channel number bound (or being bound) to `peer`.
    pub fn channel(&self, peer: SocketAddr) -> Option<u16> {
        self.channels.number_of(&peer)
    }

    /// Counters.
    pub fn stats(&self) -> TurnStats {
        self.stats
    }

    // ----- the sans-IO shape -----

    /// Bytes from the server at `now`: one datagram over UDP, the next
    /// bytes read from the connection over TCP or TLS (any split).
    pub fn handle_input(&mut self, now: Instant, data: Bytes) {
        if matches!(self.state, State::Closed | State::Failed) {
            return;
        }
        self.carrier.input(data);
        loop {
            match self.carrier.next() {
                Ok(Some(Incoming::Stun(bytes))) => self.on_stun(now, bytes),
                Ok(Some(Incoming::ChannelData(cd))) => self.on_channel_data(cd),
                Ok(Some(Incoming::Garbage)) => self.stats.malformed_dropped += 1,
                Ok(None) => break,
                Err(e) => {
                    self.connection_lost(e);
                    break;
                }
            }
            if matches!(self.state, State::Closed | State::Failed) {
                break;
            }
        }
        self.update_timeout();
    }

    /// The TCP or TLS connection ended (read EOF or an error). Finishes a
    /// close in progress; otherwise the client fails.
    pub fn handle_stream_closed(&mut self, _now: Instant) {
        self.connection_lost(TurnError::ConnectionClosed);
        self.update_timeout();
    }

    /// The next bytes for the server: a datagram over UDP, bytes to write
    /// over TCP or TLS. Drain until `None` after every call into the client.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Bytes> {
        let out = self.carrier.poll_transmit()?;
        self.last_sent = self.last_sent.max(now);
        Some(out)
    }

    /// The next event; drain until `None` after every call into the client.
    pub fn poll_event(&mut self) -> Option<TurnEvent> {
        let e = self.events.pop_front()?;
        if matches!(e, TurnEvent::Data { .. }) {
            self.data_events -= 1;
        }
        Some(e)
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_timeout
    }

    /// Runs the timers due at `now`: retransmissions, transaction
    /// timeouts, refreshes of the allocation, permissions and channels.
    pub fn handle_timeout(&mut self, now: Instant) {
        if matches!(self.state, State::Closed | State::Failed) {
            return;
        }
        self.run_transactions(now);
        if let State::Allocated(a) = self.state {
            if a.expires <= now {
                self.fail(TurnError::Expired);
                self.update_timeout();
                return;
            }
            if a.refresh_at.is_some_and(|r| r <= now) {
                if let State::Allocated(a) = &mut self.state {
                    a.refresh_at = None;
                }
                let lifetime = self.config.lifetime;
                self.start_request(now, Request::Refresh { lifetime }, 0);
            }
        }
        if matches!(self.state, State::Allocated(_)) {
            self.keepalive(now);
            let mut actions = Vec::new();
            self.permissions.on_timeout(now, &mut actions);
            for PermAction::Refresh(ip) in actions {
                self.start_request(now, Request::CreatePermission { ip }, 0);
            }
            let mut refresh = Vec::new();
            self.channels.on_timeout(now, &mut refresh);
            for (channel, peer) in refresh {
                self.start_request(now, Request::ChannelBind { channel, peer }, 0);
            }
        }
        self.update_timeout();
    }

    // ----- user calls -----

    /// Sends `data` to `peer` through the relay: as ChannelData if a
    /// channel is bound to `peer`, else in a Send indication. The first
    /// data to a peer IP creates its permission (and, with
    /// [`auto_bind_channels`](TurnConfig::auto_bind_channels), a channel);
    /// data waits (bounded) until the permission and the allocation exist.
    pub fn send_to(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        data: Bytes,
    ) -> Result<(), SendError> {
        if data.len() > MAX_PAYLOAD {
            return Err(SendError::TooLarge { len: data.len() });
        }
        let result = match self.state {
            State::Allocating => self.enqueue_pending(peer, data),
            State::Allocated(a) => {
                if a.relayed.is_ipv4() != peer.is_ipv4() {
                    Err(SendError::FamilyMismatch)
                } else {
                    self.send_allocated(now, peer, data)
                }
            }
            _ => Err(SendError::Closed),
        };
        self.update_timeout();
        result
    }

    /// Installs a permission for `ip` without sending data (ICE installs
    /// one per remote candidate it checks through the relay).
    pub fn create_permission(&mut self, now: Instant, ip: IpAddr) -> Result<(), SendError> {
        let State::Allocated(a) = self.state else {
            return Err(self.not_allocated());
        };
        if a.relayed.is_ipv4() != ip.is_ipv4() {
            return Err(SendError::FamilyMismatch);
        }
        let r = self.ensure_permission(now, ip);
        self.update_timeout();
        r
    }

    /// Binds a channel to `peer` (or returns the one bound or being
    /// bound). Data to `peer` uses it once [`TurnEvent::ChannelBound`]
    /// came.
    pub fn bind_channel(&mut self, now: Instant, peer: SocketAddr) -> Result<u16, SendError> {
        let State::Allocated(a) = self.state else {
            return Err(self.not_allocated());
        };
        if a.relayed.is_ipv4() != peer.is_ipv4() {
            return Err(SendError::FamilyMismatch);
        }
        if let Some(n) = self.channels.number_of(&peer) {
            return Ok(n);
        }
        let r = self.start_bind(now, peer);
        self.update_timeout();
        r
    }

    /// Deletes the allocation (Refresh with LIFETIME 0) and then reports
    /// [`TurnEvent::Closed`]; queued data is dropped. If the Allocate is
    /// still outstanding its success is answered by the delete. Over TLS,
    /// close_notify follows; the caller closes the connection after
    /// `Closed` and draining [`poll_transmit`](Self::poll_transmit).
    pub fn close(&mut self, now: Instant) {
        match self.state {
            State::Allocating => {
                self.drop_all_queued();
                let allocate_outstanding = self
                    .transactions
                    .values()
                    .any(|t| t.request == Request::Allocate);
                if allocate_outstanding {
                    self.state = State::Closing { allocated: false };
                } else {
                    self.finish_close();
                }
            }
            State::Allocated(_) => {
                self.drop_all_queued();
                self.transactions.clear();
                self.permissions.clear();
                self.channels.clear();
                self.state = State::Closing { allocated: true };
                self.start_request(
                    now,
                    Request::Refresh {
                        lifetime: Duration::ZERO,
                    },
                    0,
                );
            }
            State::Closing { .. } | State::Closed | State::Failed => {}
        }
        self.update_timeout();
    }

    /// Sends a Binding indication if nothing went to the server for the
    /// keepalive interval; schedules the next look.
    fn keepalive(&mut self, now: Instant) {
        let (Some(at), Some(interval)) = (self.keepalive_at, self.config.keepalive) else {
            return;
        };
        if at > now {
            return;
        }
        let quiet_until = self.last_sent + interval;
        if quiet_until > now {
            self.keepalive_at = Some(quiet_until);
            return;
        }
        let tid = TransactionId(self.rng.random());
        if let Ok(bytes) = MessageBuilder::indication(Method::BINDING, tid)
            .fingerprint()
            .build()
        {
            self.carrier.send(bytes);
            self.stats.keepalives_sent += 1;
        }
        self.last_sent = now;
        self.keepalive_at = Some(now + interval);
    }

    // ----- requests -----

    /// Builds `request` with a fresh transaction id, queues it and records
    /// the transaction.
    fn start_request(&mut self, now: Instant, request: Request, retries: u8) {
        let tid = TransactionId(self.rng.random());
        let mut b = MessageBuilder::request(request.method(), tid);
        match request {
            Request::Allocate => {
                b.add(RequestedTransport::UDP);
                b.add(Lifetime::from_duration(self.config.lifetime));
                if self.config.relay_family == RelayFamily::V6 {
                    b.add(RequestedAddressFamily(AddressFamily::IPV6));
                }
            }
            Request::Refresh { lifetime } => {
                b.add(Lifetime::from_duration(lifetime));
            }
            Request::CreatePermission { ip } => {
                b.add(XorPeerAddress(SocketAddr::new(ip, 0)));
            }
            Request::ChannelBind { channel, peer } => {
                b.add(ChannelNumber(channel));
                b.add(XorPeerAddress(peer));
            }
        }
        if let Some(s) = &self.software {
            b.add(s.clone());
        }
        let auth = &self.auth;
        let authenticated = match (&auth.realm, &auth.nonce, &auth.key) {
            (Some(realm), Some(nonce), Some(key)) => {
                b.add(auth.username.clone());
                b.add(realm.clone());
                b.add(nonce.clone());
                match &auth.algorithms {
                    Some((list, chosen)) => {
                        b.add(list.clone());
                        b.add(chosen.clone());
                        b = b.message_integrity_sha256(key);
                    }
                    None => b = b.message_integrity(key),
                }
                true
            }
            _ => false,
        };
        let bytes = match b.fingerprint().build() {
            Ok(bytes) => bytes,
            Err(_) => {
                // Our attributes are bounded far below 64 KiB; a server
                // nonce/realm at their maximum still fits.
                self.request_failed(
                    now,
                    request,
                    TurnError::Config("request does not fit in a STUN message"),
                );
                return;
            }
        };
        self.carrier.send(bytes.clone());
        let rto = (!self.carrier.is_stream()).then_some(self.config.rto);
        let t = Transaction::new(
            now,
            request,
            bytes,
            rto,
            self.config.stream_timeout,
            authenticated,
            retries,
        );
        self.transactions.insert(tid, t);
        self.stats.requests_sent += 1;
    }

    /// Retransmits and times out transactions.
    fn run_transactions(&mut self, now: Instant) {
        let mut timed_out = Vec::new();
        for (tid, t) in &mut self.transactions {
            if t.expired(now) {
                timed_out.push(*tid);
            } else if t.retransmit_due(now) {
                self.carrier.send(t.bytes.clone());
                self.stats.retransmissions += 1;
            }
        }
        // Oldest first, so the order of events does not depend on hashing.
        timed_out.sort_by_key(|tid| self.transactions.get(tid).map(|t| t.sent_at));
        for tid in timed_out {
            if let Some(t) = self.transactions.remove(&tid) {
                let error = TurnError::Timeout {
                    request: t.request.method(),
                };
                self.request_failed(now, t.request, error);
            }
            if matches!(self.state, State::Closed | State::Failed) {
                return;
            }
        }
    }

    // ----- input -----

    fn on_stun(&mut self, now: Instant, bytes: Bytes) {
        let Ok(msg) = Message::parse(bytes) else {
            self.stats.malformed_dropped += 1;
            return;
        };
        match msg.class() {
            Class::Indication if msg.method() == Method::DATA => self.on_data_indication(&msg),
            Class::Success | Class::Error => self.on_response(now, &msg),
            _ => self.stats.malformed_dropped += 1,
        }
    }

    fn on_data_indication(&mut self, msg: &Message) {
        if !matches!(self.state, State::Allocated(_)) {
            self.stats.malformed_dropped += 1;
            return;
        }
        let (Some(peer), Some(data)) = (msg.xor_peer_address(), msg.data()) else {
            self.stats.malformed_dropped += 1;
            return;
        };
        self.stats.data_indications_received += 1;
        self.permissions.touch(&peer.ip());
        self.push_data(peer, data.clone());
    }

    fn on_channel_data(&mut self, cd: ChannelData) {
        if !matches!(self.state, State::Allocated(_)) {
            self.stats.unknown_channel_dropped += 1;
            return;
        }
        let Some(peer) = self.channels.peer_for_receive(cd.channel) else {
            self.stats.unknown_channel_dropped += 1;
            return;
        };
        self.stats.channel_data_received += 1;
        self.permissions.touch(&peer.ip());
        self.push_data(peer, cd.data);
    }

    fn push_data(&mut self, peer: SocketAddr, data: Bytes) {
        if self.data_events >= MAX_DATA_EVENTS {
            self.stats.events_dropped += 1;
            return;
        }
        self.data_events += 1;
        self.events.push_back(TurnEvent::Data { peer, data });
    }

    fn on_response(&mut self, now: Instant, msg: &Message) {
        let tid = msg.transaction_id();
        let Some(t) = self.transactions.get(&tid) else {
            self.stats.responses_dropped += 1;
            return;
        };
        if t.request.method() != msg.method() {
            self.stats.responses_dropped += 1;
            return;
        }
        // RFC 8489 §9.2.5: a response to an authenticated request is
        // checked with the key; a success must carry integrity. Error
        // responses without it are taken as they are, and 401 and 438 are
        // never checked: they say our key or nonce is not the server's.
        let challenge = msg.error_code().is_some_and(|e| {
            matches!(
                e.code(),
                ErrorCode::UNAUTHENTICATED | ErrorCode::STALE_NONCE
            )
        });
        if msg.has_integrity() && !challenge {
            if let Some(key) = &self.auth.key
                && msg.verify_integrity(key).is_err()
            {
                self.stats.responses_dropped += 1;
                return;
            }
        } else if t.authenticated && msg.class() == Class::Success {
            self.stats.responses_dropped += 1;
            return;
        }
        let Some(t) = self.transactions.remove(&tid) else {
            return;
        };
        if !msg.unknown_comprehension_required().is_empty() {
            let error = TurnError::BadResponse {
                request: t.request.method(),
                reason: "unknown comprehension-required attribute",
            };
            self.request_failed(now, t.request, error);
            return;
        }
        if msg.class() == Class::Success {
            self.on_success(now, &t, msg);
        } else {
            self.on_error(now, &t, msg);
        }
    }

    fn on_success(&mut self, now: Instant, t: &Transaction, msg: &Message) {
        match t.request {
            Request::Allocate => self.on_allocated(now, t, msg),
            Request::Refresh { lifetime } if lifetime.is_zero() => self.finish_close(),
            Request::Refresh { .. } => {
                if let State::Allocated(a) = &mut self.state {
                    let lifetime = granted(msg, self.config.lifetime);
                    a.expires = t.sent_at + lifetime;
                    a.refresh_at = Some(t.sent_at + refresh_after(lifetime));
                    self.events.push_back(TurnEvent::Refreshed { lifetime });
                }
            }
            Request::CreatePermission { ip } => self.on_permission(now, t, ip),
            Request::ChannelBind { channel, .. } => {
                if let Some((peer, first)) = self.channels.on_bound(channel, t.sent_at) {
                    // The bind installed or refreshed the permission too.
                    if let Some(p) = self.permissions.get_mut(&peer.ip())
                        && let PermState::Installed { expires, .. } = &mut p.state
                    {
                        *expires = (*expires).max(t.sent_at + PERMISSION_LIFETIME);
                    }
                    if first {
                        self.events
                            .push_back(TurnEvent::ChannelBound { peer, channel });
                    }
                }
            }
        }
    }

    fn on_allocated(&mut self, now: Instant, t: &Transaction, msg: &Message) {
        match self.state {
            State::Allocating => {}
            State::Closing { allocated: false } => {
                // Closed while allocating: delete what was just made.
                self.state = State::Closing { allocated: true };
                self.start_request(
                    now,
                    Request::Refresh {
                        lifetime: Duration::ZERO,
                    },
                    0,
                );
                return;
            }
            _ => return,
        }
        let want_v4 = self.config.relay_family == RelayFamily::V4;
        let relayed = msg
            .xor_relayed_addresses()
            .find(|a| a.is_ipv4() == want_v4)
            .or_else(|| msg.xor_relayed_addresses().next());
        let Some(relayed) = relayed else {
            self.fail(TurnError::BadResponse {
                request: Method::ALLOCATE,
                reason: "no XOR-RELAYED-ADDRESS",
            });
            return;
        };
        let lifetime = granted(msg, self.config.lifetime);
        let mapped = msg.xor_mapped_address();
        if !self.carrier.is_stream() {
            self.keepalive_at = self.config.keepalive.map(|k| now + k);
        }
        self.state = State::Allocated(Allocation {
            relayed,
            mapped,
            expires: t.sent_at + lifetime,
            refresh_at: Some(t.sent_at + refresh_after(lifetime)),
        });
        self.events.push_back(TurnEvent::Allocated {
            relayed,
            mapped,
            lifetime,
        });
        // Data that waited for the allocation.
        let pending = std::mem::take(&mut self.pending);
        for (peer, data) in pending {
            self.unqueue(data.len());
            if relayed.is_ipv4() != peer.is_ipv4() {
                self.stats.queued_data_dropped += 1;
                continue;
            }
            if self.send_allocated(now, peer, data).is_err() {
                self.stats.queued_data_dropped += 1;
            }
        }
    }

    fn on_permission(&mut self, now: Instant, t: &Transaction, ip: IpAddr) {
        let auto_bind = self.config.auto_bind_channels;
        let Some(p) = self.permissions.get_mut(&ip) else {
            return;
        };
        let first = p.state == PermState::Pending;
        p.in_flight = false;
        p.state = PermState::Installed {
            expires: t.sent_at + PERMISSION_LIFETIME,
            refresh_at: Some(t.sent_at + PERMISSION_REFRESH),
        };
        let queue = std::mem::take(&mut p.queue);
        if first {
            self.events.push_back(TurnEvent::PermissionCreated(ip));
        }
        for (peer, data) in queue {
            self.unqueue(data.len());
            if auto_bind {
                self.maybe_auto_bind(now, peer);
            }
            if self.transmit_data(peer, data).is_err() {
                self.stats.queued_data_dropped += 1;
            }
        }
    }

    fn on_error(&mut self, now: Instant, t: &Transaction, msg: &Message) {
        let method = t.request.method();
        let Some(code) = msg.error_code() else {
            let error = TurnError::BadResponse {
                request: method,
                reason: "error response without ERROR-CODE",
            };
            self.request_failed(now, t.request, error);
            return;
        };
        let error = match code.code() {
            ErrorCode::UNAUTHENTICATED => {
                let fresh_nonce = msg
                    .nonce()
                    .is_some_and(|n| Some(n) != self.auth.nonce.as_ref());
                let retry = !t.authenticated || (fresh_nonce && t.retries < MAX_RETRIES);
                if retry && !self.closing_before_allocation(t.request) {
                    if self.auth.learn(msg) {
                        self.start_request(now, t.request, t.retries + 1);
                        return;
                    }
                    TurnError::BadResponse {
                        request: method,
                        reason: "401 without REALM and NONCE",
                    }
                } else {
                    self.wrong_credentials(method, 401)
                }
            }
            ErrorCode::STALE_NONCE => {
                if t.retries >= MAX_RETRIES {
                    TurnError::StaleNonceLoop { request: method }
                } else if self.auth.learn(msg) {
                    self.start_request(now, t.request, t.retries + 1);
                    return;
                } else {
                    TurnError::BadResponse {
                        request: method,
                        reason: "438 without NONCE",
                    }
                }
            }
            ErrorCode::WRONG_CREDENTIALS => self.wrong_credentials(method, 441),
            ErrorCode::TRY_ALTERNATE if t.request == Request::Allocate => TurnError::TryAlternate {
                alternate: msg.get::<AlternateServer>().map(|a| a.0),
            },
            code_value => TurnError::Rejected {
                request: method,
                code: code_value,
                reason: code.reason().to_owned(),
            },
        };
        self.request_failed(now, t.request, error);
    }

    fn wrong_credentials(&self, request: Method, code: u16) -> TurnError {
        TurnError::WrongCredentials {
            request,
            code,
            username: self.config.username.clone(),
            realm: self
                .auth
                .realm
                .as_ref()
                .map(|r| r.as_str().to_owned())
                .unwrap_or_default(),
        }
    }

    /// Whether `request` is the Allocate of a client closed before it was
    /// answered (no retry then).
    fn closing_before_allocation(&self, request: Request) -> bool {
        request == Request::Allocate && matches!(self.state, State::Closing { allocated: false })
    }

    /// A request failed for good (error response or timeout).
    fn request_failed(&mut self, now: Instant, request: Request, error: TurnError) {
        match request {
            Request::Allocate => {
                if matches!(self.state, State::Closing { .. }) {
                    self.finish_close();
                } else {
                    self.fail(error);
                }
            }
            Request::Refresh { lifetime } if lifetime.is_zero() => self.finish_close(),
            Request::Refresh { .. } => {
                if matches!(self.state, State::Allocated(_)) {
                    self.fail(error);
                }
            }
            Request::CreatePermission { ip } => {
                if let Some(p) = self.permissions.get_mut(&ip) {
                    let queue = std::mem::take(&mut p.queue);
                    p.in_flight = false;
                    p.state = PermState::Denied {
                        until: now + DENIED_FOR,
                    };
                    for (_, data) in queue {
                        self.unqueue(data.len());
                        self.stats.queued_data_dropped += 1;
                    }
                    self.events
                        .push_back(TurnEvent::PermissionFailed { ip, error });
                }
            }
            Request::ChannelBind { channel, .. } => {
                if let Some(peer) = self.channels.on_failed(channel, now) {
                    self.events
                        .push_back(TurnEvent::ChannelBindFailed { peer, error });
                }
            }
        }
    }

    // ----- data path -----

    fn send_allocated(
        &mut self,
        now: Instant,
        peer: SocketAddr,
        data: Bytes,
    ) -> Result<(), SendError> {
        let ip = peer.ip();
        let state = self.permissions.get(&ip).map(|p| p.state);
        match state {
            Some(PermState::Installed { .. }) => {
                self.permissions.touch(&ip);
                self.maybe_auto_bind(now, peer);
                self.transmit_data(peer, data)
            }
            Some(PermState::Denied { until }) if until > now => Err(SendError::PermissionDenied),
            Some(PermState::Pending) => {
                self.check_queue_room(data.len())?;
                self.maybe_auto_bind(now, peer);
                self.queue(data.len());
                if let Some(p) = self.permissions.get_mut(&ip) {
                    p.queue.push_back((peer, data));
                }
                Ok(())
            }
            Some(PermState::Denied { .. }) | None => {
                self.check_queue_room(data.len())?;
                if state.is_some() {
                    self.permissions.remove(&ip);
                }
                if self.permissions.len() >= self.config.max_permissions {
                    return Err(SendError::TooManyPermissions);
                }
                self.queue(data.len());
                self.permissions
                    .insert_pending(ip)
                    .queue
                    .push_back((peer, data));
                self.start_request(now, Request::CreatePermission { ip }, 0);
                self.maybe_auto_bind(now, peer);
                Ok(())
            }
        }
    }

    /// Sends data to a peer whose permission is installed.
    fn transmit_data(&mut self, peer: SocketAddr, data: Bytes) -> Result<(), SendError> {
        if !self.carrier.has_room(data.len() + 36) {
            return Err(SendError::QueueFull);
        }
        let bytes = if let Some(channel) = self.channels.bound_for_send(&peer) {
            self.stats.channel_data_sent += 1;
            ChannelData { channel, data }.to_bytes(self.carrier.is_stream())
        } else {
            let tid = TransactionId(self.rng.random());
            let built = MessageBuilder::indication(Method::SEND, tid)
                .attr(XorPeerAddress(peer))
                .attr(Data(data))
                .build();
            let Ok(bytes) = built else {
                return Err(SendError::TooLarge {
                    len: MAX_PAYLOAD + 1,
                });
            };
            self.stats.send_indications_sent += 1;
            bytes
        };
        self.carrier.send(bytes);
        Ok(())
    }

    fn ensure_permission(&mut self, now: Instant, ip: IpAddr) -> Result<(), SendError> {
        match self.permissions.get(&ip).map(|p| p.state) {
            Some(PermState::Installed { .. } | PermState::Pending) => {
                self.permissions.touch(&ip);
                Ok(())
            }
            Some(PermState::Denied { until }) if until > now => Err(SendError::PermissionDenied),
            state => {
                if state.is_some() {
                    self.permissions.remove(&ip);
                }
                if self.permissions.len() >= self.config.max_permissions {
                    return Err(SendError::TooManyPermissions);
                }
                self.permissions.insert_pending(ip);
                self.start_request(now, Request::CreatePermission { ip }, 0);
                Ok(())
            }
        }
    }

    fn maybe_auto_bind(&mut self, now: Instant, peer: SocketAddr) {
        if self.config.auto_bind_channels
            && self.channels.number_of(&peer).is_none()
            && !self.channels.recently_failed(&peer, now)
            && self.channels.len() < self.config.max_channels
        {
            let _ = self.start_bind(now, peer);
        }
    }

    fn start_bind(&mut self, now: Instant, peer: SocketAddr) -> Result<u16, SendError> {
        if self.channels.len() >= self.config.max_channels {
            return Err(SendError::TooManyChannels);
        }
        let channel = self
            .channels
            .start_bind(peer, now)
            .ok_or(SendError::TooManyChannels)?;
        self.start_request(now, Request::ChannelBind { channel, peer }, 0);
        Ok(channel)
    }

    fn enqueue_pending(&mut self, peer: SocketAddr, data: Bytes) -> Result<(), SendError> {
        self.check_queue_room(data.len())?;
        self.queue(data.len());
        self.pending.push_back((peer, data));
        Ok(())
    }

    fn check_queue_room(&self, len: usize) -> Result<(), SendError> {
        if self.queued_packets >= self.config.max_queued_packets
            || self.queued_bytes + len > self.config.max_queued_bytes
        {
            Err(SendError::QueueFull)
        } else {
            Ok(())
        }
    }

    fn queue(&mut self, len: usize) {
        self.queued_packets += 1;
        self.queued_bytes += len;
    }

    fn unqueue(&mut self, len: usize) {
        self.queued_packets = self.queued_packets.saturating_sub(1);
        self.queued_bytes = self.queued_bytes.saturating_sub(len);
    }

    fn drop_all_queued(&mut self) {
        let n = self.pending.len() + self.permissions.clear();
        self.stats.queued_data_dropped += n as u64;
        self.pending.clear();
        self.queued_packets = 0;
        self.queued_bytes = 0;
    }

    // ----- endings -----

    fn not_allocated(&self) -> SendError {
        match self.state {
            State::Allocating => SendError::NotAllocated,
            _ => SendError::Closed,
        }
    }

    /// The connection ended or broke.
    fn connection_lost(&mut self, error: TurnError) {
        match self.state {
            State::Closing { .. } => self.finish_close(),
            State::Closed | State::Failed => {}
            _ => self.fail(error),
        }
    }

    fn fail(&mut self, error: TurnError) {
        self.drop_all_queued();
        self.transactions.clear();
        self.channels.clear();
        self.carrier.clear();
        self.carrier.close();
        self.state = State::Failed;
        self.events.push_back(TurnEvent::Failed(error));
    }

    fn finish_close(&mut self) {
        self.drop_all_queued();
        self.transactions.clear();
        self.channels.clear();
        self.carrier.close();
        self.state = State::Closed;
        self.events.push_back(TurnEvent::Closed);
    }

    /// Recomputes [`poll_timeout`](Self::poll_timeout)'s answer.
    fn update_timeout(&mut self) {
        if matches!(self.state, State::Closed | State::Failed) {
            self.next_timeout = None;
            return;
        }
        let mut next = self
            .transactions
            .values()
            .map(Transaction::next_timer)
            .min();
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        if let State::Allocated(a) = &self.state {
            consider(Some(a.refresh_at.map_or(a.expires, |r| r.min(a.expires))));
            consider(self.keepalive_at);
            consider(self.permissions.next_timer());
            consider(self.channels.next_timer());
        }
        self.next_timeout = next;
    }
}

/// The lifetime a success response grants (LIFETIME, else what was asked
/// for), at most [`MAX_LIFETIME`].
fn granted(msg: &Message, asked: Duration) -> Duration {
    msg.lifetime()
        .map_or(asked, |l| l.duration())
        .min(MAX_LIFETIME)
}

/// When to refresh an allocation of `lifetime`: 60 s before it expires, or
/// at ¾ of it if that is later (short lifetimes).
fn refresh_after(lifetime: Duration) -> Duration {
    lifetime
        .saturating_sub(REFRESH_MARGIN)
        .max(lifetime * 3 / 4)
}
