//! [`IceAgent`]: the sans-IO ICE agent (RFC 8445 full and lite, RFC 8838
//! trickle, RFC 7675 consent).
//!
//! The owner (the peer core, itself driven by the async layer) binds the
//! sockets and reports their addresses ([`IceAgent::add_local_address`]),
//! hands in every STUN datagram that arrives on them
//! ([`IceAgent::handle_input`]), sends what [`IceAgent::poll_transmit`]
//! returns, signals what [`IceAgent::poll_event`] reports, and sends its own
//! data (DTLS) on [`IceAgent::selected_pair`].
//!
//! ```text
//!                 add_local_address / add_remote_candidate / credentials
//!                                   |
//!  handle_input --> [ input.rs: requests answered, responses matched ]
//!                                   |
//!  handle_timeout --> [ timers.rs: transactions, pacer (Ta), nomination,
//!                       selection, consent, keepalives, states ]
//!                                   |
//!                  poll_transmit / poll_event / poll_timeout
//! ```
//!
//! Files: `input.rs` answers checks and matches responses, `timers.rs`
//! runs everything time drives, `build.rs` writes the STUN messages.

mod build;
mod input;
mod timers;

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sanderling_stun::{IntegrityKey, Message, TransactionId};

use crate::candidate::{Candidate, CandidateAddress, CandidateKind, Protocol, foundation};
use crate::checklist::CheckList;
use crate::config::{AddressFilter, IceConfig};
use crate::consent::Consent;
use crate::credentials::Credentials;
use crate::error::IceError;
use crate::event::{ConnectionState, GatheringState, IceEvent};
use crate::gather::{COMPONENT, Gatherer};
use crate::mdns::{MdnsResolver, usable};
use crate::pair::{CandidatePairInfo, Pair, PairStats};
use crate::relay_protocol::RelayProtocol;
use crate::stats::AgentStats;
use crate::transaction::{Purpose, Transaction};
use crate::transmit::Transmit;

/// A remote candidate with a usable address.
#[derive(Clone, Debug)]
pub(crate) struct RemoteCandidate {
    pub(crate) candidate: Candidate,
    pub(crate) addr: SocketAddr,
}

/// Data counters of the pair carrying data, kept apart so that the data
/// path costs O(1) per datagram.
#[derive(Clone, Copy, Debug, Default)]
struct DataCounters {
    bytes_sent: u64,
    bytes_received: u64,
    last_activity: Option<Instant>,
}

/// The sans-IO ICE agent. See the [module documentation](self).
#[derive(Debug)]
pub struct IceAgent {
    config: IceConfig,
    rng: ChaCha20Rng,
    controlling: bool,
    tie_breaker: u64,
    local_creds: Credentials,
    local_key: IntegrityKey,
    /// The credentials before the last restart, still answered (without
    /// acting on the checks) until a new pair is selected.
    previous_local: Option<Box<(Credentials, IntegrityKey)>>,
    remote_creds: Option<Credentials>,
    remote_key: Option<IntegrityKey>,
    remote_lite: bool,
    /// Bumped by every restart (local or remote).
    generation: u32,
    gather: Gatherer,
    remotes: Vec<RemoteCandidate>,
    remote_end_of_candidates: bool,
    mdns: MdnsResolver,
    checklist: CheckList,
    transactions: Vec<Transaction>,
    last_paced: Option<Instant>,
    first_valid_at: Option<Instant>,
    /// When the checks could first start (both sides' credentials known):
    /// the start of RFC 8863's PAC timer, before whose end the agent does
    /// not give up on an empty or failed check list.
    checks_started_at: Option<Instant>,
    /// The pair carrying data (an id in `checklist`).
    selected: Option<u64>,
    /// The pair that carried data before a restart, until a new one is
    /// selected.
    previous: Option<Pair>,
    /// The addresses of the pair carrying data (`selected`, else
    /// `previous`), cached so that the data path reads them in O(1).
    path: Option<(SocketAddr, SocketAddr)>,
    data: DataCounters,
    consent: Option<Consent>,
    state: ConnectionState,
    failed: bool,
    closed: bool,
    transmits: VecDeque<Transmit>,
    events: VecDeque<IceEvent>,
    /// A user call changed something: the next `poll_transmit` drives.
    dirty: bool,
    last_now: Option<Instant>,
    stats: AgentStats,
}

