//! Randomised tests of the receive half: random messages, fragmented into
//! DATA or I-DATA chunks, delivered in random order with duplicates (and,
//! with a small buffer, refusals the "peer" must retransmit), must come out
//! exactly once, in stream order, byte for byte, with a clean final SACK.
//! And random garbage must neither panic nor grow memory past the bound.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use sanderling_sctp::chunk::data::DataChunk;
use sanderling_sctp::chunk::forward_tsn::{ForwardTsnChunk, SkippedStream};
use sanderling_sctp::chunk::iforward_tsn::{IForwardTsnChunk, SkippedMessage};
use sanderling_sctp::chunk::sack::SackChunk;
use sanderling_sctp::rx::{DataOutcome, ReassemblyQueue, Receiver, ReceiverConfig};
use sanderling_sctp::types::{Data, Fsn, Mid, Ppid, Ssn, StreamId, Tsn};

/// SplitMix64: the test's own deterministic generator, seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.range(0, i as u64) as usize;
            v.swap(i, j);
        }
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A message the test sends.
struct Message {
    stream: u16,
    unordered: bool,
    payload: Vec<u8>,
}

/// Random messages; the first four payload bytes are the message's index.
fn messages(rng: &mut Rng, count: usize, max_size: u64) -> Vec<Message> {
    (0..count)
        .map(|i| {
            let size = rng.range(4, max_size) as usize;
            let mut payload = rng.bytes(size);
            payload[..4].copy_from_slice(&(i as u32).to_le_bytes());
            Message {
                stream: rng.range(0, 3) as u16,
                unordered: rng.chance(30),
                payload,
            }
        })
        .collect()
}

/// Splits a payload into fragments of random sizes (at least `min_frag`).
fn split(rng: &mut Rng, payload: &[u8], min_frag: u64) -> Vec<Bytes> {
    let whole = Bytes::copy_from_slice(payload);
    let mut parts = Vec::new();
    let mut at = 0;
    while at < whole.len() {
        let n = (rng.range(min_frag, 1200) as usize).min(whole.len() - at);
        parts.push(whole.slice(at..at + n));
        at += n;
    }
    parts
}

/// DATA chunks: each message's fragments on consecutive TSNs, SSNs per
/// stream for ordered messages.
fn data_chunks(rng: &mut Rng, msgs: &[Message], first_tsn: u32, min_frag: u64) -> Vec<DataChunk> {
    let mut ssn = [0u16; 4];
    let mut tsn = Tsn(first_tsn);
    let mut out = Vec::new();
    for m in msgs {
        let s = if m.unordered {
            0
        } else {
            ssn[usize::from(m.stream)]
        };
        if !m.unordered {
            ssn[usize::from(m.stream)] = s.wrapping_add(1);
        }
        let parts = split(rng, &m.payload, min_frag);
        let last = parts.len() - 1;
        for (i, p) in parts.into_iter().enumerate() {
            out.push(DataChunk {
                tsn,
                immediate_ack: rng.chance(5),
                data: Data {
                    stream_id: StreamId(m.stream),
                    ssn: Ssn(s),
                    ppid: Ppid(53),
                    payload: p,
                    is_beginning: i == 0,
                    is_end: i == last,
                    is_unordered: m.unordered,
                    ..Data::default()
                },
            });
            tsn = tsn.next();
        }
    }
    out
}

