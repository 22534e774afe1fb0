//! ICE candidates (RFC 8839 §5.1, RFC 6544 §4.5 for TCP), in a description
//! (`a=candidate:...`) or trickled (`RTCIceCandidate.candidate`, the same
//! text after `a=`).
//!
//! ```text
//! candidate:<foundation> <component> <transport> <priority>
//!           <address> <port> typ <type>
//!           [raddr <address>] [rport <port>] *(<extension-name> <extension-value>)
//!
//! candidate:3327390950 1 udp 2113937151 cec38b46-...-86514b853919.local 52333
//!           typ host generation 0 ufrag PwTA network-cost 999      (Chromium)
//! candidate:1 1 TCP 2105524479 e8db65af-...-7ea51aee763f.local 9
//!           typ host tcptype active                                (Firefox)
//! ```
//!
//! The address is an IP address or a host name: browsers hide their host
//! addresses behind mDNS names (`<uuid>.local`), which stay names here
//! (resolving them is ICE's job). `tcptype` (RFC 6544) and the extensions
//! Chromium adds (`generation`, `ufrag`, `network-id`, `network-cost`) are
//! typed; any other extension is kept in order in
//! [`Candidate::extensions`]. [`Display`](fmt::Display) writes the
//! canonical order: `raddr rport tcptype generation ufrag network-id
//! network-cost`, then the other extensions, which is Chromium's order.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::attribute::{Attribute, names};
use crate::error::ValueError;
use crate::text::{fields, is_ice_char, is_token, parse_bounded, parse_u16, parse_u32};

/// The transport of a candidate.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Transport {
    /// `udp` (any case on input).
    Udp,
    /// `tcp` (RFC 6544; any case on input).
    Tcp,
    /// Another transport token, as written.
    Other(String),
}

impl Transport {
    fn parse(s: &str) -> Result<Self, ValueError> {
        if s.eq_ignore_ascii_case("udp") {
            Ok(Self::Udp)
        } else if s.eq_ignore_ascii_case("tcp") {
            Ok(Self::Tcp)
        } else if is_token(s) {
            Ok(Self::Other(s.to_owned()))
        } else {
            Err(ValueError::new("candidate transport", "not a token"))
        }
    }

    /// The transport as written in SDP (`udp`, `tcp` in lower case, as
    /// Chromium writes them).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Other(s) => s,
        }
    }
}

/// A candidate's (or related) address: an IP address or a host name, such
/// as the mDNS `<uuid>.local` names browsers use for host candidates.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum CandidateAddress {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A fully qualified domain name (letters, digits, `-`, `_`, `.`).
    Hostname(String),
}

impl CandidateAddress {
    /// Parses an IP address, or else a host name.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Ok(Self::Ip(ip));
        }
        let valid_name = !s.is_empty()
            && s.len() <= 253
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.bytes().any(|b| b.is_ascii_alphabetic());
        if valid_name {
            Ok(Self::Hostname(s.to_owned()))
        } else {
            Err(ValueError::new(
                "candidate address",
                "neither an IP address nor a host name",
            ))
        }
    }

    /// The IP address, if the address is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Self::Ip(ip) => Some(*ip),
            Self::Hostname(_) => None,
        }
    }

    /// Whether this is an mDNS name (ends in `.local`, RFC 6762), which ICE
    /// must resolve by multicast DNS before use.
    pub fn is_mdns(&self) -> bool {
        match self {
            Self::Ip(_) => false,
            Self::Hostname(name) => {
                let name = name.strip_suffix('.').unwrap_or(name);
                name.len() > ".local".len()
                    && name[name.len() - ".local".len()..].eq_ignore_ascii_case(".local")
            }
        }
    }
}

impl fmt::Display for CandidateAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => ip.fmt(f),
            Self::Hostname(name) => f.write_str(name),
        }
    }
}

