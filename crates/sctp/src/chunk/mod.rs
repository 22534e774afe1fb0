//! SCTP chunks, one file per chunk type (RFC 9260 §3.3 and the extensions).
//!
//! Each file documents its wire layout and holds `parse` and `serialize`
//! side by side with its tests.

pub mod data;
pub mod forward_tsn;
pub mod iforward_tsn;
pub mod sack;
