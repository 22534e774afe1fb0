//! I-FORWARD-TSN chunk (RFC 8260 §2.3.1): FORWARD-TSN for I-DATA.

use crate::types::{Mid, StreamId, Tsn};

/// The last abandoned message of one stream, ordered or unordered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SkippedMessage {
    /// The stream.
    pub stream_id: StreamId,
    /// The U bit: the skipped message was unordered.
    pub unordered: bool,
    /// The largest MID skipped.
    pub mid: Mid,
}

/// Move the receiver's cumulative TSN forward past abandoned I-DATA.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct IForwardTsnChunk {
    /// The receiver treats every TSN up to this one as received.
    pub new_cumulative_tsn: Tsn,
    /// Streams whose skipped messages must be passed over.
    pub skipped: Vec<SkippedMessage>,
}
