//! Chromium (Debian's, headless, through playwright-core) in both roles.
//!
//! Chromium never offers a 127.0.0.1 candidate, so each test runs itself
//! again inside a private network namespace (`unshare -n`) with one veth
//! address, 198.18.0.1 (RFC 2544's benchmarking range), and a default
//! route so Chromium uses it. Both peers live in the namespace, which has
//! no uplink: nothing leaves the machine.

use std::process::Command as StdCommand;

use sanderling::Configuration;
use sanderling_interop::link::Link;
use sanderling_interop::paths;
use sanderling_interop::suite::{self, PeerSpec, Role};
use tokio::process::Command;

const INSIDE: &str = "SANDERLING_INTEROP_NETNS";
const ADDRESS: &str = "198.18.0.1";
/// Chromium offers I-DATA only under its field trial, and SNAP
/// (a=sctp-init) only under another. The suite runs with both, and again
/// without SNAP's: then Chromium ignores our a=sctp-init, as every peer
/// that does not know SNAP should, and the SCTP handshake runs.
const FIELD_TRIALS: &str =
    "--force-fieldtrials=WebRTC-DataChannelMessageInterleaving/Enabled/WebRTC-Sctp-Snap/Enabled/";
const FIELD_TRIALS_NO_SNAP: &str =
    "--force-fieldtrials=WebRTC-DataChannelMessageInterleaving/Enabled/";

/// The results' name of a run: `chromium`, or `chromium-nosnap` without
/// the SNAP trial.
fn name(snap: bool) -> &'static str {
    if snap { "chromium" } else { "chromium-nosnap" }
}

fn spec(snap: bool) -> PeerSpec {
    let node = paths::node();
    let chromium = paths::chromium();
    let script = paths::peers_dir().join("chromium_peer.mjs");
    PeerSpec {
        name: name(snap),
        config: Configuration {
            interfaces: vec![ADDRESS.into()],
            ipv6: false,
            ..Configuration::default()
        },
        spawn: Box::new(move || {
            let mut c = Command::new(&node);
            // With SNAP, Chromium's descriptions carry its SCTP INIT
            // (a=sctp-init), which shows what it announces, and SCTP opens
            // from the two INITs with no handshake; the suite's
            // sctp_features case checks which happened.
            let trials = if snap {
                FIELD_TRIALS
            } else {
                FIELD_TRIALS_NO_SNAP
            };
            c.arg(&script)
                .env("SANDERLING_CHROMIUM", &chromium)
                .env("SANDERLING_CHROMIUM_ARGS", trials);
            Link::spawn("chromium", c)
        }),
        trickles: true,
        // I-DATA behind its field trial (below); no zero checksum: the INIT
        // Chromium 156 puts in a=sctp-init has no Zero Checksum Acceptable.
        offers: (true, false),
        defects: |_, _| None,
    }
}

/// Runs `test` of this binary again inside a new network namespace, or
/// returns false when already inside (then the caller runs the suite).
fn reexec_in_netns(test: &str, role: Role, snap: bool) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return false;
    }
    let exe = std::env::current_exe().expect("test binary");
    let started = std::time::SystemTime::now();
    let setup = format!(
        "set -e; ip link set lo up; \
         ip link add interop0 type veth peer name interop1; \
         ip addr add {ADDRESS}/24 dev interop0; \
         ip link set interop0 up; ip link set interop1 up; \
         ip route add default via 198.18.0.2 dev interop0; \
         exec \"$0\" \"$@\""
    );
    let status = StdCommand::new("unshare")
        .args(["-n", "sh", "-c", &setup])
        .arg(&exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run unshare (util-linux; needs root or user namespaces): {e}")
        });
    assert!(
        status.success(),
        "{test} inside its network namespace failed: {status}"
    );
    // A run that found no test would succeed too: insist on its results.
    let results = paths::results_dir().join(format!("{}-{}.jsonl", name(snap), role.name()));
    let written = std::fs::metadata(&results).and_then(|m| m.modified());
    assert!(
        written.is_ok_and(|t| t >= started),
        "{test} ran in its namespace but wrote no fresh {}",
        results.display()
    );
    true
}

#[test]
fn chromium_with_sanderling_offering() {
    run("chromium_with_sanderling_offering", Role::Offerer, true);
}

#[test]
fn chromium_with_sanderling_answering() {
    run("chromium_with_sanderling_answering", Role::Answerer, true);
}

#[test]
fn chromium_without_snap_with_sanderling_offering() {
    run(
        "chromium_without_snap_with_sanderling_offering",
        Role::Offerer,
        false,
    );
}

#[test]
fn chromium_without_snap_with_sanderling_answering() {
    run(
        "chromium_without_snap_with_sanderling_answering",
        Role::Answerer,
        false,
    );
}

/// The suite against Chromium in `role`, with or without its SNAP trial,
/// inside the network namespace of `test` (this test's own name, which
/// the re-run selects).
fn run(test: &str, role: Role, snap: bool) {
    if reexec_in_netns(test, role, snap) {
        return;
    }
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async {
        let cells = suite::run(&spec(snap), role).await;
        suite::record_and_check(name(snap), role, &cells);
    });
}
