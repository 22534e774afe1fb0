//! Each NAT behaviour, measured: what a reflector on the public side sees,
//! who gets in through a mapping, and the NAT's own counters.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use sanderling_netsim::traffic::Reflector;
use sanderling_netsim::{
    Datagram, Endpoint, FilteringBehavior, LinkConfig, MappingBehavior, NatConfig, NatId, NatStats,
    NodeId, PortAllocation, Realm, Sim, Transmit,
};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

const NAT_A: &str = "198.51.100.1";
const NAT_B: &str = "198.51.100.2";
const HOST: &str = "192.168.1.10:5000";
const HOST_2: &str = "192.168.1.20:5000";
const REFLECTOR: &str = "203.0.113.1:3478";
const REFLECTOR_2: &str = "203.0.113.2:3478";

/// One datagram as a [`Host`] received it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Received {
    at: Duration,
    source: SocketAddr,
    destination: SocketAddr,
    payload: String,
}

/// A socket the test drives: it sends what it is told to, records what
/// arrives, and answers every `punch` with an `ack` (as an ICE agent answers
/// a connectivity check), so a one-way hole is enough to be heard.
#[derive(Debug)]
struct Host {
    epoch: Instant,
    outbox: VecDeque<Transmit>,
    inbox: Vec<Received>,
}

impl Host {
    fn new(sim: &Sim) -> Self {
        Self {
            epoch: sim.epoch(),
            outbox: VecDeque::new(),
            inbox: Vec::new(),
        }
    }

    fn send(&mut self, to: SocketAddr, payload: &str) {
        self.outbox.push_back(Transmit {
            destination: to,
            source: None,
            payload: payload.to_owned().into(),
        });
    }

    fn send_from(&mut self, from: SocketAddr, to: SocketAddr, payload: &str) {
        self.outbox.push_back(Transmit {
            destination: to,
            source: Some(from),
            payload: payload.to_owned().into(),
        });
    }

    /// Sources of everything received, in order.
    fn sources(&self) -> Vec<SocketAddr> {
        self.inbox.iter().map(|r| r.source).collect()
    }

    /// The addresses reflectors reported, in order.
    fn reflexive(&self) -> Vec<SocketAddr> {
        self.inbox
            .iter()
            .filter_map(|r| Reflector::parse(r.payload.as_bytes()))
            .collect()
    }

    /// Whether anything arrived from `source`.
    fn heard_from(&self, source: SocketAddr) -> bool {
        self.inbox.iter().any(|r| r.source == source)
    }
}

impl Endpoint for Host {
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        let payload = String::from_utf8(d.payload.to_vec()).unwrap();
        if payload == "punch" {
            self.outbox.push_back(Transmit {
                destination: d.source,
                source: Some(d.destination),
                payload: "ack".into(),
            });
        }
        self.inbox.push(Received {
            at: now - self.epoch,
            source: d.source,
            destination: d.destination,
            payload,
        });
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.outbox.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

fn host(sim: &mut Sim, id: NodeId) -> &mut Host {
    sim.endpoint_mut::<Host>(id)
}

/// Lets everything sent so far arrive (links here have at most a second of
/// delay).
fn settle(sim: &mut Sim) {
    sim.run_for(Duration::from_secs(2));
}

/// A simulation with one NAT at [`NAT_A`], a host behind it at [`HOST`], and
/// a reflector reachable at [`REFLECTOR`] and at the same IP's port 3479.
fn one_nat(seed: u64, config: NatConfig) -> (Sim, NatId, NodeId, NodeId) {
    let mut sim = Sim::new(seed);
    let nat = sim.add_nat(config, ip(NAT_A));
    let h = Host::new(&sim);
    let client = sim.add_endpoint_behind_nat(nat, addr(HOST), h);
    let reflector = sim.add_endpoint(addr(REFLECTOR), Reflector::default());
    sim.network_mut()
        .add_address(reflector, addr("203.0.113.1:3479"));
    (sim, nat, client, reflector)
}

/// An outside host that only sends when told to.
fn outsider(sim: &mut Sim, at: &str) -> NodeId {
    let h = Host::new(sim);
    sim.add_endpoint(addr(at), h)
}

#[test]
fn full_cone_keeps_one_mapping_for_every_destination_and_admits_anyone() {
    let (mut sim, nat, client, reflector) = one_nat(1, NatConfig::full_cone());
    let stranger = outsider(&mut sim, "203.0.113.9:9000");
    let other_reflector = sim.add_endpoint(addr(REFLECTOR_2), Reflector::default());
    for to in [REFLECTOR, "203.0.113.1:3479", REFLECTOR_2] {
        host(&mut sim, client).send(addr(to), "probe");
    }
    settle(&mut sim);
    let mapped = addr("198.51.100.1:49152");
    assert_eq!(host(&mut sim, client).reflexive(), vec![mapped; 3]);
    // Both reflectors saw the public mapping, never the private address.
    let seen: Vec<SocketAddr> = sim
        .endpoint::<Reflector>(reflector)
        .seen()
        .iter()
        .chain(sim.endpoint::<Reflector>(other_reflector).seen())
        .map(|r| r.source)
        .collect();
    assert_eq!(seen, vec![mapped; 3]);

    // A host the client never contacted gets in, and is seen as itself; a
    // port nobody mapped does not lead anywhere.
    host(&mut sim, stranger).send(mapped, "hello");
    host(&mut sim, stranger).send(addr("198.51.100.1:49153"), "hello");
    settle(&mut sim);
    let last = host(&mut sim, client).inbox.last().cloned().unwrap();
    assert_eq!(last.source, addr("203.0.113.9:9000"));
    assert_eq!(last.destination, addr(HOST));
    assert_eq!(last.payload, "hello");
    assert_eq!(
        sim.nat_stats(nat),
        NatStats {
            mappings_created: 1,
            active_mappings: 1,
            translated_out: 3,
            translated_in: 4,
            dropped_no_mapping: 1,
            ..NatStats::default()
        }
    );
}

#[test]
fn restricted_cone_admits_any_port_of_a_contacted_address_only() {
    let (mut sim, nat, client, _) = one_nat(2, NatConfig::restricted_cone());
    let same_ip = outsider(&mut sim, "203.0.113.1:4000");
    let stranger = outsider(&mut sim, "203.0.113.9:9000");
    host(&mut sim, client).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    let mapped = host(&mut sim, client).reflexive()[0];
    assert_eq!(mapped, addr("198.51.100.1:49152"));
    host(&mut sim, same_ip).send(mapped, "same address, other port");
    host(&mut sim, stranger).send(mapped, "never contacted");
    settle(&mut sim);
    assert_eq!(
        host(&mut sim, client).sources(),
        [addr(REFLECTOR), addr("203.0.113.1:4000")]
    );
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.translated_in, stats.dropped_filtered), (2, 1));
}

