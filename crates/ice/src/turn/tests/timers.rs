//! Refreshes, retransmissions and timeouts on the virtual clock.

use std::time::Duration;

use sanderling_stun::Method;
use sanderling_stun::attr::{ChannelNumber, Lifetime};

use super::{Mode, Pair, peer};
use crate::turn::{TurnError, TurnEvent, TurnState};

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// When (since the start) the server got each request of `method`: the
/// harness records order only, so tests sample the count over time.
fn count(p: &Pair, method: Method) -> usize {
    p.server.requests(method).len()
}

#[test]
fn allocation_is_refreshed_a_minute_before_it_expires() {
    let mut p = Pair::new(Mode::Udp);
    p.allocate();
    assert_eq!(p.client.expires_at(), Some(p.start + secs(600.0)));
    p.run_until(secs(539.9));
    assert_eq!(count(&p, Method::REFRESH), 0);
    p.run_until(secs(540.0));
    assert_eq!(count(&p, Method::REFRESH), 1);
    assert_eq!(
        p.server.requests(Method::REFRESH)[0].lifetime(),
        Some(Lifetime(600))
    );
    assert_eq!(
        p.take(|e| matches!(e, TurnEvent::Refreshed { .. })),
        Some(TurnEvent::Refreshed {
            lifetime: secs(600.0)
        })
    );
    assert_eq!(p.client.expires_at(), Some(p.start + secs(1140.0)));
    // And again 540 s after that refresh.
    p.run_until(secs(1079.9));
    assert_eq!(count(&p, Method::REFRESH), 1);
    p.run_until(secs(1080.0));
    assert_eq!(count(&p, Method::REFRESH), 2);
    assert_eq!(p.client.state(), TurnState::Allocated);
}

#[test]
fn short_lifetime_is_refreshed_at_three_quarters() {
    let mut p = Pair::new(Mode::Udp);
    p.server.max_lifetime = 120;
    p.allocate();
    p.run_until(secs(89.9));
    assert_eq!(count(&p, Method::REFRESH), 0);
    p.run_until(secs(90.0));
    assert_eq!(count(&p, Method::REFRESH), 1);
}

#[test]
fn refresh_rejected_fails_the_allocation() {
    let mut p = Pair::new(Mode::Udp);
    p.allocate();
    p.server.reject.insert(Method::REFRESH, 437);
    p.run_until(secs(541.0));
    assert!(matches!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::Rejected {
            request: Method::REFRESH,
            code: 437,
            ..
        }))
    ));
    assert_eq!(p.client.state(), TurnState::Failed);
}

#[test]
fn refresh_with_stale_nonce_is_retried() {
    let mut p = Pair::new(Mode::Tcp);
    p.allocate();
    p.server.stale_next = 1;
    p.run_until(secs(540.0));
    assert_eq!(count(&p, Method::REFRESH), 2);
    assert!(
        p.take(|e| matches!(e, TurnEvent::Refreshed { .. }))
            .is_some()
    );
}

#[test]
fn unanswered_refresh_times_out_after_rfc_retransmissions() {
    let mut p = Pair::new(Mode::Udp);
    p.allocate();
    p.server.drop_all = true;
    // Sends at 540, +0.5, +1.5, +3.5, +7.5, +15.5, +31.5; fails at +39.5.
    for (at, sends) in [
        (540.0, 1),
        (540.49, 1),
        (540.5, 2),
        (541.5, 3),
        (543.5, 4),
        (547.5, 5),
        (555.5, 6),
        (571.5, 7),
        (579.49, 7),
    ] {
        p.run_until(secs(at));
        assert_eq!(count(&p, Method::REFRESH), sends, "at {at}");
        assert_eq!(p.client.state(), TurnState::Allocated, "at {at}");
    }
    p.run_until(secs(579.5));
    assert_eq!(count(&p, Method::REFRESH), 7);
    assert_eq!(p.client.stats().retransmissions, 6);
    assert_eq!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::Timeout {
            request: Method::REFRESH
        }))
    );
}

#[test]
fn udp_requests_are_retransmitted_until_answered() {
    let mut p = Pair::new(Mode::Udp);
    p.server.drop_next = 2;
    p.exchange();
    assert_eq!(count(&p, Method::ALLOCATE), 1);
    p.run_until(secs(0.5));
    assert_eq!(count(&p, Method::ALLOCATE), 2);
    p.run_until(secs(1.49));
    assert_eq!(count(&p, Method::ALLOCATE), 2);
    p.run_until(secs(1.5));
    // Third send of the first Allocate is answered (401), then the
    // authenticated one at once.
    let allocs = p.server.requests(Method::ALLOCATE);
    assert_eq!(allocs.len(), 4);
    assert_eq!(allocs[0].transaction_id(), allocs[1].transaction_id());
    assert_eq!(allocs[0].transaction_id(), allocs[2].transaction_id());
    assert_ne!(allocs[2].transaction_id(), allocs[3].transaction_id());
    assert_eq!(p.client.state(), TurnState::Allocated);
    assert_eq!(p.client.stats().retransmissions, 2);
}

#[test]
fn udp_allocate_gives_up_after_39_5_seconds() {
    let mut p = Pair::new(Mode::Udp);
    p.server.drop_all = true;
    p.run_until(secs(39.49));
    assert_eq!(count(&p, Method::ALLOCATE), 7);
    assert_eq!(p.client.state(), TurnState::Allocating);
    p.run_until(secs(39.5));
    assert_eq!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::Timeout {
            request: Method::ALLOCATE
        }))
    );
}

