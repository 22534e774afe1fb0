//! Hostile input: the server's messages from a real session, mutated
//! (bytes flipped, truncated, extended, reordered, replayed), and plain
//! random bytes, fed to clients at every stage with time moving and user
//! calls in between. Nothing may panic, the timeout contract must hold, and
//! every queue stays within its bound.

use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;

use super::{Mode, Pair, peer};
use crate::turn::{TurnClient, TurnEvent};

/// What the server sent to the client in a session that allocates, makes
/// permissions and channels, relays data both ways and refreshes.
fn session(mode: Mode) -> Vec<Bytes> {
    let mut p = Pair::new(mode);
    p.server.stale_next = 1;
    p.allocate();
    p.send(peer(1), b"to one");
    p.send(peer(2), b"to two");
    let n = p.client.channel(peer(1)).unwrap();
    let ind = p.server.data_indication(peer(2), b"from two");
    p.inject(ind);
    let cd = p.server.channel_data(n, b"from one");
    p.inject(cd);
    p.run_until(Duration::from_secs(600));
    p.client.close(p.now);
    p.exchange();
    // A few error responses too.
    let mut q = Pair::new(mode);
    q.allocate();
    q.server
        .reject
        .insert(sanderling_stun::Method::CREATE_PERMISSION, 403);
    q.send(peer(3), b"x");
    q.server
        .reject
        .insert(sanderling_stun::Method::REFRESH, 437);
    q.run_until(Duration::from_secs(600));
    p.log.into_iter().chain(q.log).collect()
}

#[derive(Clone, Debug)]
enum Op {
    /// Feed recorded message `index`, mutated.
    Feed {
        index: usize,
        flips: Vec<(usize, u8)>,
        truncate: Option<usize>,
        extend: Vec<u8>,
    },
    /// Feed random bytes.
    Random(Vec<u8>),
    /// Move the clock and run timers.
    Wait(u32),
    /// Send data to a peer.
    Send(u8),
    /// Bind a channel.
    Bind(u8),
    /// Close.
    Close,
    /// The stream ended.
    StreamClosed,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (
            any::<usize>(),
            prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
            prop::option::of(any::<usize>()),
            prop::collection::vec(any::<u8>(), 0..3),
        )
            .prop_map(|(index, flips, truncate, extend)| Op::Feed {
                index,
                flips,
                truncate,
                extend
            }),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Op::Random),
        2 => (0u32..400_000).prop_map(Op::Wait),
        2 => (0u8..4).prop_map(Op::Send),
        1 => (0u8..4).prop_map(Op::Bind),
        1 => Just(Op::Close),
        1 => Just(Op::StreamClosed),
    ]
}

fn run(mode: Mode, recorded: &[Bytes], ops: &[Op]) {
    let (config, _) = super::config(mode);
    let (tls_mode, stream) = (mode == Mode::Tls, mode != Mode::Udp);
    assert!(
        !tls_mode,
        "TLS input is ciphertext: fuzzed through TCP's framing"
    );
    let start = Instant::now();
    let mut now = start;
    let mut c = TurnClient::new(now, config).unwrap();
    let drain = |c: &mut TurnClient, now: Instant| {
        let mut out = 0usize;
        while let Some(t) = c.poll_transmit(now) {
            out += t.len();
        }
        let mut events = 0;
        while let Some(e) = c.poll_event() {
            if let TurnEvent::Data { data, .. } = e {
                assert!(data.len() <= 65_535);
            }
            events += 1;
        }
        assert!(events <= 2048, "events bounded");
        out
    };
    drain(&mut c, now);
    for op in ops {
        match op {
            Op::Feed {
                index,
                flips,
                truncate,
                extend,
            } => {
                if recorded.is_empty() {
                    continue;
                }
                let mut m = recorded[index % recorded.len()].to_vec();
                for (pos, b) in flips {
                    if !m.is_empty() {
                        let i = pos % m.len();
                        m[i] ^= b;
                    }
                }
                if let Some(t) = truncate {
                    let len = m.len();
                    m.truncate(t % (len + 1));
                }
                m.extend_from_slice(extend);
                c.handle_input(now, Bytes::from(m));
            }
            Op::Random(bytes) => c.handle_input(now, Bytes::copy_from_slice(bytes)),
            Op::Wait(ms) => {
                now += Duration::from_millis(u64::from(*ms));
                if c.poll_timeout().is_some_and(|t| t <= now) {
                    c.handle_timeout(now);
                    assert!(c.poll_timeout().is_none_or(|t| t > now));
                }
            }
            Op::Send(n) => {
                let _ = c.send_to(now, peer(u16::from(*n)), Bytes::from_static(b"data"));
            }
            Op::Bind(n) => {
                let _ = c.bind_channel(now, peer(u16::from(*n)));
            }
            Op::Close => c.close(now),
            Op::StreamClosed => {
                if stream {
                    c.handle_stream_closed(now);
                }
            }
        }
        let out = drain(&mut c, now);
        assert!(out <= 2 * 1024 * 1024, "output bounded");
    }
}

proptest! {
    // No regression files: a failure prints its minimal input, which
    // becomes a named test here.
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_server_messages_over_udp_never_panic(ops in prop::collection::vec(op(), 1..60)) {
        thread_local!(static RECORDED: Vec<Bytes> = session(Mode::Udp));
        RECORDED.with(|r| run(Mode::Udp, r, &ops));
    }

    #[test]
    fn mutated_server_stream_over_tcp_never_panics(ops in prop::collection::vec(op(), 1..60)) {
        thread_local!(static RECORDED: Vec<Bytes> = session(Mode::Tcp));
        RECORDED.with(|r| run(Mode::Tcp, r, &ops));
    }
}

#[test]
fn a_late_timer_call_leaves_no_timeout_in_the_past() {
    // Found by the fuzzer: one handle_timeout 1.5 s after the first send
    // used to leave the next retransmission at 1.5 s.
    let recorded = session(Mode::Udp);
    run(Mode::Udp, &recorded, &[Op::Wait(1500)]);
    run(Mode::Udp, &recorded, &[Op::Wait(40_000)]);
}

#[test]
fn the_recorded_session_replays_cleanly() {
    // Unmutated, in order, the recording drives a fresh client (same seed,
    // same transaction ids) to the same allocation: the fuzz corpus reaches
    // deep states, not just the first response.
    let recorded = session(Mode::Udp);
    let (config, _) = super::config(Mode::Udp);
    let now = Instant::now();
    let mut c = TurnClient::new(now, config).unwrap();
    let mut allocated = false;
    for m in &recorded {
        while c.poll_transmit(now).is_some() {}
        c.handle_input(now, m.clone());
        while let Some(e) = c.poll_event() {
            allocated |= matches!(e, TurnEvent::Allocated { .. });
        }
    }
    assert!(allocated);
}