#[test]
fn port_restricted_cone_admits_only_the_exact_endpoints_contacted() {
    let (mut sim, nat, client, _) = one_nat(3, NatConfig::port_restricted_cone());
    let same_ip = outsider(&mut sim, "203.0.113.1:4000");
    let stranger = outsider(&mut sim, "203.0.113.9:9000");
    host(&mut sim, client).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    let mapped = host(&mut sim, client).reflexive()[0];
    host(&mut sim, same_ip).send(mapped, "other port");
    host(&mut sim, stranger).send(mapped, "never contacted");
    settle(&mut sim);
    assert_eq!(host(&mut sim, client).sources(), [addr(REFLECTOR)]);
    assert_eq!(sim.nat_stats(nat).dropped_filtered, 2);

    // Once the client has sent to 203.0.113.1:4000, through the same
    // mapping, that endpoint gets in too.
    host(&mut sim, client).send(addr("203.0.113.1:4000"), "hi");
    settle(&mut sim);
    host(&mut sim, same_ip).send(mapped, "now allowed");
    settle(&mut sim);
    assert_eq!(
        host(&mut sim, client).sources(),
        [addr(REFLECTOR), addr("203.0.113.1:4000")]
    );
    let stats = sim.nat_stats(nat);
    assert_eq!(
        (
            stats.mappings_created,
            stats.translated_in,
            stats.dropped_filtered
        ),
        (1, 2, 2)
    );
}

