//! [`Configuration`]: W3C `RTCConfiguration` plus what a program (not a
//! browser) wants to choose: interfaces, ports, buffers.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use sanderling_dtls::Certificate;
use sanderling_ice::turn::TlsSettings;
use sanderling_ice::turn::rustls::pki_types::{CertificateDer, ServerName};
use sanderling_ice::turn::rustls::{ClientConfig, RootCertStore};
use sanderling_ice::{IceConfig, InterfaceMatch};
use sanderling_sctp::options::CongestionControl;

use crate::error::Error;

/// W3C `RTCIceServer`: one STUN or TURN server and its credentials.
///
/// ```
/// use sanderling::IceServer;
/// let stun = IceServer::new("stun:stun.example.org:3478");
/// let turn = IceServer::with_credentials("turn:turn.example.org?transport=udp", "user", "secret");
/// assert_eq!(turn.username.as_deref(), Some("user"));
/// # let _ = stun;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IceServer {
    /// `stun:`, `stuns:`, `turn:` or `turns:` URLs (RFC 7064, RFC 7065).
    pub urls: Vec<String>,
    /// The TURN username.
    pub username: Option<String>,
    /// The TURN password.
    pub credential: Option<String>,
}

impl IceServer {
    /// A server without credentials (STUN).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            urls: vec![url.into()],
            ..Self::default()
        }
    }

    /// A server with credentials (TURN).
    pub fn with_credentials(
        url: impl Into<String>,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        Self {
            urls: vec![url.into()],
            username: Some(username.into()),
            credential: Some(credential.into()),
        }
    }
}

/// W3C `RTCIceTransportPolicy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IceTransportPolicy {
    /// Every candidate: host, server-reflexive, relayed.
    #[default]
    All,
    /// Relayed candidates only (hides the local addresses).
    Relay,
}

/// Which certificates a `turns:` server (TURN over TLS) may present.
///
/// A browser always uses the system's trust store; a program may need to
/// trust a private CA or a test server's self-signed certificate, or bring
/// its own rustls configuration.
#[derive(Clone, Debug, Default)]
pub enum TurnTlsTrust {
    /// The operating system's trust store (read when a connection with a
    /// `turns:` server is made).
    #[default]
    System,
    /// Only these certificates (DER), as trust anchors: a private CA, or a
    /// self-signed server certificate to pin.
    Certificates(Vec<CertificateDer<'static>>),
    /// A ready rustls client configuration (its own verifier, client
    /// certificates, protocol versions).
    Config(Arc<ClientConfig>),
}

impl TurnTlsTrust {
    /// The TLS settings for a `turns:` server named `host` in its URL (a
    /// DNS name, or an IP address its certificate must carry).
    pub(crate) fn settings(&self, host: &str) -> Result<TlsSettings, Error> {
        let name = match host.parse::<IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => ServerName::try_from(host.to_owned())
                .map_err(|e| Error::Syntax(format!("TURN server name {host:?}: {e}")))?,
        };
        let roots = match self {
            Self::Config(config) => return Ok(TlsSettings::new(config.clone(), name)),
            Self::System => {
                let loaded = rustls_native_certs::load_native_certs();
                for e in &loaded.errors {
                    tracing::debug!(error = %e, "system trust store");
                }
                let mut roots = RootCertStore::empty();
                let (added, _) = roots.add_parsable_certificates(loaded.certs);
                if added == 0 {
                    // TLS will fail, and say so in an icecandidateerror.
                    tracing::warn!("no certificates in the system trust store");
                }
                roots
            }
            Self::Certificates(certs) => {
                let mut roots = RootCertStore::empty();
                for c in certs {
                    roots.add(c.clone()).map_err(|e| {
                        Error::Type(format!("turn_tls_trust: unusable certificate: {e}"))
                    })?;
                }
                roots
            }
        };
        TlsSettings::with_roots(roots, name).map_err(|e| Error::Operation(e.to_string()))
    }
}

/// W3C `RTCBundlePolicy`. A data-only connection has one media section, so
/// every policy gives the same descriptions; it is kept for the
/// configuration to read back as set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BundlePolicy {
    /// `balanced` (the W3C default).
    #[default]
    Balanced,
    /// `max-compat`.
    MaxCompat,
    /// `max-bundle`.
    MaxBundle,
}

