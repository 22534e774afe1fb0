//! The TURN client as a netsim endpoint behind a NAT, with a relaying fake
//! TURN server (the unit tests' scripted server plus a relayed address) and
//! a peer that echoes: the relayed candidate end to end under loss, over
//! half an hour of refreshes, and keepalives holding the NAT binding.
#![allow(missing_docs)]

#[path = "../src/turn/tests/fake_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod fake_server;

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use fake_server::{FakeServer, PASSWORD, Seen, USER};
use sanderling_ice::turn::{TurnClient, TurnConfig, TurnEvent, TurnState, TurnTransport};
use sanderling_netsim::traffic::Echo;
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NatConfig, NodeId, Sim, Transmit};
use sanderling_stun::Method;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const SERVER: &str = "203.0.113.1:3478";
const RELAYED: &str = "203.0.113.1:50000";
const PEER: &str = "198.51.100.7:5000";
const NAT_IP: &str = "198.51.100.1";
const HOST: &str = "192.168.1.10:5000";

/// The client as an endpoint; events are collected for the test.
struct ClientNode {
    client: TurnClient,
    events: Vec<TurnEvent>,
}

impl ClientNode {
    fn drain(&mut self) {
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    fn echoes(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, TurnEvent::Data { peer, .. } if *peer == addr(PEER)))
            .count()
    }
}

