//! Retransmission timeout estimation (RFC 9260 §6.3.1 and §6.3.3).
//!
//! The association feeds it RTT samples taken per Karn's rule (C4/C5: only
//! from chunks sent once, at most one sample per round trip) and asks it for
//! the RTO when it arms T3-rtx. The estimator has no clock: samples are
//! `Duration`s the caller measured between two `Instant`s it was given.
//!
//! RFC 9260's protocol parameters are RTO.Initial = 1 s, RTO.Min = 1 s,
//! RTO.Max = 60 s. Those are tuned for the open Internet with coarse timers;
//! WebRTC stacks run with lower values, and the association's options choose
//! them. This type just takes the three bounds.

use std::time::Duration;

/// Clock granularity `G` of RFC 9260 §6.3.1 rule G1: RTTVAR never goes
/// below it, so the RTO keeps a margin of at least `4·G` above SRTT even on a
/// perfectly steady path. Durations here are exact to the nanosecond, so `G`
/// is not a measurement limit but the smallest variance we are willing to
/// believe.
pub const CLOCK_GRANULARITY: Duration = Duration::from_millis(1);

/// RTO.Alpha = 1/8 (RFC 9260 §16), as a divisor.
const ALPHA_DIV: u32 = 8;
/// RTO.Beta = 1/4 (RFC 9260 §16), as a divisor.
const BETA_DIV: u32 = 4;

/// The bounds given to [`RtoEstimator::new`] are inconsistent.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error(
    "RTO bounds must satisfy 0 < min <= initial <= max (got initial {initial:?}, min {min:?}, max {max:?})"
)]
pub struct InvalidRtoBounds {
    /// The initial RTO given.
    pub initial: Duration,
    /// The minimum RTO given.
    pub min: Duration,
    /// The maximum RTO given.
    pub max: Duration,
}

/// Smoothed RTT, RTT variance and the retransmission timeout derived from
/// them (RFC 9260 §6.3.1).
///
/// ```
/// use std::time::Duration;
/// use sanderling_sctp::tx::rto::RtoEstimator;
/// let ms = Duration::from_millis;
/// let mut rto = RtoEstimator::new(ms(1000), ms(100), ms(60_000)).unwrap();
/// rto.observe_rtt(ms(100)); // SRTT 100, RTTVAR 50
/// assert_eq!(rto.rto(), ms(300));
/// rto.backoff(); // T3-rtx expired
/// assert_eq!(rto.rto(), ms(600));
/// ```
#[derive(Clone, Debug)]
pub struct RtoEstimator {
    min: Duration,
    max: Duration,
    /// SRTT and RTTVAR; `None` until the first measurement (rule C1).
    smoothed: Option<(Duration, Duration)>,
    rto: Duration,
}

impl RtoEstimator {
    /// An estimator that has no measurement yet: the RTO is `initial`
    /// (rule C1). Every RTO it computes is clamped to `[min, max]` (C6, C7).
    pub fn new(initial: Duration, min: Duration, max: Duration) -> Result<Self, InvalidRtoBounds> {
        if min.is_zero() || min > initial || initial > max {
            return Err(InvalidRtoBounds { initial, min, max });
        }
        Ok(Self {
            min,
            max,
            smoothed: None,
            rto: initial,
        })
    }

    /// Takes one RTT measurement `r` (rules C2, C3, G1, C6, C7).
    ///
    /// The RTO is recomputed from SRTT and RTTVAR, which also drops any
    /// exponential backoff: a fresh measurement is the evidence that the
    /// path works again (RFC 6298 §5, which RFC 9260 follows).
    pub fn observe_rtt(&mut self, r: Duration) {
        let (srtt, rttvar) = match self.smoothed {
            // C2: SRTT <- R, RTTVAR <- R/2.
            None => (r, r / 2),
            // C3: RTTVAR uses the old SRTT, so it is computed first.
            Some((srtt, rttvar)) => {
                let rttvar =
                    rttvar.saturating_mul(BETA_DIV - 1) / BETA_DIV + srtt.abs_diff(r) / BETA_DIV;
                let srtt = srtt.saturating_mul(ALPHA_DIV - 1) / ALPHA_DIV + r / ALPHA_DIV;
                (srtt, rttvar)
            }
        };
        // G1 sets RTTVAR to G when it computes to zero, which on a clock
        // ticking in G is the same as never letting it fall below G. Our
        // arithmetic is exact to the nanosecond, so a steady RTT would decay
        // RTTVAR through ever tinier values instead of reaching zero: floor
        // it at G so RTO keeps its 4·G margin over SRTT.
        let rttvar = rttvar.max(CLOCK_GRANULARITY);
        self.smoothed = Some((srtt, rttvar));
        self.rto = srtt
            .saturating_add(rttvar.saturating_mul(4))
            .clamp(self.min, self.max);
    }

    /// T3-rtx expired: double the RTO, up to the maximum (rule E2).
    pub fn backoff(&mut self) {
        self.rto = self.rto.saturating_mul(2).min(self.max);
    }

    /// The current retransmission timeout.
    pub fn rto(&self) -> Duration {
        self.rto
    }

