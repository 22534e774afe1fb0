//! Simple endpoints that make and record traffic: for testing the network
//! itself (and what its NATs do to addresses) and for measuring paths in
//! benchmarks.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};

use crate::{Datagram, Endpoint, Transmit};

/// Sends `count` datagrams of `size` bytes to one destination, one every
/// `interval`, starting at the first round it takes part in. Each payload
/// starts with its sequence number (u64, big-endian), so a [`Sink`] can tell
/// loss, duplication and reordering apart.
#[derive(Debug)]
pub struct ConstantRateSource {
    destination: SocketAddr,
    size: usize,
    count: u64,
    interval: Duration,
    sent: u64,
    next_send: Option<Instant>,
}

impl ConstantRateSource {
    /// A source of `count` datagrams of `size` bytes (at least 8), one per
    /// `interval` (zero sends them all at once).
    pub fn new(destination: SocketAddr, size: usize, count: u64, interval: Duration) -> Self {
        Self {
            destination,
            size: size.max(8),
            count,
            interval,
            sent: 0,
            next_send: None,
        }
    }

    /// A source that offers `bits_per_second` in datagrams of `size` bytes
    /// for `duration`.
    pub fn at_rate(
        destination: SocketAddr,
        size: usize,
        bits_per_second: u64,
        duration: Duration,
    ) -> Self {
        let size = size.max(8);
        let interval_ns = (size as u128 * 8_000_000_000) / u128::from(bits_per_second.max(1));
        let interval = Duration::from_nanos(interval_ns as u64);
        let count = (duration.as_nanos() / interval_ns.max(1)) as u64;
        Self::new(destination, size, count, interval)
    }

    /// Datagrams sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Whether every datagram has been sent.
    pub fn finished(&self) -> bool {
        self.sent >= self.count
    }
}

impl Endpoint for ConstantRateSource {
    fn handle_datagram(&mut self, _now: Instant, _datagram: Datagram) {}

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if self.finished() {
            return None;
        }
        let due = *self.next_send.get_or_insert(now);
        if due > now {
            return None;
        }
        let mut payload = BytesMut::with_capacity(self.size);
        payload.put_u64(self.sent);
        payload.resize(self.size, 0);
        self.sent += 1;
        self.next_send = Some(due + self.interval);
        Some(Transmit {
            destination: self.destination,
            source: None,
            payload: payload.freeze(),
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        if self.finished() {
            None
        } else {
            self.next_send
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// One datagram as a [`Sink`] saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// When it arrived.
    pub at: Instant,
    /// Who sent it.
    pub source: SocketAddr,
    /// The sequence number a [`ConstantRateSource`] put in it, if it is long
    /// enough to carry one.
    pub seq: Option<u64>,
    /// Its length.
    pub len: usize,
}

/// Records every datagram it receives and sends nothing.
#[derive(Debug, Default)]
pub struct Sink {
    arrivals: Vec<Arrival>,
}

impl Sink {
    /// Everything received, in arrival order.
    pub fn arrivals(&self) -> &[Arrival] {
        &self.arrivals
    }

    /// Bytes received.
    pub fn bytes(&self) -> u64 {
        self.arrivals.iter().map(|a| a.len as u64).sum()
    }
}

impl Endpoint for Sink {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        let seq = datagram
            .payload
            .get(..8)
            .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")));
        self.arrivals.push(Arrival {
            at: now,
            source: datagram.source,
            seq,
            len: datagram.payload.len(),
        });
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        None
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// Answers every datagram by sending it back to its source.
#[derive(Debug, Default)]
pub struct Echo {
    pending: std::collections::VecDeque<Transmit>,
}

impl Endpoint for Echo {
    fn handle_datagram(&mut self, _now: Instant, datagram: Datagram) {
        self.pending.push_back(Transmit {
            destination: datagram.source,
            source: Some(datagram.destination),
            payload: datagram.payload,
        });
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.pending.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// One datagram as a [`Reflector`] saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reflection {
    /// When it arrived.
    pub at: Instant,
    /// The source it arrived with: after any NAT, the sender's public
    /// (server-reflexive) address.
    pub source: SocketAddr,
    /// Which of the reflector's addresses it was sent to.
    pub local: SocketAddr,
}

/// Answers every datagram with the source address it arrived from, like a
/// STUN server's binding response: the way to learn what a NAT made of an
/// address. The answer leaves from the address the datagram was sent to, and
/// its payload is the address as text (`"203.0.113.7:49152"`), which
/// [`Reflector::parse`] reads back.
#[derive(Debug, Default)]
pub struct Reflector {
    seen: Vec<Reflection>,
    pending: std::collections::VecDeque<Transmit>,
}

impl Reflector {
    /// Every datagram received, in arrival order.
    pub fn seen(&self) -> &[Reflection] {
        &self.seen
    }

    /// The address a reflector's answer carries, or `None` if `payload` is
    /// not one.
    pub fn parse(payload: &[u8]) -> Option<SocketAddr> {
        std::str::from_utf8(payload).ok()?.parse().ok()
    }
}

impl Endpoint for Reflector {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.seen.push(Reflection {
            at: now,
            source: datagram.source,
            local: datagram.destination,
        });
        self.pending.push_back(Transmit {
            destination: datagram.source,
            source: Some(datagram.destination),
            payload: datagram.source.to_string().into(),
        });
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.pending.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}
