//! The data path: permissions, Send indications vs ChannelData, receiving,
//! stream framing, TLS, and the bounds on every queue.

use std::net::SocketAddr;

use bytes::Bytes;
use sanderling_stun::Method;

use super::fake_server::Seen;
use super::{Mode, Pair, peer};
use crate::turn::{MAX_PAYLOAD, SendError, TurnError, TurnEvent};

fn data_events(p: &mut Pair) -> Vec<(SocketAddr, Bytes)> {
    let mut out = Vec::new();
    p.events.retain(|e| match e {
        TurnEvent::Data { peer, data } => {
            out.push((*peer, data.clone()));
            false
        }
        _ => true,
    });
    out
}

#[test]
fn send_indication_until_the_channel_is_bound_then_channel_data() {
    for mode in [Mode::Udp, Mode::Tcp, Mode::Tls] {
        let mut p = Pair::new(mode); // auto_bind_channels: true
        p.allocate();
        let to = peer(1);
        // The first data creates the permission and a channel; it waits for
        // the permission and goes in a Send indication (the bind is not
        // confirmed when the permission is).
        p.hold = mode == Mode::Udp;
        p.client
            .send_to(p.now, to, Bytes::from_static(b"one"))
            .unwrap();
        p.exchange();
        assert_eq!(p.server.requests(Method::CREATE_PERMISSION).len(), 1);
        assert_eq!(p.server.requests(Method::CHANNEL_BIND).len(), 1);
        p.hold = false;
        p.release();
        let n = p.client.channel(to).unwrap();
        assert!(
            p.take(|e| *e == TurnEvent::PermissionCreated(to.ip()))
                .is_some()
        );
        assert!(
            p.take(|e| *e
                == TurnEvent::ChannelBound {
                    peer: to,
                    channel: n
                })
            .is_some(),
            "{mode:?} {:?}",
            p.events
        );
        p.send(to, b"two");
        p.send(to, b"three!");
        let relayed = p.server.relayed_data();
        let by_channel: Vec<bool> = relayed.iter().map(|r| r.2).collect();
        assert_eq!(relayed[0].1, Bytes::from_static(b"one"), "{mode:?}");
        assert_eq!(relayed[2].1, Bytes::from_static(b"three!"), "{mode:?}");
        assert!(relayed.iter().all(|r| r.0 == to));
        if mode == Mode::Udp {
            assert_eq!(by_channel, vec![false, true, true]);
        } else {
            assert_eq!(by_channel[1..], [true, true], "{mode:?}");
        }
        // ChannelData length: 4 + data, padded to 4 over streams.
        let lens: Vec<usize> = p
            .server
            .seen
            .iter()
            .filter_map(|s| match s {
                Seen::ChannelData(_, _, len) => Some(*len),
                _ => None,
            })
            .collect();
        let want = if mode == Mode::Udp { 10 } else { 12 };
        assert_eq!(*lens.last().unwrap(), want, "{mode:?}");
        assert!(p.client.stats().channel_data_sent >= 2);
    }
}

#[test]
fn without_auto_bind_data_goes_in_send_indications() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    for _ in 0..3 {
        p.send(peer(1), b"x");
    }
    assert_eq!(p.server.requests(Method::CHANNEL_BIND).len(), 0);
    assert_eq!(p.client.stats().send_indications_sent, 3);
    assert_eq!(p.client.stats().channel_data_sent, 0);
    // One permission per IP, whatever the port.
    p.send(peer(2), b"y");
    assert_eq!(p.server.requests(Method::CREATE_PERMISSION).len(), 1);
}

#[test]
fn data_indications_and_channel_data_are_received_with_the_peer() {
    for mode in [Mode::Udp, Mode::Tcp, Mode::Tls] {
        let mut p = Pair::with(mode, |c| c.auto_bind_channels = false);
        p.allocate();
        let a = peer(1);
        let b = peer(2);
        p.send(a, b"hi");
        let ind = p.server.data_indication(a, b"by indication");
        p.inject(ind);
        let n = p.client.bind_channel(p.now, b).unwrap();
        p.exchange();
        let cd = p.server.channel_data(n, b"by channel");
        p.inject(cd);
        // A channel nobody bound: dropped.
        let stray = p.server.channel_data(0x4ABC, b"stray");
        p.inject(stray);
        assert_eq!(
            data_events(&mut p),
            vec![
                (a, Bytes::from_static(b"by indication")),
                (b, Bytes::from_static(b"by channel")),
            ],
            "{mode:?}"
        );
        let s = p.client.stats();
        assert_eq!(s.data_indications_received, 1);
        assert_eq!(s.channel_data_received, 1);
        assert_eq!(s.unknown_channel_dropped, 1);
    }
}

