//! The API's contract over real UDP on 127.0.0.1: misuse gets a clear
//! error and changes nothing; closing and dropping; receive backpressure;
//! the connection's events.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sanderling::{
    Bytes, Configuration, DataChannelEvent, DataChannelInit, DataChannelState, Error, IceCandidate,
    IceGatheringState, Message, PeerConnection, PeerConnectionEvent, PeerConnectionState, SdpType,
    SessionDescription, SignalingState,
};

#[path = "../examples/common/mod.rs"]
mod common;

use common::{loopback, within};

fn name<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.expect_err("should fail").w3c_name()
}

/// An open channel between two new peers: (a, b, a's channel, b's copy).
async fn open_pair(
    b_config: Configuration,
) -> (
    common::Side,
    common::Side,
    sanderling::DataChannel,
    sanderling::DataChannel,
) {
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(b_config).unwrap();
    let (a, mut b) = common::connect(a, b).await;
    let ch =
        a.pc.create_data_channel("x", DataChannelInit::default())
            .unwrap();
    let remote = b.next_channel().await;
    within("open", ch.opened()).await.unwrap();
    (a, b, ch, remote)
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_channel_inits_are_type_errors_and_create_nothing() {
    let (a, mut b, ch, remote) = open_pair(loopback()).await;
    let both = DataChannelInit {
        max_retransmits: Some(1),
        max_packet_life_time: Some(Duration::from_millis(10)),
        ..Default::default()
    };
    assert_eq!(name(a.pc.create_data_channel("both", both)), "TypeError");
    let max_id = DataChannelInit {
        negotiated: true,
        id: Some(65535),
        ..Default::default()
    };
    assert_eq!(name(a.pc.create_data_channel("65535", max_id)), "TypeError");
    let no_id = DataChannelInit {
        negotiated: true,
        ..Default::default()
    };
    assert_eq!(name(a.pc.create_data_channel("no id", no_id)), "TypeError");
    let long = "x".repeat(70_000);
    assert_eq!(
        name(a.pc.create_data_channel(long, DataChannelInit::default())),
        "TypeError"
    );
    // An id in use: OperationError.
    let id = ch.id().unwrap();
    let taken = DataChannelInit {
        negotiated: true,
        id: Some(id),
        ..Default::default()
    };
    assert_eq!(
        name(a.pc.create_data_channel("taken", taken)),
        "OperationError"
    );
    // Nothing was created: the next channel is the one the peer sees.
    let next =
        a.pc.create_data_channel("next", DataChannelInit::default())
            .unwrap();
    // Keep the peer's handle: dropping it would close the channel.
    let next_remote = b.next_channel().await;
    assert_eq!(next_remote.label(), "next");
    within("next open", next.opened()).await.unwrap();
    ch.send("still fine").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("still fine".into()))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn send_when_not_open_or_too_large_fails_and_the_channel_carries_on() {
    let small = Configuration {
        max_message_size: 64 * 1024,
        ..loopback()
    };
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(small).unwrap();
    let early = a
        .create_data_channel("early", DataChannelInit::default())
        .unwrap();
    assert_eq!(early.ready_state(), DataChannelState::Connecting);
    assert_eq!(name(early.send("not yet")), "InvalidStateError");
    assert_eq!(early.buffered_amount(), 0, "nothing was queued");
    let (_a, mut b) = common::connect(a, b).await;
    let remote = b.next_channel().await;
    within("open", early.opened()).await.unwrap();
    // The answerer announced 64 KiB: one byte more is a TypeError.
    let big = Bytes::from(vec![1u8; 64 * 1024 + 1]);
    assert_eq!(name(early.send(big)), "TypeError");
    assert_eq!(early.buffered_amount(), 0);
    let fits = Bytes::from(vec![2u8; 64 * 1024]);
    early.send(fits.clone()).unwrap();
    assert_eq!(
        within("the message", remote.recv()).await,
        Some(Message::Binary(fits))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_garbage_remote_description_is_refused_and_the_connection_keeps_working() {
    let (a, _b, ch, remote) = open_pair(loopback()).await;
    let before = a.pc.remote_description();
    let garbage = SessionDescription::new(SdpType::Offer, "v=0\r\nthis is not sdp\r\n");
    assert_eq!(
        name(a.pc.set_remote_description(garbage).await),
        "OperationError"
    );
    let no_data = SessionDescription::new(
        SdpType::Offer,
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
    );
    assert_eq!(
        name(a.pc.set_remote_description(no_data).await),
        "OperationError"
    );
    assert_eq!(a.pc.signaling_state(), SignalingState::Stable);
    assert_eq!(a.pc.remote_description(), before);
    assert_eq!(
        name(
            a.pc.add_ice_candidate(Some(IceCandidate::new("candidate:garbage")))
                .await
        ),
        "OperationError"
    );
    assert_eq!(name("nonsense".parse::<SdpType>()), "TypeError");
    ch.send("after the garbage").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("after the garbage".into()))
    );
    assert_eq!(a.pc.connection_state(), PeerConnectionState::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn calls_after_close_are_invalid_state_errors() {
    let (a, b, ch, remote) = open_pair(loopback()).await;
    let offer = b.pc.create_offer().await;
    a.pc.close();
    a.pc.close(); // idempotent
    // Closed at once, on this side, with a close event.
    assert_eq!(ch.ready_state(), DataChannelState::Closed);
    assert_eq!(a.pc.connection_state(), PeerConnectionState::Closed);
    assert_eq!(a.pc.signaling_state(), SignalingState::Closed);
    assert_eq!(name(ch.send("x")), "InvalidStateError");
    assert_eq!(
        name(a.pc.create_data_channel("y", DataChannelInit::default())),
        "InvalidStateError"
    );
    assert_eq!(name(a.pc.create_offer().await), "InvalidStateError");
    assert_eq!(name(a.pc.create_answer().await), "InvalidStateError");
    assert_eq!(
        name(a.pc.set_remote_description(offer.unwrap()).await),
        "InvalidStateError"
    );
    assert_eq!(
        name(a.pc.add_ice_candidate(None).await),
        "InvalidStateError"
    );
    let mut events = ch.events();
    let mut seen = Vec::new();
    while let Some(e) = within("events end", events.recv()).await {
        seen.push(e);
    }
    assert_eq!(seen.last(), Some(&DataChannelEvent::Close));
    // The peer was told (SCTP ABORT, close_notify): its channel closes now,
    // not after a consent timeout.
    within("the remote close", remote.closed()).await;
    assert_eq!(remote.ready_state(), DataChannelState::Closed);
    assert_eq!(name(remote.send("x")), "InvalidStateError");
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_last_channel_handle_closes_the_channel_on_both_sides() {
    let (_a, _b, ch, remote) = open_pair(loopback()).await;
    let clone = ch.clone();
    drop(ch);
    // A clone still holds it open.
    assert_eq!(clone.ready_state(), DataChannelState::Open);
    clone.send("from the clone").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("from the clone".into()))
    );
    drop(clone);
    within("the remote close", remote.closed()).await;
    assert_eq!(remote.recv().await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_every_handle_closes_the_connection_and_tells_the_peer() {
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(loopback()).unwrap();
    let ch = a
        .create_data_channel("x", DataChannelInit::default())
        .unwrap();
    // Signal by hand so that no helper task keeps a handle of `a`.
    let offer = a.create_offer().await.unwrap();
    a.set_local_description(offer.clone()).await.unwrap();
    b.set_remote_description(offer).await.unwrap();
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(answer.clone()).await.unwrap();
    a.set_remote_description(answer).await.unwrap();
    let mut events = b.events();
    let remote = within("the channel", async {
        loop {
            if let Some(PeerConnectionEvent::DataChannel(c)) = events.recv().await {
                return c;
            }
        }
    })
    .await;
    within("open", ch.opened()).await.unwrap();
    drop(a);
    // The channel's handle keeps the connection alive.
    ch.send("still here").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("still here".into()))
    );
    drop(ch);
    within("the remote close", remote.closed()).await;
}

/// Flow control is SCTP's window: a reader that stops holds the sender to
/// the window (64 KiB here, plus the one message the hole rule admits),
/// while the sockets are still read, so ICE consent stays fresh through a
/// pause longer than its 5 s disconnect threshold; then everything arrives.
#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_stops_holds_the_sender_back_and_nothing_is_lost() {
    const TOTAL: usize = 12 << 20;
    const CHUNK: usize = 16 << 10;
    const WINDOW: usize = 64 << 10;
    let small = Configuration {
        receive_buffer_size: WINDOW,
        ..loopback()
    };
    let (mut a, mut b, ch, remote) = open_pair(small).await;
    ch.set_buffered_amount_low_threshold(CHUNK);
    let progress = Arc::new(AtomicUsize::new(0));
    let sender = {
        let progress = progress.clone();
        tokio::spawn(async move {
            for i in 0..TOTAL / CHUNK {
                let chunk = Bytes::from(vec![(i % 251) as u8; CHUNK]);
                ch.send_wait(chunk).await.expect("send_wait");
                progress.fetch_add(CHUNK, Ordering::Relaxed);
            }
            ch
        })
    };
    // The application does not read for a while.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let sent_while_stopped = progress.load(Ordering::Relaxed);
    assert!(
        sent_while_stopped <= WINDOW + (256 << 10) + 4 * CHUNK,
        "the sender was held to the window: {sent_while_stopped} bytes went while nobody read"
    );
    assert_eq!(a.pc.connection_state(), PeerConnectionState::Connected);
    assert_eq!(b.pc.connection_state(), PeerConnectionState::Connected);
    for side in [&mut a, &mut b] {
        while let Ok(e) = side.events.try_recv() {
            let bad = matches!(
                e,
                PeerConnectionEvent::IceConnectionState(
                    sanderling::IceConnectionState::Disconnected
                        | sanderling::IceConnectionState::Failed
                ) | PeerConnectionEvent::ConnectionState(
                    PeerConnectionState::Disconnected | PeerConnectionState::Failed
                )
            );
            assert!(!bad, "the pause hurt the connection: {e:?}");
        }
    }
    for i in 0..TOTAL / CHUNK {
        match within("a chunk", remote.recv()).await {
            Some(Message::Binary(b)) => {
                assert_eq!(b.len(), CHUNK);
                assert!(
                    b.iter().all(|&x| x == (i % 251) as u8),
                    "chunk {i} in order"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    within("the sender", sender).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_events_show_gathering_signalling_and_connection_states() {
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(loopback()).unwrap();
    let mut a_events = a.events();
    let offer = a.create_offer().await.unwrap();
    assert!(
        offer.sdp.contains("a=candidate:"),
        "host candidates in the offer"
    );
    assert!(offer.sdp.contains("a=setup:actpass"));
    a.set_local_description(offer.clone()).await.unwrap();
    assert_eq!(a.signaling_state(), SignalingState::HaveLocalOffer);
    b.set_remote_description(offer).await.unwrap();
    let answer = b.create_answer().await.unwrap();
    assert!(answer.sdp.contains("a=setup:active"));
    b.set_local_description(answer.clone()).await.unwrap();
    a.set_remote_description(answer).await.unwrap();
    let mut seen = Vec::new();
    within("connected", async {
        loop {
            let e = a_events.recv().await.expect("events");
            let done = matches!(
                e,
                PeerConnectionEvent::ConnectionState(PeerConnectionState::Connected)
            );
            seen.push(format!("{e:?}"));
            if done {
                break;
            }
        }
    })
    .await;
    let pos = |needle: &str| {
        seen.iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not in {seen:#?}"))
    };
    assert!(pos("SignalingState(HaveLocalOffer)") < pos("SignalingState(Stable)"));
    assert!(pos("IceGatheringState(Gathering)") < pos("IceGatheringState(Complete)"));
    assert!(pos("IceCandidate(Some(") < pos("IceCandidate(None)"));
    assert!(pos("ConnectionState(Connecting)") < pos("ConnectionState(Connected)"));
    assert!(pos("IceConnectionState(Checking)") < pos("ConnectionState(Connected)"));
    assert_eq!(a.ice_gathering_state(), IceGatheringState::Complete);
    // localDescription shows what gathering found, and that it ended.
    let local = a.local_description().unwrap();
    assert!(local.sdp.contains("a=candidate:"));
    assert!(local.sdp.contains("a=end-of-candidates"), "{}", local.sdp);
    assert_eq!(
        local.sdp.matches("a=candidate:").count(),
        a.local_addresses().len()
    );
    assert!(!a.local_addresses().is_empty());
    assert!(a.local_addresses().iter().all(|s| s.ip().is_loopback()));
    a.close();
    // After close the queue ends.
    within("events end", async {
        while a_events.recv().await.is_some() {}
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn configuration_errors_and_the_port_range() {
    use sanderling::{IceServer, IceTransportPolicy};
    let bad_url = Configuration {
        ice_servers: vec![IceServer::new("http://example.org")],
        ..loopback()
    };
    assert_eq!(name(PeerConnection::new(bad_url)), "SyntaxError");
    let turn_no_credentials = Configuration {
        ice_servers: vec![IceServer::new("turn:192.0.2.1")],
        ..loopback()
    };
    assert_eq!(
        name(PeerConnection::new(turn_no_credentials)),
        "InvalidAccessError"
    );
    let relay = Configuration {
        ice_transport_policy: IceTransportPolicy::Relay,
        ..loopback()
    };
    assert_eq!(name(PeerConnection::new(relay)), "NotSupportedError");
    let ranged = Configuration {
        port_range: Some(47100..=47199),
        ..loopback()
    };
    let pc = PeerConnection::new(ranged).unwrap();
    assert!(
        pc.local_addresses()
            .iter()
            .all(|a| (47100..=47199).contains(&a.port()))
    );
    // A certificate given is the one used.
    let cert = sanderling::Certificate::generate().unwrap();
    let with_cert = Configuration {
        certificates: vec![cert.clone()],
        ..loopback()
    };
    let pc = PeerConnection::new(with_cert).unwrap();
    assert_eq!(pc.certificate().der(), cert.der());
}

#[test]
fn handles_are_cheap_shareable_clones() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    check::<PeerConnection>();
    check::<sanderling::DataChannel>();
    fn send<T: Send + 'static>() {}
    send::<sanderling::PeerConnectionEvents>();
    send::<sanderling::DataChannelEvents>();
}

#[tokio::test(flavor = "multi_thread")]
async fn sctp_features_show_what_both_ends_negotiated() {
    let fresh = PeerConnection::new(loopback()).unwrap();
    assert_eq!(fresh.sctp_features(), None, "no association yet");
    drop(fresh);
    let (a, b, _ch, _remote) = open_pair(loopback()).await;
    // Two sanderling peers announce every extension they have.
    for pc in [&a.pc, &b.pc] {
        let f = pc.sctp_features().expect("the association is up");
        assert!(f.partial_reliability && f.message_interleaving);
        assert!(f.stream_reset && f.zero_checksum);
        assert!(f.snap, "SNAP: the INITs went in the descriptions");
    }
    // Without SNAP on one side, the SCTP handshake.
    let no_snap = Configuration {
        snap: false,
        ..loopback()
    };
    let (a, b, _ch, _remote) = open_pair(no_snap).await;
    for pc in [&a.pc, &b.pc] {
        let f = pc.sctp_features().expect("the association is up");
        assert!(!f.snap && f.zero_checksum);
    }
}

/// BBR paces: the association holds data until instants it gives the
/// driver through its timeouts. 8 MiB cross intact only if the driver
/// honours them and the controller's model keeps the path moving.
#[tokio::test(flavor = "multi_thread")]
async fn bbr_congestion_control_moves_data_paced_by_the_driver() {
    let bbr = || Configuration {
        congestion_control: sanderling::CongestionControl::Bbr,
        ..loopback()
    };
    let a = PeerConnection::new(bbr()).unwrap();
    let b = PeerConnection::new(bbr()).unwrap();
    let (a, mut b) = common::connect(a, b).await;
    let ch =
        a.pc.create_data_channel("bbr", DataChannelInit::default())
            .unwrap();
    let remote = b.next_channel().await;
    within("open", ch.opened()).await.unwrap();
    let total = 8 << 20;
    let chunk = 64 << 10;
    let receiver = tokio::spawn(async move {
        let mut got = Vec::with_capacity(total);
        while got.len() < total {
            match within("data", remote.recv()).await {
                Some(Message::Binary(b)) => got.extend_from_slice(&b),
                other => panic!("unexpected {other:?}"),
            }
        }
        got
    });
    let data: Vec<u8> = (0..total).map(|i| (i * 7 + i / 4093) as u8).collect();
    ch.set_buffered_amount_low_threshold(1 << 20);
    for piece in data.chunks(chunk) {
        within("room", ch.send_wait(Bytes::copy_from_slice(piece)))
            .await
            .unwrap();
    }
    let got = within("the receiver", receiver).await.unwrap();
    assert_eq!(got.len(), total);
    assert!(got == data, "every byte, in order");
}
