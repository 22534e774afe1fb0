//! Two whole peer connections on the simulated network: offer/answer,
//! ICE, DTLS, SCTP and data channels, all on the virtual clock.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_datachannel::{ChannelConfig, Message, ReadyState};
use sanderling_dtls::Certificate;
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NodeId, Sim, Transmit};
use sanderling_rtc::{ChannelHandle, ConnectionState, Peer, PeerConfig, PeerEvent};

struct Node {
    peer: Peer,
    events: Vec<PeerEvent>,
    /// Drop our outgoing DTLS application data records (content type 23):
    /// lets a test deliver a close_notify without the SCTP ABORT before it.
    drop_dtls_app_data: bool,
}

impl Node {
    fn drain(&mut self) {
        while let Some(e) = self.peer.poll_event() {
            self.events.push(e);
        }
    }
    fn messages(&self, ch: ChannelHandle) -> Vec<Message> {
        self.events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::ChannelMessage { channel, message } if *channel == ch => {
                    Some(message.clone())
                }
                _ => None,
            })
            .collect()
    }
    fn incoming(&self) -> Vec<ChannelHandle> {
        self.events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::DataChannel(h) => Some(*h),
                _ => None,
            })
            .collect()
    }
}

impl Endpoint for Node {
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.peer
            .handle_input(now, d.destination, d.source, d.payload);
        self.drain();
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let mut t = self.peer.poll_transmit(now);
        while self.drop_dtls_app_data && t.as_ref().is_some_and(|t| t.payload.first() == Some(&23))
        {
            t = self.peer.poll_transmit(now);
        }
        self.drain();
        t.map(|t| Transmit {
            destination: t.remote,
            source: Some(t.local),
            payload: t.payload,
        })
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.peer.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
        self.drain();
    }
}

struct Pair {
    sim: Sim,
    a: NodeId,
    b: NodeId,
}

fn config(seed: u8) -> PeerConfig {
    let mut c = PeerConfig {
        seed: [seed; 32],
        ..PeerConfig::default()
    };
    c.ice.include_loopback = true;
    c
}

impl Pair {
    fn new(seed: u64, link: LinkConfig) -> Self {
        Self::with(seed, link, config(1), config(2))
    }
    fn with(seed: u64, link: LinkConfig, a_config: PeerConfig, b_config: PeerConfig) -> Self {
        let mut sim = Sim::new(seed);
        let a_addr: SocketAddr = "10.0.0.1:40000".parse().unwrap();
        let b_addr: SocketAddr = "10.0.0.2:40000".parse().unwrap();
        let mut pa = Peer::new(a_config, Certificate::generate().unwrap());
        let mut pb = Peer::new(b_config, Certificate::generate().unwrap());
        pa.add_local_address("eth0", a_addr);
        pa.end_of_local_addresses();
        pb.add_local_address("eth0", b_addr);
        pb.end_of_local_addresses();
        let a = sim.add_endpoint(
            a_addr,
            Node {
                peer: pa,
                events: vec![],
                drop_dtls_app_data: false,
            },
        );
        let b = sim.add_endpoint(
            b_addr,
            Node {
                peer: pb,
                events: vec![],
                drop_dtls_app_data: false,
            },
        );
        sim.network_mut().set_path(a, b, link);
        Self { sim, a, b }
    }
    fn a(&mut self) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.a)
    }
    fn b(&mut self) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.b)
    }
    /// Offer from A, answer from B, candidates inside the descriptions.
    fn negotiate(&mut self) {
        self.negotiate_edited(|_| {}, |_| {});
    }
    /// The same, the offer's and the answer's text edited on the way (as a
    /// peer's quirks or a signalling path might).
    fn negotiate_edited(
        &mut self,
        offer: impl FnOnce(&mut String),
        answer: impl FnOnce(&mut String),
    ) {
        let now = self.sim.now();
        let mut o = self.a().peer.create_offer().unwrap();
        self.a().peer.set_local_description(now, o.clone()).unwrap();
        offer(&mut o.sdp);
        self.b().peer.set_remote_description(now, o).unwrap();
        let mut a = self.b().peer.create_answer().unwrap();
        self.b().peer.set_local_description(now, a.clone()).unwrap();
        answer(&mut a.sdp);
        self.a().peer.set_remote_description(now, a).unwrap();
        self.a().drain();
        self.b().drain();
    }
    fn run_until(&mut self, max: Duration, f: impl Fn(&Node, &Node) -> bool) -> bool {
        let (a, b) = (self.a, self.b);
        self.sim
            .run_until(max, |s| f(s.endpoint::<Node>(a), s.endpoint::<Node>(b)))
    }
}

