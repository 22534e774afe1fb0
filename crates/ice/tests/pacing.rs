//! Pacing (Ta), pair ordering, IPv4 and IPv6, bounds on pairs.

mod common;

use std::time::Duration;

use common::{Place, World, addr, config};
use sanderling_ice::{ConnectionState, IceConfig, PairState};
use sanderling_netsim::LinkConfig;

#[test]
fn checks_are_paced_by_ta_and_the_first_goes_at_once() {
    let mut w = World::new(71);
    let a_addrs = ["10.0.0.1:5000", "10.0.1.1:5000", "10.0.2.1:5000"];
    let b_addrs = ["10.0.0.2:5000", "10.0.1.2:5000", "10.0.2.2:5000"];
    w.a = w.add_node(Place::Public, &a_addrs, config(71, true));
    w.b = w.add_node(Place::Public, &b_addrs, config(72, false));
    let (a, b) = (w.a, w.b);
    // A slow path so that many checks are in flight before answers come.
    w.sim
        .network_mut()
        .set_path(a, b, LinkConfig::with_delay(Duration::from_millis(400)));
    w.exchange_credentials();
    let ok = w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    });
    assert!(ok);
    let sent = w.a().new_requests.clone();
    assert!(sent.len() >= 5, "{sent:?}");
    // The first check goes out as soon as there is a pair (candidates are
    // signalled within the first 10 ms slice), the rest at least Ta apart.
    assert!(sent[0] <= Duration::from_millis(10), "{sent:?}");
    for pair in sent.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(50), "{sent:?}");
    }
    // 9 pairs, all checked by someone; the selected one is the best.
    let pairs = w.a().agent.pairs();
    let best = pairs.iter().max_by_key(|p| p.priority).unwrap();
    assert!(best.selected && best.nominated, "{pairs:#?}");
}

#[test]
fn a_custom_ta_is_honoured() {
    let cfg = |seed, controlling| IceConfig {
        check_interval: Duration::from_millis(20),
        ..config(seed, controlling)
    };
    let mut w = World::new(73);
    w.a = w.add_node(
        Place::Public,
        &["10.0.0.1:5000", "10.0.1.1:5000"],
        cfg(73, true),
    );
    w.b = w.add_node(
        Place::Public,
        &["10.0.0.2:5000", "10.0.1.2:5000"],
        cfg(74, false),
    );
    let (a, b) = (w.a, w.b);
    w.sim
        .network_mut()
        .set_path(a, b, LinkConfig::with_delay(Duration::from_millis(200)));
    w.exchange_credentials();
    assert!(w.run_until(Duration::from_secs(10), |w| {
        w.both(ConnectionState::Completed)
    }));
    let sent = w.a().new_requests.clone();
    let min_gap = sent.windows(2).map(|p| p[1] - p[0]).min().unwrap();
    assert!(
        min_gap >= Duration::from_millis(20) && min_gap < Duration::from_millis(50),
        "{sent:?}"
    );
}

#[test]
fn dual_stack_prefers_ipv6() {
    let mut w = World::new(75);
    w.a = w.add_node(
        Place::Public,
        &["10.0.0.1:5000", "[2001:db8::1]:5000"],
        config(75, true),
    );
    w.b = w.add_node(
        Place::Public,
        &["10.0.0.2:5000", "[2001:db8::2]:5000"],
        config(76, false),
    );
    w.exchange_credentials();
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
    assert_eq!(
        w.a().agent.selected_pair(),
        Some((addr("[2001:db8::1]:5000"), addr("[2001:db8::2]:5000")))
    );
    // Pairs are formed within an address family only.
    for p in w.a().agent.pairs() {
        assert_eq!(p.local.is_ipv4(), p.remote.is_ipv4());
    }
}

#[test]
fn ipv6_only() {
    let mut w = World::new(77);
    w.a = w.add_node(Place::Public, &["[2001:db8::1]:5000"], config(77, true));
    w.b = w.add_node(Place::Public, &["[2001:db8::2]:5000"], config(78, false));
    w.exchange_credentials();
    assert!(w.run_until(Duration::from_secs(2), |w| {
        w.both(ConnectionState::Completed)
    }));
}

#[test]
fn pairs_are_bounded_best_first() {
    let cfg = |seed, controlling| IceConfig {
        max_pairs: 10,
        ..config(seed, controlling)
    };
    let mut w = World::new(79);
    let a_addrs: Vec<String> = (1..=6).map(|i| format!("10.0.{i}.1:5000")).collect();
    let b_addrs: Vec<String> = (1..=6).map(|i| format!("10.0.{i}.2:5000")).collect();
    let a_refs: Vec<&str> = a_addrs.iter().map(String::as_str).collect();
    let b_refs: Vec<&str> = b_addrs.iter().map(String::as_str).collect();
    w.a = w.add_node(Place::Public, &a_refs, cfg(79, true));
    w.b = w.add_node(Place::Public, &b_refs, cfg(80, false));
    w.exchange_credentials();
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.both(ConnectionState::Completed)
    }));
    // 36 possible pairs, at most 10 kept at any time.
    assert!(w.a().agent.pairs().len() <= 10);
    let best = w.a().agent.selected_pair_info().unwrap();
    assert_eq!(best.state, PairState::Succeeded);
    assert_eq!(best.local, addr("10.0.1.1:5000"));
}
