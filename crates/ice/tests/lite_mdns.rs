//! ICE-lite peers (RFC 8445 §2.5) and mDNS candidates (browsers' `.local`
//! names).

mod common;

use std::time::Duration;

use common::{World, addr, config};
use sanderling_ice::{ConnectionState, IceConfig};

fn lite(seed: u8) -> IceConfig {
    IceConfig {
        lite: true,
        ..config(seed, false)
    }
}

#[test]
fn full_agent_with_a_lite_peer() {
    // The full agent was configured controlled; learning that the peer is
    // lite makes it controlling.
    let mut w = World::lan(61, config(61, false), lite(62));
    w.a().agent.set_remote_ice_lite(true);
    assert!(w.a().agent.is_controlling());
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert_eq!(
        w.b().agent.selected_pair(),
        Some((addr("10.0.0.2:5000"), addr("10.0.0.1:5000")))
    );
    // The lite agent sent no check at all, only answers.
    assert_eq!(w.b().agent.stats().checks_sent, 0);
    // It stays up: the full agent's consent checks are answered.
    w.run_for(Duration::from_secs(60));
    assert!(w.both(ConnectionState::Completed));
    assert_eq!(w.b().agent.stats().checks_sent, 0);
}

#[test]
fn lite_agent_is_never_controlling() {
    let w = World::lan(
        63,
        config(63, true),
        IceConfig {
            controlling: true,
            ..lite(64)
        },
    );
    let mut w = w;
    assert!(!w.b().agent.is_controlling());
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
}

#[test]
fn mdns_candidate_resolved_connects() {
    let mut w = World::lan(65, config(65, true), config(66, false));
    w.mdns_a = true;
    // b only hears about a through the mDNS name; a hears nothing from b
    // (so only b's checks, to the resolved address, can connect them).
    w.hold[1] = true;
    w.run_for(Duration::from_millis(100));
    assert_eq!(w.b().mdns_asked, vec!["a-0.local".to_string()]);
    assert!(
        w.b().agent.remote_candidates().is_empty(),
        "held until resolved"
    );
    assert_eq!(w.b().state(), ConnectionState::Checking);
    let (name, ip) = w.mdns_names[0].clone();
    w.b().agent.resolve_mdns(&name, Some(ip));
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert_eq!(
        w.b().agent.selected_pair(),
        Some((addr("10.0.0.2:5000"), addr("10.0.0.1:5000")))
    );
}

#[test]
fn mdns_candidate_never_resolved_is_dropped() {
    // A PAC timer (RFC 8863) shorter than the mDNS timeout, so that the
    // lookup's expiry decides.
    let b = IceConfig {
        pac_timeout: Duration::from_secs(2),
        ..config(68, false)
    };
    let mut w = World::lan(67, config(67, true), b);
    w.mdns_a = true;
    w.hold[1] = true;
    assert!(w.run_until(Duration::from_secs(30), |w| w.b().state()
        == ConnectionState::Failed));
    // Dropped after the 10 s mDNS timeout; with a's end-of-candidates and
    // nothing else to try, b fails then.
    let t = w.sim.elapsed();
    assert!(
        t >= Duration::from_secs(10) && t < Duration::from_millis(10_200),
        "{t:?}"
    );
    assert_eq!(w.b().mdns_asked.len(), 1);
    assert!(w.b().agent.stats().candidates_ignored >= 1);
    assert!(w.b().agent.remote_candidates().is_empty());
}

#[test]
fn mdns_name_that_does_not_resolve_is_dropped_at_once() {
    let b = IceConfig {
        pac_timeout: Duration::from_millis(100),
        ..config(70, false)
    };
    let mut w = World::lan(69, config(69, true), b);
    w.mdns_a = true;
    w.hold[1] = true;
    w.run_for(Duration::from_millis(100));
    let (name, _) = w.mdns_names[0].clone();
    w.b().agent.resolve_mdns(&name, None);
    assert!(w.run_until(Duration::from_secs(1), |w| w.b().state()
        == ConnectionState::Failed));
}