#[test]
fn two_peers_connect_and_exchange_messages_on_a_channel_made_before_the_offer() {
    let mut p = Pair::new(1, LinkConfig::with_delay(Duration::from_millis(10)));
    let now = p.sim.now();
    let chat = p
        .a()
        .peer
        .create_data_channel(
            now,
            ChannelConfig {
                protocol: "chat".into(),
                ..ChannelConfig::new("chat 💬")
            },
        )
        .unwrap();
    assert_eq!(p.a().peer.channel_state(chat), Some(ReadyState::Connecting));
    p.negotiate();
    let up = p.run_until(Duration::from_secs(10), |a, b| {
        a.peer.connection_state() == ConnectionState::Connected
            && b.peer.connection_state() == ConnectionState::Connected
            && a.peer.channel_state(chat) == Some(ReadyState::Open)
            && !b.incoming().is_empty()
    });
    let a_events = format!("{:?}", p.a().events);
    assert!(up, "a: {a_events}\nb: {:?}", p.b().events);
    let remote = p.b().incoming()[0];
    // Two of ours use every SCTP extension, zero checksum and large packets
    // included.
    let all = sanderling_sctp::capabilities::Capabilities {
        partial_reliability: true,
        message_interleaving: true,
        reconfig: true,
        zero_checksum: true,
        large_packets: true,
    };
    assert_eq!(p.a().peer.sctp_capabilities(), Some(all));
    assert_eq!(p.b().peer.sctp_capabilities(), Some(all));
    assert_eq!(p.b().peer.channel_config(remote).unwrap().label, "chat 💬");
    assert_eq!(p.b().peer.channel_config(remote).unwrap().protocol, "chat");
    // DTLS client (the answerer) picks even ids, so the offerer's is odd.
    assert_eq!(p.a().peer.channel_stream_id(chat).map(|id| id % 2), Some(1));
    let now = p.sim.now();
    p.a().peer.send(now, chat, "hello").unwrap();
    p.b()
        .peer
        .send(now, remote, Bytes::from_static(b"\x00\x01"))
        .unwrap();
    assert!(
        p.run_until(Duration::from_secs(5), |a, b| a.messages(chat).len() == 1
            && b.messages(remote).len() == 1)
    );
    assert_eq!(p.b().messages(remote), vec![Message::Text("hello".into())]);
    assert_eq!(
        p.a().messages(chat),
        vec![Message::Binary(Bytes::from_static(b"\x00\x01"))]
    );
    // Close from the receiving side: both see it closed.
    let now = p.sim.now();
    p.b().peer.close_channel(now, remote).unwrap();
    assert!(p.run_until(Duration::from_secs(5), |a, b| {
        a.events.contains(&PeerEvent::ChannelClosed(chat))
            && b.events.contains(&PeerEvent::ChannelClosed(remote))
    }));
}

/// Without SNAP, the SCTP handshake: the answerer is the DTLS client, the
/// offerer's Finished and INIT reach it together, and it answers the INIT
/// rather than colliding with one of its own.
#[test]
fn one_init_opens_the_association_the_dtls_client_answers_it() {
    let no_snap = |seed| PeerConfig {
        snap: false,
        ..config(seed)
    };
    let mut p = Pair::with(
        11,
        LinkConfig::with_delay(Duration::from_millis(10)),
        no_snap(1),
        no_snap(2),
    );
    let ch = channel_open_on_both_sides(&mut p);
    assert_eq!(p.a().peer.channel_state(ch), Some(ReadyState::Open));
    let inits = |n: &mut Node| n.peer.sctp_stats().map(|s| s.inits_sent);
    assert_eq!(inits(p.a()), Some(1));
    assert_eq!(inits(p.b()), Some(0));
    assert!(!p.a().peer.sctp_opened_by_snap());
}

/// A channel made before the offer, open on both sides after offer/answer.
fn channel_open_on_both_sides(p: &mut Pair) -> ChannelHandle {
    channel_open_within(p, Duration::from_secs(10))
}

/// The same, on a path slow enough (loss) to need `within` of virtual time.
fn channel_open_within(p: &mut Pair, within: Duration) -> ChannelHandle {
    open_channel_edited(p, within, |_| {}, |_| {})
}

/// SNAP (the default between two of ours): each description carries its
/// side's SCTP INIT, SCTP opens as DTLS completes, and no INIT crosses
/// the network. The offerer's first channel reaches the answerer with
/// DTLS's last flight: two one-way trips (20 ms here) sooner than with
/// the handshake, whose INIT goes with that flight.
#[test]
fn with_snap_sctp_opens_with_dtls_and_the_channel_two_trips_sooner() {
    let link = LinkConfig::with_delay(Duration::from_millis(10));
    let seen_at = |snap: bool| {
        let c = |seed| PeerConfig {
            snap,
            ..config(seed)
        };
        let mut p = Pair::with(12, link.clone(), c(1), c(2));
        let start = p.sim.now();
        let ch = p
            .a()
            .peer
            .create_data_channel(start, ChannelConfig::new("fast"))
            .unwrap();
        p.negotiate();
        assert!(p.run_until(Duration::from_secs(10), |_, b| !b.incoming().is_empty()));
        let seen = p.sim.now() - start;
        assert!(p.run_until(Duration::from_secs(5), |a, _| {
            a.events.contains(&PeerEvent::ChannelOpen(ch))
        }));
        for id in [p.a, p.b] {
            let n = p.sim.endpoint_mut::<Node>(id);
            let sdp = &n.peer.local_description().unwrap().sdp;
            assert_eq!(sdp.contains("a=sctp-init:"), snap);
            assert_eq!(n.peer.sctp_opened_by_snap(), snap);
        }
        let inits = p.a().peer.sctp_stats().unwrap().inits_sent
            + p.b().peer.sctp_stats().unwrap().inits_sent;
        assert_eq!(inits, u64::from(!snap));
        let now = p.sim.now();
        p.a().peer.send(now, ch, "hello").unwrap();
        let remote = p.b().incoming()[0];
        assert!(p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1));
        seen
    };
    let (with, without) = (seen_at(true), seen_at(false));
    assert_eq!(
        without - with,
        Duration::from_millis(20),
        "{with:?} vs {without:?}"
    );
}

