//! What an association tells its user.

use crate::rx::ReceivedMessage;
use crate::types::StreamId;

/// Why an association ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// SHUTDOWN completed: both sides delivered everything.
    Graceful,
    /// The peer sent ABORT; its reason (User-Initiated Abort text or the
    /// error causes it gave), if any.
    PeerAborted(String),
    /// We aborted (the user asked, or the peer broke the protocol).
    LocalAbort(String),
    /// The peer stopped answering: INIT/COOKIE-ECHO, data or heartbeats went
    /// unacknowledged more often than the configured limit.
    Unreachable,
}

/// An event for the user of an association; drained with
/// [`Association::poll_event`](crate::association::Association::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The handshake completed; messages may flow.
    Connected,
    /// A complete message arrived.
    Message(ReceivedMessage),
    /// A stream's buffered amount fell to or below its low threshold.
    BufferedAmountLow(StreamId),
    /// Messages were given up under their partial-reliability limits
    /// (RFC 3758) before the peer received them.
    MessagesAbandoned {
        /// The stream.
        stream_id: StreamId,
        /// How many.
        count: u32,
    },
    /// Our outgoing streams were reset (RFC 6525): their sequence numbers
    /// start again and their ids may be reused.
    OutgoingStreamsReset(Vec<StreamId>),
    /// The peer refused to reset these outgoing streams.
    OutgoingStreamsResetFailed(Vec<StreamId>),
    /// The peer reset its outgoing streams (ours to receive on). Empty
    /// means all streams. A data channel's close arrives this way.
    IncomingStreamsReset(Vec<StreamId>),
    /// The peer restarted the association (RFC 9260 §5.2.4 case A):
    /// undelivered data of the old one is gone.
    Restarted,
    /// The association ended; nothing more will happen.
    Closed(CloseReason),
}
