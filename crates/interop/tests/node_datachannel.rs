//! node-datachannel (libdatachannel, from the peers' node_modules) on
//! 127.0.0.1, both roles.

use sanderling::Configuration;
use sanderling_interop::link::Link;
use sanderling_interop::paths;
use sanderling_interop::suite::{self, PeerSpec, Role};
use tokio::process::Command;

fn spec() -> PeerSpec {
    let node = paths::node();
    let script = paths::peers_dir().join("ndc_peer.mjs");
    PeerSpec {
        name: "node-datachannel",
        config: Configuration {
            include_loopback: true,
            interfaces: vec!["127.0.0.1".into()],
            ipv6: false,
            ..Configuration::default()
        },
        spawn: Box::new(move || {
            let mut c = Command::new(&node);
            c.arg(&script);
            Link::spawn("node-datachannel", c)
        }),
        trickles: true,
        offers: (false, true),
        defects: |_, _| None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn node_datachannel_with_sanderling_offering() {
    let cells = suite::run(&spec(), Role::Offerer).await;
    suite::record_and_check("node-datachannel", Role::Offerer, &cells);
}

#[tokio::test(flavor = "multi_thread")]
async fn node_datachannel_with_sanderling_answering() {
    let cells = suite::run(&spec(), Role::Answerer).await;
    suite::record_and_check("node-datachannel", Role::Answerer, &cells);
}
