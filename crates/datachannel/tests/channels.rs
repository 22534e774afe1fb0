//! Two peers' data channels over the simulated network.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_datachannel::{
    ChannelConfig, ChannelError, ChannelId, DataChannelEvent, DataChannels, DtlsRole, Message,
    ReadyState,
};
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NodeId, Sim, Transmit};
use sanderling_sctp::association::Association;
use sanderling_sctp::event::CloseReason;
use sanderling_sctp::options::SctpOptions;

struct Peer {
    dc: DataChannels,
    peer: SocketAddr,
    events: Vec<DataChannelEvent>,
}

impl Peer {
    fn drain(&mut self) {
        while let Some(e) = self.dc.poll_event() {
            self.events.push(e);
        }
    }
    fn messages(&self, id: ChannelId) -> Vec<Message> {
        self.events
            .iter()
            .filter_map(|e| match e {
                DataChannelEvent::Message { id: i, message } if *i == id => Some(message.clone()),
                _ => None,
            })
            .collect()
    }
    fn count(&self, f: impl Fn(&DataChannelEvent) -> bool) -> usize {
        self.events.iter().filter(|e| f(e)).count()
    }
}

impl Endpoint for Peer {
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.dc.handle_input(now, d.payload);
        self.drain();
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let p = self.dc.poll_transmit(now);
        self.drain();
        p.map(|payload| Transmit {
            destination: self.peer,
            source: None,
            payload,
        })
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.dc.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.dc.handle_timeout(now);
        self.drain();
    }
}

struct Net {
    sim: Sim,
    a: NodeId,
    b: NodeId,
}

impl Net {
    fn new(seed: u64, link: LinkConfig) -> Self {
        Self::with_options(seed, link, SctpOptions::default())
    }
    /// B's options from `b_base` (seed filled in).
    fn with_options(seed: u64, link: LinkConfig, b_base: SctpOptions) -> Self {
        let mut sim = Sim::new(seed);
        let now = sim.now();
        let a_addr: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let b_addr: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let opts = |seed: u8| SctpOptions {
            seed: [seed; 32],
            ..SctpOptions::default()
        };
        let a = sim.add_endpoint(
            a_addr,
            Peer {
                dc: DataChannels::new(now, opts(1), DtlsRole::Client, 256 * 1024).unwrap(),
                peer: b_addr,
                events: vec![],
            },
        );
        let b = sim.add_endpoint(
            b_addr,
            Peer {
                dc: DataChannels::new(
                    now,
                    SctpOptions {
                        seed: [2; 32],
                        ..b_base
                    },
                    DtlsRole::Server,
                    256 * 1024,
                )
                .unwrap(),
                peer: a_addr,
                events: vec![],
            },
        );
        sim.network_mut().set_path(a, b, link);
        Self { sim, a, b }
    }
    fn a(&mut self) -> &mut Peer {
        self.sim.endpoint_mut::<Peer>(self.a)
    }
    fn b(&mut self) -> &mut Peer {
        self.sim.endpoint_mut::<Peer>(self.b)
    }
    fn now(&self) -> Instant {
        self.sim.now()
    }
    fn connect(&mut self) {
        let now = self.now();
        self.a().dc.connect(now);
        self.b().dc.connect(now);
        let (a, b) = (self.a, self.b);
        assert!(self.sim.run_until(Duration::from_secs(30), |s| {
            s.endpoint::<Peer>(a)
                .events
                .contains(&DataChannelEvent::Connected)
                && s.endpoint::<Peer>(b)
                    .events
                    .contains(&DataChannelEvent::Connected)
        }));
    }
    fn run_until(&mut self, max: Duration, f: impl Fn(&Peer, &Peer) -> bool) -> bool {
        let (a, b) = (self.a, self.b);
        self.sim
            .run_until(max, |s| f(s.endpoint::<Peer>(a), s.endpoint::<Peer>(b)))
    }
}

fn link(loss: f64) -> LinkConfig {
    LinkConfig {
        delay: Duration::from_millis(10),
        loss,
        ..LinkConfig::default()
    }
}

