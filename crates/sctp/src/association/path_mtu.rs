//! Packetization Layer Path MTU Discovery for SCTP (RFC 8899 §6.2.1).
//!
//! The association starts at its configured `mtu` (the base, which every
//! WebRTC path carries) and, once established and once data has filled a
//! packet, probes the larger sizes of
//! [`SctpOptions::probe_mtus`](crate::options::SctpOptions::probe_mtus)
//! from the smallest up: a probe is a HEARTBEAT padded with a PAD chunk to
//! the size, and its HEARTBEAT-ACK confirms that the path carried it. No
//! ICMP is involved (DTLS over UDP never sees it), and a lost probe costs
//! nothing but the probe: data keeps going at the confirmed size.
//!
//! This is the search state only; the association builds and sends the
//! probe packets and applies the size.

use std::time::{Duration, Instant};

/// Tries of one size before the search settles below it (RFC 8899
/// MAX_PROBES).
pub(super) const MAX_PROBES: u32 = 3;

/// How long before a probe counts as lost, at least. RFC 8899 says not
/// below one second (PROBE_TIMER); it suggests more than fifteen, which we
/// do not follow: an answer that comes late still counts (every try of a
/// size carries the same nonce), so a short timer only means an earlier
/// retry.
pub(super) const MIN_PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the search rests at a size the path refused before it tries
/// the next size again (RFC 8899 PMTU_RAISE_TIMER).
pub(super) const RAISE_INTERVAL: Duration = Duration::from_secs(600);

/// The largest packet probed on a peer that did not announce Large Packets
/// Acceptable: stacks read DTLS records into 1500-byte buffers (aiortc),
/// and one that keeps the rest of a larger record for its next read is
/// corrupted for good by a single larger probe.
pub(super) const UNANNOUNCED_LIMIT: usize = 1500;

/// Marks a HEARTBEAT as a size probe; the nonce follows.
const PROBE_MAGIC: [u8; 4] = *b"PMTU";

/// Bytes of a probe's heartbeat information.
pub(super) const PROBE_INFO_LEN: usize = PROBE_MAGIC.len() + 8;

/// A probe on the wire: the packet size and its heartbeat information.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Probe {
    pub size: usize,
    pub info: [u8; PROBE_INFO_LEN],
}

#[derive(Clone, Copy, Debug)]
struct Outstanding {
    size: usize,
    nonce: u64,
    tries: u32,
    deadline: Instant,
}

/// The search for the largest packet the path carries.
#[derive(Debug)]
pub(super) struct PathMtu {
    base: usize,
    /// Sizes above `base` to try, ascending, each a multiple of four (a
    /// PAD chunk pads to four bytes, so a probe can only hit such sizes).
    sizes: Vec<usize>,
    current: usize,
    /// Index in `sizes` of the next size to confirm.
    next: usize,
    outstanding: Option<Outstanding>,
    /// When the next probe may go; `None` while one is out or the search
    /// is not running.
    due: Option<Instant>,
    /// Started, but no data has filled a packet yet: a connection whose
    /// messages all fit one has nothing to gain from larger packets, and
    /// a large probe has the DTLS engine grow buffers it then keeps
    /// (~18 KiB per idle connection).
    waiting_for_data: bool,
    next_nonce: u64,
}

impl PathMtu {
    /// A search from `base` over `sizes` (ascending, each above `base`).
    pub(super) fn new(base: usize, sizes: &[usize]) -> Self {
        let mut rounded: Vec<usize> = sizes.iter().map(|s| s & !3).filter(|&s| s > base).collect();
        rounded.dedup();
        Self {
            base,
            sizes: rounded,
            current: base,
            next: 0,
            outstanding: None,
            due: None,
            waiting_for_data: false,
            next_nonce: 0,
        }
    }

    /// The largest packet confirmed to reach the peer.
    pub(super) fn current(&self) -> usize {
        self.current
    }

    /// The association is up: search up to what the peer reads
    /// (`large_packets`: it announced 65535 bytes; otherwise
    /// [`UNANNOUNCED_LIMIT`]), from the first packet data fills
    /// ([`on_full_packet`](Self::on_full_packet)).
    pub(super) fn start(&mut self, large_packets: bool) {
        if !large_packets {
            self.sizes.retain(|&s| s <= UNANNOUNCED_LIMIT);
        }
        self.waiting_for_data = self.next < self.sizes.len();
    }

    /// Data filled a packet of the current size: the
    /// search begins at `now` if it was waiting for that.
    pub(super) fn on_full_packet(&mut self, now: Instant) {
        if std::mem::take(&mut self.waiting_for_data) && self.outstanding.is_none() {
            self.due = Some(now);
        }
    }

