//! ICE candidates (RFC 8445 §5.1): kinds, priorities, foundations, and the
//! `candidate:` attribute form used in SDP and trickle (RFC 8839 §5.1).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use crate::relay_protocol::RelayProtocol;

/// How the candidate's address was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// An address of a local interface.
    Host,
    /// The address a STUN server saw (our NAT's public side).
    ServerReflexive,
    /// An address a peer's check came from, learned during checks.
    PeerReflexive,
    /// An address on a TURN server that relays for us.
    Relayed,
}

impl CandidateKind {
    /// RFC 8445 §5.1.2.2 recommended type preferences.
    pub fn type_preference(self) -> u32 {
        match self {
            Self::Host => 126,
            Self::PeerReflexive => 110,
            Self::ServerReflexive => 100,
            Self::Relayed => 0,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relayed => "relay",
        }
    }
}

/// The transport of a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// UDP.
    Udp,
    /// TCP with its RFC 6544 type (active, passive, so).
    Tcp(TcpType),
}

/// RFC 6544 TCP candidate types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// Opens connections.
    Active,
    /// Accepts connections.
    Passive,
    /// Simultaneous open.
    So,
}

/// Where a candidate is: an IP address, or an mDNS name that hides a host
/// address (browsers' `<uuid>.local`), to be resolved before use.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CandidateAddress {
    /// A socket address.
    Ip(SocketAddr),
    /// An mDNS host name and a port.
    Mdns {
        /// The `.local` name.
        name: String,
        /// The port.
        port: u16,
    },
}

impl CandidateAddress {
    /// The socket address, if it is one.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        match self {
            Self::Ip(a) => Some(*a),
            Self::Mdns { .. } => None,
        }
    }
}

/// One ICE candidate.
///
/// ```
/// use sanderling_ice::candidate::{Candidate, CandidateKind};
/// let c: Candidate = "candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx raddr 10.0.0.2 rport 61665 generation 0"
///     .parse()
///     .unwrap();
/// assert_eq!(c.kind, CandidateKind::ServerReflexive);
/// assert_eq!(c.to_string().parse::<Candidate>().unwrap(), c);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// Candidates with equal foundations are alike (same type, base, server).
    pub foundation: String,
    /// Component (1 for RTP/data; data channels use only 1).
    pub component: u16,
    /// Transport.
    pub protocol: Protocol,
    /// Priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// Address.
    pub address: CandidateAddress,
    /// Kind.
    pub kind: CandidateKind,
    /// The related address (base or mapped address) for non-host candidates.
    pub related: Option<SocketAddr>,
    /// Extension attributes (`generation`, `ufrag`, `network-id`, ...), kept
    /// in order so they survive a round trip.
    pub extensions: Vec<(String, String)>,
}

/// RFC 8445 §5.1.2.1: priority from type preference, local preference and
/// component.
pub fn priority(kind: CandidateKind, local_preference: u16, component: u16) -> u32 {
    (kind.type_preference() << 24)
        + (u32::from(local_preference) << 8)
        + (256 - u32::from(component.clamp(1, 256)))
}

/// A foundation: equal for candidates of the same kind, base IP, protocol
/// and server (RFC 8445 §5.1.1.3). Deterministic, so both the agent and its
/// tests can predict it.
pub fn foundation(
    kind: CandidateKind,
    base: IpAddr,
    protocol: Protocol,
    server: Option<SocketAddr>,
) -> String {
    hashed(&format!("{kind:?}|{base}|{protocol:?}|{server:?}"))
}

/// The foundation of a relayed candidate: as [`foundation`], with the
/// transport that reaches the server (§5.1.1.3 counts it), so a UDP and a
/// TCP allocation on one server do not share a foundation.
pub fn relay_foundation(base: IpAddr, server: SocketAddr, relay: RelayProtocol) -> String {
    let kind = CandidateKind::Relayed;
    hashed(&format!(
        "{kind:?}|{base}|{:?}|{server}|{}",
        Protocol::Udp,
        relay.name()
    ))
}

