//! One direction of a simulated path: its impairments, state and counters.

use std::time::{Duration, Instant};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::GilbertElliott;

/// The impairments of one direction of a path. The default is a perfect
/// link: no delay, no loss, unlimited bandwidth, 1500-byte MTU.
///
/// A datagram offered to the link goes through, in order: the MTU check, the
/// bandwidth queue (drop-tail when full), random loss, burst loss,
/// duplication, then propagation delay with jitter and possible reordering.
/// Losses happen after the queue, so a lost datagram still used bandwidth,
/// as on a real wire.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkConfig {
    /// One-way propagation delay.
    pub delay: Duration,
    /// Extra delay drawn uniformly from `0..=jitter` per datagram. Jitter alone
    /// never reorders: a datagram never arrives before one sent earlier on the
    /// same link (as behind a real queue); only `reorder` does that.
    pub jitter: Duration,
    /// Independent loss probability per datagram.
    pub loss: f64,
    /// Bursty loss on top of `loss`.
    pub burst_loss: Option<GilbertElliott>,
    /// Probability that a datagram is delivered twice.
    pub duplicate: f64,
    /// Probability that a datagram is held back by `reorder_delay`, so that
    /// datagrams sent after it overtake it.
    pub reorder: f64,
    /// How long a reordered datagram is held back beyond its normal arrival.
    pub reorder_delay: Duration,
    /// Bandwidth in bits per second; `None` is unlimited.
    pub bandwidth_bps: Option<u64>,
    /// Capacity of the drop-tail queue in front of a bandwidth-limited link,
    /// in bytes (including the datagram being serialised).
    pub queue_bytes: usize,
    /// Largest payload carried; larger datagrams are dropped and counted.
    pub mtu: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: 0.0,
            burst_loss: None,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::from_millis(10),
            bandwidth_bps: None,
            queue_bytes: 64 * 1024,
            mtu: 1500,
        }
    }
}

impl LinkConfig {
    /// A link with only a one-way delay.
    pub fn with_delay(delay: Duration) -> Self {
        Self {
            delay,
            ..Self::default()
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("loss", self.loss),
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("link {name} must be within 0..=1, got {v}"));
            }
        }
        if self.bandwidth_bps == Some(0) {
            return Err("link bandwidth must be positive".into());
        }
        if let Some(ge) = &self.burst_loss {
            ge.validate()?;
        }
        Ok(())
    }
}

/// Counters of one direction of a link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Datagrams offered to the link.
    pub sent: u64,
    /// Bytes offered to the link.
    pub sent_bytes: u64,
    /// Datagrams handed to the receiving endpoint (duplicates included).
    pub delivered: u64,
    /// Bytes handed to the receiving endpoint (duplicates included).
    pub delivered_bytes: u64,
    /// Dropped for exceeding the MTU.
    pub dropped_mtu: u64,
    /// Dropped by the independent random loss.
    pub dropped_loss: u64,
    /// Dropped by the Gilbert-Elliott burst loss.
    pub dropped_burst: u64,
    /// Dropped because the bandwidth queue was full.
    pub dropped_queue: u64,
    /// Carried to the far end but refused there by a NAT on the receiver's
    /// side (its filter, or a mapping that expired on the way). The NAT's
    /// [`crate::NatStats`] says which.
    pub dropped_nat: u64,
    /// Extra copies created.
    pub duplicated: u64,
    /// Datagrams held back so that later ones overtake them.
    pub reordered: u64,
    /// The fullest the bandwidth queue has been, in bytes.
    pub max_queue_bytes: u64,
}

impl LinkStats {
    /// All datagrams dropped, whatever the cause.
    pub fn dropped(&self) -> u64 {
        self.dropped_mtu
            + self.dropped_loss
            + self.dropped_burst
            + self.dropped_queue
            + self.dropped_nat
    }
}

/// What the link did with an offered datagram.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    Dropped,
    Arrives {
        at: Instant,
        duplicate_at: Option<Instant>,
    },
}

/// One direction of a link with its state.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) config: LinkConfig,
    pub(crate) stats: LinkStats,
    /// When the serialiser finishes everything queued so far.
    busy_until: Option<Instant>,
    /// Latest in-order arrival, so that jitter keeps FIFO order.
    last_arrival: Option<Instant>,
    in_bad_state: bool,
}

impl Link {
    pub(crate) fn new(config: LinkConfig) -> Self {
        Self {
            config,
            stats: LinkStats::default(),
            busy_until: None,
            last_arrival: None,
            in_bad_state: false,
        }
    }

