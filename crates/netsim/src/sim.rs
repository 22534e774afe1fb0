//! The driver: endpoints, the network and the virtual clock together.

use std::any::Any;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::{Datagram, Endpoint, NatConfig, NatId, NatStats, Network, NodeId, Realm, VirtualClock};

/// How many rounds may run at one instant before the simulation decides an
/// endpoint keeps asking for a timeout it never clears.
const MAX_ROUNDS_PER_INSTANT: u32 = 1_000_000;

/// Endpoints on a simulated network, driven on a virtual clock.
///
/// Each round the simulator hands every datagram that has arrived to its
/// endpoint, fires every timeout that is due, collects every datagram the
/// endpoints want to send, and then jumps the clock to the next arrival or
/// timeout. Nothing sleeps.
pub struct Sim {
    clock: VirtualClock,
    network: Network,
    endpoints: Vec<Box<dyn Endpoint>>,
    /// The address each endpoint was added with: the source of transmits
    /// that name none.
    primary_addresses: Vec<SocketAddr>,
    rounds_at_this_instant: u32,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim")
            .field("elapsed", &self.clock.elapsed())
            .field("endpoints", &self.endpoints.len())
            .field("network", &self.network)
            .finish()
    }
}

impl Sim {
    /// An empty simulation whose network randomness follows from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            clock: VirtualClock::new(),
            network: Network::new(seed),
            endpoints: Vec::new(),
            primary_addresses: Vec::new(),
            rounds_at_this_instant: 0,
        }
    }

    /// Adds an endpoint reachable at `address` on the public network.
    pub fn add_endpoint<E: Endpoint>(&mut self, address: SocketAddr, endpoint: E) -> NodeId {
        self.add_endpoint_in(Realm::Public, address, endpoint)
    }

    /// Adds an endpoint at the private `address` behind `nat` (see
    /// [`Network`] for how datagrams cross NATs). The endpoint never sees
    /// the NAT, only the rewritten source addresses of what it receives.
    pub fn add_endpoint_behind_nat<E: Endpoint>(
        &mut self,
        nat: NatId,
        address: SocketAddr,
        endpoint: E,
    ) -> NodeId {
        self.add_endpoint_in(Realm::BehindNat(nat), address, endpoint)
    }

    /// Adds an endpoint reachable at `address` within `realm`.
    pub fn add_endpoint_in<E: Endpoint>(
        &mut self,
        realm: Realm,
        address: SocketAddr,
        endpoint: E,
    ) -> NodeId {
        let id = self.network.add_node_in(realm, address);
        debug_assert_eq!(id.0, self.endpoints.len());
        self.endpoints.push(Box::new(endpoint));
        self.primary_addresses.push(address);
        id
    }

    /// The endpoint `id`, as the type it was added with.
    ///
    /// # Panics
    /// If `id` is unknown or the endpoint is of another type.
    pub fn endpoint<E: Endpoint>(&self, id: NodeId) -> &E {
        let any: &dyn Any = self.endpoints[id.0].as_ref();
        any.downcast_ref()
            .unwrap_or_else(|| panic!("endpoint {id:?} is not a {}", std::any::type_name::<E>()))
    }

    /// The endpoint `id`, mutably, as the type it was added with. Inputs given
    /// to it directly (such as a message to send) take effect at the next
    /// round, when the simulator collects its transmits.
    ///
    /// # Panics
    /// If `id` is unknown or the endpoint is of another type.
    pub fn endpoint_mut<E: Endpoint>(&mut self, id: NodeId) -> &mut E {
        let any: &mut dyn Any = self.endpoints[id.0].as_mut();
        any.downcast_mut()
            .unwrap_or_else(|| panic!("endpoint {id:?} is not a {}", std::any::type_name::<E>()))
    }

    /// Adds a NAT at `public_ip` on the public network; put endpoints behind
    /// it with [`Sim::add_endpoint_behind_nat`].
    pub fn add_nat(&mut self, config: NatConfig, public_ip: IpAddr) -> NatId {
        self.network.add_nat(config, public_ip)
    }

    /// The counters of a NAT now.
    pub fn nat_stats(&self, nat: NatId) -> NatStats {
        self.network.nat_stats(nat, self.clock.now())
    }

    /// The network, to read link counters.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The network, to change links or add addresses.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    /// The current simulated instant.
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The instant the simulation started at.
    pub fn epoch(&self) -> Instant {
        self.clock.epoch()
    }

    /// Simulated time since the start.
    pub fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// Runs one round at the next instant that has work, if that instant is
    /// no later than `limit`. Returns false, with the clock moved to `limit`,
    /// when nothing happens before it.
    ///
    /// # Panics
    /// If an endpoint keeps returning a timeout at or before now that
    /// `handle_timeout` never clears (a bug in the endpoint under test).
    pub fn step(&mut self, limit: Instant) -> bool {
        self.collect_transmits();
        let next = self.next_event();
        let due = match next {
            Some(t) if t <= limit => t,
            _ => {
                self.clock.advance_to(limit);
                return false;
            }
        };
        if due > self.clock.now() {
            self.clock.advance_to(due);
            self.rounds_at_this_instant = 0;
        } else {
            self.rounds_at_this_instant += 1;
            assert!(
                self.rounds_at_this_instant < MAX_ROUNDS_PER_INSTANT,
                "simulation stuck at {:?}: an endpoint keeps asking for a timeout it never clears",
                self.clock.elapsed()
            );
        }
        let now = self.clock.now();
        while let Some((to, datagram)) = self.network.poll_arrival(now) {
            self.endpoints[to.0].handle_datagram(now, datagram);
        }
        for endpoint in &mut self.endpoints {
            if endpoint.poll_timeout().is_some_and(|t| t <= now) {
                endpoint.handle_timeout(now);
            }
        }
        self.collect_transmits();
        true
    }

    /// Runs for `duration` of simulated time.
    pub fn run_for(&mut self, duration: Duration) {
        let limit = self.clock.now() + duration;
        while self.step(limit) {}
    }

    /// Runs until `done` returns true (checked after every round) or
    /// `max` of simulated time has passed. Returns whether `done` held.
    pub fn run_until(&mut self, max: Duration, mut done: impl FnMut(&mut Sim) -> bool) -> bool {
        let limit = self.clock.now() + max;
        loop {
            if done(self) {
                return true;
            }
            if !self.step(limit) {
                return done(self);
            }
        }
    }

    fn next_event(&mut self) -> Option<Instant> {
        let timers = self.endpoints.iter_mut().filter_map(|e| e.poll_timeout());
        timers.chain(self.network.next_arrival()).min()
    }

    fn collect_transmits(&mut self) {
        let now = self.clock.now();
        for (i, endpoint) in self.endpoints.iter_mut().enumerate() {
            while let Some(t) = endpoint.poll_transmit(now) {
                let datagram = Datagram {
                    source: t.source.unwrap_or(self.primary_addresses[i]),
                    destination: t.destination,
                    payload: t.payload,
                };
                self.network.send(now, NodeId(i), datagram);
            }
        }
    }
}