#[test]
fn channel_data_is_accepted_before_the_bind_is_confirmed() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    p.hold = true;
    let n = p.client.bind_channel(p.now, peer(1)).unwrap();
    p.exchange(); // success held back
    let cd = p.server.channel_data(n, b"early");
    p.deliver(cd);
    assert_eq!(
        data_events(&mut p),
        vec![(peer(1), Bytes::from_static(b"early"))]
    );
}

#[test]
fn stream_bytes_in_any_split() {
    for split in [1, 2, 3, 5, 7, 19, 64] {
        for mode in [Mode::Tcp, Mode::Tls] {
            let mut p = Pair::with(mode, |c| c.auto_bind_channels = false);
            p.split = split;
            p.allocate();
            p.send(peer(1), b"x");
            let n = p.client.bind_channel(p.now, peer(1)).unwrap();
            p.exchange();
            // Several messages in one read, each split into pieces.
            let mut joined = Vec::new();
            joined.extend_from_slice(&p.server.data_indication(peer(1), b"a"));
            joined.extend_from_slice(&p.server.channel_data(n, b"bcdef"));
            joined.extend_from_slice(&p.server.channel_data(n, b""));
            joined.extend_from_slice(&p.server.data_indication(peer(1), b"ghij"));
            p.inject(Bytes::from(joined));
            let got: Vec<Bytes> = data_events(&mut p).into_iter().map(|d| d.1).collect();
            assert_eq!(
                got,
                vec![
                    Bytes::from_static(b"a"),
                    Bytes::from_static(b"bcdef"),
                    Bytes::new(),
                    Bytes::from_static(b"ghij")
                ],
                "{mode:?} split {split}"
            );
        }
    }
}

#[test]
fn stream_out_of_sync_fails() {
    let mut p = Pair::new(Mode::Tcp);
    p.allocate();
    p.deliver(Bytes::from_static(b"\xff\xff\xff\xff"));
    assert!(matches!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::Framing(_)))
    ));
}

#[test]
fn data_waits_for_the_allocation_and_the_permission() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.client
        .send_to(p.now, peer(1), Bytes::from_static(b"early 1"))
        .unwrap();
    p.client
        .send_to(p.now, peer(2), Bytes::from_static(b"early 2"))
        .unwrap();
    p.exchange();
    let relayed = p.server.relayed_data();
    assert_eq!(relayed.len(), 2);
    assert_eq!(relayed[0].1, Bytes::from_static(b"early 1"));
    assert_eq!(relayed[1].1, Bytes::from_static(b"early 2"));
}

#[test]
fn queue_while_allocating_is_bounded() {
    let mut p = Pair::with(Mode::Udp, |c| {
        c.max_queued_packets = 4;
        c.max_queued_bytes = 100;
    });
    for _ in 0..4 {
        p.client
            .send_to(p.now, peer(1), Bytes::from_static(b"x"))
            .unwrap();
    }
    assert_eq!(
        p.client.send_to(p.now, peer(1), Bytes::from_static(b"x")),
        Err(SendError::QueueFull)
    );
    let mut p = Pair::with(Mode::Udp, |c| {
        c.max_queued_packets = 4;
        c.max_queued_bytes = 100;
    });
    p.client
        .send_to(p.now, peer(1), Bytes::from(vec![0; 60]))
        .unwrap();
    assert_eq!(
        p.client.send_to(p.now, peer(1), Bytes::from(vec![0; 41])),
        Err(SendError::QueueFull)
    );
    p.client
        .send_to(p.now, peer(1), Bytes::from(vec![0; 40]))
        .unwrap();
    // Once allocated and permitted, the queue drains and frees its room.
    p.exchange();
    assert_eq!(p.server.relayed_data().len(), 2);
    for _ in 0..4 {
        p.client
            .send_to(p.now, peer(3), Bytes::from_static(b"x"))
            .unwrap();
    }
}