/// I-DATA chunks: MIDs per stream and per U bit; fragments of up to six
/// messages at a time interleave on the TSN line.
fn idata_chunks(rng: &mut Rng, msgs: &[Message], first_tsn: u32, min_frag: u64) -> Vec<DataChunk> {
    let mut mid = [[0u32; 2]; 4];
    // Per message: its fragments, still to be sent, front first.
    let mut queues: Vec<std::collections::VecDeque<DataChunk>> = msgs
        .iter()
        .map(|m| {
            let space = &mut mid[usize::from(m.stream)][usize::from(m.unordered)];
            let this = *space;
            *space = space.wrapping_add(1);
            let parts = split(rng, &m.payload, min_frag);
            let last = parts.len() - 1;
            parts
                .into_iter()
                .enumerate()
                .map(|(i, p)| DataChunk {
                    tsn: Tsn(0),
                    immediate_ack: false,
                    data: Data {
                        stream_id: StreamId(m.stream),
                        mid: Mid(this),
                        fsn: Fsn(i as u32),
                        ppid: if i == 0 { Ppid(51) } else { Ppid(0) },
                        payload: p,
                        is_beginning: i == 0,
                        is_end: i == last,
                        is_unordered: m.unordered,
                        ..Data::default()
                    },
                })
                .collect()
        })
        .collect();
    let mut tsn = Tsn(first_tsn);
    let mut out = Vec::new();
    let mut next_msg = 0;
    let mut active: Vec<usize> = Vec::new();
    while next_msg < queues.len() || !active.is_empty() {
        while active.len() < 6 && next_msg < queues.len() {
            active.push(next_msg);
            next_msg += 1;
        }
        let pick = rng.range(0, active.len() as u64 - 1) as usize;
        let q = &mut queues[active[pick]];
        if let Some(mut c) = q.pop_front() {
            c.tsn = tsn;
            tsn = tsn.next();
            out.push(c);
        }
        if q.is_empty() {
            active.swap_remove(pick);
        }
    }
    out
}

/// Plays a peer that sends `chunks` as a real sender would as far as the
/// receiver can tell: new data only within the advertised window, give or
/// take a little (one chunk when nothing is outstanding, the zero-window
/// probe), everything
/// unacknowledged again each round. The network in between reorders,
/// duplicates and loses chunks. Returns the messages received, in delivery
/// order.
fn run(rng: &mut Rng, chunks: &[DataChunk], first_tsn: u32, config: ReceiverConfig) -> Run {
    let mut now = Instant::now();
    let mut window = config.max_buffered_bytes;
    let mut rx = Receiver::new(Tsn(first_tsn), config);
    let last_tsn = Tsn(first_tsn.wrapping_add(chunks.len() as u32 - 1));
    let index_of = |t: Tsn| t.distance_from(Tsn(first_tsn)) as usize;
    let size = |i: usize| chunks[i].data.payload.len();
    let mut acked = BTreeSet::new();
    let mut accepted = BTreeSet::new();
    let mut outstanding: BTreeSet<usize> = BTreeSet::new();
    let mut flight = 0;
    let mut next_new = 0;
    let mut received = Vec::new();
    let mut refused = 0;
    let learn = |sack: &SackChunk,
                 acked: &mut BTreeSet<usize>,
                 accepted: &BTreeSet<usize>,
                 outstanding: &mut BTreeSet<usize>,
                 flight: &mut usize| {
        assert!(sack.gap_ack_blocks.len() <= 128 && sack.duplicate_tsns.len() <= 32);
        let cum = sack.cumulative_tsn_ack;
        let upto = if cum == Tsn(first_tsn.wrapping_sub(1)) {
            0
        } else {
            index_of(cum) + 1
        };
        let mut newly: Vec<usize> = (0..upto).collect();
        let mut prev_end = 0;
        for b in &sack.gap_ack_blocks {
            assert!(
                b.start > prev_end + 1 && b.start <= b.end,
                "blocks ascend, disjoint and apart"
            );
            prev_end = b.end;
            newly.extend((b.start..=b.end).map(|off| index_of(cum.plus(u32::from(off)))));
        }
        for i in newly {
            if acked.insert(i) && outstanding.remove(&i) {
                *flight -= size(i);
            }
        }
        // Nothing is acknowledged that the receiver did not take.
        assert!(acked.is_subset(accepted), "acked a TSN that was refused");
    };
    for round in 0.. {
        assert!(
            round < 2000,
            "no progress: cum {:?} held {} rwnd {} flight {flight} outstanding {:?} next_new {next_new}/{} sizes {:?}",
            rx.cumulative_tsn_ack(),
            rx.reassembly().buffered_bytes(),
            rx.a_rwnd(),
            outstanding,
            chunks.len(),
            outstanding
                .iter()
                .map(|&i| (
                    chunks[i].tsn,
                    chunks[i].data.stream_id,
                    chunks[i].data.ssn,
                    chunks[i].data.mid,
                    chunks[i].data.fsn,
                    chunks[i].data.is_beginning,
                    chunks[i].data.is_end,
                    size(i)
                ))
                .collect::<Vec<_>>()
        );
        let mut batch: Vec<usize> = outstanding.iter().copied().collect();
        // Peers overshoot a little (stale window, per-chunk accounting).
        let slop = rng.range(0, 6000) as usize;
        while next_new < chunks.len() && (flight + size(next_new) <= window + slop || flight == 0) {
            outstanding.insert(next_new);
            flight += size(next_new);
            batch.push(next_new);
            next_new += 1;
        }
        // The network: loss, duplication, reordering.
        batch.retain(|_| !rng.chance(10));
        let extra: Vec<usize> = batch.iter().copied().filter(|_| rng.chance(15)).collect();
        batch.extend(extra);
        if !acked.is_empty() && rng.chance(50) {
            batch.push(*acked.iter().next().unwrap());
        }
        rng.shuffle(&mut batch);
        for packet in batch.chunks(rng.range(1, 4) as usize) {
            for &i in packet {
                let outcome = rx
                    .handle_data(now, chunks[i].clone())
                    .expect("no message is too large");
                match outcome {
                    DataOutcome::Accepted => assert!(accepted.insert(i), "a TSN accepted twice"),
                    DataOutcome::NoBufferSpace => refused += 1,
                    DataOutcome::Duplicate => {}
                    DataOutcome::Refused => panic!("in-window TSN refused"),
                }
            }
            rx.handle_packet_end(now);
            while let Some(m) = rx.poll_message() {
                received.push((m.stream_id.0, m.unordered, m.payload.to_vec()));
            }
            if rx.should_send_sack() && rng.chance(80) {
                // The window the peer uses is the one at the end of the round.
                let sack = rx.create_sack();
                learn(&sack, &mut acked, &accepted, &mut outstanding, &mut flight);
            }
            now += Duration::from_millis(rng.range(0, 30));
            if let Some(t) = rx.poll_timeout()
                && t <= now
            {
                rx.handle_timeout(now);
                assert!(rx.should_send_sack());
            }
        }
        let sack = rx.create_sack();
        window = sack.a_rwnd as usize;
        learn(&sack, &mut acked, &accepted, &mut outstanding, &mut flight);
        if acked.len() == chunks.len() {
            assert_eq!(sack.cumulative_tsn_ack, last_tsn);
            assert!(sack.gap_ack_blocks.is_empty());
            break;
        }
    }
    assert_eq!(rx.cumulative_tsn_ack(), last_tsn);
    assert_eq!(rx.reassembly().buffered_bytes(), 0, "nothing left behind");
    Run { received, refused }
}

