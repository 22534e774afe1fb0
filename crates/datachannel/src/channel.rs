//! One data channel's configuration and state, in W3C terms.

use std::time::Duration;

/// A channel's identity: its SCTP stream id (W3C `RTCDataChannel.id`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelId(pub u16);

/// How a channel is to be created (W3C `RTCDataChannelInit` plus the label).
///
/// ```
/// use std::time::Duration;
/// use sanderling_datachannel::ChannelConfig;
/// let game = ChannelConfig {
///     ordered: false,
///     max_retransmits: Some(0),
///     ..ChannelConfig::new("positions")
/// };
/// assert!(game.validate().is_ok());
/// let wrong = ChannelConfig {
///     max_retransmits: Some(1),
///     max_packet_lifetime: Some(Duration::from_millis(100)),
///     ..ChannelConfig::new("x")
/// };
/// assert!(wrong.validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelConfig {
    /// The label (any UTF-8, at most 65535 bytes).
    pub label: String,
    /// The sub-protocol (any UTF-8, at most 65535 bytes).
    pub protocol: String,
    /// Deliver in order.
    pub ordered: bool,
    /// Give up a message after this many retransmissions.
    pub max_retransmits: Option<u16>,
    /// Give up a message after this long.
    pub max_packet_lifetime: Option<Duration>,
    /// Negotiated out of band with this id: no DCEP; both sides create it.
    pub negotiated: Option<u16>,
    /// Priority (RFC 8831 §6.4): 128 very low, 256 low (default), 512
    /// medium, 1024 high. Also the weight under weighted-fair scheduling.
    pub priority: u16,
}

impl ChannelConfig {
    /// A reliable, ordered channel with `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            protocol: String::new(),
            ordered: true,
            max_retransmits: None,
            max_packet_lifetime: None,
            negotiated: None,
            priority: 256,
        }
    }

    /// Checks the rules W3C `createDataChannel` enforces.
    pub fn validate(&self) -> Result<(), ChannelError> {
        if self.max_retransmits.is_some() && self.max_packet_lifetime.is_some() {
            return Err(ChannelError::BothLimits);
        }
        if self.label.len() > usize::from(u16::MAX) || self.protocol.len() > usize::from(u16::MAX) {
            return Err(ChannelError::LabelTooLong);
        }
        if self.negotiated == Some(u16::MAX) {
            return Err(ChannelError::IdOutOfRange(u16::MAX));
        }
        Ok(())
    }
}

/// W3C `RTCDataChannelState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyState {
    /// Waiting for the association (or the peer's ACK).
    Connecting,
    /// Messages flow.
    Open,
    /// Closing: the stream reset is under way.
    Closing,
    /// Closed; the id may be reused.
    Closed,
}

/// What went wrong with a channel call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// `maxRetransmits` and `maxPacketLifeTime` are exclusive.
    #[error("maxRetransmits and maxPacketLifeTime cannot both be set")]
    BothLimits,
    /// Label or protocol longer than DCEP can carry.
    #[error("label or protocol longer than 65535 bytes")]
    LabelTooLong,
    /// Stream ids run from 0 to 65534.
    #[error("channel id {0} out of range (0..=65534)")]
    IdOutOfRange(u16),
    /// Another channel uses this id.
    #[error("channel id {0} is in use")]
    IdInUse(u16),
    /// Every id of our parity is in use.
    #[error("no free channel id")]
    NoFreeId,
    /// No channel with this id.
    #[error("no channel with id {0}")]
    UnknownChannel(u16),
    /// The channel is not open (W3C InvalidStateError).
    #[error("channel {0} is not open")]
    NotOpen(u16),
    /// The message is larger than the peer accepts (`a=max-message-size`).
    #[error("message of {size} bytes exceeds the peer's maximum message size of {max}")]
    MessageTooLarge {
        /// The message's size.
        size: usize,
        /// The peer's limit.
        max: usize,
    },
    /// The send buffer is full; wait for a buffered-amount-low event.
    #[error("send buffer full")]
    BufferFull,
    /// The association refused the message.
    #[error("transport: {0}")]
    Transport(String),
}