#[test]
fn channels_open_from_either_side_and_carry_text_and_binary_both_ways() {
    let mut n = Net::new(1, link(0.0));
    n.connect();
    let now = n.now();
    let config = ChannelConfig {
        protocol: "chat/1".into(),
        ..ChannelConfig::new("héllo 🌊 канал")
    };
    let from_a = n.a().dc.create_channel(now, config.clone()).unwrap();
    let from_b = n
        .b()
        .dc
        .create_channel(now, ChannelConfig::new("b-side"))
        .unwrap();
    // Ids by DTLS role: client even, server odd.
    assert_eq!((from_a.0 % 2, from_b.0 % 2), (0, 1));
    assert!(n.run_until(Duration::from_secs(5), |a, b| {
        b.events
            .contains(&DataChannelEvent::IncomingChannel(from_a))
            && a.events
                .contains(&DataChannelEvent::IncomingChannel(from_b))
    }));
    assert_eq!(n.b().dc.config(from_a).unwrap().label, "héllo 🌊 канал");
    assert_eq!(n.b().dc.config(from_a).unwrap().protocol, "chat/1");
    assert_eq!(n.a().dc.ready_state(from_a), Some(ReadyState::Open));
    let now = n.now();
    for (m, ch) in [
        (Message::from("text ✓"), from_a),
        (Message::from(vec![0u8, 1, 2, 255]), from_a),
        (Message::from(""), from_a),
        (Message::Binary(Bytes::new()), from_a),
    ] {
        n.a().dc.send(now, ch, m).unwrap();
    }
    n.b().dc.send(now, from_a, "reply").unwrap();
    n.b().dc.send(now, from_b, vec![9u8; 70_000]).unwrap();
    assert!(
        n.run_until(Duration::from_secs(5), |a, b| b.messages(from_a).len() == 4
            && a.messages(from_a).len() == 1
            && a.messages(from_b).len() == 1)
    );
    assert_eq!(
        n.b().messages(from_a),
        vec![
            Message::Text("text ✓".into()),
            Message::Binary(Bytes::from_static(&[0, 1, 2, 255])),
            Message::Text(String::new()),
            Message::Binary(Bytes::new()),
        ]
    );
    assert_eq!(n.a().messages(from_a), vec![Message::Text("reply".into())]);
    assert_eq!(
        n.a().messages(from_b),
        vec![Message::Binary(Bytes::from(vec![9u8; 70_000]))]
    );
}

#[test]
fn a_hundred_channels_at_once() {
    let mut n = Net::new(2, link(0.0));
    n.connect();
    let now = n.now();
    let ids: Vec<ChannelId> = (0..100)
        .map(|i| {
            n.a()
                .dc
                .create_channel(now, ChannelConfig::new(format!("ch{i}")))
                .unwrap()
        })
        .collect();
    for (i, &id) in ids.iter().enumerate() {
        n.a().dc.send(now, id, format!("message {i}")).unwrap();
    }
    assert!(n.run_until(Duration::from_secs(10), |_, b| {
        b.count(|e| matches!(e, DataChannelEvent::Message { .. })) == 100
    }));
    for (i, &id) in ids.iter().enumerate() {
        assert_eq!(
            n.b().messages(id),
            vec![Message::Text(format!("message {i}"))]
        );
        assert_eq!(n.b().dc.config(id).unwrap().label, format!("ch{i}"));
    }
}

#[test]
fn channels_created_before_the_connection_open_when_it_is() {
    let mut n = Net::new(3, link(0.0));
    let now = n.now();
    let id = n
        .a()
        .dc
        .create_channel(now, ChannelConfig::new("early"))
        .unwrap();
    assert_eq!(n.a().dc.ready_state(id), Some(ReadyState::Connecting));
    assert_eq!(
        n.a().dc.send(now, id, "too soon"),
        Err(ChannelError::NotOpen(id.0))
    );
    n.connect();
    assert_eq!(n.a().dc.ready_state(id), Some(ReadyState::Open));
    assert!(n.a().events.contains(&DataChannelEvent::Open(id)));
    assert!(n.run_until(Duration::from_secs(5), |_, b| {
        b.events.contains(&DataChannelEvent::IncomingChannel(id))
    }));
}