/// SNAP under loss and reordering: DTLS flights, the first DCEP OPEN
/// (right behind the server's Finished, or overtaking it) and data may be
/// lost or late; over many seeds with 15% loss and 10% reordering each way
/// the channel still opens on both sides and every message arrives, in
/// order.
#[test]
fn snap_setup_survives_loss_and_reordering_of_any_packet() {
    for seed in 0..24 {
        let link = LinkConfig {
            loss: 0.15,
            duplicate: 0.05,
            reorder: 0.1,
            reorder_delay: Duration::from_millis(15),
            ..LinkConfig::with_delay(Duration::from_millis(10))
        };
        let mut p = Pair::new(100 + seed, link);
        let ch = channel_open_within(&mut p, Duration::from_secs(120));
        assert!(p.a().peer.sctp_opened_by_snap(), "seed {seed}");
        let now = p.sim.now();
        for i in 0..20u8 {
            p.a().peer.send(now, ch, vec![i; 500]).unwrap();
        }
        let remote = p.b().incoming()[0];
        assert!(
            p.run_until(Duration::from_secs(120), |_, b| b.messages(remote).len()
                == 20),
            "seed {seed}: messages missing"
        );
        let got: Vec<u8> = p
            .b()
            .messages(remote)
            .iter()
            .map(|m| match m {
                Message::Binary(b) => b[0],
                Message::Text(_) => panic!("text"),
            })
            .collect();
        assert_eq!(got, (0..20).collect::<Vec<_>>(), "seed {seed}");
    }
}

/// SNAP needs both sides: either one without it leaves `a=sctp-init` out
/// of the answer, and the handshake opens SCTP as before.
#[test]
fn snap_on_one_side_only_falls_back_to_the_handshake() {
    let link = LinkConfig::with_delay(Duration::from_millis(5));
    for (a_snap, b_snap) in [(true, false), (false, true)] {
        let mut p = Pair::with(
            13,
            link.clone(),
            PeerConfig {
                snap: a_snap,
                ..config(1)
            },
            PeerConfig {
                snap: b_snap,
                ..config(2)
            },
        );
        let ch = channel_open_on_both_sides(&mut p);
        let offer = p.b().peer.remote_description().unwrap().sdp.clone();
        let answer = p.b().peer.local_description().unwrap().sdp.clone();
        assert_eq!(offer.contains("a=sctp-init:"), a_snap);
        assert!(!answer.contains("a=sctp-init"), "{answer}");
        assert!(!p.a().peer.sctp_opened_by_snap() && !p.b().peer.sctp_opened_by_snap());
        assert_eq!(p.a().peer.sctp_stats().unwrap().inits_sent, 1);
        let now = p.sim.now();
        p.a().peer.send(now, ch, "handshake").unwrap();
        let remote = p.b().incoming()[0];
        assert!(p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1));
    }
}

/// An `a=sctp-init` that is not a valid INIT is ignored (the draft: no
/// `a=sctp-init` in the answer), and the handshake runs.
#[test]
fn an_invalid_sctp_init_in_the_offer_is_ignored() {
    for junk in ["not base64!", "AAAA", "AQAAFAAAAAAAUAAA/////+B5ZR0="] {
        let mut p = Pair::new(14, LinkConfig::with_delay(Duration::from_millis(5)));
        let ch = open_channel_edited(
            &mut p,
            Duration::from_secs(10),
            |offer| {
                let ours = sdp_attr(offer, "sctp-init")[0].to_owned();
                *offer = offer.replace(&ours, junk);
            },
            |_| {},
        );
        let answer = &p.b().peer.local_description().unwrap().sdp;
        assert!(sdp_attr(answer, "sctp-init").is_empty(), "{junk}: {answer}");
        assert!(!p.a().peer.sctp_opened_by_snap());
        assert_eq!(p.a().peer.channel_state(ch), Some(ReadyState::Open));
    }
}

