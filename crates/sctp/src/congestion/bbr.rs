//! A model-based congestion controller in the manner of BBR
//! (draft-ietf-ccwg-bbr): it estimates the path's bottleneck bandwidth
//! (the highest delivery rate of the last ten round trips) and its
//! propagation delay (the lowest RTT of the last ten seconds), paces at
//! a gain times that bandwidth and caps the flight at twice their product.
//!
//! Loss is not read as congestion: a path with 1 % random loss keeps its
//! full rate, where NewReno's halving per loss leaves a few percent of it
//! (Mathis: rate ≈ MSS / (RTT·√p)). RFC 9260's repair is untouched: fast
//! retransmit and T3-rtx still resend what was lost, Fast Recovery still
//! bounds one loss episode (for the miss-indication rules), and a T3-rtx
//! still drops the window to one packet, until the retransmission is
//! acknowledged; the model then restores the window, since a single timeout
//! on a lossy path says little about its capacity.
//!
//! States: Startup (pace at 2.77×, doubling each round until the bandwidth
//! stops growing by a quarter for three rounds), Drain (pace below the
//! estimate until the queue Startup built is gone), ProbeBw (cycle the
//! gain 1.25, 0.75, then 1 for six rounds, each phase one min RTT long),
//! ProbeRtt (when the min RTT has not been seen again for ten seconds,
//! hold the flight at half a BDP for 200 ms so the queue empties and the
//! propagation delay can be measured again).

use std::time::{Duration, Instant};

use super::{AckEvent, CongestionController};
use crate::types::Tsn;

/// Startup's pacing gain, 2/ln 2 rounded as the draft does: enough to
/// double the delivery rate each round trip.
const STARTUP_GAIN: f64 = 2.77;
/// Drain's pacing gain: empties Startup's queue in about one round.
const DRAIN_GAIN: f64 = 1.0 / STARTUP_GAIN;
/// The flight cap in BDPs: room for delayed and bunched SACKs.
const CWND_GAIN: f64 = 2.0;
/// ProbeBw's pacing gains, one phase per min RTT.
const PROBE_BW_GAINS: [f64; 8] = [1.25, 0.75, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
/// Round trips the bandwidth filter remembers.
const BW_WINDOW_ROUNDS: usize = 10;
/// How long a min RTT sample stays valid.
const MIN_RTT_WINDOW: Duration = Duration::from_secs(10);
/// How long ProbeRtt holds the flight down.
const PROBE_RTT_DURATION: Duration = Duration::from_millis(200);
/// Rounds without 25 % bandwidth growth after which the pipe is full.
const FULL_BW_ROUNDS: u8 = 3;
/// Startup also ends after a round with at least this many loss events...
const STARTUP_LOSS_EVENTS: u32 = 6;
/// ...that cost more than 1/this of the bytes it delivered (2 %): the
/// bottleneck queue overflows. Random loss of 1 % stays below it.
const STARTUP_LOSS_DIVISOR: u64 = 50;

/// Settings for [`Bbr`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BbrConfig {
    /// The path's maximum DATA chunk size in bytes (PMDCS).
    pub mtu: usize,
    /// Initial congestion window in packets, as for NewReno.
    pub initial_cwnd_packets: usize,
}

