//! The sans-IO WebRTC peer core: JSEP for data channels, and (as the
//! transports land) ICE, DTLS, SCTP and data channels wired together with
//! RFC 7983 demultiplexing.
#![forbid(unsafe_code)]

pub mod jsep;
mod path_mtu;
pub mod peer;
mod relay;

pub use path_mtu::sctp_probe_sizes;
pub use peer::{
    ChannelHandle, ConnectionState, Peer, PeerConfig, PeerError, PeerEvent, Transmit, TurnServer,
};
pub use relay::RelayId;
/// How a TURN server is reached (UDP, TCP, TLS), for [`TurnServer`].
pub use sanderling_ice::turn::TurnTransport;
