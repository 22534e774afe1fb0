//! Partial reliability, stream reset, I-DATA interleaving, zero checksum
//! and backpressure between two associations on the simulated network.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;
use common::{Pair, body, index_of, options};
use sanderling_netsim::LinkConfig;
use sanderling_sctp::association::{SendError, SendOptions};
use sanderling_sctp::event::Event;
use sanderling_sctp::options::{CongestionControl, SctpOptions};
use sanderling_sctp::types::{Ppid, StreamId};

fn link(loss: f64) -> LinkConfig {
    LinkConfig {
        delay: Duration::from_millis(20),
        loss,
        ..LinkConfig::default()
    }
}

fn pr_transfer(interleave: bool, opts: SendOptions, loss: f64, seed: u64) -> (usize, u64) {
    let cc = SctpOptions::default().congestion;
    pr_transfer_with(interleave, opts, loss, seed, cc)
}

fn pr_transfer_with(
    interleave: bool,
    opts: SendOptions,
    loss: f64,
    seed: u64,
    congestion: CongestionControl,
) -> (usize, u64) {
    let mut a = SctpOptions {
        congestion,
        ..options(1)
    };
    let mut b = SctpOptions {
        congestion,
        ..options(2)
    };
    a.enable_message_interleaving = interleave;
    b.enable_message_interleaving = interleave;
    let mut p = Pair::new(seed, link(0.0), a, b);
    p.connect_both();
    p.set_link(LinkConfig {
        reorder: 0.05,
        duplicate: 0.05,
        ..link(loss)
    });
    let n = 500;
    for i in 0..n {
        p.queue(1, body(1, i, 2500), opts);
    }
    // Plenty of time for every retransmission and FORWARD-TSN.
    p.sim.run_for(Duration::from_secs(120));
    let received = p.b().received.clone();
    let mut seen = HashSet::new();
    let mut last = None;
    for m in &received {
        let (s, i) = index_of(m);
        assert_eq!(s, 1);
        assert!(seen.insert(i), "message {i} delivered twice");
        assert_eq!(m.payload, body(1, i, 2500), "message {i} corrupted");
        if !opts.unordered {
            assert!(
                last.is_none_or(|l| i > l),
                "ordered stream went backwards at {i}"
            );
        }
        last = Some(i);
    }
    let abandoned: u64 = p
        .a()
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MessagesAbandoned { count, .. } => Some(u64::from(*count)),
            _ => None,
        })
        .sum();
    let got = received.len();
    // A message given up may still arrive (reordering makes a chunk look
    // lost); one that did not arrive must have been reported.
    let stats = p.a().assoc.stats();
    assert!(p.a().outbox.is_empty());
    assert_eq!(p.a().assoc.total_buffered_amount(), 0, "{stats:?}");
    assert!(
        got as u64 + abandoned >= u64::from(n),
        "{got} delivered + {abandoned} abandoned < {n}"
    );
    // The association is still healthy: a reliable message gets through.
    p.set_link(link(0.0));
    p.queue(2, body(2, 0, 10), SendOptions::default());
    let before = p.b().received.len();
    assert!(p.run_until_received(before + 1, Duration::from_secs(30)));
    (got, abandoned)
}

#[test]
fn max_retransmits_zero_loses_only_what_was_lost_with_forward_tsn() {
    let opts = SendOptions {
        max_retransmits: Some(0),
        ..SendOptions::default()
    };
    let (got, abandoned) = pr_transfer(false, opts, 0.2, 30);
    // Each 3-fragment message survives 20% loss about half the time.
    assert!(
        abandoned > 100 && got > 150,
        "got {got}, abandoned {abandoned}"
    );
}

#[test]
fn max_retransmits_zero_with_idata_uses_iforward_tsn() {
    let opts = SendOptions {
        max_retransmits: Some(0),
        ..SendOptions::default()
    };
    let (got, abandoned) = pr_transfer(true, opts, 0.2, 31);
    assert!(
        abandoned > 100 && got > 150,
        "got {got}, abandoned {abandoned}"
    );
}

#[test]
fn unordered_unreliable_never_duplicates() {
    let opts = SendOptions {
        unordered: true,
        max_retransmits: Some(1),
        ..SendOptions::default()
    };
    let (got, _) = pr_transfer(true, opts, 0.1, 32);
    // One retransmission: a message is lost only if a fragment is lost twice.
    assert!(got > 400, "got {got}");
}

#[test]
fn lifetime_limits_abandon_old_messages() {
    let opts = SendOptions {
        lifetime: Some(Duration::from_millis(500)),
        ..SendOptions::default()
    };
    // Everything is queued at once: the tail expires before its turn, as
    // long as the sender is slow at 10 % loss. NewReno is; BBR keeps the
    // path full and sends all 1.25 MB within the lifetime.
    let (got, abandoned) = pr_transfer_with(false, opts, 0.1, 33, CongestionControl::NewReno);
    assert!(
        abandoned > 100 && got > 10,
        "got {got}, abandoned {abandoned}"
    );
}

