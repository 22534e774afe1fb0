//! Two ICE agents (and STUN servers) on the simulated network, with
//! signalling done by the test between simulation rounds.
#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod relay;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_ice::{Candidate, ConnectionState, IceAgent, IceConfig, IceEvent, RelayProtocol};
use sanderling_netsim::{Datagram, Endpoint, NatConfig, NodeId, Sim, Transmit};
use sanderling_stun::attr::XorMappedAddress;
use sanderling_stun::{Class, Message, MessageBuilder, Method};

/// What one agent signals to the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    Candidate(Candidate),
    EndOfCandidates,
}

/// An ICE agent as a netsim endpoint, plus a little data traffic on the
/// selected pair (first byte 0xAA: not STUN) to show the path works.
pub struct Node {
    pub agent: IceAgent,
    pub events: Vec<(Duration, IceEvent)>,
    pub outbox: VecDeque<Signal>,
    pub states: Vec<ConnectionState>,
    pub selected: Vec<(SocketAddr, SocketAddr)>,
    pub data_interval: Option<Duration>,
    next_data: Option<Instant>,
    pending_data: VecDeque<Transmit>,
    pub data_sent: u64,
    pub data_received: u64,
    pub last_data_received: Option<Duration>,
    /// The longest time between two data datagrams received.
    pub max_data_gap: Duration,
    pub mdns_asked: Vec<String>,
    epoch: Instant,
    /// The STUN messages that arrived (for inspection).
    pub stun_in: u64,
    /// How often the simulator woke the node up (a spinning timer shows).
    pub timeouts: u64,
    /// A relay allocation (the stand-in for TURN).
    pub relay: Option<relay::RelayClient>,
    /// When each new Binding request (not a retransmission) left.
    pub new_requests: Vec<Duration>,
    seen_tids: std::collections::HashSet<[u8; 12]>,
}

impl Node {
    pub fn new(epoch: Instant, config: IceConfig) -> Self {
        Self {
            agent: IceAgent::new(config),
            events: Vec::new(),
            outbox: VecDeque::new(),
            states: Vec::new(),
            selected: Vec::new(),
            data_interval: None,
            next_data: None,
            pending_data: VecDeque::new(),
            data_sent: 0,
            data_received: 0,
            last_data_received: None,
            max_data_gap: Duration::ZERO,
            mdns_asked: Vec::new(),
            epoch,
            stun_in: 0,
            timeouts: 0,
            relay: None,
            new_requests: Vec::new(),
            seen_tids: std::collections::HashSet::new(),
        }
    }

    pub fn state(&self) -> ConnectionState {
        self.agent.connection_state()
    }

    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.agent.poll_event() {
            match &e {
                IceEvent::LocalCandidate(c) => self.outbox.push_back(Signal::Candidate(c.clone())),
                IceEvent::EndOfLocalCandidates => self.outbox.push_back(Signal::EndOfCandidates),
                IceEvent::ConnectionState(s) => self.states.push(*s),
                IceEvent::SelectedPair { local, remote } => self.selected.push((*local, *remote)),
                IceEvent::ResolveMdns { name } => self.mdns_asked.push(name.clone()),
                IceEvent::GatheringState(_) => {}
            }
            self.events.push((now - self.epoch, e));
        }
    }

    /// A datagram from `local` to `remote`: through the relay when `local`
    /// is the relayed address (what the TURN client will do).
    fn route(&self, local: SocketAddr, remote: SocketAddr, payload: Bytes) -> Transmit {
        match &self.relay {
            Some(r) if r.relayed == Some(local) => Transmit {
                destination: r.server,
                source: Some(r.base),
                payload: relay::frame(relay::SEND, &[remote], &payload),
            },
            _ => Transmit {
                destination: remote,
                source: Some(local),
                payload,
            },
        }
    }

    /// Asks the relay for an allocation (once).
    fn allocate(&mut self) {
        if let Some(r) = &mut self.relay
            && !r.requested
        {
            r.requested = true;
            let (server, base) = (r.server, r.base);
            self.agent.start_relay_gathering(server);
            self.pending_data.push_back(Transmit {
                destination: server,
                source: Some(base),
                payload: relay::frame(relay::ALLOCATE, &[], &[]),
            });
        }
    }

    fn send_data(&mut self, now: Instant) {
        if let Some(interval) = self.data_interval {
            if self.next_data.is_some_and(|t| now < t) {
                return;
            }
            self.next_data = Some(now + interval);
            if let Some((local, remote)) = self.agent.selected_pair() {
                let payload = Bytes::from(vec![0xAA; 100]);
                self.agent.record_data_sent(now, payload.len());
                self.data_sent += 1;
                let t = self.route(local, remote, payload);
                self.pending_data.push_back(t);
            }
        }
    }
}

