//! [`AgentStats`]: counters of everything the agent dropped or decided.

/// Counters of one agent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgentStats {
    /// Datagrams that were not valid STUN.
    pub malformed: u64,
    /// Messages dropped for a bad FINGERPRINT.
    pub bad_fingerprint: u64,
    /// Requests refused for their credentials (401) or dropped responses
    /// whose integrity did not check out.
    pub unauthenticated: u64,
    /// Requests answered with 400 (or 420).
    pub bad_requests: u64,
    /// Responses matching no transaction.
    pub unknown_transactions: u64,
    /// STUN messages that are not Binding (or otherwise not for ICE).
    pub unexpected: u64,
    /// Binding indications received (keepalives).
    pub indications_received: u64,
    /// Role conflicts answered with 487.
    pub role_conflicts_sent: u64,
    /// Times the role switched (RFC 8445 §7.3.1.1, §7.2.5.1).
    pub role_switches: u64,
    /// Remote candidates ignored (another component, TCP, an old ufrag,
    /// unresolved mDNS, table full).
    pub candidates_ignored: u64,
    /// Datagrams not queued because the transmit queue was full.
    pub transmits_dropped: u64,
    /// Connectivity checks sent (first transmissions).
    pub checks_sent: u64,
    /// Retransmissions of any request.
    pub retransmissions: u64,
    /// Binding indications sent (keepalives).
    pub keepalives_sent: u64,
}