#[test]
fn negotiated_channels_need_no_dcep_and_ids_collide_clearly() {
    let mut n = Net::new(4, link(0.0));
    n.connect();
    let now = n.now();
    let cfg = ChannelConfig {
        negotiated: Some(7),
        ..ChannelConfig::new("pre-agreed")
    };
    let a = n.a().dc.create_channel(now, cfg.clone()).unwrap();
    let b = n.b().dc.create_channel(now, cfg.clone()).unwrap();
    assert_eq!((a, b), (ChannelId(7), ChannelId(7)));
    assert_eq!(
        n.a().dc.create_channel(now, cfg),
        Err(ChannelError::IdInUse(7))
    );
    let bad = ChannelConfig {
        negotiated: Some(65535),
        ..ChannelConfig::new("x")
    };
    assert_eq!(
        n.a().dc.create_channel(now, bad),
        Err(ChannelError::IdOutOfRange(65535))
    );
    n.a().dc.send(now, a, "over 7").unwrap();
    assert!(n.run_until(
        Duration::from_secs(5),
        |_, b| b.messages(ChannelId(7)).len() == 1
    ));
    assert_eq!(
        n.b()
            .count(|e| matches!(e, DataChannelEvent::IncomingChannel(_))),
        0
    );
}

#[test]
fn close_from_either_side_closes_both_and_ids_are_reused() {
    for closer_is_a in [true, false] {
        let mut n = Net::new(5, link(0.0));
        n.connect();
        let now = n.now();
        let id = n
            .a()
            .dc
            .create_channel(now, ChannelConfig::new("short-lived"))
            .unwrap();
        n.a().dc.send(now, id, "last words").unwrap();
        assert!(n.run_until(Duration::from_secs(5), |_, b| {
            b.events.contains(&DataChannelEvent::IncomingChannel(id))
        }));
        let now = n.now();
        if closer_is_a {
            n.a().dc.close(now, id).unwrap();
            assert_eq!(n.a().dc.ready_state(id), Some(ReadyState::Closing));
        } else {
            n.b().dc.close(now, id).unwrap();
        }
        assert!(n.run_until(Duration::from_secs(10), |a, b| {
            a.events.contains(&DataChannelEvent::Closed(id))
                && b.events.contains(&DataChannelEvent::Closed(id))
        }));
        assert_eq!(n.b().messages(id), vec![Message::Text("last words".into())]);
        assert_eq!(n.a().dc.ready_state(id), None);
        // The id is free again, and the new channel starts clean.
        let now = n.now();
        let again = n
            .a()
            .dc
            .create_channel(now, ChannelConfig::new("reborn"))
            .unwrap();
        assert_eq!(again, id);
        n.a().dc.send(now, again, "new life").unwrap();
        assert!(n.run_until(Duration::from_secs(5), |_, b| b.messages(id).len() == 2));
        assert_eq!(n.b().dc.config(id).unwrap().label, "reborn");
    }
}

#[test]
fn remote_max_message_size_is_enforced_on_send() {
    let mut n = Net::new(6, link(0.0));
    n.connect();
    let now = n.now();
    let id = n
        .a()
        .dc
        .create_channel(now, ChannelConfig::new("big"))
        .unwrap();
    assert_eq!(
        n.a().dc.send(now, id, vec![0u8; 256 * 1024 + 1]),
        Err(ChannelError::MessageTooLarge {
            size: 256 * 1024 + 1,
            max: 256 * 1024
        })
    );
    n.a().dc.send(now, id, vec![1u8; 256 * 1024]).unwrap();
    assert!(n.run_until(Duration::from_secs(10), |_, b| b.messages(id).len() == 1));
}

fn lossy_run(config: ChannelConfig, seed: u64, size: usize) -> (usize, Vec<u32>) {
    let mut n = Net::new(seed, link(0.0));
    n.connect();
    let now = n.now();
    let id = n.a().dc.create_channel(now, config).unwrap();
    assert!(n.run_until(Duration::from_secs(5), |_, b| {
        b.events.contains(&DataChannelEvent::IncomingChannel(id))
    }));
    n.sim.network_mut().set_path(
        n.a,
        n.b,
        LinkConfig {
            reorder: 0.02,
            duplicate: 0.02,
            ..link(0.05)
        },
    );
    let total = 1000u32;
    for i in 0..total {
        let now = n.now();
        let mut body = i.to_be_bytes().to_vec();
        body.resize(size, 7);
        n.a().dc.send(now, id, body).unwrap();
        n.sim.run_for(Duration::from_millis(2));
    }
    n.sim.run_for(Duration::from_secs(30));
    let got: Vec<u32> = n
        .b()
        .messages(id)
        .iter()
        .map(|m| match m {
            Message::Binary(b) => u32::from_be_bytes(b[..4].try_into().unwrap()),
            Message::Text(_) => panic!("text on a binary channel"),
        })
        .collect();
    (total as usize, got)
}

