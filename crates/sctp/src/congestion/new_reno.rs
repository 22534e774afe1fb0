//! SCTP's own congestion control: slow start, congestion avoidance with
//! `partial_bytes_acked`, Fast Recovery and the T3-rtx collapse
//! (RFC 9260 §7.2.1–§7.2.4).
//!
//! `mtu` below is RFC 9260's PMDCS (path maximum DATA chunk size; RFC 4960
//! called it MTU): the unit every window change is made in.

use std::time::Duration;

use super::{AckEvent, CongestionController};
use crate::types::Tsn;

/// Settings for [`NewReno`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct NewRenoConfig {
    /// The path's maximum DATA chunk size in bytes (PMDCS).
    pub mtu: usize,
    /// Initial congestion window, in multiples of `mtu`. RFC 9260 §7.2.1
    /// prescribes `min(4·MTU, max(2·MTU, 4404))`; we follow the larger
    /// initial window of RFC 6928 (10 packets), as TCP and QUIC now do,
    /// because data channels are short-lived bursts that would otherwise
    /// spend several round trips in slow start.
    pub initial_cwnd_packets: usize,
    /// Initial slow-start threshold. The RFC says "arbitrarily high (e.g.,
    /// the size of the largest possible advertised window)"; the association
    /// may pass the peer's advertised receiver window instead.
    pub initial_ssthresh: usize,
    /// `L` of §7.2.1: slow start grows the window by at most `L·mtu` per
    /// SACK, whatever the SACK acknowledged, against ACK splitting.
    pub max_burst_increase_packets: usize,
}

impl Default for NewRenoConfig {
    fn default() -> Self {
        Self {
            mtu: 1200,
            initial_cwnd_packets: 10,
            initial_ssthresh: u32::MAX as usize,
            max_burst_increase_packets: 1,
        }
    }
}

/// A [`NewRenoConfig`] with a zero `mtu`, `initial_cwnd_packets` or
/// `max_burst_increase_packets`: the window could never open.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("congestion control needs a non-zero mtu, initial window and slow-start increase")]
pub struct InvalidNewRenoConfig;

/// RFC 9260's congestion control for one path.
#[derive(Clone, Debug)]
pub struct NewReno {
    config: NewRenoConfig,
    cwnd: usize,
    ssthresh: usize,
    partial_bytes_acked: usize,
    /// Set while in Fast Recovery: the highest TSN outstanding when it
    /// began; a cumulative ack at or beyond it ends Fast Recovery.
    fast_recovery_exit: Option<Tsn>,
}

impl NewReno {
    /// A controller at the start of an association.
    pub fn new(config: NewRenoConfig) -> Result<Self, InvalidNewRenoConfig> {
        if config.mtu == 0
            || config.initial_cwnd_packets == 0
            || config.max_burst_increase_packets == 0
        {
            return Err(InvalidNewRenoConfig);
        }
        Ok(Self {
            config,
            cwnd: config.mtu.saturating_mul(config.initial_cwnd_packets),
            ssthresh: config.initial_ssthresh,
            partial_bytes_acked: 0,
            fast_recovery_exit: None,
        })
    }

    /// The settings this controller was made with.
    pub fn config(&self) -> &NewRenoConfig {
        &self.config
    }

    /// Bytes acknowledged towards the next congestion-avoidance increase.
    pub fn partial_bytes_acked(&self) -> usize {
        self.partial_bytes_acked
    }

    /// `max(cwnd/2, 4·MTU)`, the threshold after any loss (§7.2.3).
    fn reduced_threshold(&self) -> usize {
        (self.cwnd / 2).max(self.config.mtu.saturating_mul(4))
    }
}

impl CongestionController for NewReno {
    fn cwnd(&self) -> usize {
        self.cwnd
    }

    fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    fn in_fast_recovery(&self) -> bool {
        self.fast_recovery_exit.is_some()
    }

