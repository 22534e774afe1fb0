//! DATA chunk (RFC 9260 §3.3.1). The I-DATA form (RFC 8260) carries the
//! same record and lives in `idata.rs`.

use crate::types::{Data, Tsn};

/// A DATA or I-DATA chunk: one fragment of a user message and its TSN.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct DataChunk {
    /// Transmission sequence number.
    pub tsn: Tsn,
    /// The I bit (RFC 7053): the sender asks for an immediate SACK.
    pub immediate_ack: bool,
    /// The fragment and its stream, sequence and flag fields.
    pub data: Data,
}
