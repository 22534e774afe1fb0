//! TURN over a byte stream (TCP; TLS is the same bytes to the peer core)
//! through the sans-IO boundary: the core asks for a connection
//! (`ConnectTurnServer`), the test plays the driver and moves the stream's
//! bytes to the TURN client tests' scripted server in stream mode, cut in
//! odd pieces. Also the failures a driver reports: a connection that cannot
//! be made and wrong credentials end as `IceCandidateError` and gathering
//! completes without the relayed candidate.
#![allow(missing_docs)]

#[path = "../../ice/src/turn/tests/fake_server.rs"]
#[allow(dead_code, unreachable_pub)]
mod fake_server;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fake_server::{FakeServer, PASSWORD, USER};
use sanderling_dtls::Certificate;
use sanderling_rtc::{Peer, PeerConfig, PeerEvent, RelayId, TurnServer, TurnTransport};

const SERVER: &str = "203.0.113.1:3478";
const HOST: &str = "192.0.2.10:5000";

fn peer(password: &str) -> Peer {
    let config = PeerConfig {
        seed: [7; 32],
        turn_servers: vec![TurnServer {
            address: SERVER.parse().unwrap(),
            transport: TurnTransport::Tcp,
            username: USER.into(),
            password: password.into(),
        }],
        ..PeerConfig::default()
    };
    let mut p = Peer::new(config, Certificate::generate().unwrap());
    p.add_local_address("eth0", HOST.parse().unwrap());
    p.end_of_local_addresses();
    p
}

/// Starts gathering (the offer), and returns the relay the core asked a
/// connection for, with the events seen so far.
fn start(p: &mut Peer, now: Instant) -> (RelayId, Vec<PeerEvent>) {
    let offer = p.create_offer().unwrap();
    p.set_local_description(now, offer).unwrap();
    let events: Vec<PeerEvent> = std::iter::from_fn(|| p.poll_event()).collect();
    let relay = events
        .iter()
        .find_map(|e| match e {
            PeerEvent::ConnectTurnServer { relay, server } => {
                assert_eq!(*server, SERVER.parse::<SocketAddr>().unwrap());
                Some(*relay)
            }
            _ => None,
        })
        .expect("the core asks for a connection to the TCP server");
    (relay, events)
}

/// Plays the driver: moves stream bytes between the core and the scripted
/// server (its answers fed back in 7-byte pieces), drains UDP transmits,
/// runs timers, for `steps` rounds of 10 ms; returns every event.
fn run(p: &mut Peer, relay: RelayId, server: &mut FakeServer, mut now: Instant) -> Vec<PeerEvent> {
    let mut events = Vec::new();
    for _ in 0..200 {
        while p.poll_transmit(now).is_some() {}
        let mut answers = Vec::new();
        while let Some(bytes) = p.poll_stream_transmit(now, relay) {
            answers.extend(server.handle(bytes));
        }
        for answer in answers {
            for piece in answer.chunks(7) {
                p.handle_stream_input(now, relay, Bytes::copy_from_slice(piece));
            }
        }
        events.extend(std::iter::from_fn(|| p.poll_event()));
        if events.contains(&PeerEvent::IceCandidate(None)) {
            break;
        }
        now += Duration::from_millis(10);
        if p.poll_timeout().is_some_and(|t| t <= now) {
            p.handle_timeout(now);
        }
    }
    events
}

fn candidates(events: &[PeerEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            PeerEvent::IceCandidate(Some(c)) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_tcp_relay_gives_a_relayed_candidate_over_the_stream() {
    let now = Instant::now();
    let mut p = peer(PASSWORD);
    let (relay, _) = start(&mut p, now);
    // No datagram goes to the server: its bytes are the stream's.
    while let Some(t) = p.poll_transmit(now) {
        assert_ne!(t.remote, SERVER.parse::<SocketAddr>().unwrap());
    }
    let mut server = FakeServer::new(true);
    let events = run(&mut p, relay, &mut server, now);
    let relayed = candidates(&events)
        .into_iter()
        .find(|c| c.contains("typ relay"))
        .unwrap_or_else(|| panic!("a relayed candidate: {events:?}"));
    assert!(
        relayed.contains(&server.relayed.ip().to_string())
            && relayed.contains(&server.relayed.port().to_string()),
        "{relayed}"
    );
    assert!(events.contains(&PeerEvent::IceCandidate(None)));
    assert_eq!(p.relayed_addresses(), vec![server.relayed]);
    assert!(server.allocated);
    // Closing deletes the allocation over the stream.
    p.close();
    let mut refresh = Vec::new();
    while let Some(bytes) = p.poll_stream_transmit(now, relay) {
        refresh.push(bytes);
    }
    assert!(!refresh.is_empty(), "the zero-lifetime Refresh is written");
}

#[test]
fn a_connection_that_cannot_be_made_ends_gathering_with_an_error() {
    let now = Instant::now();
    let mut p = peer(PASSWORD);
    let (relay, _) = start(&mut p, now);
    p.handle_stream_closed(now, relay, Some("connection refused".into()));
    // As a driver does after any call: drain the output, run due timers.
    while p.poll_transmit(now).is_some() {}
    p.handle_timeout(now);
    while p.poll_transmit(now).is_some() {}
    let events: Vec<PeerEvent> = std::iter::from_fn(|| p.poll_event()).collect();
    let error = events
        .iter()
        .find_map(|e| match e {
            PeerEvent::IceCandidateError {
                server,
                transport,
                code,
                reason,
            } => Some((*server, *transport, *code, reason.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("an icecandidateerror: {events:?}"));
    assert_eq!(error.0, SERVER.parse::<SocketAddr>().unwrap());
    assert_eq!((error.1, error.2), ("tcp", 701));
    assert!(error.3.contains("connection refused"), "{}", error.3);
    assert!(
        events.contains(&PeerEvent::IceCandidate(None)),
        "gathering completes without the relay: {events:?}"
    );
    assert!(candidates(&events).iter().all(|c| !c.contains("typ relay")));
}

#[test]
fn wrong_credentials_are_a_401_candidate_error() {
    let now = Instant::now();
    let mut p = peer("not the password");
    let (relay, _) = start(&mut p, now);
    let mut server = FakeServer::new(true);
    let events = run(&mut p, relay, &mut server, now);
    assert!(
        events.iter().any(|e| matches!(
            e,
            PeerEvent::IceCandidateError { code: 401, transport: "tcp", reason, .. }
                if reason.contains("wrong username or password")
        )),
        "{events:?}"
    );
    assert!(events.contains(&PeerEvent::IceCandidate(None)));
    assert!(candidates(&events).iter().all(|c| !c.contains("typ relay")));
    assert!(!server.allocated);
}
