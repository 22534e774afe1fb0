//! A sans-IO TURN client (RFC 8656) for relayed candidates.
//!
//! [`TurnClient`] owns one allocation on one TURN server, reached over UDP,
//! TCP or TLS (rustls, run inside the client so the caller only moves
//! bytes). It follows the shape every sanderling core has:
//! [`handle_input`](TurnClient::handle_input) takes what the server sent
//! (a datagram, or stream bytes in any split),
//! [`poll_transmit`](TurnClient::poll_transmit) hands out what to send to
//! the server, [`poll_event`](TurnClient::poll_event) reports
//! [`TurnEvent`]s, [`poll_timeout`](TurnClient::poll_timeout) /
//! [`handle_timeout`](TurnClient::handle_timeout) drive retransmissions and
//! refreshes. Time comes in as `now`; transaction ids come from a ChaCha20
//! generator seeded by [`TurnConfig::seed`].
//!
//! For ICE the client is a relayed candidate: [`TurnEvent::Allocated`]
//! gives the relayed address (and the server-reflexive one),
//! [`send_to`](TurnClient::send_to) sends a STUN check or any packet to a
//! peer through the relay, and [`TurnEvent::Data`] hands back the peer's
//! packets with their source address. Permissions and channels are made on
//! demand and refreshed while in use.
//!
//! ```text
//!   caller (ICE agent / async layer)          TurnClient             TURN server
//!   send_to(peer, data) ─────────────────▶ permission? channel? ──▶ Send / ChannelData
//!   poll_event(): Data { peer, data } ◀─── Data indication / ChannelData ◀──────────
//!   handle_input(bytes) / poll_transmit() ◀──── socket bytes ────▶
//! ```

mod carrier;
mod channels;
mod client;
mod config;
mod error;
mod event;
mod permissions;
mod transaction;

pub use client::{MAX_PAYLOAD, TurnClient};
pub use config::{RelayFamily, TlsSettings, TurnConfig, TurnTransport};
pub use error::{SendError, TurnError};
pub use event::{TurnEvent, TurnState, TurnStats};
/// The rustls this client is built with, for making [`TlsSettings`].
pub use rustls;

#[cfg(test)]
mod tests;