impl Endpoint for ClientNode {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.client.handle_input(now, datagram.payload);
        self.drain();
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let payload = self.client.poll_transmit(now)?;
        Some(Transmit {
            destination: self.client.server(),
            source: None,
            payload,
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.client.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.client.handle_timeout(now);
        self.drain();
    }
}

/// The scripted server on SERVER, relaying between the client and peers on
/// RELAYED. It counts how often the client's source address changed: a new
/// 5-tuple, which a real server answers with 437 Allocation Mismatch.
struct RelayNode {
    server: FakeServer,
    client: Option<SocketAddr>,
    rebinds: usize,
    relayed_seen: usize,
    out: VecDeque<Transmit>,
}

impl RelayNode {
    fn new() -> Self {
        let mut server = FakeServer::new(false);
        server.relayed = addr(RELAYED);
        Self {
            server,
            client: None,
            rebinds: 0,
            relayed_seen: 0,
            out: VecDeque::new(),
        }
    }
}

impl Endpoint for RelayNode {
    fn handle_datagram(&mut self, _now: Instant, d: Datagram) {
        if d.destination == addr(SERVER) {
            if self.client.is_some_and(|c| c != d.source) {
                self.rebinds += 1;
            }
            self.client = Some(d.source);
            self.server.mapped = d.source;
            for answer in self.server.handle(d.payload) {
                self.out.push_back(Transmit {
                    destination: d.source,
                    source: Some(addr(SERVER)),
                    payload: answer,
                });
            }
            for seen in &self.server.seen[self.relayed_seen..] {
                let (peer, data) = match seen {
                    Seen::Send(peer, data) => (*peer, data.clone()),
                    Seen::ChannelData(n, data, _) => (self.server.channels[n], data.clone()),
                    _ => continue,
                };
                self.out.push_back(Transmit {
                    destination: peer,
                    source: Some(addr(RELAYED)),
                    payload: data,
                });
            }
            self.relayed_seen = self.server.seen.len();
        } else if d.destination == addr(RELAYED) {
            let Some(client) = self.client else { return };
            if !self.server.permissions.contains(&d.source.ip()) {
                return;
            }
            let bound = self
                .server
                .channels
                .iter()
                .find(|(_, p)| **p == d.source)
                .map(|(n, _)| *n);
            let payload = match bound {
                Some(n) => self.server.channel_data(n, &d.payload),
                None => self.server.data_indication(d.source, &d.payload),
            };
            self.out.push_back(Transmit {
                destination: client,
                source: Some(addr(SERVER)),
                payload,
            });
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

struct World {
    sim: Sim,
    client: NodeId,
    server: NodeId,
}

fn world(seed: u64, link: LinkConfig, keepalive: Option<Duration>) -> World {
    let mut sim = Sim::new(seed);
    sim.network_mut().set_default_link(link);
    let nat = sim.add_nat(
        NatConfig::port_restricted_cone(),
        NAT_IP.parse::<IpAddr>().unwrap(),
    );
    let mut config = TurnConfig::new(addr(SERVER), TurnTransport::Udp, USER, PASSWORD, [5; 32]);
    config.keepalive = keepalive;
    let client = ClientNode {
        client: TurnClient::new(sim.now(), config).unwrap(),
        events: Vec::new(),
    };
    let client = sim.add_endpoint_behind_nat(nat, addr(HOST), client);
    let server = sim.add_endpoint(addr(SERVER), RelayNode::new());
    sim.network_mut().add_address(server, addr(RELAYED));
    sim.add_endpoint(addr(PEER), Echo::default());
    World {
        sim,
        client,
        server,
    }
}

impl World {
    fn client(&mut self) -> &mut ClientNode {
        self.sim.endpoint_mut::<ClientNode>(self.client)
    }

    fn relay(&self) -> &RelayNode {
        self.sim.endpoint::<RelayNode>(self.server)
    }

    fn allocate(&mut self) -> (SocketAddr, Option<SocketAddr>) {
        let id = self.client;
        let done = self.sim.run_until(Duration::from_secs(30), |sim| {
            sim.endpoint::<ClientNode>(id)
                .events
                .iter()
                .any(|e| matches!(e, TurnEvent::Allocated { .. }))
        });
        assert!(done, "no allocation: {:?}", self.client().events);
        let c = self.client();
        (
            c.client.relayed_address().unwrap(),
            c.client.mapped_address(),
        )
    }

    fn ping(&mut self, payload: &'static [u8]) {
        let now = self.sim.now();
        let c = self.client();
        c.client
            .send_to(now, addr(PEER), Bytes::from_static(payload))
            .unwrap();
        c.drain();
    }
}

#[test]
fn relayed_candidate_behind_a_nat_under_loss() {
    let link = LinkConfig {
        loss: 0.1,
        ..LinkConfig::with_delay(Duration::from_millis(20))
    };
    let mut w = world(11, link, Some(Duration::from_secs(15)));
    let (relayed, mapped) = w.allocate();
    assert_eq!(relayed, addr(RELAYED));
    let mapped = mapped.expect("XOR-MAPPED-ADDRESS");
    assert_eq!(
        mapped.ip(),
        NAT_IP.parse::<IpAddr>().unwrap(),
        "srflx is the NAT's address"
    );

    // 50 pings through the relay to the echoing peer, 100 ms apart.
    for _ in 0..50 {
        w.ping(b"ping");
        w.sim.run_for(Duration::from_millis(100));
    }
    w.sim.run_for(Duration::from_secs(2));
    let echoes = w.client().echoes();
    // Four lossy links per round trip (0.9^4 = 66%), the first few wait
    // for the permission: most come back.
    assert!(echoes >= 20, "only {echoes} echoes of 50");
    let stats = w.client().client.stats();
    assert!(stats.channel_data_sent > 0 && stats.channel_data_received > 0);
    assert!(stats.retransmissions > 0, "loss made retransmissions");

    // Half an hour, a ping every 20 s: refreshes (allocation, permission,
    // channel) keep everything alive through the loss.
    let before = w.client().echoes();
    for _ in 0..90 {
        w.ping(b"ping");
        w.sim.run_for(Duration::from_secs(20));
    }
    let c = w.client();
    assert_eq!(c.client.state(), TurnState::Allocated, "{:?}", c.events);
    assert!(c.echoes() - before >= 40, "{} echoes", c.echoes() - before);
    assert!(
        c.events
            .iter()
            .filter(|e| matches!(e, TurnEvent::Refreshed { .. }))
            .count()
            >= 3
    );
    assert!(w.relay().server.requests(Method::CHANNEL_BIND).len() >= 3);
    assert_eq!(w.relay().rebinds, 0);
}

/// An idle allocation for ten minutes behind a NAT whose bindings last two
/// minutes, then a ping: with keepalives the server still sees the same
/// 5-tuple; without, the NAT made a new binding (a real server would
/// answer 437 and the peer's data to the old one would be lost).
fn idle_then_ping(keepalive: Option<Duration>) -> usize {
    let mut w = world(3, LinkConfig::default(), keepalive);
    w.allocate();
    w.ping(b"first");
    w.sim.run_for(Duration::from_secs(1));
    assert_eq!(w.client().echoes(), 1);
    w.sim.run_for(Duration::from_secs(600));
    w.ping(b"after idling");
    w.sim.run_for(Duration::from_secs(1));
    w.relay().rebinds
}

#[test]
fn keepalives_hold_the_nat_binding_of_an_idle_allocation() {
    assert_eq!(idle_then_ping(Some(Duration::from_secs(15))), 0);
    assert!(
        idle_then_ping(None) > 0,
        "the NAT binding should have expired"
    );
}