/// The candidate type (`typ`).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum CandidateType {
    /// `host`: an address of the agent's own interface.
    Host,
    /// `srflx`: server reflexive, learnt from STUN.
    ServerReflexive,
    /// `prflx`: peer reflexive, learnt from a connectivity check.
    PeerReflexive,
    /// `relay`: allocated on a TURN server.
    Relay,
    /// Another type token, as written.
    Other(String),
}

impl CandidateType {
    fn parse(s: &str) -> Result<Self, ValueError> {
        Ok(match s {
            "host" => Self::Host,
            "srflx" => Self::ServerReflexive,
            "prflx" => Self::PeerReflexive,
            "relay" => Self::Relay,
            _ if is_token(s) => Self::Other(s.to_owned()),
            _ => return Err(ValueError::new("candidate type", "not a token")),
        })
    }

    /// The type as written in SDP.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Host => "host",
            Self::ServerReflexive => "srflx",
            Self::PeerReflexive => "prflx",
            Self::Relay => "relay",
            Self::Other(s) => s,
        }
    }
}

/// The TCP candidate type (RFC 6544 §4.5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TcpType {
    /// `active`: opens outgoing connections only (port 9 in the SDP).
    Active,
    /// `passive`: accepts incoming connections only.
    Passive,
    /// `so`: simultaneous open.
    SimultaneousOpen,
}

impl TcpType {
    fn parse(s: &str) -> Result<Self, ValueError> {
        match s {
            "active" => Ok(Self::Active),
            "passive" => Ok(Self::Passive),
            "so" => Ok(Self::SimultaneousOpen),
            _ => Err(ValueError::new(
                "candidate tcptype",
                "not active, passive or so",
            )),
        }
    }

    /// The type as written in SDP.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::SimultaneousOpen => "so",
        }
    }
}

/// One ICE candidate.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Candidate {
    /// 1 to 32 ice-chars (letters, digits, `+`, `/`).
    pub foundation: String,
    /// Component id, 1 to 256 (1 is RTP or data; 2 is RTCP without mux).
    pub component: u16,
    /// The transport.
    pub transport: Transport,
    /// The candidate's priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// IP address or (mDNS) host name.
    pub address: CandidateAddress,
    /// Port (9, the discard port, for TCP active candidates).
    pub port: u16,
    /// host, srflx, prflx, relay.
    pub typ: CandidateType,
    /// `raddr`: the related address (the base of a reflexive candidate, the
    /// mapped address of a relayed one); browsers may hide it as `0.0.0.0`.
    pub related_address: Option<CandidateAddress>,
    /// `rport`: the related port.
    pub related_port: Option<u16>,
    /// `tcptype` (RFC 6544), for TCP candidates.
    pub tcp_type: Option<TcpType>,
    /// `generation` (Chromium): the ICE generation, bumped by ICE restarts.
    pub generation: Option<u32>,
    /// `ufrag` (Chromium, trickled candidates): the ICE username fragment
    /// the candidate belongs to.
    pub ufrag: Option<String>,
    /// `network-id` (Chromium): the local network's id.
    pub network_id: Option<u32>,
    /// `network-cost` (Chromium): the network's cost (10 for Ethernet,
    /// 999 when unknown).
    pub network_cost: Option<u32>,
    /// Every other `name value` extension pair, in order.
    pub extensions: Vec<(String, String)>,
}

/// Most fields a candidate line may have; more is not a real candidate and
/// only makes the parser work.
const MAX_FIELDS: usize = 64;

impl Candidate {
    /// A candidate with the required fields and no optional ones.
    pub fn new(
        foundation: impl Into<String>,
        component: u16,
        transport: Transport,
        priority: u32,
        address: CandidateAddress,
        port: u16,
        typ: CandidateType,
    ) -> Self {
        Self {
            foundation: foundation.into(),
            component,
            transport,
            priority,
            address,
            port,
            typ,
            related_address: None,
            related_port: None,
            tcp_type: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            extensions: Vec::new(),
        }
    }

