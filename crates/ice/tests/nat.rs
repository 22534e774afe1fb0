//! NATs simulated by netsim: which path ICE finds (host, server-reflexive,
//! peer-reflexive) or that it fails cleanly without a relay.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Place, StunServer, World, addr, config};
use sanderling_ice::{CandidateKind, ConnectionState, IceConfig, IceEvent};
use sanderling_netsim::NatConfig;

const STUN: &str = "203.0.113.1:3478";

fn with_stun(seed: u8, controlling: bool) -> IceConfig {
    IceConfig {
        stun_servers: vec![addr(STUN)],
        ..config(seed, controlling)
    }
}

fn srflx_of(w: &mut World, id: sanderling_netsim::NodeId) -> Vec<SocketAddr> {
    w.node(id)
        .agent
        .local_candidates()
        .into_iter()
        .filter(|c| c.kind == CandidateKind::ServerReflexive)
        .filter_map(|c| c.address.socket_addr())
        .collect()
}

/// a behind `nat_a` (or public at 198.51.100.10), b behind `nat_b` (or
/// public at 198.51.100.20), a STUN server on the public side.
fn world(seed: u8, nat_a: Option<NatConfig>, nat_b: Option<NatConfig>) -> World {
    let mut w = World::new(u64::from(seed));
    w.add_stun_server(STUN);
    let place = |w: &mut World, nat: Option<NatConfig>, ip: &str| match nat {
        Some(n) => Place::Behind(w.add_nat(n, ip)),
        None => Place::Public,
    };
    let pa = place(&mut w, nat_a.clone(), "198.51.100.1");
    let a_addr = if nat_a.is_some() {
        "192.168.1.10:5000"
    } else {
        "198.51.100.10:5000"
    };
    w.a = w.add_node(pa, &[a_addr], with_stun(seed, true));
    let pb = place(&mut w, nat_b.clone(), "198.51.100.2");
    let b_addr = if nat_b.is_some() {
        "192.168.2.10:5000"
    } else {
        "198.51.100.20:5000"
    };
    w.b = w.add_node(pb, &[b_addr], with_stun(seed + 1, false));
    w.exchange_credentials();
    w
}

#[test]
fn stun_server_gives_server_reflexive_candidates_and_gathering_completes() {
    let mut w = world(41, Some(NatConfig::port_restricted_cone()), None);
    let a = w.a;
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.a().agent.gathering_state() == sanderling_ice::GatheringState::Complete
    }));
    assert_eq!(srflx_of(&mut w, a), vec![addr("198.51.100.1:49152")]);
    let c = w
        .a()
        .agent
        .local_candidates()
        .into_iter()
        .find(|c| c.kind == CandidateKind::ServerReflexive)
        .unwrap();
    assert_eq!(c.related, Some(addr("192.168.1.10:5000")));
    // The public b learns nothing new from the server: its reflexive
    // address is its host address (deduplicated).
    let b = w.b;
    w.run_until(Duration::from_secs(5), |w| {
        w.b().agent.gathering_state() == sanderling_ice::GatheringState::Complete
    });
    assert!(srflx_of(&mut w, b).is_empty());
    // The end-of-candidates came after the reflexive candidate.
    let events = &w.a().events;
    let srflx_at = events
        .iter()
        .position(|(_, e)| matches!(e, IceEvent::LocalCandidate(c) if c.kind == CandidateKind::ServerReflexive))
        .unwrap();
    let eoc_at = events
        .iter()
        .position(|(_, e)| *e == IceEvent::EndOfLocalCandidates)
        .unwrap();
    assert!(srflx_at < eoc_at);
}

