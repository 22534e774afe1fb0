//! Two transports on the simulated network: handshakes in both roles and
//! versions, loss, reordering, application data, close_notify, and every
//! way a handshake must fail clearly.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Node, Pair, body, certs, config, patient};
use sanderling_dtls::{
    AlertDescription, Certificate, DtlsError, DtlsEvent, DtlsRole, DtlsState, DtlsVersion,
    Fingerprint, HashAlgorithm, SrtpProfile, VersionPolicy,
};
use sanderling_netsim::LinkConfig;

const SRTP_LABEL: &str = "EXTRACTOR-dtls_srtp";

fn lan() -> LinkConfig {
    LinkConfig::with_delay(Duration::from_millis(10))
}

fn connected_event(n: &Node) -> (DtlsVersion, Option<SrtpProfile>) {
    n.events
        .iter()
        .find_map(|e| match e {
            DtlsEvent::Connected {
                version,
                srtp_profile,
            } => Some((*version, *srtp_profile)),
            _ => None,
        })
        .expect("a Connected event")
}

fn assert_keying_material_agrees(p: &mut Pair) {
    let profile = p
        .a()
        .transport
        .selected_srtp_profile()
        .expect("SRTP profile");
    assert_eq!(p.b().transport.selected_srtp_profile(), Some(profile));
    let len = profile.keying_material_len();
    let ka = p
        .a()
        .transport
        .export_keying_material(SRTP_LABEL, None, len)
        .unwrap();
    let kb = p
        .b()
        .transport
        .export_keying_material(SRTP_LABEL, None, len)
        .unwrap();
    assert_eq!(ka.len(), len);
    assert_eq!(ka, kb);
    assert!(ka.iter().any(|&b| b != 0));
}

#[test]
fn handshake_and_data_both_ways_dtls12() {
    let mut p = Pair::client_server(1, lan());
    assert!(p.run_until_connected(Duration::from_secs(5)));
    // Two round trips without a cookie, 10 ms each way.
    assert!(
        p.sim.elapsed() < Duration::from_millis(100),
        "{:?}",
        p.sim.elapsed()
    );
    for id in [p.a, p.b] {
        let n = p.sim.endpoint_mut::<Node>(id);
        assert_eq!(n.transport.state(), DtlsState::Connected);
        assert_eq!(n.transport.negotiated_version(), Some(DtlsVersion::Dtls12));
        assert_eq!(connected_event(n).0, DtlsVersion::Dtls12);
        assert_eq!(n.transport.stats().timer_expirations, 0);
    }
    let (ca, cb) = certs();
    assert_eq!(p.a().transport.peer_certificate(), Some(cb.der()));
    assert_eq!(p.b().transport.peer_certificate(), Some(ca.der()));
    assert_eq!(
        connected_event(p.a()).1,
        p.a().transport.selected_srtp_profile()
    );
    assert_keying_material_agrees(&mut p);

    assert!(p.exchange(50, 1000, Duration::from_secs(5)));
    for (id, from) in [(p.a, b'b'), (p.b, b'a')] {
        let node = p.sim.endpoint::<Node>(id);
        let expected: Vec<Bytes> = (0..50).map(|i| body(from, i, 1000)).collect();
        assert_eq!(node.received, expected, "in order on a clean path");
        assert_eq!(node.transport.stats().records_received, 50);
    }
}

#[test]
fn handshake_dtls13_by_configuration() {
    let mut p = Pair::client_server_of(2, lan(), VersionPolicy::Dtls13);
    assert!(p.run_until_connected(Duration::from_secs(5)));
    for id in [p.a, p.b] {
        let n = p.sim.endpoint_mut::<Node>(id);
        assert_eq!(n.transport.negotiated_version(), Some(DtlsVersion::Dtls13));
        assert_eq!(connected_event(n).0, DtlsVersion::Dtls13);
    }
    assert_keying_material_agrees(&mut p);
    assert!(p.exchange(20, 1100, Duration::from_secs(5)));
}

