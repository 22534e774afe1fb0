//! Both peers behind symmetric NATs: only a TURN relay connects them. The
//! relay is the TURN client tests' scripted server, one per client, behind
//! one public address with a relayed port each.
#![allow(missing_docs)]

#[path = "../../ice/src/turn/tests/fake_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod fake_server;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fake_server::{FakeServer, PASSWORD, Seen, USER};
use sanderling_datachannel::{ChannelConfig, Message, ReadyState};
use sanderling_dtls::Certificate;
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NatConfig, NodeId, Sim, Transmit};
use sanderling_rtc::{
    ChannelHandle, ConnectionState, Peer, PeerConfig, PeerEvent, TurnServer, TurnTransport,
};

const SERVER: &str = "203.0.113.1:3478";

/// A TURN server for several clients: a scripted server per client source
/// address, each with its own relayed port on the server's IP.
#[derive(Default)]
struct Relay {
    by_client: HashMap<SocketAddr, FakeServer>,
    out: Vec<Transmit>,
}

impl Relay {
    fn relayed_owner(&self, relayed: SocketAddr) -> Option<SocketAddr> {
        self.by_client
            .iter()
            .find(|(_, s)| s.relayed == relayed)
            .map(|(c, _)| *c)
    }

    /// Sends `data` from `from` (a relayed address) to `peer`: through the
    /// other client's allocation if `peer` is one, else out on the network.
    fn relay(&mut self, from: SocketAddr, peer: SocketAddr, data: Bytes) {
        match self.relayed_owner(peer) {
            Some(client) => self.arrive(peer, from, data, client),
            None => self.out.push(Transmit {
                destination: peer,
                source: Some(from),
                payload: data,
            }),
        }
    }

    /// `data` from `peer` reached relayed address `relayed` of `client`.
    fn arrive(&mut self, relayed: SocketAddr, peer: SocketAddr, data: Bytes, client: SocketAddr) {
        let server = &self.by_client[&client];
        // RFC 8656 §9: only peers with a permission get through.
        if server.permissions.contains(&peer.ip()) {
            let payload = server.data_indication(peer, &data);
            let _ = relayed;
            self.out.push(Transmit {
                destination: client,
                source: Some(SERVER.parse().unwrap()),
                payload,
            });
        }
    }
}