/// FNV-1a over a canonical description; short, stable, not secret.
fn hashed(text: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.to_string()
}

/// Why a `candidate:` string was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid ICE candidate: {0}")]
pub struct CandidateParseError(pub String);

impl FromStr for Candidate {
    type Err = CandidateParseError;

    /// Parses the attribute value, with or without the `candidate:` prefix
    /// (and with an `a=` in front, as in SDP).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |what: &str| CandidateParseError(what.to_owned());
        let s = s.trim();
        let s = s.strip_prefix("a=").unwrap_or(s);
        let s = s.strip_prefix("candidate:").unwrap_or(s);
        let mut it = s.split_ascii_whitespace();
        let foundation = it
            .next()
            .ok_or_else(|| err("missing foundation"))?
            .to_owned();
        if foundation.is_empty() || foundation.len() > 32 {
            return Err(err("foundation must be 1 to 32 characters"));
        }
        let component: u16 = it
            .next()
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| err("bad component"))?;
        let transport = it
            .next()
            .ok_or_else(|| err("missing transport"))?
            .to_ascii_lowercase();
        let priority: u32 = it
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| err("bad priority"))?;
        let host = it.next().ok_or_else(|| err("missing address"))?;
        let port: u16 = it
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| err("bad port"))?;
        if it.next() != Some("typ") {
            return Err(err("missing typ"));
        }
        let kind = match it.next() {
            Some("host") => CandidateKind::Host,
            Some("srflx") => CandidateKind::ServerReflexive,
            Some("prflx") => CandidateKind::PeerReflexive,
            Some("relay") => CandidateKind::Relayed,
            _ => return Err(err("unknown candidate type")),
        };
        let address = match host.parse::<IpAddr>() {
            Ok(ip) => CandidateAddress::Ip(SocketAddr::new(ip, port)),
            Err(_) if host.ends_with(".local") && host.len() <= 255 => CandidateAddress::Mdns {
                name: host.to_owned(),
                port,
            },
            Err(_) => return Err(err("address is neither an IP nor an mDNS name")),
        };
        let mut related_ip: Option<IpAddr> = None;
        let mut related_port: Option<u16> = None;
        let mut tcp_type = None;
        let mut extensions = Vec::new();
        while let Some(key) = it.next() {
            let value = it.next().ok_or_else(|| err("extension without a value"))?;
            match key {
                "raddr" => related_ip = value.parse().ok(),
                "rport" => related_port = value.parse().ok(),
                "tcptype" => {
                    tcp_type = Some(match value {
                        "active" => TcpType::Active,
                        "passive" => TcpType::Passive,
                        "so" => TcpType::So,
                        _ => return Err(err("unknown tcptype")),
                    });
                }
                _ => {
                    if extensions.len() >= 32 {
                        return Err(err("too many extensions"));
                    }
                    extensions.push((key.to_owned(), value.to_owned()));
                }
            }
        }
        let protocol = match transport.as_str() {
            "udp" => Protocol::Udp,
            "tcp" => Protocol::Tcp(tcp_type.unwrap_or(TcpType::Passive)),
            _ => return Err(err("unknown transport")),
        };
        let related = match (related_ip, related_port) {
            (Some(ip), Some(port)) => Some(SocketAddr::new(ip, port)),
            _ => None,
        };
        Ok(Self {
            foundation,
            component,
            protocol,
            priority,
            address,
            kind,
            related,
            extensions,
        })
    }
}