#[test]
fn auto_follows_the_peer_version() {
    let (ca, cb) = certs();
    for (client, server, expected) in [
        (
            VersionPolicy::Auto,
            VersionPolicy::Dtls12,
            DtlsVersion::Dtls12,
        ),
        (
            VersionPolicy::Auto,
            VersionPolicy::Dtls13,
            DtlsVersion::Dtls13,
        ),
        (
            VersionPolicy::Dtls12,
            VersionPolicy::Auto,
            DtlsVersion::Dtls12,
        ),
        (
            VersionPolicy::Dtls13,
            VersionPolicy::Auto,
            DtlsVersion::Dtls13,
        ),
        (
            VersionPolicy::Auto,
            VersionPolicy::Auto,
            DtlsVersion::Dtls13,
        ),
    ] {
        let mut a = config(DtlsRole::Client, cb);
        let mut b = config(DtlsRole::Server, ca);
        a.version = client;
        b.version = server;
        let mut p = Pair::new(3, lan(), a, b);
        assert!(
            p.run_until_connected(Duration::from_secs(5)),
            "{client:?} -> {server:?}"
        );
        assert_eq!(p.a().transport.negotiated_version(), Some(expected));
        assert_eq!(p.b().transport.negotiated_version(), Some(expected));
        assert!(p.exchange(5, 100, Duration::from_secs(5)));
    }
}

/// 10% loss in each direction, with the client on either node: every
/// handshake completes, and both roles had to retransmit on their timers.
#[test]
fn ten_percent_loss_in_both_roles() {
    let (ca, cb) = certs();
    let lossy = LinkConfig {
        loss: 0.10,
        ..LinkConfig::with_delay(Duration::from_millis(25))
    };
    let mut lossless_datagrams = 0;
    {
        let mut p = Pair::client_server(0, LinkConfig::with_delay(Duration::from_millis(25)));
        assert!(p.run_until_connected(Duration::from_secs(5)));
        lossless_datagrams += p.a().transport.stats().handshake_datagrams_sent;
        lossless_datagrams += p.b().transport.stats().handshake_datagrams_sent;
    }
    let runs = 12u64;
    for a_role in [DtlsRole::Client, DtlsRole::Server] {
        let (mut client_timers, mut server_timers, mut datagrams, mut dropped) = (0, 0, 0, 0);
        for seed in 0..runs {
            let mut p = Pair::new(
                100 + seed,
                lossy.clone(),
                patient(config(a_role, cb)),
                patient(config(a_role.opposite(), ca)),
            );
            let ok = p.run_until_connected(Duration::from_secs(120));
            let (ta, tb) = (
                &p.sim.endpoint::<Node>(p.a).transport,
                &p.sim.endpoint::<Node>(p.b).transport,
            );
            assert!(ok, "seed {seed}, A {a_role:?}: {ta:?} / {tb:?}");
            let (sa, sb) = (*p.a().transport.stats(), *p.b().transport.stats());
            let (client, server) = if a_role == DtlsRole::Client {
                (sa, sb)
            } else {
                (sb, sa)
            };
            client_timers += client.timer_expirations;
            server_timers += server.timer_expirations;
            datagrams += sa.handshake_datagrams_sent + sb.handshake_datagrams_sent;
            let net = p.sim.network();
            dropped +=
                net.link_stats(p.a, p.b).dropped_loss + net.link_stats(p.b, p.a).dropped_loss;
        }
        assert!(dropped > 0, "the path lost nothing");
        assert!(
            client_timers > 0,
            "A {a_role:?}: the client never retransmitted"
        );
        assert!(
            server_timers > 0,
            "A {a_role:?}: the server never retransmitted"
        );
        assert!(
            datagrams > runs * lossless_datagrams,
            "A {a_role:?}: {datagrams} handshake datagrams in {runs} lossy runs, {lossless_datagrams} per clean one"
        );
    }
}

