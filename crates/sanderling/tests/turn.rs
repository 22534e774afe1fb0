//! Relayed candidates through a real TURN server (coturn on 127.0.0.1,
//! started by the test, like the ICE crate's TURN tests; it fails, never
//! skips, when coturn is missing: `apt-get install -y coturn`), over UDP,
//! TCP and TLS (a self-signed certificate made here, trusted through
//! `Configuration::turn_tls_trust`), and the failures an application sees
//! as `icecandidateerror`: wrong credentials, an untrusted certificate, a
//! server that is not there.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sanderling::rustls::pki_types::CertificateDer;
use sanderling::{
    Configuration, DataChannelInit, IceCandidateError, IceGatheringState, IceServer,
    IceTransportPolicy, Message, PeerConnection, PeerConnectionEvent, TurnTlsTrust,
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

/// A running coturn (UDP and TCP on one port, TLS on another), killed on
/// drop.
struct Coturn {
    child: Child,
    dir: PathBuf,
    port: u16,
    tls_port: u16,
    cert: CertificateDer<'static>,
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
        let certified =
            rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
        std::fs::write(dir.join("cert.pem"), certified.cert.pem()).unwrap();
        std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem()).unwrap();
        let port = free_port();
        let mut tls_port = free_port();
        while tls_port == port {
            tls_port = free_port();
        }
        let log = std::fs::File::create(dir.join("turnserver.log")).unwrap();
        let child = Command::new(turnserver_binary())
            .args(["-n", "--no-cli", "--log-file", "stdout", "--verbose"])
            .args(["--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1"])
            .args(["--listening-port", &port.to_string()])
            .args(["--tls-listening-port", &tls_port.to_string()])
            .args(["--lt-cred-mech", "--user", &format!("{USER}:{PASSWORD}")])
            .args(["--realm", "sanderling", "--allow-loopback-peers"])
            .arg("--no-dtls")
            .arg("--cert")
            .arg(dir.join("cert.pem"))
            .arg("--pkey")
            .arg(dir.join("key.pem"))
            .arg("--userdb")
            .arg(dir.join("turndb"))
            .arg("--pidfile")
            .arg(dir.join("turnserver.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start turnserver");
        let mut server = Self {
            child,
            dir,
            port,
            tls_port,
            cert: certified.cert.der().clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while [port, tls_port].iter().any(|&p| {
            TcpStream::connect_timeout(&SocketAddr::new(LOCALHOST, p), Duration::from_millis(200))
                .is_err()
        }) {
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

    fn tcp_url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=tcp", self.port)
    }

    fn tls_url(&self) -> String {
        format!("turns:127.0.0.1:{}", self.tls_port)
    }

    /// Trusts this server's self-signed certificate.
    fn trust(&self) -> TurnTlsTrust {
        TurnTlsTrust::Certificates(vec![self.cert.clone()])
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

fn relay_only(url: String, trust: TurnTlsTrust) -> Configuration {
    Configuration {
        ice_servers: vec![IceServer::with_credentials(url, USER, PASSWORD)],
        ice_transport_policy: IceTransportPolicy::Relay,
        turn_tls_trust: trust,
        ..loopback()
    }
}

/// Both sides relay-only: the only candidates are relayed ones, and the
/// channel works through coturn.
#[tokio::test(flavor = "multi_thread")]
async fn relay_only_peers_connect_through_turn() {
    let turn = Coturn::start();
    relay_only_peers_connect(relay_only(turn.url(), TurnTlsTrust::System)).await;
}

/// The same with both allocations over TCP: every check, DTLS record and
/// SCTP packet travels in the TURN connections' byte streams.
#[tokio::test(flavor = "multi_thread")]
async fn relay_only_peers_connect_through_turn_over_tcp() {
    let turn = Coturn::start();
    relay_only_peers_connect(relay_only(turn.tcp_url(), TurnTlsTrust::System)).await;
}

/// The same over TLS (`turns:`), the server's self-signed certificate
/// trusted through the configuration.
#[tokio::test(flavor = "multi_thread")]
async fn relay_only_peers_connect_through_turn_over_tls() {
    let turn = Coturn::start();
    relay_only_peers_connect(relay_only(turn.tls_url(), turn.trust())).await;
}

/// Gathers on a relay-only connection and returns its error events once
/// gathering is complete, with the candidates it signalled.
async fn gather_errors(config: Configuration) -> (Vec<IceCandidateError>, Vec<String>) {
    let pc = PeerConnection::new(config).unwrap();
    let mut events = pc.events();
    let _chat = pc
        .create_data_channel("x", DataChannelInit::default())
        .unwrap();
    let offer = pc.create_offer().await.unwrap();
    pc.set_local_description(offer).await.unwrap();
    let mut errors = Vec::new();
    let mut candidates = Vec::new();
    within("gathering to complete", async {
        loop {
            match events.recv().await {
                Some(PeerConnectionEvent::IceCandidateError(e)) => errors.push(e),
                Some(PeerConnectionEvent::IceCandidate(Some(c))) => candidates.push(c.candidate),
                Some(PeerConnectionEvent::IceGatheringState(IceGatheringState::Complete)) => {
                    return;
                }
                Some(_) => {}
                None => panic!("events ended"),
            }
        }
    })
    .await;
    (errors, candidates)
}

/// Wrong credentials over TCP: an icecandidateerror with 401, and
/// gathering completes without a relayed candidate.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_credentials_are_an_ice_candidate_error() {
    let turn = Coturn::start();
    let config = Configuration {
        ice_servers: vec![IceServer::with_credentials(
            turn.tcp_url(),
            USER,
            "not the password",
        )],
        ..relay_only(String::new(), TurnTlsTrust::System)
    };
    let (errors, candidates) = gather_errors(config).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].error_code, 401, "{errors:?}");
    assert_eq!(errors[0].url, turn.tcp_url());
    assert!(
        errors[0].error_text.contains("wrong username or password"),
        "{errors:?}"
    );
    assert!(candidates.is_empty(), "{candidates:?}");
}

/// A `turns:` server whose certificate is not trusted, and a TCP server
/// that is not there: 701 each, saying why; gathering still completes.
#[tokio::test(flavor = "multi_thread")]
async fn unreachable_and_untrusted_servers_are_ice_candidate_errors() {
    let turn = Coturn::start();
    let nobody = TcpListener::bind((LOCALHOST, 0)).unwrap();
    let closed_port = nobody.local_addr().unwrap().port();
    drop(nobody);
    let untrusted = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let config = Configuration {
        ice_servers: vec![
            IceServer::with_credentials(turn.tls_url(), USER, PASSWORD),
            IceServer::with_credentials(
                format!("turn:127.0.0.1:{closed_port}?transport=tcp"),
                USER,
                PASSWORD,
            ),
        ],
        ..relay_only(
            String::new(),
            TurnTlsTrust::Certificates(vec![untrusted.cert.der().clone()]),
        )
    };
    let (mut errors, candidates) = gather_errors(config).await;
    errors.sort_by_key(|e| e.url.clone());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.error_code == 701), "{errors:?}");
    let tcp = &errors[0];
    assert!(tcp.url.ends_with("?transport=tcp"), "{errors:?}");
    assert!(tcp.error_text.contains("cannot connect"), "{errors:?}");
    let tls = &errors[1];
    assert_eq!(tls.url, turn.tls_url());
    assert!(tls.error_text.contains("TLS"), "{errors:?}");
    assert!(candidates.is_empty(), "{candidates:?}");
}

async fn relay_only_peers_connect(config: Configuration) {
    let a = PeerConnection::new(config.clone()).unwrap();
    let b = PeerConnection::new(config).unwrap();
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