    /// Stops the search (the association ended).
    pub(super) fn stop(&mut self) {
        self.outstanding = None;
        self.due = None;
        self.waiting_for_data = false;
    }

    /// When [`poll_probe`](Self::poll_probe) or
    /// [`handle_timeout`](Self::handle_timeout) next has something to do.
    pub(super) fn deadline(&self) -> Option<Instant> {
        match (self.due, self.outstanding.map(|o| o.deadline)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The probe to send at `now`, if one is due; it counts as lost after
    /// `timeout` (at least [`MIN_PROBE_TIMEOUT`]).
    pub(super) fn poll_probe(&mut self, now: Instant, timeout: Duration) -> Option<Probe> {
        if self.due.is_none_or(|t| t > now) {
            return None;
        }
        self.due = None;
        let deadline = now + timeout.max(MIN_PROBE_TIMEOUT);
        let o = match &mut self.outstanding {
            Some(o) => {
                o.tries += 1;
                o.deadline = deadline;
                *o
            }
            None => {
                let size = *self.sizes.get(self.next)?;
                let nonce = self.next_nonce;
                self.next_nonce += 1;
                let o = Outstanding {
                    size,
                    nonce,
                    tries: 1,
                    deadline,
                };
                self.outstanding = Some(o);
                o
            }
        };
        let mut info = [0u8; PROBE_INFO_LEN];
        info[..4].copy_from_slice(&PROBE_MAGIC);
        info[4..].copy_from_slice(&o.nonce.to_be_bytes());
        Some(Probe { size: o.size, info })
    }

    /// Whether `info` (from a HEARTBEAT-ACK) is a probe's, ours or stale.
    pub(super) fn is_probe_info(info: &[u8]) -> bool {
        info.len() == PROBE_INFO_LEN && info[..4] == PROBE_MAGIC
    }

    /// A HEARTBEAT-ACK with a probe's information arrived. Returns the new
    /// packet size when it confirms the probe out.
    pub(super) fn on_probe_ack(&mut self, now: Instant, info: &[u8]) -> Option<usize> {
        let o = self.outstanding?;
        if !Self::is_probe_info(info) || info[4..] != o.nonce.to_be_bytes() {
            return None;
        }
        self.outstanding = None;
        self.current = o.size;
        self.next += 1;
        if self.next < self.sizes.len() {
            self.due = Some(now);
        }
        Some(self.current)
    }

    /// Handles an expired probe: try again, or rest at the confirmed size
    /// after [`MAX_PROBES`] tries and try again after [`RAISE_INTERVAL`].
    pub(super) fn handle_timeout(&mut self, now: Instant) {
        let Some(o) = self.outstanding else { return };
        if o.deadline > now {
            return;
        }
        if o.tries < MAX_PROBES {
            self.due = Some(now);
        } else {
            self.outstanding = None;
            self.due = Some(now + RAISE_INTERVAL);
        }
    }

    /// Data is being lost at the current size (consecutive retransmission
    /// timeouts): the path may have changed under us. Falls back to the
    /// base size and searches again (RFC 8899 §4.3, black-hole
    /// detection). Returns the new size if it changed.
    pub(super) fn on_black_hole(&mut self, now: Instant) -> Option<usize> {
        if self.current == self.base {
            return None;
        }
        self.current = self.base;
        self.next = 0;
        self.outstanding = None;
        self.due = Some(now);
        Some(self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTO: Duration = Duration::from_millis(300);

    fn ack(p: &mut PathMtu, now: Instant, probe: Probe) -> Option<usize> {
        p.on_probe_ack(now, &probe.info)
    }

    /// The association is up and data filled a packet at `now`.
    fn begin(p: &mut PathMtu, now: Instant, large_packets: bool) {
        p.start(large_packets);
        p.on_full_packet(now);
    }

    #[test]
    fn the_search_waits_for_a_full_packet() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[1412, 8912]);
        p.start(true);
        assert_eq!(p.deadline(), None);
        assert!(p.poll_probe(now, RTO).is_none());
        let later = now + Duration::from_secs(7);
        p.on_full_packet(later);
        assert_eq!(p.deadline(), Some(later));
        assert_eq!(p.poll_probe(later, RTO).map(|probe| probe.size), Some(1412));
    }

    #[test]
    fn climbs_the_sizes_one_answered_probe_at_a_time() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[1415, 8915, 16384]);
        assert_eq!(p.poll_probe(now, RTO), None, "nothing before start");
        begin(&mut p, now, true);
        let first = p.poll_probe(now, RTO).unwrap();
        assert_eq!(first.size, 1412, "rounded down to a multiple of four");
        assert_eq!(p.poll_probe(now, RTO), None, "one probe at a time");
        assert_eq!(ack(&mut p, now, first), Some(1412));
        let second = p.poll_probe(now, RTO).unwrap();
        assert_eq!(second.size, 8912);
        assert_eq!(ack(&mut p, now, first), None, "an old answer is stale");
        assert_eq!(ack(&mut p, now, second), Some(8912));
        let third = p.poll_probe(now, RTO).unwrap();
        assert_eq!(ack(&mut p, now, third), Some(16384));
        assert_eq!(p.current(), 16384);
        assert_eq!(p.deadline(), None, "the search is over");
    }