/// Reordering (a third of the datagrams held back), duplication and jitter:
/// the handshake completes and every record arrives once, in some order.
/// Bursts stay within the 64-record replay window: a record overtaken by
/// more than 64 later ones is dropped as too old, as DTLS requires.
#[test]
fn handshake_and_data_under_reordering() {
    let messy = LinkConfig {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(5),
        reorder: 0.3,
        reorder_delay: Duration::from_millis(30),
        duplicate: 0.05,
        ..LinkConfig::default()
    };
    for (seed, version) in [
        (7, VersionPolicy::Dtls12),
        (8, VersionPolicy::Dtls13),
        (9, VersionPolicy::Dtls12),
    ] {
        let (ca, cb) = certs();
        let mut a = patient(config(DtlsRole::Client, cb));
        let mut b = patient(config(DtlsRole::Server, ca));
        a.version = version;
        b.version = version;
        let mut p = Pair::new(seed, messy.clone(), a, b);
        assert!(
            p.run_until_connected(Duration::from_secs(60)),
            "seed {seed}"
        );
        for round in 0..3 {
            let ok = p.exchange(40, 500, Duration::from_secs(10));
            let (na, nb) = (p.sim.endpoint::<Node>(p.a), p.sim.endpoint::<Node>(p.b));
            assert!(
                ok,
                "seed {seed} round {round}: A got {}, B got {}",
                na.received.len(),
                nb.received.len()
            );
        }
        let net = p.sim.network();
        let reordered = net.link_stats(p.a, p.b).reordered + net.link_stats(p.b, p.a).reordered;
        let duplicated = net.link_stats(p.a, p.b).duplicated + net.link_stats(p.b, p.a).duplicated;
        assert!(
            reordered > 0 && duplicated > 0,
            "seed {seed}: {reordered} {duplicated}"
        );
        for (id, from) in [(p.a, b'b'), (p.b, b'a')] {
            let node = p.sim.endpoint::<Node>(id);
            let mut got = node.received.clone();
            got.sort();
            let mut want: Vec<Bytes> = (0..3)
                .flat_map(|_| (0..40).map(|i| body(from, i, 500)))
                .collect();
            want.sort();
            assert_eq!(got, want, "seed {seed}: each record exactly once");
        }
    }
}

/// One side announces a fingerprint that is not the other's certificate.
/// The side that checks fails with the mismatch, its peer with the alert,
/// and not one byte passes either way though both keep trying to send.
#[test]
fn fingerprint_mismatch_fails_both_sides_and_passes_nothing() {
    let (ca, cb) = certs();
    let stranger = Certificate::generate().unwrap();
    for version in [VersionPolicy::Dtls12, VersionPolicy::Dtls13] {
        for wrong_side in [DtlsRole::Client, DtlsRole::Server] {
            let mut a = config(DtlsRole::Client, cb);
            let mut b = config(DtlsRole::Server, ca);
            a.version = version;
            b.version = version;
            let wrong = vec![stranger.fingerprint(HashAlgorithm::Sha256)];
            match wrong_side {
                DtlsRole::Client => a.remote_fingerprints = wrong.clone(),
                DtlsRole::Server => b.remote_fingerprints = wrong.clone(),
            }
            let mut p = Pair::new(11, lan(), a, b);
            p.a().keep_trying = Some(Bytes::from_static(b"secret from A"));
            p.b().keep_trying = Some(Bytes::from_static(b"secret from B"));
            p.sim.run_for(Duration::from_secs(60));

            let (checker, peer_cert, other) = match wrong_side {
                DtlsRole::Client => (p.a, cb, p.b),
                DtlsRole::Server => (p.b, ca, p.a),
            };
            let checker = p.sim.endpoint::<Node>(checker);
            let other = p.sim.endpoint::<Node>(other);
            let ctx = format!("{version:?}, {wrong_side:?} checks");
            match &checker.failed {
                Some((_, DtlsError::FingerprintMismatch { expected, actual })) => {
                    assert_eq!(expected, &wrong, "{ctx}");
                    assert_eq!(
                        actual,
                        &peer_cert.fingerprint(HashAlgorithm::Sha256),
                        "{ctx}"
                    );
                }
                f => panic!("{ctx}: checker ended with {f:?}"),
            }
            assert!(
                checker
                    .failed
                    .as_ref()
                    .unwrap()
                    .1
                    .to_string()
                    .contains("matches none")
            );
            assert!(checker.connected_at.is_none(), "{ctx}");
            assert!(checker.transport.peer_certificate().is_none(), "{ctx}");
            assert!(
                checker.received.is_empty(),
                "{ctx}: data reached the checker"
            );
            assert!(other.received.is_empty(), "{ctx}: data reached the peer");
            assert!(!checker.send_errors.is_empty(), "{ctx}");
            if other.connected() {
                // It sent: the records reached the failed checker and were dropped.
                assert!(other.send_errors.is_empty(), "{ctx}");
                assert!(checker.transport.stats().dropped_after_close > 0, "{ctx}");
            } else {
                assert!(!other.send_errors.is_empty(), "{ctx}");
            }
            assert!(checker.send_errors.iter().all(|e| matches!(
                e,
                DtlsError::NotConnected | DtlsError::FingerprintMismatch { .. }
            )));
            // The peer fails too: at once from our plaintext alert in DTLS
            // 1.2. In DTLS 1.3 it expects encrypted records by then and
            // ignores the alert: a server fails when its handshake times
            // out; a client has finished its handshake before the server
            // checks the client's certificate, so it reports Connected, but
            // nothing it sends is delivered (ICE consent and SCTP notice).
            let other_end = other.failed.as_ref().map(|f| &f.1);
            match (version, wrong_side) {
                (VersionPolicy::Dtls12, _) => {
                    assert_eq!(
                        other_end,
                        Some(&DtlsError::AlertReceived(AlertDescription::BAD_CERTIFICATE)),
                        "{ctx}"
                    );
                    assert!(other.connected_at.is_none(), "{ctx}");
                    let failed_at = other.failed.as_ref().unwrap().0 - p.sim.epoch();
                    assert!(
                        failed_at < Duration::from_millis(100),
                        "{ctx}: {failed_at:?}"
                    );
                }
                (_, DtlsRole::Client) => {
                    assert_eq!(other_end, Some(&DtlsError::HandshakeTimeout), "{ctx}");
                }
                (_, DtlsRole::Server) => assert!(other.connected(), "{ctx}"),
            }
        }
    }
}