#[test]
fn reliable_when_partial_reliability_is_not_negotiated() {
    let mut a = options(1);
    a.enable_partial_reliability = false;
    let mut p = Pair::new(34, link(0.0), a, options(2));
    p.connect_both();
    assert!(!p.a().assoc.capabilities().unwrap().partial_reliability);
    p.set_link(link(0.2));
    let opts = SendOptions {
        max_retransmits: Some(0),
        ..SendOptions::default()
    };
    for i in 0..100 {
        p.queue(1, body(1, i, 1000), opts);
    }
    assert!(p.run_until_received(100, Duration::from_secs(120)));
}

fn reset_cycle(interleave: bool, seed: u64) {
    let mut a = options(1);
    let mut b = options(2);
    a.enable_message_interleaving = interleave;
    b.enable_message_interleaving = interleave;
    let mut p = Pair::new(seed, link(0.0), a, b);
    p.connect_both();
    p.set_link(LinkConfig {
        reorder: 0.1,
        ..link(0.05)
    });
    for round in 0..3u32 {
        for i in 0..20 {
            p.queue(7, body(7, round * 100 + i, 3000), SendOptions::default());
        }
        p.sim.run_for(Duration::from_millis(1));
        let now = p.sim.now();
        p.a().assoc.reset_streams(now, &[StreamId(7)]).unwrap();
        // The stream takes nothing new while resetting.
        assert_eq!(
            p.a().assoc.send(
                now,
                StreamId(7),
                Ppid(53),
                Bytes::from_static(b"x"),
                SendOptions::default()
            ),
            Err(SendError::StreamResetting(StreamId(7)))
        );
        let (a_id, b_id) = (p.a, p.b);
        assert!(p.sim.run_until(Duration::from_secs(60), |s| {
            let a = s.endpoint::<common::Node>(a_id);
            let b = s.endpoint::<common::Node>(b_id);
            a.events
                .iter()
                .filter(|e| matches!(e, Event::OutgoingStreamsReset(_)))
                .count()
                == round as usize + 1
                && b.events
                    .iter()
                    .filter(|e| matches!(e, Event::IncomingStreamsReset(_)))
                    .count()
                    == round as usize + 1
        }));
        // Everything sent before the reset arrived, in order, before the reset.
        let got: Vec<u32> = p.b().received.iter().map(|m| index_of(m).1).collect();
        let want: Vec<u32> = (0..=round)
            .flat_map(|r| (0..20).map(move |i| r * 100 + i))
            .collect();
        assert_eq!(got, want);
        assert!(
            p.b()
                .events
                .iter()
                .any(|e| e == &Event::IncomingStreamsReset(vec![StreamId(7)]))
        );
    }
}

#[test]
fn stream_reset_lets_the_stream_be_reused() {
    reset_cycle(false, 40);
}

#[test]
fn stream_reset_with_idata() {
    reset_cycle(true, 41);
}

#[test]
fn idata_interleaves_a_small_message_past_a_large_one() {
    for interleave in [true, false] {
        let mut a = options(1);
        let mut b = options(2);
        a.enable_message_interleaving = interleave;
        b.enable_message_interleaving = interleave;
        // A slow link so the big message takes a while.
        let l = LinkConfig {
            bandwidth_bps: Some(8_000_000),
            queue_bytes: 1 << 20,
            ..link(0.0)
        };
        let mut p = Pair::new(50, l, a, b);
        p.connect_both();
        let now = p.sim.now();
        let big = body(1, 0, 200_000);
        p.a()
            .assoc
            .send(
                now,
                StreamId(1),
                Ppid(53),
                big.clone(),
                SendOptions::default(),
            )
            .unwrap();
        p.a()
            .assoc
            .send(
                now,
                StreamId(2),
                Ppid(53),
                body(2, 0, 100),
                SendOptions::default(),
            )
            .unwrap();
        assert!(p.run_until_received(2, Duration::from_secs(10)));
        let order: Vec<u16> = p.b().received.iter().map(|m| m.stream_id.0).collect();
        if interleave {
            assert_eq!(
                order,
                vec![2, 1],
                "the small message overtakes the large one"
            );
        } else {
            assert_eq!(order, vec![1, 2], "without I-DATA a message is sent whole");
        }
        assert_eq!(
            p.b()
                .received
                .iter()
                .find(|m| m.stream_id.0 == 1)
                .unwrap()
                .payload,
            big
        );
    }
}