#[test]
fn symmetric_nat_maps_each_destination_apart_and_admits_only_it() {
    let (mut sim, nat, client, reflector) = one_nat(4, NatConfig::symmetric());
    let peer = outsider(&mut sim, "203.0.113.5:7000");
    sim.network_mut()
        .add_address(peer, addr("203.0.113.5:7001"));
    let other_reflector = sim.add_endpoint(addr(REFLECTOR_2), Reflector::default());
    for to in [REFLECTOR, "203.0.113.1:3479", REFLECTOR_2] {
        host(&mut sim, client).send(addr(to), "probe");
    }
    settle(&mut sim);
    // Three destinations, three public ports, each reported once.
    assert_eq!(
        host(&mut sim, client).reflexive(),
        [
            addr("198.51.100.1:49152"),
            addr("198.51.100.1:49153"),
            addr("198.51.100.1:49154")
        ]
    );
    assert_eq!(sim.endpoint::<Reflector>(reflector).seen().len(), 2);
    assert_eq!(sim.endpoint::<Reflector>(other_reflector).seen().len(), 1);

    // Two ports of one peer: two more mappings.
    host(&mut sim, client).send(addr("203.0.113.5:7000"), "to 7000");
    host(&mut sim, client).send(addr("203.0.113.5:7001"), "to 7001");
    settle(&mut sim);
    let seen = host(&mut sim, peer).sources();
    assert_eq!(
        seen,
        [addr("198.51.100.1:49155"), addr("198.51.100.1:49156")]
    );
    // The mapping made for port 7000 admits 7000 only; the peer's 7001 gets
    // in only through the mapping made for it.
    let p = host(&mut sim, peer);
    p.send_from(addr("203.0.113.5:7001"), seen[0], "wrong mapping");
    p.send_from(addr("203.0.113.5:7000"), seen[0], "right mapping");
    p.send_from(addr("203.0.113.5:7001"), seen[1], "right mapping");
    settle(&mut sim);
    let inbox = &host(&mut sim, client).inbox;
    let from_peer: Vec<(SocketAddr, &str)> = inbox[3..]
        .iter()
        .map(|r| (r.source, r.payload.as_str()))
        .collect();
    assert_eq!(
        from_peer,
        [
            (addr("203.0.113.5:7000"), "right mapping"),
            (addr("203.0.113.5:7001"), "right mapping")
        ]
    );
    let stats = sim.nat_stats(nat);
    assert_eq!(
        (
            stats.mappings_created,
            stats.translated_out,
            stats.translated_in
        ),
        (5, 5, 5)
    );
    assert_eq!(stats.dropped_filtered, 1);
}

#[test]
fn address_dependent_mapping_shares_a_mapping_between_ports_of_one_address() {
    let config = NatConfig {
        mapping: MappingBehavior::AddressDependent,
        filtering: FilteringBehavior::AddressDependent,
        ..NatConfig::full_cone()
    };
    let (mut sim, nat, client, _) = one_nat(5, config);
    sim.add_endpoint(addr(REFLECTOR_2), Reflector::default());
    for to in [REFLECTOR, "203.0.113.1:3479", REFLECTOR_2] {
        host(&mut sim, client).send(addr(to), "probe");
    }
    settle(&mut sim);
    assert_eq!(
        host(&mut sim, client).reflexive(),
        [
            addr("198.51.100.1:49152"),
            addr("198.51.100.1:49152"),
            addr("198.51.100.1:49153")
        ]
    );
    assert_eq!(sim.nat_stats(nat).mappings_created, 2);
}

#[test]
fn a_mapping_expires_after_its_timeout_and_inbound_traffic_does_not_refresh_it() {
    let (mut sim, nat, client, _) = one_nat(6, NatConfig::full_cone());
    let stranger = outsider(&mut sim, "203.0.113.9:9000");
    host(&mut sim, client).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    let mapped = addr("198.51.100.1:49152");
    // Just before the 120 s default timeout the mapping still works (and
    // what comes in does not extend it) ...
    sim.run_for(Duration::from_secs(120) - sim.elapsed() - Duration::from_millis(1));
    host(&mut sim, stranger).send(mapped, "at 119.999 s");
    sim.run_for(Duration::from_micros(500));
    assert_eq!(host(&mut sim, client).inbox.len(), 2);
    assert_eq!(sim.nat_stats(nat).active_mappings, 1);
    // ... and at 120 s it is gone.
    sim.run_for(Duration::from_micros(500));
    assert_eq!(sim.elapsed(), Duration::from_secs(120));
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.active_mappings, stats.mappings_expired), (0, 1));
    host(&mut sim, stranger).send(mapped, "at 120 s");
    settle(&mut sim);
    assert_eq!(host(&mut sim, client).inbox.len(), 2);
    assert_eq!(sim.nat_stats(nat).dropped_no_mapping, 1);

    // Sending again makes a new mapping, on the next port.
    host(&mut sim, client).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    assert_eq!(
        host(&mut sim, client).reflexive(),
        [mapped, addr("198.51.100.1:49153")]
    );
    assert_eq!(sim.nat_stats(nat).mappings_created, 2);
}

#[test]
fn outbound_traffic_keeps_a_mapping_alive() {
    let config = NatConfig {
        mapping_timeout: Duration::from_secs(30),
        ..NatConfig::port_restricted_cone()
    };
    let (mut sim, nat, client, reflector) = one_nat(7, config);
    // A keepalive every 25 s for ten minutes: one mapping throughout.
    for _ in 0..24 {
        host(&mut sim, client).send(addr(REFLECTOR), "keepalive");
        sim.run_for(Duration::from_secs(25));
    }
    let sources: Vec<SocketAddr> = sim
        .endpoint::<Reflector>(reflector)
        .seen()
        .iter()
        .map(|r| r.source)
        .collect();
    assert_eq!(sources, vec![addr("198.51.100.1:49152"); 24]);
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.mappings_created, stats.mappings_expired), (1, 0));
    // 25 s after the last keepalive it is alive; 30 s after, it is not.
    assert_eq!(stats.active_mappings, 1);
    sim.run_for(Duration::from_secs(5));
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.active_mappings, stats.mappings_expired), (0, 1));
}