/// The answer (with the fingerprints) arrives after the handshake: the
/// server holds what the client sent until it can check, then delivers it
/// — or, for a wrong fingerprint, fails without delivering a byte.
#[test]
fn fingerprints_that_arrive_late() {
    let (ca, cb) = certs();
    for right in [true, false] {
        let mut b = config(DtlsRole::Server, ca);
        b.remote_fingerprints.clear();
        let mut p = Pair::new(12, lan(), config(DtlsRole::Client, cb), b);
        let (a, bid) = (p.a, p.b);
        assert!(p.sim.run_until(Duration::from_secs(5), |s| {
            s.endpoint::<Node>(a).connected()
        }));
        for i in 0..3 {
            p.a().outbox.push_back(body(b'a', i, 300));
        }
        p.sim.run_for(Duration::from_secs(1));
        let now = p.sim.now();
        let b = p.b();
        assert_eq!(b.transport.state(), DtlsState::Connecting);
        assert!(b.events.is_empty() && b.received.is_empty());
        assert_eq!(
            b.transport.send(now, b"early"),
            Err(DtlsError::NotConnected)
        );
        assert!(
            b.transport
                .export_keying_material(SRTP_LABEL, None, 88)
                .is_err()
        );

        let fps = if right {
            // B's own certificate (wrong) and A's (right).
            vec![
                cb.fingerprint(HashAlgorithm::Sha1),
                ca.fingerprint(HashAlgorithm::Sha512),
            ]
        } else {
            vec![cb.fingerprint(HashAlgorithm::Sha512)]
        };
        let now = p.sim.now();
        let b = p.sim.endpoint_mut::<Node>(bid);
        b.transport.set_remote_fingerprints(fps).unwrap();
        p.sim.run_for(Duration::from_millis(100));
        let b = p.b();
        if right {
            assert!(b.connected());
            let want: Vec<Bytes> = (0..3).map(|i| body(b'a', i, 300)).collect();
            assert_eq!(b.received, want);
            assert!(
                matches!(b.events[0], DtlsEvent::Connected { .. }),
                "Connected comes first"
            );
            assert!(
                b.transport
                    .set_remote_fingerprints(vec![cb.fingerprint(HashAlgorithm::Sha256)])
                    .is_err()
            );
            assert!(p.exchange(2, 10, Duration::from_secs(1)));
        } else {
            assert!(b.received.is_empty());
            assert!(matches!(
                b.failed,
                Some((t, DtlsError::FingerprintMismatch { ref actual, .. }))
                    if t == now && actual.algorithm() == HashAlgorithm::Sha512
            ));
            assert_eq!(b.transport.stats().dropped_unverified, 0);
        }
    }
}