#[test]
fn zero_checksum_only_when_both_offer_it() {
    for (za, zb) in [(true, true), (true, false), (false, true)] {
        let mut a = options(1);
        let mut b = options(2);
        a.enable_zero_checksum = za;
        b.enable_zero_checksum = zb;
        let mut p = Pair::new(60, link(0.0), a, b);
        p.connect_both();
        assert_eq!(p.a().assoc.capabilities().unwrap().zero_checksum, za && zb);
        let now = p.sim.now();
        p.a()
            .assoc
            .send(
                now,
                StreamId(0),
                Ppid(53),
                body(0, 0, 500),
                SendOptions::default(),
            )
            .unwrap();
        let packet = p.a().assoc.poll_transmit(now).unwrap();
        let checksum = u32::from_le_bytes(packet[8..12].try_into().unwrap());
        assert_eq!(checksum == 0, za && zb, "za={za} zb={zb}");
        p.b().assoc.handle_input(now, packet);
        assert!(p.run_until_received(1, Duration::from_secs(5)));
    }
}

#[test]
fn corrupted_packet_is_dropped_unless_zero_checksum() {
    let mut p = Pair::new(61, link(0.0), options(1), options(2));
    p.connect_both();
    let now = p.sim.now();
    p.a()
        .assoc
        .send(
            now,
            StreamId(0),
            Ppid(53),
            body(0, 0, 500),
            SendOptions::default(),
        )
        .unwrap();
    let packet = p.a().assoc.poll_transmit(now).unwrap();
    let mut bad = packet.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let dropped = p.b().assoc.stats().packets_dropped;
    p.b().assoc.handle_input(now, Bytes::from(bad));
    assert_eq!(p.b().assoc.stats().packets_dropped, dropped + 1);
    assert!(p.b().received.is_empty());
    // The retransmission repairs it.
    assert!(p.run_until_received(1, Duration::from_secs(5)));
    assert_eq!(p.b().received[0].payload, body(0, 0, 500));
}

