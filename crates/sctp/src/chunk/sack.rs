//! SACK chunk (RFC 9260 §3.3.4).

use crate::types::Tsn;

/// A gap ack block: TSNs `cumulative_tsn_ack + start ..= cumulative_tsn_ack + end`
/// were received.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GapAckBlock {
    /// Offset of the first TSN of the block from the cumulative TSN ack.
    pub start: u16,
    /// Offset of the last TSN of the block from the cumulative TSN ack.
    pub end: u16,
}

/// Selective acknowledgement.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct SackChunk {
    /// Every TSN up to and including this one was received.
    pub cumulative_tsn_ack: Tsn,
    /// Advertised receiver window credit, in bytes.
    pub a_rwnd: u32,
    /// Blocks received beyond the cumulative ack, in ascending order.
    pub gap_ack_blocks: Vec<GapAckBlock>,
    /// TSNs received more than once since the last SACK.
    pub duplicate_tsns: Vec<Tsn>,
}
