//! node-datachannel (libdatachannel, from the peers' node_modules) on
//! 127.0.0.1, both roles.

use sanderling_interop::paths;
use sanderling_interop::suite::{self, PeerSpec, Role};

fn spec() -> PeerSpec {
    PeerSpec {
        name: "node-datachannel",
        config: PeerSpec::loopback_config(),
        spawn: PeerSpec::script(
            "node-datachannel",
            paths::node(),
            paths::peers_dir().join("ndc_peer.mjs"),
        ),
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
