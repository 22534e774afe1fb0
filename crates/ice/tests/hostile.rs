//! Hostile input to a live agent: mutated STUN messages never panic, and a
//! flood of authentic checks from many addresses stays bounded.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use common::{World, config};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sanderling_ice::ConnectionState;
use sanderling_stun::attr::{IceControlled, Priority, UseCandidate, Username, XorMappedAddress};
use sanderling_stun::{IntegrityKey, Message, MessageBuilder, Method, TransactionId};

fn valid_messages(w: &mut World) -> Vec<Bytes> {
    let creds = w.a().agent.local_credentials().clone();
    let peer = w.b().agent.local_credentials().clone();
    let key = IntegrityKey::short_term(&creds.pwd);
    let peer_key = IntegrityKey::short_term(&peer.pwd);
    let check = MessageBuilder::request(Method::BINDING, TransactionId([7; 12]))
        .attr(Username::new(&format!("{}:{}", creds.ufrag, peer.ufrag)).unwrap())
        .attr(Priority(12345))
        .attr(IceControlled(99))
        .attr(UseCandidate)
        .message_integrity(&key)
        .fingerprint()
        .build()
        .unwrap();
    let parsed = Message::parse(check.clone()).unwrap();
    let response = MessageBuilder::success_response(&parsed)
        .attr(XorMappedAddress("10.0.0.1:5000".parse().unwrap()))
        .message_integrity(&peer_key)
        .fingerprint()
        .build()
        .unwrap();
    let indication = MessageBuilder::indication(Method::BINDING, TransactionId([8; 12]))
        .fingerprint()
        .build()
        .unwrap();
    vec![check, response, indication]
}

#[test]
fn mutated_messages_never_panic_and_the_connection_survives() {
    let mut w = World::lan(81, config(81, true), config(82, false));
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    let seeds = valid_messages(&mut w);
    let mut rng = ChaCha8Rng::seed_from_u64(81);
    let local: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let peer: SocketAddr = "10.0.0.2:5000".parse().unwrap();
    for round in 0..20_000u32 {
        let base = &seeds[rng.random_range(0..seeds.len())];
        let mut m = base.to_vec();
        match rng.random_range(0..5u8) {
            0 => {
                for _ in 0..rng.random_range(1..4) {
                    let i = rng.random_range(0..m.len());
                    m[i] ^= 1 << rng.random_range(0..8);
                }
            }
            1 => m.truncate(rng.random_range(0..m.len())),
            2 => {
                let n = rng.random_range(1..64);
                m.extend((0..n).map(|_| rng.random::<u8>()));
            }
            3 => {
                // Header kept, body random, length field left alone or fixed.
                for b in m.iter_mut().skip(20) {
                    *b = rng.random();
                }
                if rng.random::<bool>() {
                    let len = u16::try_from(m.len() - 20).unwrap_or(0) & !3;
                    m.truncate(20 + usize::from(len));
                    m[2..4].copy_from_slice(&len.to_be_bytes());
                }
            }
            _ => {
                m = (0..rng.random_range(0..200))
                    .map(|_| rng.random::<u8>())
                    .collect()
            }
        }
        // From the peer, or from anywhere.
        let from = if rng.random::<bool>() {
            peer
        } else {
            SocketAddr::from(([10, 0, rng.random(), rng.random()], rng.random()))
        };
        let now = w.sim.now();
        w.a().agent.handle_input(now, local, from, &m);
        if round % 500 == 0 {
            w.run_for(Duration::from_millis(20));
        }
    }
    w.run_for(Duration::from_secs(10));
    let s = w.a().agent.stats();
    assert!(s.malformed > 1000, "{s:?}");
    assert!(s.bad_fingerprint > 100, "{s:?}");
    assert!(w.a().agent.remote_candidates().len() <= 100);
    assert!(w.a().agent.pairs().len() <= 100);
    assert!(w.connected(), "{:?} {:?}", w.a().state(), w.b().state());
}

#[test]
fn authentic_flood_from_many_addresses_is_bounded() {
    // A peer that knows the credentials (a hostile or broken one) sends
    // checks from thousands of addresses: remote candidates and pairs stay
    // at their bounds, the queue of datagrams too, and the agent keeps
    // working.
    let mut w = World::lan(83, config(83, true), config(84, false));
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    let creds = w.a().agent.local_credentials().clone();
    let key = IntegrityKey::short_term(&creds.pwd);
    let local: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    for i in 0..5000u32 {
        let tid = TransactionId([(i % 251) as u8; 12]);
        let check = MessageBuilder::request(Method::BINDING, tid)
            .attr(Username::new(&format!("{}:x", creds.ufrag)).unwrap())
            .attr(Priority(u32::MAX - i))
            .attr(IceControlled(1))
            .message_integrity(&key)
            .fingerprint()
            .build()
            .unwrap();
        let from = SocketAddr::from(([10, 2, (i >> 8) as u8, i as u8], 4000));
        let now = w.sim.now();
        w.a().agent.handle_input(now, local, from, &check);
    }
    assert!(w.a().agent.remote_candidates().len() <= 100);
    assert!(w.a().agent.pairs().len() <= 100);
    let dropped = w.a().agent.stats().transmits_dropped;
    assert!(dropped > 0, "the bounded queue dropped answers");
    w.run_for(Duration::from_secs(30));
    assert!(w.connected(), "{:?}", w.a().state());
    assert_eq!(
        w.a().agent.selected_pair(),
        Some((local, "10.0.0.2:5000".parse().unwrap()))
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Arbitrary bytes, and arbitrary bytes behind a valid STUN header,
    /// into a fresh agent that knows a peer: no panic, nothing unbounded.
    #[test]
    fn arbitrary_datagrams_never_panic(
        body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
        typ in proptest::prelude::any::<u16>(),
        port in proptest::prelude::any::<u16>(),
    ) {
        let mut agent = sanderling_ice::IceAgent::new(config(90, false));
        agent.add_local_address("eth0", "10.0.0.1:5000".parse().unwrap()).unwrap();
        agent.set_remote_credentials("peer", "peerpasswordpeerpassword").unwrap();
        let now = std::time::Instant::now();
        let local: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let from = SocketAddr::from(([10, 0, 0, 2], port));
        agent.handle_input(now, local, from, &body);
        let mut framed = Vec::with_capacity(20 + body.len());
        framed.extend_from_slice(&(typ & 0x3FFF).to_be_bytes());
        framed.extend_from_slice(&u16::try_from(body.len() & !3).unwrap_or(0).to_be_bytes());
        framed.extend_from_slice(&0x2112_A442u32.to_be_bytes());
        framed.extend_from_slice(&[5; 12]);
        framed.extend_from_slice(&body[..body.len() & !3]);
        agent.handle_input(now, local, from, &framed);
        while agent.poll_transmit(now).is_some() {}
        while agent.poll_event().is_some() {}
        agent.handle_timeout(now + Duration::from_secs(1));
        proptest::prop_assert!(agent.remote_candidates().len() <= 1);
    }
}
