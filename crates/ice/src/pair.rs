//! Candidate pairs (RFC 8445 §6.1.2): state, priority, statistics.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sanderling_stun::TransactionId;

/// RFC 8445 §6.1.2.3: `2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0)`, with G the
/// controlling agent's candidate priority and D the controlled agent's.
pub fn pair_priority(controlling: u32, controlled: u32) -> u64 {
    let (g, d) = (u64::from(controlling), u64::from(controlled));
    // Real priorities are below 2^31; a hostile PRIORITY near 2^32 would
    // overflow the sum, which saturates instead.
    (g.min(d) << 32)
        .saturating_add(2 * g.max(d))
        .saturating_add(u64::from(g > d))
}

/// A pair's check state (RFC 8445 §6.1.2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PairState {
    /// Waits for a pair of the same foundation to succeed.
    Frozen,
    /// Will be checked when the pacer gets to it.
    Waiting,
    /// A check is in flight.
    InProgress,
    /// A check succeeded: the pair is valid.
    Succeeded,
    /// Checks failed.
    Failed,
}

/// Counters of one pair (W3C `RTCIceCandidatePairStats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairStats {
    /// Binding requests sent (checks and consent checks, retransmissions
    /// included).
    pub requests_sent: u64,
    /// Binding requests received on the pair.
    pub requests_received: u64,
    /// Success responses sent.
    pub responses_sent: u64,
    /// Success responses received.
    pub responses_received: u64,
    /// Consent checks sent (a part of `requests_sent`).
    pub consent_requests_sent: u64,
    /// Data bytes sent, as reported by the owner.
    pub bytes_sent: u64,
    /// Data bytes received, as reported by the owner.
    pub bytes_received: u64,
    /// The last round-trip time measured (from a response to a request that
    /// was sent once only, Karn's rule).
    pub rtt_last: Option<Duration>,
    /// Smoothed RTT (RFC 6298 weights: 7/8 old, 1/8 new).
    pub rtt_smoothed: Option<Duration>,
    /// The last time anything was sent or received on the pair.
    pub last_activity: Option<Instant>,
    /// The last authenticated response received.
    pub last_response_received: Option<Instant>,
}

impl PairStats {
    pub(crate) fn add_rtt(&mut self, rtt: Duration) {
        self.rtt_last = Some(rtt);
        self.rtt_smoothed = Some(match self.rtt_smoothed {
            None => rtt,
            Some(s) => (s * 7 + rtt) / 8,
        });
    }

    pub(crate) fn touch(&mut self, now: Instant) {
        self.last_activity = Some(now);
    }
}

/// A pair as the owner sees it ([`IceAgent::pairs`](crate::IceAgent::pairs)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidatePairInfo {
    /// Our address (the base the checks leave from).
    pub local: SocketAddr,
    /// The peer's address.
    pub remote: SocketAddr,
    /// Pair priority.
    pub priority: u64,
    /// Check state.
    pub state: PairState,
    /// Nominated (the pair ICE settled on).
    pub nominated: bool,
    /// Currently carrying data.
    pub selected: bool,
    /// Counters.
    pub stats: PairStats,
}

/// A pair inside the agent.
#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub(crate) id: u64,
    /// Index of the local candidate (a host or relayed base).
    pub(crate) local: usize,
    /// Index of the remote candidate.
    pub(crate) remote: usize,
    pub(crate) local_addr: SocketAddr,
    pub(crate) remote_addr: SocketAddr,
    pub(crate) local_priority: u32,
    pub(crate) remote_priority: u32,
    pub(crate) priority: u64,
    pub(crate) foundation: (String, String),
    pub(crate) state: PairState,
    pub(crate) nominated: bool,
    /// The controlled agent received USE-CANDIDATE before the pair
    /// succeeded: nominate it when it does (RFC 8445 §7.3.1.5).
    pub(crate) nominate_on_success: bool,
    /// The controlling agent has sent (or queued) the nominating check.
    pub(crate) nominating: bool,
    /// The check in flight.
    pub(crate) transaction: Option<TransactionId>,
    pub(crate) stats: PairStats,
}

impl Pair {
    pub(crate) fn recompute_priority(&mut self, controlling: bool) {
        self.priority = if controlling {
            pair_priority(self.local_priority, self.remote_priority)
        } else {
            pair_priority(self.remote_priority, self.local_priority)
        };
    }

    pub(crate) fn info(&self, selected: bool) -> CandidatePairInfo {
        CandidatePairInfo {
            local: self.local_addr,
            remote: self.remote_addr,
            priority: self.priority,
            state: self.state,
            nominated: self.nominated,
            selected,
            stats: self.stats,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_priority_formula() {
        assert_eq!(pair_priority(10, 20), (10u64 << 32) + 40);
        assert_eq!(pair_priority(20, 10), (10u64 << 32) + 41);
        // Symmetric apart from the tie bit: both agents order pairs alike.
        assert!(pair_priority(u32::MAX, 5) > pair_priority(5, 4));
        assert_eq!(pair_priority(u32::MAX, u32::MAX), u64::MAX);
    }

    #[test]
    fn smoothed_rtt() {
        let mut s = PairStats::default();
        s.add_rtt(Duration::from_millis(80));
        s.add_rtt(Duration::from_millis(160));
        assert_eq!(s.rtt_last, Some(Duration::from_millis(160)));
        assert_eq!(s.rtt_smoothed, Some(Duration::from_millis(90)));
    }
}
