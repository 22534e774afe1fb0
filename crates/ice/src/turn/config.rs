//! [`TurnConfig`]: the server, the transport to it, the credentials, and
//! every knob with its default and why.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

use super::error::TurnError;

/// How the client reaches the TURN server (RFC 8656 §3.1). The relayed
/// transport towards peers is UDP in every case.
#[derive(Clone, Debug)]
pub enum TurnTransport {
    /// UDP: each output is one datagram; requests are retransmitted.
    Udp,
    /// TCP: the output is a byte stream the caller writes to one
    /// connection it owns; no retransmissions.
    Tcp,
    /// TLS over TCP: like [`Tcp`](Self::Tcp), with rustls running inside
    /// the client, so the caller moves ciphertext only.
    Tls(TlsSettings),
}

impl TurnTransport {
    /// Whether the transport is a byte stream (TCP or TLS).
    pub const fn is_stream(&self) -> bool {
        !matches!(self, Self::Udp)
    }

    /// The transport's name as in an ICE URL's `transport` parameter or a
    /// `turns:` scheme: `udp`, `tcp` or `tls`.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls(_) => "tls",
        }
    }
}

/// What TURN over TLS needs: a rustls client configuration (its root
/// store, protocol versions and crypto provider) and the name the server's
/// certificate must carry.
///
/// Certificate validity is checked against the configuration's time
/// provider (the wall clock by default) and the handshake's randomness comes
/// from its crypto provider: the two inputs this sans-IO client does not
/// take as arguments.
#[derive(Clone)]
pub struct TlsSettings {
    /// The rustls configuration.
    pub config: Arc<ClientConfig>,
    /// The server's name (SNI and certificate check): a DNS name, or an IP
    /// address for certificates that carry one.
    pub server_name: ServerName<'static>,
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("server_name", &self.server_name)
            .field("alpn_protocols", &self.config.alpn_protocols)
            .finish_non_exhaustive()
    }
}

impl TlsSettings {
    /// Settings from a ready rustls configuration.
    pub fn new(config: Arc<ClientConfig>, server_name: ServerName<'static>) -> Self {
        Self {
            config,
            server_name,
        }
    }

    /// Settings that trust the certificates in `roots`, with rustls's safe
    /// default protocol versions (TLS 1.2 and 1.3) on the aws-lc-rs
    /// provider, the crypto library of the whole tree.
    pub fn with_roots(
        roots: RootCertStore,
        server_name: ServerName<'static>,
    ) -> Result<Self, TurnError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TurnError::TlsSetup(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self::new(Arc::new(config), server_name))
    }

    /// Settings that trust exactly `certificate` (DER), for a server with a
    /// self-signed certificate: tests, or a deployment that pins its TURN
    /// server's certificate.
    pub fn trusting(
        certificate: CertificateDer<'static>,
        server_name: ServerName<'static>,
    ) -> Result<Self, TurnError> {
        let mut roots = RootCertStore::empty();
        roots
            .add(certificate)
            .map_err(|e| TurnError::TlsSetup(e.to_string()))?;
        Self::with_roots(roots, server_name)
    }
}

/// The address family of the relayed address to ask for (RFC 8656 §7.1,
/// REQUESTED-ADDRESS-FAMILY).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum RelayFamily {
    /// IPv4, the default when the attribute is absent.
    #[default]
    V4,
    /// IPv6.
    V6,
}