    /// Parses a candidate as a browser trickles it (`candidate:...`), as it
    /// stands in an SDP line (`a=candidate:...`), or without a prefix.
    ///
    /// The empty string (a browser's end-of-candidates signal) is not a
    /// candidate and gives an error; callers test for it first.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let s = s.trim_matches([' ', '\t', '\r', '\n']);
        let s = s.strip_prefix("a=").unwrap_or(s);
        let s = s.strip_prefix("candidate:").unwrap_or(s);
        Self::parse_value(s)
    }

    /// Parses a trickled candidate string as `addIceCandidate` receives it:
    /// `Ok(None)` for the end-of-candidates forms (the empty string browsers
    /// send, or `a=end-of-candidates` / `end-of-candidates`), else
    /// [`Candidate::parse`].
    pub fn parse_trickled(s: &str) -> Result<Option<Self>, ValueError> {
        let t = s.trim_matches([' ', '\t', '\r', '\n']);
        let t = t.strip_prefix("a=").unwrap_or(t);
        if t.is_empty() || t == names::END_OF_CANDIDATES {
            return Ok(None);
        }
        Self::parse(s).map(Some)
    }

    /// Parses the value of an `a=candidate` attribute (no prefix).
    pub fn parse_value(s: &str) -> Result<Self, ValueError> {
        let mut f = fields(s);
        let mut next = |what: &'static str| f.next().ok_or(ValueError::new(what, "missing"));
        let foundation = next("candidate foundation")?;
        if foundation.len() > 32 || !foundation.bytes().all(is_ice_char) {
            return Err(ValueError::new(
                "candidate foundation",
                "not 1 to 32 letters, digits, + or /",
            ));
        }
        let component = parse_bounded(
            next("candidate component")?,
            256,
            "candidate component",
            "not a number in 1..=256",
        )? as u16;
        if component == 0 {
            return Err(ValueError::new(
                "candidate component",
                "not a number in 1..=256",
            ));
        }
        let transport = Transport::parse(next("candidate transport")?)?;
        let priority = parse_u32(next("candidate priority")?, "candidate priority")?;
        let address = CandidateAddress::parse(next("candidate address")?)?;
        let port = parse_u16(next("candidate port")?, "candidate port")?;
        if next("candidate `typ`")? != "typ" {
            return Err(ValueError::new(
                "candidate",
                "`typ` expected after the port",
            ));
        }
        let typ = CandidateType::parse(next("candidate type")?)?;
        let mut candidate = Self::new(
            foundation, component, transport, priority, address, port, typ,
        );
        let mut count = 8;
        while let Some(name) = f.next() {
            count += 2;
            if count > MAX_FIELDS {
                return Err(ValueError::new("candidate", "too many extensions"));
            }
            let value = f.next().ok_or(ValueError::new(
                "candidate extension",
                "name without a value",
            ))?;
            candidate.set_extension(name, value)?;
        }
        Ok(candidate)
    }

    fn set_extension(&mut self, name: &str, value: &str) -> Result<(), ValueError> {
        fn once<T>(slot: &mut Option<T>, value: T, what: &'static str) -> Result<(), ValueError> {
            if slot.is_some() {
                return Err(ValueError::new(what, "appears twice"));
            }
            *slot = Some(value);
            Ok(())
        }
        match name {
            "raddr" => once(
                &mut self.related_address,
                CandidateAddress::parse(value).map_err(|_| {
                    ValueError::new("candidate raddr", "neither an IP address nor a host name")
                })?,
                "candidate raddr",
            ),
            "rport" => once(
                &mut self.related_port,
                parse_u16(value, "candidate rport")?,
                "candidate rport",
            ),
            "tcptype" => once(
                &mut self.tcp_type,
                TcpType::parse(value)?,
                "candidate tcptype",
            ),
            "generation" => once(
                &mut self.generation,
                parse_u32(value, "candidate generation")?,
                "candidate generation",
            ),
            "ufrag" => once(&mut self.ufrag, value.to_owned(), "candidate ufrag"),
            "network-id" => once(
                &mut self.network_id,
                parse_u32(value, "candidate network-id")?,
                "candidate network-id",
            ),
            "network-cost" => once(
                &mut self.network_cost,
                parse_u32(value, "candidate network-cost")?,
                "candidate network-cost",
            ),
            _ => {
                self.extensions.push((name.to_owned(), value.to_owned()));
                Ok(())
            }
        }
    }

    /// The value of the `a=candidate` attribute (no `candidate:` prefix).
    pub fn to_value(&self) -> String {
        let mut s = String::with_capacity(96);
        self.write_value(&mut s)
            .expect("writing to a String cannot fail");
        s
    }

    /// This candidate as an `a=candidate` attribute.
    pub fn to_attribute(&self) -> Attribute {
        Attribute::new(names::CANDIDATE, self.to_value())
    }

    fn write_value(&self, f: &mut impl fmt::Write) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport.as_str(),
            self.priority,
            self.address,
            self.port,
            self.typ.as_str()
        )?;
        if let Some(a) = &self.related_address {
            write!(f, " raddr {a}")?;
        }
        if let Some(p) = self.related_port {
            write!(f, " rport {p}")?;
        }
        if let Some(t) = self.tcp_type {
            write!(f, " tcptype {}", t.as_str())?;
        }
        if let Some(g) = self.generation {
            write!(f, " generation {g}")?;
        }
        if let Some(u) = &self.ufrag {
            write!(f, " ufrag {u}")?;
        }
        if let Some(n) = self.network_id {
            write!(f, " network-id {n}")?;
        }
        if let Some(c) = self.network_cost {
            write!(f, " network-cost {c}")?;
        }
        for (name, value) in &self.extensions {
            write!(f, " {name} {value}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Candidate {
    /// The trickle form, `candidate:<value>`, as `RTCIceCandidate.candidate`
    /// carries it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("candidate:")?;
        self.write_value(f)
    }
}

