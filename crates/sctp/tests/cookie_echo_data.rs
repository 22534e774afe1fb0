//! DATA queued before the association is up goes with the COOKIE-ECHO
//! (RFC 9260 §5.1 D), and nothing of it is lost when the COOKIE-ECHO is,
//! when the cookie comes back stale, or when an INIT collision ends in
//! §5.2.4 case B; a side that answered the peer's INIT before opening
//! holds its own INIT back. The associations are driven by hand so that
//! each packet can be dropped or held back on purpose.

use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_sctp::association::{Association, SendOptions, State};
use sanderling_sctp::event::Event;
use sanderling_sctp::options::SctpOptions;
use sanderling_sctp::packet::{ChecksumPolicy, Packet};
use sanderling_sctp::types::{Ppid, StreamId};

mod common;
use common::{options, packets};

const INIT: u8 = 1;
const INIT_ACK: u8 = 2;
const COOKIE_ECHO: u8 = 10;
const DATA: u8 = 0;
const I_DATA: u8 = 64;

fn chunk_types(packet: &Bytes) -> Vec<u8> {
    let p = Packet::parse(packet.clone(), ChecksumPolicy::Verify).expect("a valid packet");
    p.chunks().map(|c| c.typ).collect()
}

fn deliver(to: &mut Association, now: Instant, packets: Vec<Bytes>) {
    for p in packets {
        to.handle_input(now, p);
    }
}

/// Messages `a` delivered so far, draining its events.
fn messages(a: &mut Association) -> Vec<Bytes> {
    let mut out = Vec::new();
    while let Some(e) = a.poll_event() {
        if let Event::Message(m) = e {
            out.push(m.payload);
        }
    }
    out
}

/// Passes packets both ways at `now` until neither side has any.
fn settle(a: &mut Association, b: &mut Association, now: Instant) {
    loop {
        let from_a = packets(a, now);
        let from_b = packets(b, now);
        if from_a.is_empty() && from_b.is_empty() {
            return;
        }
        deliver(b, now, from_a);
        deliver(a, now, from_b);
    }
}

/// Runs both sides' timers and packets for `span` in 10 ms steps.
fn run(a: &mut Association, b: &mut Association, mut now: Instant, span: Duration) -> Instant {
    let end = now + span;
    while now < end {
        now += Duration::from_millis(10);
        a.handle_timeout(now);
        b.handle_timeout(now);
        settle(a, b, now);
    }
    now
}

fn queue(a: &mut Association, now: Instant, text: &'static str) {
    a.send(
        now,
        StreamId(1),
        Ppid(51),
        Bytes::from_static(text.as_bytes()),
        SendOptions::default(),
    )
    .unwrap();
}

/// A sends INIT, B answers; returns A's first packet in COOKIE-ECHOED.
fn handshake_to_cookie_echo(a: &mut Association, b: &mut Association, now: Instant) -> Bytes {
    a.connect(now);
    deliver(b, now, packets(a, now));
    deliver(a, now, packets(b, now));
    assert_eq!(a.state(), State::CookieEchoed);
    let mut out = packets(a, now);
    assert_eq!(out.len(), 1, "one packet until the COOKIE-ACK");
    out.remove(0)
}

#[test]
fn data_queued_before_the_handshake_goes_with_the_cookie_echo() {
    let now = Instant::now();
    let mut a = Association::new(now, options(1)).unwrap();
    let mut b = Association::new(now, options(2)).unwrap();
    queue(&mut a, now, "first");
    let echo = handshake_to_cookie_echo(&mut a, &mut b, now);
    let types = chunk_types(&echo);
    assert_eq!(types[0], COOKIE_ECHO, "{types:?}");
    assert!(
        types[1..].iter().all(|&t| t == DATA || t == I_DATA) && types.len() == 2,
        "{types:?}"
    );
    // The peer is up and has the message from that one packet.
    b.handle_input(now, echo);
    assert_eq!(b.state(), State::Established);
    assert_eq!(messages(&mut b), vec![Bytes::from_static(b"first")]);
    settle(&mut a, &mut b, now);
    assert_eq!(a.state(), State::Established);
    assert_eq!(a.stats().data_chunks_retransmitted, 0);
}

#[test]
fn simultaneous_open_delivers_data_sent_with_either_cookie_echo() {
    let now = Instant::now();
    let mut a = Association::new(now, options(1)).unwrap();
    let mut b = Association::new(now, options(2)).unwrap();
    queue(&mut a, now, "from a");
    queue(&mut b, now, "from b");
    a.connect(now);
    b.connect(now);
    settle(&mut a, &mut b, now);
    assert_eq!(a.state(), State::Established);
    assert_eq!(b.state(), State::Established);
    assert_eq!(messages(&mut a), vec![Bytes::from_static(b"from b")]);
    assert_eq!(messages(&mut b), vec![Bytes::from_static(b"from a")]);
}

/// A opens; B opens only after A's INIT arrived (as the DTLS client gets
/// the server's Finished and INIT together). B's packets are not taken.
fn b_opens_after_as_init(now: Instant) -> (Association, Association) {
    let mut a = Association::new(now, options(1)).unwrap();
    let mut b = Association::new(now, options(2)).unwrap();
    a.connect(now);
    deliver(&mut b, now, packets(&mut a, now));
    b.connect(now);
    (a, b)
}

/// The chunk types of each packet.
fn types_of(packets: &[Bytes]) -> Vec<Vec<u8>> {
    packets.iter().map(chunk_types).collect()
}