/// How a [`PeerConnection`](crate::PeerConnection) is set up.
///
/// `Configuration::default()` has no ICE servers (like a browser, unlike
/// aiortc, which adds Google's STUN server), offers IPv4 and IPv6 host
/// candidates on every interface but loopback, binds any free port and
/// makes a fresh certificate.
///
/// ```
/// use sanderling::{Configuration, IceServer};
/// let config = Configuration {
///     ice_servers: vec![IceServer::new("stun:192.0.2.1:3478")],
///     include_loopback: true,
///     port_range: Some(40000..=40100),
///     ..Configuration::default()
/// };
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
pub struct Configuration {
    /// STUN and TURN servers (W3C `iceServers`). STUN servers are asked for
    /// server-reflexive candidates, TURN servers for relayed ones: over UDP
    /// (`turn:host`), TCP (`turn:host?transport=tcp`) or TLS over TCP
    /// (`turns:host`, checked against [`turn_tls_trust`](Self::turn_tls_trust)).
    /// `stuns:` URLs are accepted and not used.
    pub ice_servers: Vec<IceServer>,
    /// W3C `iceTransportPolicy`. `Relay` offers relayed candidates only
    /// (and needs a TURN server: without one,
    /// [`PeerConnection::new`](crate::PeerConnection::new) refuses it with
    /// [`Error::NotSupported`]).
    pub ice_transport_policy: IceTransportPolicy,
    /// The certificates `turns:` servers are checked against. Default: the
    /// system's trust store.
    pub turn_tls_trust: TurnTlsTrust,
    /// W3C `bundlePolicy`.
    pub bundle_policy: BundlePolicy,
    /// W3C `certificates`: the DTLS identity (the first one is used). Empty:
    /// a new ECDSA P-256 certificate per connection.
    pub certificates: Vec<Certificate>,
    /// Offer loopback addresses (127.0.0.1, ::1) as host candidates. Off by
    /// default, like browsers; two peers on one host want it. Loopback is
    /// also used when the host has no other interface.
    pub include_loopback: bool,
    /// Offer IPv6 host candidates (IPv4 is always offered). Link-local
    /// addresses are never used.
    pub ipv6: bool,
    /// When not empty, only these interfaces are used: each entry is an
    /// interface name (`eth0`) or one of its addresses (`127.0.0.1`).
    pub interfaces: Vec<String>,
    /// These interfaces (names or addresses) are never used.
    pub exclude_interfaces: Vec<String>,
    /// Local UDP ports to bind (`None`: any free port).
    pub port_range: Option<RangeInclusive<u16>>,
    /// Send and receive buffer of each UDP socket, in bytes. Several MiB so
    /// that bursts are not dropped by the kernel (drops turn into
    /// retransmission timeouts); the kernel may cap it (`net.core.rmem_max`).
    pub socket_buffer_size: usize,
    /// The largest message we accept, announced as `a=max-message-size`.
    pub max_message_size: usize,
    /// SCTP's congestion controller. `NewReno` (RFC 9260, the default) is
    /// fastest on short paths; `Bbr` keeps a long path with random loss
    /// full where NewReno collapses (`sanderling bench --mode lossy`: 90 %
    /// of a 100 Mbit/s, 50 ms path at 1 % loss against 2 %).
    pub congestion_control: CongestionControl,
    /// The SCTP receive window: bytes of received messages the
    /// application has not read yet, across the connection's channels,
    /// beyond which the peer must wait (flow control; see
    /// [`DataChannel::recv`](crate::DataChannel::recv)). One message more
    /// may arrive so that a message larger than the window can finish.
    pub receive_buffer_size: usize,
    /// SNAP (draft-hancke-tsvwg-snap): our SCTP INIT goes in the offer or
    /// answer (`a=sctp-init`), and when the peer's description has one
    /// too, SCTP opens with DTLS instead of after its own four-way
    /// handshake, so the first channel opens two one-way trips sooner.
    /// Peers that do not know it (most) ignore the line and the handshake
    /// runs. On by default; Chromium (behind its `WebRTC-Sctp-Snap` field
    /// trial) and str0m speak it. See [`SctpFeatures::snap`](crate::SctpFeatures::snap).
    pub snap: bool,
    /// How long the lookup of a peer's mDNS candidate (`<uuid>.local`, RFC
    /// 6762 one-shot query, asked again twice meanwhile) waits for an
    /// answer before the candidate is given up. Default 3 s.
    pub mdns_timeout: Duration,
    /// Where mDNS queries go. Default `224.0.0.251:5353` and
    /// `[ff02::fb]:5353` (IPv6 destinations only when [`ipv6`](Self::ipv6)
    /// is on); a test can point it at a responder of its own on loopback.
    pub mdns_destinations: Vec<SocketAddr>,
    /// While the connection is being set up (ICE checking to DTLS done),
    /// how long the driver keeps polling its sockets before it sleeps. The
    /// handshake waits for the peer some six times (ICE check, DTLS
    /// flights, the first channel);
    /// a reply that comes within this budget is handled without the
    /// wake-up of a sleeping thread, which costs tens of microseconds on a
    /// virtual machine (`sanderling bench --mode setup`: ~0.1 ms less per
    /// connection on loopback). It costs at most this much CPU per wait,
    /// only until the connection is up, and a connection stops after
    /// eight waits that nothing ended within the budget (a path whose
    /// replies take longer, a WAN): at most eight budgets of CPU per
    /// connection there. It pays only on idle cores: on a machine busy
    /// with other work the spinning thread takes a core that work (or the
    /// peer's crypto, with both peers in one process) needs, and set-up is
    /// slower than without. Default 150 µs; zero turns it off; at most
    /// 10 ms.
    pub connecting_spin: Duration,
    /// How long ICE keeps hoping when no candidate pair can work (none
    /// signalled, or all failed): the peer's checks may still reveal a
    /// peer-reflexive candidate. RFC 8863's PAC timer, 39.5 s by default;
    /// `IceConnectionState::Failed` comes no sooner.
    pub ice_pac_timeout: Duration,
}

