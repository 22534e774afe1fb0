//! The virtual clock.

use std::time::{Duration, Instant};

/// A clock that only moves when told to.
///
/// Protocol cores take `std::time::Instant` values, so the clock hands out
/// real `Instant`s: an epoch taken once at construction plus the simulated
/// time elapsed. Only differences between instants matter to the cores, so
/// a run is the same whatever the epoch.
#[derive(Clone, Debug)]
pub struct VirtualClock {
    epoch: Instant,
    now: Instant,
}

impl VirtualClock {
    /// A clock standing at its epoch.
    pub fn new() -> Self {
        let epoch = Instant::now();
        Self { epoch, now: epoch }
    }

    /// The current simulated instant.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The instant the clock started at.
    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Simulated time since the epoch.
    pub fn elapsed(&self) -> Duration {
        self.now - self.epoch
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Moves the clock to `to`; an instant in the past leaves it where it is,
    /// because simulated time never runs backwards.
    pub fn advance_to(&mut self, to: Instant) {
        if to > self.now {
            self.now = to;
        }
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_and_never_goes_back() {
        let mut clock = VirtualClock::new();
        clock.advance(Duration::from_millis(5));
        assert_eq!(clock.elapsed(), Duration::from_millis(5));
        let t = clock.now();
        clock.advance_to(clock.epoch());
        assert_eq!(clock.now(), t);
        clock.advance_to(t + Duration::from_secs(1));
        assert_eq!(clock.elapsed(), Duration::from_millis(1005));
    }
}