#[test]
fn backpressure_and_buffered_amount_low() {
    let mut a = options(1);
    a.max_send_buffer = 64 * 1024;
    let mut p = Pair::new(70, link(0.0), a, options(2));
    p.connect_both();
    let now = p.sim.now();
    p.a()
        .assoc
        .set_buffered_amount_low_threshold(StreamId(3), 10_000);
    let mut queued = 0;
    loop {
        match p.a().assoc.send(
            now,
            StreamId(3),
            Ppid(53),
            body(3, queued, 8000),
            SendOptions::default(),
        ) {
            Ok(()) => queued += 1,
            Err(SendError::QueueFull) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!((6..=8).contains(&queued), "{queued}");
    assert!(p.a().assoc.buffered_amount(StreamId(3)) > 40_000);
    assert!(p.run_until_received(queued as usize, Duration::from_secs(10)));
    assert_eq!(p.a().assoc.buffered_amount(StreamId(3)), 0);
    let lows = p
        .a()
        .events
        .iter()
        .filter(|e| **e == Event::BufferedAmountLow(StreamId(3)))
        .count();
    assert_eq!(lows, 1);
}

#[test]
fn receiver_window_is_respected_and_probed() {
    // A tiny receive buffer: the sender must stay within the window.
    let mut b = options(2);
    b.max_receive_buffer = 16 * 1024;
    let mut p = Pair::new(71, link(0.0), options(1), b);
    p.connect_both();
    for i in 0..200 {
        p.queue(1, body(1, i, 3000), SendOptions::default());
    }
    assert!(p.run_until_received(200, Duration::from_secs(60)));
    assert_eq!(
        p.b().assoc.stats().data_chunks_refused,
        0,
        "the sender never overran the window"
    );
}

#[test]
fn large_messages_up_to_the_configured_maximum() {
    let mut a = options(1);
    let mut b = options(2);
    a.max_message_size = 16 << 20;
    b.max_message_size = 16 << 20;
    b.max_receive_buffer = 32 << 20;
    a.max_send_buffer = 32 << 20;
    let mut p = Pair::new(72, link(0.01), a, b);
    p.connect_both();
    let m256 = body(1, 0, 256 * 1024);
    let m16 = body(1, 1, 16 << 20);
    p.queue(1, m256.clone(), SendOptions::default());
    p.queue(1, m16.clone(), SendOptions::default());
    assert!(p.run_until_received(2, Duration::from_secs(600)));
    assert_eq!(p.b().received[0].payload, m256);
    assert_eq!(p.b().received[1].payload, m16);
    // Beyond the maximum: refused at the sender.
    let now = p.sim.now();
    assert!(matches!(
        p.a().assoc.send(
            now,
            StreamId(1),
            Ppid(53),
            Bytes::from(vec![0; (16 << 20) + 1]),
            SendOptions::default()
        ),
        Err(SendError::MessageTooLarge { .. })
    ));
}

/// With `app_flow_control`, unread small messages are charged their
/// bookkeeping too: a reader that stops holds a sender of 8-byte messages
/// to about the window over (8 + 64) messages, not the window over 8.
#[test]
fn unread_small_messages_are_charged_per_message() {
    const WINDOW: usize = 64 << 10;
    // A small maximum message keeps the hard limit (the window plus one
    // message, for the chunk at the cumulative ack) close to the window.
    const MAX_MESSAGE: usize = 1024;
    let b_opts = SctpOptions {
        app_flow_control: true,
        max_receive_buffer: WINDOW,
        max_message_size: MAX_MESSAGE,
        ..options(2)
    };
    let mut p = Pair::new(9, link(0.0), options(1), b_opts);
    p.connect_both();
    for i in 0..5_000u32 {
        p.queue(1, body(1, i, 8), SendOptions::default());
    }
    p.sim.run_for(Duration::from_secs(20));
    let held = p.b().received.len();
    assert!(held > 500, "the window let some through: {held}");
    // Payload alone (40,000 bytes) would let all 5,000 in.
    assert!(
        held <= (WINDOW + MAX_MESSAGE) / (8 + 64),
        "unread messages stay within the window, overhead included: {held}"
    );
    // Reading lets the rest through.
    let deadline = p.sim.now() + Duration::from_secs(120);
    let mut released = 0;
    while p.b().received.len() < 5_000 && p.sim.now() < deadline {
        let got = p.b().received.len();
        p.b()
            .assoc
            .release_received(8 * (got - released), got - released);
        released = got;
        p.sim.run_for(Duration::from_millis(50));
    }
    assert_eq!(p.b().received.len(), 5_000);
}

/// With `app_flow_control` the receiver's window covers what the
/// application has not read: a reader that stops holds the sender to the
/// window, and reading (releasing) lets the rest through in order.
fn held_reader(hold_for: Duration, seed: u64) -> Pair {
    const WINDOW: usize = 64 << 10;
    const MSG: usize = 16 << 10;
    const COUNT: u32 = 128;
    let b_opts = SctpOptions {
        app_flow_control: true,
        max_receive_buffer: WINDOW,
        ..options(2)
    };
    let mut p = Pair::new(seed, link(0.0), options(1), b_opts);
    p.connect_both();
    for i in 0..COUNT {
        p.queue(1, body(1, i, MSG), SendOptions::default());
    }
    p.sim.run_for(hold_for);
    let held: usize = p.b().received.iter().map(|m| m.payload.len()).sum();
    // The chunk at the cumulative ack is taken up to one maximum message
    // past the window (so a message larger than the window can finish):
    // zero-window probes deliver up to that, never more.
    assert!(
        held <= WINDOW + 256 * 1024,
        "the unread bytes stay within the window: {held}"
    );
    assert!(
        held < (COUNT as usize) * MSG / 2,
        "the sender was held back"
    );
    assert!(p.b().assoc.received_bytes_held() <= WINDOW + 256 * 1024 + MSG);
    assert!(p.a().closed.is_none(), "{:?}", p.a().closed);
    assert!(p.b().closed.is_none(), "{:?}", p.b().closed);
    // Read: release what arrived, repeatedly, until everything has.
    let mut released = 0;
    let mut released_messages = 0;
    let deadline = p.sim.now() + Duration::from_secs(120);
    while p.b().received.len() < COUNT as usize && p.sim.now() < deadline {
        let got: usize = p.b().received.iter().map(|m| m.payload.len()).sum();
        let messages = p.b().received.len();
        p.b()
            .assoc
            .release_received(got - released, messages - released_messages);
        released = got;
        released_messages = messages;
        p.sim.run_for(Duration::from_millis(50));
    }
    let order: Vec<u32> = p.b().received.iter().map(|m| index_of(m).1).collect();
    assert_eq!(order, (0..COUNT).collect::<Vec<_>>());
    p
}

#[test]
fn app_flow_control_holds_the_sender_to_the_unread_window() {
    let mut p = held_reader(Duration::from_secs(10), 41);
    assert!(p.a().closed.is_none());
}

/// Regression: zero-window probes that the receiver answered with SACKs
/// (window still closed) counted as unanswered retransmissions, so a
/// reader that paused for about a minute made the sender declare the
/// association dead (RFC 9260 §6.1 rule A says they must not count).
#[test]
fn a_reader_paused_for_minutes_does_not_kill_the_association() {
    let mut p = held_reader(Duration::from_secs(300), 42);
    assert!(p.a().closed.is_none());
    assert!(p.b().closed.is_none());
}
