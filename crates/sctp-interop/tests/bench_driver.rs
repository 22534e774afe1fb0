//! The benchmark driver on a virtual clock: every implementation pair moves
//! every message, in order, whatever the message size. (Speed is measured by
//! the `sctp_bench` example, never here.)

use std::time::Duration;

use sanderling_sctp_interop::PeerConfig;
use sanderling_sctp_interop::bench::{self, Clock, Workload};

fn workload(message_size: usize, max_messages: u64, max_queued: usize) -> Workload {
    Workload {
        message_size,
        max_messages,
        time_budget: Duration::from_secs(3600),
        max_queued,
        stream: 1,
    }
}

fn every_pair(w: &Workload) {
    let config = PeerConfig::default();
    for sender in bench::implementations() {
        for receiver in bench::implementations() {
            let mut a = (sender.make)(&config);
            let mut b = (receiver.make)(&config);
            let outcome = bench::run(a.as_mut(), b.as_mut(), w, Clock::Virtual)
                .unwrap_or_else(|e| panic!("{} -> {}: {e}", sender.name, receiver.name));
            assert_eq!(
                outcome.messages, w.max_messages,
                "{} -> {}",
                sender.name, receiver.name
            );
            assert_eq!(outcome.bytes, w.max_messages * w.message_size as u64);
            assert!(outcome.packets > 0);
        }
    }
}

#[test]
fn bulk_messages_all_delivered() {
    // 2 MiB of 64 KiB messages with at most 256 KiB queued: the queue bound
    // is hit and refilled many times.
    every_pair(&workload(64 * 1024, 32, 256 * 1024));
}

#[test]
fn small_messages_all_delivered() {
    every_pair(&workload(100, 5000, 64 * 1024));
}

#[test]
fn implementations_have_unique_names() {
    let names: Vec<&str> = bench::implementations().iter().map(|i| i.name).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(names.len(), unique.len());
    assert!(names.contains(&"dcsctp") && names.contains(&"sctp-proto"));
}
