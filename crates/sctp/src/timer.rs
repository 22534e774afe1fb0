//! One restartable timer with exponential backoff; the association owns one
//! per RFC 9260 timer (T1-init, T1-cookie, T2-shutdown, T3-rtx, heartbeat,
//! T5 shutdown guard, reconfig) and asks each for its deadline.

use std::time::{Duration, Instant};

/// A deadline plus the count of consecutive expirations.
#[derive(Clone, Debug, Default)]
pub(crate) struct Timer {
    deadline: Option<Instant>,
    expirations: u32,
}

impl Timer {
    /// Arms the timer for `duration` from `now`, keeping the expiration count.
    pub(crate) fn start(&mut self, now: Instant, duration: Duration) {
        self.deadline = Some(now + duration);
    }

    /// Arms the timer unless it already runs.
    pub(crate) fn start_if_stopped(&mut self, now: Instant, duration: Duration) {
        if self.deadline.is_none() {
            self.start(now, duration);
        }
    }

    /// Disarms the timer and forgets past expirations.
    pub(crate) fn stop(&mut self) {
        self.deadline = None;
        self.expirations = 0;
    }

    /// The deadline, if armed.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// If the deadline has passed: disarms, counts the expiration and
    /// returns true. The caller re-arms it as the protocol says.
    pub(crate) fn expire(&mut self, now: Instant) -> bool {
        match self.deadline {
            Some(d) if d <= now => {
                self.deadline = None;
                self.expirations = self.expirations.saturating_add(1);
                true
            }
            _ => false,
        }
    }

    /// Consecutive expirations since the last `stop`.
    pub(crate) fn expirations(&self) -> u32 {
        self.expirations
    }
}

/// `base` doubled once per expiration, capped at `max` (RFC 9260 §6.3.3 E2).
pub(crate) fn backed_off(base: Duration, expirations: u32, max: Duration) -> Duration {
    let factor = 1u32 << expirations.min(16);
    base.saturating_mul(factor).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_once_and_counts() {
        let t0 = Instant::now();
        let mut t = Timer::default();
        assert!(!t.expire(t0));
        t.start(t0, Duration::from_millis(10));
        assert!(!t.expire(t0 + Duration::from_millis(9)));
        assert!(t.expire(t0 + Duration::from_millis(10)));
        assert!(!t.expire(t0 + Duration::from_millis(11)));
        assert_eq!(t.expirations(), 1);
        t.start_if_stopped(t0, Duration::from_millis(5));
        t.start_if_stopped(t0, Duration::from_millis(50));
        assert_eq!(t.deadline(), Some(t0 + Duration::from_millis(5)));
        t.stop();
        assert_eq!(t.expirations(), 0);
        assert!(t.deadline().is_none());
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let s = Duration::from_secs(1);
        assert_eq!(backed_off(s, 0, Duration::from_secs(60)), s);
        assert_eq!(
            backed_off(s, 3, Duration::from_secs(60)),
            Duration::from_secs(8)
        );
        assert_eq!(
            backed_off(s, 100, Duration::from_secs(60)),
            Duration::from_secs(60)
        );
    }
}
