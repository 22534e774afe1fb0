//! WebRTC data channels for Rust, on tokio.
//!
//! A [`PeerConnection`] is W3C's `RTCPeerConnection` for data: offers and
//! answers ([`SessionDescription`]), trickled [`IceCandidate`]s, and
//! [`DataChannel`]s with every reliability mode. Names follow the W3C API
//! (and aiortc) in Rust case. Handles are cheap clones; events are async
//! queues ([`PeerConnection::events`], [`DataChannel::events`],
//! [`DataChannel::recv`]); no callbacks.
//!
//! Underneath, the sans-IO peer core (`sanderling-rtc`: JSEP, ICE, DTLS,
//! SCTP) runs in one driver task per connection over real UDP sockets
//! (batched with quinn-udp).
//!
//! ```
//! use sanderling::{Configuration, DataChannelInit, Message, PeerConnection, PeerConnectionEvent};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), sanderling::Error> {
//! let config = Configuration { include_loopback: true, ..Configuration::default() };
//! let a = PeerConnection::new(config.clone())?;
//! let b = PeerConnection::new(config)?;
//! let chat = a.create_data_channel("chat", DataChannelInit::default())?;
//!
//! // Signalling, here in-process: offer, answer (candidates are in them).
//! let offer = a.create_offer().await?;
//! a.set_local_description(offer.clone()).await?;
//! b.set_remote_description(offer).await?;
//! let answer = b.create_answer().await?;
//! b.set_local_description(answer.clone()).await?;
//! a.set_remote_description(answer).await?;
//!
//! let mut events = b.events();
//! let remote = loop {
//!     match events.recv().await {
//!         Some(PeerConnectionEvent::DataChannel(ch)) => break ch,
//!         Some(_) => continue,
//!         None => return Ok(()),
//!     }
//! };
//! chat.opened().await?;
//! chat.send("hello")?;
//! assert_eq!(remote.recv().await, Some(Message::Text("hello".into())));
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod config;
mod data_channel;
mod description;
mod driver;
mod error;
mod handle_map;
mod mdns;
pub mod ortc;
mod peer_connection;
mod shared;
pub mod signaling;
mod socket;
mod turn_stream;

pub use config::{BundlePolicy, Configuration, IceServer, IceTransportPolicy, TurnTlsTrust};
pub use data_channel::{DataChannel, DataChannelEvent, DataChannelEvents, DataChannelInit};
pub use description::{
    IceCandidate, IceCandidateAddress, IceCandidateFields, IceCandidateType, IceProtocol,
    IceTcpCandidateType, SdpType, SessionDescription,
};
pub use error::Error;
pub use peer_connection::{
    IceCandidateError, PeerConnection, PeerConnectionEvent, PeerConnectionEvents, SctpFeatures,
};
/// The rustls the TURN client is built with, for [`TurnTlsTrust`].
pub use sanderling_ice::turn::rustls;
/// SCTP congestion controllers ([`Configuration::congestion_control`]).
pub use sanderling_sctp::options::CongestionControl;
pub use socket::SocketBuffers;

/// Message payloads are [`Bytes`]: cheap to clone and slice.
pub use bytes::Bytes;
/// A data-channel message: text or binary.
pub use sanderling_datachannel::Message;
/// W3C `RTCDataChannelState`: `Connecting`, `Open`, `Closing`, `Closed`.
pub use sanderling_datachannel::ReadyState as DataChannelState;
/// A DTLS certificate (W3C `RTCCertificate`).
pub use sanderling_dtls::Certificate;
/// W3C `RTCIceConnectionState`.
pub use sanderling_ice::ConnectionState as IceConnectionState;
/// W3C `RTCIceGatheringState`.
pub use sanderling_ice::GatheringState as IceGatheringState;
/// W3C `RTCPeerConnectionState`.
pub use sanderling_rtc::ConnectionState as PeerConnectionState;
/// W3C `RTCSignalingState`.
pub use sanderling_rtc::jsep::SignalingState;