impl Default for BbrConfig {
    fn default() -> Self {
        Self {
            mtu: 1200,
            initial_cwnd_packets: 10,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FilterHold {
    None,
    /// A T3-rtx happened; the hold starts at the next acknowledgement.
    Pending,
    Until(Instant),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Startup,
    Drain,
    ProbeBw,
    ProbeRtt,
}

/// The model-based controller (see the module docs).
#[derive(Clone, Debug)]
pub struct Bbr {
    config: BbrConfig,
    mode: Mode,
    cwnd: usize,
    /// Highest delivery rate per round, the last [`BW_WINDOW_ROUNDS`] rounds.
    bw_by_round: [u64; BW_WINDOW_ROUNDS],
    max_bw: u64,
    min_rtt: Option<Duration>,
    min_rtt_stamp: Option<Instant>,
    delivered: u64,
    round_count: u64,
    next_round_delivered: u64,
    full_bw: u64,
    full_bw_count: u8,
    filled_pipe: bool,
    cycle_index: usize,
    cycle_stamp: Option<Instant>,
    probe_rtt_done: Option<Instant>,
    probe_rtt_round_done: bool,
    /// The window before ProbeRtt or a T3-rtx, restored after.
    prior_cwnd: usize,
    /// A T3-rtx dropped the window; the next acknowledgement restores it.
    rto_recovery: bool,
    fast_recovery_exit: Option<Tsn>,
    /// SACKs that started fast retransmissions in the current round.
    round_loss_events: u32,
    /// `delivered` when the current round began.
    round_start_delivered: u64,
    /// After a T3-rtx, the bandwidth filter does not age for as long as
    /// [`BW_WINDOW_ROUNDS`] round trips of the min RTT would take: the
    /// recovery's own slow samples (and its many short "rounds" of
    /// retransmissions acked at once) must not replace what the path
    /// carried just before; regaining it costs seconds of ProbeBw.
    filter_hold: FilterHold,
}

impl Bbr {
    /// A controller at the start of an association; `None` if the window
    /// could never open (zero `mtu` or initial window).
    pub fn new(config: BbrConfig) -> Option<Self> {
        if config.mtu == 0 || config.initial_cwnd_packets == 0 {
            return None;
        }
        Some(Self {
            config,
            mode: Mode::Startup,
            cwnd: config.mtu.saturating_mul(config.initial_cwnd_packets),
            bw_by_round: [0; BW_WINDOW_ROUNDS],
            max_bw: 0,
            min_rtt: None,
            min_rtt_stamp: None,
            delivered: 0,
            round_count: 0,
            next_round_delivered: 0,
            full_bw: 0,
            full_bw_count: 0,
            filled_pipe: false,
            cycle_index: 0,
            cycle_stamp: None,
            probe_rtt_done: None,
            probe_rtt_round_done: false,
            prior_cwnd: 0,
            rto_recovery: false,
            fast_recovery_exit: None,
            round_loss_events: 0,
            round_start_delivered: 0,
            filter_hold: FilterHold::None,
        })
    }

    /// The bottleneck bandwidth estimate in bytes per second.
    pub fn bandwidth(&self) -> u64 {
        self.max_bw
    }

    /// The propagation delay estimate.
    pub fn min_rtt(&self) -> Option<Duration> {
        self.min_rtt
    }

    /// Whether Startup has found the path's bandwidth.
    pub fn filled_pipe(&self) -> bool {
        self.filled_pipe
    }

    fn min_cwnd(&self) -> usize {
        self.config.mtu.saturating_mul(4)
    }

    /// The bandwidth-delay product in bytes, once both are measured.
    fn bdp(&self) -> Option<usize> {
        let rtt = self.min_rtt?;
        if self.max_bw == 0 {
            return None;
        }
        let bytes = u128::from(self.max_bw) * rtt.as_nanos() / 1_000_000_000;
        Some(usize::try_from(bytes).unwrap_or(usize::MAX))
    }

    fn pacing_gain(&self) -> f64 {
        match self.mode {
            Mode::Startup => STARTUP_GAIN,
            Mode::Drain => DRAIN_GAIN,
            Mode::ProbeBw => PROBE_BW_GAINS[self.cycle_index],
            Mode::ProbeRtt => 1.0,
        }
    }

    fn target_cwnd(&self) -> Option<usize> {
        let bdp = self.bdp()?;
        let target = if self.mode == Mode::ProbeRtt {
            bdp / 2
        } else {
            // Two BDPs plus a few packets for SACKs that ack two at a time.
            (bdp as f64 * CWND_GAIN) as usize + self.min_cwnd()
        };
        Some(target.max(self.min_cwnd()))
    }

    fn update_round(&mut self, now: Instant, prior_delivered: u64, total_delivered: u64) -> bool {
        // Rounds are counted on the sampler's delivered count, the one the
        // snapshots carry: the association may process acknowledgements it
        // does not report here (a stale SACK's gap blocks).
        self.delivered = total_delivered;
        if prior_delivered < self.next_round_delivered {
            return false;
        }
        // A Startup round that lost much more than random loss would: the
        // queue overflowed, so the pipe is full (the draft's loss exit).
        let round_bytes = self.delivered - self.round_start_delivered;
        let lost = u64::from(self.round_loss_events) * self.config.mtu as u64;
        if self.mode == Mode::Startup
            && self.round_loss_events >= STARTUP_LOSS_EVENTS
            && lost * STARTUP_LOSS_DIVISOR > round_bytes
        {
            self.filled_pipe = true;
        }
        self.round_loss_events = 0;
        self.round_start_delivered = self.delivered;
        self.next_round_delivered = self.delivered;
        self.round_count += 1;
        let held = matches!(self.filter_hold, FilterHold::Until(t) if now < t);
        if !held {
            self.bw_by_round[(self.round_count as usize) % BW_WINDOW_ROUNDS] = 0;
        }
        true
    }

    fn update_bw(&mut self, rate: u64, app_limited: bool) {
        if app_limited && rate < self.max_bw {
            return;
        }
        let slot = &mut self.bw_by_round[(self.round_count as usize) % BW_WINDOW_ROUNDS];
        *slot = (*slot).max(rate);
        self.max_bw = self.bw_by_round.iter().copied().max().unwrap_or(0);
    }

    fn check_full_pipe(&mut self, round_start: bool, app_limited: bool) {
        if self.filled_pipe || !round_start || app_limited {
            return;
        }
        if self.max_bw >= self.full_bw.saturating_add(self.full_bw / 4) {
            self.full_bw = self.max_bw;
            self.full_bw_count = 0;
            return;
        }
        self.full_bw_count += 1;
        if self.full_bw_count >= FULL_BW_ROUNDS {
            self.filled_pipe = true;
        }
    }

    fn enter_probe_bw(&mut self, now: Instant) {
        self.mode = Mode::ProbeBw;
        // Start in a cruising phase: Drain has just emptied the queue.
        self.cycle_index = 2;
        self.cycle_stamp = Some(now);
    }

    fn advance_cycle(&mut self, now: Instant, flight: usize) {
        let (Some(stamp), Some(rtt), Some(bdp)) = (self.cycle_stamp, self.min_rtt, self.bdp())
        else {
            return;
        };
        let elapsed = now.saturating_duration_since(stamp) > rtt;
        let drained = PROBE_BW_GAINS[self.cycle_index] < 1.0 && flight <= bdp;
        if elapsed || drained {
            self.cycle_index = (self.cycle_index + 1) % PROBE_BW_GAINS.len();
            self.cycle_stamp = Some(now);
        }
    }

    fn update_probe_rtt(&mut self, now: Instant, round_start: bool, flight: usize) {
        let expired = self
            .min_rtt_stamp
            .is_some_and(|s| now.saturating_duration_since(s) > MIN_RTT_WINDOW);
        if expired && self.mode != Mode::ProbeRtt {
            self.mode = Mode::ProbeRtt;
            self.prior_cwnd = self.prior_cwnd.max(self.cwnd);
            self.probe_rtt_done = None;
        }
        if self.mode != Mode::ProbeRtt {
            return;
        }
        let target = self.target_cwnd().unwrap_or(self.min_cwnd());
        match self.probe_rtt_done {
            None if flight <= target => {
                self.probe_rtt_done = Some(now + PROBE_RTT_DURATION);
                self.probe_rtt_round_done = false;
                self.next_round_delivered = self.delivered;
            }
            Some(done) => {
                if round_start {
                    self.probe_rtt_round_done = true;
                }
                if self.probe_rtt_round_done && now >= done {
                    self.min_rtt_stamp = Some(now);
                    self.cwnd = self.cwnd.max(self.prior_cwnd);
                    self.prior_cwnd = 0;
                    if self.filled_pipe {
                        self.enter_probe_bw(now);
                    } else {
                        self.mode = Mode::Startup;
                    }
                }
            }
            None => {}
        }
    }

    fn update_cwnd(&mut self, bytes_acked: usize) {
        let Some(target) = self.target_cwnd() else {
            // No model yet: grow as slow start does.
            self.cwnd = self.cwnd.saturating_add(bytes_acked);
            return;
        };
        if self.mode == Mode::ProbeRtt {
            self.cwnd = self.cwnd.min(target);
        } else if self.filled_pipe {
            self.cwnd = self.cwnd.saturating_add(bytes_acked).min(target);
        } else if self.cwnd < target
            || self.delivered < (self.config.mtu * self.config.initial_cwnd_packets) as u64
        {
            self.cwnd = self.cwnd.saturating_add(bytes_acked);
        }
        self.cwnd = self.cwnd.max(self.min_cwnd());
    }
}

impl CongestionController for Bbr {
    fn cwnd(&self) -> usize {
        self.cwnd
    }

    fn ssthresh(&self) -> usize {
        // No threshold: the model, not a loss, decides where growth stops.
        u32::MAX as usize
    }

    fn in_fast_recovery(&self) -> bool {
        self.fast_recovery_exit.is_some()
    }

    fn on_ack(&mut self, ack: &AckEvent) {
        if let Some(exit) = self.fast_recovery_exit
            && ack.cumulative_tsn_ack.is_after_or_eq(exit)
        {
            self.fast_recovery_exit = None;
        }
        self.delivered = self.delivered.saturating_add(ack.bytes_acked as u64);
        if self.rto_recovery && ack.bytes_acked > 0 {
            // The retransmission got through: the path still works.
            self.rto_recovery = false;
            self.cwnd = self.cwnd.max(self.prior_cwnd);
            self.prior_cwnd = 0;
        }
        let now = ack.now;
        if self.filter_hold == FilterHold::Pending {
            let rtt = self.min_rtt.unwrap_or(Duration::from_millis(100));
            self.filter_hold = FilterHold::Until(now + rtt * BW_WINDOW_ROUNDS as u32);
        }
        let mut round_start = false;
        let mut app_limited = false;
        if let Some(rs) = ack.rate_sample {
            round_start = self.update_round(now, rs.prior_delivered, rs.total_delivered);
            app_limited = rs.app_limited;
            let expired = self
                .min_rtt_stamp
                .is_some_and(|s| now.saturating_duration_since(s) > MIN_RTT_WINDOW);
            if let Some(rtt) = rs.rtt
                && (self.min_rtt.is_none_or(|m| rtt <= m)
                    || (expired && self.mode == Mode::ProbeRtt))
            {
                self.min_rtt = Some(rtt);
                self.min_rtt_stamp = Some(now);
            }
            // A sample over less than a round trip saw a burst of SACKs,
            // not the path.
            if self.min_rtt.is_some_and(|m| rs.interval >= m) {
                self.update_bw(rs.delivery_rate, rs.app_limited);
            }
        }
        self.check_full_pipe(round_start, app_limited);
        let flight = ack.flight_size_after;
        match self.mode {
            Mode::Startup if self.filled_pipe => self.mode = Mode::Drain,
            Mode::ProbeBw => self.advance_cycle(now, flight),
            _ => {}
        }
        if self.mode == Mode::Drain && self.bdp().is_some_and(|bdp| flight <= bdp) {
            self.enter_probe_bw(now);
        }
        self.update_probe_rtt(now, round_start, flight);
        if !self.rto_recovery {
            self.update_cwnd(ack.bytes_acked);
        }
    }

    fn on_fast_retransmit(&mut self, highest_outstanding_tsn: Tsn) -> bool {
        // The episode is tracked for the miss-indication rules; the window
        // stays where the model put it.
        self.round_loss_events = self.round_loss_events.saturating_add(1);
        if self.fast_recovery_exit.is_none() {
            self.fast_recovery_exit = Some(highest_outstanding_tsn);
        }
        false
    }

    fn on_retransmission_lost(&mut self, highest_outstanding_tsn: Tsn) {
        // Another loss event for the round; the exit point moves on so the
        // miss-indication rules cover the data sent since.
        self.fast_recovery_exit = None;
        self.on_fast_retransmit(highest_outstanding_tsn);
    }

    fn set_mtu(&mut self, mtu: usize) {
        if mtu > 0 {
            self.config.mtu = mtu;
        }
    }

    fn on_retransmission_timeout(&mut self) {
        if !self.rto_recovery {
            self.prior_cwnd = self.prior_cwnd.max(self.cwnd);
        }
        self.rto_recovery = true;
        self.filter_hold = FilterHold::Pending;
        self.cwnd = self.config.mtu;
        self.fast_recovery_exit = None;
    }

    fn on_idle(&mut self, _idle_for: Duration, _rto: Duration) {
        // Pacing spreads the first window after a pause at the estimated
        // rate, so the window needs no decay (the draft's restart from idle).
    }

    fn uses_rate_samples(&self) -> bool {
        true
    }

    fn pacing_rate(&self) -> Option<u64> {
        if self.max_bw == 0 {
            return None;
        }
        Some((self.max_bw as f64 * self.pacing_gain()) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::congestion::RateSample;

    const MTU: usize = 1200;
    const RTT: Duration = Duration::from_millis(50);

    fn bbr() -> Bbr {
        Bbr::new(BbrConfig::default()).unwrap()
    }

    /// Feeds one SACK per round trip that delivered `rate` bytes/s over it.
    fn round(cc: &mut Bbr, now: Instant, rate: u64, flight: usize, cum: u32) {
        let bytes = (rate as u128 * RTT.as_nanos() / 1_000_000_000) as usize;
        let rs = RateSample {
            delivery_rate: rate,
            interval: RTT,
            delivered: bytes as u64,
            prior_delivered: cc.delivered,
            total_delivered: cc.delivered + bytes as u64,
            rtt: Some(RTT),
            app_limited: false,
        };
        cc.on_ack(&AckEvent {
            now,
            bytes_acked: bytes,
            flight_size_before: flight + bytes,
            flight_size_after: flight,
            cumulative_tsn_ack: Tsn(cum),
            rate_sample: Some(rs),
        });
    }

    fn steady(cc: &mut Bbr, t0: Instant, rounds: u32, rate: u64) -> Instant {
        let mut now = t0;
        for i in 0..rounds {
            now = t0 + RTT * (i + 1);
            round(cc, now, rate, 0, i);
        }
        now
    }

    #[test]
    fn startup_finds_the_bandwidth_then_paces_at_it() {
        let mut cc = bbr();
        assert_eq!(cc.cwnd(), 10 * MTU);
        assert_eq!(cc.pacing_rate(), None, "unpaced until measured");
        let t0 = Instant::now();
        // The path delivers 12.5 MB/s (100 Mbit/s) whatever is sent.
        let now = steady(&mut cc, t0, 8, 12_500_000);
        assert!(cc.filled_pipe());
        assert_eq!(cc.bandwidth(), 12_500_000);
        assert_eq!(cc.min_rtt(), Some(RTT));
        // Drain ends once the flight is at most one BDP (625 kB).
        round(&mut cc, now + RTT, 12_500_000, 600_000, 100);
        assert_eq!(cc.mode, Mode::ProbeBw);
        assert_eq!(cc.pacing_rate(), Some(12_500_000));
        // cwnd heads for 2·BDP + 4 packets.
        for i in 0..40 {
            round(&mut cc, now + RTT * (2 + i), 12_500_000, 600_000, 101 + i);
        }
        assert_eq!(cc.cwnd(), 2 * 625_000 + 4 * MTU);
    }

    #[test]
    fn random_loss_does_not_shrink_the_window() {
        let mut cc = bbr();
        let t0 = Instant::now();
        let now = steady(&mut cc, t0, 30, 12_500_000);
        let cwnd = cc.cwnd();
        assert!(!cc.on_fast_retransmit(Tsn(1000)));
        assert!(cc.in_fast_recovery());
        round(&mut cc, now + RTT, 12_500_000, 600_000, 999);
        assert_eq!(cc.cwnd(), cwnd);
        assert_eq!(
            cc.pacing_rate().map(|r| r >= 12_500_000 * 3 / 4),
            Some(true)
        );
        round(&mut cc, now + RTT * 2, 12_500_000, 600_000, 1000);
        assert!(!cc.in_fast_recovery());
    }

    #[test]
    fn t3_drops_to_one_packet_until_the_retransmission_is_acked() {
        let mut cc = bbr();
        let t0 = Instant::now();
        let now = steady(&mut cc, t0, 30, 12_500_000);
        let cwnd = cc.cwnd();
        cc.on_retransmission_timeout();
        assert_eq!(cc.cwnd(), MTU);
        round(&mut cc, now + RTT, 12_500_000, 0, 500);
        assert_eq!(cc.cwnd(), cwnd);
    }

    #[test]
    fn a_t3_recovery_does_not_age_out_the_bandwidth() {
        let mut cc = bbr();
        let t0 = Instant::now();
        let now = steady(&mut cc, t0, 30, 12_500_000);
        cc.on_retransmission_timeout();
        // A recovery's worth of slow rounds: the estimate holds...
        for i in 0..(BW_WINDOW_ROUNDS as u32 - 1) {
            round(&mut cc, now + RTT * (i + 1), 1_000_000, 0, 200 + i);
        }
        assert_eq!(cc.bandwidth(), 12_500_000);
        // ...and ages normally after it.
        for i in 0..(2 * BW_WINDOW_ROUNDS as u32) {
            round(&mut cc, now + RTT * (20 + i), 1_000_000, 0, 300 + i);
        }
        assert_eq!(cc.bandwidth(), 1_000_000);
    }

    #[test]
    fn bandwidth_estimate_follows_a_slower_path_within_the_window() {
        let mut cc = bbr();
        let t0 = Instant::now();
        let now = steady(&mut cc, t0, 30, 12_500_000);
        let mut later = now;
        for i in 0..(BW_WINDOW_ROUNDS as u32 + 2) {
            later = now + RTT * (i + 1);
            round(&mut cc, later, 1_250_000, 0, 100 + i);
        }
        assert_eq!(cc.bandwidth(), 1_250_000);
        let _ = later;
    }

    #[test]
    fn probe_rtt_after_ten_seconds_without_a_new_minimum() {
        let mut cc = bbr();
        let t0 = Instant::now();
        steady(&mut cc, t0, 30, 12_500_000);
        // RTT samples inflated by a standing queue for more than 10 s.
        let mut now = t0 + RTT * 30;
        let mut i = 0;
        while cc.mode != Mode::ProbeRtt {
            now += RTT;
            i += 1;
            let rs = RateSample {
                delivery_rate: 12_500_000,
                interval: RTT,
                delivered: 625_000,
                prior_delivered: cc.delivered,
                total_delivered: cc.delivered + 625_000,
                rtt: Some(RTT * 2),
                app_limited: false,
            };
            cc.on_ack(&AckEvent {
                now,
                bytes_acked: 625_000,
                flight_size_before: 1_250_000,
                flight_size_after: 1_250_000,
                cumulative_tsn_ack: Tsn(i),
                rate_sample: Some(rs),
            });
            assert!(i < 400, "never probed");
        }
        assert!(now.duration_since(t0) > MIN_RTT_WINDOW);
    }

    #[test]
    fn startup_ends_on_heavy_loss_but_not_on_random_loss() {
        let t0 = Instant::now();
        // 1 % of a round's packets lost: Startup goes on.
        let mut cc = bbr();
        let mut now = t0;
        let mut rate = 1_000_000;
        for i in 0..6u32 {
            now = t0 + RTT * (i + 1);
            for _ in 0..(rate / 20 / 1200 / 100) {
                cc.on_fast_retransmit(Tsn(i));
            }
            round(&mut cc, now, rate, 0, i);
            rate *= 2;
        }
        assert!(!cc.filled_pipe());
        // A round where a tenth of the packets were lost ends it.
        for _ in 0..(rate / 20 / 1200 / 10) {
            cc.on_fast_retransmit(Tsn(100));
        }
        round(&mut cc, now + RTT, rate, 0, 100);
        round(&mut cc, now + RTT * 2, rate, 0, 101);
        assert!(cc.filled_pipe());
    }

    #[test]
    fn rejects_a_window_that_could_never_open() {
        assert!(
            Bbr::new(BbrConfig {
                mtu: 0,
                ..BbrConfig::default()
            })
            .is_none()
        );
    }
}
