//! Sans-IO DTLS for WebRTC: the [`dimpl`] engine (aws-lc-rs crypto) behind
//! the shape every sanderling core shares, with the WebRTC parts around it.
//!
//! * [`DtlsTransport`] — one DTLS 1.2 (default) or 1.3 connection, client or
//!   server, that checks the peer's certificate against the fingerprints
//!   from SDP before a single byte of application data passes.
//! * [`Certificate`] — self-signed ECDSA P-256 identities, browser-style,
//!   shared by every transport; [`Fingerprint`] in SDP form.
//! * [`DtlsRole`] and [`Setup`] — who is client, from `a=setup`.
//! * [`demux::classify`] — RFC 7983: STUN, DTLS or RTP by the first byte.
//!
//! The transport never touches a socket, a clock or a thread: time and
//! datagrams come in, datagrams and events go out (see the project's
//! `ARCHITECTURE.md`). The exceptions are randomness: dimpl draws its
//! handshake randomness from aws-lc, and certificate generation draws keys
//! from aws-lc and reads the wall clock for the validity period.
#![forbid(unsafe_code)]

mod alert;
mod certificate;
mod config;
pub mod demux;
mod error;
mod event;
mod fingerprint;
mod role;
mod signing_key;
mod stats;
mod transport;

pub use alert::AlertDescription;
pub use certificate::{Certificate, CertificateOptions};
pub use config::{DtlsConfig, VersionPolicy};
pub use error::DtlsError;
pub use event::{DtlsEvent, DtlsState, DtlsVersion, SrtpProfile};
pub use fingerprint::{Fingerprint, HashAlgorithm};
pub use role::{DtlsRole, Setup};
pub use stats::DtlsStats;
pub use transport::{DtlsTransport, MAX_RECORD_OVERHEAD, MAX_RECORD_PLAINTEXT, MIN_MTU};
