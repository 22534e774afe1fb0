//! Routing datagrams between nodes through their links.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::link::{Fate, Link};
use crate::{Datagram, LinkConfig, LinkStats};

/// Identifies a node (a host with one or more addresses) of a [`Network`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// A datagram on its way, ordered by arrival time and then by the order it
/// was sent in, so that equal arrival times resolve the same way every run.
#[derive(Debug)]
struct InFlight {
    arrival: Instant,
    seq: u64,
    from: NodeId,
    to: NodeId,
    datagram: Datagram,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        (self.arrival, self.seq) == (other.arrival, other.seq)
    }
}
impl Eq for InFlight {}
impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.arrival, self.seq).cmp(&(other.arrival, other.seq))
    }
}

/// The simulated network: nodes with addresses, a link for every ordered pair
/// of nodes, and the datagrams in flight.
///
/// Pairs without a link of their own use the default link. All randomness
/// comes from one generator seeded at construction.
#[derive(Debug)]
pub struct Network {
    rng: ChaCha8Rng,
    addresses: HashMap<SocketAddr, NodeId>,
    nodes: usize,
    default_link: LinkConfig,
    links: HashMap<(NodeId, NodeId), Link>,
    in_flight: BinaryHeap<Reverse<InFlight>>,
    next_seq: u64,
    unroutable: u64,
}

impl Network {
    /// An empty network whose random choices all follow from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            addresses: HashMap::new(),
            nodes: 0,
            default_link: LinkConfig::default(),
            links: HashMap::new(),
            in_flight: BinaryHeap::new(),
            next_seq: 0,
            unroutable: 0,
        }
    }

    /// Adds a node reachable at `address`.
    ///
    /// # Panics
    /// If the address already belongs to a node: a test set-up error.
    pub fn add_node(&mut self, address: SocketAddr) -> NodeId {
        let id = NodeId(self.nodes);
        self.nodes += 1;
        self.add_address(id, address);
        id
    }

    /// Gives `node` one more address (another interface, IPv6, ...).
    ///
    /// # Panics
    /// If the address already belongs to a node, or the node does not exist.
    pub fn add_address(&mut self, node: NodeId, address: SocketAddr) {
        assert!(node.0 < self.nodes, "no node {node:?}");
        let previous = self.addresses.insert(address, node);
        assert!(previous.is_none(), "address {address} is already in use");
    }

    /// The node an address belongs to.
    pub fn node_of(&self, address: SocketAddr) -> Option<NodeId> {
        self.addresses.get(&address).copied()
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes
    }

    /// Sets the link config used by pairs that have none of their own. Links
    /// already in use keep their config.
    ///
    /// # Panics
    /// If the config is invalid (a probability outside 0..=1, zero bandwidth).
    pub fn set_default_link(&mut self, config: LinkConfig) {
        if let Err(e) = config.validate() {
            panic!("invalid link config: {e}");
        }
        self.default_link = config;
    }

    /// Sets the impairments from `from` to `to` (one direction), keeping the
    /// link's counters.
    ///
    /// # Panics
    /// If the config is invalid (a probability outside 0..=1, zero bandwidth).
    pub fn set_link(&mut self, from: NodeId, to: NodeId, config: LinkConfig) {
        if let Err(e) = config.validate() {
            panic!("invalid link config: {e}");
        }
        self.link_mut(from, to).config = config;
    }

    /// Sets the same impairments in both directions between `a` and `b`.
    pub fn set_path(&mut self, a: NodeId, b: NodeId, config: LinkConfig) {
        self.set_link(a, b, config.clone());
        self.set_link(b, a, config);
    }

    /// The config of the link from `from` to `to`.
    pub fn link_config(&self, from: NodeId, to: NodeId) -> &LinkConfig {
        self.links
            .get(&(from, to))
            .map_or(&self.default_link, |l| &l.config)
    }

    /// The counters of the link from `from` to `to`.
    pub fn link_stats(&self, from: NodeId, to: NodeId) -> LinkStats {
        self.links
            .get(&(from, to))
            .map(|l| l.stats)
            .unwrap_or_default()
    }

    /// Datagrams sent to an address no node has.
    pub fn unroutable(&self) -> u64 {
        self.unroutable
    }

    /// Datagrams on their way.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Offers a datagram sent by node `from` at `now` to the link towards its
    /// destination.
    pub fn send(&mut self, now: Instant, from: NodeId, datagram: Datagram) {
        let Some(to) = self.node_of(datagram.destination) else {
            self.unroutable += 1;
            return;
        };
        let len = datagram.payload.len();
        let fate = {
            let default = &self.default_link;
            let link = self
                .links
                .entry((from, to))
                .or_insert_with(|| Link::new(default.clone()));
            link.offer(now, len, &mut self.rng)
        };
        if let Fate::Arrives { at, duplicate_at } = fate {
            if let Some(dup_at) = duplicate_at {
                self.schedule(dup_at, from, to, datagram.clone());
            }
            self.schedule(at, from, to, datagram);
        }
    }

    fn schedule(&mut self, arrival: Instant, from: NodeId, to: NodeId, datagram: Datagram) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.push(Reverse(InFlight {
            arrival,
            seq,
            from,
            to,
            datagram,
        }));
    }

    /// When the next datagram arrives.
    pub fn next_arrival(&self) -> Option<Instant> {
        self.in_flight.peek().map(|Reverse(f)| f.arrival)
    }

    /// The next datagram that has arrived by `now`, with the node it is for.
    pub fn poll_arrival(&mut self, now: Instant) -> Option<(NodeId, Datagram)> {
        if self.next_arrival()? > now {
            return None;
        }
        let Reverse(f) = self.in_flight.pop()?;
        let stats = &mut self.link_mut(f.from, f.to).stats;
        stats.delivered += 1;
        stats.delivered_bytes += f.datagram.payload.len() as u64;
        Some((f.to, f.datagram))
    }

    fn link_mut(&mut self, from: NodeId, to: NodeId) -> &mut Link {
        let default = &self.default_link;
        self.links
            .entry((from, to))
            .or_insert_with(|| Link::new(default.clone()))
    }
}