/// The fingerprints never come: the held data is never delivered and the
/// transport fails with that reason when the handshake time runs out.
#[test]
fn fingerprints_that_never_arrive() {
    let (ca, cb) = certs();
    let mut b = config(DtlsRole::Server, ca);
    b.remote_fingerprints.clear();
    let mut p = Pair::new(21, lan(), config(DtlsRole::Client, cb), b);
    let a = p.a;
    assert!(p.sim.run_until(Duration::from_secs(5), |s| {
        s.endpoint::<Node>(a).connected()
    }));
    p.a().outbox.push_back(body(b'a', 0, 300));
    let bid = p.b;
    let limit = sanderling_dtls::DtlsConfig::default().handshake_timeout;
    assert!(p.sim.run_until(limit + Duration::from_secs(1), |s| {
        s.endpoint::<Node>(bid).failed.is_some()
    }));
    let b = p.b();
    assert_eq!(
        b.failed.as_ref().map(|f| &f.1),
        Some(&DtlsError::RemoteFingerprintsMissing)
    );
    assert!(b.received.is_empty() && !b.connected());
    assert_eq!(p.sim.elapsed(), limit);
}

/// SDP may carry several fingerprints: one match is enough, whatever the
/// algorithm.
#[test]
fn any_matching_fingerprint_will_do() {
    let (ca, cb) = certs();
    let other = Certificate::generate().unwrap();
    let mut a = config(DtlsRole::Client, cb);
    a.remote_fingerprints = vec![
        other.fingerprint(HashAlgorithm::Sha256),
        cb.fingerprint(HashAlgorithm::Sha384),
    ];
    let mut b = config(DtlsRole::Server, ca);
    b.remote_fingerprints = vec![
        "sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"
            .parse()
            .unwrap(),
        Fingerprint::of(ca.der(), HashAlgorithm::Sha1),
    ];
    let mut p = Pair::new(13, lan(), a, b);
    assert!(p.run_until_connected(Duration::from_secs(5)));
}

/// Both sides think they are the client (both `a=setup:active`): each
/// receives the other's ClientHello and fails at once.
#[test]
fn two_clients_fail_with_role_conflict() {
    let (ca, cb) = certs();
    let mut p = Pair::new(
        14,
        lan(),
        config(DtlsRole::Client, cb),
        config(DtlsRole::Client, ca),
    );
    assert!(p.run_until_both_done(Duration::from_secs(1)));
    for id in [p.a, p.b] {
        let n = p.sim.endpoint_mut::<Node>(id);
        assert_eq!(
            n.failed.as_ref().map(|f| &f.1),
            Some(&DtlsError::RoleConflict)
        );
        assert_eq!(n.transport.state(), DtlsState::Failed);
        assert_eq!(n.transport.poll_timeout(), None);
    }
}

/// Both sides wait as servers: nothing is ever sent, and both fail when the
/// handshake time runs out instead of hanging.
#[test]
fn two_servers_fail_by_timeout() {
    let (ca, cb) = certs();
    let mut p = Pair::new(
        15,
        lan(),
        config(DtlsRole::Server, cb),
        config(DtlsRole::Server, ca),
    );
    let limit = sanderling_dtls::DtlsConfig::default().handshake_timeout;
    assert!(p.run_until_both_done(limit + Duration::from_secs(1)));
    for id in [p.a, p.b] {
        let n = p.sim.endpoint_mut::<Node>(id);
        assert_eq!(
            n.failed.as_ref().map(|f| &f.1),
            Some(&DtlsError::HandshakeTimeout)
        );
        assert!(n.sent.is_empty());
    }
    assert_eq!(p.sim.elapsed(), limit);
}

