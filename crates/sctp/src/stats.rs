//! Counters for what an association did and dropped.

/// Running totals since the association was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets sent.
    pub packets_sent: u64,
    /// Packets received and accepted.
    pub packets_received: u64,
    /// Packets dropped: malformed, bad checksum, wrong ports or
    /// verification tag, or unexpected in the current state.
    pub packets_dropped: u64,
    /// DATA/I-DATA chunks sent for the first time.
    pub data_chunks_sent: u64,
    /// DATA/I-DATA chunks retransmitted.
    pub data_chunks_retransmitted: u64,
    /// DATA/I-DATA chunks received (including duplicates).
    pub data_chunks_received: u64,
    /// Duplicate DATA/I-DATA chunks received.
    pub duplicate_chunks_received: u64,
    /// Chunks refused for lack of buffer space or as out of window.
    pub data_chunks_refused: u64,
    /// Messages delivered to the user.
    pub messages_received: u64,
    /// T3-rtx expirations.
    pub t3_expirations: u64,
    /// Fast retransmit episodes.
    pub fast_retransmits: u64,
    /// Fast retransmissions found lost (data sent after them arrived
    /// without them) and sent again without waiting for T3-rtx.
    pub lost_retransmissions: u64,
    /// Messages abandoned under PR-SCTP limits.
    pub messages_abandoned: u64,
    /// Unknown chunks skipped or reported.
    pub unknown_chunks: u64,
    /// Path MTU probes sent (RFC 8899), retries included.
    pub mtu_probes_sent: u64,
    /// INIT chunks sent, retransmissions included.
    pub inits_sent: u64,
}
