//! Local candidates (RFC 8445 §5.1.1): host addresses the layer reports,
//! server-reflexive addresses learned from STUN servers, relayed addresses
//! from TURN allocations, peer-reflexive addresses learned from checks; and
//! the gathering state.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};

use crate::candidate::{
    Candidate, CandidateAddress, CandidateKind, Protocol, foundation, priority, relay_foundation,
};
use crate::event::GatheringState;
use crate::relay_protocol::RelayProtocol;

/// The component every candidate of this agent has: data channels use one
/// (RTP/RTCP multiplexed, BUNDLE).
pub const COMPONENT: u16 = 1;

/// Most local candidates of all kinds (host addresses, reflexive, relayed).
pub const MAX_LOCAL_CANDIDATES: usize = 64;

/// A local candidate and the address it is sent from.
#[derive(Clone, Debug)]
pub(crate) struct LocalCandidate {
    pub(crate) candidate: Candidate,
    /// Where its checks and data leave from: the host address for host,
    /// server-reflexive and peer-reflexive candidates, the relayed address
    /// itself for a relayed candidate (the TURN layer sends for it).
    pub(crate) base: SocketAddr,
    /// The candidate's own address.
    pub(crate) addr: SocketAddr,
}

impl LocalCandidate {
    /// Host and relayed candidates are the bases pairs are formed with
    /// (a server-reflexive local candidate is replaced by its base, RFC 8445
    /// §6.1.2.4, which makes it redundant with the host pair).
    pub(crate) fn is_base(&self) -> bool {
        matches!(
            self.candidate.kind,
            CandidateKind::Host | CandidateKind::Relayed
        )
    }
}

/// Local preference (RFC 8445 §5.1.2.1): IPv6 before IPv4 (RFC 8421),
/// loopback last, and distinct values for several addresses of one kind.
fn local_preference(ip: IpAddr, index: usize) -> u16 {
    let family: u16 = match ip {
        IpAddr::V6(_) => 65535,
        IpAddr::V4(_) => 57343,
    };
    let family = if ip.is_loopback() {
        family - 16384
    } else {
        family
    };
    family.saturating_sub(u16::try_from(index.min(1000)).unwrap_or(1000))
}

/// Local preference of a relayed candidate: by how its server is reached
/// first (UDP, TCP, TLS), then IPv6 before IPv4, then in order of arrival.
fn relay_local_preference(ip: IpAddr, relay: RelayProtocol, index: usize) -> u16 {
    let family: u16 = if ip.is_ipv6() { 8192 } else { 0 };
    let order = 8191 - u16::try_from(index.min(8191)).unwrap_or(8191);
    relay.rank() * 16384 + family + order
}

/// The local candidates and the gathering progress.
#[derive(Debug, Default)]
pub(crate) struct Gatherer {
    pub(crate) candidates: Vec<LocalCandidate>,
    /// STUN server requests not yet sent: (base, server).
    pub(crate) pending: VecDeque<(SocketAddr, SocketAddr)>,
    /// STUN server requests sent and not yet answered or timed out.
    pub(crate) outstanding: usize,
    /// TURN servers whose allocation is being made by the layer.
    pub(crate) relays_pending: Vec<SocketAddr>,
    /// The layer reported its last host address.
    pub(crate) addresses_done: bool,
    pub(crate) state: Option<GatheringState>,
}

impl Gatherer {
    pub(crate) fn state(&self) -> GatheringState {
        self.state.unwrap_or(GatheringState::New)
    }

    /// Whether everything asked has been answered.
    pub(crate) fn is_complete(&self) -> bool {
        self.addresses_done
            && self.pending.is_empty()
            && self.outstanding == 0
            && self.relays_pending.is_empty()
    }

    pub(crate) fn find_addr(&self, addr: SocketAddr) -> Option<usize> {
        self.candidates.iter().position(|c| c.addr == addr)
    }

