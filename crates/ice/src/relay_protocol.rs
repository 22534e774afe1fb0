//! How a relayed candidate's TURN server is reached (W3C
//! `RTCIceCandidate.relayProtocol`), and what that does to its priority.

use crate::turn::TurnTransport;

/// The transport between us and the TURN server that gave a relayed
/// candidate.
///
/// ```
/// use sanderling_ice::relay_protocol::RelayProtocol;
/// use sanderling_ice::turn::TurnTransport;
///
/// assert_eq!(RelayProtocol::from(&TurnTransport::Tcp), RelayProtocol::Tcp);
/// assert_eq!(RelayProtocol::Tls.name(), "tls");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelayProtocol {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP (`turns:`).
    Tls,
}

impl RelayProtocol {
    /// The W3C name: `udp`, `tcp` or `tls`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
            Self::Tls => "tls",
        }
    }

    /// Rank among relays, highest first: a UDP relay adds no
    /// head-of-line blocking, TCP does, and TLS adds its own framing and
    /// crypto on top (the order browsers use too).
    pub(crate) const fn rank(self) -> u16 {
        match self {
            Self::Udp => 2,
            Self::Tcp => 1,
            Self::Tls => 0,
        }
    }
}

impl From<&TurnTransport> for RelayProtocol {
    fn from(t: &TurnTransport) -> Self {
        match t {
            TurnTransport::Udp => Self::Udp,
            TurnTransport::Tcp => Self::Tcp,
            TurnTransport::Tls(_) => Self::Tls,
        }
    }
}
