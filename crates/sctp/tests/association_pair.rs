//! Two associations over the simulated network: handshake variants and
//! reliable delivery under loss, reordering and duplication.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Pair, body, index_of, options};
use sanderling_netsim::LinkConfig;
use sanderling_sctp::association::{SendOptions, State};
use sanderling_sctp::event::{CloseReason, Event};

fn link(loss: f64) -> LinkConfig {
    LinkConfig {
        delay: Duration::from_millis(20),
        loss,
        ..LinkConfig::default()
    }
}

#[test]
fn simultaneous_open_connects_both_sides() {
    let mut p = Pair::new(1, link(0.0), options(1), options(2));
    p.connect_both();
    assert_eq!(p.a().assoc.state(), State::Established);
    assert_eq!(p.b().assoc.state(), State::Established);
    let caps = p.a().assoc.capabilities().unwrap();
    assert!(caps.partial_reliability && caps.message_interleaving && caps.reconfig);
    assert!(!caps.zero_checksum, "not offered by default");
    // Simultaneous open over 20 ms links: INIT/INIT-ACK/COOKIE cross in ~2 RTT.
    assert!(
        p.sim.elapsed() < Duration::from_millis(200),
        "{:?}",
        p.sim.elapsed()
    );
}

#[test]
fn one_sided_open_connects_a_listener() {
    let mut p = Pair::new(2, link(0.0), options(1), options(2));
    p.connect_a();
    assert_eq!(p.b().assoc.state(), State::Established);
}

#[test]
fn handshake_survives_heavy_loss() {
    let mut p = Pair::new(3, link(0.4), options(1), options(2));
    p.connect_both();
}

#[test]
fn unreachable_peer_fails_handshake() {
    let mut p = Pair::new(4, link(1.0), options(1), options(2));
    let now = p.sim.now();
    p.a().assoc.connect(now);
    p.sim.run_for(Duration::from_secs(600));
    assert_eq!(p.a().closed, Some(CloseReason::Unreachable));
}

fn transfer(
    seed: u64,
    link: LinkConfig,
    streams: u16,
    per_stream: u32,
    size: usize,
    interleave: bool,
) {
    let mut a = options(1);
    let mut b = options(2);
    a.enable_message_interleaving = interleave;
    b.enable_message_interleaving = interleave;
    let lossy = link.loss > 0.0;
    let mut p = Pair::new(seed, link, a, b);
    p.connect_both();
    let mut total = 0;
    for i in 0..per_stream {
        for s in 0..streams {
            p.queue(
                s,
                body(s, i, size + (i as usize * 37) % 900),
                SendOptions::default(),
            );
            total += 1;
        }
    }
    assert!(
        p.run_until_received(total, Duration::from_secs(600)),
        "only {} of {total}",
        p.b().received.len()
    );
    let mut next: HashMap<u16, u32> = HashMap::new();
    for m in &p.b().received {
        let (s, i) = index_of(m);
        assert_eq!(m.stream_id.0, s);
        let want = next.entry(s).or_insert(0);
        assert_eq!(i, *want, "stream {s} out of order or duplicated");
        assert_eq!(m.payload, body(s, i, size + (i as usize * 37) % 900));
        *want += 1;
    }
    assert_eq!(p.b().received.len(), total);
    let stats = p.a().assoc.stats();
    assert_eq!(lossy, stats.data_chunks_retransmitted > 0, "{stats:?}");
    // Nothing more arrives later (no duplicates).
    p.sim.run_for(Duration::from_secs(5));
    assert_eq!(p.b().received.len(), total);
}

#[test]
fn reliable_ordered_no_loss() {
    transfer(10, link(0.0), 3, 200, 100, true);
}

#[test]
fn reliable_ordered_one_percent_loss() {
    transfer(11, link(0.01), 3, 200, 1000, true);
}

#[test]
fn reliable_ordered_ten_percent_loss_reorder_duplicate() {
    let l = LinkConfig {
        delay: Duration::from_millis(20),
        loss: 0.10,
        reorder: 0.05,
        duplicate: 0.05,
        ..LinkConfig::default()
    };
    transfer(12, l, 3, 100, 1500, true);
}

#[test]
fn reliable_ordered_with_data_chunks_and_loss() {
    let l = LinkConfig {
        delay: Duration::from_millis(10),
        loss: 0.05,
        reorder: 0.02,
        duplicate: 0.02,
        ..LinkConfig::default()
    };
    transfer(13, l, 2, 100, 3000, false);
}

#[test]
fn graceful_shutdown_delivers_everything_first() {
    let mut p = Pair::new(20, link(0.05), options(1), options(2));
    p.connect_both();
    for i in 0..50 {
        p.queue(1, body(1, i, 5000), SendOptions::default());
    }
    // Let the outbox move into the association, then shut down.
    p.sim.run_for(Duration::from_millis(1));
    assert!(p.a().outbox.is_empty());
    let now = p.sim.now();
    p.a().assoc.shutdown(now);
    let (a, b) = (p.a, p.b);
    assert!(p.sim.run_until(Duration::from_secs(120), |s| {
        s.endpoint::<common::Node>(a).closed.is_some()
            && s.endpoint::<common::Node>(b).closed.is_some()
    }));
    assert_eq!(p.a().closed, Some(CloseReason::Graceful));
    assert_eq!(p.b().closed, Some(CloseReason::Graceful));
    assert_eq!(p.b().received.len(), 50);
}