/// An answer that carries our own `a=sctp-init` back (libdatachannel
/// copies attributes it does not know from the offer into its answer) is
/// no SNAP: the peer's SCTP runs the handshake, and so do we.
#[test]
fn our_own_sctp_init_echoed_in_the_answer_is_not_snap() {
    let no_snap = PeerConfig {
        snap: false,
        ..config(2)
    };
    let link = LinkConfig::with_delay(Duration::from_millis(5));
    let mut p = Pair::with(16, link, config(1), no_snap);
    let ours = std::cell::RefCell::new(String::new());
    open_channel_edited(
        &mut p,
        Duration::from_secs(10),
        |offer| *ours.borrow_mut() = sdp_attr(offer, "sctp-init")[0].to_owned(),
        |answer| {
            let line = format!("a=sctp-init:{}\r\na=max-message-size", ours.borrow());
            *answer = answer.replace("a=max-message-size", &line);
        },
    );
    let echoed = p.a().peer.remote_description().unwrap().sdp.clone();
    assert_eq!(sdp_attr(&echoed, "sctp-init"), [ours.borrow().as_str()]);
    assert!(!p.a().peer.sctp_opened_by_snap());
    assert_eq!(p.a().peer.sctp_stats().unwrap().inits_sent, 1);
}

/// A channel made before an offer/answer edited on the way, open on both
/// sides within `within`.
fn open_channel_edited(
    p: &mut Pair,
    within: Duration,
    offer: impl FnOnce(&mut String),
    answer: impl FnOnce(&mut String),
) -> ChannelHandle {
    let now = p.sim.now();
    let ch = p
        .a()
        .peer
        .create_data_channel(now, ChannelConfig::new("edited"))
        .unwrap();
    p.negotiate_edited(offer, answer);
    assert!(
        p.run_until(within, |a, b| {
            a.events.contains(&PeerEvent::ChannelOpen(ch)) && !b.incoming().is_empty()
        }),
        "channel not open on both sides within {within:?}"
    );
    ch
}

/// Later offers and answers carry the same `a=sctp-init` as the first
/// exchange when SNAP was negotiated, and none when it was not.
#[test]
fn renegotiation_keeps_what_the_first_exchange_decided_about_snap() {
    let link = LinkConfig::with_delay(Duration::from_millis(5));
    for b_snap in [true, false] {
        let mut p = Pair::with(
            15,
            link.clone(),
            config(1),
            PeerConfig {
                snap: b_snap,
                ..config(2)
            },
        );
        let ch = channel_open_on_both_sides(&mut p);
        let first = |n: &mut Node| {
            sdp_attr(&n.peer.local_description().unwrap().sdp, "sctp-init")
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        let (a_first, b_first) = (first(p.a()), first(p.b()));
        assert_eq!(a_first.len(), 1);
        assert_eq!(b_first.len(), usize::from(b_snap));
        p.negotiate();
        let expect_a = if b_snap { a_first.clone() } else { vec![] };
        assert_eq!(first(p.a()), expect_a, "the re-offer");
        assert_eq!(first(p.b()), b_first, "the re-answer");
        let now = p.sim.now();
        p.a().peer.send(now, ch, "after").unwrap();
        let remote = p.b().incoming()[0];
        assert!(p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1));
        assert_eq!(p.b().incoming().len(), 1, "the same association");
    }
}

#[test]
fn a_garbage_remote_description_leaves_the_connection_working() {
    let mut p = Pair::new(2, LinkConfig::with_delay(Duration::from_millis(5)));
    let ch = channel_open_on_both_sides(&mut p);
    let now = p.sim.now();
    let junk = sanderling_rtc::jsep::SessionDescription {
        sdp_type: sanderling_rtc::jsep::SdpType::Offer,
        sdp: "v=0\r\nthis is not sdp\r\n".into(),
    };
    assert!(p.b().peer.set_remote_description(now, junk).is_err());
    p.a().peer.send(now, ch, "still here").unwrap();
    let remote = p.b().incoming()[0];
    assert!(p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1));
}

#[test]
fn reliable_channel_survives_loss() {
    let link = LinkConfig {
        loss: 0.05,
        ..LinkConfig::with_delay(Duration::from_millis(10))
    };
    let mut p = Pair::new(3, link);
    let ch = channel_open_within(&mut p, Duration::from_secs(60));
    let now = p.sim.now();
    for i in 0..200u32 {
        p.a()
            .peer
            .send(now, ch, Bytes::from(i.to_be_bytes().repeat(300)))
            .unwrap();
    }
    let remote = p.b().incoming()[0];
    assert!(
        p.run_until(Duration::from_secs(120), |_, b| b.messages(remote).len()
            == 200)
    );
    let got: Vec<u32> = p
        .b()
        .messages(remote)
        .iter()
        .map(|m| match m {
            Message::Binary(b) => u32::from_be_bytes(b[..4].try_into().unwrap()),
            Message::Text(_) => panic!(),
        })
        .collect();
    assert_eq!(got, (0..200).collect::<Vec<_>>());
}