impl FromStr for Candidate {
    type Err = ValueError;

    /// Same as [`Candidate::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    #[test]
    fn chromium_trickled_mdns_host() {
        let s = "candidate:3327390950 1 udp 2113937151 \
                 cec38b46-15f4-42f8-a3e9-86514b853919.local 52333 typ host \
                 generation 0 ufrag PwTA network-cost 999";
        let c = Candidate::parse(s).unwrap();
        assert_eq!(c.foundation, "3327390950");
        assert_eq!(c.component, 1);
        assert_eq!(c.transport, Transport::Udp);
        assert_eq!(c.priority, 2113937151);
        assert!(c.address.is_mdns());
        assert_eq!(c.address.ip(), None);
        assert_eq!(c.port, 52333);
        assert_eq!(c.typ, CandidateType::Host);
        assert_eq!(c.generation, Some(0));
        assert_eq!(c.ufrag.as_deref(), Some("PwTA"));
        assert_eq!(c.network_id, None);
        assert_eq!(c.network_cost, Some(999));
        assert!(c.extensions.is_empty());
        assert_eq!(c.to_string(), s);
    }

    #[test]
    fn srflx_and_relay_with_related_address() {
        let s = "candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx \
                 raddr 0.0.0.0 rport 0 generation 0 network-id 1 network-cost 10";
        let c = Candidate::parse(s).unwrap();
        assert_eq!(c.typ, CandidateType::ServerReflexive);
        assert_eq!(
            c.related_address,
            Some(CandidateAddress::Ip(Ipv4Addr::UNSPECIFIED.into()))
        );
        assert_eq!(c.related_port, Some(0));
        assert_eq!(c.network_id, Some(1));
        assert_eq!(c.to_string(), s);

        let c = Candidate::parse(
            "a=candidate:3 1 UDP 92216831 2001:db8::1 50000 typ relay raddr 2001:db8::2 rport 4000",
        )
        .unwrap();
        assert_eq!(c.typ, CandidateType::Relay);
        assert_eq!(
            c.address,
            CandidateAddress::Ip(IpAddr::V6("2001:db8::1".parse::<Ipv6Addr>().unwrap()))
        );
        assert_eq!(c.related_port, Some(4000));
    }