/// A client whose server never answers retransmits its ClientHello and
/// gives up within the handshake time.
#[test]
fn silent_server_times_out_the_client() {
    let (_, cb) = certs();
    let mut p = Pair::client_server(16, LinkConfig { loss: 1.0, ..lan() });
    let _ = cb;
    let limit = sanderling_dtls::DtlsConfig::default().handshake_timeout;
    let a = p.a;
    assert!(p.sim.run_until(limit + Duration::from_secs(1), |s| {
        s.endpoint::<Node>(a).failed.is_some()
    }));
    let n = p.a();
    assert_eq!(
        n.failed.as_ref().map(|f| &f.1),
        Some(&DtlsError::HandshakeTimeout)
    );
    assert!(
        n.transport.stats().timer_expirations >= 4,
        "{:?}",
        n.transport.stats()
    );
    assert!(n.sent.len() >= 5);
}

#[test]
fn close_notify_closes_the_peer() {
    for version in [VersionPolicy::Dtls12, VersionPolicy::Dtls13] {
        let mut p = Pair::client_server_of(17, lan(), version);
        assert!(p.run_until_connected(Duration::from_secs(5)));
        assert!(p.exchange(3, 100, Duration::from_secs(1)));
        p.b().transport.close();
        assert_eq!(p.b().transport.state(), DtlsState::Closed);
        let a = p.a;
        assert!(
            p.sim
                .run_until(Duration::from_secs(1), |s| s.endpoint::<Node>(a).closed)
        );
        let now = p.sim.now();
        for id in [p.a, p.b] {
            let n = p.sim.endpoint_mut::<Node>(id);
            assert_eq!(n.transport.state(), DtlsState::Closed, "{version:?}");
            assert_eq!(n.transport.send(now, b"late"), Err(DtlsError::Closed));
            assert!(n.failed.is_none());
        }
        assert_eq!(p.a().events.last(), Some(&DtlsEvent::Closed));
        assert!(!p.b().closed, "closing ourselves raises no event");
        p.sim.run_for(Duration::from_secs(60));
        assert_eq!(p.a().received.len(), 3);
    }
}

/// A record must fit in one datagram: one byte more than fits is refused
/// (nothing is sent), exactly what fits goes out in one datagram within
/// the MTU, and the handshake itself is fragmented to the MTU.
#[test]
fn records_larger_than_the_path_are_refused() {
    for (mtu, version) in [
        (1200, VersionPolicy::Dtls12),
        (1200, VersionPolicy::Dtls13),
        (300, VersionPolicy::Dtls12),
        (300, VersionPolicy::Dtls13),
    ] {
        let (ca, cb) = certs();
        let mut a = config(DtlsRole::Client, cb);
        let mut b = config(DtlsRole::Server, ca);
        for c in [&mut a, &mut b] {
            c.mtu = mtu;
            c.version = version;
        }
        // The link drops anything larger than the MTU.
        let link = LinkConfig { mtu, ..lan() };
        let mut p = Pair::new(18, link, a, b);
        assert!(
            p.run_until_connected(Duration::from_secs(5)),
            "{mtu} {version:?}"
        );
        let max = p.a().transport.max_application_data();
        assert_eq!(max, mtu - sanderling_dtls::MAX_RECORD_OVERHEAD);
        let now = p.sim.now();
        let sent_before = p.a().sent.len();
        let t = &mut p.a().transport;
        let limit = sanderling_dtls::MAX_RECORD_PLAINTEXT;
        assert_eq!(
            t.send(now, &vec![1; limit + 1]),
            Err(DtlsError::RecordTooLarge {
                size: limit + 1,
                max: limit
            })
        );
        assert!(t.send(now, &vec![1; 65_536]).is_err());
        assert_eq!(t.poll_transmit(now), None, "nothing was queued");
        assert_eq!(t.state(), DtlsState::Connected, "refusal changes nothing");
        let full = body(b'a', 0, max);
        p.a().transport.send(now, &full).unwrap();
        p.sim.run_for(Duration::from_millis(100));
        assert_eq!(
            p.a().sent.len(),
            sent_before + 1,
            "one record, one datagram"
        );
        assert!(p.a().sent.last().unwrap().len() <= mtu);
        assert_eq!(p.b().received, vec![full]);
        let net = p.sim.network();
        assert_eq!(
            net.link_stats(p.a, p.b).dropped_mtu + net.link_stats(p.b, p.a).dropped_mtu,
            0
        );
    }
}

