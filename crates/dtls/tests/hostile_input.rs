//! Hostile input: real handshake and data records, mutated, and random
//! bytes, fed to live transports in both roles, both versions and every
//! stage (fresh, mid-handshake, connected). Nothing may panic, the output
//! per input stays bounded, timeouts stay in the future, and a connected
//! pair survives the noise.
//!
//! The mutations are drawn from a seeded ChaCha generator, so a failure
//! names the seed that replays it (the captured records themselves differ
//! from run to run: dimpl's handshake randomness is its own).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sanderling_dtls::{
    Certificate, DtlsConfig, DtlsEvent, DtlsRole, DtlsState, DtlsTransport, HashAlgorithm,
    VersionPolicy,
};

/// Most datagrams one input may produce (a whole flight, retransmitted).
const MAX_TRANSMITS_PER_INPUT: usize = 32;
/// Most events one input may produce (held data released at once included).
const MAX_EVENTS_PER_INPUT: usize = 80;

fn certs() -> &'static (Certificate, Certificate) {
    static CERTS: OnceLock<(Certificate, Certificate)> = OnceLock::new();
    CERTS.get_or_init(|| {
        (
            Certificate::generate().unwrap(),
            Certificate::generate().unwrap(),
        )
    })
}

fn transport(now: Instant, role: DtlsRole, version: VersionPolicy) -> DtlsTransport {
    let (ca, cb) = certs();
    let (own, peer) = match role {
        DtlsRole::Client => (ca, cb),
        DtlsRole::Server => (cb, ca),
    };
    let config = DtlsConfig {
        role,
        version,
        remote_fingerprints: vec![peer.fingerprint(HashAlgorithm::Sha256)],
        ..DtlsConfig::default()
    };
    DtlsTransport::new(now, own, config).unwrap()
}

/// Drains a transport after one input, checking the bounds.
fn drain(t: &mut DtlsTransport, now: Instant) -> (Vec<Bytes>, Vec<DtlsEvent>) {
    let mut out = Vec::new();
    while let Some(d) = t.poll_transmit(now) {
        assert!(d.len() <= 1200, "datagram of {} bytes", d.len());
        out.push(d);
        assert!(
            out.len() <= MAX_TRANSMITS_PER_INPUT,
            "unbounded output: {t:?}"
        );
    }
    let mut events = Vec::new();
    while let Some(e) = t.poll_event() {
        events.push(e);
        assert!(
            events.len() <= MAX_EVENTS_PER_INPUT,
            "unbounded events: {t:?}"
        );
    }
    (out, events)
}

/// A connected client/server pair (shuttled without loss), with every
/// datagram each side sent: the handshake, some data, and a few records
/// sent after.
struct Session {
    client: DtlsTransport,
    server: DtlsTransport,
    now: Instant,
    captured: Vec<Bytes>,
}

impl Session {
    fn new(version: VersionPolicy) -> Self {
        let now = Instant::now();
        let mut s = Self {
            client: transport(now, DtlsRole::Client, version),
            server: transport(now, DtlsRole::Server, version),
            now,
            captured: Vec::new(),
        };
        s.shuttle();
        assert_eq!(s.client.state(), DtlsState::Connected);
        assert_eq!(s.server.state(), DtlsState::Connected);
        for i in 0..4u8 {
            s.client.send(s.now, &[i; 40]).unwrap();
            s.server.send(s.now, &[i; 700]).unwrap();
        }
        s.shuttle();
        s
    }

    /// Delivers everything until both are quiet; returns the data received
    /// (client's, server's).
    fn shuttle(&mut self) -> (Vec<Bytes>, Vec<Bytes>) {
        let mut got = (Vec::new(), Vec::new());
        loop {
            let (to_server, ev_c) = drain(&mut self.client, self.now);
            let (to_client, ev_s) = drain(&mut self.server, self.now);
            for (events, into) in [(ev_c, &mut got.0), (ev_s, &mut got.1)] {
                into.extend(events.into_iter().filter_map(|e| match e {
                    DtlsEvent::ApplicationData(d) => Some(d),
                    _ => None,
                }));
            }
            if to_server.is_empty() && to_client.is_empty() {
                return got;
            }
            for d in to_server {
                self.server.handle_input(self.now, &d);
                self.captured.push(d);
            }
            for d in to_client {
                self.client.handle_input(self.now, &d);
                self.captured.push(d);
            }
        }
    }
}