#[test]
fn reliable_channel_delivers_everything_under_loss() {
    let (total, got) = lossy_run(ChannelConfig::new("reliable"), 10, 800);
    assert_eq!(got, (0..total as u32).collect::<Vec<_>>());
}

#[test]
fn unreliable_unordered_channel_loses_some_and_never_duplicates() {
    let cfg = ChannelConfig {
        ordered: false,
        max_retransmits: Some(0),
        ..ChannelConfig::new("lossy")
    };
    let (total, got) = lossy_run(cfg, 11, 800);
    let unique: HashSet<u32> = got.iter().copied().collect();
    assert_eq!(unique.len(), got.len(), "a message arrived twice");
    assert!(
        got.len() < total && got.len() > total * 8 / 10,
        "{} of {total}",
        got.len()
    );
}

#[test]
fn lifetime_channel_drops_only_late_messages() {
    let cfg = ChannelConfig {
        max_packet_lifetime: Some(Duration::from_millis(100)),
        ..ChannelConfig::new("timed")
    };
    // 150 kB/s offered: well within what NewReno sustains at 5% loss on a
    // 20 ms round trip, so messages expire only when a loss takes too long
    // to repair, not by waiting in the queue.
    let (total, got) = lossy_run(cfg, 12, 300);
    assert!(
        got.windows(2).all(|w| w[0] < w[1]),
        "ordered and without duplicates"
    );
    assert!(got.len() > total * 9 / 10, "{} of {total}", got.len());
}

#[test]
fn buffered_amount_low_fires_per_channel() {
    let mut n = Net::new(13, link(0.0));
    n.connect();
    let now = n.now();
    let id = n
        .a()
        .dc
        .create_channel(now, ChannelConfig::new("bulk"))
        .unwrap();
    n.a().dc.set_buffered_amount_low_threshold(id, 1000);
    for _ in 0..20 {
        n.a().dc.send(now, id, vec![0u8; 50_000]).unwrap();
    }
    assert!(n.a().dc.buffered_amount(id) > 900_000);
    assert!(n.run_until(Duration::from_secs(30), |a, _| {
        a.events.contains(&DataChannelEvent::BufferedAmountLow(id))
    }));
    assert!(n.a().dc.buffered_amount(id) <= 1000);
}

/// `abort` ends everything at once: every channel closes on both sides
/// (the peer by the ABORT), and the reason reaches the peer.
#[test]
fn abort_closes_every_channel_on_both_sides() {
    let mut n = Net::new(9, link(0.0));
    n.connect();
    let now = n.now();
    let ids: Vec<ChannelId> = (0..3)
        .map(|i| {
            n.a()
                .dc
                .create_channel(now, ChannelConfig::new(format!("c{i}")))
                .unwrap()
        })
        .collect();
    let ids2 = ids.clone();
    assert!(n.run_until(Duration::from_secs(5), move |_, b| {
        ids2.iter()
            .all(|id| b.events.contains(&DataChannelEvent::IncomingChannel(*id)))
    }));
    let now = n.now();
    n.a().dc.abort(now, "bye");
    n.a().drain();
    for id in &ids {
        assert!(n.a().events.contains(&DataChannelEvent::Closed(*id)));
        assert_eq!(n.a().dc.ready_state(*id), None);
    }
    assert_eq!(
        n.a().events.last(),
        Some(&DataChannelEvent::TransportClosed(CloseReason::LocalAbort(
            "bye".into()
        )))
    );
    assert!(n.a().dc.send(now, ids[0], "too late").is_err());
    let ids2 = ids.clone();
    assert!(n.run_until(Duration::from_secs(1), move |_, b| {
        ids2.iter()
            .all(|id| b.events.contains(&DataChannelEvent::Closed(*id)))
    }));
    assert_eq!(
        n.b().events.last(),
        Some(&DataChannelEvent::TransportClosed(
            CloseReason::PeerAborted("bye".into())
        ))
    );
    // A second abort does nothing.
    let before = n.a().events.len();
    n.a().dc.abort(now, "again");
    n.a().drain();
    assert_eq!(n.a().events.len(), before);
    assert_eq!(n.a().dc.poll_timeout(), None);
}