impl IceAgent {
    /// A new agent with fresh credentials and tie-breaker drawn from the
    /// config's seed.
    pub fn new(config: IceConfig) -> Self {
        let mut rng = ChaCha20Rng::from_seed(config.seed);
        let local_creds = Credentials::random(&mut rng);
        let local_key = IntegrityKey::short_term(&local_creds.pwd);
        let tie_breaker = rng.random::<u64>();
        let controlling = config.controlling && !config.lite;
        Self {
            config,
            rng,
            controlling,
            tie_breaker,
            local_creds,
            local_key,
            previous_local: None,
            remote_creds: None,
            remote_key: None,
            remote_lite: false,
            generation: 0,
            gather: Gatherer::default(),
            remotes: Vec::new(),
            remote_end_of_candidates: false,
            mdns: MdnsResolver::default(),
            checklist: CheckList::default(),
            transactions: Vec::new(),
            last_paced: None,
            first_valid_at: None,
            checks_started_at: None,
            selected: None,
            previous: None,
            path: None,
            data: DataCounters::default(),
            consent: None,
            state: ConnectionState::New,
            failed: false,
            closed: false,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            dirty: false,
            last_now: None,
            stats: AgentStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IceConfig {
        &self.config
    }

    /// Our ufrag and password, to signal (`a=ice-ufrag`, `a=ice-pwd`).
    pub fn local_credentials(&self) -> &Credentials {
        &self.local_creds
    }

    /// The peer's credentials, if known.
    pub fn remote_credentials(&self) -> Option<&Credentials> {
        self.remote_creds.as_ref()
    }

    /// Whether we are the controlling agent now.
    pub fn is_controlling(&self) -> bool {
        self.controlling
    }

    /// Sets the role before checks start (ORTC's `RTCIceTransport.start`
    /// gives it after gathering). A lite agent stays controlled; later, a
    /// role conflict may still switch it (RFC 8445 §7.3.1.1).
    pub fn set_controlling(&mut self, controlling: bool) {
        self.switch_role(controlling && !self.config.lite);
    }

    /// Whether this agent is ICE-lite.
    pub fn is_lite(&self) -> bool {
        self.config.lite
    }

    /// The tie-breaker sent in ICE-CONTROLLING / ICE-CONTROLLED.
    pub fn tie_breaker(&self) -> u64 {
        self.tie_breaker
    }

    /// The connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.state
    }

    /// The gathering state.
    pub fn gathering_state(&self) -> GatheringState {
        self.gather.state()
    }

    /// Counters.
    pub fn stats(&self) -> AgentStats {
        self.stats
    }

    /// The peer's credentials (from its description). Before they are known
    /// checks cannot be sent, but the peer's checks are answered (they are
    /// authenticated with our password). New values while others are set
    /// mean the peer restarted ICE: its candidates and the checks are
    /// dropped, the selected pair keeps carrying data until a new one is
    /// selected. Call [`restart`](Self::restart) too if JSEP says our side
    /// restarts as well.
    pub fn set_remote_credentials(&mut self, ufrag: &str, pwd: &str) -> Result<(), IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        let creds = Credentials::new(ufrag, pwd)?;
        match &self.remote_creds {
            Some(c) if *c == creds => return Ok(()),
            Some(_) => self.reset_checks(),
            None => {}
        }
        self.remote_key = Some(IntegrityKey::short_term(&creds.pwd));
        self.remote_creds = Some(creds);
        self.dirty = true;
        Ok(())
    }

    /// The peer is ICE-lite (`a=ice-lite`): we must be controlling (RFC 8445
    /// §6.1.1).
    pub fn set_remote_ice_lite(&mut self, lite: bool) {
        self.remote_lite = lite;
        if lite && !self.config.lite && !self.controlling {
            self.switch_role(true);
        }
        self.dirty = true;
    }

