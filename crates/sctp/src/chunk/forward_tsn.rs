//! FORWARD-TSN chunk (RFC 3758 §3.2): the sender abandoned data up to a TSN.

use crate::types::{Ssn, StreamId, Tsn};

/// The last abandoned ordered message of one stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SkippedStream {
    /// The stream.
    pub stream_id: StreamId,
    /// The largest SSN skipped on that stream.
    pub ssn: Ssn,
}

/// Move the receiver's cumulative TSN forward past abandoned data.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct ForwardTsnChunk {
    /// The receiver treats every TSN up to this one as received.
    pub new_cumulative_tsn: Tsn,
    /// Ordered streams whose skipped messages must be passed over.
    pub skipped_streams: Vec<SkippedStream>,
}