#[test]
fn unanswered_stun_server_times_out_and_gathering_completes() {
    let mut w = World::new(43);
    let cfg = IceConfig {
        stun_servers: vec![addr("203.0.113.99:3478")],
        ..config(43, true)
    };
    w.a = w.add_node(Place::Public, &["198.51.100.10:5000"], cfg);
    w.b = w.add_node(Place::Public, &["198.51.100.20:5000"], config(44, false));
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.a().agent.gathering_state() == sanderling_ice::GatheringState::Complete
    }));
    // 500 ms doubling to 1.6 s, 5 transmissions, then one more RTO.
    let t = w.sim.elapsed();
    assert!(
        t >= Duration::from_millis(6300) && t < Duration::from_millis(6400),
        "{t:?}"
    );
    assert_eq!(w.a().agent.stats().retransmissions, 4);
}

#[test]
fn both_behind_full_cone_connect_server_reflexive() {
    let mut w = world(
        45,
        Some(NatConfig::full_cone()),
        Some(NatConfig::full_cone()),
    );
    let b = w.b;
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    }));
    let (local, remote) = w.a().agent.selected_pair().unwrap();
    assert_eq!(local, addr("192.168.1.10:5000"), "sent from the host base");
    let b_srflx = srflx_of(&mut w, b);
    assert_eq!(b_srflx.len(), 1);
    assert_eq!(remote, b_srflx[0], "to b's server-reflexive address");
    // The host pair (private addresses of different networks) failed.
    let pairs = w.a().agent.pairs();
    assert!(pairs.iter().any(|p| p.remote == addr("192.168.2.10:5000")));
}

#[test]
fn port_restricted_behind_nat_to_public_peer() {
    let mut w = world(47, Some(NatConfig::port_restricted_cone()), None);
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert_eq!(
        w.a().agent.selected_pair(),
        Some((addr("192.168.1.10:5000"), addr("198.51.100.20:5000")))
    );
    // b sends to a's public mapping.
    let (_, remote) = w.b().agent.selected_pair().unwrap();
    assert_eq!(
        remote.ip(),
        "198.51.100.1".parse::<std::net::IpAddr>().unwrap()
    );
}

#[test]
fn both_port_restricted_connect_by_hole_punching() {
    let mut w = world(
        49,
        Some(NatConfig::port_restricted_cone()),
        Some(NatConfig::port_restricted_cone()),
    );
    assert!(w.run_until(Duration::from_secs(20), |w| {
        w.both(ConnectionState::Completed)
    }));
    let (_, remote) = w.a().agent.selected_pair().unwrap();
    assert_eq!(
        remote.ip(),
        "198.51.100.2".parse::<std::net::IpAddr>().unwrap()
    );
}

#[test]
fn symmetric_to_public_connects_peer_reflexive() {
    let mut w = world(51, Some(NatConfig::symmetric()), None);
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    }));
    // b only knows a's server-reflexive address, which is useless from a
    // symmetric NAT: the address b uses was learned from a's check.
    let remotes = w.b().agent.remote_candidates();
    let (_, remote) = w.b().agent.selected_pair().unwrap();
    let used = remotes
        .iter()
        .find(|c| c.address.socket_addr() == Some(remote))
        .unwrap();
    assert_eq!(used.kind, CandidateKind::PeerReflexive);
}

#[test]
fn both_symmetric_without_relay_fail_clearly() {
    let mut w = world(
        53,
        Some(NatConfig::symmetric()),
        Some(NatConfig::symmetric()),
    );
    assert!(w.run_until(Duration::from_secs(60), |w| w.both(ConnectionState::Failed)));
    for id in [w.a, w.b] {
        let node = w.node(id);
        assert_eq!(node.agent.selected_pair(), None);
        assert!(node.selected.is_empty(), "never selected anything");
        assert_eq!(
            node.states,
            vec![ConnectionState::Checking, ConnectionState::Failed]
        );
        assert!(
            node.agent
                .pairs()
                .iter()
                .all(|p| p.state == sanderling_ice::PairState::Failed)
        );
    }
    let _ = StunServer::default();
}

/// Gives `id` a relay allocation on the stand-in relay at `server`.
fn use_relay(w: &mut World, id: sanderling_netsim::NodeId, server: &str, base: &str) {
    w.node(id).relay = Some(common::relay::RelayClient {
        server: addr(server),
        base: addr(base),
        relayed: None,
        requested: false,
    });
}