/// Everything a [`TurnClient`](super::TurnClient) needs.
///
/// Build one with [`TurnConfig::new`] and adjust fields; every default is
/// documented on its field.
#[derive(Clone)]
pub struct TurnConfig {
    /// The TURN server's address.
    pub server: SocketAddr,
    /// How the server is reached.
    pub transport: TurnTransport,
    /// Long-term credential user name.
    pub username: String,
    /// Long-term credential password.
    pub password: String,
    /// Allocation lifetime to ask for in Allocate and Refresh. Default 600 s
    /// (RFC 8656's default); the server may grant less.
    pub lifetime: Duration,
    /// Which family of relayed address to ask for. Default IPv4.
    pub relay_family: RelayFamily,
    /// Seed of the generator for transaction ids (ChaCha20).
    pub seed: [u8; 32],
    /// Initial retransmission timeout for requests over UDP. Default 500 ms
    /// (RFC 8489 §6.2.1); doubled on each of the 6 retransmissions, and a
    /// transaction fails 16 RTOs after the last (39.5 s in all).
    pub rto: Duration,
    /// How long a request may wait for its response over TCP or TLS, where
    /// nothing is retransmitted. Default 39.5 s (RFC 8489 §6.2.2).
    pub stream_timeout: Duration,
    /// Bind a channel to every peer data is sent to, so data after the bind
    /// travels as ChannelData (4 bytes of overhead instead of 36). Default
    /// true. When false, [`TurnClient::bind_channel`](super::TurnClient::bind_channel)
    /// binds chosen peers.
    pub auto_bind_channels: bool,
    /// Most permissions (peer IP addresses) kept at once. Default 64.
    pub max_permissions: usize,
    /// Most channels bound at once (at most 4096, the channel numbers).
    /// Default 64.
    pub max_channels: usize,
    /// Most packets queued while the allocation or a permission is being
    /// set up. Default 64.
    pub max_queued_packets: usize,
    /// Most payload bytes queued while the allocation or a permission is
    /// being set up. Default 256 KiB.
    pub max_queued_bytes: usize,
    /// Most bytes waiting in the output towards the server (for TCP and TLS,
    /// bytes the caller has not written yet) before data is refused.
    /// Default 1 MiB.
    pub max_output_bytes: usize,
    /// SOFTWARE attribute to put in requests; none by default.
    pub software: Option<String>,
    /// Over UDP, send a STUN Binding indication to the server when nothing
    /// else went to it for this long, so the NAT binding in front of us
    /// (often 30 s to 2 min) outlives the allocation's idle stretches;
    /// `None` turns it off. Default 15 s (RFC 8445 §11's keepalive
    /// interval). Streams need none.
    pub keepalive: Option<Duration>,
}

impl fmt::Debug for TurnConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnConfig")
            .field("server", &self.server)
            .field("transport", &self.transport)
            .field("username", &self.username)
            .field("password", &"..")
            .field("lifetime", &self.lifetime)
            .field("relay_family", &self.relay_family)
            .field("rto", &self.rto)
            .field("stream_timeout", &self.stream_timeout)
            .field("auto_bind_channels", &self.auto_bind_channels)
            .field("max_permissions", &self.max_permissions)
            .field("max_channels", &self.max_channels)
            .field("max_queued_packets", &self.max_queued_packets)
            .field("max_queued_bytes", &self.max_queued_bytes)
            .field("max_output_bytes", &self.max_output_bytes)
            .field("software", &self.software)
            .field("keepalive", &self.keepalive)
            .finish_non_exhaustive()
    }
}

impl TurnConfig {
    /// A configuration with every default for `server` over `transport`
    /// with long-term credentials `username` / `password`.
    pub fn new(
        server: SocketAddr,
        transport: TurnTransport,
        username: impl Into<String>,
        password: impl Into<String>,
        seed: [u8; 32],
    ) -> Self {
        Self {
            server,
            transport,
            username: username.into(),
            password: password.into(),
            lifetime: Duration::from_secs(600),
            relay_family: RelayFamily::V4,
            seed,
            rto: Duration::from_millis(500),
            stream_timeout: Duration::from_millis(39_500),
            auto_bind_channels: true,
            max_permissions: 64,
            max_channels: 64,
            max_queued_packets: 64,
            max_queued_bytes: 256 * 1024,
            max_output_bytes: 1024 * 1024,
            software: None,
            keepalive: Some(Duration::from_secs(15)),
        }
    }
}