/// What [`run`] saw.
struct Run {
    /// (stream, unordered, payload) in delivery order.
    received: Vec<(u16, bool, Vec<u8>)>,
    /// Chunks refused for lack of buffer space.
    refused: usize,
}

/// Every message exactly once, intact, ordered ones in order per stream.
fn check(msgs: &[Message], run: &Run) {
    let received = &run.received;
    assert_eq!(received.len(), msgs.len(), "every message exactly once");
    let mut seen = BTreeSet::new();
    let mut last_ordered: BTreeMap<u16, u32> = BTreeMap::new();
    for (stream, unordered, payload) in received {
        let idx = u32::from_le_bytes(payload[..4].try_into().unwrap());
        let m = &msgs[idx as usize];
        assert!(seen.insert(idx), "message {idx} twice");
        assert_eq!((*stream, *unordered), (m.stream, m.unordered));
        assert!(*payload == m.payload, "message {idx} corrupted");
        if !unordered && let Some(prev) = last_ordered.insert(*stream, idx) {
            assert!(prev < idx, "stream {stream}: {prev} before {idx}");
        }
    }
}

fn config(interleaving: bool, small: bool) -> ReceiverConfig {
    ReceiverConfig {
        // A receiver needs room for every message the sender has in
        // progress at once: two for DATA, six interleaved ones for I-DATA
        // (see `idata_chunks`). Less, and it fills with parts of messages
        // none of which can finish.
        max_buffered_bytes: match (small, interleaving) {
            (false, _) => 4 << 20,
            (true, false) => 8 * 1024,
            (true, true) => 32 * 1024,
        },
        max_message_size: 4096,
        interleaving,
        ..ReceiverConfig::default()
    }
}