#[test]
fn dcep_messages_fire_no_buffered_amount_low() {
    let mut n = Net::new(14, link(0.0));
    n.connect();
    let now = n.now();
    let id = n
        .a()
        .dc
        .create_channel(now, ChannelConfig::new("quiet"))
        .unwrap();
    assert!(n.run_until(Duration::from_secs(5), |a, b| {
        a.dc.ready_state(id) == Some(ReadyState::Open)
            && b.count(|e| matches!(e, DataChannelEvent::IncomingChannel(_))) == 1
    }));
    // Let OPEN and ACK be sent and acknowledged.
    n.sim.run_for(Duration::from_secs(1));
    let low = |p: &Peer| p.count(|e| matches!(e, DataChannelEvent::BufferedAmountLow(_)));
    assert_eq!(low(n.a()), 0, "{:?}", n.a().events);
    assert_eq!(low(n.b()), 0, "{:?}", n.b().events);
    // Application data still fires it once drained.
    let now = n.now();
    n.a().dc.send(now, id, "data").unwrap();
    assert!(n.run_until(Duration::from_secs(5), |a, _| low(a) == 1));
}

#[test]
fn unread_messages_hold_the_sender_to_the_window() {
    const WINDOW: usize = 64 << 10;
    let b_opts = SctpOptions {
        app_flow_control: true,
        max_receive_buffer: WINDOW,
        ..SctpOptions::default()
    };
    let mut n = Net::with_options(15, link(0.0), b_opts);
    n.connect();
    let now = n.now();
    let id = n
        .a()
        .dc
        .create_channel(now, ChannelConfig::new("held"))
        .unwrap();
    assert!(
        n.run_until(Duration::from_secs(5), |a, _| a.dc.ready_state(id)
            == Some(ReadyState::Open))
    );
    n.sim.run_for(Duration::from_millis(500));
    assert_eq!(
        n.b().dc.association().received_bytes_held(),
        0,
        "the DCEP OPEN gave its bytes back"
    );
    let now = n.now();
    for i in 0..40u8 {
        n.a().dc.send(now, id, vec![i; 16 << 10]).unwrap();
    }
    n.sim.run_for(Duration::from_secs(10));
    let got = n.b().messages(id);
    let unread: usize = got.iter().map(Message::len).sum();
    assert!(unread <= WINDOW + 256 * 1024, "{unread}");
    assert!(got.len() < 40, "the sender was held back");
    // Read everything as it comes.
    let mut read = 0;
    let deadline = n.now() + Duration::from_secs(60);
    while read < 40 && n.now() < deadline {
        let got = n.b().messages(id);
        for m in &got[read..] {
            n.b().dc.release(m);
        }
        read = got.len();
        n.sim.run_for(Duration::from_millis(50));
    }
    let got = n.b().messages(id);
    assert_eq!(got.len(), 40);
    for (i, m) in got.iter().enumerate() {
        assert_eq!(*m, Message::Binary(Bytes::from(vec![i as u8; 16 << 10])));
    }
    assert_eq!(n.b().dc.association().received_bytes_held(), 0);
}

/// SNAP: with each side's INIT from the signalling, a channel created
/// before DTLS came up reaches the peer one way after it (10 ms here), its
/// DCEP OPEN in the first packet; the handshake takes three one-way trips
/// before that OPEN can go.
#[test]
fn with_signalled_inits_the_first_open_goes_at_once() {
    let opened_after = |snap: bool| {
        let mut n = Net::new(7, link(0.0));
        let start = n.now();
        let ch = n
            .a()
            .dc
            .create_channel(start, ChannelConfig::new("snap"))
            .unwrap();
        if snap {
            let (ia, ib) = (
                Association::signalled_init(n.a().dc.association().options()),
                Association::signalled_init(n.b().dc.association().options()),
            );
            n.a().dc.connect_with_peer_init(start, &ib).unwrap();
            n.b().dc.connect_with_peer_init(start, &ia).unwrap();
            assert!(n.a().dc.association().opened_by_snap());
        } else {
            n.a().dc.connect(start);
            n.b().dc.connect(start);
        }
        assert!(n.run_until(Duration::from_secs(5), |_, b| {
            b.events.contains(&DataChannelEvent::IncomingChannel(ch))
        }));
        let took = n.now() - start;
        let now = n.now();
        n.a().dc.send(now, ch, "after").unwrap();
        assert!(n.run_until(Duration::from_secs(5), |_, b| b.messages(ch).len() == 1));
        assert_eq!(n.a().dc.association().stats().inits_sent, u64::from(!snap));
        took
    };
    assert_eq!(opened_after(true), Duration::from_millis(10));
    assert_eq!(opened_after(false), Duration::from_millis(30));
}
