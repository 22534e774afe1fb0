//! Client against the scripted [`FakeServer`] on a virtual clock, over
//! UDP, TCP (with arbitrary read splits) and TLS (rustls server side).

mod data;
mod fake_server;
mod flows;
mod fuzz;
mod timers;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rustls::ServerConnection;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use sanderling_stun::{Frame, Framer};

pub(crate) use fake_server::{FakeServer, PASSWORD, USER};

use super::{TlsSettings, TurnClient, TurnConfig, TurnEvent, TurnTransport};

/// The server's address in these tests.
pub(crate) fn server_addr() -> SocketAddr {
    "192.0.2.1:3478".parse().unwrap()
}

/// A peer on the far side of the relay.
pub(crate) fn peer(n: u16) -> SocketAddr {
    SocketAddr::from(([198, 51, 100, 77], 6000 + n))
}

/// How the test moves bytes between client and server.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    Udp,
    Tcp,
    Tls,
}

enum Wire {
    Datagram,
    Stream {
        framer: Framer,
    },
    Tls {
        conn: Box<ServerConnection>,
        framer: Framer,
    },
}

/// Client, server and virtual clock.
pub(crate) struct Pair {
    pub(crate) client: TurnClient,
    pub(crate) server: FakeServer,
    pub(crate) now: Instant,
    pub(crate) start: Instant,
    pub(crate) events: Vec<TurnEvent>,
    wire: Wire,
    /// Feed the client stream bytes in pieces of at most this many.
    pub(crate) split: usize,
    /// Server output not yet delivered (held while `hold` is set).
    pub(crate) held: VecDeque<Bytes>,
    pub(crate) hold: bool,
    /// Server stream output not yet flushed.
    held_stream: BytesMut,
    /// Everything delivered to the client, in order.
    pub(crate) log: Vec<Bytes>,
}