#[test]
fn a_filter_entry_ages_out_on_its_own_while_the_mapping_lives() {
    let config = NatConfig {
        mapping_timeout: Duration::from_secs(30),
        ..NatConfig::port_restricted_cone()
    };
    let (mut sim, nat, client, _) = one_nat(8, config);
    let old_peer = outsider(&mut sim, "203.0.113.5:7000");
    let live_peer = outsider(&mut sim, "203.0.113.6:7000");
    host(&mut sim, client).send(addr("203.0.113.5:7000"), "once");
    for _ in 0..3 {
        host(&mut sim, client).send(addr("203.0.113.6:7000"), "every 20 s");
        sim.run_for(Duration::from_secs(20));
    }
    // At 60 s the mapping lives (refreshed at 40 s), the entry for the peer
    // last contacted at 0 s does not.
    let mapped = host(&mut sim, live_peer).sources()[0];
    host(&mut sim, old_peer).send(mapped, "too late");
    host(&mut sim, live_peer).send(mapped, "still open");
    settle(&mut sim);
    let got: Vec<&str> = host(&mut sim, client)
        .inbox
        .iter()
        .map(|r| r.payload.as_str())
        .collect();
    assert_eq!(got, ["still open"]);
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.mappings_created, stats.dropped_filtered), (1, 1));
}

#[test]
fn a_mapping_that_expires_while_a_datagram_is_on_its_way_drops_it() {
    let (mut sim, nat, client, _) = one_nat(9, NatConfig::full_cone());
    let far = outsider(&mut sim, "203.0.113.9:9000");
    sim.network_mut()
        .set_link(far, client, LinkConfig::with_delay(Duration::from_secs(1)));
    host(&mut sim, client).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    let mapped = host(&mut sim, client).reflexive()[0];
    // Sent 0.5 s before the mapping expires, arriving 0.5 s after.
    sim.run_for(Duration::from_millis(119_500) - sim.elapsed());
    host(&mut sim, far).send(mapped, "late");
    settle(&mut sim);
    assert_eq!(host(&mut sim, client).inbox.len(), 1);
    let link = sim.network().link_stats(far, client);
    assert_eq!((link.sent, link.delivered, link.dropped_nat), (1, 0, 1));
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.mappings_expired, stats.dropped_no_mapping), (1, 1));
}

/// Two hosts behind one NAT, both known to the reflector.
fn two_behind_one(config: NatConfig) -> (Sim, NatId, NodeId, NodeId, [SocketAddr; 2]) {
    let (mut sim, nat, a, _) = one_nat(10, config);
    let h = Host::new(&sim);
    let b = sim.add_endpoint_behind_nat(nat, addr(HOST_2), h);
    host(&mut sim, a).send(addr(REFLECTOR), "probe");
    host(&mut sim, b).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    let mapped = [
        host(&mut sim, a).reflexive()[0],
        host(&mut sim, b).reflexive()[0],
    ];
    (sim, nat, a, b, mapped)
}

#[test]
fn hairpinning_turns_datagrams_around_with_the_public_source() {
    let (mut sim, nat, a, b, [a_public, b_public]) = two_behind_one(NatConfig::full_cone());
    host(&mut sim, b).send(a_public, "via the public address");
    settle(&mut sim);
    let last = host(&mut sim, a).inbox.last().cloned().unwrap();
    // A sees B's public mapping (RFC 4787 REQ-9), not B's private address.
    assert_eq!(last.source, b_public);
    assert_eq!(last.destination, addr(HOST));
    let stats = sim.nat_stats(nat);
    assert_eq!(
        (stats.translated_out, stats.translated_in, stats.hairpinned),
        (3, 3, 1)
    );

    // Between two hosts of one LAN, private addresses work directly and the
    // NAT sees nothing.
    host(&mut sim, b).send(addr(HOST), "on the LAN");
    settle(&mut sim);
    let last = host(&mut sim, a).inbox.last().cloned().unwrap();
    assert_eq!(
        (last.source, last.payload.as_str()),
        (addr(HOST_2), "on the LAN")
    );
    assert_eq!(sim.nat_stats(nat), stats);
}

#[test]
fn without_hairpinning_the_public_address_is_unreachable_from_inside() {
    let config = NatConfig {
        hairpinning: false,
        ..NatConfig::full_cone()
    };
    let (mut sim, nat, a, b, [a_public, _]) = two_behind_one(config);
    host(&mut sim, b).send(a_public, "via the public address");
    host(&mut sim, b).send(addr(HOST), "on the LAN");
    settle(&mut sim);
    let got: Vec<String> = host(&mut sim, a)
        .inbox
        .iter()
        .map(|r| r.payload.clone())
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1], "on the LAN");
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.hairpinned, stats.dropped_hairpin), (0, 1));
    assert_eq!((stats.translated_out, stats.mappings_created), (2, 2));
}

