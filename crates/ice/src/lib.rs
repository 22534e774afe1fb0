//! Sans-IO ICE (RFC 8445) for WebRTC: candidates, connectivity checks,
//! nomination, consent (RFC 7675), trickle (RFC 8838), restarts, ICE-lite
//! and mDNS candidates.
//!
//! [`IceAgent`] is the whole agent; the async layer (or a test on the
//! simulated network) owns its sockets, its clock and its signalling. See
//! `ARCHITECTURE.md` for how it is driven.
//!
//! Two agents wired back to back in memory (what `tests/` does on the
//! simulated network, with NATs and loss):
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sanderling_ice::{ConnectionState, IceAgent, IceConfig, IceEvent};
//!
//! let mut a = IceAgent::new(IceConfig { seed: [1; 32], controlling: true, ..IceConfig::default() });
//! let mut b = IceAgent::new(IceConfig { seed: [2; 32], ..IceConfig::default() });
//! let (a_addr, b_addr) = ("10.0.0.1:5000".parse().unwrap(), "10.0.0.2:5000".parse().unwrap());
//! a.add_local_address("eth0", a_addr).unwrap();
//! b.add_local_address("eth0", b_addr).unwrap();
//! // Signalling: credentials and candidates (trickled or in the description).
//! let (ca, cb) = (a.local_credentials().clone(), b.local_credentials().clone());
//! a.set_remote_credentials(&cb.ufrag, &cb.pwd).unwrap();
//! b.set_remote_credentials(&ca.ufrag, &ca.pwd).unwrap();
//! for c in a.local_candidates() { b.add_remote_candidate(c).unwrap(); }
//! for c in b.local_candidates() { a.add_remote_candidate(c).unwrap(); }
//!
//! let mut now = Instant::now();
//! for _ in 0..100 {
//!     // Drain what each wants to send and deliver it (a perfect network).
//!     while let Some(t) = a.poll_transmit(now) { b.handle_input(now, t.remote, t.local, &t.payload); }
//!     while let Some(t) = b.poll_transmit(now) { a.handle_input(now, t.remote, t.local, &t.payload); }
//!     // Then sleep until the earliest timer.
//!     let next = [a.poll_timeout(), b.poll_timeout()].into_iter().flatten().min();
//!     now = next.unwrap_or(now + Duration::from_millis(10)).max(now);
//!     a.handle_timeout(now);
//!     b.handle_timeout(now);
//! }
//! assert_eq!(a.connection_state(), ConnectionState::Completed);
//! assert_eq!(a.selected_pair(), Some((a_addr, b_addr)));
//! assert!(std::iter::from_fn(|| b.poll_event())
//!     .any(|e| e == IceEvent::SelectedPair { local: b_addr, remote: a_addr }));
//! ```
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
pub mod mdns_query;
pub mod pair;
pub mod relay_protocol;
pub mod stats;
pub mod transaction;
pub mod transmit;
pub mod turn;

pub use agent::IceAgent;
pub use candidate::{Candidate, CandidateAddress, CandidateKind};
pub use config::{IceConfig, InterfaceMatch};
pub use credentials::Credentials;
pub use error::IceError;
pub use event::{ConnectionState, GatheringState, IceEvent};
pub use pair::{CandidatePairInfo, PairState, PairStats};
pub use relay_protocol::RelayProtocol;
pub use stats::AgentStats;
pub use transaction::RetransmitSchedule;
pub use transmit::Transmit;