#[test]
fn abort_reaches_the_peer_with_its_reason() {
    let mut p = Pair::new(21, link(0.0), options(1), options(2));
    p.connect_both();
    let now = p.sim.now();
    p.a().assoc.abort(now, "going away");
    p.sim.run_for(Duration::from_millis(100));
    assert_eq!(
        p.b().closed,
        Some(CloseReason::PeerAborted("going away".into()))
    );
}

#[test]
fn silent_peer_is_detected_by_heartbeats() {
    let mut p = Pair::new(22, link(0.0), options(1), options(2));
    p.connect_both();
    p.set_link(LinkConfig {
        loss: 1.0,
        ..link(0.0)
    });
    p.sim.run_for(Duration::from_secs(3600));
    assert_eq!(p.a().closed, Some(CloseReason::Unreachable));
    assert!(p.a().events.iter().all(|e| !matches!(e, Event::Message(_))));
}

#[test]
fn peer_restart_is_recognised_by_tie_tags() {
    let mut p = Pair::new(30, link(0.0), options(1), options(2));
    p.connect_both();
    p.queue(1, body(1, 0, 100), SendOptions::default());
    assert!(p.run_until_received(1, Duration::from_secs(5)));
    // A crashes and comes back with a fresh association at the same address.
    let now = p.sim.now();
    let b_addr = common::B_ADDR.parse().unwrap();
    *p.a() = common::Node::new(now, b_addr, options(9));
    p.a().assoc.connect(now);
    let (a, b) = (p.a, p.b);
    assert!(p.sim.run_until(Duration::from_secs(10), |s| {
        s.endpoint::<common::Node>(a).connected_at.is_some()
            && s.endpoint::<common::Node>(b)
                .events
                .contains(&Event::Restarted)
    }));
    assert_eq!(p.b().assoc.state(), State::Established);
    // Data flows on the new association, sequence numbers from the start.
    p.queue(1, body(1, 1, 100), SendOptions::default());
    assert!(p.run_until_received(2, Duration::from_secs(5)));
    assert_eq!(index_of(&p.b().received[1]), (1, 1));
    assert!(p.b().closed.is_none());
}

#[test]
fn weighted_fair_scheduler_shares_by_priority() {
    let mut a = options(1);
    a.scheduler = sanderling_sctp::tx::scheduler::SchedulerKind::WeightedFair;
    let l = LinkConfig {
        bandwidth_bps: Some(10_000_000),
        queue_bytes: 1 << 20,
        ..link(0.0)
    };
    let mut p = Pair::new(31, l, a, options(2));
    p.connect_both();
    p.a()
        .assoc
        .set_stream_priority(sanderling_sctp::types::StreamId(1), 100)
        .unwrap();
    p.a()
        .assoc
        .set_stream_priority(sanderling_sctp::types::StreamId(2), 300)
        .unwrap();
    for i in 0..400 {
        p.queue(1, body(1, i, 1000), SendOptions::default());
        p.queue(2, body(2, i, 1000), SendOptions::default());
    }
    // Part way through, stream 2 has had about three times the bytes.
    assert!(p.run_until_received(200, Duration::from_secs(60)));
    let on2 = p.b().received.iter().filter(|m| m.stream_id.0 == 2).count();
    let on1 = p.b().received.len() - on2;
    let ratio = on2 as f64 / on1.max(1) as f64;
    assert!(
        (2.3..=3.7).contains(&ratio),
        "{on1} on stream 1, {on2} on stream 2"
    );
}

#[test]
fn an_idle_association_gives_its_packet_buffer_back() {
    let mut p = Pair::new(31, link(0.0), options(31), options(32));
    p.connect_both();
    p.queue(0, body(0, 0, 1000), SendOptions::default());
    assert!(p.run_until_received(1, Duration::from_secs(5)));
    assert!(p.a().assoc.packet_buffer_bytes() > 0);
    // Idle past the first heartbeat (which writes a packet again); then
    // any timer call a second after the last packet gives it back (in a
    // peer connection ICE's consent checks make such calls).
    p.sim.run_for(Duration::from_secs(40));
    let now = p.sim.now();
    p.a().assoc.handle_timeout(now);
    p.b().assoc.handle_timeout(now);
    assert_eq!(p.a().assoc.packet_buffer_bytes(), 0);
    assert_eq!(p.b().assoc.packet_buffer_bytes(), 0);
    // And it sends on as before.
    p.queue(0, body(0, 1, 1000), SendOptions::default());
    assert!(p.run_until_received(2, Duration::from_secs(5)));
    assert_eq!(index_of(&p.b().received[1]), (0, 1));
}