/// Offer and answer carry no candidates: they are trickled separately,
/// after the answer, as browsers do.
#[test]
fn trickled_candidates_after_the_answer() {
    let mut sim = Sim::new(4);
    let a_addr: SocketAddr = "10.0.0.1:40000".parse().unwrap();
    let b_addr: SocketAddr = "10.0.0.2:40000".parse().unwrap();
    let mut pa = Peer::new(config(1), Certificate::generate().unwrap());
    let mut pb = Peer::new(config(2), Certificate::generate().unwrap());
    let now = sim.now();
    let ch = pa
        .create_data_channel(now, ChannelConfig::new("late"))
        .unwrap();
    let offer = pa.create_offer().unwrap();
    assert!(
        !offer.sdp.contains("a=candidate"),
        "no candidates gathered yet"
    );
    pa.set_local_description(now, offer.clone()).unwrap();
    pb.set_remote_description(now, offer).unwrap();
    let answer = pb.create_answer().unwrap();
    pb.set_local_description(now, answer.clone()).unwrap();
    pa.set_remote_description(now, answer).unwrap();
    // Now the sockets come up and candidates trickle.
    pa.add_local_address("eth0", a_addr);
    pa.end_of_local_addresses();
    pb.add_local_address("eth0", b_addr);
    pb.end_of_local_addresses();
    // Gathering finishes on the agents' next tick.
    for p in [&mut pa, &mut pb] {
        while let Some(t) = p.poll_timeout().filter(|&t| t <= now) {
            p.handle_timeout(t);
        }
        p.handle_timeout(now);
    }
    let mut from_a = Vec::new();
    while let Some(e) = pa.poll_event() {
        if let PeerEvent::IceCandidate(c) = e {
            from_a.push(c);
        }
    }
    let mut from_b = Vec::new();
    while let Some(e) = pb.poll_event() {
        if let PeerEvent::IceCandidate(c) = e {
            from_b.push(c);
        }
    }
    assert_eq!(from_a.last(), Some(&None), "end-of-candidates signalled");
    for c in &from_a {
        pb.add_ice_candidate(c.as_deref()).unwrap();
    }
    for c in &from_b {
        pa.add_ice_candidate(c.as_deref()).unwrap();
    }
    let a = sim.add_endpoint(
        a_addr,
        Node {
            peer: pa,
            events: vec![],
            drop_dtls_app_data: false,
        },
    );
    let b = sim.add_endpoint(
        b_addr,
        Node {
            peer: pb,
            events: vec![],
            drop_dtls_app_data: false,
        },
    );
    sim.network_mut()
        .set_path(a, b, LinkConfig::with_delay(Duration::from_millis(20)));
    assert!(sim.run_until(Duration::from_secs(10), |s| {
        !s.endpoint::<Node>(b).incoming().is_empty()
            && s.endpoint::<Node>(a).peer.channel_state(ch) == Some(ReadyState::Open)
    }));
    let now = sim.now();
    sim.endpoint_mut::<Node>(a)
        .peer
        .send(now, ch, "trickled")
        .unwrap();
    let remote = sim.endpoint::<Node>(b).incoming()[0];
    assert!(sim.run_until(
        Duration::from_secs(5),
        |s| s.endpoint::<Node>(b).messages(remote).len() == 1
    ));
}

#[test]
fn channels_from_both_sides_many_at_once_and_negotiated() {
    let mut p = Pair::new(5, LinkConfig::with_delay(Duration::from_millis(5)));
    p.negotiate();
    assert!(
        p.run_until(Duration::from_secs(10), |a, b| a.peer.connection_state()
            == ConnectionState::Connected
            && b.peer.connection_state() == ConnectionState::Connected)
    );
    let now = p.sim.now();
    let from_a: Vec<ChannelHandle> = (0..50)
        .map(|i| {
            p.a()
                .peer
                .create_data_channel(now, ChannelConfig::new(format!("a{i}")))
                .unwrap()
        })
        .collect();
    let from_b: Vec<ChannelHandle> = (0..50)
        .map(|i| {
            p.b()
                .peer
                .create_data_channel(now, ChannelConfig::new(format!("b{i}")))
                .unwrap()
        })
        .collect();
    let neg = ChannelConfig {
        negotiated: Some(1000),
        ..ChannelConfig::new("agreed")
    };
    let na = p.a().peer.create_data_channel(now, neg.clone()).unwrap();
    let nb = p.b().peer.create_data_channel(now, neg).unwrap();
    assert!(
        p.run_until(Duration::from_secs(10), |a, b| a.incoming().len() == 50
            && b.incoming().len() == 50)
    );
    let now = p.sim.now();
    for (i, &h) in from_a.iter().enumerate() {
        p.a().peer.send(now, h, format!("from a {i}")).unwrap();
    }
    for (i, &h) in from_b.iter().enumerate() {
        p.b().peer.send(now, h, format!("from b {i}")).unwrap();
    }
    p.a().peer.send(now, na, "negotiated").unwrap();
    assert!(p.run_until(Duration::from_secs(10), |a, b| {
        let count = |n: &Node| {
            n.events
                .iter()
                .filter(|e| matches!(e, PeerEvent::ChannelMessage { .. }))
                .count()
        };
        count(a) == 50 && count(b) == 51
    }));
    assert_eq!(p.b().messages(nb), vec![Message::Text("negotiated".into())]);
    // Each incoming channel got the message sent on it, matched by label.
    for h in p.b().incoming() {
        let label = p.b().peer.channel_config(h).unwrap().label.clone();
        let i: usize = label[1..].parse().unwrap();
        assert_eq!(
            p.b().messages(h),
            vec![Message::Text(format!("from a {i}"))]
        );
    }
}