    fn on_ack(&mut self, ack: &AckEvent) {
        // Leave Fast Recovery first: this SACK covers the retransmitted data,
        // so the loss episode is over and normal growth resumes with it.
        if let Some(exit) = self.fast_recovery_exit
            && ack.cumulative_tsn_ack.is_after_or_eq(exit)
        {
            self.fast_recovery_exit = None;
        }
        // "Fully utilized": §6.1 rule B lets the sender overshoot cwnd by up
        // to one packet, so a sender held back by cwnd always has at least
        // cwnd outstanding. Anything less is application- or rwnd-limited,
        // and growing the window then would claim capacity never probed.
        let cwnd_limited = ack.flight_size_before >= self.cwnd;
        let may_grow = cwnd_limited && !self.in_fast_recovery();
        if self.cwnd <= self.ssthresh {
            // §7.2.1 slow start.
            if may_grow {
                let cap = self
                    .config
                    .mtu
                    .saturating_mul(self.config.max_burst_increase_packets);
                self.cwnd = self.cwnd.saturating_add(ack.bytes_acked.min(cap));
            }
        } else {
            // §7.2.2 congestion avoidance: one MTU per window acknowledged.
            self.partial_bytes_acked = self.partial_bytes_acked.saturating_add(ack.bytes_acked);
            if self.partial_bytes_acked > self.cwnd && !cwnd_limited {
                // Credit beyond one window is not earned while app-limited.
                self.partial_bytes_acked = self.cwnd;
            }
            if self.partial_bytes_acked >= self.cwnd && may_grow {
                self.partial_bytes_acked -= self.cwnd;
                self.cwnd = self.cwnd.saturating_add(self.config.mtu);
            }
        }
        if ack.flight_size_after == 0 {
            // §7.2.2: everything sent has been acknowledged.
            self.partial_bytes_acked = 0;
        }
    }

    fn on_fast_retransmit(&mut self, highest_outstanding_tsn: Tsn) -> bool {
        if self.in_fast_recovery() {
            // §7.2.4: one reduction per loss episode.
            return false;
        }
        self.ssthresh = self.reduced_threshold();
        self.cwnd = self.ssthresh;
        self.partial_bytes_acked = 0;
        self.fast_recovery_exit = Some(highest_outstanding_tsn);
        true
    }

    fn on_retransmission_lost(&mut self, highest_outstanding_tsn: Tsn) {
        self.fast_recovery_exit = None;
        self.on_fast_retransmit(highest_outstanding_tsn);
    }

    fn set_mtu(&mut self, mtu: usize) {
        if mtu > 0 {
            self.config.mtu = mtu;
        }
    }

    fn on_retransmission_timeout(&mut self) {
        self.ssthresh = self.reduced_threshold();
        self.cwnd = self.config.mtu;
        self.partial_bytes_acked = 0;
        // Every outstanding chunk is now marked for retransmission and the
        // window restarts from one packet: the old exit point means nothing.
        self.fast_recovery_exit = None;
    }

