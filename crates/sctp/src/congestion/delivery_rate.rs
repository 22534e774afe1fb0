//! Delivery-rate samples: how fast the path delivered data, measured from
//! SACKs (in the manner of draft-cheng-iccrg-delivery-rate-estimation, which
//! BBR's model is built on).
//!
//! Each chunk remembers, when it is sent, how many bytes had been delivered
//! so far and when ([`SendSnapshot`]). When a SACK acknowledges chunks, the
//! most recently sent of them gives the sample: bytes delivered since its
//! snapshot, over the longer of the send interval and the ack interval. The
//! longer of the two keeps a burst of SACKs (a hole filled, acks bunched up
//! on the way back) from reading as a faster path than it is. O(1) per chunk
//! acknowledged; nothing is walked.

use std::time::Duration;

use crate::tx::stamp::Stamp;

/// What a chunk remembers of the delivery state when it was (re)sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendSnapshot {
    delivered: u64,
    delivered_time: Stamp,
    first_sent_time: Stamp,
    app_limited: bool,
}

/// One delivery-rate measurement, taken once per SACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateSample {
    /// Bytes per second delivered over `interval`.
    pub delivery_rate: u64,
    /// The interval the rate was measured over.
    pub interval: Duration,
    /// Bytes delivered over it.
    pub delivered: u64,
    /// Bytes delivered in total when the newest acknowledged chunk was sent:
    /// a SACK whose sample has this at or past the count at the start of a
    /// round trip ends that round trip.
    pub prior_delivered: u64,
    /// Bytes delivered in total, this SACK included: the count a round trip
    /// that starts now must see acknowledged to end.
    pub total_delivered: u64,
    /// Round-trip time of the newest acknowledged chunk, unless it was
    /// retransmitted (Karn: the ack may be for the first transmission).
    pub rtt: Option<Duration>,
    /// The sender had less to send than the window allowed when the chunk
    /// went out: the rate says how fast the application was, not the path.
    pub app_limited: bool,
}

/// Tracks delivered bytes and turns acknowledgements into [`RateSample`]s.
#[derive(Clone, Debug, Default)]
pub struct DeliveryRate {
    delivered: u64,
    delivered_time: Option<Stamp>,
    first_sent_time: Option<Stamp>,
    /// Non-zero while app-limited: the delivered count after which the
    /// data sent while app-limited has been acknowledged.
    app_limited_until: u64,
    /// The newest chunk acknowledged by the SACK being processed.
    newest: Option<(SendSnapshot, Stamp, bool)>,
}

impl DeliveryRate {
    /// Bytes delivered (acknowledged) since the association began.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// A chunk is being sent at `now`; `nothing_in_flight` restarts the
    /// intervals so an idle period is not counted as slow delivery.
    pub fn on_send(&mut self, now: Stamp, nothing_in_flight: bool) -> SendSnapshot {
        if nothing_in_flight || self.delivered_time.is_none() {
            self.first_sent_time = Some(now);
            self.delivered_time = Some(now);
        }
        SendSnapshot {
            delivered: self.delivered,
            delivered_time: self.delivered_time.unwrap_or(now),
            first_sent_time: self.first_sent_time.unwrap_or(now),
            app_limited: self.app_limited_until != 0,
        }
    }

    /// A chunk of `size` bytes last sent at `sent_at` with `snapshot` was
    /// newly acknowledged at `now`; `retransmitted` if it was sent more than
    /// once.
    pub fn on_acked(
        &mut self,
        now: Stamp,
        snapshot: &SendSnapshot,
        sent_at: Stamp,
        size: u32,
        retransmitted: bool,
    ) {
        self.delivered += u64::from(size);
        self.delivered_time = Some(now);
        let newer = self.newest.is_none_or(|(s, t, _)| {
            snapshot.delivered > s.delivered || (snapshot.delivered == s.delivered && sent_at > t)
        });
        if newer {
            self.newest = Some((*snapshot, sent_at, retransmitted));
            self.first_sent_time = Some(sent_at);
        }
    }

