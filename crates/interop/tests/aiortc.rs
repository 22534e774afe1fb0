//! aiortc 1.16 (Python, from the interop venv) on 127.0.0.1, both roles.

use sanderling_interop::paths;
use sanderling_interop::suite::{self, PeerSpec, Role};

fn spec() -> PeerSpec {
    PeerSpec {
        name: "aiortc",
        config: PeerSpec::loopback_config(),
        spawn: PeerSpec::script(
            "aiortc",
            paths::aiortc_python(),
            paths::peers_dir().join("aiortc_peer.py"),
        ),
        trickles: false,
        offers: (false, false),
        // aiortc opens the channels when it offers.
        defects: |scenario, role| match (scenario, role) {
            ("unicode", Role::Answerer) => Some(
                "aiortc 1.16 fills the DCEP OPEN's label and protocol lengths with their \
                 length in characters, not UTF-8 bytes, so its OPEN for a non-ASCII label is \
                 malformed and we drop it",
            ),
            _ => None,
        },
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn aiortc_with_sanderling_offering() {
    let cells = suite::run(&spec(), Role::Offerer).await;
    suite::record_and_check("aiortc", Role::Offerer, &cells);
}

#[tokio::test(flavor = "multi_thread")]
async fn aiortc_with_sanderling_answering() {
    let cells = suite::run(&spec(), Role::Answerer).await;
    suite::record_and_check("aiortc", Role::Answerer, &cells);
}