fn sdp_attr<'a>(sdp: &'a str, name: &str) -> Vec<&'a str> {
    sdp.lines()
        .filter_map(|l| l.strip_prefix("a=")?.strip_prefix(name)?.strip_prefix(':'))
        .collect()
}

/// A re-offer with new ICE credentials is an ICE restart: the answerer
/// restarts too and answers with new credentials of its own (RFC 8445 §9),
/// its candidates listed once. (Regression: the answer kept the old ones.)
#[test]
fn an_ice_restart_offered_by_the_peer_gets_new_credentials_in_the_answer() {
    let mut p = Pair::new(6, LinkConfig::with_delay(Duration::from_millis(5)));
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |a, b| {
        a.peer.connection_state() == ConnectionState::Connected
            && b.peer.connection_state() == ConnectionState::Connected
    }));
    let first_answer = p.b().peer.local_description().unwrap().sdp.clone();
    let now = p.sim.now();
    // A re-offer; the peer restarting ICE changes its ufrag and pwd.
    let mut offer = p.a().peer.create_offer().unwrap();
    let (ufrag, pwd) = (
        sdp_attr(&offer.sdp, "ice-ufrag")[0].to_owned(),
        sdp_attr(&offer.sdp, "ice-pwd")[0].to_owned(),
    );
    offer.sdp = offer
        .sdp
        .replace(&ufrag, "rstu")
        .replace(&pwd, "restartedrestartedrestarted");
    p.b().peer.set_remote_description(now, offer).unwrap();
    let answer = p.b().peer.create_answer().unwrap();
    for attr in ["ice-ufrag", "ice-pwd"] {
        assert_ne!(
            sdp_attr(&answer.sdp, attr),
            sdp_attr(&first_answer, attr),
            "{attr} unchanged"
        );
    }
    assert_eq!(
        sdp_attr(&answer.sdp, "candidate"),
        sdp_attr(&first_answer, "candidate"),
        "the same candidates, each once"
    );
    p.b().peer.set_local_description(now, answer).unwrap();
    // A plain re-offer (same credentials) is no restart.
    let answer_before = p.b().peer.local_description().unwrap().sdp.clone();
    let offer = p.b().peer.remote_description().unwrap().clone();
    p.b().peer.set_remote_description(now, offer).unwrap();
    let answer = p.b().peer.create_answer().unwrap();
    assert_eq!(
        sdp_attr(&answer.sdp, "ice-ufrag"),
        sdp_attr(&answer_before, "ice-ufrag")
    );
}

fn connected_pair_with_a_channel(seed: u64) -> (Pair, ChannelHandle, ChannelHandle) {
    let mut p = Pair::new(seed, LinkConfig::with_delay(Duration::from_millis(10)));
    let now = p.sim.now();
    let ch = p
        .a()
        .peer
        .create_data_channel(now, ChannelConfig::new("doomed"))
        .unwrap();
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |a, b| {
        a.events.contains(&PeerEvent::ChannelOpen(ch)) && !b.incoming().is_empty()
    }));
    let remote = p.b().incoming()[0];
    (p, ch, remote)
}

/// SCTP makes each packet when the transport has taken the one before:
/// DTLS never holds a congestion window's worth of ciphertext waiting for
/// the socket (in a bulk transfer that was a megabyte of memory).
#[test]
fn sctp_makes_each_packet_when_the_transport_took_the_last() {
    let (mut p, ch, _) = connected_pair_with_a_channel(7);
    let now = p.sim.now();
    while p.a().peer.poll_transmit(now).is_some() {}
    let made = |p: &mut Pair| p.a().peer.sctp_stats().unwrap().packets_sent;
    let before = made(&mut p);
    for _ in 0..16 {
        p.a().peer.send(now, ch, vec![7u8; 16 * 1024]).unwrap();
    }
    let mut taken = 0;
    while p.a().peer.poll_transmit(now).is_some() {
        taken += 1;
        assert_eq!(
            made(&mut p) - before,
            taken,
            "packets made ahead of the socket"
        );
    }
    // The initial window let several go at once: the test saw a burst.
    assert!(taken >= 8, "only {taken} packets went");
}

