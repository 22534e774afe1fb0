//! What can go wrong: [`TurnError`] for the allocation and its requests,
//! [`SendError`] for data the caller hands in.

use std::net::SocketAddr;

use sanderling_stun::Method;

/// Why the allocation, or one permission or channel, failed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TurnError {
    /// The server refused the credentials: 401 to a request that carried
    /// them, or 441 (RFC 8656 §6.2). Check the username and password.
    #[error(
        "TURN server refused the credentials of user {username:?} in realm {realm:?} \
         ({code} on {request:?}): wrong username or password"
    )]
    WrongCredentials {
        /// The request refused.
        request: Method,
        /// 401 or 441.
        code: u16,
        /// The user name sent.
        username: String,
        /// The realm the server named.
        realm: String,
    },
    /// The server answered with an error response this client does not
    /// recover from (403, 437, 440, 442, 443, 486, 508, 5xx, ...).
    #[error("TURN server refused {request:?}: {code} {reason} ({meaning})", meaning = meaning(*.code))]
    Rejected {
        /// The request refused.
        request: Method,
        /// The error code.
        code: u16,
        /// The server's reason phrase.
        reason: String,
    },
    /// 300 Try Alternate: the server redirects the allocation elsewhere
    /// (a new client for that server is the caller's choice).
    #[error("TURN server redirects to {alternate:?} (300 Try Alternate)")]
    TryAlternate {
        /// ALTERNATE-SERVER, if the response carried it.
        alternate: Option<SocketAddr>,
    },
    /// The server kept answering 438 Stale Nonce to fresh nonces.
    #[error("TURN server answered {request:?} with 438 Stale Nonce too often")]
    StaleNonceLoop {
        /// The request.
        request: Method,
    },
    /// No response within the transaction timeout (39.5 s by default).
    #[error("TURN server did not answer {request:?} (transaction timed out)")]
    Timeout {
        /// The request.
        request: Method,
    },
    /// A response lacked something it must carry, or carried a
    /// comprehension-required attribute this client does not know.
    #[error("TURN server's response to {request:?} is unusable: {reason}")]
    BadResponse {
        /// The request.
        request: Method,
        /// What was wrong.
        reason: &'static str,
    },
    /// The allocation expired before a refresh succeeded.
    #[error("TURN allocation expired before it could be refreshed")]
    Expired,
    /// The TCP or TLS connection to the server ended.
    #[error("connection to the TURN server closed")]
    ConnectionClosed,
    /// The byte stream from the server could not be split into messages.
    #[error("TURN stream out of sync: {0}")]
    Framing(String),
    /// The TLS session failed (handshake, certificate, record).
    #[error("TLS to the TURN server failed: {0}")]
    Tls(String),
    /// The TLS settings could not be used.
    #[error("TLS settings unusable: {0}")]
    TlsSetup(String),
    /// The configuration is unusable.
    #[error("TURN configuration unusable: {0}")]
    Config(&'static str),
}

impl TurnError {
    /// The STUN error code behind this error, if there is one.
    pub fn code(&self) -> Option<u16> {
        match self {
            Self::WrongCredentials { code, .. } | Self::Rejected { code, .. } => Some(*code),
            Self::TryAlternate { .. } => Some(300),
            Self::StaleNonceLoop { .. } => Some(438),
            _ => None,
        }
    }
}

/// What a TURN error code means for the client, in words.
fn meaning(code: u16) -> &'static str {
    match code {
        400 => "the server found the request malformed",
        403 => "forbidden: the server's policy refuses this (a peer address it will not relay to?)",
        405 => "mobility forbidden",
        420 => "the server does not know an attribute the client sent",
        437 => "allocation mismatch: no allocation for this 5-tuple, or one exists already",
        440 => "address family not supported by the server",
        442 => "unsupported transport protocol",
        443 => "peer address family mismatch: the peer is not of the relayed address's family",
        486 => "allocation quota reached for this user",
        508 => "insufficient capacity: the server has no relayed address to give",
        500..=599 => "server error",
        _ => "unexpected error code",
    }
}

/// Why [`TurnClient::send_to`](super::TurnClient::send_to) refused data.
/// Refused data is dropped; nothing else changes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SendError {
    /// The client is closing, closed or failed.
    #[error("TURN client is closed")]
    Closed,
    /// The allocation does not exist yet (permissions and channels need
    /// it; data is queued instead).
    #[error("TURN allocation not made yet")]
    NotAllocated,
    /// The queue of data waiting for the allocation or a permission, or
    /// the output towards the server, is full.
    #[error("TURN send queue full")]
    QueueFull,
    /// The data does not fit in one ChannelData message or Send indication.
    #[error("{len} bytes do not fit in one TURN message")]
    TooLarge {
        /// The data's length.
        len: usize,
    },
    /// The peer's address family differs from the relayed address's.
    #[error("peer address family differs from the relayed address's")]
    FamilyMismatch,
    /// [`TurnConfig::max_permissions`](super::TurnConfig::max_permissions)
    /// peers are in use already.
    #[error("too many TURN permissions")]
    TooManyPermissions,
    /// [`TurnConfig::max_channels`](super::TurnConfig::max_channels)
    /// channels are bound already (or every number is taken).
    #[error("too many TURN channels")]
    TooManyChannels,
    /// The server refused a permission for this peer recently.
    #[error("TURN server refused a permission for this peer")]
    PermissionDenied,
}