impl Endpoint for Node {
    fn handle_datagram(&mut self, now: Instant, mut d: Datagram) {
        if let Some(r) = self.relay.clone()
            && d.source == r.server
        {
            match d.payload.first() {
                Some(&relay::ALLOCATED) => {
                    if let Some((addrs, _)) = relay::unframe(&d.payload, 2) {
                        if let Some(rc) = &mut self.relay {
                            rc.relayed = Some(addrs[0]);
                        }
                        let _ = self.agent.add_relayed_candidate(
                            r.server,
                            addrs[0],
                            Some(addrs[1]),
                            RelayProtocol::Udp,
                        );
                    }
                }
                Some(&relay::DATA) => {
                    if let (Some(relayed), Some((addrs, payload))) =
                        (r.relayed, relay::unframe(&d.payload, 1))
                    {
                        d = Datagram {
                            source: addrs[0],
                            destination: relayed,
                            payload: Bytes::copy_from_slice(payload),
                        };
                    }
                }
                _ => {}
            }
            if d.source == r.server {
                self.drain(now);
                return;
            }
        }
        if d.payload.first().is_some_and(|b| *b < 4) {
            self.stun_in += 1;
            self.agent
                .handle_input(now, d.destination, d.source, &d.payload);
        } else {
            self.data_received += 1;
            if let Some(last) = self.last_data_received {
                self.max_data_gap = self.max_data_gap.max((now - self.epoch) - last);
            }
            self.last_data_received = Some(now - self.epoch);
            self.agent.record_data_received(now, d.payload.len());
        }
        self.drain(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if let Some(t) = self.pending_data.pop_front() {
            return Some(t);
        }
        self.allocate();
        if let Some(t) = self.pending_data.pop_front() {
            return Some(t);
        }
        let t = self.agent.poll_transmit(now);
        self.drain(now);
        if let Some(t) = &t
            && let Ok(m) = Message::parse(t.payload.clone())
            && m.class() == Class::Request
            && self.seen_tids.insert(m.transaction_id().0)
        {
            self.new_requests.push(now - self.epoch);
        }
        t.map(|t| self.route(t.local, t.remote, t.payload))
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        let data = self
            .data_interval
            .map(|_| self.next_data.unwrap_or(self.epoch));
        [self.agent.poll_timeout(), data]
            .into_iter()
            .flatten()
            .min()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.timeouts += 1;
        self.agent.handle_timeout(now);
        self.send_data(now);
        self.drain(now);
    }
}

/// A tiny STUN server: answers Binding requests with the source address.
#[derive(Default)]
pub struct StunServer {
    pending: VecDeque<Transmit>,
    pub requests: u64,
}

impl Endpoint for StunServer {
    fn handle_datagram(&mut self, _now: Instant, d: Datagram) {
        let Ok(m) = Message::parse(d.payload.clone()) else {
            return;
        };
        if m.method() != Method::BINDING || m.class() != Class::Request {
            return;
        }
        self.requests += 1;
        if let Ok(payload) = MessageBuilder::success_response(&m)
            .attr(XorMappedAddress(d.source))
            .fingerprint()
            .build()
        {
            self.pending.push_back(Transmit {
                destination: d.source,
                source: Some(d.destination),
                payload,
            });
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.pending.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub fn config(seed: u8, controlling: bool) -> IceConfig {
    IceConfig {
        seed: [seed; 32],
        controlling,
        ..IceConfig::default()
    }
}

/// Where a node sits.
pub enum Place {
    Public,
    Behind(sanderling_netsim::NatId),
}

/// Two agents and the signalling between them.
pub struct World {
    pub sim: Sim,
    pub a: NodeId,
    pub b: NodeId,
    /// Forward candidates and end-of-candidates automatically.
    pub trickle: bool,
    /// Hold back what a (index 0) or b (index 1) signals.
    pub hold: [bool; 2],
    /// Replace a's host candidates by mDNS names (`a-<n>.local`), as
    /// browsers do; the names and their addresses are kept here.
    pub mdns_a: bool,
    pub mdns_names: Vec<(String, std::net::IpAddr)>,
}

impl World {
    pub fn new(seed: u64) -> Self {
        Self {
            sim: Sim::new(seed),
            a: NodeId(usize::MAX),
            b: NodeId(usize::MAX),
            trickle: true,
            hold: [false; 2],
            mdns_a: false,
            mdns_names: Vec::new(),
        }
    }

    /// Adds a node with these addresses (all reported to its agent, then
    /// end-of-addresses).
    pub fn add_node(&mut self, place: Place, addrs: &[&str], config: IceConfig) -> NodeId {
        let epoch = self.sim.epoch();
        let addrs: Vec<SocketAddr> = addrs.iter().map(|a| addr(a)).collect();
        let mut node = Node::new(epoch, config);
        for a in &addrs {
            node.agent.add_local_address("eth0", *a).unwrap();
        }
        node.agent.end_of_local_addresses();
        let id = match place {
            Place::Public => self.sim.add_endpoint(addrs[0], node),
            Place::Behind(nat) => self.sim.add_endpoint_behind_nat(nat, addrs[0], node),
        };
        for a in &addrs[1..] {
            self.sim.network_mut().add_address(id, *a);
        }
        id
    }

    pub fn add_nat(&mut self, config: NatConfig, ip: &str) -> sanderling_netsim::NatId {
        self.sim.add_nat(config, ip.parse().unwrap())
    }

    pub fn add_stun_server(&mut self, at: &str) -> NodeId {
        self.sim.add_endpoint(addr(at), StunServer::default())
    }

    /// A LAN pair: a at 10.0.0.1:5000, b at 10.0.0.2:5000.
    pub fn lan(seed: u64, a: IceConfig, b: IceConfig) -> Self {
        let mut w = Self::new(seed);
        w.a = w.add_node(Place::Public, &["10.0.0.1:5000"], a);
        w.b = w.add_node(Place::Public, &["10.0.0.2:5000"], b);
        w.exchange_credentials();
        w
    }

    pub fn node(&mut self, id: NodeId) -> &mut Node {
        self.sim.endpoint_mut::<Node>(id)
    }

    pub fn a(&mut self) -> &mut Node {
        let a = self.a;
        self.node(a)
    }

    pub fn b(&mut self) -> &mut Node {
        let b = self.b;
        self.node(b)
    }

    pub fn exchange_credentials(&mut self) {
        let ca = self.a().agent.local_credentials().clone();
        let cb = self.b().agent.local_credentials().clone();
        self.a()
            .agent
            .set_remote_credentials(&cb.ufrag, &cb.pwd)
            .unwrap();
        self.b()
            .agent
            .set_remote_credentials(&ca.ufrag, &ca.pwd)
            .unwrap();
    }

    /// Moves signalled candidates across (when `trickle` is on).
    pub fn signal(&mut self) -> bool {
        if !self.trickle {
            return false;
        }
        let mut moved = false;
        for (i, (from, to)) in [(self.a, self.b), (self.b, self.a)].into_iter().enumerate() {
            if self.hold[i] {
                continue;
            }
            let out: Vec<Signal> = self.node(from).outbox.drain(..).collect();
            for s in out {
                moved = true;
                match s {
                    Signal::Candidate(mut c) => {
                        if i == 0
                            && self.mdns_a
                            && c.kind == sanderling_ice::CandidateKind::Host
                            && let sanderling_ice::CandidateAddress::Ip(a) = c.address
                        {
                            let name = format!("a-{}.local", self.mdns_names.len());
                            self.mdns_names.push((name.clone(), a.ip()));
                            c.address = sanderling_ice::CandidateAddress::Mdns {
                                name,
                                port: a.port(),
                            };
                        }
                        let _ = self.node(to).agent.add_remote_candidate(c);
                    }
                    Signal::EndOfCandidates => self.node(to).agent.end_of_remote_candidates(),
                }
            }
        }
        moved
    }

    /// Runs until `done` holds or `max` has passed, signalling between
    /// rounds (at least every 10 ms of simulated time: signalling is not
    /// instantaneous either).
    pub fn run_until(&mut self, max: Duration, mut done: impl FnMut(&mut World) -> bool) -> bool {
        let limit = self.sim.now() + max;
        loop {
            self.signal();
            if done(self) {
                return true;
            }
            let now = self.sim.now();
            if now >= limit {
                return false;
            }
            let slice = (now + Duration::from_millis(10)).min(limit);
            self.sim.step(slice);
        }
    }

    pub fn run_for(&mut self, d: Duration) {
        self.run_until(d, |_| false);
    }

    pub fn both(&mut self, state: ConnectionState) -> bool {
        self.a().state() == state && self.b().state() == state
    }

    pub fn connected(&mut self) -> bool {
        let ok = |s: ConnectionState| {
            matches!(s, ConnectionState::Connected | ConnectionState::Completed)
        };
        let (a, b) = (self.a().state(), self.b().state());
        ok(a) && ok(b)
    }
}