    /// The base candidate (host or relayed) sending from `base`.
    pub(crate) fn find_base(&self, base: SocketAddr) -> Option<usize> {
        self.candidates
            .iter()
            .position(|c| c.base == base && c.is_base())
    }

    fn count(&self, kind: CandidateKind) -> usize {
        self.candidates
            .iter()
            .filter(|c| c.candidate.kind == kind)
            .count()
    }

    fn push(&mut self, candidate: Candidate, base: SocketAddr, addr: SocketAddr) -> Option<usize> {
        if self.candidates.len() >= MAX_LOCAL_CANDIDATES || self.find_addr(addr).is_some() {
            return None;
        }
        self.candidates.push(LocalCandidate {
            candidate,
            base,
            addr,
        });
        Some(self.candidates.len() - 1)
    }

    /// Adds a host candidate; `None` if it is a duplicate or the table is full.
    pub(crate) fn add_host(&mut self, addr: SocketAddr) -> Option<usize> {
        let pref = local_preference(addr.ip(), self.count(CandidateKind::Host));
        let c = Candidate {
            foundation: foundation(CandidateKind::Host, addr.ip(), Protocol::Udp, None),
            component: COMPONENT,
            protocol: Protocol::Udp,
            priority: priority(CandidateKind::Host, pref, COMPONENT),
            address: CandidateAddress::Ip(addr),
            kind: CandidateKind::Host,
            related: None,
            extensions: Vec::new(),
        };
        self.push(c, addr, addr)
    }

    /// Adds a server-reflexive candidate learned through `server` for
    /// `base`; `None` when it equals a known address (no NAT, or the same
    /// mapping seen twice).
    pub(crate) fn add_server_reflexive(
        &mut self,
        base: SocketAddr,
        mapped: SocketAddr,
        server: SocketAddr,
    ) -> Option<usize> {
        if mapped == base {
            return None;
        }
        let base_pref = self
            .find_base(base)
            .map_or(0, |i| (self.candidates[i].candidate.priority >> 8) & 0xFFFF);
        let pref = u16::try_from(base_pref).unwrap_or(0);
        let c = Candidate {
            foundation: foundation(
                CandidateKind::ServerReflexive,
                base.ip(),
                Protocol::Udp,
                Some(server),
            ),
            component: COMPONENT,
            protocol: Protocol::Udp,
            priority: priority(CandidateKind::ServerReflexive, pref, COMPONENT),
            address: CandidateAddress::Ip(mapped),
            kind: CandidateKind::ServerReflexive,
            related: Some(base),
            extensions: Vec::new(),
        };
        self.push(c, base, mapped)
    }

    /// Adds a relayed candidate at `relayed` on TURN server `server`,
    /// reached over `relay`.
    pub(crate) fn add_relayed(
        &mut self,
        server: SocketAddr,
        relayed: SocketAddr,
        mapped: Option<SocketAddr>,
        relay: RelayProtocol,
    ) -> Option<usize> {
        let pref = relay_local_preference(relayed.ip(), relay, self.count(CandidateKind::Relayed));
        let c = Candidate {
            foundation: relay_foundation(relayed.ip(), server, relay),
            component: COMPONENT,
            protocol: Protocol::Udp,
            priority: priority(CandidateKind::Relayed, pref, COMPONENT),
            address: CandidateAddress::Ip(relayed),
            kind: CandidateKind::Relayed,
            related: mapped,
            extensions: Vec::new(),
        };
        self.push(c, relayed, relayed)
    }

    /// Records a peer-reflexive local candidate (a check's mapped address
    /// that is none of ours). It is not signalled and not paired: the pair
    /// through its base carries the traffic.
    pub(crate) fn add_peer_reflexive(
        &mut self,
        base: SocketAddr,
        mapped: SocketAddr,
        prio: u32,
    ) -> Option<usize> {
        let c = Candidate {
            foundation: foundation(CandidateKind::PeerReflexive, base.ip(), Protocol::Udp, None),
            component: COMPONENT,
            protocol: Protocol::Udp,
            priority: prio,
            address: CandidateAddress::Ip(mapped),
            kind: CandidateKind::PeerReflexive,
            related: Some(base),
            extensions: Vec::new(),
        };
        self.push(c, base, mapped)
    }