/// Hosts at the same private address behind two NATs, a reflector on the
/// public side and `delay` on the path between the two hosts. Each learns
/// its server-reflexive address.
struct TwoNats {
    sim: Sim,
    nats: [NatId; 2],
    hosts: [NodeId; 2],
    reflexive: [SocketAddr; 2],
}

fn two_nats(seed: u64, configs: [NatConfig; 2], delay: Duration) -> TwoNats {
    let mut sim = Sim::new(seed);
    let [config_a, config_b] = configs;
    let nats = [
        sim.add_nat(config_a, ip(NAT_A)),
        sim.add_nat(config_b, ip(NAT_B)),
    ];
    let hosts = nats.map(|nat| {
        let h = Host::new(&sim);
        sim.add_endpoint_behind_nat(nat, addr(HOST), h)
    });
    let reflector = sim.add_endpoint(addr(REFLECTOR), Reflector::default());
    let link = LinkConfig::with_delay(delay);
    sim.network_mut().set_path(hosts[0], hosts[1], link.clone());
    for h in hosts {
        sim.network_mut().set_path(h, reflector, link.clone());
        host(&mut sim, h).send(addr(REFLECTOR), "probe");
    }
    settle(&mut sim);
    let reflexive = hosts.map(|h| host(&mut sim, h).reflexive()[0]);
    TwoNats {
        sim,
        nats,
        hosts,
        reflexive,
    }
}

impl TwoNats {
    /// Both hosts send one punch to each other's reflexive address at once
    /// (each answers a punch it hears with an ack). Returns whether each
    /// heard anything from the other.
    fn punch(&mut self) -> [bool; 2] {
        let [a, b] = self.hosts;
        let [ra, rb] = self.reflexive;
        host(&mut self.sim, a).send(rb, "punch");
        host(&mut self.sim, b).send(ra, "punch");
        settle(&mut self.sim);
        let heard = |sim: &Sim, h: NodeId| {
            sim.endpoint::<Host>(h)
                .inbox
                .iter()
                .any(|r| r.payload == "punch" || r.payload == "ack")
        };
        [heard(&self.sim, a), heard(&self.sim, b)]
    }
}

#[test]
fn hole_punching_between_full_cone_nats_works() {
    let configs = [NatConfig::full_cone(), NatConfig::full_cone()];
    let mut t = two_nats(11, configs, Duration::from_millis(20));
    // The same private address on both sides, two different public ones.
    assert_eq!(
        t.reflexive,
        [addr("198.51.100.1:49152"), addr("198.51.100.2:49152")]
    );
    assert_eq!(t.punch(), [true, true]);
    // Each saw the other's punch from its reflexive address, and its ack.
    let [a, b] = t.hosts;
    for (me, other) in [(a, 1), (b, 0)] {
        let from_peer: Vec<(String, SocketAddr)> = host(&mut t.sim, me).inbox[1..]
            .iter()
            .map(|r| (r.payload.clone(), r.source))
            .collect();
        let peer = t.reflexive[other];
        assert_eq!(from_peer, [("punch".into(), peer), ("ack".into(), peer)]);
    }
    for nat in t.nats {
        let stats = t.sim.nat_stats(nat);
        assert_eq!((stats.mappings_created, stats.dropped()), (1, 0));
    }
}

#[test]
fn hole_punching_between_symmetric_nats_fails() {
    let configs = [NatConfig::symmetric(), NatConfig::symmetric()];
    let mut t = two_nats(12, configs, Duration::from_millis(20));
    assert_eq!(t.punch(), [false, false]);
    // Each punch left through a new mapping and hit a mapping whose filter
    // admits only the reflector.
    for nat in t.nats {
        let stats = t.sim.nat_stats(nat);
        assert_eq!(
            (stats.mappings_created, stats.dropped_filtered),
            (2, 1),
            "{stats:?}"
        );
    }
}