    fn on_idle(&mut self, idle_for: Duration, rto: Duration) {
        if rto.is_zero() {
            return;
        }
        // §7.2.1: cwnd "SHOULD be adjusted to max(cwnd/2, 4*MTU) per RTO".
        // Never raised by it: a window already below 4·MTU (after a T3-rtx)
        // stays where loss put it.
        let floor = self.config.mtu.saturating_mul(4);
        let mut periods = idle_for.as_nanos() / rto.as_nanos();
        while periods > 0 && self.cwnd > floor {
            self.cwnd = (self.cwnd / 2).max(floor);
            periods -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    const MTU: usize = 1200;

    fn controller() -> NewReno {
        NewReno::new(NewRenoConfig {
            mtu: MTU,
            ..NewRenoConfig::default()
        })
        .unwrap()
    }

    fn ack(bytes_acked: usize, flight_size_before: usize, cum_ack: u32) -> AckEvent {
        AckEvent {
            now: Instant::now(),
            bytes_acked,
            flight_size_before,
            flight_size_after: flight_size_before.saturating_sub(bytes_acked),
            cumulative_tsn_ack: Tsn(cum_ack),
            rate_sample: None,
        }
    }

    /// Brings the controller into congestion avoidance with cwnd = 6·MTU,
    /// ssthresh = 5·MTU, out of Fast Recovery.
    fn in_congestion_avoidance() -> NewReno {
        let mut cc = controller();
        assert!(cc.on_fast_retransmit(Tsn(100)));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (5 * MTU, 5 * MTU));
        // cwnd == ssthresh is still slow start: one more MTU.
        cc.on_ack(&ack(MTU, 5 * MTU, 100));
        assert!(!cc.in_fast_recovery());
        assert_eq!(cc.cwnd(), 6 * MTU);
        cc
    }

    #[test]
    fn starts_with_ten_packets_and_a_huge_threshold() {
        let cc = controller();
        assert_eq!(cc.cwnd(), 12_000);
        assert_eq!(cc.ssthresh(), u32::MAX as usize);
        assert!(!cc.in_fast_recovery());
    }

    #[test]
    fn slow_start_grows_by_bytes_acked_up_to_one_mtu_per_sack() {
        let mut cc = controller();
        cc.on_ack(&ack(500, 12_000, 1));
        assert_eq!(cc.cwnd(), 12_500);
        // Four chunks in one SACK still count as one MTU (L = 1).
        cc.on_ack(&ack(4 * MTU, 12_500, 5));
        assert_eq!(cc.cwnd(), 12_500 + MTU);
        // A window's worth of per-packet SACKs doubles the window.
        let mut cc = controller();
        for i in 0..10 {
            cc.on_ack(&ack(MTU, cc.cwnd(), i));
        }
        assert_eq!(cc.cwnd(), 24_000);
    }

    #[test]
    fn larger_slow_start_increase_with_l_two() {
        let mut cc = NewReno::new(NewRenoConfig {
            max_burst_increase_packets: 2,
            ..NewRenoConfig::default()
        })
        .unwrap();
        cc.on_ack(&ack(4 * MTU, 12_000, 4));
        assert_eq!(cc.cwnd(), 12_000 + 2 * MTU);
    }

    #[test]
    fn no_growth_when_not_cwnd_limited() {
        let mut cc = controller();
        cc.on_ack(&ack(MTU, 11_999, 1));
        assert_eq!(cc.cwnd(), 12_000);
        let mut cc = in_congestion_avoidance();
        let cwnd = cc.cwnd();
        for i in 0..20 {
            cc.on_ack(&ack(MTU, cwnd - 1, 200 + i));
        }
        assert_eq!(cc.cwnd(), cwnd);
        // Credit is capped at one window while application-limited...
        assert_eq!(cc.partial_bytes_acked(), cwnd);
        // ...so the first cwnd-limited SACK grows the window by one MTU.
        cc.on_ack(&ack(MTU, cwnd, 300));
        assert_eq!(cc.cwnd(), cwnd + MTU);
        assert_eq!(cc.partial_bytes_acked(), MTU);
    }

    #[test]
    fn congestion_avoidance_grows_one_mtu_per_window() {
        let mut cc = in_congestion_avoidance();
        assert_eq!(cc.partial_bytes_acked(), 0);
        for i in 0..5 {
            cc.on_ack(&ack(MTU, 6 * MTU, 200 + i));
            assert_eq!(cc.cwnd(), 6 * MTU);
        }
        assert_eq!(cc.partial_bytes_acked(), 5 * MTU);
        cc.on_ack(&ack(MTU, 6 * MTU, 206));
        assert_eq!(cc.cwnd(), 7 * MTU);
        assert_eq!(cc.partial_bytes_acked(), 0);
    }

    #[test]
    fn partial_bytes_acked_resets_when_all_data_is_acked() {
        let mut cc = in_congestion_avoidance();
        cc.on_ack(&ack(2 * MTU, 6 * MTU, 200));
        assert_eq!(cc.partial_bytes_acked(), 2 * MTU);
        cc.on_ack(&ack(MTU, MTU, 201));
        assert_eq!(cc.partial_bytes_acked(), 0);
    }

    #[test]
    fn fast_retransmit_halves_once_per_episode() {
        let mut cc = controller();
        for i in 0..10 {
            cc.on_ack(&ack(MTU, cc.cwnd(), i));
        }
        assert_eq!(cc.cwnd(), 24_000);
        assert!(cc.on_fast_retransmit(Tsn(50)));
        assert_eq!(cc.ssthresh(), 12_000);
        assert_eq!(cc.cwnd(), 12_000);
        assert!(cc.in_fast_recovery());
        // A second loss in the same episode changes nothing.
        assert!(!cc.on_fast_retransmit(Tsn(60)));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (12_000, 12_000));
    }

    #[test]
    fn a_lost_retransmission_is_a_new_episode() {
        let mut cc = controller();
        for i in 0..10 {
            cc.on_ack(&ack(MTU, cc.cwnd(), i));
        }
        assert!(cc.on_fast_retransmit(Tsn(50)));
        assert_eq!(cc.cwnd(), 12_000);
        // The retransmission was lost as well: the congestion lasted, so
        // the window halves again and the exit point moves on.
        cc.on_retransmission_lost(Tsn(70));
        assert_eq!((cc.cwnd(), cc.ssthresh()), (6_000, 6_000));
        cc.on_ack(&ack(MTU, 6_000, 50));
        assert!(cc.in_fast_recovery());
        cc.on_ack(&ack(MTU, 6_000, 70));
        assert!(!cc.in_fast_recovery());
    }