#[test]
fn a_side_that_answered_the_peers_init_connects_without_its_own() {
    let now = Instant::now();
    let (mut a, mut b) = b_opens_after_as_init(now);
    let to_a = packets(&mut b, now);
    assert_eq!(types_of(&to_a), vec![vec![INIT_ACK]], "no INIT of B's own");
    queue(&mut b, now, "from b");
    deliver(&mut a, now, to_a);
    assert_eq!(a.state(), State::CookieEchoed);
    settle(&mut a, &mut b, now);
    assert_eq!(a.state(), State::Established);
    assert_eq!(b.state(), State::Established);
    assert_eq!(messages(&mut a), vec![Bytes::from_static(b"from b")]);
}

#[test]
fn a_held_back_init_goes_out_when_no_cookie_echo_comes() {
    let now = Instant::now();
    let (mut a, mut b) = b_opens_after_as_init(now);
    packets(&mut b, now); // the INIT-ACK, lost
    assert_eq!(b.state(), State::CookieWait);
    let t1 = b.poll_timeout().expect("T1-init runs");
    b.handle_timeout(t1);
    let init = packets(&mut b, t1);
    assert_eq!(types_of(&init), vec![vec![INIT]]);
    // A, still in COOKIE-WAIT itself, takes it up: the collision path.
    deliver(&mut a, t1, init);
    run(&mut a, &mut b, t1, Duration::from_secs(5));
    assert_eq!(a.state(), State::Established);
    assert_eq!(b.state(), State::Established);
}

#[test]
fn a_lost_cookie_echo_is_sent_again_with_its_data() {
    let t0 = Instant::now();
    let mut a = Association::new(t0, options(1)).unwrap();
    let mut b = Association::new(t0, options(2)).unwrap();
    queue(&mut a, t0, "kept");
    let _lost = handshake_to_cookie_echo(&mut a, &mut b, t0);
    // Nothing else may go to the peer before T1-cookie fires: no DATA on
    // its own (the peer has no association and would answer with ABORT).
    let before_t1 = t0 + Duration::from_millis(900);
    a.handle_timeout(before_t1);
    assert!(packets(&mut a, before_t1).is_empty());
    let t1 = a.poll_timeout().expect("T1-cookie runs");
    a.handle_timeout(t1);
    let again = packets(&mut a, t1);
    assert_eq!(again.len(), 1);
    let types = chunk_types(&again[0]);
    assert_eq!(types[0], COOKIE_ECHO, "{types:?}");
    assert_eq!(types.len(), 2, "the DATA goes again with it: {types:?}");
    deliver(&mut b, t1, again);
    settle(&mut a, &mut b, t1);
    assert_eq!(a.state(), State::Established);
    let end = run(&mut a, &mut b, t1, Duration::from_secs(5));
    assert_eq!(messages(&mut b), vec![Bytes::from_static(b"kept")]);
    assert_eq!(a.stats().data_chunks_retransmitted, 1);
    assert_eq!(b.stats().duplicate_chunks_received, 0);
    assert!(
        a.poll_timeout().is_none_or(|t| t > end),
        "no timer left behind"
    );
}

#[test]
fn data_sent_with_a_stale_cookie_arrives_after_the_restart() {
    let t0 = Instant::now();
    let mut a = Association::new(t0, options(1)).unwrap();
    let mut b = Association::new(
        t0,
        SctpOptions {
            cookie_lifetime: Duration::from_millis(100),
            ..options(2)
        },
    )
    .unwrap();
    queue(&mut a, t0, "late");
    let echo = handshake_to_cookie_echo(&mut a, &mut b, t0);
    // The COOKIE-ECHO arrives after the cookie's lifetime: B answers with
    // a Stale Cookie error and A starts over with a new INIT.
    let late = t0 + Duration::from_millis(500);
    b.handle_input(late, echo);
    assert_ne!(b.state(), State::Established);
    assert!(messages(&mut b).is_empty());
    settle(&mut a, &mut b, late);
    assert_eq!(a.state(), State::Established);
    assert_eq!(b.state(), State::Established);
    run(&mut a, &mut b, late, Duration::from_secs(5));
    assert_eq!(messages(&mut b), vec![Bytes::from_static(b"late")]);
}

#[test]
fn data_survives_a_collision_that_replaces_the_peer_tag() {
    // RFC 9260 §5.2.4 case B: A is in COOKIE-ECHOED with the tag of the
    // INIT-ACK it got, and a COOKIE-ECHO carrying A's own tag but another
    // peer tag arrives. A takes the peer's parameters from the cookie; the
    // DATA it sent with its own (lost) COOKIE-ECHO must still arrive.
    let t0 = Instant::now();
    let mut a = Association::new(t0, options(1)).unwrap();
    let mut first = Association::new(t0, options(2)).unwrap();
    let mut second = Association::new(t0, options(3)).unwrap();
    queue(&mut a, t0, "carried");
    let _lost = handshake_to_cookie_echo(&mut a, &mut first, t0);
    second.connect(t0);
    deliver(&mut a, t0, packets(&mut second, t0));
    deliver(&mut second, t0, packets(&mut a, t0));
    // second's COOKIE-ECHO: A's tag, second's tag.
    deliver(&mut a, t0, packets(&mut second, t0));
    assert_eq!(a.state(), State::Established);
    settle(&mut a, &mut second, t0);
    assert_eq!(second.state(), State::Established);
    run(&mut a, &mut second, t0, Duration::from_secs(10));
    assert_eq!(messages(&mut second), vec![Bytes::from_static(b"carried")]);
}