    /// The candidates to signal: everything but peer-reflexive ones.
    pub(crate) fn signalled(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates
            .iter()
            .filter(|c| c.candidate.kind != CandidateKind::PeerReflexive)
            .map(|c| &c.candidate)
    }
}

/// The PRIORITY a check from a base carries: the priority the base's
/// peer-reflexive candidate would have (RFC 8445 §7.1.1).
pub(crate) fn peer_reflexive_priority(base: &Candidate) -> u32 {
    let pref = u16::try_from((base.priority >> 8) & 0xFFFF).unwrap_or(0);
    priority(CandidateKind::PeerReflexive, pref, base.component)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn host_candidates_get_distinct_priorities_and_ipv6_first() {
        let mut g = Gatherer::default();
        let v4 = g.add_host(a("10.0.0.1:5000")).unwrap();
        let v4b = g.add_host(a("10.0.0.2:5000")).unwrap();
        let v6 = g.add_host(a("[2001:db8::1]:5000")).unwrap();
        assert_eq!(g.add_host(a("10.0.0.1:5000")), None, "duplicate");
        let p = |i: usize| g.candidates[i].candidate.priority;
        assert!(p(v6) > p(v4) && p(v4) > p(v4b));
        assert_ne!(
            g.candidates[v4].candidate.foundation,
            g.candidates[v4b].candidate.foundation
        );
    }

    #[test]
    fn relays_over_udp_rank_above_tcp_and_tcp_above_tls() {
        let mut g = Gatherer::default();
        let server = a("203.0.113.1:3478");
        // Arrival order is the reverse of the ranking.
        let [tls, tcp, udp, udp6] = [
            ("203.0.113.1:50001", RelayProtocol::Tls),
            ("203.0.113.1:50002", RelayProtocol::Tcp),
            ("203.0.113.1:50003", RelayProtocol::Udp),
            ("[2001:db8::3]:50004", RelayProtocol::Udp),
        ]
        .map(|(relayed, relay)| g.add_relayed(server, a(relayed), None, relay).unwrap());
        let host = g.add_host(a("10.0.0.1:5000")).unwrap();
        let p = |i: usize| g.candidates[i].candidate.priority;
        assert!(p(udp6) > p(udp) && p(udp) > p(tcp) && p(tcp) > p(tls));
        // Every relay still ranks below every host candidate.
        assert!(p(host) > p(udp6));
        // One server reached two ways: two foundations (RFC 8445 §5.1.1.3).
        let f = |i: usize| g.candidates[i].candidate.foundation.clone();
        assert_ne!(f(udp), f(tcp));
        assert_ne!(f(tcp), f(tls));
    }

    #[test]
    fn reflexive_candidates_dedupe_and_keep_their_base() {
        let mut g = Gatherer::default();
        let base = a("192.168.1.2:5000");
        let server = a("203.0.113.1:3478");
        g.add_host(base).unwrap();
        assert_eq!(g.add_server_reflexive(base, base, server), None);
        let s = g
            .add_server_reflexive(base, a("198.51.100.1:40000"), server)
            .unwrap();
        assert_eq!(g.candidates[s].base, base);
        assert_eq!(g.candidates[s].candidate.related, Some(base));
        assert!(!g.candidates[s].is_base());
        assert_eq!(
            g.add_server_reflexive(base, a("198.51.100.1:40000"), server),
            None
        );
        assert_eq!(g.find_base(base), Some(0));
        let host = &g.candidates[0].candidate;
        assert!(peer_reflexive_priority(host) > g.candidates[s].candidate.priority);
        assert!(peer_reflexive_priority(host) < host.priority);
    }
}