impl Endpoint for Relay {
    fn handle_datagram(&mut self, _now: Instant, d: Datagram) {
        let server_addr: SocketAddr = SERVER.parse().unwrap();
        if d.destination != server_addr {
            // To a relayed address from the outside.
            if let Some(client) = self.relayed_owner(d.destination) {
                self.arrive(d.destination, d.source, d.payload, client);
            }
            return;
        }
        let next_port = 50000 + self.by_client.len() as u16;
        let server = self.by_client.entry(d.source).or_insert_with(|| {
            let mut s = FakeServer::new(false);
            s.relayed = SocketAddr::new(server_addr.ip(), next_port);
            s.mapped = d.source;
            s
        });
        let seen_before = server.seen.len();
        for answer in server.handle(d.payload) {
            self.out.push(Transmit {
                destination: d.source,
                source: Some(server_addr),
                payload: answer,
            });
        }
        let server = &self.by_client[&d.source];
        let from = server.relayed;
        let new: Vec<(SocketAddr, Bytes)> = server.seen[seen_before..]
            .iter()
            .filter_map(|s| match s {
                Seen::Send(peer, data) => Some((*peer, data.clone())),
                Seen::ChannelData(ch, data, _) => {
                    server.channels.get(ch).map(|p| (*p, data.clone()))
                }
                _ => None,
            })
            .collect();
        for (peer, data) in new {
            self.relay(from, peer, data);
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        if self.out.is_empty() {
            None
        } else {
            Some(self.out.remove(0))
        }
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

struct Node {
    peer: Peer,
    events: Vec<PeerEvent>,
}

impl Endpoint for Node {
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.peer
            .handle_input(now, d.destination, d.source, d.payload);
        while let Some(e) = self.peer.poll_event() {
            self.events.push(e);
        }
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let t = self.peer.poll_transmit(now);
        while let Some(e) = self.peer.poll_event() {
            self.events.push(e);
        }
        t.map(|t| Transmit {
            destination: t.remote,
            source: Some(t.local),
            payload: t.payload,
        })
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.peer.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
        while let Some(e) = self.peer.poll_event() {
            self.events.push(e);
        }
    }
}

fn config(seed: u8, turn: bool) -> PeerConfig {
    let mut c = PeerConfig {
        seed: [seed; 32],
        ..PeerConfig::default()
    };
    if turn {
        c.turn_servers = vec![TurnServer {
            address: SERVER.parse().unwrap(),
            transport: TurnTransport::Udp,
            username: USER.into(),
            password: PASSWORD.into(),
        }];
    }
    c
}

fn run(turn: bool) -> (Sim, NodeId, NodeId, ChannelHandle) {
    let mut sim = Sim::new(7);
    let relay = sim.add_endpoint(SERVER.parse().unwrap(), Relay::default());
    for port in 50000..50004 {
        let addr = SocketAddr::new(SERVER.parse::<SocketAddr>().unwrap().ip(), port);
        sim.network_mut().add_address(relay, addr);
    }
    let nat_a = sim.add_nat(NatConfig::symmetric(), "198.51.100.1".parse().unwrap());
    let nat_b = sim.add_nat(NatConfig::symmetric(), "198.51.100.2".parse().unwrap());
    let a_addr: SocketAddr = "192.168.1.10:40000".parse().unwrap();
    let b_addr: SocketAddr = "192.168.2.10:40000".parse().unwrap();
    let mut pa = Peer::new(config(1, turn), Certificate::generate().unwrap());
    let mut pb = Peer::new(config(2, turn), Certificate::generate().unwrap());
    let now = sim.now();
    let ch = pa
        .create_data_channel(now, ChannelConfig::new("via relay"))
        .unwrap();
    for (p, addr) in [(&mut pa, a_addr), (&mut pb, b_addr)] {
        p.add_local_address("eth0", addr);
        p.end_of_local_addresses();
    }
    let a = sim.add_endpoint_behind_nat(
        nat_a,
        a_addr,
        Node {
            peer: pa,
            events: vec![],
        },
    );
    let b = sim.add_endpoint_behind_nat(
        nat_b,
        b_addr,
        Node {
            peer: pb,
            events: vec![],
        },
    );
    for (x, y) in [(a, b), (a, relay), (b, relay)] {
        sim.network_mut()
            .set_path(x, y, LinkConfig::with_delay(Duration::from_millis(15)));
    }
    // Offer/answer; candidates trickle through the test as they come.
    let now = sim.now();
    let offer = sim.endpoint_mut::<Node>(a).peer.create_offer().unwrap();
    sim.endpoint_mut::<Node>(a)
        .peer
        .set_local_description(now, offer.clone())
        .unwrap();
    sim.endpoint_mut::<Node>(b)
        .peer
        .set_remote_description(now, offer)
        .unwrap();
    let answer = sim.endpoint_mut::<Node>(b).peer.create_answer().unwrap();
    sim.endpoint_mut::<Node>(b)
        .peer
        .set_local_description(now, answer.clone())
        .unwrap();
    sim.endpoint_mut::<Node>(a)
        .peer
        .set_remote_description(now, answer)
        .unwrap();
    let mut forwarded = [0usize; 2];
    let deadline = sim.now() + Duration::from_secs(40);
    while sim.now() < deadline {
        sim.run_for(Duration::from_millis(20));
        for (i, (from, to)) in [(a, b), (b, a)].into_iter().enumerate() {
            let cands: Vec<Option<String>> = sim.endpoint::<Node>(from).events[..]
                .iter()
                .filter_map(|e| match e {
                    PeerEvent::IceCandidate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect();
            for c in &cands[forwarded[i]..] {
                let _ = sim
                    .endpoint_mut::<Node>(to)
                    .peer
                    .add_ice_candidate(c.as_deref());
            }
            forwarded[i] = cands.len();
        }
        if sim
            .endpoint::<Node>(b)
            .events
            .iter()
            .any(|e| matches!(e, PeerEvent::DataChannel(_)))
            && sim.endpoint::<Node>(a).peer.channel_state(ch) == Some(ReadyState::Open)
        {
            break;
        }
    }
    (sim, a, b, ch)
}

#[test]
fn symmetric_nats_connect_through_the_relay() {
    let (mut sim, a, b, ch) = run(true);
    assert_eq!(
        sim.endpoint::<Node>(a).peer.connection_state(),
        ConnectionState::Connected
    );
    let (local, _) = sim.endpoint::<Node>(a).peer.selected_pair().unwrap();
    assert_eq!(
        local.ip(),
        SERVER.parse::<SocketAddr>().unwrap().ip(),
        "a relayed address carries the data"
    );
    let now = sim.now();
    sim.endpoint_mut::<Node>(a)
        .peer
        .send(now, ch, "relayed hello")
        .unwrap();
    let remote = sim
        .endpoint::<Node>(b)
        .events
        .iter()
        .find_map(|e| match e {
            PeerEvent::DataChannel(h) => Some(*h),
            _ => None,
        })
        .unwrap();
    assert!(sim.run_until(Duration::from_secs(5), |s| s.endpoint::<Node>(b).events.iter().any(|e| matches!(
        e,
        PeerEvent::ChannelMessage { channel, message: Message::Text(t) } if *channel == remote && t == "relayed hello"
    ))));
}

#[test]
fn symmetric_nats_without_a_relay_do_not_connect() {
    let (sim, a, b, _) = run(false);
    assert_ne!(
        sim.endpoint::<Node>(a).peer.connection_state(),
        ConnectionState::Connected
    );
    assert!(
        !sim.endpoint::<Node>(b)
            .events
            .iter()
            .any(|e| matches!(e, PeerEvent::DataChannel(_)))
    );
}
