//! A pair of DTLS transports on the simulated network.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_dtls::{
    Certificate, DtlsConfig, DtlsError, DtlsEvent, DtlsRole, DtlsState, DtlsTransport,
    HashAlgorithm, VersionPolicy,
};
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NodeId, Sim, Transmit};

/// A transport as a netsim endpoint. It sends what is in `outbox` once
/// connected, and, if `keep_trying` is set, tries to send that after every
/// input and timeout whatever the state (to prove nothing leaks before
/// verification).
pub struct Node {
    pub transport: DtlsTransport,
    peer: SocketAddr,
    pub outbox: VecDeque<Bytes>,
    /// Call `send` with this after every input and timeout.
    pub keep_trying: Option<Bytes>,
    pub received: Vec<Bytes>,
    pub events: Vec<DtlsEvent>,
    pub send_errors: Vec<DtlsError>,
    pub connected_at: Option<Instant>,
    pub failed: Option<(Instant, DtlsError)>,
    pub closed: bool,
    /// Every datagram this node sent, in order.
    pub sent: Vec<Bytes>,
}

impl Node {
    pub fn new(transport: DtlsTransport, peer: SocketAddr) -> Self {
        Self {
            transport,
            peer,
            outbox: VecDeque::new(),
            keep_trying: None,
            received: Vec::new(),
            events: Vec::new(),
            send_errors: Vec::new(),
            connected_at: None,
            failed: None,
            closed: false,
            sent: Vec::new(),
        }
    }

    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.transport.poll_event() {
            match &e {
                DtlsEvent::ApplicationData(d) => self.received.push(d.clone()),
                DtlsEvent::Connected { .. } => {
                    assert!(self.connected_at.is_none(), "Connected twice");
                    self.connected_at = Some(now);
                }
                DtlsEvent::Failed(err) => {
                    assert!(self.failed.is_none(), "Failed twice");
                    self.failed = Some((now, err.clone()));
                }
                DtlsEvent::Closed => self.closed = true,
            }
            self.events.push(e);
        }
    }

    fn try_send(&mut self, now: Instant) {
        if let Some(d) = &self.keep_trying
            && let Err(e) = self.transport.send(now, d)
        {
            self.send_errors.push(e);
        }
    }

    fn feed(&mut self, now: Instant) {
        if self.transport.state() != DtlsState::Connected {
            return;
        }
        while let Some(m) = self.outbox.pop_front() {
            self.transport.send(now, &m).expect("send while connected");
        }
    }

    pub fn connected(&self) -> bool {
        self.connected_at.is_some()
    }
}

impl Endpoint for Node {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.transport.handle_input(now, &datagram.payload);
        self.drain(now);
        self.try_send(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.feed(now);
        let p = self.transport.poll_transmit(now);
        self.drain(now);
        p.map(|payload| {
            self.sent.push(payload.clone());
            Transmit {
                destination: self.peer,
                source: None,
                payload,
            }
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.transport.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.transport.handle_timeout(now);
        self.drain(now);
        self.try_send(now);
    }
}

pub const A_ADDR: &str = "10.0.0.1:5000";
pub const B_ADDR: &str = "10.0.0.2:5000";

/// Two certificates made once per test binary (generation is the slow part).
pub fn certs() -> &'static (Certificate, Certificate) {
    static CERTS: OnceLock<(Certificate, Certificate)> = OnceLock::new();
    CERTS.get_or_init(|| {
        (
            Certificate::generate().unwrap(),
            Certificate::generate().unwrap(),
        )
    })
}

/// A config for `role` that expects the peer's certificate `peer`.
pub fn config(role: DtlsRole, peer: &Certificate) -> DtlsConfig {
    DtlsConfig {
        role,
        remote_fingerprints: vec![peer.fingerprint(HashAlgorithm::Sha256)],
        ..DtlsConfig::default()
    }
}

/// A config that survives heavy loss by a generous retry budget, so a loss
/// test cannot fail by bad luck (the defaults are for real paths).
pub fn patient(mut c: DtlsConfig) -> DtlsConfig {
    c.initial_retransmit_timeout = Duration::from_millis(200);
    c.max_retransmissions = 12;
    c.handshake_timeout = Duration::from_secs(120);
    c
}

pub struct Pair {
    pub sim: Sim,
    pub a: NodeId,
    pub b: NodeId,
}

impl Pair {
    /// A (with `certs().0`) and B (with `certs().1`) on a path with `link`
    /// in both directions.
    pub fn new(seed: u64, link: LinkConfig, a: DtlsConfig, b: DtlsConfig) -> Self {
        let (ca, cb) = certs();
        Self::with_certs(seed, link, (ca, a), (cb, b))
    }