/// A record larger than the handshake's MTU (a layer above found that the
/// path carries it) goes whole, in one datagram of its size, for both
/// versions; the handshake itself stayed within the MTU.
#[test]
fn records_larger_than_the_handshake_mtu_go_whole() {
    for version in [VersionPolicy::Dtls12, VersionPolicy::Dtls13] {
        let link = LinkConfig {
            mtu: 65_507,
            ..lan()
        };
        let mut p = Pair::client_server_of(20, link, version);
        assert!(p.run_until_connected(Duration::from_secs(5)));
        assert!(p.a().sent.iter().all(|d| d.len() <= 1200), "{version:?}");
        let now = p.sim.now();
        let sent_before = p.a().sent.len();
        let big = body(b'b', 0, sanderling_dtls::MAX_RECORD_PLAINTEXT);
        p.a().transport.send(now, &big).unwrap();
        p.sim.run_for(Duration::from_millis(100));
        assert_eq!(p.a().sent.len(), sent_before + 1, "{version:?}");
        assert!(p.a().sent.last().unwrap().len() > big.len());
        assert_eq!(p.b().received, vec![big], "{version:?}");
    }
}

#[test]
fn calls_before_connection_are_refused() {
    let mut p = Pair::client_server(19, lan());
    let now = p.sim.now();
    let t = &mut p.a().transport;
    assert_eq!(t.state(), DtlsState::Connecting);
    assert_eq!(t.send(now, b"x"), Err(DtlsError::NotConnected));
    assert!(matches!(
        t.export_keying_material(SRTP_LABEL, None, 60),
        Err(DtlsError::NotConnected)
    ));
    assert_eq!(t.selected_srtp_profile(), None);
    assert_eq!(t.peer_certificate(), None);
    assert!(p.run_until_connected(Duration::from_secs(5)));
    let t = &mut p.a().transport;
    let len = t.selected_srtp_profile().unwrap().keying_material_len();
    assert!(matches!(
        t.export_keying_material("EXPORTER-other", None, len),
        Err(DtlsError::ExportUnavailable(_))
    ));
    assert!(
        t.export_keying_material(SRTP_LABEL, Some(b"ctx"), len)
            .is_err()
    );
    assert!(t.export_keying_material(SRTP_LABEL, None, len + 1).is_err());
}

#[test]
fn a_certificate_serves_many_transports() {
    let (ca, cb) = certs();
    for seed in 0..3 {
        let mut p = Pair::new(
            20 + seed,
            lan(),
            config(DtlsRole::Client, cb),
            config(DtlsRole::Server, ca),
        );
        assert!(p.run_until_connected(Duration::from_secs(5)));
    }
}

/// The peer decides its record size, not us: a full 16 KiB record from a
/// peer with a large MTU arrives whole at a transport whose own MTU (and
/// so its first output buffer) is 1200.
#[test]
fn a_record_larger_than_our_mtu_from_the_peer_arrives() {
    for version in [VersionPolicy::Dtls12, VersionPolicy::Dtls13] {
        let (ca, cb) = certs();
        let mut a = config(DtlsRole::Client, cb);
        let mut b = config(DtlsRole::Server, ca);
        a.mtu = 16_384 + sanderling_dtls::MAX_RECORD_OVERHEAD;
        a.version = version;
        b.version = version;
        let link = LinkConfig {
            mtu: 20_000,
            ..lan()
        };
        let mut p = Pair::new(19, link, a, b);
        assert!(p.run_until_connected(Duration::from_secs(5)), "{version:?}");
        let now = p.sim.now();
        let big = body(b'z', 0, 16_384);
        p.a().transport.send(now, &big).unwrap();
        let small = body(b's', 0, 100);
        p.a().transport.send(now, &small).unwrap();
        p.sim.run_for(Duration::from_millis(100));
        assert_eq!(p.b().received, vec![big, small], "{version:?}");
    }
}