#[test]
fn streams_never_retransmit() {
    for mode in [Mode::Tcp, Mode::Tls] {
        let mut p = Pair::new(mode);
        p.server.drop_all = true;
        p.run_until(secs(39.49));
        assert_eq!(count(&p, Method::ALLOCATE), 1, "{mode:?}");
        assert_eq!(p.client.stats().retransmissions, 0);
        p.run_until(secs(39.5));
        assert_eq!(
            p.take(|e| matches!(e, TurnEvent::Failed(_))),
            Some(TurnEvent::Failed(TurnError::Timeout {
                request: Method::ALLOCATE
            })),
            "{mode:?}"
        );
    }
}

#[test]
fn permissions_in_use_are_refreshed_and_idle_ones_expire() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    let peer = peer(1);
    p.send(peer, b"first");
    assert_eq!(count(&p, Method::CREATE_PERMISSION), 1);
    assert!(p.client.has_permission(peer.ip()));
    p.run_until(secs(200.0));
    p.send(peer, b"in use");
    p.run_until(secs(239.9));
    assert_eq!(count(&p, Method::CREATE_PERMISSION), 1);
    p.run_until(secs(240.0));
    assert_eq!(
        count(&p, Method::CREATE_PERMISSION),
        2,
        "refreshed at 4 min"
    );
    // No PermissionCreated for a refresh.
    assert_eq!(
        p.events
            .iter()
            .filter(|e| matches!(e, TurnEvent::PermissionCreated(_)))
            .count(),
        1
    );
    // Idle from now: no refresh at 480, gone at 540 (240 + 300).
    p.run_until(secs(539.9));
    assert_eq!(count(&p, Method::CREATE_PERMISSION), 2);
    assert!(p.client.has_permission(peer.ip()));
    p.run_until(secs(540.0));
    assert!(!p.client.has_permission(peer.ip()));
    // Data after that makes a new permission first.
    p.send(peer, b"again");
    assert_eq!(count(&p, Method::CREATE_PERMISSION), 3);
    assert_eq!(p.server.relayed_data().len(), 3);
}

#[test]
fn data_received_keeps_a_permission_in_use() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    let peer = peer(1);
    p.send(peer, b"first");
    p.run_until(secs(100.0));
    let ind = p.server.data_indication(peer, b"reply");
    p.inject(ind);
    p.run_until(secs(240.0));
    assert_eq!(count(&p, Method::CREATE_PERMISSION), 2);
}

#[test]
fn channels_in_use_are_refreshed_and_idle_ones_expire() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    let peer = peer(1);
    let n = p.client.bind_channel(p.now, peer).unwrap();
    p.exchange();
    assert!(
        p.take(|e| *e == TurnEvent::ChannelBound { peer, channel: n })
            .is_some()
    );
    p.run_until(secs(300.0));
    p.send(peer, b"in use");
    p.run_until(secs(539.9));
    assert_eq!(count(&p, Method::CHANNEL_BIND), 1);
    p.run_until(secs(540.0));
    let binds = p.server.requests(Method::CHANNEL_BIND);
    assert_eq!(binds.len(), 2, "refreshed at 9 min");
    assert_eq!(binds[1].get::<ChannelNumber>(), Some(&ChannelNumber(n)));
    assert_eq!(binds[1].xor_peer_address(), Some(peer));
    // Idle: expires at 540 + 600.
    p.run_until(secs(1139.9));
    assert_eq!(p.client.channel(peer), Some(n));
    p.run_until(secs(1140.0));
    assert_eq!(p.client.channel(peer), None);
    // Within the 5-minute cooldown the peer gets its old number back.
    assert_eq!(p.client.bind_channel(p.now, peer), Ok(n));
}

#[test]
fn timeouts_are_always_in_the_future() {
    // run_until asserts the contract at every step; run a long busy life.
    let mut p = Pair::new(Mode::Udp);
    p.allocate();
    for i in 0..20u16 {
        p.send(peer(i % 5), b"data");
        p.run_for(secs(97.0));
    }
    assert_eq!(p.client.state(), TurnState::Allocated);
    assert!(count(&p, Method::REFRESH) >= 3);
}

#[test]
fn idle_udp_allocations_send_keepalives() {
    let mut p = Pair::with(Mode::Udp, |c| c.auto_bind_channels = false);
    p.allocate();
    p.run_until(secs(14.9));
    assert_eq!(p.server.keepalives(), 0);
    p.run_until(secs(15.0));
    assert_eq!(p.server.keepalives(), 1);
    p.run_until(secs(45.0));
    assert_eq!(p.server.keepalives(), 3);
    // Data to the server counts as traffic: no keepalive while it flows.
    for i in 0..10 {
        p.run_until(secs(50.0 + 10.0 * f64::from(i)));
        p.send(peer(1), b"busy");
    }
    assert_eq!(p.server.keepalives(), 3);
    p.run_until(secs(155.0));
    assert_eq!(p.server.keepalives(), 4);
    assert_eq!(p.client.stats().keepalives_sent, 4);
}

#[test]
fn streams_send_no_keepalives() {
    let mut p = Pair::new(Mode::Tcp);
    p.allocate();
    p.run_until(secs(300.0));
    assert_eq!(p.server.keepalives(), 0);
    let mut p = Pair::with(Mode::Udp, |c| c.keepalive = None);
    p.allocate();
    p.run_until(secs(300.0));
    assert_eq!(p.server.keepalives(), 0);
}
