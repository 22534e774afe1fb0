//! The TURN client against a real coturn (Debian's `coturn` package).
//!
//! Each test starts `turnserver` on 127.0.0.1 with random free ports, a test
//! user, a self-signed certificate made here (rcgen) for its TLS listener
//! and `--allow-loopback-peers` (coturn refuses to relay to loopback peers
//! otherwise), drives the sans-IO client over real std sockets, relays data
//! to a plain UDP socket on 127.0.0.1 and back, refreshes and deallocates,
//! and kills the server on drop.
//!
//! Set `SANDERLING_COTURN_LOG=1` to see the server's log of a passing test.
//!
//! coturn must be installed (`apt-get update && apt-get install -y coturn`);
//! without it these tests fail, saying so. `scripts/test` installs it.
#![allow(missing_docs)]

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::SystemTime;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_ice::turn::rustls::pki_types::{CertificateDer, ServerName};
use sanderling_ice::turn::{
    TlsSettings, TurnClient, TurnConfig, TurnError, TurnEvent, TurnState, TurnTransport,
};

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const USER: &str = "test";
const PASSWORD: &str = "secret";
const REALM: &str = "sanderling";

/// Where `turnserver` is, or a failure that says how to install it.
fn turnserver_binary() -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")]);
    for dir in candidates {
        let path = dir.join("turnserver");
        if path.is_file() {
            return path;
        }
    }
    panic!(
        "coturn is not installed: `turnserver` was not found in PATH or /usr/bin. \
         Install it with `apt-get update && apt-get install -y coturn` \
         (scripts/test does this); these tests never skip."
    );
}

/// A port free for both UDP and TCP on 127.0.0.1 (coturn listens on both).
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

/// A running coturn, killed on drop.
struct Coturn {
    child: Child,
    dir: PathBuf,
    port: u16,
    tls_port: u16,
    cert: CertificateDer<'static>,
}