#[test]
fn hole_punching_across_every_pair_of_nat_types() {
    let types = [
        ("full cone", NatConfig::full_cone()),
        ("restricted cone", NatConfig::restricted_cone()),
        ("port restricted cone", NatConfig::port_restricted_cone()),
        ("symmetric", NatConfig::symmetric()),
    ];
    let mut outcomes = Vec::new();
    for (name_a, a) in &types {
        for (name_b, b) in &types {
            let mut t = two_nats(13, [a.clone(), b.clone()], Duration::from_millis(20));
            let heard = t.punch();
            assert_eq!(heard[0], heard[1], "{name_a} / {name_b}: one-way");
            if !heard[0] {
                outcomes.push((*name_a, *name_b));
            }
        }
    }
    // As in reality: only a symmetric NAT facing a port-restricting one (or
    // another symmetric one) defeats a simultaneous punch; a restricted cone
    // admits the symmetric side's new port because it filters on the
    // address alone, and a full cone admits anyone.
    assert_eq!(
        outcomes,
        [
            ("port restricted cone", "symmetric"),
            ("symmetric", "port restricted cone"),
            ("symmetric", "symmetric"),
        ]
    );
}

#[test]
fn a_hole_punched_while_a_datagram_is_on_its_way_lets_it_in() {
    let configs = [
        NatConfig::port_restricted_cone(),
        NatConfig::port_restricted_cone(),
    ];
    let mut t = two_nats(14, configs, Duration::from_millis(30));
    let [a, b] = t.hosts;
    let [ra, rb] = t.reflexive;
    // A punches at 0 ms; B opens its side 10 ms later, before A's punch
    // reaches B's NAT at 30 ms. The NAT filters on arrival, so it gets in.
    host(&mut t.sim, a).send(rb, "punch");
    t.sim.run_for(Duration::from_millis(10));
    host(&mut t.sim, b).send(ra, "opening");
    settle(&mut t.sim);
    assert!(host(&mut t.sim, b).heard_from(ra));
    assert!(host(&mut t.sim, a).heard_from(rb));
    let dropped: Vec<u64> = t.nats.map(|n| t.sim.nat_stats(n).dropped()).to_vec();
    assert_eq!(dropped, [0, 0]);

    // Opening 40 ms late, after the punch reached the NAT, is too late for
    // that punch (B's own datagram still gets through to A).
    let configs = [
        NatConfig::port_restricted_cone(),
        NatConfig::port_restricted_cone(),
    ];
    let mut t = two_nats(14, configs, Duration::from_millis(30));
    let [a, b] = t.hosts;
    let [ra, rb] = t.reflexive;
    host(&mut t.sim, a).send(rb, "punch");
    t.sim.run_for(Duration::from_millis(40));
    host(&mut t.sim, b).send(ra, "opening");
    settle(&mut t.sim);
    assert!(!host(&mut t.sim, b).heard_from(ra));
    assert!(host(&mut t.sim, a).heard_from(rb));
    assert_eq!(t.sim.nat_stats(t.nats[1]).dropped_filtered, 1);
    assert_eq!(t.sim.network().link_stats(a, b).dropped_nat, 1);
}

#[test]
fn links_apply_end_to_end_through_the_nat() {
    let (mut sim, nat, client, reflector) = one_nat(15, NatConfig::symmetric());
    sim.network_mut().set_path(
        client,
        reflector,
        LinkConfig::with_delay(Duration::from_millis(25)),
    );
    host(&mut sim, client).send(addr(REFLECTOR), "probe");
    settle(&mut sim);
    let reply = host(&mut sim, client).inbox[0].clone();
    assert_eq!(reply.at, Duration::from_millis(50));
    let there = sim.network().link_stats(client, reflector);
    let back = sim.network().link_stats(reflector, client);
    assert_eq!((there.delivered, back.delivered), (1, 1));
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.translated_out, stats.translated_in), (1, 1));
}

#[test]
fn port_preservation_keeps_the_private_port_while_it_is_free() {
    let config = NatConfig {
        port_preservation: true,
        ..NatConfig::port_restricted_cone()
    };
    let (_, _, _, _, mapped) = two_behind_one(config);
    // Both hosts use port 5000; the first keeps it, the second cannot.
    assert_eq!(
        mapped,
        [addr("198.51.100.1:5000"), addr("198.51.100.1:49152")]
    );
}

/// The public ports a symmetric NAT with random allocation in 20000..=29999
/// gives to five destinations.
fn random_ports(seed: u64, loss: f64) -> Vec<u16> {
    let config = NatConfig {
        port_allocation: PortAllocation::Random,
        port_range: 20000..=29999,
        ..NatConfig::symmetric()
    };
    let (mut sim, nat, client, reflector) = one_nat(seed, config);
    sim.network_mut().set_path(
        client,
        reflector,
        LinkConfig {
            loss,
            ..LinkConfig::default()
        },
    );
    for port in 3480..=3482 {
        sim.network_mut()
            .add_address(reflector, SocketAddr::new(ip("203.0.113.1"), port));
    }
    for port in 3478..=3482 {
        host(&mut sim, client).send(SocketAddr::new(ip("203.0.113.1"), port), "probe");
    }
    settle(&mut sim);
    assert_eq!(sim.nat_stats(nat).mappings_created, 5);
    sim.endpoint::<Reflector>(reflector)
        .seen()
        .iter()
        .map(|r| r.source.port())
        .collect()
}

