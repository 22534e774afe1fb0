//! STUN client transactions (RFC 8489 §6.2.1): a request, its
//! retransmission timer, and what it was for.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_stun::TransactionId;

/// A bounded retransmission schedule: the request is sent, then resent after
/// `initial_rto`, doubling each time up to `max_rto`, `max_transmissions`
/// times in all; after the last one the transaction waits one more RTO and
/// times out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetransmitSchedule {
    /// Wait after the first transmission.
    pub initial_rto: Duration,
    /// Largest wait between transmissions.
    pub max_rto: Duration,
    /// Transmissions in all (at least 1).
    pub max_transmissions: u32,
}

impl RetransmitSchedule {
    /// How long a transaction lives when nothing answers.
    pub fn total(&self) -> Duration {
        let mut rto = self.initial_rto;
        let mut total = Duration::ZERO;
        for _ in 0..self.max_transmissions.max(1) {
            total += rto;
            rto = (rto * 2).min(self.max_rto);
        }
        total
    }
}

/// What a transaction is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A Binding request to a STUN server from a host base.
    ServerReflexive {
        /// The STUN server.
        server: SocketAddr,
    },
    /// A connectivity check on a pair.
    Check {
        /// The pair's id.
        pair: u64,
        /// USE-CANDIDATE was sent.
        nominate: bool,
        /// Sent as the controlling agent.
        controlling: bool,
        /// A consent freshness check (RFC 7675) on the selected pair.
        consent: bool,
        /// Sent under this credentials generation (restart count).
        generation: u32,
    },
}

/// One request in flight.
#[derive(Clone, Debug)]
pub(crate) struct Transaction {
    pub(crate) id: TransactionId,
    pub(crate) purpose: Purpose,
    pub(crate) local: SocketAddr,
    pub(crate) remote: SocketAddr,
    pub(crate) payload: Bytes,
    pub(crate) first_sent: Instant,
    /// When to retransmit (or time out when `transmissions` reached the
    /// maximum).
    pub(crate) deadline: Instant,
    pub(crate) rto: Duration,
    pub(crate) transmissions: u32,
    pub(crate) schedule: RetransmitSchedule,
    /// No more retransmissions (RFC 8445 §7.2.5.4 / §8.1.2): a response is
    /// still accepted until the deadline.
    pub(crate) cancelled: bool,
}

/// What the timer of a transaction asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimerAction {
    /// Nothing yet.
    Wait,
    /// Send the request again.
    Retransmit,
    /// Give up.
    TimedOut,
}

impl Transaction {
    pub(crate) fn new(
        now: Instant,
        id: TransactionId,
        purpose: Purpose,
        local: SocketAddr,
        remote: SocketAddr,
        payload: Bytes,
        schedule: RetransmitSchedule,
    ) -> Self {
        Self {
            id,
            purpose,
            local,
            remote,
            payload,
            first_sent: now,
            deadline: now + schedule.initial_rto,
            rto: schedule.initial_rto,
            transmissions: 1,
            schedule,
            cancelled: false,
        }
    }

    /// Advances the timer to `now`.
    pub(crate) fn on_timer(&mut self, now: Instant) -> TimerAction {
        if now < self.deadline {
            return TimerAction::Wait;
        }
        if self.cancelled || self.transmissions >= self.schedule.max_transmissions.max(1) {
            return TimerAction::TimedOut;
        }
        self.transmissions += 1;
        self.rto = (self.rto * 2).min(self.schedule.max_rto);
        self.deadline = now + self.rto;
        TimerAction::Retransmit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_up_to_the_cap_then_times_out() {
        let s = RetransmitSchedule {
            initial_rto: Duration::from_millis(500),
            max_rto: Duration::from_secs(3),
            max_transmissions: 7,
        };
        assert_eq!(s.total(), Duration::from_millis(15_500));
        let t0 = Instant::now();
        let a: SocketAddr = "10.0.0.1:1".parse().unwrap();
        let mut t = Transaction::new(
            t0,
            TransactionId([0; 12]),
            Purpose::ServerReflexive { server: a },
            a,
            a,
            Bytes::new(),
            s,
        );
        let mut sends = vec![Duration::ZERO];
        let mut now;
        loop {
            now = t.deadline;
            match t.on_timer(now) {
                TimerAction::Retransmit => sends.push(now - t0),
                TimerAction::TimedOut => break,
                TimerAction::Wait => unreachable!(),
            }
        }
        let ms: Vec<u128> = sends.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 500, 1500, 3500, 6500, 9500, 12500]);
        assert_eq!(now - t0, s.total());
        assert_eq!(t.on_timer(t0), TimerAction::Wait);
    }
}
