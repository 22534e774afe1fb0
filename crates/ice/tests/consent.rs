//! Consent freshness (RFC 7675) and keepalives on the selected pair.

mod common;

use std::time::Duration;

use common::{World, config};
use sanderling_ice::{ConnectionState, IceEvent};
use sanderling_netsim::LinkConfig;

fn connected(seed: u8) -> World {
    let mut w = World::lan(u64::from(seed), config(seed, true), config(seed + 1, false));
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    w
}

fn state_at(events: &[(Duration, IceEvent)], s: ConnectionState) -> Option<Duration> {
    events
        .iter()
        .find(|(_, e)| *e == IceEvent::ConnectionState(s))
        .map(|(t, _)| *t)
}

#[test]
fn silent_peer_disconnects_then_fails_at_thirty_seconds() {
    let mut w = connected(31);
    w.run_for(Duration::from_secs(20));
    let info = w.a().agent.selected_pair_info().unwrap();
    assert!(info.stats.consent_requests_sent >= 3, "{info:?}");
    let last_response = w.sim.epoch() + w.sim.elapsed();
    let (a, b) = (w.a, w.b);
    let dead = LinkConfig {
        loss: 1.0,
        ..LinkConfig::default()
    };
    w.sim.network_mut().set_path(a, b, dead);
    let silent_at = w.sim.elapsed();
    assert!(w.run_until(Duration::from_secs(60), |w| w.a().state()
        == ConnectionState::Failed));
    let events = w.a().events.clone();
    let disconnected = state_at(&events, ConnectionState::Disconnected).unwrap();
    let failed = state_at(&events, ConnectionState::Failed).unwrap();
    // Disconnected once a consent check has gone unanswered for 5 s (a
    // check is due within 4 to 6 s of the last answer).
    assert!(
        disconnected > silent_at + Duration::from_secs(5),
        "{disconnected:?}"
    );
    assert!(
        disconnected <= silent_at + Duration::from_secs(12),
        "{disconnected:?}"
    );
    // Failed 30 s after the last response (which came at most one consent
    // interval before the link went silent).
    let since_last = w.a().agent.pairs()[0].stats.last_response_received.unwrap();
    assert!(since_last <= last_response);
    let failed_abs = w.sim.epoch() + failed;
    assert_eq!(failed_abs - since_last, Duration::from_secs(30));
    assert_eq!(w.a().agent.selected_pair(), None);
    let _ = w.b();
    assert!(w.run_until(Duration::from_secs(10), |w| w.b().state()
        == ConnectionState::Failed));
    // Nothing is sent on a failed agent.
    let sent = w.a().agent.stats().checks_sent;
    w.run_for(Duration::from_secs(30));
    assert_eq!(w.a().agent.stats().checks_sent, sent);
}

#[test]
fn a_short_outage_disconnects_and_recovers() {
    let mut w = connected(33);
    let (a, b) = (w.a, w.b);
    let dead = LinkConfig {
        loss: 1.0,
        ..LinkConfig::default()
    };
    w.sim.network_mut().set_path(a, b, dead);
    assert!(w.run_until(Duration::from_secs(15), |w| w.a().state()
        == ConnectionState::Disconnected));
    w.sim.network_mut().set_path(a, b, LinkConfig::default());
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    }));
    w.run_for(Duration::from_secs(40));
    assert!(w.both(ConnectionState::Completed));
}

#[test]
fn keepalives_when_no_data_is_sent() {
    let mut w = connected(35);
    w.run_for(Duration::from_secs(61));
    // 15 s without data: a Binding indication each time (4 in 61 s).
    let k = w.a().agent.stats().keepalives_sent;
    assert!((3..=4).contains(&k), "{k}");
    assert!(w.b().agent.stats().indications_received >= 3);
    // With data flowing there is no keepalive.
    w.a().data_interval = Some(Duration::from_secs(1));
    w.run_for(Duration::from_secs(60));
    assert!(w.a().agent.stats().keepalives_sent <= k + 1);
    // Data counters reach the pair's statistics.
    let info = w.a().agent.selected_pair_info().unwrap();
    assert!(info.stats.bytes_sent >= 59 * 100, "{info:?}");
    assert!(
        w.b()
            .agent
            .selected_pair_info()
            .unwrap()
            .stats
            .bytes_received
            >= 59 * 100
    );
}

#[test]
fn consent_interval_is_randomised() {
    let mut w = connected(37);
    w.run_for(Duration::from_secs(100));
    let n = w
        .a()
        .agent
        .selected_pair_info()
        .unwrap()
        .stats
        .consent_requests_sent;
    // 100 s at 4..6 s a check.
    assert!((16..=25).contains(&n), "{n}");
}
