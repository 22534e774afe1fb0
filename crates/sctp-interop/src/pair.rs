//! Two [`SctpPeer`]s on a simulated network, driven on a virtual clock.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, LinkStats, NodeId, Sim, Transmit};

use crate::peer::{OutMessage, PeerEvent, SctpPeer};

/// One of the two ends of a [`Pair`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    /// The first peer given to [`Pair::new`].
    A,
    /// The second peer given to [`Pair::new`].
    B,
}

impl Side {
    /// The other end.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// A message as one side received it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Received<'a> {
    /// Stream identifier.
    pub stream: u16,
    /// Payload protocol identifier.
    pub ppid: u32,
    /// The message.
    pub payload: &'a [u8],
}

/// An adapter as a netsim endpoint: packets become datagrams to the other
/// side, and every event the peer reports is kept in order.
struct Node {
    peer: Box<dyn SctpPeer>,
    remote: SocketAddr,
    events: Vec<PeerEvent>,
    /// Packets sent, with when, if recording.
    sent: Option<Vec<(Instant, Bytes)>>,
}

impl Node {
    fn collect_events(&mut self, now: Instant) {
        while let Some(e) = self.peer.poll_event(now) {
            self.events.push(e);
        }
    }
}

impl Endpoint for Node {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.peer.handle_packet(now, datagram.payload);
        self.collect_events(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        match self.peer.poll_packet(now) {
            Some(payload) => {
                if let Some(sent) = &mut self.sent {
                    sent.push((now, payload.clone()));
                }
                Some(Transmit {
                    destination: self.remote,
                    source: None,
                    payload,
                })
            }
            None => {
                self.collect_events(now);
                None
            }
        }
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.peer.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
        self.collect_events(now);
    }
}

/// Two SCTP peers connected by a simulated path (netsim), on a virtual clock.
///
/// Both directions start as a perfect link (no delay, no loss); set
/// impairments with [`Pair::set_path`] or [`Pair::set_link`]. Time only
/// moves inside the `run_*` methods, from one packet arrival or timer to
/// the next, so a simulated minute takes milliseconds and nothing sleeps.
/// Network randomness (loss, duplication, reordering) and dcsctp's
/// randomness follow from the seed.
pub struct Pair {
    sim: Sim,
    nodes: [NodeId; 2],
}

impl std::fmt::Debug for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pair")
            .field("a", &self.peer(Side::A).name())
            .field("b", &self.peer(Side::B).name())
            .field("elapsed", &self.sim.elapsed())
            .finish()
    }
}

const ADDRESS_A: &str = "10.0.0.1:5000";
const ADDRESS_B: &str = "10.0.0.2:5000";

impl Pair {
    /// Connects `a` and `b` by a perfect path. `seed` decides every random
    /// choice of the network, and seeds the thread-local generator dcsctp
    /// draws its tags and TSNs from.
    pub fn new(a: Box<dyn SctpPeer>, b: Box<dyn SctpPeer>, seed: u64) -> Self {
        fastrand::seed(seed);
        let address_a: SocketAddr = ADDRESS_A.parse().expect("valid address");
        let address_b: SocketAddr = ADDRESS_B.parse().expect("valid address");
        let mut sim = Sim::new(seed);
        let na = sim.add_endpoint(
            address_a,
            Node {
                peer: a,
                remote: address_b,
                events: Vec::new(),
                sent: None,
            },
        );
        let nb = sim.add_endpoint(
            address_b,
            Node {
                peer: b,
                remote: address_a,
                events: Vec::new(),
                sent: None,
            },
        );
        Self {
            sim,
            nodes: [na, nb],
        }
    }

    fn node(&self, side: Side) -> &Node {
        self.sim.endpoint::<Node>(self.nodes[side.index()])
    }

