//! Every knob of a transport, with its default and why.

use std::time::Duration;

use crate::fingerprint::Fingerprint;
use crate::role::DtlsRole;

/// Which DTLS versions a transport speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VersionPolicy {
    /// DTLS 1.2 only (RFC 6347): what every browser speaks today.
    #[default]
    Dtls12,
    /// DTLS 1.3 only (RFC 9147).
    Dtls13,
    /// Either: a client sends a ClientHello that a 1.2 or a 1.3 server can
    /// answer, a server follows the version the ClientHello offers.
    Auto,
}

/// Configuration of one DTLS transport.
///
/// ```
/// use sanderling_dtls::{DtlsConfig, DtlsRole, VersionPolicy};
/// let config = DtlsConfig { role: DtlsRole::Server, version: VersionPolicy::Dtls13, ..DtlsConfig::default() };
/// assert_eq!(config.mtu, 1200);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DtlsConfig {
    /// Client or server (from `a=setup`, see [`DtlsRole::from_local_setup`]).
    pub role: DtlsRole,
    /// DTLS 1.2 unless told otherwise.
    pub version: VersionPolicy,
    /// The fingerprints the peer announced (`a=fingerprint`, several
    /// allowed: the certificate must match one). May be empty at first —
    /// a ClientHello often arrives before the answer that carries them —
    /// and supplied later with
    /// [`DtlsTransport::set_remote_fingerprints`](crate::DtlsTransport::set_remote_fingerprints);
    /// until then the transport does not report itself connected and
    /// holds any data that arrives.
    pub remote_fingerprints: Vec<Fingerprint>,
    /// Largest UDP payload of the handshake, in bytes: its flights are
    /// fragmented to fit. Application records are as large as the layer
    /// above makes them (see
    /// [`DtlsTransport::max_application_data`](crate::DtlsTransport::max_application_data)).
    /// 1200 fits any IPv6 path (1280 minimum MTU) with room for a TURN
    /// channel header.
    pub mtu: usize,
    /// First retransmission timeout of a handshake flight; doubled (with
    /// ±25% jitter) on every retry. RFC 6347 §4.2.4.1 says 1 second; a
    /// caller that knows the path's round-trip time (from ICE) may start
    /// lower.
    pub initial_retransmit_timeout: Duration,
    /// Retransmissions of one flight before the handshake fails (the
    /// overall `handshake_timeout` may end it first).
    pub max_retransmissions: usize,
    /// How long the handshake may take in all, counted from the
    /// transport's creation (so a server that never hears a ClientHello
    /// fails too). Create the transport when the path is up (ICE
    /// connected). With the default 1 s first timeout, five retries go out
    /// within the default 40 s (at about 1, 3, 7, 15 and 31 s): six tries
    /// per flight, enough for a handshake over 10% loss in each direction
    /// to fail only a few times in a thousand.
    pub handshake_timeout: Duration,
    /// A server answers the first ClientHello with a cookie
    /// (HelloVerifyRequest / HelloRetryRequest) to prove the client's
    /// address. ICE has proved it already, so WebRTC stacks skip the extra
    /// round trip: off by default.
    pub server_cookie: bool,
    /// Datagrams waiting in `poll_transmit` beyond which `send` refuses
    /// more (backpressure instead of unbounded memory).
    pub max_send_queue: usize,
}

impl Default for DtlsConfig {
    fn default() -> Self {
        Self {
            role: DtlsRole::Client,
            version: VersionPolicy::Dtls12,
            remote_fingerprints: Vec::new(),
            mtu: 1200,
            initial_retransmit_timeout: Duration::from_secs(1),
            max_retransmissions: 6,
            handshake_timeout: Duration::from_secs(40),
            server_cookie: false,
            max_send_queue: 1024,
        }
    }
}