#[test]
fn queue_waiting_for_a_permission_is_bounded_and_dropped_on_refusal() {
    let mut p = Pair::with(Mode::Udp, |c| {
        c.max_queued_packets = 3;
        c.auto_bind_channels = false;
    });
    p.allocate();
    p.server.reject.insert(Method::CREATE_PERMISSION, 403);
    p.hold = true;
    for _ in 0..3 {
        p.client
            .send_to(p.now, peer(1), Bytes::from_static(b"x"))
            .unwrap();
    }
    assert_eq!(
        p.client.send_to(p.now, peer(1), Bytes::from_static(b"x")),
        Err(SendError::QueueFull)
    );
    p.exchange();
    p.hold = false;
    p.release();
    let Some(TurnEvent::PermissionFailed { ip, error }) =
        p.take(|e| matches!(e, TurnEvent::PermissionFailed { .. }))
    else {
        panic!("{:?}", p.events);
    };
    assert_eq!(ip, peer(1).ip());
    assert_eq!(error.code(), Some(403));
    assert_eq!(p.client.stats().queued_data_dropped, 3);
    assert!(p.server.relayed_data().is_empty());
    // Refused recently: not asked again for a while, then asked again.
    assert_eq!(
        p.client.send_to(p.now, peer(1), Bytes::from_static(b"x")),
        Err(SendError::PermissionDenied)
    );
    assert_eq!(p.server.requests(Method::CREATE_PERMISSION).len(), 1);
    p.run_for(std::time::Duration::from_secs(11));
    p.server.reject.clear();
    p.send(peer(1), b"later");
    assert_eq!(p.server.requests(Method::CREATE_PERMISSION).len(), 2);
    assert_eq!(p.server.relayed_data().len(), 1);
    // The allocation itself is fine.
    assert!(p.take(|e| matches!(e, TurnEvent::Failed(_))).is_none());
}

#[test]
fn permissions_and_channels_are_bounded() {
    let mut p = Pair::with(Mode::Udp, |c| {
        c.max_permissions = 2;
        c.max_channels = 2;
    });
    p.allocate();
    let ip = |n: u8| SocketAddr::from(([198, 51, 100, n], 7000));
    p.send(ip(1), b"a");
    p.send(ip(2), b"b");
    assert_eq!(
        p.client.send_to(p.now, ip(3), Bytes::from_static(b"c")),
        Err(SendError::TooManyPermissions)
    );
    assert_eq!(p.server.requests(Method::CHANNEL_BIND).len(), 2);
    // A third peer on a permitted IP: permitted, but no channel left.
    p.send(SocketAddr::from(([198, 51, 100, 1], 7001)), b"d");
    assert_eq!(p.server.requests(Method::CHANNEL_BIND).len(), 2);
    assert_eq!(
        p.client
            .bind_channel(p.now, SocketAddr::from(([198, 51, 100, 1], 7002))),
        Err(SendError::TooManyChannels)
    );
    assert_eq!(p.server.relayed_data().len(), 3);
}

#[test]
fn received_data_events_are_bounded() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    p.send(peer(1), b"x");
    let ind = p.server.data_indication(peer(1), b"flood");
    // The caller does not drain events.
    for _ in 0..1100 {
        p.client.handle_input(p.now, ind.clone());
    }
    assert_eq!(p.client.stats().events_dropped, 1100 - 1024);
    let mut n = 0;
    while let Some(e) = p.client.poll_event() {
        n += usize::from(matches!(e, TurnEvent::Data { .. }));
    }
    assert_eq!(n, 1024);
    // Draining frees the room.
    p.client.handle_input(p.now, ind);
    assert!(matches!(
        p.client.poll_event(),
        Some(TurnEvent::Data { .. })
    ));
}