impl Default for Configuration {
    fn default() -> Self {
        Self {
            ice_servers: Vec::new(),
            ice_transport_policy: IceTransportPolicy::All,
            bundle_policy: BundlePolicy::Balanced,
            certificates: Vec::new(),
            include_loopback: false,
            ipv6: true,
            interfaces: Vec::new(),
            exclude_interfaces: Vec::new(),
            port_range: None,
            socket_buffer_size: 4 << 20,
            max_message_size: 256 << 10,
            receive_buffer_size: 4 << 20,
            congestion_control: CongestionControl::NewReno,
            snap: true,
            turn_tls_trust: TurnTlsTrust::System,
            mdns_timeout: Duration::from_secs(3),
            mdns_destinations: vec![
                sanderling_ice::mdns_query::MDNS_V4,
                sanderling_ice::mdns_query::MDNS_V6,
            ],
            ice_pac_timeout: IceConfig::default().pac_timeout,
            connecting_spin: Duration::from_micros(150),
        }
    }
}

/// How a TURN server is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TurnKind {
    Udp,
    Tcp,
    Tls,
}

impl TurnKind {
    /// As the TURN client names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
        }
    }
}

/// A TURN server to allocate a relayed candidate on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TurnServer {
    pub(crate) addr: SocketAddr,
    pub(crate) kind: TurnKind,
    /// The URL's host: the name a TLS server's certificate must carry.
    pub(crate) host: String,
    /// The URL as configured (for error events).
    pub(crate) url: String,
    pub(crate) username: String,
    pub(crate) credential: String,
}

/// The servers a configuration names, resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Servers {
    pub(crate) stun: Vec<SocketAddr>,
    pub(crate) turn: Vec<TurnServer>,
}

/// A parsed `stun:`/`turn:` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerUrl {
    pub(crate) turn: bool,
    pub(crate) secure: bool,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) transport: Option<String>,
}