/// Initial TSNs near the wrap point as often as elsewhere.
fn first_tsn(rng: &mut Rng) -> u32 {
    if rng.chance(50) {
        u32::MAX - rng.range(0, 300) as u32
    } else {
        rng.next() as u32
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn data_chunks_in_any_order_give_every_message_once_in_order(seed in any::<u64>(), count in 1usize..60) {
        let mut rng = Rng(seed);
        let msgs = messages(&mut rng, count, 3000);
        let first = first_tsn(&mut rng);
        let chunks = data_chunks(&mut rng, &msgs, first, 1);
        let run = run(&mut rng, &chunks, first, config(false, false));
        check(&msgs, &run);
    }

    #[test]
    fn idata_chunks_interleaved_in_any_order_give_every_message_once_in_order(seed in any::<u64>(), count in 1usize..60) {
        let mut rng = Rng(seed);
        let msgs = messages(&mut rng, count, 3000);
        let first = first_tsn(&mut rng);
        let chunks = idata_chunks(&mut rng, &msgs, first, 1);
        let run = run(&mut rng, &chunks, first, config(true, false));
        check(&msgs, &run);
    }

    #[test]
    fn a_small_buffer_refuses_and_the_retransmissions_complete(seed in any::<u64>(), count in 1usize..60, interleaving: bool) {
        let mut rng = Rng(seed);
        let msgs = messages(&mut rng, count, 4096);
        let first = first_tsn(&mut rng);
        // Fragments no smaller than real peers make them (about an MTU or
        // the message's end), so the per-fragment charge stays modest.
        let chunks = if interleaving {
            idata_chunks(&mut rng, &msgs, first, 300)
        } else {
            data_chunks(&mut rng, &msgs, first, 300)
        };
        let run = run(&mut rng, &chunks, first, config(interleaving, true));
        check(&msgs, &run);
    }
}

#[test]
fn the_small_buffer_scenario_does_exercise_refusals() {
    // The property above would pass vacuously if nothing were ever refused.
    for interleaving in [false, true] {
        let mut refused = 0;
        for seed in 0..20 {
            let mut rng = Rng(seed);
            let msgs = messages(&mut rng, 60, 4096);
            let chunks = if interleaving {
                idata_chunks(&mut rng, &msgs, 7, 300)
            } else {
                data_chunks(&mut rng, &msgs, 7, 300)
            };
            let run = run(&mut rng, &chunks, 7, config(interleaving, true));
            check(&msgs, &run);
            refused += run.refused;
        }
        assert!(
            refused > 0,
            "interleaving {interleaving}: no chunk was ever refused"
        );
    }
}

/// A random, mostly nonsensical fragment.
fn garbage(rng: &mut Rng, near: Tsn) -> DataChunk {
    let tsn = match rng.range(0, 3) {
        0 => near.plus(rng.range(0, 64) as u32),
        1 => near.plus(rng.range(0, 70_000) as u32),
        2 => Tsn(rng.next() as u32),
        _ => near.plus((rng.range(0, 64) as u32).wrapping_neg()),
    };
    let big = |rng: &mut Rng, small: u64| {
        if rng.chance(20) {
            rng.next() as u32
        } else {
            rng.range(0, small) as u32
        }
    };
    let len = if rng.chance(10) {
        rng.range(0, 5000)
    } else {
        rng.range(0, 40)
    } as usize;
    DataChunk {
        tsn,
        immediate_ack: rng.chance(10),
        data: Data {
            stream_id: StreamId(rng.range(0, 5) as u16),
            ssn: Ssn(big(rng, 4) as u16),
            mid: Mid(big(rng, 4)),
            fsn: Fsn(big(rng, 4)),
            ppid: Ppid(rng.next() as u32),
            payload: Bytes::from(rng.bytes(len)),
            is_beginning: rng.chance(40),
            is_end: rng.chance(40),
            is_unordered: rng.chance(30),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn garbage_through_the_receiver_neither_panics_nor_grows(seed in any::<u64>(), interleaving: bool) {
        let mut rng = Rng(seed);
        let max = 16 * 1024;
        let cfg = ReceiverConfig {
            max_buffered_bytes: max,
            max_message_size: 4096,
            interleaving,
            ..ReceiverConfig::default()
        };
        let mut rx = Receiver::new(Tsn(rng.next() as u32), cfg);
        let mut now = Instant::now();
        for _ in 0..3000 {
            let cum = rx.cumulative_tsn_ack();
            match rng.range(0, 40) {
                0 => {
                    let fwd = ForwardTsnChunk {
                        new_cumulative_tsn: cum.plus(rng.range(0, 100) as u32),
                        skipped_streams: vec![SkippedStream { stream_id: StreamId(rng.range(0, 5) as u16), ssn: Ssn(rng.next() as u16) }],
                    };
                    let _ = rx.handle_forward_tsn(&fwd);
                }
                1 => {
                    let fwd = IForwardTsnChunk {
                        new_cumulative_tsn: cum.plus(rng.range(0, 100) as u32),
                        skipped: vec![SkippedMessage { stream_id: StreamId(rng.range(0, 5) as u16), unordered: rng.chance(50), mid: Mid(rng.next() as u32) }],
                    };
                    let _ = rx.handle_iforward_tsn(&fwd);
                }
                2 => {
                    let streams: Vec<StreamId> = (0..rng.range(0, 3)).map(|_| StreamId(rng.range(0, 5) as u16)).collect();
                    let _ = rx.handle_reset_request(cum.plus(rng.range(0, 50) as u32), &streams);
                    rx.poll_reset_performed();
                }
                _ => {
                    let c = garbage(&mut rng, cum);
                    let _ = rx.handle_data(now, c);
                    if rng.chance(30) {
                        // The same TSN with different content.
                        let mut again = garbage(&mut rng, cum);
                        again.tsn = cum.next();
                        let _ = rx.handle_data(now, again);
                    }
                }
            }
            if rng.chance(50) {
                rx.handle_packet_end(now);
            }
            while rng.chance(70) && rx.poll_message().is_some() {}
            if rx.should_send_sack() {
                let s = rx.create_sack();
                prop_assert!(s.gap_ack_blocks.len() <= 128);
                prop_assert!(s.duplicate_tsns.len() <= 32);
            }
            now += Duration::from_millis(rng.range(0, 50));
            rx.handle_timeout(now);
            prop_assert!(rx.poll_timeout().is_none_or(|t| t > now));
            let held = rx.reassembly().buffered_bytes();
            prop_assert!(held <= max + 4096, "{held} bytes held");
            prop_assert!(rx.tracker().gap_range_count() <= 1024);
        }
    }

    #[test]
    fn garbage_straight_into_the_queue_stays_under_the_hard_limit(seed in any::<u64>(), interleaving: bool) {
        // A caller that never asks can_accept, and skips the data tracker.
        let mut rng = Rng(seed);
        let max = 8 * 1024;
        let mut q = ReassemblyQueue::new(max, 2048, interleaving);
        let base = Tsn(rng.next() as u32);
        for _ in 0..3000 {
            let c = garbage(&mut rng, base);
            let _ = q.add(c.tsn, c.data);
            if rng.chance(2) {
                q.handle_forward_tsn(base.plus(rng.range(0, 70_000) as u32), &[]);
                q.handle_iforward_tsn(base, &[SkippedMessage { stream_id: StreamId(1), unordered: rng.chance(50), mid: Mid(rng.next() as u32) }]);
            }
            if rng.chance(2) {
                q.reset_streams(&[StreamId(rng.range(0, 5) as u16)]);
            }
            if rng.chance(20) {
                while q.poll_message().is_some() {}
            }
            prop_assert!(q.buffered_bytes() <= max + 2048);
        }
        // Everything held can be released.
        q.reset_streams(&[]);
        while q.poll_message().is_some() {}
        prop_assert_eq!(q.buffered_bytes(), 0);
    }
}
