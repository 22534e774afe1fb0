//! The crate's one error type: what a call refuses and why a transport
//! failed.

use crate::alert::AlertDescription;
use crate::fingerprint::Fingerprint;

/// Everything that can go wrong, from a refused call to a failed handshake.
///
/// A transport that fails reports the reason once as
/// [`DtlsEvent::Failed`](crate::DtlsEvent::Failed); afterwards every call
/// that needs a working transport returns the same error.
///
/// ```
/// use sanderling_dtls::{DtlsError, AlertDescription};
/// let e = DtlsError::AlertReceived(AlertDescription(42));
/// assert_eq!(e.to_string(), "peer sent fatal alert bad_certificate (42)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DtlsError {
    /// The peer's certificate matches none of the fingerprints its
    /// description announced. Nothing was delivered or sent.
    #[error("peer certificate {actual} matches none of the expected fingerprints [{}]", list(.expected))]
    FingerprintMismatch {
        /// The fingerprints the peer announced (in SDP).
        expected: Vec<Fingerprint>,
        /// The peer certificate's fingerprint, under the algorithm of the
        /// first expected one.
        actual: Fingerprint,
    },
    /// The handshake finished without the peer presenting a certificate.
    #[error("handshake completed without a peer certificate")]
    MissingPeerCertificate,
    /// The peer sent a fatal alert.
    #[error("peer sent fatal alert {0}")]
    AlertReceived(AlertDescription),
    /// The handshake did not complete in time (no answer, or too much loss).
    #[error("handshake timed out")]
    HandshakeTimeout,
    /// The handshake completed but the peer's fingerprints never came
    /// (no remote description within the handshake time).
    #[error("the peer's fingerprints never arrived: its certificate could not be checked")]
    RemoteFingerprintsMissing,
    /// A client received a ClientHello: both sides are clients (both
    /// `a=setup:active`).
    #[error("both sides are DTLS clients: received a ClientHello (check a=setup)")]
    RoleConflict,
    /// The DTLS engine gave up on the connection (the message is dimpl's).
    #[error("DTLS protocol error: {0}")]
    Protocol(String),
    /// The handshake has not completed (and been verified) yet.
    #[error("not connected yet")]
    NotConnected,
    /// The transport was closed (by us or by the peer's close_notify).
    #[error("transport is closed")]
    Closed,
    /// More data than one record may hold
    /// ([`MAX_RECORD_PLAINTEXT`](crate::MAX_RECORD_PLAINTEXT)); nothing was
    /// sent.
    #[error("record of {size} bytes exceeds the {max}-byte record limit")]
    RecordTooLarge {
        /// Bytes the caller tried to send.
        size: usize,
        /// The most one record can carry.
        max: usize,
    },
    /// Too many datagrams wait to be polled; drain `poll_transmit` first.
    #[error("send queue full ({0} datagrams waiting)")]
    SendQueueFull(usize),
    /// The requested keying material cannot be exported.
    #[error("keying material export unavailable: {0}")]
    ExportUnavailable(String),
    /// A call that makes no sense in the transport's current state.
    #[error("invalid state: {0}")]
    InvalidState(&'static str),
    /// A configuration value out of range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// A certificate could not be generated or loaded.
    #[error("certificate: {0}")]
    Certificate(String),
    /// A fingerprint could not be parsed or built.
    #[error("invalid fingerprint: {0}")]
    InvalidFingerprint(String),
    /// An `a=setup` value that is none of the four.
    #[error("invalid a=setup value {0:?}")]
    InvalidSetup(String),
}

fn list(fps: &[Fingerprint]) -> String {
    fps.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
