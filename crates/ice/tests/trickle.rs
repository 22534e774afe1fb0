//! Trickle ICE (RFC 8838): candidates before or after the credentials,
//! after the checks started, one side's candidates late.

mod common;

use std::time::Duration;

use common::{Place, World, addr, config};
use sanderling_ice::{CandidateKind, ConnectionState};
use sanderling_netsim::LinkConfig;

#[test]
fn candidates_before_the_credentials() {
    let mut w = World::new(11);
    w.a = w.add_node(Place::Public, &["10.0.0.1:5000"], config(11, true));
    w.b = w.add_node(Place::Public, &["10.0.0.2:5000"], config(12, false));
    // Candidates (and end-of-candidates) flow, credentials not yet.
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.a().agent.remote_candidates().len(), 1);
    assert_eq!(w.a().state(), ConnectionState::Checking);
    assert_eq!(
        w.a().agent.stats().checks_sent,
        0,
        "no checks without credentials"
    );
    w.exchange_credentials();
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
}

#[test]
fn one_side_trickles_late_after_the_answer() {
    // b's candidates reach a only after a second: b's checks arrive first,
    // a learns b as peer-reflexive, answers, and its triggered check
    // connects before the candidate itself is signalled.
    let mut w = World::lan(13, config(13, true), config(14, false));
    let (a, b) = (w.a, w.b);
    w.sim
        .network_mut()
        .set_path(a, b, LinkConfig::with_delay(Duration::from_millis(30)));
    w.hold[1] = true;
    assert!(w.run_until(Duration::from_secs(1), |w| {
        w.both(ConnectionState::Completed)
    }));
    let remotes = w.a().agent.remote_candidates();
    assert_eq!(remotes.len(), 1);
    assert_eq!(remotes[0].kind, CandidateKind::PeerReflexive);
    assert_eq!(
        w.a().agent.selected_pair(),
        Some((addr("10.0.0.1:5000"), addr("10.0.0.2:5000")))
    );
    // The signalled candidate then replaces the peer-reflexive one.
    w.hold[1] = false;
    w.run_for(Duration::from_millis(100));
    let remotes = w.a().agent.remote_candidates();
    assert_eq!(remotes.len(), 1);
    assert_eq!(remotes[0].kind, CandidateKind::Host);
    assert!(w.connected());
}

#[test]
fn candidates_trickled_after_the_checks_started() {
    // a also reports an address nothing can reach (the network does not
    // know it). b first learns only that one: its checks go nowhere. The
    // working candidate is trickled seconds after the checks started, and
    // b's new pair connects (a never learns b's candidates: it answers and
    // connects through the peer-reflexive address).
    let mut w = World::lan(15, config(15, true), config(16, false));
    w.hold = [true, true];
    let dead = addr("10.5.0.1:5000");
    w.a().agent.add_local_address("eth1", dead).unwrap();
    w.run_for(Duration::from_millis(50));
    let cands = w.a().agent.local_candidates();
    let pick = |a| {
        cands
            .iter()
            .find(|c| c.address.socket_addr() == Some(a))
            .unwrap()
            .clone()
    };
    w.b().agent.add_remote_candidate(pick(dead)).unwrap();
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.b().state(), ConnectionState::Checking);
    assert!(w.b().agent.stats().checks_sent > 0);
    assert!(w.b().agent.stats().retransmissions > 0);
    w.b()
        .agent
        .add_remote_candidate(pick(addr("10.0.0.1:5000")))
        .unwrap();
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert_eq!(
        w.b().agent.selected_pair(),
        Some((addr("10.0.0.2:5000"), addr("10.0.0.1:5000")))
    );
}

#[test]
fn end_of_candidates_from_both_sides_reaches_completed() {
    let mut w = World::lan(17, config(17, true), config(18, false));
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    // A candidate trickled after completion is kept but does not reopen
    // the checks.
    let extra = "candidate:9 1 udp 100 10.9.9.9 9 typ host".parse().unwrap();
    w.a().agent.add_remote_candidate(extra).unwrap();
    w.run_for(Duration::from_secs(1));
    assert!(w.both(ConnectionState::Completed) || w.connected());
}