#[test]
fn both_symmetric_connect_through_a_relayed_candidate() {
    // Until the TURN client lands, a stand-in relay exercises the hook: a
    // relayed local candidate whose checks and data go through the
    // allocation.
    let mut w = world(
        55,
        Some(NatConfig::symmetric()),
        Some(NatConfig::symmetric()),
    );
    let relay_addr = "203.0.113.50:3478";
    let pool: Vec<SocketAddr> = (0..4)
        .map(|i| addr(&format!("203.0.113.50:{}", 50000 + i)))
        .collect();
    let relay = w.sim.add_endpoint(
        addr(relay_addr),
        common::relay::RelayServer::new(pool.clone()),
    );
    for a in &pool {
        w.sim.network_mut().add_address(relay, *a);
    }
    let a = w.a;
    use_relay(&mut w, a, relay_addr, "192.168.1.10:5000");
    assert!(w.run_until(Duration::from_secs(30), |w| {
        w.both(ConnectionState::Completed)
    }));
    let relayed = w.a().relay.clone().unwrap().relayed.unwrap();
    assert!(pool.contains(&relayed));
    let cands = w.a().agent.local_candidates();
    let rc = cands
        .iter()
        .find(|c| c.kind == CandidateKind::Relayed)
        .unwrap();
    assert_eq!(rc.address.socket_addr(), Some(relayed));
    assert_eq!(
        rc.related.map(|r| r.ip()),
        Some("198.51.100.1".parse().unwrap())
    );
    // a sends from its relayed address; b sends to it.
    assert_eq!(w.a().agent.selected_pair().unwrap().0, relayed);
    assert_eq!(w.b().agent.selected_pair().unwrap().1, relayed);
    // Data flows both ways through the relay, and consent keeps it up.
    w.a().data_interval = Some(Duration::from_millis(100));
    w.b().data_interval = Some(Duration::from_millis(100));
    w.run_for(Duration::from_secs(40));
    assert!(w.both(ConnectionState::Completed));
    assert!(w.a().data_received > 300 && w.b().data_received > 300);
    assert!(
        w.sim
            .endpoint::<common::relay::RelayServer>(relay)
            .forwarded
            > 300
    );
}

#[test]
fn relay_gathering_holds_gathering_open_until_the_allocation() {
    let mut w = world(57, Some(NatConfig::port_restricted_cone()), None);
    let a = w.a;
    // A relay that does not exist: gathering waits, then the owner reports
    // the failure and gathering completes.
    use_relay(&mut w, a, "203.0.113.77:3478", "192.168.1.10:5000");
    w.run_for(Duration::from_secs(10));
    assert_eq!(
        w.a().agent.gathering_state(),
        sanderling_ice::GatheringState::Gathering
    );
    w.a()
        .agent
        .relay_gathering_failed(addr("203.0.113.77:3478"));
    w.run_for(Duration::from_millis(20));
    assert_eq!(
        w.a().agent.gathering_state(),
        sanderling_ice::GatheringState::Complete
    );
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
}

#[test]
fn full_cone_both_sides_with_loss_and_delay() {
    for seed in [59u8, 61, 63] {
        let mut w = world(
            seed,
            Some(NatConfig::full_cone()),
            Some(NatConfig::port_restricted_cone()),
        );
        let (a, b) = (w.a, w.b);
        let link = sanderling_netsim::LinkConfig {
            delay: Duration::from_millis(40),
            jitter: Duration::from_millis(10),
            loss: 0.1,
            ..Default::default()
        };
        w.sim.network_mut().set_path(a, b, link.clone());
        w.sim.network_mut().set_default_link(link);
        let ok = w.run_until(Duration::from_secs(30), |w| {
            w.both(ConnectionState::Completed)
        });
        let states = (w.a().states.clone(), w.b().states.clone());
        assert!(ok, "seed {seed}: {states:?}");
        w.run_for(Duration::from_secs(120));
        let states = w.a().states.clone();
        assert!(w.connected(), "seed {seed}: {states:?}");
    }
}
