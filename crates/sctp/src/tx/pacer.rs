//! Pacing: spreads packets carrying DATA at the rate the congestion
//! controller asks for, instead of sending a window's worth at once into
//! the bottleneck queue.
//!
//! Sans-IO: the pacer only says whether a packet may go at `now` and, when
//! not, the instant it may ([`Pacer::deadline`]), which the association
//! returns from `poll_timeout`. A small burst allowance (credit saved up
//! while idle, at most [`Pacer::burst_bytes`]) absorbs a driver whose timers
//! fire late, so pacing never costs rate on a coarse clock. Over any
//! interval `T` the pacer lets through at most `rate·T + burst` bytes plus
//! the one packet that crossed the line.

use std::time::{Duration, Instant};

/// How long the pacer may save up credit for: what a driver with a
/// millisecond timer loses when it wakes late.
const BURST_TIME: Duration = Duration::from_millis(1);

/// The pacing schedule of one association.
#[derive(Clone, Debug)]
pub struct Pacer {
    mtu: usize,
    /// The earliest instant the next packet may leave; `None` is unpaced.
    next: Option<Instant>,
    /// Whether `next` is worth waking up for. Kept apart from `next`, which
    /// must survive as the measure of credit used: forgetting it would hand
    /// out a fresh burst after every SACK.
    armed: bool,
}

impl Pacer {
    /// A pacer for packets of at most `mtu` bytes.
    pub fn new(mtu: usize) -> Self {
        Self {
            mtu,
            next: None,
            armed: false,
        }
    }

    /// Packets may now be `mtu` bytes.
    pub fn set_mtu(&mut self, mtu: usize) {
        self.mtu = mtu;
    }

    /// Whether a packet may leave at `now`.
    pub fn allows(&self, now: Instant) -> bool {
        self.next.is_none_or(|t| t <= now)
    }

    /// When the next packet may leave, while that is being held back.
    pub fn deadline(&self) -> Option<Instant> {
        self.next.filter(|_| self.armed)
    }

    /// The sender stopped at `now` for another reason than pacing: a
    /// deadline already passed is no longer a reason to wake up.
    pub fn forget_passed(&mut self, now: Instant) {
        if self.next.is_some_and(|t| t <= now) {
            self.armed = false;
        }
    }

    /// Credit the pacer may save up at `rate` bytes per second: one
    /// millisecond of sending, at least two packets.
    pub fn burst_bytes(&self, rate: u64) -> u64 {
        let per_burst = u128::from(rate) * BURST_TIME.as_nanos() / 1_000_000_000;
        u64::try_from(per_burst)
            .unwrap_or(u64::MAX)
            .max(2 * self.mtu as u64)
    }

    /// A packet of `bytes` carrying DATA left at `now`; `rate` is the
    /// controller's pacing rate (`None`: unpaced).
    pub fn on_sent(&mut self, now: Instant, bytes: usize, rate: Option<u64>) {
        let Some(rate) = rate.filter(|r| *r > 0) else {
            self.next = None;
            self.armed = false;
            return;
        };
        self.armed = true;
        let burst = Duration::from_nanos(
            u64::try_from(u128::from(self.burst_bytes(rate)) * 1_000_000_000 / u128::from(rate))
                .unwrap_or(u64::MAX),
        );
        let earliest = now.checked_sub(burst).unwrap_or(now);
        let base = self.next.map_or(earliest, |t| t.max(earliest));
        let gap_ns = (bytes as u128 * 1_000_000_000).div_ceil(u128::from(rate));
        self.next = Some(base + Duration::from_nanos(u64::try_from(gap_ns).unwrap_or(u64::MAX)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpaced_without_a_rate() {
        let t0 = Instant::now();
        let mut p = Pacer::new(1200);
        p.on_sent(t0, 1200, None);
        assert!(p.allows(t0));
        assert_eq!(p.deadline(), None);
    }

    #[test]
    fn never_faster_than_the_rate_plus_the_burst() {
        // 12.5 MB/s (100 Mbit/s); a sender that sends whenever allowed,
        // woken at every deadline, for one second.
        let rate = 12_500_000u64;
        let t0 = Instant::now();
        let mut p = Pacer::new(1200);
        let mut now = t0;
        let mut sent: Vec<(Instant, usize)> = Vec::new();
        while now < t0 + Duration::from_secs(1) {
            while p.allows(now) {
                p.on_sent(now, 1200, Some(rate));
                sent.push((now, 1200));
            }
            now = p.deadline().unwrap();
        }
        let burst = p.burst_bytes(rate) as usize + 1200;
        // Every window of 10 ms carries at most rate·10 ms + burst.
        for w in 0..100u32 {
            let from = t0 + Duration::from_millis(10) * w;
            let to = from + Duration::from_millis(10);
            let bytes: usize = sent
                .iter()
                .filter(|(t, _)| *t >= from && *t < to)
                .map(|(_, b)| b)
                .sum();
            assert!(bytes <= 125_000 + burst, "window {w}: {bytes} bytes");
        }
        let total: usize = sent.iter().map(|(_, b)| b).sum();
        assert!(
            (12_400_000..=12_500_000 + burst).contains(&total),
            "paced at the rate, not below it: {total}"
        );
    }

    #[test]
    fn a_passed_deadline_stops_waking_but_keeps_the_schedule() {
        let rate = 1_000_000u64; // 1.2 ms per packet
        let t0 = Instant::now();
        let mut p = Pacer::new(1200);
        while p.allows(t0) {
            p.on_sent(t0, 1200, Some(rate));
        }
        let next = p.deadline().unwrap();
        // Woken, but nothing to send: no more wake-ups for that instant...
        p.forget_passed(next);
        assert_eq!(p.deadline(), None);
        // ...and no fresh burst either: one packet, then wait again.
        assert!(p.allows(next));
        p.on_sent(next, 1200, Some(rate));
        assert!(!p.allows(next));
    }

    #[test]
    fn idle_credit_is_bounded() {
        let rate = 12_500_000u64;
        let t0 = Instant::now();
        let mut p = Pacer::new(1200);
        p.on_sent(t0, 1200, Some(rate));
        // A second later, only the burst goes at once.
        let later = t0 + Duration::from_secs(1);
        let mut n = 0;
        while p.allows(later) {
            p.on_sent(later, 1200, Some(rate));
            n += 1;
        }
        assert_eq!(n, p.burst_bytes(rate).div_ceil(1200) as usize);
    }
}