impl Coturn {
    fn start() -> Self {
        let binary = turnserver_binary();
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("sanderling-coturn-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let certified = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .expect("certificate");
        let cert_path = dir.join("cert.pem");
        let key_path = dir.join("key.pem");
        std::fs::write(&cert_path, certified.cert.pem()).unwrap();
        std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
        let port = free_port();
        let mut tls_port = free_port();
        while tls_port == port {
            tls_port = free_port();
        }
        let log = std::fs::File::create(dir.join("turnserver.log")).unwrap();
        let child = Command::new(&binary)
            .args(["-n", "--no-cli", "--log-file", "stdout", "--verbose"])
            .args(["--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1"])
            .args(["--listening-port", &port.to_string()])
            .args(["--tls-listening-port", &tls_port.to_string()])
            .args(["--lt-cred-mech", "--user", &format!("{USER}:{PASSWORD}")])
            .args(["--realm", REALM, "--allow-loopback-peers", "--no-dtls"])
            .arg("--cert")
            .arg(&cert_path)
            .arg("--pkey")
            .arg(&key_path)
            .arg("--userdb")
            .arg(dir.join("turndb"))
            .arg("--pidfile")
            .arg(dir.join("turnserver.pid"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = Self {
            child,
            dir,
            port,
            tls_port,
            cert: certified.cert.der().clone(),
        };
        server.wait_ready();
        server
    }

    /// Waits until both TCP listeners accept connections.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        for port in [self.port, self.tls_port] {
            loop {
                if let Ok(Some(status)) = self.child.try_wait() {
                    panic!("turnserver exited with {status}:\n{}", self.log());
                }
                if TcpStream::connect_timeout(
                    &SocketAddr::new(LOCALHOST, port),
                    Duration::from_millis(200),
                )
                .is_ok()
                {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "turnserver not listening on {port} after 15 s:\n{}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("turnserver.log")).unwrap_or_default()
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::new(LOCALHOST, self.port)
    }

    fn tls_addr(&self) -> SocketAddr {
        SocketAddr::new(LOCALHOST, self.tls_port)
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() || std::env::var_os("SANDERLING_COTURN_LOG").is_some() {
            eprintln!("--- turnserver log ---\n{}", self.log());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The socket to the server.
enum Io {
    Udp(UdpSocket),
    Tcp(TcpStream),
}

/// Drives a client over real sockets. `now` is the real clock plus a skew
/// the test adds to jump to refresh times without waiting minutes (the
/// client only compares instants; coturn sees the requests at once).
struct Driver {
    client: TurnClient,
    io: Io,
    skew: Duration,
    events: Vec<TurnEvent>,
    local: SocketAddr,
}

impl Driver {
    fn connect(server: &Coturn, kind: &str, password: &str) -> Self {
        let (addr, transport) = match kind {
            "udp" => (server.addr(), TurnTransport::Udp),
            "tcp" => (server.addr(), TurnTransport::Tcp),
            "tls" => (
                server.tls_addr(),
                TurnTransport::Tls(
                    TlsSettings::trusting(
                        server.cert.clone(),
                        ServerName::IpAddress(LOCALHOST.into()),
                    )
                    .expect("tls settings"),
                ),
            ),
            _ => unreachable!(),
        };
        let io = match transport {
            TurnTransport::Udp => {
                let s = UdpSocket::bind((LOCALHOST, 0)).unwrap();
                s.connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
                Io::Udp(s)
            }
            _ => {
                let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
                s.set_nodelay(true).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
                Io::Tcp(s)
            }
        };
        let local = match &io {
            Io::Udp(s) => s.local_addr().unwrap(),
            Io::Tcp(s) => s.local_addr().unwrap(),
        };
        let mut config = TurnConfig::new(addr, transport, USER, password, [7; 32]);
        config.auto_bind_channels = false;
        config.software = Some("sanderling test".into());
        let client = TurnClient::new(Instant::now(), config).expect("client");
        Self {
            client,
            io,
            skew: Duration::ZERO,
            events: Vec::new(),
            local,
        }
    }

    fn now(&self) -> Instant {
        Instant::now() + self.skew
    }

    /// Writes what the client has; a broken connection is reported to it.
    fn flush(&mut self, now: Instant) {
        while let Some(out) = self.client.poll_transmit(now) {
            let written = match &mut self.io {
                Io::Udp(s) => s.send(&out).map(drop),
                Io::Tcp(s) => s.write_all(&out),
            };
            if written.is_err() {
                self.client.handle_stream_closed(now);
            }
        }
    }

    /// Writes what the client has, reads once (20 ms timeout), runs timers
    /// and collects events.
    fn pump(&mut self) {
        let now = self.now();
        self.flush(now);
        let mut buf = vec![0u8; 65_536];
        let read = match &mut self.io {
            Io::Udp(s) => s.recv(&mut buf),
            Io::Tcp(s) => s.read(&mut buf),
        };
        let now = self.now();
        match read {
            Ok(0) if matches!(self.io, Io::Tcp(_)) => self.client.handle_stream_closed(now),
            Ok(n) => self
                .client
                .handle_input(now, Bytes::copy_from_slice(&buf[..n])),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) if matches!(self.io, Io::Tcp(_)) => self.client.handle_stream_closed(now),
            Err(e) => panic!("socket error: {e}"),
        }
        if self.client.poll_timeout().is_some_and(|t| t <= now) {
            self.client.handle_timeout(now);
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
        let now = self.now();
        self.flush(now);
    }

    /// Pumps until an event matching `want` arrives (taking it) or 10 s of
    /// real time pass.
    fn wait_for(&mut self, what: &str, want: impl Fn(&TurnEvent) -> bool) -> TurnEvent {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(i) = self.events.iter().position(&want) {
                return self.events.remove(i);
            }
            if let Some(failed) = self
                .events
                .iter()
                .find(|e| matches!(e, TurnEvent::Failed(_)))
            {
                panic!("waiting for {what}: client failed: {failed:?}");
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within 10 s; events: {:?}",
                self.events
            );
            self.pump();
        }
    }

    /// Pumps until the peer socket receives a datagram (or 10 s pass).
    fn peer_recv(&mut self, peer: &UdpSocket) -> (Vec<u8>, SocketAddr) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 2048];
        loop {
            self.pump();
            match peer.recv_from(&mut buf) {
                Ok((n, from)) => return (buf[..n].to_vec(), from),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => panic!("peer socket: {e}"),
            }
            assert!(Instant::now() < deadline, "peer received nothing in 10 s");
        }
    }
}

fn peer_socket() -> UdpSocket {
    let s = UdpSocket::bind((LOCALHOST, 0)).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    s
}

fn data_from(peer: SocketAddr, payload: &'static [u8]) -> impl Fn(&TurnEvent) -> bool {
    move |e| matches!(e, TurnEvent::Data { peer: p, data } if *p == peer && &data[..] == payload)
}

/// The whole life of an allocation over `kind`.
fn relay_round_trip(kind: &str) {
    let server = Coturn::start();
    let mut d = Driver::connect(&server, kind, PASSWORD);

    // Allocate: 401 first, then with credentials.
    let TurnEvent::Allocated {
        relayed,
        mapped,
        lifetime,
    } = d.wait_for("Allocated", |e| matches!(e, TurnEvent::Allocated { .. }))
    else {
        unreachable!()
    };
    assert_eq!(relayed.ip(), LOCALHOST, "relayed address on --relay-ip");
    assert_eq!(
        mapped,
        Some(d.local),
        "server-reflexive = our socket's address"
    );
    assert!(lifetime > Duration::from_secs(60), "lifetime {lifetime:?}");
    assert_eq!(d.client.relayed_address(), Some(relayed));
    assert_eq!(d.client.mapped_address(), Some(d.local));
    assert!(
        d.client.stats().requests_sent >= 2,
        "Allocate without and with credentials"
    );

    // Permission + Send indication to a plain UDP peer, and back in a
    // Data indication.
    let peer = peer_socket();
    let peer_addr = peer.local_addr().unwrap();
    let now = d.now();
    d.client
        .send_to(
            now,
            peer_addr,
            Bytes::from_static(b"hello via send indication"),
        )
        .unwrap();
    d.wait_for("PermissionCreated", |e| {
        *e == TurnEvent::PermissionCreated(peer_addr.ip())
    });
    let (got, from) = d.peer_recv(&peer);
    assert_eq!(got, b"hello via send indication");
    assert_eq!(from, relayed, "the peer sees the relayed address");
    assert!(d.client.stats().send_indications_sent >= 1);
    peer.send_to(b"hello back in a data indication", relayed)
        .unwrap();
    d.wait_for(
        "Data indication",
        data_from(peer_addr, b"hello back in a data indication"),
    );
    assert!(d.client.stats().data_indications_received >= 1);

    // Channel bind, then ChannelData both ways.
    let now = d.now();
    let channel = d.client.bind_channel(now, peer_addr).unwrap();
    assert!((0x4000..=0x4FFF).contains(&channel));
    d.wait_for("ChannelBound", |e| {
        *e == TurnEvent::ChannelBound {
            peer: peer_addr,
            channel,
        }
    });
    let sent_before = d.client.stats().channel_data_sent;
    let now = d.now();
    d.client
        .send_to(
            now,
            peer_addr,
            Bytes::from_static(b"odd-sized channel data"),
        )
        .unwrap();
    assert_eq!(d.client.stats().channel_data_sent, sent_before + 1);
    let (got, from) = d.peer_recv(&peer);
    assert_eq!(got, b"odd-sized channel data");
    assert_eq!(from, relayed);
    peer.send_to(b"back on the channel", relayed).unwrap();
    d.wait_for("ChannelData", data_from(peer_addr, b"back on the channel"));
    assert!(d.client.stats().channel_data_received >= 1);

    // Refresh: jump the client's clock from timer to timer (permission
    // refresh at 4 min, allocation and channel at lifetime − 60 s), keeping
    // the peer in use, until the allocation is refreshed.
    let refreshed = loop {
        let next = d.client.poll_timeout().expect("a timer is armed");
        let now = d.now();
        if next > now {
            d.skew += next - now;
        }
        let now = d.now();
        d.client
            .send_to(now, peer_addr, Bytes::from_static(b"keepalive"))
            .unwrap();
        // Loopback answers within a pump; keepalive steps come every 15 s.
        for _ in 0..3 {
            d.pump();
        }
        while d.peer_recv_nonblocking(&peer) {}
        if let Some(i) = d
            .events
            .iter()
            .position(|e| matches!(e, TurnEvent::Refreshed { .. }))
        {
            break d.events.remove(i);
        }
        assert!(
            d.skew < Duration::from_secs(3600),
            "no refresh after an hour"
        );
    };
    assert!(matches!(refreshed, TurnEvent::Refreshed { lifetime } if lifetime > Duration::ZERO));
    assert_eq!(d.client.state(), TurnState::Allocated);

    // Still relaying after the refresh.
    peer.send_to(b"after refresh", relayed).unwrap();
    d.wait_for("data after refresh", data_from(peer_addr, b"after refresh"));

    // Deallocate.
    let now = d.now();
    d.client.close(now);
    d.wait_for("Closed", |e| *e == TurnEvent::Closed);
    assert_eq!(d.client.state(), TurnState::Closed);
    let retransmissions = d.client.stats().retransmissions;
    assert_eq!(
        retransmissions, 0,
        "nothing lost on loopback, nothing retransmitted"
    );
    // The relayed port is gone (coturn frees it on its next timer tick,
    // within a second or two): a connected peer socket gets ICMP port
    // unreachable.
    let probe = peer_socket();
    probe.connect(relayed).unwrap();
    let mut refused = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let _ = probe.send(b"anyone?");
        let mut buf = [0u8; 64];
        if let Err(e) = probe.recv(&mut buf)
            && e.kind() == ErrorKind::ConnectionRefused
        {
            refused = true;
            break;
        }
    }
    assert!(refused, "relayed port still open after the deallocation");
}

impl Driver {
    fn peer_recv_nonblocking(&mut self, peer: &UdpSocket) -> bool {
        let mut buf = [0u8; 2048];
        peer.recv_from(&mut buf).is_ok()
    }
}

#[test]
fn coturn_udp_allocate_relay_refresh_deallocate() {
    relay_round_trip("udp");
}

#[test]
fn coturn_tcp_allocate_relay_refresh_deallocate() {
    relay_round_trip("tcp");
}

#[test]
fn coturn_tls_allocate_relay_refresh_deallocate() {
    relay_round_trip("tls");
}

fn wrong_password(kind: &str) {
    let server = Coturn::start();
    let mut d = Driver::connect(&server, kind, "not-the-password");
    let failed = d.wait_for_failure();
    match &failed {
        TurnError::WrongCredentials {
            username, realm, ..
        } => {
            assert_eq!(username, USER);
            assert_eq!(realm, REALM);
        }
        other => panic!("expected WrongCredentials, got {other:?}"),
    }
    assert!(failed.to_string().contains("wrong username or password"));
    assert_eq!(d.client.state(), TurnState::Failed);
}

impl Driver {
    fn wait_for_failure(&mut self) -> TurnError {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(TurnEvent::Failed(e)) = self
                .events
                .iter()
                .find(|e| matches!(e, TurnEvent::Failed(_)))
            {
                return e.clone();
            }
            assert!(Instant::now() < deadline, "no failure: {:?}", self.events);
            self.pump();
        }
    }
}

#[test]
fn coturn_udp_wrong_password_is_a_clear_error() {
    wrong_password("udp");
}

#[test]
fn coturn_tls_wrong_password_is_a_clear_error() {
    wrong_password("tls");
}

#[test]
fn coturn_tls_rejects_an_untrusted_certificate() {
    let server = Coturn::start();
    // Trust a different self-signed certificate than the server's.
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let tls = TlsSettings::trusting(
        other.cert.der().clone(),
        ServerName::IpAddress(LOCALHOST.into()),
    )
    .unwrap();
    let stream = TcpStream::connect(server.tls_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();
    let local = stream.local_addr().unwrap();
    let config = TurnConfig::new(
        server.tls_addr(),
        TurnTransport::Tls(tls),
        USER,
        PASSWORD,
        [1; 32],
    );
    let mut d = Driver {
        client: TurnClient::new(Instant::now(), config).unwrap(),
        io: Io::Tcp(stream),
        skew: Duration::ZERO,
        events: Vec::new(),
        local,
    };
    let error = d.wait_for_failure();
    assert!(
        matches!(&error, TurnError::Tls(m) if m.contains("certificate") || m.contains("Certificate")),
        "{error:?}"
    );
}