    pub fn with_certs(
        seed: u64,
        link: LinkConfig,
        a: (&Certificate, DtlsConfig),
        b: (&Certificate, DtlsConfig),
    ) -> Self {
        let mut sim = Sim::new(seed);
        let now = sim.now();
        let a_addr: SocketAddr = A_ADDR.parse().unwrap();
        let b_addr: SocketAddr = B_ADDR.parse().unwrap();
        let ta = DtlsTransport::new(now, a.0, a.1).unwrap();
        let tb = DtlsTransport::new(now, b.0, b.1).unwrap();
        let a = sim.add_endpoint(a_addr, Node::new(ta, b_addr));
        let b = sim.add_endpoint(b_addr, Node::new(tb, a_addr));
        sim.network_mut().set_path(a, b, link);
        Self { sim, a, b }
    }

    /// The usual pair: A is the client, B the server, each expecting the
    /// other's certificate.
    pub fn client_server(seed: u64, link: LinkConfig) -> Self {
        let (ca, cb) = certs();
        Self::new(
            seed,
            link,
            config(DtlsRole::Client, cb),
            config(DtlsRole::Server, ca),
        )
    }

    /// The usual pair, both sides held to `version`.
    pub fn client_server_of(seed: u64, link: LinkConfig, version: VersionPolicy) -> Self {
        let (ca, cb) = certs();
        let mut a = config(DtlsRole::Client, cb);
        let mut b = config(DtlsRole::Server, ca);
        a.version = version;
        b.version = version;
        Self::new(seed, link, a, b)
    }

    pub fn a(&mut self) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.a)
    }

    pub fn b(&mut self) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.b)
    }

    /// Runs until both sides are connected (or `max` passes).
    pub fn run_until_connected(&mut self, max: Duration) -> bool {
        let (a, b) = (self.a, self.b);
        self.sim.run_until(max, |s| {
            s.endpoint::<Node>(a).connected() && s.endpoint::<Node>(b).connected()
        })
    }

    /// Runs until both sides have failed or closed (or `max` passes).
    pub fn run_until_both_done(&mut self, max: Duration) -> bool {
        let (a, b) = (self.a, self.b);
        let done = |n: &Node| n.failed.is_some() || n.closed;
        self.sim.run_until(max, |s| {
            done(s.endpoint::<Node>(a)) && done(s.endpoint::<Node>(b))
        })
    }

    /// Queues `n` numbered messages of `len` bytes from each side to the
    /// other and runs until both have them all (or `max` passes).
    pub fn exchange(&mut self, n: usize, len: usize, max: Duration) -> bool {
        let before_a = self.a().received.len();
        let before_b = self.b().received.len();
        for i in 0..n {
            self.a().outbox.push_back(body(b'a', i, len));
            self.b().outbox.push_back(body(b'b', i, len));
        }
        let (a, b) = (self.a, self.b);
        self.sim.run_until(max, |s| {
            s.endpoint::<Node>(a).received.len() >= before_a + n
                && s.endpoint::<Node>(b).received.len() >= before_b + n
        })
    }
}

/// A message that says who sent it and its index, padded to `len`.
pub fn body(from: u8, index: usize, len: usize) -> Bytes {
    let mut v = Vec::with_capacity(len.max(5));
    v.push(from);
    v.extend_from_slice(&(index as u32).to_be_bytes());
    let mut x = index as u32 ^ u32::from(from) << 24;
    while v.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.push((x >> 16) as u8);
    }
    v.truncate(len.max(5));
    Bytes::from(v)
}
