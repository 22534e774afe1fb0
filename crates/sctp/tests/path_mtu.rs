//! Path MTU discovery (RFC 8899 §6.2.1) on the simulated network: the
//! association climbs to the largest probe size the link carries, sends
//! nothing larger (but its probes), and when the path shrinks under it
//! falls back to the base size without losing a byte.

mod common;

use std::time::Duration;

use common::{Pair, body, index_of, options};
use sanderling_netsim::LinkConfig;
use sanderling_sctp::association::SendOptions;
use sanderling_sctp::options::SctpOptions;

const PROBES: [usize; 3] = [1412, 8912, 16384];
const MSG: usize = 20_000;

fn link(mtu: usize) -> LinkConfig {
    LinkConfig {
        delay: Duration::from_millis(5),
        mtu,
        ..LinkConfig::default()
    }
}

fn probing(seed: u8) -> SctpOptions {
    SctpOptions {
        probe_mtus: PROBES.to_vec(),
        accept_large_packets: true,
        ..options(seed)
    }
}

/// Queues `n` messages from A on stream 1.
fn queue(pair: &mut Pair, from: u32, n: u32) {
    for i in from..from + n {
        pair.queue(1, body(1, i, MSG), SendOptions::default());
    }
}

/// Checks that B received messages `0..n` whole and in order.
fn check_received(pair: &mut Pair, n: u32) {
    let received = &pair.b().received;
    assert_eq!(received.len(), n as usize);
    for (i, m) in received.iter().enumerate() {
        let i = u32::try_from(i).unwrap();
        assert_eq!(index_of(m), (1, i));
        assert_eq!(m.payload, body(1, i, MSG), "message {i} intact");
    }
}

#[test]
fn climbs_to_the_largest_size_the_link_carries() {
    let mut pair = Pair::new(1, link(9000), probing(1), probing(2));
    pair.connect_both();
    queue(&mut pair, 0, 200);
    assert!(pair.run_until_received(200, Duration::from_secs(30)));
    check_received(&mut pair, 200);
    // The largest size's tries run a second apart.
    pair.sim.run_for(Duration::from_secs(5));

    let a = pair.a();
    assert_eq!(a.assoc.path_mtu(), 8912);
    // 1412 and 8912 answered at once; 16384 tried three times.
    assert_eq!(a.assoc.stats().mtu_probes_sent, 5);
    let probes_lost = a.sent.iter().filter(|s| s.1 == 16384).count();
    assert_eq!(probes_lost, 3);
    let largest_other = a.sent.iter().map(|s| s.1).filter(|&s| s != 16384).max();
    assert_eq!(largest_other, Some(8912), "data filled the confirmed size");
    assert_eq!(pair.sim.network().link_stats(pair.a, pair.b).dropped_mtu, 3);
}

#[test]
fn sizes_above_1500_wait_for_the_peers_word() {
    // B does not announce Large Packets Acceptable (as no other stack does).
    let b = SctpOptions {
        accept_large_packets: false,
        ..probing(2)
    };
    let mut pair = Pair::new(4, link(9000), probing(1), b);
    pair.connect_both();
    queue(&mut pair, 0, 50);
    assert!(pair.run_until_received(50, Duration::from_secs(30)));
    pair.sim.run_for(Duration::from_secs(5));
    check_received(&mut pair, 50);
    assert!(pair.b().assoc.capabilities().unwrap().large_packets);
    let a = pair.a();
    assert!(!a.assoc.capabilities().unwrap().large_packets);
    assert_eq!(a.assoc.path_mtu(), 1412);
    assert_eq!(a.assoc.stats().mtu_probes_sent, 1);
    assert!(a.sent.iter().all(|s| s.1 <= 1412));
}

#[test]
fn the_search_starts_when_data_fills_a_packet() {
    let mut pair = Pair::new(5, link(9000), probing(1), probing(2));
    pair.connect_both();
    // Messages that each fit a packet, well apart: nothing to gain from
    // larger packets, so nothing is probed.
    for i in 0..20 {
        pair.queue(1, body(1, i, 100), SendOptions::default());
        pair.sim.run_for(Duration::from_millis(100));
    }
    pair.sim.run_for(Duration::from_secs(5));
    assert_eq!(pair.b().received.len(), 20);
    assert_eq!(pair.a().assoc.stats().mtu_probes_sent, 0);
    assert_eq!(pair.a().assoc.path_mtu(), 1200);
    // The first packet data fills starts it.
    for i in 20..40 {
        pair.queue(1, body(1, i, MSG), SendOptions::default());
    }
    assert!(pair.run_until_received(40, Duration::from_secs(30)));
    pair.sim.run_for(Duration::from_secs(5));
    assert_eq!(pair.a().assoc.path_mtu(), 8912);
}

#[test]
fn without_probe_sizes_packets_stay_at_the_mtu() {
    let mut pair = Pair::new(2, link(9000), options(1), options(2));
    pair.connect_both();
    queue(&mut pair, 0, 50);
    assert!(pair.run_until_received(50, Duration::from_secs(30)));
    check_received(&mut pair, 50);
    let a = pair.a();
    assert_eq!(a.assoc.path_mtu(), 1200);
    assert_eq!(a.assoc.stats().mtu_probes_sent, 0);
    assert!(a.sent.iter().all(|s| s.1 <= 1200));
}

#[test]
fn a_shrinking_path_falls_back_and_loses_nothing() {
    let mut pair = Pair::new(3, link(9000), probing(1), probing(2));
    pair.connect_both();
    queue(&mut pair, 0, 100);
    assert!(pair.run_until_received(100, Duration::from_secs(30)));
    assert_eq!(pair.a().assoc.path_mtu(), 8912);

    // The path changes while a window of large packets is in flight.
    queue(&mut pair, 100, 400);
    pair.sim.run_for(Duration::from_millis(12));
    let sent_before = pair.a().sent.len();
    pair.set_link(link(1500));
    assert!(pair.run_until_received(500, Duration::from_secs(120)));
    check_received(&mut pair, 500);

    let a = pair.a();
    assert!(a.closed.is_none(), "the association survived");
    assert!(a.assoc.stats().t3_expirations >= 2);
    // Back at the base, then up again to what the new path carries.
    assert_eq!(a.assoc.path_mtu(), 1412);
    let after: Vec<usize> = a.sent[sent_before..].iter().map(|s| s.1).collect();
    assert!(after.contains(&1200), "fell back to the base size");
}
