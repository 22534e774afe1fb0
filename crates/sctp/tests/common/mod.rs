//! A pair of associations on the simulated network.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NodeId, Sim, Transmit};
use sanderling_sctp::association::{Association, SendError, SendOptions};
use sanderling_sctp::event::{CloseReason, Event};
use sanderling_sctp::options::SctpOptions;
use sanderling_sctp::rx::ReceivedMessage;
use sanderling_sctp::types::{Ppid, StreamId};

pub struct Outgoing {
    pub stream: StreamId,
    pub ppid: Ppid,
    pub payload: Bytes,
    pub options: SendOptions,
}

/// An association as a netsim endpoint, with an outbox that feeds it as
/// fast as its send buffer takes messages.
pub struct Node {
    pub assoc: Association,
    peer: SocketAddr,
    pub outbox: VecDeque<Outgoing>,
    pub received: Vec<ReceivedMessage>,
    pub events: Vec<Event>,
    pub connected_at: Option<Instant>,
    pub closed: Option<CloseReason>,
    /// Every packet sent: when, its size, the pacing rate then.
    pub sent: Vec<(Instant, usize, Option<u64>)>,
}

impl Node {
    pub fn new(now: Instant, peer: SocketAddr, options: SctpOptions) -> Self {
        Self {
            assoc: Association::new(now, options).expect("valid options"),
            peer,
            outbox: VecDeque::new(),
            received: Vec::new(),
            events: Vec::new(),
            connected_at: None,
            closed: None,
            sent: Vec::new(),
        }
    }

    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.assoc.poll_event() {
            match e {
                Event::Message(m) => self.received.push(m),
                Event::Connected => {
                    self.connected_at = Some(now);
                    self.events.push(Event::Connected);
                }
                Event::Closed(r) => {
                    self.closed = Some(r.clone());
                    self.events.push(Event::Closed(r));
                }
                other => self.events.push(other),
            }
        }
    }

    fn feed(&mut self, now: Instant) {
        while let Some(m) = self.outbox.front() {
            match self
                .assoc
                .send(now, m.stream, m.ppid, m.payload.clone(), m.options)
            {
                Ok(()) => {
                    self.outbox.pop_front();
                }
                Err(SendError::QueueFull) => break,
                Err(e) => panic!("send failed: {e}"),
            }
        }
    }
}

impl Endpoint for Node {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.assoc.handle_input(now, datagram.payload);
        self.drain(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.feed(now);
        let p = self.assoc.poll_transmit(now);
        if let Some(p) = &p {
            self.sent.push((now, p.len(), self.assoc.pacing_rate()));
        }
        self.drain(now);
        p.map(|payload| Transmit {
            destination: self.peer,
            source: None,
            payload,
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.assoc.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
        self.drain(now);
    }
}

pub const A_ADDR: &str = "10.0.0.1:5000";
pub const B_ADDR: &str = "10.0.0.2:5000";

pub struct Pair {
    pub sim: Sim,
    pub a: NodeId,
    pub b: NodeId,
}

pub fn options(seed: u8) -> SctpOptions {
    SctpOptions {
        seed: [seed; 32],
        ..SctpOptions::default()
    }
}

/// Every packet `a` has to send at `now` (for tests that drive a pair by
/// hand, packet by packet).
pub fn packets(a: &mut Association, now: Instant) -> Vec<Bytes> {
    std::iter::from_fn(|| a.poll_transmit(now)).collect()
}

impl Pair {
    pub fn new(seed: u64, link: LinkConfig, a_opts: SctpOptions, b_opts: SctpOptions) -> Self {
        let mut sim = Sim::new(seed);
        let now = sim.now();
        let a_addr: SocketAddr = A_ADDR.parse().unwrap();
        let b_addr: SocketAddr = B_ADDR.parse().unwrap();
        let a = sim.add_endpoint(a_addr, Node::new(now, b_addr, a_opts));
        let b = sim.add_endpoint(b_addr, Node::new(now, a_addr, b_opts));
        sim.network_mut().set_path(a, b, link);
        Self { sim, a, b }
    }

    /// Changes the impairments in both directions.
    pub fn set_link(&mut self, link: LinkConfig) {
        let (a, b) = (self.a, self.b);
        self.sim.network_mut().set_path(a, b, link);
    }

    pub fn a(&mut self) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.a)
    }

    pub fn b(&mut self) -> &mut Node {
        self.sim.endpoint_mut::<Node>(self.b)
    }

    /// Both sides send INIT, as WebRTC peers do; runs until both are up.
    pub fn connect_both(&mut self) {
        let now = self.sim.now();
        self.a().assoc.connect(now);
        self.b().assoc.connect(now);
        self.run_until_connected();
    }

    /// Only A opens; B answers as a listener.
    pub fn connect_a(&mut self) {
        let now = self.sim.now();
        self.a().assoc.connect(now);
        self.run_until_connected();
    }

    fn run_until_connected(&mut self) {
        let (a, b) = (self.a, self.b);
        let ok = self.sim.run_until(Duration::from_secs(60), |s| {
            s.endpoint::<Node>(a).connected_at.is_some()
                && s.endpoint::<Node>(b).connected_at.is_some()
        });
        assert!(ok, "association did not come up");
    }

    /// Runs until `b` has received `n` messages (or `max` passes).
    pub fn run_until_received(&mut self, n: usize, max: Duration) -> bool {
        let b = self.b;
        self.sim
            .run_until(max, |s| s.endpoint::<Node>(b).received.len() >= n)
    }

    pub fn queue(&mut self, stream: u16, payload: Bytes, options: SendOptions) {
        self.a().outbox.push_back(Outgoing {
            stream: StreamId(stream),
            ppid: Ppid(53),
            payload,
            options,
        });
    }
}

/// A message body that says which stream and index it is, padded to `len`.
pub fn body(stream: u16, index: u32, len: usize) -> Bytes {
    let mut v = Vec::with_capacity(len.max(6));
    v.extend_from_slice(&stream.to_be_bytes());
    v.extend_from_slice(&index.to_be_bytes());
    let mut x = u32::from(stream) * 7919 + index;
    while v.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.push((x >> 16) as u8);
    }
    v.truncate(len.max(6));
    Bytes::from(v)
}

pub fn index_of(m: &ReceivedMessage) -> (u16, u32) {
    let p = &m.payload;
    (
        u16::from_be_bytes([p[0], p[1]]),
        u32::from_be_bytes([p[2], p[3], p[4], p[5]]),
    )
}