impl ServerUrl {
    /// Parses RFC 7064/7065 URLs: `stun:host[:port]`,
    /// `turn:host[:port][?transport=udp|tcp]` and their `s` forms.
    pub(crate) fn parse(url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::Syntax(format!("ICE server URL {url:?}: {why}"));
        let (scheme, rest) = url.split_once(':').ok_or_else(|| bad("no scheme"))?;
        let (turn, secure) = match scheme.to_ascii_lowercase().as_str() {
            "stun" => (false, false),
            "stuns" => (false, true),
            "turn" => (true, false),
            "turns" => (true, true),
            _ => return Err(bad("the scheme must be stun, stuns, turn or turns")),
        };
        let (hostport, query) = match rest.split_once('?') {
            Some((h, q)) => (h, Some(q)),
            None => (rest, None),
        };
        let transport = match query {
            None => None,
            Some(_) if !turn => return Err(bad("a stun URL takes no query")),
            Some(q) => match q.strip_prefix("transport=") {
                Some(t @ ("udp" | "tcp")) => Some(t.to_owned()),
                _ => return Err(bad("the query must be transport=udp or transport=tcp")),
            },
        };
        let default_port = if secure { 5349 } else { 3478 };
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad("bad port"))?,
                None if after.is_empty() => default_port,
                None => return Err(bad("junk after the address")),
            };
            (h.to_owned(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), p.parse().map_err(|_| bad("bad port"))?),
                None => (hostport.to_owned(), default_port),
            }
        };
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(bad("bad host"));
        }
        Ok(Self {
            turn,
            secure,
            host,
            port,
            transport,
        })
    }

    /// The server's addresses (a name is looked up, blocking).
    pub(crate) fn resolve(&self) -> Vec<SocketAddr> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return vec![SocketAddr::new(ip, self.port)];
        }
        match (self.host.as_str(), self.port).to_socket_addrs() {
            Ok(addrs) => addrs.collect(),
            Err(e) => {
                tracing::warn!(host = %self.host, error = %e, "cannot resolve ICE server");
                Vec::new()
            }
        }
    }
}

impl Configuration {
    /// Checks the configuration (W3C `setConfiguration` rules) and returns
    /// the servers to use.
    pub(crate) fn validate(&self) -> Result<Servers, Error> {
        let mut servers = Servers::default();
        for server in &self.ice_servers {
            if server.urls.is_empty() {
                return Err(Error::Syntax("an ICE server without URLs".into()));
            }
            for url in &server.urls {
                let parsed = ServerUrl::parse(url)?;
                if parsed.turn {
                    let (Some(username), Some(credential)) = (&server.username, &server.credential)
                    else {
                        return Err(Error::InvalidAccess(format!(
                            "TURN server {url:?} needs a username and a credential"
                        )));
                    };
                    let kind = match (parsed.secure, parsed.transport.as_deref()) {
                        (false, Some("tcp")) => TurnKind::Tcp,
                        (false, _) => TurnKind::Udp,
                        (true, None | Some("tcp")) => TurnKind::Tls,
                        (true, Some(_)) => {
                            // turns: over UDP would be DTLS (RFC 7350).
                            tracing::warn!(%url, "TURN over DTLS is not supported; not used");
                            continue;
                        }
                    };
                    for addr in parsed.resolve() {
                        servers.turn.push(TurnServer {
                            addr,
                            kind,
                            host: parsed.host.clone(),
                            url: url.clone(),
                            username: username.clone(),
                            credential: credential.clone(),
                        });
                    }
                } else if !parsed.secure {
                    servers.stun.extend(parsed.resolve());
                }
            }
        }
        if self.ice_transport_policy == IceTransportPolicy::Relay && servers.turn.is_empty() {
            return Err(Error::NotSupported(
                "iceTransportPolicy relay needs a TURN server".into(),
            ));
        }
        if self
            .port_range
            .as_ref()
            .is_some_and(|r| r.is_empty() || *r.start() == 0)
        {
            return Err(Error::Type(
                "port_range must be a non-empty range of ports from 1".into(),
            ));
        }
        if self.connecting_spin > Duration::from_millis(10) {
            return Err(Error::Type("connecting_spin must be at most 10 ms".into()));
        }
        if self.mdns_timeout.is_zero() {
            return Err(Error::Type("mdns_timeout must be positive".into()));
        }
        if self.max_message_size == 0 || self.receive_buffer_size == 0 {
            return Err(Error::Type(
                "max_message_size and receive_buffer_size must be positive".into(),
            ));
        }
        Ok(servers)
    }

    /// The ICE agent's settings that come from here.
    pub(crate) fn ice_config(&self, stun_servers: Vec<SocketAddr>) -> IceConfig {
        IceConfig {
            stun_servers,
            include_loopback: self.include_loopback,
            ipv4: true,
            ipv6: self.ipv6,
            interface_include: self.interfaces.iter().map(|n| interface_match(n)).collect(),
            interface_exclude: self
                .exclude_interfaces
                .iter()
                .map(|n| interface_match(n))
                .collect(),
            port_range: self.port_range.clone(),
            // The driver answers every lookup within `mdns_timeout`; the
            // agent's own expiry is only a backstop.
            mdns_timeout: self.mdns_timeout + Duration::from_secs(60),
            pac_timeout: self.ice_pac_timeout,
            ..IceConfig::default()
        }
    }
}