    #[test]
    fn tcp_candidates() {
        let c =
            Candidate::parse("1 1 TCP 2105524479 198.18.0.1 9 typ host tcptype active").unwrap();
        assert_eq!(c.transport, Transport::Tcp);
        assert_eq!(c.tcp_type, Some(TcpType::Active));
        assert_eq!(
            c.to_value(),
            "1 1 tcp 2105524479 198.18.0.1 9 typ host tcptype active"
        );
        assert!(Candidate::parse("1 1 tcp 1 198.18.0.1 9 typ host tcptype sideways").is_err());
    }

    #[test]
    fn unknown_extensions_and_types_are_kept() {
        let c = Candidate::parse("candidate:abc+/ 2 sctp 5 host.example 1 typ weird x-foo bar y 1")
            .unwrap();
        assert_eq!(c.transport, Transport::Other("sctp".into()));
        assert_eq!(c.typ, CandidateType::Other("weird".into()));
        assert_eq!(c.address, CandidateAddress::Hostname("host.example".into()));
        assert!(!c.address.is_mdns());
        assert_eq!(
            c.extensions,
            [("x-foo".into(), "bar".into()), ("y".into(), "1".into())]
        );
        assert_eq!(Candidate::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn malformed_candidates() {
        let cases = [
            ("", "candidate foundation"),
            ("candidate:", "candidate foundation"),
            ("1 1 udp 1 1.2.3.4 5 typ", "candidate type"),
            ("1 1 udp 1 1.2.3.4 5 host", "candidate"),
            ("1 0 udp 1 1.2.3.4 5 typ host", "candidate component"),
            ("1 257 udp 1 1.2.3.4 5 typ host", "candidate component"),
            (
                "1 1 udp 4294967296 1.2.3.4 5 typ host",
                "candidate priority",
            ),
            (
                "1 1 udp 99999999999999999999999 1.2.3.4 5 typ host",
                "candidate priority",
            ),
            ("1 1 udp 1 1.2.3.4 65536 typ host", "candidate port"),
            ("1 1 udp 1 !!! 5 typ host", "candidate address"),
            ("1 1 udp 1 1.2.3.4 5 typ host raddr", "candidate extension"),
            ("1 1 udp 1 1.2.3.4 5 typ host rport x", "candidate rport"),
            (
                "1 1 udp 1 1.2.3.4 5 typ host rport 1 rport 2",
                "candidate rport",
            ),
            (
                "1 1 udp 1 1.2.3.4 5 typ host generation -1",
                "candidate generation",
            ),
            (
                "123456789012345678901234567890123 1 udp 1 1.2.3.4 5 typ host",
                "candidate foundation",
            ),
            ("f:x 1 udp 1 1.2.3.4 5 typ host", "candidate foundation"),
        ];
        for (input, what) in cases {
            let e = Candidate::parse(input).unwrap_err();
            assert_eq!(e.what, what, "{input:?}: {e}");
        }
        let many = format!("1 1 udp 1 1.2.3.4 5 typ host{}", " a b".repeat(40));
        assert_eq!(
            Candidate::parse(&many).unwrap_err().reason,
            "too many extensions"
        );
    }

    #[test]
    fn trickled_end_of_candidates() {
        for end in ["", " ", "\r\n", "end-of-candidates", "a=end-of-candidates"] {
            assert_eq!(Candidate::parse_trickled(end), Ok(None), "{end:?}");
        }
        let c = Candidate::parse_trickled("candidate:1 1 udp 1 198.18.0.1 5 typ host").unwrap();
        assert_eq!(c.map(|c| c.port), Some(5));
        assert!(Candidate::parse_trickled("candidate:").is_err());
    }

    #[test]
    fn mdns_detection() {
        let name = |s: &str| CandidateAddress::Hostname(s.into());
        assert!(name("abc.local").is_mdns());
        assert!(name("abc.LOCAL.").is_mdns());
        assert!(!name(".local").is_mdns());
        assert!(!name("local").is_mdns());
        assert!(!name("example.com").is_mdns());
    }
}