    fn node_mut(&mut self, side: Side) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.nodes[side.index()])
    }

    /// Sets the same impairments in both directions.
    pub fn set_path(&mut self, config: LinkConfig) {
        let [a, b] = self.nodes;
        self.sim.network_mut().set_path(a, b, config);
    }

    /// Sets the impairments of the direction from `from` to the other side.
    pub fn set_link(&mut self, from: Side, config: LinkConfig) {
        let (f, t) = (self.nodes[from.index()], self.nodes[from.other().index()]);
        self.sim.network_mut().set_link(f, t, config);
    }

    /// Counters of the direction from `from` to the other side.
    pub fn link_stats(&self, from: Side) -> LinkStats {
        let (f, t) = (self.nodes[from.index()], self.nodes[from.other().index()]);
        self.sim.network().link_stats(f, t)
    }

    /// The current virtual instant.
    pub fn now(&self) -> Instant {
        self.sim.now()
    }

    /// Virtual time since the pair was made.
    pub fn elapsed(&self) -> Duration {
        self.sim.elapsed()
    }

    /// The peer at `side`.
    pub fn peer(&self, side: Side) -> &dyn SctpPeer {
        self.node(side).peer.as_ref()
    }

    /// The peer at `side`, to call it directly (pass [`Pair::now`] as
    /// `now`). Packets it queues leave at the next step of a `run_*` method.
    pub fn peer_mut(&mut self, side: Side) -> &mut dyn SctpPeer {
        self.node_mut(side).peer.as_mut()
    }

    /// Starts (or stops and discards) recording every packet both sides
    /// send, for debugging and for tests that look at the wire.
    pub fn record_packets(&mut self, on: bool) {
        for side in [Side::A, Side::B] {
            self.node_mut(side).sent = on.then(Vec::new);
        }
    }

    /// The packets `side` has sent since recording started, with the virtual
    /// time since the pair was made (before any loss on the link).
    pub fn sent_packets(&self, side: Side) -> Vec<(Duration, &Bytes)> {
        let epoch = self.sim.epoch();
        self.node(side)
            .sent
            .iter()
            .flatten()
            .map(|(t, p)| (*t - epoch, p))
            .collect()
    }

    /// Every event `side` has reported so far, in order.
    pub fn events(&self, side: Side) -> &[PeerEvent] {
        &self.node(side).events
    }

    /// Removes and returns the events `side` has reported so far.
    pub fn take_events(&mut self, side: Side) -> Vec<PeerEvent> {
        std::mem::take(&mut self.node_mut(side).events)
    }

    /// The messages `side` has received so far, in order of delivery.
    pub fn messages(&self, side: Side) -> impl Iterator<Item = Received<'_>> {
        self.events(side).iter().filter_map(|e| match e {
            PeerEvent::Message {
                stream,
                ppid,
                payload,
            } => Some(Received {
                stream: *stream,
                ppid: *ppid,
                payload,
            }),
            _ => None,
        })
    }

    /// How many messages `side` has received.
    pub fn message_count(&self, side: Side) -> usize {
        self.messages(side).count()
    }

    /// Whether `side` has reported [`PeerEvent::Connected`].
    pub fn is_connected(&self, side: Side) -> bool {
        self.events(side).contains(&PeerEvent::Connected)
    }

    /// Whether `side` has reported [`PeerEvent::Closed`].
    pub fn is_closed(&self, side: Side) -> bool {
        self.events(side).contains(&PeerEvent::Closed)
    }

    /// The errors `side` has reported.
    pub fn errors(&self, side: Side) -> Vec<&str> {
        self.events(side)
            .iter()
            .filter_map(|e| match e {
                PeerEvent::Error(s) => Some(s.as_str()),
                _ => None,
            })
            .collect()
    }

    /// `side` starts the association (sends INIT).
    pub fn connect(&mut self, side: Side) {
        let now = self.now();
        let node = self.node_mut(side);
        node.peer.connect(now);
        node.collect_events(now);
    }

    /// Both sides start the association at the same instant (simultaneous
    /// open, as WebRTC does).
    pub fn connect_both(&mut self) {
        self.connect(Side::A);
        self.connect(Side::B);
    }

    /// `initiator` connects, then runs until both sides are connected.
    ///
    /// # Panics
    /// If that does not happen within `max` of virtual time.
    pub fn establish(&mut self, initiator: Side, max: Duration) {
        self.connect(initiator);
        self.run_until(max, |p| p.is_connected(Side::A) && p.is_connected(Side::B));
    }

    /// `side` queues a message.
    pub fn send(&mut self, side: Side, msg: OutMessage) -> Result<(), String> {
        let now = self.now();
        let node = self.node_mut(side);
        let result = node.peer.send(now, msg);
        node.collect_events(now);
        result
    }

    /// `side` resets its outgoing `streams`.
    pub fn reset_streams(&mut self, side: Side, streams: &[u16]) -> Result<(), String> {
        let now = self.now();
        let node = self.node_mut(side);
        let result = node.peer.reset_streams(now, streams);
        node.collect_events(now);
        result
    }

    /// Bytes queued on `side`'s outgoing `stream`.
    pub fn buffered_amount(&mut self, side: Side, stream: u16) -> usize {
        self.node_mut(side).peer.buffered_amount(stream)
    }

    /// Runs one round of the simulation at the next instant that has work,
    /// if that is no later than `limit`. Returns false (with the clock at
    /// `limit`) when nothing happens before it.
    pub fn step(&mut self, limit: Instant) -> bool {
        self.sim.step(limit)
    }

    /// Runs until `done` holds (checked before every round) or `max` of
    /// virtual time has passed; returns whether `done` held. The clock stops
    /// where `done` first held, or at `max` when it never did (also when
    /// both peers went idle: no packet in flight and no timer).
    pub fn try_run_until(&mut self, max: Duration, mut done: impl FnMut(&Pair) -> bool) -> bool {
        let limit = self.now() + max;
        loop {
            if done(self) {
                return true;
            }
            if !self.sim.step(limit) {
                return done(self);
            }
        }
    }

    /// Like [`Pair::try_run_until`], but a run that does not get there is a
    /// test failure.
    ///
    /// # Panics
    /// If `done` does not hold within `max` of virtual time, with what both
    /// sides reported and whether the run had stalled (nothing in flight,
    /// no timer) or was still busy.
    pub fn run_until(&mut self, max: Duration, done: impl FnMut(&Pair) -> bool) {
        let start = self.elapsed();
        if !self.try_run_until(max, done) {
            let idle = self.is_idle();
            panic!(
                "{} <-> {}: condition not reached within {max:?} of virtual time \
                 (from {start:?} to {:?}); the run {}\n{}",
                self.peer(Side::A).name(),
                self.peer(Side::B).name(),
                self.elapsed(),
                if idle {
                    "stalled: no packet in flight and no timer set"
                } else {
                    "was still busy"
                },
                self.summary(),
            );
        }
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        self.sim.run_for(duration);
    }

    /// Whether nothing can happen any more: no packet in flight, nothing
    /// queued to send and no timer on either side.
    pub fn is_idle(&mut self) -> bool {
        self.sim.network().in_flight() == 0
            && [Side::A, Side::B]
                .into_iter()
                .all(|s| self.node_mut(s).peer.poll_timeout().is_none())
    }

    /// A human-readable account of both sides: connection state, messages
    /// received, errors and link counters (for failure messages).
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for side in [Side::A, Side::B] {
            let events = self.events(side);
            let other: Vec<&PeerEvent> = events
                .iter()
                .filter(|e| !matches!(e, PeerEvent::Message { .. }))
                .collect();
            let stats = self.link_stats(side);
            out.push_str(&format!(
                "  {side:?} ({}): {} messages received; other events {:?}; \
                 link to {:?}: {} sent, {} delivered, {} dropped\n",
                self.peer(side).name(),
                self.message_count(side),
                other,
                side.other(),
                stats.sent,
                stats.delivered,
                stats.dropped(),
            ));
        }
        out
    }
}
