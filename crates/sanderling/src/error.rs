//! [`Error`]: every failure, named after the W3C `DOMException` (or
//! `TypeError`) a browser would throw for it.

use sanderling_datachannel::ChannelError;
use sanderling_rtc::PeerError;
use sanderling_rtc::jsep::JsepError;

/// Why a call failed. A failed call changed nothing. The variants carry the
/// W3C error names ([`Error::w3c_name`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// W3C `InvalidStateError`: not allowed in this state (the connection
    /// is closed, the channel is not open, the signalling state is wrong).
    #[error("InvalidStateError: {0}")]
    InvalidState(String),
    /// W3C `TypeError`: a bad argument (a message above the peer's
    /// maximum size, both `max_retransmits` and `max_packet_life_time`, a
    /// negotiated channel without an id, id 65535).
    #[error("TypeError: {0}")]
    Type(String),
    /// W3C `OperationError`: the operation failed (a description that does
    /// not parse or lacks what a data connection needs, a bad candidate, an
    /// id in use, the send buffer full).
    #[error("OperationError: {0}")]
    Operation(String),
    /// W3C `InvalidAccessError` (a TURN server without credentials).
    #[error("InvalidAccessError: {0}")]
    InvalidAccess(String),
    /// W3C `InvalidModificationError`: a local description that is not the
    /// one `create_offer` / `create_answer` returned.
    #[error("InvalidModificationError: {0}")]
    InvalidModification(String),
    /// W3C `SyntaxError`: an ICE server URL that does not parse.
    #[error("SyntaxError: {0}")]
    Syntax(String),
    /// W3C `NotSupportedError`: something not implemented yet.
    #[error("NotSupportedError: {0}")]
    NotSupported(String),
    /// No socket could be bound.
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The W3C name of the error (`"InvalidStateError"`, `"TypeError"`, ...;
    /// `"NetworkError"` for socket failures).
    pub fn w3c_name(&self) -> &'static str {
        match self {
            Self::InvalidState(_) => "InvalidStateError",
            Self::Type(_) => "TypeError",
            Self::Operation(_) => "OperationError",
            Self::InvalidAccess(_) => "InvalidAccessError",
            Self::InvalidModification(_) => "InvalidModificationError",
            Self::Syntax(_) => "SyntaxError",
            Self::NotSupported(_) => "NotSupportedError",
            Self::Io(_) => "NetworkError",
        }
    }

    pub(crate) fn closed() -> Self {
        Self::InvalidState("the peer connection is closed".into())
    }
}

impl From<ChannelError> for Error {
    fn from(e: ChannelError) -> Self {
        let text = e.to_string();
        match e {
            ChannelError::BothLimits
            | ChannelError::LabelTooLong
            | ChannelError::IdOutOfRange(_)
            | ChannelError::MessageTooLarge { .. } => Self::Type(text),
            ChannelError::NotOpen(_) | ChannelError::UnknownChannel(_) => {
                Self::InvalidState("the data channel is not open".into())
            }
            ChannelError::IdInUse(_)
            | ChannelError::NoFreeId
            | ChannelError::BufferFull
            | ChannelError::Transport(_) => Self::Operation(text),
        }
    }
}

impl From<JsepError> for Error {
    fn from(e: JsepError) -> Self {
        let text = e.to_string();
        match e {
            JsepError::InvalidState { .. } => Self::InvalidState(text),
            JsepError::UnknownType(_) => Self::Type(text),
            JsepError::NotCreatedHere => Self::InvalidModification(text),
            JsepError::Sdp(_)
            | JsepError::NoDataSection
            | JsepError::MissingIceCredentials
            | JsepError::MissingFingerprint
            | JsepError::BadSetup(_) => Self::Operation(text),
        }
    }
}

impl From<PeerError> for Error {
    fn from(e: PeerError) -> Self {
        match e {
            PeerError::Jsep(e) => e.into(),
            PeerError::Channel(e) => e.into(),
            PeerError::UnknownChannel => Self::InvalidState("the data channel is closed".into()),
            PeerError::Closed => Self::closed(),
            PeerError::Candidate(text) => Self::Operation(format!("invalid candidate: {text}")),
            PeerError::Transport(text) => Self::Operation(text),
        }
    }
}
