//! Sans-IO ICE (RFC 8445) for WebRTC: candidates, connectivity checks,
//! nomination, consent (RFC 7675), trickle (RFC 8838), restarts, ICE-lite
//! and mDNS candidates.
//!
//! [`IceAgent`] is the whole agent; the async layer (or a test on the
//! simulated network) owns its sockets, its clock and its signalling. See
//! `ARCHITECTURE.md` for how it is driven.
#![forbid(unsafe_code)]

pub mod agent;
pub mod candidate;
pub mod checklist;
pub mod config;
pub mod consent;
pub mod credentials;
pub mod error;
pub mod event;
pub mod gather;
pub mod mdns;
pub mod pair;
pub mod stats;
pub mod transaction;
pub mod transmit;

pub use agent::IceAgent;
pub use candidate::{Candidate, CandidateAddress, CandidateKind};
pub use config::{IceConfig, InterfaceMatch};
pub use credentials::Credentials;
pub use error::IceError;
pub use event::{ConnectionState, GatheringState, IceEvent};
pub use pair::{CandidatePairInfo, PairState, PairStats};
pub use stats::AgentStats;
pub use transaction::RetransmitSchedule;
pub use transmit::Transmit;
