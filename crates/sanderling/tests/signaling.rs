//! aiortc-format signalling between two of our peers, in one process, over
//! a TCP and a Unix socket: the `datachannel_cli` example's ping/pong, both
//! roles.

use std::net::SocketAddr;
use std::time::Duration;

use sanderling::Configuration;
use sanderling::signaling::{TcpSignaling, UnixSignaling};

#[allow(dead_code)]
#[path = "../examples/datachannel_cli.rs"]
mod cli;

use cli::{Role, Signaling};

fn loopback() -> Configuration {
    Configuration {
        include_loopback: true,
        interfaces: vec!["127.0.0.1".into()],
        ..Configuration::default()
    }
}

async fn ping_pong(offer_sig: Signaling, answer_sig: Signaling) {
    let interval = Duration::from_millis(20);
    // The answerer starts first: it connects, and keeps trying until the
    // offerer (which sends first) listens.
    let answerer = tokio::spawn(cli::run(
        Role::Answer,
        answer_sig,
        loopback(),
        0,
        interval,
        false,
    ));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let offerer = tokio::spawn(cli::run(
        Role::Offer,
        offer_sig,
        loopback(),
        5,
        interval,
        false,
    ));
    let limit = Duration::from_secs(30);
    let offered = tokio::time::timeout(limit, offerer)
        .await
        .expect("the offerer finishes")
        .unwrap()
        .expect("offerer ok");
    let answered = tokio::time::timeout(limit, answerer)
        .await
        .expect("the answerer finishes on bye")
        .unwrap()
        .expect("answerer ok");
    assert_eq!(offered.rtts.len(), 5);
    assert!(answered.pongs >= 5);
    assert_eq!(answered.label.as_deref(), Some("chat"));
}

#[tokio::test(flavor = "multi_thread")]
async fn ping_pong_over_tcp_signalling() {
    // A port free a moment ago; the offerer binds it again to listen.
    let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    ping_pong(
        Signaling::Tcp(TcpSignaling::new(addr)),
        Signaling::Tcp(TcpSignaling::new(addr)),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ping_pong_over_unix_signalling() {
    let path = std::env::temp_dir().join(format!("sanderling-sig-{}.socket", std::process::id()));
    ping_pong(
        Signaling::Unix(UnixSignaling::new(&path)),
        Signaling::Unix(UnixSignaling::new(&path)),
    )
    .await;
    let _ = std::fs::remove_file(&path);
}