    /// The smoothed round-trip time, once a measurement has been made.
    pub fn srtt(&self) -> Option<Duration> {
        self.smoothed.map(|(srtt, _)| srtt)
    }

    /// The round-trip time variation, once a measurement has been made.
    pub fn rttvar(&self) -> Option<Duration> {
        self.smoothed.map(|(_, rttvar)| rttvar)
    }

    /// The lower bound on the RTO.
    pub fn min_rto(&self) -> Duration {
        self.min
    }

    /// The upper bound on the RTO.
    pub fn max_rto(&self) -> Duration {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    fn estimator() -> RtoEstimator {
        RtoEstimator::new(ms(1000), ms(100), ms(60_000)).unwrap()
    }

    #[test]
    fn initial_rto_until_first_measurement() {
        let e = estimator();
        assert_eq!(e.rto(), ms(1000));
        assert_eq!(e.srtt(), None);
        assert_eq!(e.rttvar(), None);
    }

    #[test]
    fn first_measurement_sets_srtt_and_half_variance() {
        let mut e = estimator();
        e.observe_rtt(ms(100));
        assert_eq!(e.srtt(), Some(ms(100)));
        assert_eq!(e.rttvar(), Some(ms(50)));
        assert_eq!(e.rto(), ms(300));
    }

    #[test]
    fn later_measurements_are_smoothed() {
        let mut e = estimator();
        e.observe_rtt(ms(100));
        e.observe_rtt(ms(200));
        // RTTVAR = 3/4·50 + 1/4·|100 − 200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5.
        assert_eq!(e.rttvar(), Some(us(62_500)));
        assert_eq!(e.srtt(), Some(us(112_500)));
        assert_eq!(e.rto(), us(112_500 + 4 * 62_500));
        e.observe_rtt(ms(100));
        // RTTVAR = 3/4·62.5 + 1/4·12.5 = 50; SRTT = 7/8·112.5 + 1/8·100 = 110.9375.
        assert_eq!(e.rttvar(), Some(ms(50)));
        assert_eq!(e.srtt(), Some(Duration::from_nanos(110_937_500)));
        assert_eq!(e.rto(), Duration::from_nanos(310_937_500));
    }

    #[test]
    fn rto_is_clamped_to_min_and_max() {
        let mut e = estimator();
        e.observe_rtt(ms(10)); // 10 + 4·5 = 30 < 100
        assert_eq!(e.rto(), ms(100));
        let mut e = estimator();
        e.observe_rtt(ms(30_000)); // 30 s + 4·15 s = 90 s > 60 s
        assert_eq!(e.rto(), ms(60_000));
    }

    #[test]
    fn zero_variance_uses_clock_granularity() {
        let mut e = RtoEstimator::new(ms(1000), us(1), ms(60_000)).unwrap();
        e.observe_rtt(Duration::ZERO);
        assert_eq!(e.rttvar(), Some(CLOCK_GRANULARITY));
        assert_eq!(e.rto(), 4 * CLOCK_GRANULARITY);
        // A steady RTT decays RTTVAR geometrically; it never drops below G.
        let mut e = RtoEstimator::new(ms(1000), us(1), ms(60_000)).unwrap();
        for _ in 0..200 {
            e.observe_rtt(ms(20));
        }
        assert_eq!(e.srtt(), Some(ms(20)));
        assert_eq!(e.rttvar(), Some(CLOCK_GRANULARITY));
        assert_eq!(e.rto(), ms(24));
    }

    #[test]
    fn backoff_doubles_up_to_max_and_a_measurement_undoes_it() {
        let mut e = estimator();
        e.observe_rtt(ms(100));
        e.backoff();
        assert_eq!(e.rto(), ms(600));
        e.backoff();
        assert_eq!(e.rto(), ms(1200));
        for _ in 0..10 {
            e.backoff();
        }
        assert_eq!(e.rto(), ms(60_000));
        e.observe_rtt(ms(100));
        // RTTVAR = 3/4·50 + 0 = 37.5; SRTT stays 100.
        assert_eq!(e.rto(), ms(250));
    }

    #[test]
    fn backoff_before_any_measurement_doubles_the_initial_rto() {
        let mut e = estimator();
        e.backoff();
        assert_eq!(e.rto(), ms(2000));
    }

    #[test]
    fn huge_samples_saturate_instead_of_panicking() {
        let mut e = estimator();
        e.observe_rtt(Duration::MAX);
        e.observe_rtt(Duration::MAX);
        e.observe_rtt(Duration::ZERO);
        assert_eq!(e.rto(), ms(60_000));
        e.backoff();
        assert_eq!(e.rto(), ms(60_000));
    }

    #[test]
    fn inconsistent_bounds_are_rejected() {
        assert!(RtoEstimator::new(ms(50), ms(100), ms(1000)).is_err());
        assert!(RtoEstimator::new(ms(2000), ms(100), ms(1000)).is_err());
        assert!(RtoEstimator::new(ms(100), Duration::ZERO, ms(1000)).is_err());
        assert!(RtoEstimator::new(ms(100), ms(100), ms(100)).is_ok());
    }
}
