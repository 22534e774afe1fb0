//! mDNS lookups of the peer's `<uuid>.local` candidates (RFC 6762).
//!
//! The core asks (`PeerEvent::ResolveMdns`); the driver sends a one-shot
//! query with the QU bit (RFC 6762 §5.1, §5.4: a unicast answer to our
//! ephemeral port) to the mDNS group, asks again after 1 s and 2 s, and
//! hands the answer back with `Peer::resolve_mdns`, or `None` once
//! `Configuration::mdns_timeout` has passed. Every lookup gets an answer, so
//! the ICE agent never waits on a name longer than that. Lookups at once are
//! bounded; one past the bound is answered `None` at once.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::task::Context;
use std::time::{Duration, Instant};

use sanderling_ice::mdns_query::{build_query, parse_answer};
use tokio::net::UdpSocket;

/// Lookups in flight at once.
const MAX_LOOKUPS: usize = 16;
/// When a query is sent again, after the first.
const RETRIES: [Duration; 2] = [Duration::from_secs(1), Duration::from_secs(2)];
/// The largest answer read (RFC 6762 §17: 9000 bytes over multicast).
const MAX_ANSWER: usize = 9000;

/// One socket: tokio's for waiting on answers, a clone for sending, which
/// a fresh tokio socket would refuse (`WouldBlock`) until the reactor has
/// seen it writable.
#[derive(Debug)]
struct Sock {
    io: UdpSocket,
    send: std::net::UdpSocket,
}

#[derive(Debug)]
struct Lookup {
    name: String,
    id: u16,
    started: Instant,
    /// Queries sent so far.
    sent: usize,
}

/// The driver's mDNS lookups and their sockets.
#[derive(Debug)]
pub(crate) struct Mdns {
    v4: Option<Sock>,
    v6: Option<Sock>,
    destinations: Vec<SocketAddr>,
    timeout: Duration,
    lookups: Vec<Lookup>,
    next_id: u16,
    buf: Vec<u8>,
}

impl Mdns {
    /// Resolves through `destinations`; sockets are bound on the first
    /// lookup.
    pub(crate) fn new(destinations: Vec<SocketAddr>, timeout: Duration, seed: u16) -> Self {
        Self {
            v4: None,
            v6: None,
            destinations,
            timeout,
            lookups: Vec::new(),
            next_id: seed,
            // Allocated with the sockets' first read: most connections
            // never look a name up, and 9 KB each adds up.
            buf: Vec::new(),
        }
    }

    /// Starts a lookup of `name`; `Err(name)` when it cannot be asked (too
    /// many in flight, an unencodable name, no socket): answer `None`.
    pub(crate) fn start(&mut self, now: Instant, name: String) -> Result<(), String> {
        if self
            .lookups
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(&name))
        {
            return Ok(());
        }
        if self.lookups.len() >= MAX_LOOKUPS || build_query(0, &name).is_none() {
            return Err(name);
        }
        self.bind();
        if self.v4.is_none() && self.v6.is_none() {
            return Err(name);
        }
        self.next_id = self.next_id.wrapping_add(1);
        let mut lookup = Lookup {
            name,
            id: self.next_id,
            started: now,
            sent: 0,
        };
        self.send(&mut lookup);
        self.lookups.push(lookup);
        Ok(())
    }

    fn bind(&mut self) {
        if self.v4.is_none() && self.destinations.iter().any(SocketAddr::is_ipv4) {
            self.v4 = bind(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0));
        }
        if self.v6.is_none() && self.destinations.iter().any(SocketAddr::is_ipv6) {
            self.v6 = bind(SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), 0));
        }
    }

    fn send(&self, lookup: &mut Lookup) {
        lookup.sent += 1;
        let Some(query) = build_query(lookup.id, &lookup.name) else {
            return;
        };
        for &to in &self.destinations {
            let socket = if to.is_ipv4() { &self.v4 } else { &self.v6 };
            if let Some(s) = socket
                && let Err(e) = s.send.send_to(&query, to)
            {
                // No multicast route (a container), or a full buffer: the
                // retry or the timeout covers it.
                tracing::debug!(%to, error = %e, "mDNS query not sent");
            }
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) is next due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.lookups
            .iter()
            .map(|l| {
                let end = l.started + self.timeout;
                match RETRIES.get(l.sent - 1) {
                    Some(&retry) => (l.started + retry).min(end),
                    None => end,
                }
            })
            .min()
    }

    /// Sends the retries due and returns the names whose time is up.
    pub(crate) fn handle_timeout(&mut self, now: Instant) -> Vec<String> {
        let mut expired = Vec::new();
        let mut lookups = std::mem::take(&mut self.lookups);
        lookups.retain_mut(|l| {
            if now >= l.started + self.timeout {
                expired.push(std::mem::take(&mut l.name));
                return false;
            }
            if RETRIES
                .get(l.sent - 1)
                .is_some_and(|&r| now >= l.started + r)
            {
                self.send(l);
            }
            true
        });
        self.lookups = lookups;
        expired
    }

    /// Whether an answer is waiting (registers the waker otherwise).
    pub(crate) fn poll_readable(&self, cx: &mut Context<'_>) -> bool {
        [&self.v4, &self.v6]
            .into_iter()
            .flatten()
            .any(|s| s.io.poll_recv_ready(cx).is_ready())
    }

    /// Reads every waiting answer; returns the names resolved with their
    /// address (IPv4 first, as the peer's candidates usually are).
    pub(crate) fn receive(&mut self) -> Vec<(String, IpAddr)> {
        let mut resolved = Vec::new();
        if self.buf.is_empty() && (self.v4.is_some() || self.v6.is_some()) {
            self.buf = vec![0; MAX_ANSWER];
        }
        for i in 0..2 {
            // At most a batch per call, so a flood cannot hold the driver.
            for _ in 0..32 {
                let socket = if i == 0 { &self.v4 } else { &self.v6 };
                let Some(s) = socket else { break };
                let n = match s.io.try_recv_from(&mut self.buf) {
                    Ok((n, _)) => n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => continue,
                };
                let msg = &self.buf[..n];
                self.lookups.retain(|l| {
                    let mut ips = parse_answer(msg, &l.name);
                    ips.sort_by_key(IpAddr::is_ipv6);
                    match ips.first() {
                        Some(&ip) => {
                            resolved.push((l.name.clone(), ip));
                            false
                        }
                        None => true,
                    }
                });
            }
        }
        resolved
    }
}

fn bind(addr: SocketAddr) -> Option<Sock> {
    let bound = std::net::UdpSocket::bind(addr).and_then(|s| {
        s.set_nonblocking(true)?;
        if addr.is_ipv4() {
            // RFC 6762 §11: IP TTL 255 on mDNS packets.
            let _ = s.set_multicast_ttl_v4(255);
        }
        let send = s.try_clone()?;
        Ok(Sock {
            io: UdpSocket::from_std(s)?,
            send,
        })
    });
    match bound {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::debug!(%addr, error = %e, "cannot bind an mDNS socket");
            None
        }
    }
}
