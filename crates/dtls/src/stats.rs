//! Counters of what a transport did and dropped.

/// Counters since the transport was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DtlsStats {
    /// Datagrams handed out by `poll_transmit`.
    pub datagrams_sent: u64,
    /// Datagrams handed out before the transport was connected (the
    /// handshake, with its retransmissions).
    pub handshake_datagrams_sent: u64,
    /// Datagrams passed to `handle_input` and given to the DTLS engine.
    pub datagrams_received: u64,
    /// Retransmission timers that expired (each resends a flight).
    pub timer_expirations: u64,
    /// Application records sent.
    pub records_sent: u64,
    /// Application records delivered.
    pub records_received: u64,
    /// Datagrams dropped because their first byte is not DTLS (RFC 7983).
    pub dropped_not_dtls: u64,
    /// Datagrams dropped because the transport was closed or failed.
    pub dropped_after_close: u64,
    /// Datagrams dropped because the engine's reassembly queue was full.
    pub dropped_queue_full: u64,
    /// Datagrams an auto-version client could not read as a server's
    /// first answer.
    pub dropped_unrecognized: u64,
    /// Application records dropped because the peer was not verified.
    pub dropped_unverified: u64,
}
