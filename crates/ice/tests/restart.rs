//! ICE restart (RFC 8445 §9): new credentials, the old pair carries data
//! until a new one is selected.

mod common;

use std::time::Duration;

use common::{Signal, World, addr, config};
use sanderling_ice::{ConnectionState, IceEvent};
use sanderling_netsim::LinkConfig;

fn connected_with_data(seed: u8) -> World {
    let mut w = World::lan(u64::from(seed), config(seed, true), config(seed + 1, false));
    let (a, b) = (w.a, w.b);
    w.sim
        .network_mut()
        .set_path(a, b, LinkConfig::with_delay(Duration::from_millis(10)));
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    w.a().data_interval = Some(Duration::from_millis(20));
    w.b().data_interval = Some(Duration::from_millis(20));
    w.run_for(Duration::from_secs(1));
    w
}

#[test]
fn restart_on_both_sides_keeps_data_flowing_and_selects_anew() {
    let mut w = connected_with_data(21);
    let old = w.a().agent.local_credentials().clone();
    let selected_before = w.a().selected.len();
    let received_before = w.b().data_received;
    let sent_before = w.a().data_sent;
    w.a().agent.restart();
    w.b().agent.restart();
    assert_ne!(w.a().agent.local_credentials(), &old);
    // The data path is still there while the new credentials travel.
    assert!(w.a().agent.selected_pair().is_some());
    w.run_for(Duration::from_millis(200));
    w.exchange_credentials();
    let t0 = w.sim.elapsed();
    assert!(w.run_until(Duration::from_secs(3), |w| w.a().selected.len()
        > selected_before
        && w.b().selected.len() > 1));
    assert!(w.run_until(Duration::from_secs(3), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert!(w.sim.elapsed() - t0 < Duration::from_secs(1));
    w.run_for(Duration::from_secs(2));
    // No state but connected/completed since the restart, and data never
    // stopped: b received every 20 ms all along.
    let mut states = w.a().states.clone();
    states.extend(w.b().states.clone());
    for s in &states {
        assert!(
            matches!(
                s,
                ConnectionState::Checking | ConnectionState::Connected | ConnectionState::Completed
            ),
            "{s:?}"
        );
    }
    // Every datagram sent across the restart arrived, with no gap longer
    // than the sending interval (plus jitter-free delay).
    let got = w.b().data_received - received_before;
    let sent = w.a().data_sent - sent_before;
    assert!(sent > 100);
    assert!(got + 1 >= sent, "{got} of {sent}");
    assert!(
        w.b().max_data_gap <= Duration::from_millis(25),
        "{:?}",
        w.b().max_data_gap
    );
    assert!(w.a().max_data_gap <= Duration::from_millis(25));
    assert_eq!(
        w.a().agent.selected_pair(),
        Some((addr("10.0.0.1:5000"), addr("10.0.0.2:5000")))
    );
    // The new generation's checks used the new credentials: the old ones
    // are no longer accepted.
    assert!(w.a().agent.stats().checks_sent >= 3);
}

#[test]
fn remote_only_restart() {
    let mut w = connected_with_data(23);
    // b restarts alone (it sent a new offer); a learns b's new credentials,
    // and a's candidates are sent again with a's answer.
    w.b().agent.restart();
    let cb = w.b().agent.local_credentials().clone();
    w.a()
        .agent
        .set_remote_credentials(&cb.ufrag, &cb.pwd)
        .unwrap();
    let ca = w.a().agent.local_credentials().clone();
    w.b()
        .agent
        .set_remote_credentials(&ca.ufrag, &ca.pwd)
        .unwrap();
    for c in w.a().agent.local_candidates() {
        w.a().outbox.push_back(Signal::Candidate(c));
    }
    w.a().outbox.push_back(Signal::EndOfCandidates);
    let before = w.b().data_received;
    assert!(w.run_until(Duration::from_secs(3), |w| w.b().selected.len() > 1));
    assert!(w.run_until(Duration::from_secs(3), |w| {
        w.both(ConnectionState::Completed)
    }));
    w.run_for(Duration::from_secs(1));
    assert!(w.b().data_received - before > 50);
}

#[test]
fn restart_while_failed_recovers() {
    let mut w = World::lan(25, config(25, true), config(26, false));
    let (a, b) = (w.a, w.b);
    let dead = LinkConfig {
        loss: 1.0,
        ..LinkConfig::default()
    };
    w.sim.network_mut().set_path(a, b, dead);
    assert!(w.run_until(Duration::from_secs(45), |w| w.both(ConnectionState::Failed)));
    w.sim.network_mut().set_path(a, b, LinkConfig::default());
    w.a().agent.restart();
    w.b().agent.restart();
    w.exchange_credentials();
    assert!(w.run_until(Duration::from_secs(3), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert!(
        w.a()
            .events
            .iter()
            .any(|(_, e)| matches!(e, IceEvent::SelectedPair { .. }))
    );
}
