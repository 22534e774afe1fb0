//! Hostile input to a live association: mutated copies of real packets
//! (re-checksummed so they get past the CRC) and random chunks. Nothing
//! may panic, and what the association holds stays within its bounds.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Pair, body, options};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use sanderling_netsim::LinkConfig;
use sanderling_sctp::association::SendOptions;
use sanderling_sctp::packet::compute_checksum;

fn recrc(mut p: Vec<u8>) -> Bytes {
    if p.len() >= 12 {
        p[8..12].copy_from_slice(&[0; 4]);
        let c = compute_checksum(&p);
        p[8..12].copy_from_slice(&c.to_le_bytes());
    }
    Bytes::from(p)
}

fn mutate(rng: &mut ChaCha20Rng, packet: &[u8]) -> Vec<u8> {
    let mut p = packet.to_vec();
    for _ in 0..rng.random_range(1..6) {
        if p.len() <= 12 {
            break;
        }
        let i = rng.random_range(12..p.len());
        match rng.random_range(0..6) {
            0 => p[i] ^= 1 << rng.random_range(0..8),
            1 => p[i] = rng.random(),
            2 => p.truncate(i),
            3 => p.insert(i, rng.random()),
            // Lengths and counts are what parsers get wrong: aim at them.
            4 => {
                let v: u16 = rng.random();
                let j = i & !3;
                if j + 4 <= p.len() {
                    p[j + 2..j + 4].copy_from_slice(&v.to_be_bytes());
                }
            }
            _ => {
                let extra: Vec<u8> = (0..rng.random_range(0..64)).map(|_| rng.random()).collect();
                p.extend_from_slice(&extra);
            }
        }
    }
    p
}

#[test]
fn mutated_and_random_packets_never_panic_and_stay_bounded() {
    let mut a_opts = options(1);
    let mut b_opts = options(2);
    b_opts.max_receive_buffer = 256 * 1024;
    a_opts.enable_message_interleaving = false;
    for (round, interleave) in [(0u64, false), (1, true)] {
        b_opts.enable_message_interleaving = interleave;
        a_opts.enable_message_interleaving = interleave;
        let mut p = Pair::new(
            100 + round,
            LinkConfig::default(),
            a_opts.clone(),
            b_opts.clone(),
        );
        p.connect_both();
        // Collect real traffic of every kind from A: data, SACKs, resets,
        // heartbeats, FORWARD-TSN.
        let mut corpus: Vec<Vec<u8>> = Vec::new();
        let now = p.sim.now();
        for i in 0..40 {
            let opts = SendOptions {
                unordered: i % 3 == 0,
                max_retransmits: (i % 4 == 0).then_some(0),
                ..SendOptions::default()
            };
            p.a()
                .assoc
                .send(
                    now,
                    sanderling_sctp::types::StreamId(i % 5),
                    sanderling_sctp::types::Ppid(53),
                    body(i % 5, u32::from(i), 50 + 997 * usize::from(i % 7)),
                    opts,
                )
                .unwrap();
        }
        p.a()
            .assoc
            .reset_streams(now, &[sanderling_sctp::types::StreamId(4)])
            .unwrap();
        for _ in 0..50 {
            let now = p.sim.now();
            while let Some(pkt) = p.a().assoc.poll_transmit(now) {
                corpus.push(pkt.to_vec());
                p.b().assoc.handle_input(now, pkt);
            }
            while let Some(pkt) = p.b().assoc.poll_transmit(now) {
                corpus.push(pkt.to_vec());
                p.a().assoc.handle_input(now, pkt);
            }
            p.sim.run_for(Duration::from_millis(50));
        }
        assert!(corpus.len() > 10);
        let mut rng = ChaCha20Rng::seed_from_u64(round);
        let header = corpus[0][..12].to_vec();
        let mut restarts = 0;
        for i in 0..30_000 {
            if p.a().assoc.is_terminated() || p.b().assoc.is_terminated() {
                // Same seeds, same tags: the corpus stays valid.
                restarts += 1;
                p = Pair::new(
                    100 + round,
                    LinkConfig::default(),
                    a_opts.clone(),
                    b_opts.clone(),
                );
                p.connect_both();
            }
            let now = p.sim.now();
            let pkt = if i % 5 == 0 {
                // A valid header followed by random chunk-shaped bytes.
                let mut v = header.clone();
                let n = rng.random_range(0..200);
                v.extend((0..n).map(|_| rng.random::<u8>()));
                if v.len() >= 16 {
                    v[12] = [
                        0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 132, 192, 194, 0x3f,
                        0x7f, 0xbf, 0xff,
                    ][rng.random_range(0..22)];
                }
                v
            } else {
                let src = &corpus[rng.random_range(0..corpus.len())];
                mutate(&mut rng, src)
            };
            let pkt = if rng.random_bool(0.9) {
                recrc(pkt)
            } else {
                Bytes::from(pkt)
            };
            if rng.random_bool(0.5) {
                p.b().assoc.handle_input(now, pkt);
            } else {
                p.a().assoc.handle_input(now, pkt);
            }
            // Drain so queues are exercised as a driver would.
            while p.a().assoc.poll_transmit(now).is_some() {}
            while p.b().assoc.poll_transmit(now).is_some() {}
            while p.a().assoc.poll_event().is_some() {}
            while p.b().assoc.poll_event().is_some() {}
            if i % 100 == 0 {
                let t = p.a().assoc.poll_timeout();
                if let Some(t) = t {
                    p.a().assoc.handle_timeout(t);
                }
                assert!(
                    p.b().assoc.received_bytes_held()
                        <= b_opts.max_receive_buffer + b_opts.max_message_size
                );
            }
            let _ = rng.next_u32();
        }
        // Most hostile packets are dropped or ignored, some end the
        // association (a protocol violation is answered with ABORT); the
        // fuzzing must not have spent its time on dead associations.
        assert!(restarts < 3000, "{restarts} restarts");
        eprintln!("round {round}: {restarts} restarts");
    }
}

/// A packet whose first chunk is a COOKIE-ECHO skips the verification-tag
/// check (the cookie carries the tag instead); when the cookie is refused,
/// what follows it in the packet must be ignored too, or anyone could slip
/// an ABORT past the tag behind a made-up cookie.
#[test]
fn chunks_behind_a_refused_cookie_echo_are_ignored() {
    let mut p = Pair::new(7, LinkConfig::default(), options(1), options(2));
    p.connect_both();
    let now = p.sim.now();
    let dropped_before = p.b().assoc.stats().packets_dropped;
    let mut packet = Vec::new();
    packet.extend_from_slice(&5000u16.to_be_bytes());
    packet.extend_from_slice(&5000u16.to_be_bytes());
    packet.extend_from_slice(&0xdead_beefu32.to_be_bytes());
    packet.extend_from_slice(&[0; 4]);
    // COOKIE-ECHO with eight bytes that are no cookie of ours.
    packet.extend_from_slice(&[10, 0, 0, 12]);
    packet.extend_from_slice(b"notacook");
    // ABORT.
    packet.extend_from_slice(&[6, 0, 0, 4]);
    p.b().assoc.handle_input(now, recrc(packet));
    assert!(!p.b().assoc.is_terminated());
    assert_eq!(p.b().assoc.stats().packets_dropped, dropped_before + 1);
    // Still usable.
    p.queue(1, body(1, 0, 100), SendOptions::default());
    assert!(p.run_until_received(1, Duration::from_secs(5)));
}
