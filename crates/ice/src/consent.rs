//! Consent freshness (RFC 7675) and keepalives (RFC 8445 §11) on the
//! selected pair.

use std::time::{Duration, Instant};

/// Consent of the selected pair.
#[derive(Clone, Debug)]
pub(crate) struct Consent {
    /// The last authenticated response on the pair (or when it was
    /// selected).
    pub(crate) last_response: Instant,
    /// The first consent check sent since that response.
    pub(crate) unanswered_since: Option<Instant>,
    /// When the next consent check goes out.
    pub(crate) next_check: Instant,
    /// The last time data (or a keepalive) was sent on the pair.
    pub(crate) last_sent: Instant,
    /// Consent checks are paused (an ICE restart is choosing a new pair;
    /// the old one keeps carrying data until then).
    pub(crate) paused: bool,
}

/// Where consent stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConsentState {
    /// Fresh.
    Fresh,
    /// A check has gone unanswered too long.
    Expiring,
    /// No response for the consent timeout: stop sending.
    Lost,
}

impl Consent {
    pub(crate) fn new(now: Instant, first_check_in: Duration) -> Self {
        Self {
            last_response: now,
            unanswered_since: None,
            next_check: now + first_check_in,
            last_sent: now,
            paused: false,
        }
    }

    pub(crate) fn on_response(&mut self, now: Instant) {
        self.last_response = now;
        self.unanswered_since = None;
    }

    pub(crate) fn on_check_sent(&mut self, now: Instant, next_in: Duration) {
        self.unanswered_since.get_or_insert(now);
        self.next_check = now + next_in;
    }

    pub(crate) fn state(
        &self,
        now: Instant,
        disconnected_after: Duration,
        timeout: Duration,
    ) -> ConsentState {
        if now >= self.last_response + timeout {
            ConsentState::Lost
        } else if self
            .unanswered_since
            .is_some_and(|t| now >= t + disconnected_after)
        {
            ConsentState::Expiring
        } else {
            ConsentState::Fresh
        }
    }

    /// The next instant the state may change at.
    pub(crate) fn next_change(
        &self,
        now: Instant,
        disconnected_after: Duration,
        timeout: Duration,
    ) -> Option<Instant> {
        let lost = self.last_response + timeout;
        let expiring = self.unanswered_since.map(|t| t + disconnected_after);
        [Some(lost), expiring]
            .into_iter()
            .flatten()
            .filter(|&t| t > now)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiring_then_lost_then_fresh_again() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut c = Consent::new(t0, s(5));
        assert_eq!(c.state(t0 + s(4), s(5), s(30)), ConsentState::Fresh);
        c.on_check_sent(t0 + s(5), s(5));
        assert_eq!(c.state(t0 + s(9), s(5), s(30)), ConsentState::Fresh);
        assert_eq!(c.next_change(t0 + s(9), s(5), s(30)), Some(t0 + s(10)));
        c.on_check_sent(t0 + s(10), s(5));
        assert_eq!(c.state(t0 + s(10), s(5), s(30)), ConsentState::Expiring);
        assert_eq!(c.state(t0 + s(30), s(5), s(30)), ConsentState::Lost);
        c.on_response(t0 + s(12));
        assert_eq!(c.state(t0 + s(12), s(5), s(30)), ConsentState::Fresh);
    }
}
