//! In-process interop and benchmarks of SCTP implementations (test support).
//!
//! Every implementation is driven through one small sans-IO trait,
//! [`SctpPeer`]: `dcsctp` ([`DcsctpPeer`]) and `sctp-proto`
//! ([`SctpProtoPeer`]) today, `sanderling-sctp` next. A [`Pair`] connects
//! two peers over a simulated path (delay, loss, duplication, reordering;
//! `sanderling-netsim`) on a virtual clock, so interop tests run in
//! milliseconds and replay from a seed. [`bench`] drives pairs directly on
//! the real clock to compare throughput.
//!
//! ```
//! use std::time::Duration;
//! use sanderling_sctp_interop::{DcsctpPeer, OutMessage, Pair, PeerConfig, SctpProtoPeer, Side};
//!
//! let config = PeerConfig::default();
//! let mut pair = Pair::new(
//!     Box::new(DcsctpPeer::new(&config)),
//!     Box::new(SctpProtoPeer::new(&config)),
//!     1,
//! );
//! pair.establish(Side::A, Duration::from_secs(10));
//! pair.send(Side::A, OutMessage::new(1, b"hello".to_vec())).unwrap();
//! pair.run_until(Duration::from_secs(10), |p| p.message_count(Side::B) == 1);
//! assert_eq!(pair.messages(Side::B).next().unwrap().payload, b"hello");
//! ```
#![forbid(unsafe_code)]

pub mod bench;
mod dcsctp_peer;
mod pair;
mod peer;
mod sanderling_peer;
mod sctp_proto_peer;

pub use dcsctp_peer::DcsctpPeer;
pub use pair::{Pair, Received, Side};
pub use peer::{
    Capabilities, Negotiated, OutMessage, PPID_BINARY, PPID_STRING, PeerConfig, PeerEvent, SctpPeer,
};
pub use sanderling_netsim::{LinkConfig, LinkStats};
pub use sanderling_peer::SanderlingPeer;
pub use sctp_proto_peer::SctpProtoPeer;
