//! Routing datagrams between nodes through their links and NATs.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::link::{Fate, Link};
use crate::nat::{Nat, OutboundDrop};
use crate::{Datagram, LinkConfig, LinkStats, NatConfig, NatId, NatStats};

/// Identifies a node (a host with one or more addresses) of a [`Network`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// An address space: the public network, or the private side of a NAT.
///
/// An address means something only within its realm, so two NATs may hide
/// hosts with the same private address, as two home networks do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Realm {
    /// The network outside every NAT.
    Public,
    /// The private side of a NAT.
    BehindNat(NatId),
}

/// Where an address leads within one realm.
#[derive(Clone, Copy, Debug)]
enum Hop {
    Node(NodeId),
    Nat(NatId),
}

/// A NAT a datagram must still cross inwards when it arrives: the mapping it
/// was routed through when it was sent, checked again on arrival.
#[derive(Clone, Copy, Debug)]
struct InboundHop {
    nat: NatId,
    public: SocketAddr,
    private: SocketAddr,
    /// Turned around inside the NAT it left through.
    hairpin: bool,
}

/// A datagram on its way, ordered by arrival time and then by the order it
/// was sent in, so that equal arrival times resolve the same way every run.
#[derive(Debug)]
struct InFlight {
    arrival: Instant,
    seq: u64,
    from: NodeId,
    to: NodeId,
    datagram: Datagram,
    /// NATs to cross on arrival, outermost first.
    inbound: Vec<InboundHop>,
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
/// of nodes, NATs, and the datagrams in flight.
///
/// Pairs without a link of their own use the default link. All randomness
/// comes from one generator seeded at construction (each NAT draws its
/// ports from a stream of its own, derived from the same seed).
///
/// # NATs
///
/// A NAT ([`Network::add_nat`]) has one or more public IP addresses in the
/// realm outside it (the public network, or the private side of another NAT)
/// and a private [`Realm`] of its own for the nodes behind it
/// ([`Network::place_behind_nat`], [`Network::add_node_in`]). A datagram is
/// routed by its destination address, looked up in the sender's realm first:
///
/// * an address of a node in the same realm is reached directly (one LAN);
/// * otherwise the datagram leaves through the realm's NAT, which rewrites its
///   source to a public mapping, and the lookup repeats in the realm outside;
/// * an address on a NAT's public IP goes in through that NAT, which rewrites
///   the destination to the private endpoint of the mapping on that port, if
///   its filter admits the source; this repeats for nested NATs. A datagram
///   from behind a NAT to that same NAT's public address is hairpinned;
/// * anything else (a private address of another realm, say) is unroutable.
///
/// NATs add no delay, loss or queueing of their own: a datagram crosses
/// exactly one link, from the node that sent it to the node it is finally
/// delivered to, whatever NATs lie between (so `set_path(client, server)`
/// describes the whole path through the client's NAT). The NATs on the
/// sender's side translate it when it is sent; the NATs on the receiver's
/// side look their mapping up then (to know where it goes) but filter it when
/// it arrives, after the link's delay. So a hole punched while a datagram is
/// on its way lets it in, and a mapping that expires meanwhile drops it. A
/// datagram to a public port with no mapping when it is sent is dropped at
/// once (port prediction is not modelled).
#[derive(Debug)]
pub struct Network {
    seed: u64,
    rng: ChaCha8Rng,
    addresses: HashMap<(Realm, SocketAddr), NodeId>,
    node_realms: Vec<Realm>,
    node_addresses: Vec<Vec<SocketAddr>>,
    nats: Vec<Nat>,
    nat_ips: HashMap<(Realm, IpAddr), NatId>,
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
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            addresses: HashMap::new(),
            node_realms: Vec::new(),
            node_addresses: Vec::new(),
            nats: Vec::new(),
            nat_ips: HashMap::new(),
            default_link: LinkConfig::default(),
            links: HashMap::new(),
            in_flight: BinaryHeap::new(),
            next_seq: 0,
            unroutable: 0,
        }
    }

    /// Adds a node reachable at `address` on the public network.
    ///
    /// # Panics
    /// If the address already belongs to a node or a NAT: a test set-up error.
    pub fn add_node(&mut self, address: SocketAddr) -> NodeId {
        self.add_node_in(Realm::Public, address)
    }

    /// Adds a node reachable at `address` within `realm` (behind a NAT, for
    /// instance). The same address may be used in different realms.
    ///
    /// # Panics
    /// If the address already belongs to a node or a NAT of that realm, or
    /// the realm's NAT does not exist.
    pub fn add_node_in(&mut self, realm: Realm, address: SocketAddr) -> NodeId {
        self.check_realm(realm);
        let id = NodeId(self.node_realms.len());
        self.node_realms.push(realm);
        self.node_addresses.push(Vec::new());
        self.add_address(id, address);
        id
    }

    /// Gives `node` one more address (another interface, IPv6, ...), in the
    /// realm it is in.
    ///
    /// # Panics
    /// If the address already belongs to a node or a NAT of that realm, or
    /// the node does not exist.
    pub fn add_address(&mut self, node: NodeId, address: SocketAddr) {
        assert!(node.0 < self.node_realms.len(), "no node {node:?}");
        let realm = self.node_realms[node.0];
        self.claim(realm, address, node);
        self.node_addresses[node.0].push(address);
    }

    /// The node reachable at `address` on the public network.
    pub fn node_of(&self, address: SocketAddr) -> Option<NodeId> {
        self.node_in(Realm::Public, address)
    }

    /// The node reachable at `address` within `realm`.
    pub fn node_in(&self, realm: Realm, address: SocketAddr) -> Option<NodeId> {
        self.addresses.get(&(realm, address)).copied()
    }

    /// The realm a node's addresses are in.
    ///
    /// # Panics
    /// If the node does not exist.
    pub fn realm_of(&self, node: NodeId) -> Realm {
        self.node_realms[node.0]
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_realms.len()
    }

    /// Adds a NAT whose public side is the public network, at `public_ip`.
    /// Mappings take ports on that IP; nothing else may use it.
    ///
    /// # Panics
    /// If the config is invalid or the IP is in use in the public realm.
    pub fn add_nat(&mut self, config: NatConfig, public_ip: IpAddr) -> NatId {
        self.add_nat_in(Realm::Public, config, public_ip)
    }

    /// Adds a NAT whose public side is `outside`: [`Realm::Public`], or the
    /// private side of another NAT (a home router behind a carrier-grade
    /// NAT).
    ///
    /// # Panics
    /// If the config is invalid, the realm's NAT does not exist, or the IP is
    /// in use in that realm.
    pub fn add_nat_in(&mut self, outside: Realm, config: NatConfig, public_ip: IpAddr) -> NatId {
        if let Err(e) = config.validate() {
            panic!("invalid NAT config: {e}");
        }
        self.check_realm(outside);
        let id = NatId(self.nats.len());
        // Each NAT draws from its own stream, so adding one changes neither
        // the links' random choices nor another NAT's.
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(1 + id.0 as u64);
        self.nats.push(Nat::new(config, outside, public_ip, rng));
        self.claim_nat_ip(outside, public_ip, id);
        id
    }

    /// Gives a NAT one more public IP. New mappings of a private IP all use
    /// the public IP its first live mapping got ("paired" pooling,
    /// RFC 4787 REQ-2); private IPs are spread over the public IPs of their
    /// address family in turn.
    ///
    /// # Panics
    /// If the NAT does not exist or the IP is in use in its outside realm.
    pub fn add_nat_public_ip(&mut self, nat: NatId, public_ip: IpAddr) {
        let outside = self.nat(nat).outside;
        self.claim_nat_ip(outside, public_ip, nat);
        self.nats[nat.0].public_ips.push(public_ip);
    }

    /// Moves `node`, with all its addresses, behind `nat`: from now on its
    /// datagrams to anywhere outside the NAT's private realm go out through
    /// the NAT, and it is reachable from outside only through a mapping.
    ///
    /// # Panics
    /// If the node or NAT does not exist, or one of the node's addresses is
    /// in use behind the NAT.
    pub fn place_behind_nat(&mut self, node: NodeId, nat: NatId) {
        assert!(node.0 < self.node_realms.len(), "no node {node:?}");
        let realm = Realm::BehindNat(nat);
        self.check_realm(realm);
        let old = self.node_realms[node.0];
        let addresses = std::mem::take(&mut self.node_addresses[node.0]);
        for address in &addresses {
            self.addresses.remove(&(old, *address));
        }
        self.node_realms[node.0] = realm;
        for address in addresses {
            self.add_address(node, address);
        }
    }

    /// The public IPs of a NAT.
    ///
    /// # Panics
    /// If the NAT does not exist.
    pub fn nat_public_ips(&self, nat: NatId) -> &[IpAddr] {
        &self.nat(nat).public_ips
    }

    /// The config of a NAT.
    ///
    /// # Panics
    /// If the NAT does not exist.
    pub fn nat_config(&self, nat: NatId) -> &NatConfig {
        self.nat(nat).config()
    }

    /// The counters of a NAT as of `now` (mappings past their timeout by
    /// then count as expired).
    ///
    /// # Panics
    /// If the NAT does not exist.
    pub fn nat_stats(&self, nat: NatId, now: Instant) -> NatStats {
        self.nat(nat).stats(now)
    }

    /// Number of NATs.
    pub fn nat_count(&self) -> usize {
        self.nats.len()
    }

    fn nat(&self, nat: NatId) -> &Nat {
        self.nats
            .get(nat.0)
            .unwrap_or_else(|| panic!("no NAT {nat:?}"))
    }

    fn check_realm(&self, realm: Realm) {
        if let Realm::BehindNat(nat) = realm {
            self.nat(nat);
        }
    }

    fn claim(&mut self, realm: Realm, address: SocketAddr, node: NodeId) {
        assert!(
            !self.nat_ips.contains_key(&(realm, address.ip())),
            "address {address} is on a NAT's public IP in {realm:?}"
        );
        let previous = self.addresses.insert((realm, address), node);
        assert!(
            previous.is_none(),
            "address {address} is already in use in {realm:?}"
        );
    }

    fn claim_nat_ip(&mut self, realm: Realm, ip: IpAddr, nat: NatId) {
        assert!(
            !self
                .addresses
                .keys()
                .any(|(r, address)| *r == realm && address.ip() == ip),
            "IP {ip} is already used by a node in {realm:?}"
        );
        let previous = self.nat_ips.insert((realm, ip), nat);
        assert!(
            previous.is_none(),
            "IP {ip} is already a NAT's public IP in {realm:?}"
        );
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

    /// Datagrams sent to an address no node or NAT mapping has (including a
    /// private address of another realm).
    pub fn unroutable(&self) -> u64 {
        self.unroutable
    }

    /// Datagrams on their way.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Offers a datagram sent by node `from` at `now` to the link towards its
    /// destination, through the NATs between them (see [`Network`]).
    pub fn send(&mut self, now: Instant, from: NodeId, mut datagram: Datagram) {
        // Outwards, through the NATs of the sender's side, until the
        // destination is a node or a NAT's public IP of the realm reached.
        let mut realm = self.node_realms[from.0];
        let mut left_through = None;
        let mut next = loop {
            if let Some(next) = self.next_hop(realm, datagram.destination) {
                break next;
            }
            let Realm::BehindNat(nat) = realm else {
                self.unroutable += 1;
                return;
            };
            let translated =
                self.nats[nat.0].translate_out(now, datagram.source, datagram.destination);
            match translated {
                Ok(public) => datagram.source = public,
                Err(OutboundDrop::Counted) => return,
                Err(OutboundDrop::NoAddressFamily) => {
                    self.unroutable += 1;
                    return;
                }
            }
            left_through = Some(nat);
            realm = self.nats[nat.0].outside;
        };
        // Inwards, through the NATs of the receiver's side, by the mappings
        // they hold now; their filters are applied on arrival.
        let mut inbound = Vec::new();
        let mut public = datagram.destination;
        let to = loop {
            let nat = match next {
                Hop::Node(to) => break to,
                Hop::Nat(nat) => nat,
            };
            let Some(private) = self.nats[nat.0].lookup_in(now, public) else {
                return;
            };
            inbound.push(InboundHop {
                nat,
                public,
                private,
                hairpin: inbound.is_empty() && left_through == Some(nat),
            });
            let Some(hop) = self.next_hop(Realm::BehindNat(nat), private) else {
                self.unroutable += 1;
                return;
            };
            next = hop;
            public = private;
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
                self.schedule(dup_at, from, to, datagram.clone(), inbound.clone());
            }
            self.schedule(at, from, to, datagram, inbound);
        }
    }

    /// Where `destination` leads within `realm`: a node there, or a NAT
    /// whose public IP it is.
    fn next_hop(&self, realm: Realm, destination: SocketAddr) -> Option<Hop> {
        if let Some(node) = self.node_in(realm, destination) {
            return Some(Hop::Node(node));
        }
        self.nat_ips
            .get(&(realm, destination.ip()))
            .map(|&nat| Hop::Nat(nat))
    }

    fn schedule(
        &mut self,
        arrival: Instant,
        from: NodeId,
        to: NodeId,
        datagram: Datagram,
        inbound: Vec<InboundHop>,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.in_flight.push(Reverse(InFlight {
            arrival,
            seq,
            from,
            to,
            datagram,
            inbound,
        }));
    }

    /// When the next datagram arrives (at its node, or at a NAT that may
    /// still drop it).
    pub fn next_arrival(&self) -> Option<Instant> {
        self.in_flight.peek().map(|Reverse(f)| f.arrival)
    }

    /// The next datagram that has arrived by `now`, with the node it is for.
    /// Datagrams the NATs on the receiver's side refuse on arrival are
    /// counted and skipped.
    pub fn poll_arrival(&mut self, now: Instant) -> Option<(NodeId, Datagram)> {
        loop {
            if self.next_arrival()? > now {
                return None;
            }
            let Reverse(mut f) = self.in_flight.pop()?;
            let admitted = f.inbound.iter().all(|hop| {
                let nat = &mut self.nats[hop.nat.0];
                nat.translate_in(now, hop.public, hop.private, f.datagram.source, hop.hairpin)
            });
            let stats = &mut self.link_mut(f.from, f.to).stats;
            if !admitted {
                stats.dropped_nat += 1;
                continue;
            }
            if let Some(last) = f.inbound.last() {
                f.datagram.destination = last.private;
            }
            stats.delivered += 1;
            stats.delivered_bytes += f.datagram.payload.len() as u64;
            return Some((f.to, f.datagram));
        }
    }

    fn link_mut(&mut self, from: NodeId, to: NodeId) -> &mut Link {
        let default = &self.default_link;
        self.links
            .entry((from, to))
            .or_insert_with(|| Link::new(default.clone()))
    }
}