#[test]
fn random_ports_follow_the_seed_and_stay_in_range() {
    let first = random_ports(16, 0.0);
    assert_eq!(first.len(), 5);
    let all = |seed| random_ports(seed, 0.0);
    assert_eq!(all(16), first);
    assert_ne!(all(17), first);
    // Loss on a link draws from the network's generator, not the NAT's: the
    // ports do not change.
    let lossy = random_ports(16, 0.3);
    assert!(lossy.len() < 5 && lossy.iter().all(|p| first.contains(p)));
    for seed in 0..50 {
        for port in all(seed) {
            assert!((20000..=29999).contains(&port));
        }
    }
}

#[test]
fn the_mapping_table_is_bounded() {
    let config = NatConfig {
        max_mappings: 2,
        ..NatConfig::symmetric()
    };
    let (mut sim, nat, client, reflector) = one_nat(18, config);
    sim.add_endpoint(addr(REFLECTOR_2), Reflector::default());
    for to in [REFLECTOR, "203.0.113.1:3479", REFLECTOR_2] {
        host(&mut sim, client).send(addr(to), "probe");
    }
    settle(&mut sim);
    assert_eq!(sim.endpoint::<Reflector>(reflector).seen().len(), 2);
    assert_eq!(host(&mut sim, client).reflexive().len(), 2);
    let stats = sim.nat_stats(nat);
    assert_eq!((stats.mappings_created, stats.dropped_table_full), (2, 1));
}

#[test]
fn several_public_ips_are_paired_per_private_host() {
    let mut sim = Sim::new(19);
    let nat = sim.add_nat(NatConfig::symmetric(), ip(NAT_A));
    sim.network_mut().add_nat_public_ip(nat, ip(NAT_B));
    let a = Host::new(&sim);
    let a = sim.add_endpoint_behind_nat(nat, addr(HOST), a);
    let b = Host::new(&sim);
    let b = sim.add_endpoint_behind_nat(nat, addr(HOST_2), b);
    let reflector = sim.add_endpoint(addr(REFLECTOR), Reflector::default());
    sim.network_mut()
        .add_address(reflector, addr("203.0.113.1:3479"));
    for h in [a, b] {
        for to in [REFLECTOR, "203.0.113.1:3479"] {
            host(&mut sim, h).send(addr(to), "probe");
        }
    }
    settle(&mut sim);
    let ips = |sim: &mut Sim, h| -> Vec<IpAddr> {
        host(sim, h).reflexive().iter().map(|r| r.ip()).collect()
    };
    // Each host keeps one public IP for all its mappings; the two hosts got
    // different ones.
    assert_eq!(ips(&mut sim, a), [ip(NAT_A), ip(NAT_A)]);
    assert_eq!(ips(&mut sim, b), [ip(NAT_B), ip(NAT_B)]);
    assert_eq!(sim.network().nat_public_ips(nat), [ip(NAT_A), ip(NAT_B)]);
}

#[test]
fn private_addresses_do_not_route_outside_their_realm() {
    let mut sim = Sim::new(20);
    let nat_a = sim.add_nat(NatConfig::full_cone(), ip(NAT_A));
    let nat_b = sim.add_nat(NatConfig::full_cone(), ip(NAT_B));
    let a = Host::new(&sim);
    let a = sim.add_endpoint_behind_nat(nat_a, addr(HOST), a);
    let b = Host::new(&sim);
    let b = sim.add_endpoint_behind_nat(nat_b, addr("192.168.1.99:5000"), b);
    let public = outsider(&mut sim, "203.0.113.9:9000");
    // B's private address means nothing to A's LAN or to the public network.
    host(&mut sim, a).send(addr("192.168.1.99:5000"), "to another LAN");
    host(&mut sim, public).send(addr(HOST), "to a private address");
    // An IPv6 datagram cannot leave through an IPv4-only NAT.
    sim.network_mut().add_address(a, addr("[fd00::10]:5000"));
    host(&mut sim, a).send_from(addr("[fd00::10]:5000"), addr("[2001:db8::1]:1"), "v6");
    settle(&mut sim);
    assert_eq!(sim.network().unroutable(), 3);
    assert!(host(&mut sim, b).inbox.is_empty());
    assert_eq!(sim.network().realm_of(a), Realm::BehindNat(nat_a));
    assert_eq!(
        sim.network()
            .node_in(Realm::BehindNat(nat_b), addr("192.168.1.99:5000")),
        Some(b)
    );
    assert_eq!(sim.network().node_of(addr("192.168.1.99:5000")), None);
    // A's datagram to another LAN still made a mapping on its way out.
    assert_eq!(sim.nat_stats(nat_a).mappings_created, 1);
}