    #[test]
    fn fast_retransmit_threshold_is_at_least_four_mtus() {
        let mut cc = NewReno::new(NewRenoConfig {
            initial_cwnd_packets: 6,
            ..NewRenoConfig::default()
        })
        .unwrap();
        cc.on_fast_retransmit(Tsn(1));
        assert_eq!(cc.ssthresh(), 4 * MTU);
        assert_eq!(cc.cwnd(), 4 * MTU);
    }

    #[test]
    fn no_growth_in_fast_recovery_until_the_exit_point_is_acked() {
        let mut cc = controller();
        cc.on_fast_retransmit(Tsn(50));
        let cwnd = cc.cwnd();
        for tsn in 40..50 {
            cc.on_ack(&ack(MTU, cwnd, tsn));
            assert_eq!(cc.cwnd(), cwnd);
            assert!(cc.in_fast_recovery());
        }
        cc.on_ack(&ack(MTU, cwnd, 50));
        assert!(!cc.in_fast_recovery());
        assert_eq!(cc.cwnd(), cwnd + MTU);
        // A new loss episode reduces again.
        assert!(cc.on_fast_retransmit(Tsn(80)));
    }

    #[test]
    fn fast_recovery_exit_survives_tsn_wraparound() {
        let mut cc = controller();
        cc.on_fast_retransmit(Tsn(2));
        cc.on_ack(&ack(MTU, 0, u32::MAX));
        assert!(cc.in_fast_recovery());
        cc.on_ack(&ack(MTU, 0, 3));
        assert!(!cc.in_fast_recovery());
    }

    #[test]
    fn retransmission_timeout_collapses_to_one_mtu() {
        let mut cc = controller();
        cc.on_fast_retransmit(Tsn(9));
        cc.on_retransmission_timeout();
        assert_eq!(cc.cwnd(), MTU);
        assert_eq!(cc.ssthresh(), 4 * MTU);
        assert!(!cc.in_fast_recovery());
        let mut cc = controller();
        for i in 0..30 {
            cc.on_ack(&ack(MTU, cc.cwnd(), i));
        }
        assert_eq!(cc.cwnd(), 48_000);
        cc.on_retransmission_timeout();
        assert_eq!((cc.cwnd(), cc.ssthresh()), (MTU, 24_000));
        // Slow start again from one packet.
        cc.on_ack(&ack(MTU, MTU, 100));
        assert_eq!(cc.cwnd(), 2 * MTU);
    }

    #[test]
    fn idle_halves_per_rto_down_to_four_mtus() {
        let mut cc = controller();
        for i in 0..30 {
            cc.on_ack(&ack(MTU, cc.cwnd(), i));
        }
        assert_eq!(cc.cwnd(), 48_000);
        let rto = Duration::from_secs(1);
        cc.on_idle(Duration::from_millis(999), rto);
        assert_eq!(cc.cwnd(), 48_000);
        cc.on_idle(Duration::from_millis(2500), rto);
        assert_eq!(cc.cwnd(), 12_000);
        cc.on_idle(Duration::from_secs(3600), rto);
        assert_eq!(cc.cwnd(), 4 * MTU);
        // Never raised: after a T3-rtx the window stays at one MTU.
        cc.on_retransmission_timeout();
        cc.on_idle(Duration::from_secs(10), rto);
        assert_eq!(cc.cwnd(), MTU);
        cc.on_idle(Duration::from_secs(10), Duration::ZERO);
        assert_eq!(cc.cwnd(), MTU);
    }

    #[test]
    fn rejects_a_window_that_could_never_open() {
        assert!(
            NewReno::new(NewRenoConfig {
                mtu: 0,
                ..NewRenoConfig::default()
            })
            .is_err()
        );
        assert!(
            NewReno::new(NewRenoConfig {
                initial_cwnd_packets: 0,
                ..NewRenoConfig::default()
            })
            .is_err()
        );
        assert!(
            NewReno::new(NewRenoConfig {
                max_burst_increase_packets: 0,
                ..NewRenoConfig::default()
            })
            .is_err()
        );
    }

    #[test]
    fn usable_as_a_trait_object() {
        let mut cc: Box<dyn CongestionController> = Box::new(controller());
        cc.on_retransmission_timeout();
        assert_eq!(cc.cwnd(), MTU);
    }
}