#[test]
fn output_towards_the_server_is_bounded() {
    let mut p = Pair::with(Mode::Tcp, |c| {
        c.max_output_bytes = 4096;
        c.auto_bind_channels = false;
    });
    p.allocate();
    p.send(peer(1), b"x");
    // The caller stops writing: data is refused once 4 KiB wait.
    let chunk = Bytes::from(vec![7; 1000]);
    let mut accepted = 0;
    while p.client.send_to(p.now, peer(1), chunk.clone()).is_ok() {
        accepted += 1;
        assert!(accepted < 10);
    }
    assert_eq!(
        p.client.send_to(p.now, peer(1), chunk.clone()),
        Err(SendError::QueueFull)
    );
    assert!(accepted >= 3);
    p.exchange();
    assert!(p.client.send_to(p.now, peer(1), chunk).is_ok());
}

#[test]
fn send_errors() {
    let mut p = Pair::new(Mode::Udp);
    assert_eq!(
        p.client.bind_channel(p.now, peer(1)),
        Err(SendError::NotAllocated)
    );
    assert_eq!(
        p.client.create_permission(p.now, peer(1).ip()),
        Err(SendError::NotAllocated)
    );
    p.allocate();
    let v6: SocketAddr = "[2001:db8::1]:5000".parse().unwrap();
    assert_eq!(
        p.client.send_to(p.now, v6, Bytes::from_static(b"x")),
        Err(SendError::FamilyMismatch)
    );
    assert_eq!(
        p.client
            .send_to(p.now, peer(1), Bytes::from(vec![0; MAX_PAYLOAD + 1])),
        Err(SendError::TooLarge {
            len: MAX_PAYLOAD + 1
        })
    );
    // The largest payload fits a Send indication.
    p.client
        .send_to(p.now, peer(1), Bytes::from(vec![1; MAX_PAYLOAD]))
        .unwrap();
    p.exchange();
    assert_eq!(p.server.relayed_data()[0].1.len(), MAX_PAYLOAD);
}

#[test]
fn create_permission_without_data() {
    let mut p = Pair::new(Mode::Udp);
    p.allocate();
    p.client.create_permission(p.now, peer(1).ip()).unwrap();
    p.exchange();
    assert_eq!(
        p.take(|e| matches!(e, TurnEvent::PermissionCreated(_))),
        Some(TurnEvent::PermissionCreated(peer(1).ip()))
    );
    assert!(p.client.has_permission(peer(1).ip()));
    // Asking again changes nothing.
    p.client.create_permission(p.now, peer(1).ip()).unwrap();
    p.exchange();
    assert_eq!(p.server.requests(Method::CREATE_PERMISSION).len(), 1);
}

#[test]
fn channel_bind_failure_falls_back_to_send_indications() {
    let mut p = Pair::new(Mode::Udp);
    p.allocate();
    p.server.reject.insert(Method::CHANNEL_BIND, 400);
    p.send(peer(1), b"a");
    assert!(matches!(
        p.take(|e| matches!(e, TurnEvent::ChannelBindFailed { .. })),
        Some(TurnEvent::ChannelBindFailed { peer: q, .. }) if q == peer(1)
    ));
    p.send(peer(1), b"b");
    // No new bind attempt right away.
    assert_eq!(p.server.requests(Method::CHANNEL_BIND).len(), 1);
    assert_eq!(p.client.stats().send_indications_sent, 2);
    assert!(p.take(|e| matches!(e, TurnEvent::Failed(_))).is_none());
}

#[test]
fn tls_allocation_and_data() {
    let mut p = Pair::with(Mode::Tls, |c| c.auto_bind_channels = false);
    p.allocate();
    p.send(peer(1), b"over tls");
    let ind = p.server.data_indication(peer(1), b"back over tls");
    p.inject(ind);
    assert_eq!(
        data_events(&mut p),
        vec![(peer(1), Bytes::from_static(b"back over tls"))]
    );
    assert_eq!(
        p.server.relayed_data()[0].1,
        Bytes::from_static(b"over tls")
    );
}

#[test]
fn tls_with_an_untrusted_certificate_fails() {
    // The client trusts one certificate; the server presents another.
    let (mut cfg, _) = super::config(Mode::Tls);
    cfg.auto_bind_channels = false;
    // The pair's server gets its own fresh certificate.
    let mut p = Pair::with(Mode::Tls, |c| *c = cfg);
    p.exchange();
    let failed = p.take(|e| matches!(e, TurnEvent::Failed(_)));
    assert!(
        matches!(&failed, Some(TurnEvent::Failed(TurnError::Tls(m))) if m.contains("certificate")),
        "{failed:?}"
    );
}