/// A self-signed certificate and its key for the TLS server.
fn tls_server() -> (Arc<rustls::ServerConfig>, CertificateDer<'static>) {
    let ck = rcgen::generate_simple_self_signed(vec!["turn.test".to_owned()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    (Arc::new(config), cert)
}

/// A default configuration for `mode` (TLS trusting a fresh certificate,
/// returned with the server's rustls config).
pub(crate) fn config(mode: Mode) -> (TurnConfig, Option<Arc<rustls::ServerConfig>>) {
    let (transport, server) = match mode {
        Mode::Udp => (TurnTransport::Udp, None),
        Mode::Tcp => (TurnTransport::Tcp, None),
        Mode::Tls => {
            let (server, cert) = tls_server();
            let name = ServerName::try_from("turn.test").unwrap();
            (
                TurnTransport::Tls(TlsSettings::trusting(cert, name).unwrap()),
                Some(server),
            )
        }
    };
    (
        TurnConfig::new(server_addr(), transport, USER, PASSWORD, [42; 32]),
        server,
    )
}

impl Pair {
    /// A pair over `mode` with the default configuration, adjusted by `f`.
    pub(crate) fn with(mode: Mode, f: impl FnOnce(&mut TurnConfig)) -> Self {
        let (mut cfg, tls) = config(mode);
        f(&mut cfg);
        let start = Instant::now();
        let wire = match (mode, tls) {
            (Mode::Udp, _) => Wire::Datagram,
            (Mode::Tcp, _) => Wire::Stream {
                framer: Framer::new(),
            },
            (Mode::Tls, Some(tls)) => Wire::Tls {
                conn: Box::new(ServerConnection::new(tls).unwrap()),
                framer: Framer::new(),
            },
            (Mode::Tls, None) => unreachable!(),
        };
        Self {
            client: TurnClient::new(start, cfg).unwrap(),
            server: FakeServer::new(mode != Mode::Udp),
            now: start,
            start,
            events: Vec::new(),
            wire,
            split: usize::MAX,
            held: VecDeque::new(),
            hold: false,
            held_stream: BytesMut::new(),
            log: Vec::new(),
        }
    }

    /// A pair over `mode` with the default configuration.
    pub(crate) fn new(mode: Mode) -> Self {
        Self::with(mode, |_| {})
    }

    /// Virtual time since the start.
    pub(crate) fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    /// Moves messages both ways until neither side has anything to say.
    pub(crate) fn exchange(&mut self) {
        for _ in 0..1000 {
            self.drain_events();
            let mut moved = false;
            while let Some(out) = self.client.poll_transmit(self.now) {
                moved = true;
                for frame in self.client_to_server(out) {
                    for answer in self.server.handle(frame) {
                        self.server_to_client(answer);
                    }
                }
            }
            if let Some(bytes) = self.flush_server() {
                moved = true;
                if self.hold {
                    self.held.push_back(bytes);
                } else {
                    self.deliver(bytes);
                }
            }
            self.drain_events();
            if !moved {
                return;
            }
        }
        panic!("client and server never went quiet");
    }

    /// Client bytes → server messages.
    fn client_to_server(&mut self, out: Bytes) -> Vec<Bytes> {
        match &mut self.wire {
            Wire::Datagram => vec![out],
            Wire::Stream { framer } => {
                framer.push(&out).unwrap();
                frames(framer)
            }
            Wire::Tls { conn, framer } => {
                let mut rd = &out[..];
                while !rd.is_empty() {
                    // A client alert ends the server's side: nothing more.
                    if conn.read_tls(&mut rd).is_err() || conn.process_new_packets().is_err() {
                        return Vec::new();
                    }
                }
                let mut buf = vec![0; 70_000];
                loop {
                    match conn.reader().read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => framer.push(&buf[..n]).unwrap(),
                        Err(_) => break,
                    }
                }
                frames(framer)
            }
        }
    }

    /// Server answer → the wire (for streams, buffered until flushed).
    fn server_to_client(&mut self, answer: Bytes) {
        match &mut self.wire {
            Wire::Datagram => {
                if self.hold {
                    self.held.push_back(answer);
                } else {
                    self.deliver(answer);
                }
            }
            Wire::Stream { .. } => self.held_stream.extend_from_slice(&answer),
            Wire::Tls { conn, .. } => conn.writer().write_all(&answer).unwrap(),
        }
    }

    /// Bytes the stream side has for the client.
    fn flush_server(&mut self) -> Option<Bytes> {
        match &mut self.wire {
            Wire::Datagram => None,
            Wire::Stream { .. } => {
                (!self.held_stream.is_empty()).then(|| self.held_stream.split().freeze())
            }
            Wire::Tls { conn, .. } => {
                let mut out = Vec::new();
                while conn.wants_write() {
                    conn.write_tls(&mut out).unwrap();
                }
                (!out.is_empty()).then(|| Bytes::from(out))
            }
        }
    }

    /// Injects a server message (Data indication, ChannelData, anything).
    pub(crate) fn inject(&mut self, message: Bytes) {
        self.server_to_client(message);
        if let Some(bytes) = self.flush_server() {
            self.deliver(bytes);
        }
        self.exchange();
    }

    /// Hands bytes to the client, in pieces of `split` for streams.
    pub(crate) fn deliver(&mut self, bytes: Bytes) {
        self.log.push(bytes.clone());
        if matches!(self.wire, Wire::Datagram) {
            self.client.handle_input(self.now, bytes);
        } else {
            for piece in bytes.chunks(self.split.max(1)) {
                self.client
                    .handle_input(self.now, Bytes::copy_from_slice(piece));
            }
        }
        self.drain_events();
    }

    /// Delivers what was held back.
    pub(crate) fn release(&mut self) {
        while let Some(b) = self.held.pop_front() {
            self.deliver(b);
        }
        self.exchange();
    }

    /// Runs the clock to `until` (relative to the start), firing every timer
    /// on the way and exchanging after each; checks the timeout contract.
    pub(crate) fn run_until(&mut self, until: Duration) {
        let target = self.start + until;
        self.exchange();
        while let Some(t) = self.client.poll_timeout() {
            if t > target {
                break;
            }
            assert!(t >= self.now || t == self.now, "timeout in the past");
            self.now = self.now.max(t);
            self.client.handle_timeout(self.now);
            if let Some(next) = self.client.poll_timeout() {
                assert!(
                    next > self.now,
                    "timeout not after now after handle_timeout"
                );
            }
            self.exchange();
        }
        self.now = self.now.max(target);
    }

    /// Runs the clock `d` further.
    pub(crate) fn run_for(&mut self, d: Duration) {
        let until = self.elapsed() + d;
        self.run_until(until);
    }

    /// Takes the first event matching `f`.
    pub(crate) fn take(&mut self, f: impl Fn(&TurnEvent) -> bool) -> Option<TurnEvent> {
        let i = self.events.iter().position(f)?;
        Some(self.events.remove(i))
    }

    /// Allocates (401, then credentials) and checks the event.
    pub(crate) fn allocate(&mut self) {
        self.exchange();
        assert!(
            self.take(|e| matches!(e, TurnEvent::Allocated { .. }))
                .is_some(),
            "not allocated: {:?}",
            self.events
        );
    }

    /// Sends `data` to `peer` at the current time.
    pub(crate) fn send(&mut self, to: SocketAddr, data: &'static [u8]) {
        self.client
            .send_to(self.now, to, Bytes::from_static(data))
            .unwrap();
        self.exchange();
    }
}

fn frames(framer: &mut Framer) -> Vec<Bytes> {
    let mut out = Vec::new();
    while let Some(f) = framer.next_frame().unwrap() {
        out.push(match f {
            Frame::Stun(b) => b,
            Frame::ChannelData(cd) => cd.to_bytes(true),
        });
    }
    out
}