    #[test]
    fn a_refused_size_is_tried_three_times_then_again_after_the_raise_interval() {
        let start = Instant::now();
        let mut p = PathMtu::new(1200, &[1500, 9000]);
        begin(&mut p, start, true);
        let first = p.poll_probe(start, RTO).unwrap();
        assert_eq!(ack(&mut p, start, first), Some(1500));
        let mut now = start;
        let mut tries = Vec::new();
        while let Some(probe) = p.poll_probe(now, RTO) {
            tries.push((now, probe));
            now = p.deadline().unwrap();
            p.handle_timeout(now);
        }
        assert_eq!(tries.len(), MAX_PROBES as usize);
        assert!(
            tries
                .iter()
                .all(|(_, t)| t.size == 9000 && t.info == tries[0].1.info)
        );
        assert_eq!(
            tries[1].0 - tries[0].0,
            MIN_PROBE_TIMEOUT,
            "the timer is at least a second"
        );
        assert_eq!(p.current(), 1500, "the confirmed size stays");
        assert_eq!(p.deadline(), Some(now + RAISE_INTERVAL));
        let later = now + RAISE_INTERVAL;
        let again = p.poll_probe(later, RTO).unwrap();
        assert_eq!(again.size, 9000);
        // An answer to any try of the size confirms it, even late.
        let late = tries[0].1;
        assert_eq!(ack(&mut p, later, late), None, "a fresh nonce per search");
        assert_eq!(ack(&mut p, later, again), Some(9000));
    }

    #[test]
    fn a_late_answer_to_an_earlier_try_confirms_the_size() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[4000]);
        begin(&mut p, now, true);
        let first = p.poll_probe(now, RTO).unwrap();
        let t = p.deadline().unwrap();
        p.handle_timeout(t);
        let second = p.poll_probe(t, RTO).unwrap();
        assert_eq!(first, second);
        assert_eq!(ack(&mut p, t, first), Some(4000));
    }

    #[test]
    fn black_hole_falls_back_to_the_base_and_searches_again() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[4000]);
        assert_eq!(p.on_black_hole(now), None, "already at the base");
        begin(&mut p, now, true);
        let probe = p.poll_probe(now, RTO).unwrap();
        ack(&mut p, now, probe);
        assert_eq!(p.on_black_hole(now), Some(1200));
        assert_eq!(p.current(), 1200);
        let again = p.poll_probe(now, RTO).unwrap();
        assert_eq!(again.size, 4000);
    }

    #[test]
    fn foreign_information_is_not_a_probe_answer() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[4000]);
        begin(&mut p, now, true);
        p.poll_probe(now, RTO).unwrap();
        assert_eq!(p.on_probe_ack(now, &[0; 16]), None);
        assert_eq!(p.on_probe_ack(now, b"PMTU"), None);
        assert_eq!(p.on_probe_ack(now, b"PMTU\0\0\0\0\0\0\0\x07"), None);
        assert_eq!(p.current(), 1200);
    }

    #[test]
    fn without_the_peers_word_nothing_above_1500_is_probed() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[1412, 8912, 16384]);
        begin(&mut p, now, false);
        let probe = p.poll_probe(now, RTO).unwrap();
        assert_eq!(ack(&mut p, now, probe), Some(1412));
        assert_eq!(p.poll_probe(now, RTO), None);
        assert_eq!(p.deadline(), None);
    }

    #[test]
    fn sizes_at_or_below_the_base_are_not_probed() {
        let now = Instant::now();
        let mut p = PathMtu::new(1200, &[1000, 1201, 1202]);
        begin(&mut p, now, true);
        assert_eq!(p.poll_probe(now, RTO), None, "1201 and 1202 round to 1200");
        assert_eq!(p.deadline(), None);
    }
}
