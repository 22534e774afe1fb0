//! Interop tests of `sanderling` against real peers: aiortc, Chromium,
//! node-datachannel (libdatachannel) and webrtc-rs.
//!
//! One scenario suite ([`suite`]) runs against every peer in both roles.
//! A peer is driven through a [`link::Link`]: lines of JSON in both
//! directions. Signalling lines are aiortc's `contrib.signaling` format
//! (`{"type": "offer", "sdp": ..}`, `{"type": "candidate", ..}`); control
//! lines are commands to the peer (`{"cmd": ..}`) and its reports
//! (`{"ev": ..}`). External peers are scripts under `peers/` speaking it on
//! stdin/stdout; the webrtc-rs peer speaks it in process. Each run writes
//! its cells to `target/interop-results/`, and the `interop-matrix` binary
//! renders them into the README (see `ARCHITECTURE.md`).

pub mod link;
pub mod paths;
pub mod results;
pub mod suite;
