//! Instants kept per chunk, compactly.
//!
//! Every chunk in flight remembers when it was last sent, when its message
//! expires, and two instants of its delivery-rate snapshot. As `Instant`s
//! those are 16 bytes each; as nanoseconds since an [`Epoch`] that the send
//! side fixes at its first chunk, 8 (584 years of range). With ~8,000
//! small messages in flight that is a quarter of the bookkeeping.

use std::time::{Duration, Instant};

/// A point in time: nanoseconds since an [`Epoch`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp(u64);

impl Stamp {
    /// Later than every stamp an epoch makes: the deadline of a message
    /// that never expires.
    pub const NEVER: Stamp = Stamp(u64::MAX);

    /// The stamp `nanos` nanoseconds after the epoch.
    pub fn from_nanos(nanos: u64) -> Self {
        Self(nanos.min(u64::MAX - 1))
    }

    /// Time from `earlier` to this stamp; zero if `earlier` is later.
    pub fn saturating_since(self, earlier: Stamp) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

/// The instant stamps count from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epoch(Instant);

impl Epoch {
    /// Stamps counted from `origin`.
    pub fn new(origin: Instant) -> Self {
        Self(origin)
    }

    /// `t` as a stamp: an instant before the epoch reads as the epoch,
    /// one beyond the range as the last stamp before [`Stamp::NEVER`].
    pub fn stamp(self, t: Instant) -> Stamp {
        let nanos = t.saturating_duration_since(self.0).as_nanos();
        Stamp::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// A deadline as a stamp: `None` is [`Stamp::NEVER`].
    pub fn deadline(self, t: Option<Instant>) -> Stamp {
        t.map_or(Stamp::NEVER, |t| self.stamp(t))
    }

    /// The instant a stamp stands for (the epoch itself if it cannot be
    /// represented).
    pub fn instant(self, s: Stamp) -> Instant {
        self.0
            .checked_add(Duration::from_nanos(s.0))
            .unwrap_or(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_and_order() {
        let t0 = Instant::now();
        let e = Epoch::new(t0);
        let a = e.stamp(t0 + Duration::from_nanos(1500));
        let b = e.stamp(t0 + Duration::from_secs(3600));
        assert!(a < b && b < Stamp::NEVER);
        assert_eq!(e.instant(a), t0 + Duration::from_nanos(1500));
        assert_eq!(
            b.saturating_since(a),
            Duration::from_secs(3600) - Duration::from_nanos(1500)
        );
        assert_eq!(a.saturating_since(b), Duration::ZERO);
        // Before the epoch: the epoch.
        if let Some(before) = t0.checked_sub(Duration::from_secs(1)) {
            assert_eq!(e.stamp(before), Stamp::default());
        }
        assert_eq!(e.deadline(None), Stamp::NEVER);
        assert_eq!(e.deadline(Some(t0)), Stamp::default());
    }
}
