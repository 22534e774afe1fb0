//! SDP (RFC 8866) for WebRTC data channels.
//!
//! * A faithful model: [`SessionDescription`] and [`MediaDescription`] hold
//!   every line, and [`Attribute`]s in order, so descriptions with
//!   attributes this crate does not know (RTP codecs, extmaps, ...)
//!   round-trip. [`parse`] reads anything Chromium, Firefox, aiortc and
//!   libdatachannel write (captured samples are the test fixtures);
//!   [`Display`](std::fmt::Display) writes CRLF lines.
//! * Malformed input is an [`SdpError`] naming the 1-based line and what is
//!   wrong with it, never a panic; input is bounded ([`MAX_SDP_BYTES`],
//!   [`MAX_SDP_LINES`]).
//! * Typed WebRTC accessors: ICE credentials and options, fingerprints,
//!   setup, mid, BUNDLE, candidates and end-of-candidates, SCTP port and
//!   max message size (modern RFC 8841 form and the legacy `a=sctpmap`
//!   form). [`MediaView`] resolves media-level attributes with the session
//!   level as fallback; [`DataSection`] is the view of the data-channel
//!   section JSEP reads.
//! * [`Candidate`] parses and writes `a=candidate` lines and trickled
//!   `RTCIceCandidate.candidate` strings.
//! * [`DataDescriptionBuilder`] writes a data-only offer or answer laid out
//!   as Chromium writes one.
//!
//! ```
//! use sanderling_sdp::{MaxMessageSize, Setup};
//!
//! let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!            a=group:BUNDLE 0\r\n\
//!            m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
//!            c=IN IP4 0.0.0.0\r\n\
//!            a=candidate:1 1 udp 2113937151 198.18.0.1 52333 typ host\r\n\
//!            a=ice-ufrag:PwTA\r\na=ice-pwd:WfbtjmiszIIH14lTBq5QqLEh\r\n\
//!            a=fingerprint:sha-256 26:66:09:66\r\na=setup:actpass\r\n\
//!            a=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";
//! let desc = sanderling_sdp::parse(sdp)?;
//! let data = desc.data_section().expect("a data channel section");
//! assert_eq!(data.ice_ufrag(), Some("PwTA"));
//! assert_eq!(data.setup(), Some(Setup::Actpass));
//! assert_eq!(data.sctp_port(), 5000);
//! assert_eq!(data.max_message_size(), MaxMessageSize::Bytes(262144));
//! assert_eq!(data.candidates().count(), 1);
//! assert_eq!(desc.to_string(), sdp);
//!
//! let err = sanderling_sdp::parse("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nx").unwrap_err();
//! assert_eq!(err.line, 3);
//! # Ok::<(), sanderling_sdp::SdpError>(())
//! ```
#![forbid(unsafe_code)]

mod attribute;
mod builder;
mod candidate;
mod connection;
mod error;
mod fingerprint;
mod group;
mod limits;
mod media;
mod parser;
mod sctp;
mod session;
mod setup;
mod text;
mod view;

pub use attribute::{Attribute, names};
pub use builder::{DEFAULT_LOCAL_MAX_MESSAGE_SIZE, DataDescriptionBuilder};
pub use candidate::{Candidate, CandidateAddress, CandidateType, TcpType, Transport};
pub use connection::{Bandwidth, Connection};
pub use error::{ErrorKind, SdpError, ValueError};
pub use fingerprint::Fingerprint;
pub use group::{BUNDLE, Group};
pub use limits::{MAX_SDP_BYTES, MAX_SDP_LINES};
pub use media::MediaDescription;
pub use sctp::{
    DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_SCTP_PORT, MaxMessageSize, SctpProtocol, Sctpmap,
    WEBRTC_DATACHANNEL,
};
pub use session::{Origin, SessionDescription, Timing};
pub use setup::Setup;
pub use view::{DataSection, MediaView};

/// Parses a session description: lines end in CRLF or LF, blank lines are
/// skipped, `v=`, `o=`, `s=` come first, and the attributes this crate
/// reads are checked (a bad `a=candidate` is an error at its line).
pub fn parse(input: &str) -> Result<SessionDescription, SdpError> {
    SessionDescription::parse(input)
}
