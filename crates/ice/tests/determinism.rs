//! Same seeds, same run: every event at the same instant.

mod common;

use std::time::Duration;

use common::{World, config};
use sanderling_ice::ConnectionState;
use sanderling_netsim::LinkConfig;

fn run(seed: u8) -> (Vec<String>, Vec<String>, String) {
    let mut w = World::lan(u64::from(seed), config(seed, true), config(seed + 1, true));
    let (a, b) = (w.a, w.b);
    let link = LinkConfig {
        delay: Duration::from_millis(15),
        jitter: Duration::from_millis(5),
        loss: 0.2,
        ..LinkConfig::default()
    };
    w.sim.network_mut().set_path(a, b, link);
    assert!(w.run_until(Duration::from_secs(30), |w| {
        w.both(ConnectionState::Completed)
    }));
    w.run_for(Duration::from_secs(30));
    let log = |w: &mut World, id| {
        w.node(id)
            .events
            .iter()
            .map(|(t, e)| format!("{t:?} {e:?}"))
            .collect::<Vec<_>>()
    };
    let (la, lb) = (log(&mut w, a), log(&mut w, b));
    let node = w.a();
    let creds = format!(
        "{:?} {:?}",
        node.agent.local_credentials(),
        node.agent.stats()
    );
    (la, lb, creds)
}

#[test]
fn same_seed_same_run() {
    assert_eq!(run(91), run(91));
    assert_ne!(run(91).2, run(93).2);
}