#[test]
fn place_behind_nat_moves_a_node_with_all_its_addresses() {
    let mut sim = Sim::new(21);
    let h = Host::new(&sim);
    let client = sim.add_endpoint(addr(HOST), h);
    sim.network_mut()
        .add_address(client, addr("192.168.1.10:5001"));
    let reflector = sim.add_endpoint(addr(REFLECTOR), Reflector::default());
    host(&mut sim, client).send(addr(REFLECTOR), "before");
    settle(&mut sim);
    let nat = sim.add_nat(NatConfig::full_cone(), ip(NAT_A));
    sim.network_mut().place_behind_nat(client, nat);
    host(&mut sim, client).send(addr(REFLECTOR), "after");
    host(&mut sim, client).send_from(addr("192.168.1.10:5001"), addr(REFLECTOR), "after");
    settle(&mut sim);
    let seen: Vec<SocketAddr> = sim
        .endpoint::<Reflector>(reflector)
        .seen()
        .iter()
        .map(|r| r.source)
        .collect();
    assert_eq!(
        seen,
        [
            addr(HOST),
            addr("198.51.100.1:49152"),
            addr("198.51.100.1:49153")
        ]
    );
    assert_eq!(host(&mut sim, client).inbox.len(), 3);
}

#[test]
fn nested_nats_translate_twice_and_hairpin_at_the_carrier() {
    // Two homes behind one carrier-grade NAT: each home router's public
    // address is in the carrier's private realm.
    let mut sim = Sim::new(22);
    let cgn = sim.add_nat(NatConfig::full_cone(), ip("198.51.100.100"));
    let inside_cgn = Realm::BehindNat(cgn);
    let homes = [ip("100.64.0.2"), ip("100.64.0.3")].map(|public| {
        sim.network_mut()
            .add_nat_in(inside_cgn, NatConfig::full_cone(), public)
    });
    let hosts = homes.map(|home| {
        let h = Host::new(&sim);
        sim.add_endpoint_behind_nat(home, addr(HOST), h)
    });
    let reflector = sim.add_endpoint(addr(REFLECTOR), Reflector::default());
    for h in hosts {
        host(&mut sim, h).send(addr(REFLECTOR), "probe");
    }
    settle(&mut sim);
    let reflexive = hosts.map(|h| host(&mut sim, h).reflexive()[0]);
    assert_eq!(
        reflexive,
        [addr("198.51.100.100:49152"), addr("198.51.100.100:49153")]
    );
    assert_eq!(
        sim.endpoint::<Reflector>(reflector).seen()[0].source,
        reflexive[0]
    );
    // Home 1 reaches home 0 through the carrier's hairpin: out through its
    // router and the CGN, back in through the CGN and home 0's router.
    host(&mut sim, hosts[1]).send(reflexive[0], "neighbour");
    settle(&mut sim);
    let last = host(&mut sim, hosts[0]).inbox.last().cloned().unwrap();
    assert_eq!((last.source, last.destination), (reflexive[1], addr(HOST)));
    let cgn_stats = sim.nat_stats(cgn);
    assert_eq!(
        (
            cgn_stats.mappings_created,
            cgn_stats.translated_out,
            cgn_stats.translated_in,
            cgn_stats.hairpinned
        ),
        (2, 3, 3, 1)
    );
    for home in homes {
        let stats = sim.nat_stats(home);
        assert_eq!(stats.mappings_created, 1);
        assert_eq!(stats.hairpinned, 0);
    }
}

/// Everything every host and reflector received in a run with random ports,
/// lossy and jittery links and two NATs, as offsets from the start.
fn transcript(seed: u64) -> Vec<(usize, Duration, SocketAddr, String)> {
    let random = |base: NatConfig| NatConfig {
        port_allocation: PortAllocation::Random,
        ..base
    };
    let configs = [
        random(NatConfig::restricted_cone()),
        random(NatConfig::symmetric()),
    ];
    let mut t = two_nats(seed, configs, Duration::from_millis(20));
    let lossy = LinkConfig {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(15),
        loss: 0.2,
        ..LinkConfig::default()
    };
    let [a, b] = t.hosts;
    t.sim.network_mut().set_path(a, b, lossy);
    for _ in 0..20 {
        t.punch();
    }
    t.hosts
        .iter()
        .enumerate()
        .flat_map(|(i, &h)| {
            t.sim
                .endpoint::<Host>(h)
                .inbox
                .iter()
                .map(move |r| (i, r.at, r.source, r.payload.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_same_seed_replays_identically() {
    let first = transcript(23);
    assert!(first.len() > 20, "{}", first.len());
    assert_eq!(transcript(23), first);
    assert_ne!(transcript(24), first);
}