/// `close()` tells the peer at once (SCTP ABORT, DTLS close_notify): its
/// channels close within a round trip, not after consent fails some 30 s
/// later. Our side fires no channel events. (Regression: nothing was sent,
/// the close_notify was queued after ICE had already dropped the pair.)
#[test]
fn closing_the_connection_closes_the_peers_channels_at_once() {
    let (mut p, ch, remote) = connected_pair_with_a_channel(7);
    let before = p.a().events.len();
    p.a().peer.close();
    p.a().drain();
    assert_eq!(p.a().peer.channel_state(ch), Some(ReadyState::Closed));
    assert!(p.run_until(Duration::from_millis(100), |_, b| {
        b.events.contains(&PeerEvent::ChannelClosed(remote))
    }));
    assert!(
        p.a().events[before..].iter().all(|e| matches!(
            e,
            PeerEvent::ConnectionState(_) | PeerEvent::IceConnectionState(_)
        )),
        "{:?}",
        &p.a().events[before..]
    );
    let now = p.sim.now();
    assert!(p.b().peer.send(now, remote, "anyone?").is_err());
}

/// A close_notify from the peer (without an SCTP ABORT or SHUTDOWN before
/// it, as some stacks close) closes every channel: SCTP has nothing left to
/// run on. (Regression: the channels stayed open and sends failed in DTLS.)
#[test]
fn a_close_notify_from_the_peer_closes_the_channels() {
    let (mut p, ch, remote) = connected_pair_with_a_channel(8);
    p.a().drop_dtls_app_data = true;
    p.a().peer.close();
    assert!(p.run_until(Duration::from_millis(100), |_, b| {
        b.events.contains(&PeerEvent::ChannelClosed(remote))
    }));
    assert_eq!(p.b().peer.channel_state(remote), None);
    let errors: Vec<&PeerEvent> = p
        .b()
        .events
        .iter()
        .filter(|e| matches!(e, PeerEvent::ChannelError { .. }))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(p.a().peer.channel_state(ch), Some(ReadyState::Closed));
}

/// The DTLS server closes the moment it is connected, so the client gets
/// its Finished and close_notify together: SCTP, due to open on the
/// Finished, must not stay due on a closed transport (a timer in the past
/// that no call clears: the simulation would panic, stuck).
#[test]
fn a_close_notify_right_behind_the_finished_leaves_nothing_due() {
    let mut p = Pair::new(12, LinkConfig::with_delay(Duration::from_millis(10)));
    let now = p.sim.now();
    p.a()
        .peer
        .create_data_channel(now, ChannelConfig::new("chat"))
        .unwrap();
    p.negotiate();
    assert!(p.run_until(Duration::from_secs(10), |a, _| {
        a.peer.connection_state() == ConnectionState::Connected
    }));
    p.a().drop_dtls_app_data = true;
    p.a().peer.close();
    p.sim.run_for(Duration::from_secs(1));
    let now = p.sim.now();
    assert!(p.b().peer.poll_timeout().is_none_or(|t| t > now));
    assert_eq!(p.b().peer.sctp_stats().map(|s| s.inits_sent), Some(0));
}

#[test]
fn ice_restart_through_a_new_offer_keeps_the_channels() {
    let mut p = Pair::new(6, LinkConfig::with_delay(Duration::from_millis(5)));
    let now = p.sim.now();
    let ch = p
        .a()
        .peer
        .create_data_channel(now, ChannelConfig::new("kept"))
        .unwrap();
    p.negotiate();
    // The peer may see the channel (its DCEP OPEN came with the
    // COOKIE-ECHO) a moment before ours opens.
    assert!(
        p.run_until(Duration::from_secs(10), |a, b| a.peer.channel_state(ch)
            == Some(ReadyState::Open)
            && !b.incoming().is_empty())
    );
    let old = p.a().peer.local_description().unwrap().sdp.clone();
    p.a().peer.restart_ice();
    p.negotiate();
    let new = p.a().peer.local_description().unwrap().sdp.clone();
    let ufrag = |sdp: &str| {
        sdp.lines()
            .find(|l| l.starts_with("a=ice-ufrag:"))
            .map(str::to_owned)
    };
    assert_ne!(ufrag(&old), ufrag(&new), "new credentials in the new offer");
    let now = p.sim.now();
    p.a().peer.send(now, ch, "after restart").unwrap();
    let remote = p.b().incoming()[0];
    assert!(
        p.run_until(Duration::from_secs(10), |_, b| b.messages(remote).len()
            == 1)
    );
    assert_eq!(
        p.b().incoming().len(),
        1,
        "the same association and channel"
    );
}