    /// Reports a local address the layer bound a socket to, with the
    /// interface it belongs to. Returns the host candidate made from it, or
    /// `None` if the config filters it out or it is known already. STUN
    /// servers of its family are then asked for its reflexive address.
    pub fn add_local_address(
        &mut self,
        interface: &str,
        addr: SocketAddr,
    ) -> Result<Option<Candidate>, IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        if self.config.filter_address(interface, addr) != AddressFilter::Accepted {
            return Ok(None);
        }
        let Some(idx) = self.gather.add_host(addr) else {
            return Ok(None);
        };
        self.start_gathering();
        let candidate = self.gather.candidates[idx].candidate.clone();
        self.events
            .push_back(IceEvent::LocalCandidate(candidate.clone()));
        if !self.config.lite && !addr.ip().is_loopback() {
            for &server in &self.config.stun_servers {
                if server.is_ipv4() == addr.is_ipv4() {
                    self.gather.pending.push_back((addr, server));
                }
            }
        }
        for r in 0..self.remotes.len() {
            self.pair_up_trickled(idx, r);
        }
        self.dirty = true;
        Ok(Some(candidate))
    }

    /// The layer has reported all its addresses: gathering completes once
    /// the servers have answered.
    pub fn end_of_local_addresses(&mut self) {
        self.start_gathering();
        self.gather.addresses_done = true;
        // Completion waits for the next timer round (`dirty` makes it due
        // at once) rather than happening here: a description made right
        // after would carry end-of-candidates, and a peer that got it with
        // no candidates (ours were left out, or trickle) would fail before
        // our checks could give it a peer-reflexive one.
        self.dirty = true;
    }

    /// TURN hook: the layer is allocating a relayed address on `server`;
    /// gathering waits for [`add_relayed_candidate`](Self::add_relayed_candidate)
    /// or [`relay_gathering_failed`](Self::relay_gathering_failed).
    pub fn start_relay_gathering(&mut self, server: SocketAddr) {
        if self.config.lite || self.closed {
            return;
        }
        self.start_gathering();
        self.gather.relays_pending.push(server);
        self.dirty = true;
    }

    /// TURN hook: an allocation on `server` gave `relayed` (and saw us at
    /// `mapped`). The relayed address becomes a local candidate and a base:
    /// checks and data for its pairs come out of [`poll_transmit`](Self::poll_transmit)
    /// with `local == relayed`, for the TURN client to send through the
    /// allocation (Send indication or ChannelData); what arrives through
    /// the allocation goes into [`handle_input`](Self::handle_input) with
    /// `local == relayed` and the peer's address as `remote`. `relay` is
    /// how the server is reached: relays over UDP rank above TCP, TCP
    /// above TLS.
    pub fn add_relayed_candidate(
        &mut self,
        server: SocketAddr,
        relayed: SocketAddr,
        mapped: Option<SocketAddr>,
        relay: RelayProtocol,
    ) -> Result<Option<Candidate>, IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        if self.config.lite {
            return Err(IceError::Lite);
        }
        self.finish_relay(server);
        let Some(idx) = self.gather.add_relayed(server, relayed, mapped, relay) else {
            return Ok(None);
        };
        let candidate = self.gather.candidates[idx].candidate.clone();
        self.events
            .push_back(IceEvent::LocalCandidate(candidate.clone()));
        for r in 0..self.remotes.len() {
            self.pair_up_trickled(idx, r);
        }
        self.dirty = true;
        Ok(Some(candidate))
    }

    /// TURN hook: the allocation on `server` failed; gathering stops
    /// waiting for it.
    pub fn relay_gathering_failed(&mut self, server: SocketAddr) {
        self.finish_relay(server);
        self.dirty = true;
    }

    fn finish_relay(&mut self, server: SocketAddr) {
        if let Some(i) = self.gather.relays_pending.iter().position(|&s| s == server) {
            self.gather.relays_pending.swap_remove(i);
        }
    }

    fn start_gathering(&mut self) {
        if self.gather.state.is_none() {
            self.gather.state = Some(GatheringState::Gathering);
            self.events
                .push_back(IceEvent::GatheringState(GatheringState::Gathering));
        }
    }

    /// Every local candidate to signal (host, server-reflexive, relayed).
    pub fn local_candidates(&self) -> Vec<Candidate> {
        self.gather.signalled().cloned().collect()
    }

    /// A candidate of the peer (from its description or trickled), before
    /// or after its credentials. Candidates of another component, over TCP,
    /// or carrying a `ufrag` that is not the peer's current one are ignored
    /// (and counted); an mDNS candidate is held until its name is resolved
    /// ([`IceEvent::ResolveMdns`]).
    pub fn add_remote_candidate(&mut self, candidate: Candidate) -> Result<(), IceError> {
        if self.closed {
            return Err(IceError::Closed);
        }
        let stale_ufrag = candidate.extensions.iter().any(|(k, v)| {
            k == "ufrag" && self.remote_creds.as_ref().is_some_and(|c| c.ufrag != *v)
        });
        if candidate.component != COMPONENT || candidate.protocol != Protocol::Udp || stale_ufrag {
            self.stats.candidates_ignored += 1;
            return Ok(());
        }
        match candidate.address.clone() {
            CandidateAddress::Ip(addr) => self.add_remote(candidate, addr),
            CandidateAddress::Mdns { name, port } => {
                match self
                    .mdns
                    .hold(candidate, name.clone(), port, self.config.max_pending_mdns)
                {
                    None => {
                        self.stats.candidates_ignored += 1;
                        Err(IceError::TooManyCandidates)
                    }
                    Some(ask) => {
                        if ask {
                            self.events.push_back(IceEvent::ResolveMdns { name });
                        }
                        self.dirty = true;
                        Ok(())
                    }
                }
            }
        }
    }

    /// The answer to an [`IceEvent::ResolveMdns`]: the name's address, or
    /// `None` if it could not be resolved (its candidates are dropped).
    pub fn resolve_mdns(&mut self, name: &str, ip: Option<IpAddr>) {
        let held = self.mdns.resolve(name);
        for (mut candidate, port) in held {
            match ip.filter(|&ip| usable(ip)) {
                Some(ip) => {
                    let addr = SocketAddr::new(ip, port);
                    candidate.address = CandidateAddress::Ip(addr);
                    if self.add_remote(candidate, addr).is_err() {
                        self.stats.candidates_ignored += 1;
                    }
                }
                None => self.stats.candidates_ignored += 1,
            }
        }
        self.dirty = true;
    }

    /// The peer has signalled all its candidates (RFC 8838 §8): once every
    /// pair has failed, the connection fails.
    pub fn end_of_remote_candidates(&mut self) {
        self.remote_end_of_candidates = true;
        self.dirty = true;
    }

    fn add_remote(&mut self, candidate: Candidate, addr: SocketAddr) -> Result<(), IceError> {
        if let Some(i) = self.remotes.iter().position(|r| r.addr == addr) {
            // Known (perhaps as peer-reflexive): the signalled form wins.
            let r = &mut self.remotes[i];
            if r.candidate.kind == CandidateKind::PeerReflexive
                && candidate.kind != CandidateKind::PeerReflexive
            {
                let (prio, found) = (candidate.priority, candidate.foundation.clone());
                r.candidate = candidate;
                let controlling = self.controlling;
                for p in self.checklist.pairs.iter_mut().filter(|p| p.remote == i) {
                    p.remote_priority = prio;
                    p.foundation.1 = found.clone();
                    p.recompute_priority(controlling);
                }
            }
            return Ok(());
        }
        if self.remotes.len() >= self.config.max_remote_candidates {
            self.stats.candidates_ignored += 1;
            return Err(IceError::TooManyCandidates);
        }
        self.remotes.push(RemoteCandidate { candidate, addr });
        let r = self.remotes.len() - 1;
        if !self.config.lite {
            for l in 0..self.gather.candidates.len() {
                self.pair_up_trickled(l, r);
            }
        }
        self.dirty = true;
        Ok(())
    }

    /// Adds a peer-reflexive remote candidate learned from a check.
    pub(crate) fn add_remote_peer_reflexive(
        &mut self,
        addr: SocketAddr,
        prio: u32,
    ) -> Option<usize> {
        let candidate = Candidate {
            foundation: foundation(CandidateKind::PeerReflexive, addr.ip(), Protocol::Udp, None),
            component: COMPONENT,
            protocol: Protocol::Udp,
            priority: prio,
            address: CandidateAddress::Ip(addr),
            kind: CandidateKind::PeerReflexive,
            related: None,
            extensions: Vec::new(),
        };
        self.add_remote(candidate, addr).ok()?;
        self.remotes.iter().position(|r| r.addr == addr)
    }

    /// A pair for a candidate trickled in: not once a pair is nominated (RFC
    /// 8445 §8.1.2: the checks for the component are over; the candidate is
    /// kept, and a check from it still makes its pair).
    fn pair_up_trickled(&mut self, l: usize, r: usize) {
        if self.checklist.best_nominated().is_none() {
            self.pair_up(l, r);
        }
    }

    /// Forms the pair of local candidate `l` and remote candidate `r` if
    /// they can talk (a base, same family, loopback with loopback, IPv6
    /// link-local with link-local). Returns its id.
    pub(crate) fn pair_up(&mut self, l: usize, r: usize) -> Option<u64> {
        if self.config.lite {
            return None;
        }
        let local = self.gather.candidates.get(l)?;
        let remote = self.remotes.get(r)?;
        if !local.is_base() || !compatible(local.base, remote.addr) {
            return None;
        }
        let id = self.checklist.next_id();
        let mut pair = Pair {
            id,
            local: l,
            remote: r,
            local_addr: local.base,
            remote_addr: remote.addr,
            local_priority: local.candidate.priority,
            remote_priority: remote.candidate.priority,
            priority: 0,
            foundation: (
                local.candidate.foundation.clone(),
                remote.candidate.foundation.clone(),
            ),
            state: crate::pair::PairState::Frozen,
            nominated: false,
            nominate_on_success: false,
            nominating: false,
            transaction: None,
            stats: PairStats::default(),
        };
        pair.recompute_priority(self.controlling);
        self.checklist.insert(pair, self.config.max_pairs)
    }

    /// ICE restart (RFC 8445 §9): new local credentials, the checks start
    /// over once the peer's new credentials and candidates arrive; the
    /// selected pair keeps carrying data until a new one is selected. The
    /// local candidates are signalled again (they carry over).
    pub fn restart(&mut self) {
        if self.closed {
            return;
        }
        let creds = Credentials::random(&mut self.rng);
        let key = IntegrityKey::short_term(&creds.pwd);
        let old_creds = std::mem::replace(&mut self.local_creds, creds);
        let old_key = std::mem::replace(&mut self.local_key, key);
        self.previous_local = Some(Box::new((old_creds, old_key)));
        self.reset_checks();
        self.remote_creds = None;
        self.remote_key = None;
        for c in self.gather.signalled() {
            self.events.push_back(IceEvent::LocalCandidate(c.clone()));
        }
        if self.gather.state() == GatheringState::Complete {
            self.events.push_back(IceEvent::EndOfLocalCandidates);
        }
        self.dirty = true;
    }

    /// Drops the checks and the peer's candidates, keeping the data path.
    fn reset_checks(&mut self) {
        self.generation += 1;
        if let Some(id) = self.selected.take()
            && let Some(i) = self.checklist.index(id)
        {
            let pair = self.checklist.pairs.swap_remove(i);
            self.previous = Some(pair);
        }
        if let Some(c) = &mut self.consent {
            c.paused = true;
        }
        self.checklist.clear();
        self.remotes.clear();
        self.mdns = MdnsResolver::default();
        self.remote_end_of_candidates = false;
        self.transactions
            .retain(|t| matches!(t.purpose, Purpose::ServerReflexive { .. }));
        self.first_valid_at = None;
        self.checks_started_at = None;
        self.failed = false;
    }

    /// Closes the agent: nothing is sent any more.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        self.transactions.clear();
        self.transmits.clear();
        self.checklist.clear();
        self.selected = None;
        self.previous = None;
        self.path = None;
        self.consent = None;
        self.set_state(ConnectionState::Closed);
    }

    /// The pair carrying data: send from `.0` (a local socket, or a relayed
    /// address for the TURN client) to `.1`. O(1), for every datagram.
    pub fn selected_pair(&self) -> Option<(SocketAddr, SocketAddr)> {
        if self.closed || self.failed {
            return None;
        }
        self.path
    }

    /// The owner sent `bytes` of data on the selected pair (for statistics
    /// and keepalive timing). O(1).
    pub fn record_data_sent(&mut self, now: Instant, bytes: usize) {
        self.data.bytes_sent += bytes as u64;
        self.data.last_activity = Some(now);
        if let Some(c) = &mut self.consent {
            c.last_sent = now;
        }
    }

    /// The owner received `bytes` of data on the selected pair. O(1).
    pub fn record_data_received(&mut self, now: Instant, bytes: usize) {
        self.data.bytes_received += bytes as u64;
        self.data.last_activity = Some(now);
    }

    /// Every candidate pair with its state and counters (W3C
    /// `RTCIceCandidatePairStats`).
    pub fn pairs(&self) -> Vec<CandidatePairInfo> {
        let data_pair = self
            .selected
            .or_else(|| self.previous.as_ref().map(|p| p.id));
        self.previous
            .iter()
            .chain(self.checklist.pairs.iter())
            .map(|p| {
                let selected = Some(p.id) == data_pair;
                let mut info = p.info(selected);
                if selected {
                    info.stats.bytes_sent += self.data.bytes_sent;
                    info.stats.bytes_received += self.data.bytes_received;
                    if let Some(t) = self.data.last_activity {
                        info.stats.last_activity = info.stats.last_activity.max(Some(t));
                    }
                }
                info
            })
            .collect()
    }

    /// The statistics of the selected pair.
    pub fn selected_pair_info(&self) -> Option<CandidatePairInfo> {
        self.pairs().into_iter().find(|p| p.selected)
    }

    /// Remote candidates known (signalled, resolved or peer-reflexive).
    pub fn remote_candidates(&self) -> Vec<Candidate> {
        self.remotes.iter().map(|r| r.candidate.clone()).collect()
    }

    /// A STUN datagram arrived on our `local` address from `remote` (for a
    /// relayed candidate: through the TURN allocation, `local` being the
    /// relayed address). Anything malformed is dropped and counted.
    pub fn handle_input(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        payload: &[u8],
    ) {
        self.last_now = Some(now);
        if self.closed {
            return;
        }
        match Message::parse_slice(payload) {
            Ok(msg) => self.handle_message(now, local, remote, &msg),
            Err(_) => self.stats.malformed += 1,
        }
        self.drive(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if self.dirty {
            self.last_now = Some(now);
            self.drive(now);
        }
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<IceEvent> {
        self.events.pop_front()
    }

    /// The time has come for [`poll_timeout`](Self::poll_timeout)'s instant.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_now = Some(now);
        self.drive(now);
    }

    pub(crate) fn new_transaction_id(&mut self) -> TransactionId {
        TransactionId(self.rng.random::<[u8; 12]>())
    }

    pub(crate) fn queue_transmit(&mut self, t: Transmit) -> bool {
        if self.transmits.len() >= self.config.max_queued_transmits {
            self.stats.transmits_dropped += 1;
            return false;
        }
        self.transmits.push_back(t);
        true
    }

    pub(crate) fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state;
            self.events.push_back(IceEvent::ConnectionState(state));
        }
    }

    pub(crate) fn switch_role(&mut self, controlling: bool) {
        if self.controlling == controlling {
            return;
        }
        self.controlling = controlling;
        self.stats.role_switches += 1;
        self.checklist.set_role(controlling);
        if !controlling {
            for p in &mut self.checklist.pairs {
                p.nominating = false;
            }
        }
    }
}

/// Whether a local base and a remote address can form a pair.
fn compatible(local: SocketAddr, remote: SocketAddr) -> bool {
    fn link_local(ip: IpAddr) -> bool {
        match ip {
            IpAddr::V6(v6) => v6.is_unicast_link_local(),
            IpAddr::V4(v4) => v4.is_link_local(),
        }
    }
    local.is_ipv4() == remote.is_ipv4()
        && local.ip().is_loopback() == remote.ip().is_loopback()
        && link_local(local.ip()) == link_local(remote.ip())
        && !remote.ip().is_unspecified()
        && !remote.ip().is_multicast()
        && remote.port() != 0
}