    pub(crate) fn offer(&mut self, now: Instant, len: usize, rng: &mut ChaCha8Rng) -> Fate {
        let cfg = &self.config;
        self.stats.sent += 1;
        self.stats.sent_bytes += len as u64;

        if len > cfg.mtu {
            self.stats.dropped_mtu += 1;
            return Fate::Dropped;
        }

        let departs = match cfg.bandwidth_bps {
            None => now,
            Some(bps) => {
                let start = self.busy_until.filter(|b| *b > now).unwrap_or(now);
                // Bytes still waiting or being serialised at `now`.
                let backlog_ns = (start - now).as_nanos();
                let backlog = (backlog_ns * u128::from(bps)).div_ceil(8_000_000_000) as u64;
                if backlog + len as u64 > cfg.queue_bytes as u64 {
                    self.stats.dropped_queue += 1;
                    return Fate::Dropped;
                }
                self.stats.max_queue_bytes = self.stats.max_queue_bytes.max(backlog + len as u64);
                let serialise_ns = (len as u128 * 8_000_000_000).div_ceil(u128::from(bps));
                let done = start + Duration::from_nanos(serialise_ns as u64);
                self.busy_until = Some(done);
                done
            }
        };

        if cfg.loss > 0.0 && rng.random::<f64>() < cfg.loss {
            self.stats.dropped_loss += 1;
            return Fate::Dropped;
        }

        if let Some(ge) = &cfg.burst_loss {
            let flip = if self.in_bad_state {
                ge.p_bad_to_good
            } else {
                ge.p_good_to_bad
            };
            if rng.random::<f64>() < flip {
                self.in_bad_state = !self.in_bad_state;
            }
            let p = if self.in_bad_state {
                ge.loss_in_bad
            } else {
                ge.loss_in_good
            };
            if p > 0.0 && rng.random::<f64>() < p {
                self.stats.dropped_burst += 1;
                return Fate::Dropped;
            }
        }

        let duplicate = cfg.duplicate > 0.0 && rng.random::<f64>() < cfg.duplicate;
        let held_back = cfg.reorder > 0.0 && rng.random::<f64>() < cfg.reorder;

        let jitter = self.sample_jitter(rng);
        let mut at = departs + cfg.delay + jitter;
        if held_back {
            // Held back past its FIFO place; it does not set the FIFO floor,
            // so the datagrams behind it are free to overtake it.
            self.stats.reordered += 1;
            at += cfg.reorder_delay;
        } else {
            if let Some(last) = self.last_arrival {
                at = at.max(last);
            }
            self.last_arrival = Some(at);
        }

        let duplicate_at = duplicate.then(|| {
            self.stats.duplicated += 1;
            at
        });
        Fate::Arrives { at, duplicate_at }
    }

    fn sample_jitter(&self, rng: &mut ChaCha8Rng) -> Duration {
        let max = self.config.jitter.as_nanos() as u64;
        if max == 0 {
            Duration::ZERO
        } else {
            Duration::from_nanos(rng.random_range(0..=max))
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(1)
    }

    #[test]
    fn serialisation_time_is_exact() {
        let t0 = Instant::now();
        let mut link = Link::new(LinkConfig {
            bandwidth_bps: Some(8_000_000), // one byte per microsecond
            delay: Duration::from_millis(1),
            ..LinkConfig::default()
        });
        let mut r = rng();
        let a = link.offer(t0, 1000, &mut r);
        let b = link.offer(t0, 500, &mut r);
        assert_eq!(
            a,
            Fate::Arrives {
                at: t0 + Duration::from_micros(2000),
                duplicate_at: None
            }
        );
        assert_eq!(
            b,
            Fate::Arrives {
                at: t0 + Duration::from_micros(2500),
                duplicate_at: None
            }
        );
    }

    #[test]
    fn queue_overflow_is_drop_tail() {
        let t0 = Instant::now();
        let mut link = Link::new(LinkConfig {
            bandwidth_bps: Some(8_000_000),
            queue_bytes: 2500,
            ..LinkConfig::default()
        });
        let mut r = rng();
        assert_ne!(link.offer(t0, 1000, &mut r), Fate::Dropped);
        assert_ne!(link.offer(t0, 1000, &mut r), Fate::Dropped);
        assert_eq!(link.offer(t0, 1000, &mut r), Fate::Dropped);
        // Half a millisecond later 500 bytes have left the queue.
        let later = t0 + Duration::from_micros(500);
        assert_ne!(link.offer(later, 1000, &mut r), Fate::Dropped);
        assert_eq!(link.stats.dropped_queue, 1);
        assert_eq!(link.stats.max_queue_bytes, 2500);
    }

    #[test]
    fn invalid_probabilities_are_refused() {
        let bad = LinkConfig {
            loss: 1.5,
            ..LinkConfig::default()
        };
        assert!(bad.validate().is_err());
        let bad = LinkConfig {
            bandwidth_bps: Some(0),
            ..LinkConfig::default()
        };
        assert!(bad.validate().is_err());
    }
}