impl fmt::Display for Candidate {
    /// The attribute value with its `candidate:` prefix, as in
    /// `RTCIceCandidate.candidate`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match self.protocol {
            Protocol::Udp => "udp",
            Protocol::Tcp(_) => "tcp",
        };
        let (host, port) = match &self.address {
            CandidateAddress::Ip(a) => (a.ip().to_string(), a.port()),
            CandidateAddress::Mdns { name, port } => (name.clone(), *port),
        };
        write!(
            f,
            "candidate:{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            transport,
            self.priority,
            host,
            port,
            self.kind.as_str()
        )?;
        if let Some(r) = self.related {
            write!(f, " raddr {} rport {}", r.ip(), r.port())?;
        }
        if let Protocol::Tcp(t) = self.protocol {
            let t = match t {
                TcpType::Active => "active",
                TcpType::Passive => "passive",
                TcpType::So => "so",
            };
            write!(f, " tcptype {t}")?;
        }
        for (k, v) in &self.extensions {
            write!(f, " {k} {v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_follow_rfc_8445() {
        assert_eq!(priority(CandidateKind::Host, 65535, 1), 2_130_706_431);
        assert_eq!(priority(CandidateKind::Relayed, 65535, 1), 16_777_215);
        assert!(
            priority(CandidateKind::Host, 0, 1) > priority(CandidateKind::PeerReflexive, 65535, 1)
        );
        assert!(
            priority(CandidateKind::PeerReflexive, 0, 1)
                > priority(CandidateKind::ServerReflexive, 65535, 1)
        );
    }

    #[test]
    fn foundations_group_alike_candidates() {
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let f = |ip, kind| foundation(kind, ip, Protocol::Udp, None);
        assert_eq!(f(a, CandidateKind::Host), f(a, CandidateKind::Host));
        assert_ne!(f(a, CandidateKind::Host), f(b, CandidateKind::Host));
        assert_ne!(
            f(a, CandidateKind::Host),
            f(a, CandidateKind::ServerReflexive)
        );
    }

    #[test]
    fn parses_what_browsers_and_aiortc_send() {
        let chrome = "candidate:2547193286 1 udp 2113937151 3c0bb1d9-67ad-4d6a-b8d4-5a3e6f1f2d5e.local 54321 typ host generation 0 ufrag Ab1c network-cost 999";
        let c: Candidate = chrome.parse().unwrap();
        assert_eq!(
            c.address,
            CandidateAddress::Mdns {
                name: "3c0bb1d9-67ad-4d6a-b8d4-5a3e6f1f2d5e.local".into(),
                port: 54321
            }
        );
        assert_eq!(c.extensions.len(), 3);
        assert_eq!(c.to_string(), chrome);
        let tcp: Candidate = "a=candidate:1 1 TCP 1518280447 192.168.1.5 9 typ host tcptype active"
            .parse()
            .unwrap();
        assert_eq!(tcp.protocol, Protocol::Tcp(TcpType::Active));
        let v6: Candidate =
            "candidate:3 1 udp 100 2001:db8::1 5000 typ relay raddr 2001:db8::2 rport 6000"
                .parse()
                .unwrap();
        assert_eq!(v6.related, Some("[2001:db8::2]:6000".parse().unwrap()));
        assert_eq!(v6.to_string().parse::<Candidate>().unwrap(), v6);
    }

    #[test]
    fn rejects_malformed_candidates() {
        for bad in [
            "",
            "candidate:",
            "candidate:1 x udp 1 1.2.3.4 5 typ host",
            "candidate:1 1 sctp 1 1.2.3.4 5 typ host",
            "candidate:1 1 udp 1 1.2.3.4 99999 typ host",
            "candidate:1 1 udp 1 example.com 5 typ host",
            "candidate:1 1 udp 1 1.2.3.4 5 host",
            "candidate:1 1 udp 1 1.2.3.4 5 typ weird",
            "candidate:1 1 udp 1 1.2.3.4 5 typ host generation",
        ] {
            assert!(bad.parse::<Candidate>().is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,120}") {
            let _ = s.parse::<Candidate>();
        }

        #[test]
        fn token_soup_never_panics(tokens in proptest::collection::vec(
            proptest::sample::select(vec!["candidate:1", "1", "udp", "tcp", "2130706431", "10.0.0.1", "::1", "x.local",
                "5000", "typ", "host", "srflx", "relay", "raddr", "rport", "tcptype", "so", "generation", "0"]), 0..20)) {
            let _ = tokens.join(" ").parse::<Candidate>();
        }
    }
}
