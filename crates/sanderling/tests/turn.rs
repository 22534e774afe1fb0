//! Relayed candidates through a real TURN server (coturn on 127.0.0.1,
//! started by the test, like the ICE crate's TURN tests; it fails, never
//! skips, when coturn is missing: `apt-get install -y coturn`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sanderling::{
    Configuration, DataChannelInit, IceServer, IceTransportPolicy, Message, PeerConnection,
};

#[path = "../examples/common/mod.rs"]
mod common;

use common::{loopback, within};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const USER: &str = "test";
const PASSWORD: &str = "secret";

fn turnserver_binary() -> PathBuf {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|d| d.join("turnserver"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "coturn is not installed: `turnserver` not found. Install it with \
                 `apt-get update && apt-get install -y coturn` (scripts/test does this)."
            )
        })
}

fn free_port() -> u16 {
    for _ in 0..100 {
        let tcp = TcpListener::bind((LOCALHOST, 0)).expect("bind tcp");
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind((LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no free port");
}

/// A running coturn (UDP and TCP on one port, no TLS), killed on drop.
struct Coturn {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Coturn {
    fn start() -> Self {
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "sanderling-api-coturn-{}-{stamp}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("turnserver.log")).unwrap();
        let child = Command::new(turnserver_binary())
            .args(["-n", "--no-cli", "--log-file", "stdout", "--verbose"])
            .args(["--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1"])
            .args(["--listening-port", &port.to_string()])
            .args(["--lt-cred-mech", "--user", &format!("{USER}:{PASSWORD}")])
            .args(["--realm", "sanderling", "--allow-loopback-peers"])
            .args(["--no-tls", "--no-dtls"])
            .arg("--userdb")
            .arg(dir.join("turndb"))
            .arg("--pidfile")
            .arg(dir.join("turnserver.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start turnserver");
        let mut server = Self { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect_timeout(
            &SocketAddr::new(LOCALHOST, port),
            Duration::from_millis(200),
        )
        .is_err()
        {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("turnserver exited with {status}:\n{}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "turnserver not listening:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("turnserver.log")).unwrap_or_default()
    }

    fn url(&self) -> String {
        format!("turn:127.0.0.1:{}", self.port)
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- turnserver log ---\n{}", self.log());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn relay_only(turn: &Coturn) -> Configuration {
    Configuration {
        ice_servers: vec![IceServer::with_credentials(turn.url(), USER, PASSWORD)],
        ice_transport_policy: IceTransportPolicy::Relay,
        ..loopback()
    }
}

/// Both sides relay-only: the only candidates are relayed ones, and the
/// channel works through coturn.
#[tokio::test(flavor = "multi_thread")]
async fn relay_only_peers_connect_through_turn() {
    let turn = Coturn::start();
    let a = PeerConnection::new(relay_only(&turn)).unwrap();
    let b = PeerConnection::new(relay_only(&turn)).unwrap();
    let chat = a
        .create_data_channel("relayed", DataChannelInit::default())
        .unwrap();
    let (a, mut b) = common::connect(a, b).await;
    let remote = b.next_channel().await;
    within("open through the relay", chat.opened())
        .await
        .unwrap();
    chat.send("via turn").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("via turn".into()))
    );
    let big = sanderling::Bytes::from(vec![9u8; 200_000]);
    remote.send(big.clone()).unwrap();
    assert_eq!(
        within("a large message back", chat.recv()).await,
        Some(Message::Binary(big))
    );
    for side in [&a.pc, &b.pc] {
        let sdp = side.local_description().unwrap().sdp;
        assert!(sdp.contains("typ relay"), "{sdp}");
        assert!(!sdp.contains("typ host"), "relay only: {sdp}");
    }
    a.pc.close();
    within("the remote close", remote.closed()).await;
}

/// One side offers host candidates too; the relayed one is gathered and
/// signalled next to them, and the connection works.
#[tokio::test(flavor = "multi_thread")]
async fn a_relayed_candidate_joins_the_host_ones() {
    let turn = Coturn::start();
    let config = Configuration {
        ice_servers: vec![IceServer::with_credentials(turn.url(), USER, PASSWORD)],
        ..loopback()
    };
    let a = PeerConnection::new(config).unwrap();
    let b = PeerConnection::new(loopback()).unwrap();
    let chat = a
        .create_data_channel("mixed", DataChannelInit::default())
        .unwrap();
    let (a, mut b) = common::connect(a, b).await;
    let remote = b.next_channel().await;
    within("open", chat.opened()).await.unwrap();
    chat.send("hello").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("hello".into()))
    );
    within("gathering", async {
        while a.pc.ice_gathering_state() != sanderling::IceGatheringState::Complete {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let sdp = a.pc.local_description().unwrap().sdp;
    assert!(
        sdp.contains("typ relay") && sdp.contains("typ host"),
        "{sdp}"
    );
    drop(b);
}