#[test]
fn a_low_threshold_set_before_the_transport_exists_is_kept() {
    let mut p = Pair::new(7, LinkConfig::with_delay(Duration::from_millis(5)));
    let now = p.sim.now();
    let ch = p
        .a()
        .peer
        .create_data_channel(now, ChannelConfig::new("bulk"))
        .unwrap();
    p.a().peer.set_buffered_amount_low_threshold(ch, 1 << 20);
    assert_eq!(p.a().peer.buffered_amount_low_threshold(ch), 1 << 20);
    p.negotiate();
    assert!(
        p.run_until(Duration::from_secs(10), |a, b| a.peer.channel_state(ch)
            == Some(ReadyState::Open)
            && !b.incoming().is_empty())
    );
    let now = p.sim.now();
    for _ in 0..4 {
        p.a()
            .peer
            .send(now, ch, Bytes::from(vec![7u8; 50_000]))
            .unwrap();
    }
    assert!(p.a().peer.buffered_amount(ch) > 0);
    let remote = p.b().incoming()[0];
    assert!(
        p.run_until(Duration::from_secs(10), |_, b| b.messages(remote).len()
            == 4)
    );
    // Never above 1 MiB, so never crossing down to it: no event. With the
    // threshold lost (0) the drain to 0 fired one.
    assert!(
        !p.a()
            .events
            .contains(&PeerEvent::ChannelBufferedAmountLow(ch)),
        "{:?}",
        p.a().events
    );
    assert_eq!(p.a().peer.buffered_amount_low_threshold(ch), 1 << 20);
}

/// ORTC: no SDP. Each side gathers, the parameters and candidates are
/// exchanged by hand, ICE, DTLS and SCTP start one by one (SCTP on one side
/// well after the other), and a channel carries messages.
#[test]
fn ortc_layers_started_one_by_one_without_sdp() {
    use sanderling_dtls::HashAlgorithm;
    use sanderling_rtc::jsep::DtlsSide;
    let mut p = Pair::new(8, LinkConfig::with_delay(Duration::from_millis(5)));
    p.a().peer.ortc_gather().unwrap();
    p.b().peer.ortc_gather().unwrap();
    // Gathering finishes on the agents' next tick.
    p.sim.run_for(Duration::from_millis(50));
    let (ua, pa) = p.a().peer.local_ice_credentials().unwrap();
    let (ub, pb) = p.b().peer.local_ice_credentials().unwrap();
    let ca: Vec<String> = p.a().peer.local_candidates().to_vec();
    let cb: Vec<String> = p.b().peer.local_candidates().to_vec();
    assert!(!ca.is_empty() && !cb.is_empty());
    for c in &cb {
        p.a().peer.add_ice_candidate(Some(c)).unwrap();
    }
    for c in &ca {
        p.b().peer.add_ice_candidate(Some(c)).unwrap();
    }
    p.a().peer.ortc_start_ice(true, &ub, &pb, false).unwrap();
    p.b().peer.ortc_start_ice(false, &ua, &pa, false).unwrap();
    assert_eq!(p.a().peer.is_ice_controlling(), Some(true));
    assert_eq!(p.b().peer.is_ice_controlling(), Some(false));
    let fa = p.a().peer.certificate().fingerprint(HashAlgorithm::Sha256);
    let fb = p.b().peer.certificate().fingerprint(HashAlgorithm::Sha256);
    let now = p.sim.now();
    p.a()
        .peer
        .ortc_start_dtls(now, DtlsSide::Server, vec![fb])
        .unwrap();
    p.b()
        .peer
        .ortc_start_dtls(now, DtlsSide::Client, vec![fa])
        .unwrap();
    // SCTP before DTLS is refused; after, A starts and B only later.
    assert!(
        Peer::new(config(9), Certificate::generate().unwrap())
            .ortc_start_sctp(now, 5000, 5000, 65536)
            .is_err()
    );
    p.a()
        .peer
        .ortc_start_sctp(now, 5000, 5000, 256 * 1024)
        .unwrap();
    let ch = p
        .a()
        .peer
        .create_data_channel(now, ChannelConfig::new("ortc"))
        .unwrap();
    p.sim.run_for(Duration::from_millis(300));
    let now = p.sim.now();
    p.b()
        .peer
        .ortc_start_sctp(now, 5000, 5000, 256 * 1024)
        .unwrap();
    assert!(p.run_until(Duration::from_secs(10), |a, b| {
        a.peer.channel_state(ch) == Some(ReadyState::Open) && !b.incoming().is_empty()
    }));
    let remote = p.b().incoming()[0];
    assert_eq!(p.b().peer.channel_config(remote).unwrap().label, "ortc");
    let now = p.sim.now();
    p.a().peer.send(now, ch, "over ortc").unwrap();
    assert!(p.run_until(Duration::from_secs(5), |_, b| b.messages(remote).len() == 1));
    assert_eq!(
        p.b().messages(remote),
        vec![Message::Text("over ortc".into())]
    );
    // Starting a layer twice is refused.
    let now = p.sim.now();
    assert!(p.a().peer.ortc_start_ice(true, &ub, &pb, false).is_err());
    assert!(p.a().peer.ortc_start_sctp(now, 5000, 5000, 65536).is_err());
    assert!(
        p.a()
            .peer
            .set_certificate(Certificate::generate().unwrap())
            .is_err()
    );
}
