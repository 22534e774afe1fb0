//! Two agents connect on a LAN: plain, with loss, with both controlling,
//! and fail cleanly when nothing gets through.

mod common;

use std::time::Duration;

use common::{World, addr, config};
use sanderling_ice::{ConnectionState, IceEvent, PairState};
use sanderling_netsim::LinkConfig;

#[test]
fn lan_pair_connects_on_the_host_pair() {
    let mut w = World::lan(1, config(1, true), config(2, false));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
    let elapsed = w.sim.elapsed();
    assert!(elapsed < Duration::from_millis(500), "took {elapsed:?}");
    let expect = (addr("10.0.0.1:5000"), addr("10.0.0.2:5000"));
    assert_eq!(w.a().agent.selected_pair(), Some(expect));
    assert_eq!(w.b().agent.selected_pair(), Some((expect.1, expect.0)));
    assert_eq!(w.a().selected, vec![expect]);
    // States went new -> checking -> connected -> completed, in order.
    assert_eq!(
        w.a().states,
        vec![
            ConnectionState::Checking,
            ConnectionState::Connected,
            ConnectionState::Completed
        ]
    );
    let info = w.a().agent.selected_pair_info().unwrap();
    assert!(info.nominated);
    assert_eq!(info.state, PairState::Succeeded);
    assert!(info.stats.requests_sent >= 2, "{info:?}");
    assert!(info.stats.responses_received >= 2);
    assert!(info.stats.requests_received >= 1);
    assert!(info.stats.rtt_last.is_some());
    // Gathering completed and both ends learned end-of-candidates.
    assert!(
        w.a()
            .events
            .iter()
            .any(|(_, e)| *e == IceEvent::EndOfLocalCandidates)
    );
}

#[test]
fn connects_with_ten_percent_loss() {
    for seed in 0..10u8 {
        let mut w = World::lan(
            u64::from(seed),
            config(seed, true),
            config(seed.wrapping_add(100), false),
        );
        let (a, b) = (w.a, w.b);
        let link = LinkConfig {
            delay: Duration::from_millis(20),
            loss: 0.1,
            ..LinkConfig::default()
        };
        w.sim.network_mut().set_path(a, b, link);
        assert!(
            w.run_until(Duration::from_secs(20), |w| w
                .both(ConnectionState::Completed)),
            "seed {seed}: {:?} {:?}",
            w.a().state(),
            w.b().state()
        );
        assert_eq!(
            w.a().agent.selected_pair(),
            Some((addr("10.0.0.1:5000"), addr("10.0.0.2:5000")))
        );
        // And it stays up (consent checks survive the loss) for a minute.
        w.run_for(Duration::from_secs(60));
        assert!(w.connected(), "seed {seed}: {:?}", w.a().states);
    }
}

#[test]
fn both_controlling_resolves_the_role_conflict() {
    let mut w = World::lan(3, config(3, true), config(4, true));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
    let (ca, cb) = (w.a().agent.is_controlling(), w.b().agent.is_controlling());
    assert_ne!(ca, cb, "exactly one stays controlling");
    // The one with the larger tie-breaker keeps the role (RFC 8445 §7.3.1.1).
    let (ta, tb) = (w.a().agent.tie_breaker(), w.b().agent.tie_breaker());
    assert_eq!(ca, ta > tb);
    let conflicts =
        w.a().agent.stats().role_conflicts_sent + w.b().agent.stats().role_conflicts_sent;
    let switches = w.a().agent.stats().role_switches + w.b().agent.stats().role_switches;
    assert!(conflicts + switches >= 1);
    assert_eq!(switches, 1);
}

#[test]
fn both_controlled_resolves_too() {
    let mut w = World::lan(5, config(5, false), config(6, false));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert_ne!(w.a().agent.is_controlling(), w.b().agent.is_controlling());
}

/// One pair whose checks all go unanswered: the agents fail when both the
/// check schedule (15.5 s) and the PAC timer have run out.
fn dead_path_fails_at(pac_timeout: Option<Duration>) -> (Duration, Vec<ConnectionState>) {
    let (mut ca, mut cb) = (config(7, true), config(8, false));
    if let Some(t) = pac_timeout {
        ca.pac_timeout = t;
        cb.pac_timeout = t;
    }
    let mut w = World::lan(7, ca, cb);
    let (a, b) = (w.a, w.b);
    let dead = LinkConfig {
        loss: 1.0,
        ..LinkConfig::default()
    };
    w.sim.network_mut().set_path(a, b, dead);
    assert!(w.run_until(Duration::from_secs(60), |w| w.both(ConnectionState::Failed)));
    assert_eq!(w.a().agent.selected_pair(), None);
    let states = w.a().states.clone();
    (w.sim.elapsed(), states)
}

#[test]
fn nothing_gets_through_fails_after_end_of_candidates() {
    // A short PAC timer: the pair's 15.5 s of retransmissions decide.
    let (t, states) = dead_path_fails_at(Some(Duration::from_secs(5)));
    assert!(
        t >= Duration::from_secs(15) && t < Duration::from_secs(17),
        "{t:?}"
    );
    assert_eq!(
        states,
        vec![ConnectionState::Checking, ConnectionState::Failed]
    );
}

#[test]
fn failure_waits_for_the_pac_timer() {
    // RFC 8863: 39.5 s by default, though the only pair failed at 15.5 s.
    let (t, states) = dead_path_fails_at(None);
    assert!(
        t >= Duration::from_millis(39_500) && t < Duration::from_secs(41),
        "{t:?}"
    );
    assert_eq!(
        states,
        vec![ConnectionState::Checking, ConnectionState::Failed]
    );
}

#[test]
fn an_answer_with_end_of_candidates_and_no_candidates_still_connects() {
    // b's candidates never reach a, only its end-of-candidates: a's check
    // list stays empty with everything complete. b's checks must still
    // get through and give a a peer-reflexive candidate to answer on.
    let mut w = World::lan(9, config(9, true), config(10, false));
    w.hold[1] = true;
    w.a().agent.end_of_remote_candidates();
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert!(!w.a().states.contains(&ConnectionState::Failed));
    let remotes = w.a().agent.remote_candidates();
    assert!(
        remotes
            .iter()
            .all(|c| c.kind == sanderling_ice::CandidateKind::PeerReflexive),
        "{remotes:?}"
    );
    assert_eq!(
        w.a().agent.selected_pair(),
        Some((addr("10.0.0.1:5000"), addr("10.0.0.2:5000")))
    );
}

#[test]
fn no_failure_without_end_of_candidates() {
    let mut w = World::lan(9, config(9, true), config(10, false));
    w.trickle = false;
    w.run_for(Duration::from_secs(60));
    // No candidates were exchanged and none announced finished: still
    // checking (waiting for trickled candidates), not failed.
    assert_eq!(w.a().state(), ConnectionState::Checking);
    // Then they come: it connects.
    w.trickle = true;
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
}
