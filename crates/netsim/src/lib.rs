//! A virtual clock and a seeded, simulated network for sans-IO protocol cores.
//!
//! Every protocol core in sanderling is a state machine that takes time and
//! datagrams as inputs and hands out datagrams and timeouts (see the
//! project's `ARCHITECTURE.md`). This crate connects any number of such
//! cores through simulated links — delay, jitter, random and burst loss,
//! duplication, reordering, a bandwidth limit with a bounded queue, and an
//! MTU — and runs them on a virtual clock that jumps from one event to the
//! next. Nothing sleeps, so a simulated minute takes as long as the CPU
//! needs, and the same seed replays the same run exactly.
//!
//! ```
//! use std::time::Duration;
//! use sanderling_netsim::{LinkConfig, Sim, traffic::{ConstantRateSource, Sink}};
//!
//! let mut sim = Sim::new(7);
//! let a = sim.add_endpoint("10.0.0.1:5000".parse().unwrap(),
//!     ConstantRateSource::new("10.0.0.2:5000".parse().unwrap(), 100, 200, Duration::from_millis(1)));
//! let b = sim.add_endpoint("10.0.0.2:5000".parse().unwrap(), Sink::default());
//! sim.network_mut().set_link(a, b, LinkConfig { delay: Duration::from_millis(20), loss: 0.1, ..LinkConfig::default() });
//! sim.run_for(Duration::from_secs(1));
//! let received = sim.endpoint::<Sink>(b).arrivals().len();
//! assert!(received < 200 && received > 150);
//! assert_eq!(sim.network().link_stats(a, b).dropped_loss + received as u64, 200);
//! ```
//!
//! Nodes can sit behind simulated NATs (the mapping and filtering behaviours
//! of RFC 4787, expiring mappings, hairpinning, nested NATs; see [`Network`]),
//! so an endpoint sees server-reflexive addresses and failed hole punches as
//! it would in reality, without ever seeing the NAT itself:
//!
//! ```
//! use std::time::Duration;
//! use sanderling_netsim::{NatConfig, Sim, traffic::{ConstantRateSource, Reflector}};
//!
//! let mut sim = Sim::new(7);
//! let stun = "203.0.113.1:3478".parse().unwrap();
//! let nat = sim.add_nat(NatConfig::port_restricted_cone(), "198.51.100.1".parse().unwrap());
//! sim.add_endpoint_behind_nat(nat, "192.168.1.10:5000".parse().unwrap(),
//!     ConstantRateSource::new(stun, 20, 1, Duration::ZERO));
//! let server = sim.add_endpoint(stun, Reflector::default());
//! sim.run_for(Duration::from_secs(1));
//! let seen = sim.endpoint::<Reflector>(server).seen()[0].source;
//! assert_eq!(seen, "198.51.100.1:49152".parse().unwrap());
//! assert_eq!(sim.nat_stats(nat).translated_in, 1); // the answer got back in
//! ```
#![forbid(unsafe_code)]

mod clock;
mod datagram;
mod endpoint;
mod gilbert_elliott;
mod link;
mod nat;
mod nat_config;
mod network;
mod sim;
pub mod traffic;

pub use clock::VirtualClock;
pub use datagram::{Datagram, Transmit};
pub use endpoint::Endpoint;
pub use gilbert_elliott::GilbertElliott;
pub use link::{LinkConfig, LinkStats};
pub use nat::{NatId, NatStats};
pub use nat_config::{FilteringBehavior, MappingBehavior, NatConfig, PortAllocation};
pub use network::{Network, NodeId, Realm};
pub use sim::Sim;