/// One hostile datagram, made from the captured ones or from nothing.
fn mutate(rng: &mut ChaCha8Rng, pool: &[Bytes]) -> Vec<u8> {
    let mut d = pool[rng.random_range(0..pool.len())].to_vec();
    match rng.random_range(0..10) {
        // A few bits flipped anywhere.
        0 | 1 => {
            for _ in 0..rng.random_range(1..=8) {
                let i = rng.random_range(0..d.len());
                d[i] ^= 1 << rng.random_range(0..8);
            }
        }
        // A byte of a record or handshake header set at random.
        2 => {
            let i = rng.random_range(0..d.len().min(26));
            d[i] = rng.random();
        }
        // The record length or a handshake length set at random.
        3 => {
            let at = [11, 14, 22][rng.random_range(0..3)];
            if d.len() > at + 1 {
                let v: u16 = rng.random();
                d[at..at + 2].copy_from_slice(&v.to_be_bytes());
            }
        }
        // Truncated.
        4 => d.truncate(rng.random_range(0..d.len())),
        // Random tail.
        5 => d.extend((0..rng.random_range(1..200)).map(|_| rng.random::<u8>())),
        // Two datagrams glued together, or a piece of one after another.
        6 => {
            let other = &pool[rng.random_range(0..pool.len())];
            let from = rng.random_range(0..other.len());
            d.extend_from_slice(&other[from..]);
        }
        // Replayed as is.
        7 => {}
        // Random bytes that look like DTLS by their first byte.
        8 => {
            let len = rng.random_range(1..1300);
            d = (0..len).map(|_| rng.random::<u8>()).collect();
            d[0] = rng.random_range(20..=63);
        }
        // A plausible plaintext record header with random content.
        _ => {
            let len = rng.random_range(0..300u16);
            d = vec![rng.random_range(20..=26), 0xfe, 0xfd];
            d.extend_from_slice(&[0, rng.random_range(0..3)]);
            d.extend((0..6).map(|_| rng.random::<u8>()));
            d.extend_from_slice(&len.to_be_bytes());
            d.extend((0..len).map(|_| rng.random::<u8>()));
        }
    }
    d
}

/// Feeds `n` hostile datagrams to a transport, with time passing, and
/// replaces it with a fresh one whenever it fails. Returns how many failed.
fn pound(
    rng: &mut ChaCha8Rng,
    pool: &[Bytes],
    n: usize,
    mut fresh: impl FnMut(Instant) -> DtlsTransport,
) -> usize {
    let mut now = Instant::now();
    let mut t = fresh(now);
    let mut failures = 0;
    for i in 0..n {
        let d = mutate(rng, pool);
        t.handle_input(now, &d);
        drain(&mut t, now);
        if i % 8 == 0 {
            now += Duration::from_millis(rng.random_range(0..700));
            if t.poll_timeout().is_some_and(|to| to <= now) {
                t.handle_timeout(now);
                drain(&mut t, now);
                assert!(
                    t.poll_timeout().is_none_or(|to| to > now),
                    "timeout in the past: {t:?}"
                );
            }
        }
        if t.state() == DtlsState::Failed {
            assert!(t.failure().is_some());
            failures += 1;
            t = fresh(now);
        }
    }
    failures
}

#[test]
fn fresh_transports_survive_mutated_handshakes() {
    for (seed, version) in [
        (1u64, VersionPolicy::Dtls12),
        (2, VersionPolicy::Dtls13),
        (3, VersionPolicy::Auto),
    ] {
        let pool = Session::new(version).captured;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for role in [DtlsRole::Client, DtlsRole::Server] {
            pound(&mut rng, &pool, 1500, |now| transport(now, role, version));
        }
    }
}