    /// The sample of the SACK just processed, if it acknowledged anything
    /// over a measurable interval.
    pub fn take_sample(&mut self, now: Stamp) -> Option<RateSample> {
        if self.app_limited_until != 0 && self.delivered >= self.app_limited_until {
            self.app_limited_until = 0;
        }
        let (snap, sent_at, retransmitted) = self.newest.take()?;
        let send_elapsed = sent_at.saturating_since(snap.first_sent_time);
        let ack_elapsed = now.saturating_since(snap.delivered_time);
        let interval = send_elapsed.max(ack_elapsed);
        let delivered = self.delivered - snap.delivered;
        let nanos = interval.as_nanos();
        if nanos == 0 || delivered == 0 {
            return None;
        }
        let rate = u128::from(delivered) * 1_000_000_000 / nanos;
        Some(RateSample {
            delivery_rate: u64::try_from(rate).unwrap_or(u64::MAX),
            interval,
            delivered,
            prior_delivered: snap.delivered,
            total_delivered: self.delivered,
            rtt: (!retransmitted).then(|| now.saturating_since(sent_at)),
            app_limited: snap.app_limited,
        })
    }

    /// The sender ran out of data with the window open and `in_flight`
    /// bytes outstanding: samples until those are acknowledged measure the
    /// application.
    pub fn set_app_limited(&mut self, in_flight: u64) {
        self.app_limited_until = (self.delivered + in_flight).max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Stamp {
        Stamp::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn steady_flow_measures_the_send_rate() {
        // One 1000-byte chunk per millisecond, each acked 50 ms later.
        let mut d = DeliveryRate::default();
        let mut sent = Vec::new();
        let mut last = None;
        for i in 0..200u64 {
            let now = at(i);
            sent.push((d.on_send(now, i == 0), now));
            if i >= 50 {
                let (snap, at) = sent[(i - 50) as usize];
                d.on_acked(now, &snap, at, 1000, false);
                last = d.take_sample(now);
            }
        }
        let s = last.unwrap();
        assert_eq!(s.rtt, Some(Duration::from_millis(50)));
        // 1000 bytes per ms = 1 MB/s, within rounding.
        assert!((990_000..=1_010_000).contains(&s.delivery_rate), "{s:?}");
        assert!(!s.app_limited);
    }

    #[test]
    fn bunched_acks_do_not_inflate_the_rate() {
        // Ten chunks sent 1 ms apart, all acknowledged by one SACK at once:
        // the send interval (9 ms... plus the ack interval) bounds the rate.
        let mut d = DeliveryRate::default();
        let snaps: Vec<_> = (0..10u64)
            .map(|i| (d.on_send(at(i), i == 0), at(i)))
            .collect();
        let now = at(60);
        for (s, at) in &snaps {
            d.on_acked(now, s, *at, 1000, false);
        }
        let s = d.take_sample(now).unwrap();
        assert_eq!(s.delivered, 10_000);
        assert_eq!(s.interval, Duration::from_millis(60));
        assert!(s.delivery_rate <= 10_000 * 1000 / 9);
        assert_eq!(s.prior_delivered, 0);
        assert!(d.take_sample(now).is_none(), "one sample per SACK");
    }

    #[test]
    fn app_limited_marks_samples_until_that_data_is_acked() {
        let mut d = DeliveryRate::default();
        d.set_app_limited(1000);
        let a = d.on_send(at(0), true);
        d.on_acked(at(10), &a, at(0), 1000, false);
        assert!(d.take_sample(at(10)).unwrap().app_limited);
        let b = d.on_send(at(10), true);
        d.on_acked(at(20), &b, at(10), 1000, false);
        assert!(!d.take_sample(at(20)).unwrap().app_limited);
    }
}