/// An address if it parses as one, else a name.
fn interface_match(text: &str) -> InterfaceMatch {
    match text.parse::<IpAddr>() {
        Ok(ip) => InterfaceMatch::Ip(ip),
        Err(_) => InterfaceMatch::Name(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_server_urls() {
        let u = ServerUrl::parse("stun:192.0.2.1").unwrap();
        assert_eq!(
            (u.turn, u.port, u.host.as_str()),
            (false, 3478, "192.0.2.1")
        );
        let u = ServerUrl::parse("turns:example.org?transport=tcp").unwrap();
        assert_eq!((u.turn, u.secure, u.port), (true, true, 5349));
        assert_eq!(u.transport.as_deref(), Some("tcp"));
        let u = ServerUrl::parse("turn:[2001:db8::1]:3479").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("2001:db8::1", 3479));
        for bad in [
            "http://x",
            "stun:x?transport=udp",
            "turn:x?transport=sctp",
            "stun:",
            "stun:x:port",
            "nourl",
        ] {
            assert!(ServerUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tls_trust_settings() {
        let garbage = TurnTlsTrust::Certificates(vec![CertificateDer::from(vec![1, 2, 3])]);
        assert!(matches!(garbage.settings("127.0.0.1"), Err(Error::Type(_))));
        let ip = TurnTlsTrust::Certificates(Vec::new())
            .settings("127.0.0.1")
            .unwrap();
        assert!(matches!(ip.server_name, ServerName::IpAddress(_)));
        let dns = TurnTlsTrust::System.settings("turn.example.org").unwrap();
        assert!(matches!(dns.server_name, ServerName::DnsName(_)));
        assert!(matches!(
            TurnTlsTrust::System.settings("not a name"),
            Err(Error::Syntax(_))
        ));
    }

    #[test]
    fn validates() {
        let ok = Configuration {
            ice_servers: vec![IceServer::new("stun:192.0.2.1:19302")],
            ..Configuration::default()
        };
        assert_eq!(
            ok.validate().unwrap().stun,
            vec!["192.0.2.1:19302".parse().unwrap()]
        );
        let long_spin = Configuration {
            connecting_spin: Duration::from_millis(11),
            ..Configuration::default()
        };
        assert!(matches!(long_spin.validate(), Err(Error::Type(_))));
        let no_spin = Configuration {
            connecting_spin: Duration::ZERO,
            ..Configuration::default()
        };
        assert!(no_spin.validate().is_ok());
        let turn_without_credentials = Configuration {
            ice_servers: vec![IceServer::new("turn:192.0.2.1")],
            ..Configuration::default()
        };
        assert!(matches!(
            turn_without_credentials.validate(),
            Err(Error::InvalidAccess(_))
        ));
        let turn = Configuration {
            ice_servers: vec![IceServer::with_credentials("turn:192.0.2.1", "u", "p")],
            ..Configuration::default()
        };
        let servers = turn.validate().unwrap();
        assert!(servers.stun.is_empty());
        assert_eq!(servers.turn[0].addr, "192.0.2.1:3478".parse().unwrap());
        assert_eq!(servers.turn[0].kind, TurnKind::Udp);
        let kinds = Configuration {
            ice_servers: vec![IceServer {
                urls: vec![
                    "turn:192.0.2.1?transport=tcp".into(),
                    "turns:192.0.2.1".into(),
                    "turns:192.0.2.1?transport=udp".into(),
                ],
                ..IceServer::with_credentials("", "u", "p")
            }],
            ..Configuration::default()
        };
        let servers = kinds.validate().unwrap();
        let got: Vec<_> = servers
            .turn
            .iter()
            .map(|t| (t.kind, t.addr.port()))
            .collect();
        assert_eq!(got, vec![(TurnKind::Tcp, 3478), (TurnKind::Tls, 5349)]);
        assert_eq!(servers.turn[0].username, "u");
        let relay_with_turn = Configuration {
            ice_transport_policy: IceTransportPolicy::Relay,
            ..turn
        };
        assert!(relay_with_turn.validate().is_ok());
        let relay = Configuration {
            ice_transport_policy: IceTransportPolicy::Relay,
            ..Configuration::default()
        };
        assert!(matches!(relay.validate(), Err(Error::NotSupported(_))));
    }
}
