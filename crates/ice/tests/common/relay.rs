//! A stand-in for a TURN server and client, to exercise the agent's relay
//! hook until the real TURN client (`crates/ice/src/turn/`) lands. Not TURN
//! on the wire: a three-message framing that never looks like STUN (first
//! byte 0xF0..0xF3), but the same behaviour: an allocation per client
//! source, a relayed address on the server, permissions by peer IP
//! installed by what the client sends.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use bytes::{BufMut, Bytes, BytesMut};
use sanderling_netsim::{Datagram, Endpoint, Transmit};

/// Client -> server: allocate.
pub const ALLOCATE: u8 = 0xF1;
/// Server -> client: allocated (relayed address, mapped address).
pub const ALLOCATED: u8 = 0xF2;
/// Client -> server: send to a peer.
pub const SEND: u8 = 0xF0;
/// Server -> client: data from a peer.
pub const DATA: u8 = 0xF3;

/// `kind`, then each address as a length-prefixed string, then `payload`.
pub fn frame(kind: u8, addrs: &[SocketAddr], payload: &[u8]) -> Bytes {
    let mut b = BytesMut::new();
    b.put_u8(kind);
    for a in addrs {
        let s = a.to_string();
        b.put_u8(s.len() as u8);
        b.put_slice(s.as_bytes());
    }
    b.put_slice(payload);
    b.freeze()
}

/// Reads `n` addresses after the kind byte; returns them and the rest.
pub fn unframe(p: &[u8], n: usize) -> Option<(Vec<SocketAddr>, &[u8])> {
    let mut rest = p.get(1..)?;
    let mut addrs = Vec::new();
    for _ in 0..n {
        let len = usize::from(*rest.first()?);
        let s = std::str::from_utf8(rest.get(1..1 + len)?).ok()?;
        addrs.push(s.parse().ok()?);
        rest = &rest[1 + len..];
    }
    Some((addrs, rest))
}

struct Allocation {
    client: SocketAddr,
    relayed: SocketAddr,
    permissions: HashSet<IpAddr>,
}

/// The relay server: control address plus a pool of relayed addresses
/// (give them to the node with `Network::add_address`).
pub struct RelayServer {
    pool: Vec<SocketAddr>,
    allocations: Vec<Allocation>,
    by_relayed: HashMap<SocketAddr, usize>,
    pending: VecDeque<Transmit>,
    pub forwarded: u64,
    pub refused: u64,
}

impl RelayServer {
    pub fn new(pool: Vec<SocketAddr>) -> Self {
        Self {
            pool,
            allocations: Vec::new(),
            by_relayed: HashMap::new(),
            pending: VecDeque::new(),
            forwarded: 0,
            refused: 0,
        }
    }
}

impl Endpoint for RelayServer {
    fn handle_datagram(&mut self, _now: Instant, d: Datagram) {
        if let Some(&i) = self.by_relayed.get(&d.destination) {
            // From a peer to a relayed address.
            let a = &self.allocations[i];
            if a.permissions.contains(&d.source.ip()) {
                self.forwarded += 1;
                self.pending.push_back(Transmit {
                    destination: a.client,
                    source: None,
                    payload: frame(DATA, &[d.source], &d.payload),
                });
            } else {
                self.refused += 1;
            }
            return;
        }
        match d.payload.first() {
            Some(&ALLOCATE) => {
                let i = match self.allocations.iter().position(|a| a.client == d.source) {
                    Some(i) => i,
                    None => {
                        let Some(relayed) = self.pool.pop() else {
                            return;
                        };
                        self.allocations.push(Allocation {
                            client: d.source,
                            relayed,
                            permissions: HashSet::new(),
                        });
                        self.by_relayed.insert(relayed, self.allocations.len() - 1);
                        self.allocations.len() - 1
                    }
                };
                let relayed = self.allocations[i].relayed;
                self.pending.push_back(Transmit {
                    destination: d.source,
                    source: None,
                    payload: frame(ALLOCATED, &[relayed, d.source], &[]),
                });
            }
            Some(&SEND) => {
                let Some(i) = self.allocations.iter().position(|a| a.client == d.source) else {
                    return;
                };
                let Some((addrs, payload)) = unframe(&d.payload, 1) else {
                    return;
                };
                let a = &mut self.allocations[i];
                a.permissions.insert(addrs[0].ip());
                self.pending.push_back(Transmit {
                    destination: addrs[0],
                    source: Some(a.relayed),
                    payload: Bytes::copy_from_slice(payload),
                });
            }
            _ => {}
        }
    }

    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.pending.pop_front()
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        None
    }

    fn handle_timeout(&mut self, _now: Instant) {}
}

/// The client side kept by a node: where the server is, which local socket
/// talks to it, and the relayed address once allocated.
#[derive(Clone, Debug)]
pub struct RelayClient {
    pub server: SocketAddr,
    pub base: SocketAddr,
    pub relayed: Option<SocketAddr>,
    pub requested: bool,
}