/// A connected pair takes a flood of mutated and replayed records of its
/// own session (and random ones) on both sides, then still talks.
#[test]
fn connected_pair_shrugs_off_noise() {
    for (seed, version) in [(4u64, VersionPolicy::Dtls12), (5, VersionPolicy::Dtls13)] {
        let mut s = Session::new(version);
        let pool = s.captured.clone();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for i in 0..3000 {
            let d = mutate(&mut rng, &pool);
            let t = if i % 2 == 0 {
                &mut s.client
            } else {
                &mut s.server
            };
            t.handle_input(s.now, &d);
            let (_, events) = drain(t, s.now);
            assert!(
                events
                    .iter()
                    .all(|e| !matches!(e, DtlsEvent::ApplicationData(_))),
                "{version:?}: noise delivered as data"
            );
            assert_eq!(
                t.state(),
                DtlsState::Connected,
                "{version:?} seed {seed}: {t:?}"
            );
            // Answers to noise (retransmitted final flights) go nowhere.
        }
        s.client.send(s.now, b"still there?").unwrap();
        s.server.send(s.now, b"yes").unwrap();
        let (at_client, at_server) = s.shuttle();
        assert_eq!(at_server, vec![Bytes::from_static(b"still there?")]);
        assert_eq!(at_client, vec![Bytes::from_static(b"yes")]);
    }
}

/// Noise mixed into a real handshake: the handshake either completes or
/// fails with a reason (a forged plaintext fatal alert is a legitimate
/// way to fail), and never panics.
#[test]
fn handshake_with_noise_in_between() {
    let pool = Session::new(VersionPolicy::Dtls12).captured;
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut completed = 0;
    for round in 0..40 {
        let version = [VersionPolicy::Dtls12, VersionPolicy::Dtls13][round % 2];
        let now = Instant::now();
        let mut c = transport(now, DtlsRole::Client, version);
        let mut sv = transport(now, DtlsRole::Server, version);
        for _ in 0..50 {
            let (to_s, _) = drain(&mut c, now);
            let (to_c, _) = drain(&mut sv, now);
            if to_s.is_empty() && to_c.is_empty() {
                break;
            }
            for d in to_s {
                sv.handle_input(now, &mutate(&mut rng, &pool));
                sv.handle_input(now, &d);
            }
            for d in to_c {
                c.handle_input(now, &mutate(&mut rng, &pool));
                c.handle_input(now, &d);
            }
        }
        match (c.state(), sv.state()) {
            (DtlsState::Connected, DtlsState::Connected) => completed += 1,
            _ => assert!(
                c.failure().is_some()
                    || sv.failure().is_some()
                    || c.state() == DtlsState::Connecting,
                "round {round}: {c:?} {sv:?}"
            ),
        }
    }
    assert!(
        completed >= 30,
        "only {completed} of 40 handshakes completed"
    );
}

/// A client that offers both versions reads the first datagram it gets as
/// the server's answer; junk before the real answer is dropped, not fatal.
#[test]
fn auto_client_ignores_junk_before_the_answer() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let now = Instant::now();
    let mut c = transport(now, DtlsRole::Client, VersionPolicy::Auto);
    let mut sv = transport(now, DtlsRole::Server, VersionPolicy::Dtls12);
    let (hello, _) = drain(&mut c, now);
    for _ in 0..100 {
        let len = rng.random_range(1..300);
        let mut junk: Vec<u8> = (0..len).map(|_| rng.random::<u8>()).collect();
        junk[0] = rng.random_range(20..=63);
        if junk.get(13) == Some(&1) {
            junk[13] = 2; // not a ClientHello (that would be a role conflict)
        }
        c.handle_input(now, &junk);
        drain(&mut c, now);
    }
    assert_eq!(c.state(), DtlsState::Connecting, "{c:?}");
    assert!(c.stats().dropped_unrecognized > 0);
    let mut to_server = hello;
    for _ in 0..10 {
        for d in to_server.drain(..) {
            sv.handle_input(now, &d);
        }
        for d in drain(&mut sv, now).0 {
            c.handle_input(now, &d);
        }
        to_server = drain(&mut c, now).0;
    }
    assert_eq!(c.state(), DtlsState::Connected, "{c:?}");
    assert_eq!(sv.state(), DtlsState::Connected, "{sv:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary datagrams (DTLS by their first byte) at a fresh server and
    /// a fresh client.
    #[test]
    fn arbitrary_datagrams(first in 20u8..=63, rest in proptest::collection::vec(any::<u8>(), 0..1400), server in any::<bool>()) {
        let now = Instant::now();
        let role = if server { DtlsRole::Server } else { DtlsRole::Client };
        let mut t = transport(now, role, VersionPolicy::Auto);
        let mut d = vec![first];
        d.extend_from_slice(&rest);
        t.handle_input(now, &d);
        drain(&mut t, now);
        t.handle_input(now + Duration::from_secs(1), &d);
        drain(&mut t, now);
        prop_assert!(t.state() != DtlsState::Connected);
    }
}
