//! Which TSNs have arrived, and when to say so in a SACK (RFC 9260 §6.2,
//! §6.7; RFC 3758 §3.6; RFC 7053).
//!
//! TSNs are lifted onto a 64-bit line next to the cumulative ack, which only
//! moves forward. Received TSNs above it are kept as disjoint, non-adjacent
//! ranges in a `BTreeMap` (start → end): O(log n) per chunk, and in-order
//! arrival only bumps the cumulative ack. A peer cannot make the tracker
//! grow without bound: TSNs more than a window ahead are refused, and so is
//! a TSN that would open a range beyond the range limit.
//!
//! # When a SACK is due
//!
//! The association calls [`DataTracker::observe`] for each DATA/I-DATA chunk
//! and [`DataTracker::observe_packet_end`] once per packet that had any.
//! A SACK is then due at once when the packet
//!
//! * carried a duplicate (RFC 9260 §6.2: "MUST" when it carried only
//!   duplicates; we do it for any, as the peer is retransmitting needlessly),
//! * carried a chunk with the I bit (RFC 7053),
//! * left a gap above the cumulative ack, or filled one (§6.7: a SACK per
//!   packet while gaps exist, and one when they close),
//! * had a chunk refused for lack of buffer space or window (the peer must
//!   learn the window),
//! * is the second packet with new data since the last SACK (§6.2);
//!
//! otherwise the delayed-ack timer starts, set to fire the configured delay
//! after the first unacknowledged chunk arrived (§6.2: at most 200 ms; WebRTC
//! stacks use less). A FORWARD-TSN always makes a SACK due (RFC 3758 §3.6
//! requires at least the delayed-ack rules; answering at once lets the
//! sender drop the abandoned data sooner).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::seq::{BASE, unwrap_near};
use crate::chunk::sack::{GapAckBlock, SackChunk};
use crate::types::Tsn;

/// Duplicate TSNs reported in one SACK; later ones are counted, not listed.
pub const MAX_DUPLICATES_REPORTED: usize = 32;

/// Gap ack blocks reported in one SACK: with the duplicates, the SACK stays
/// under 700 bytes, inside any path MTU WebRTC uses.
pub const MAX_GAP_BLOCKS_REPORTED: usize = 128;

/// Tuning of a [`DataTracker`]. The defaults suit WebRTC data channels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataTrackerConfig {
    /// How long a SACK may be delayed (RFC 9260 §6.2: at most 500 ms,
    /// SHOULD be at most 200 ms). Default: 200 ms.
    pub delayed_ack_timeout: Duration,
    /// How far past the cumulative ack a TSN may be and still be taken.
    /// Capped at 65535, the furthest a gap ack block can reach. Default:
    /// 65535.
    pub max_tsn_window: u32,
    /// How many separate ranges of received TSNs above the cumulative ack
    /// are kept; a TSN that would open one more is refused. Default: 1024.
    pub max_gap_ranges: usize,
}

impl Default for DataTrackerConfig {
    fn default() -> Self {
        Self {
            delayed_ack_timeout: Duration::from_millis(200),
            max_tsn_window: u32::from(u16::MAX),
            max_gap_ranges: 1024,
        }
    }
}

/// What [`DataTracker::observe`] would make of a TSN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsnClass {
    /// Not received yet and acceptable.
    New,
    /// Received before (or at or below the cumulative ack).
    Duplicate,
    /// Too far ahead, or would open one gap range too many: not stored,
    /// not acknowledged; the peer will send it again.
    Refused,
}

/// What one packet's DATA chunks amounted to, from
/// [`DataTracker::observe_packet_end`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketSummary {
    /// Chunks with a TSN not seen before.
    pub new: u32,
    /// Chunks with a TSN already received.
    pub duplicates: u32,
    /// Chunks refused (out of window, range limit, or buffer full).
    pub refused: u32,
}

impl PacketSummary {
    /// The packet's data chunks were all duplicates (and there was one).
    pub fn all_duplicates(&self) -> bool {
        self.duplicates > 0 && self.new == 0 && self.refused == 0
    }
}

/// Received TSNs and the SACK schedule for one association.
#[derive(Debug)]
pub struct DataTracker {
    config: DataTrackerConfig,
    /// Lifted cumulative TSN ack.
    cum: u64,
    /// Received TSNs above `cum + 1`: start → end (inclusive), disjoint and
    /// never adjacent.
    ranges: BTreeMap<u64, u64>,
    duplicates: Vec<Tsn>,
    /// A SACK should go out now.
    sack_due: bool,
    /// Packets with new data since the last SACK.
    unacked_packets: u32,
    /// When the oldest unacknowledged new chunk arrived.
    first_unacked_at: Option<Instant>,
    /// Delayed-ack timer.
    deadline: Option<Instant>,
    /// The packet being observed.
    packet: PacketSummary,
    packet_urgent: bool,
}

impl DataTracker {
    /// A tracker for a peer whose first TSN is `peer_initial_tsn` (from its
    /// INIT or INIT ACK), with the default configuration.
    pub fn new(peer_initial_tsn: Tsn) -> Self {
        Self::with_config(peer_initial_tsn, DataTrackerConfig::default())
    }

    /// A tracker with explicit tuning.
    pub fn with_config(peer_initial_tsn: Tsn, mut config: DataTrackerConfig) -> Self {
        config.max_tsn_window = config.max_tsn_window.clamp(1, u32::from(u16::MAX));
        Self {
            config,
            // The cumulative ack starts just before the initial TSN.
            cum: BASE + u64::from(peer_initial_tsn.0) - 1,
            ranges: BTreeMap::new(),
            duplicates: Vec::new(),
            sack_due: false,
            unacked_packets: 0,
            first_unacked_at: None,
            deadline: None,
            packet: PacketSummary::default(),
            packet_urgent: false,
        }
    }

    /// Every TSN up to and including this one has been received (or
    /// skipped by FORWARD-TSN). Also what a SHUTDOWN carries.
    pub fn cumulative_tsn_ack(&self) -> Tsn {
        Tsn(self.cum as u32)
    }

    /// Whether `tsn` is after the cumulative ack.
    pub fn is_later_than_cum_ack(&self, tsn: Tsn) -> bool {
        tsn.is_after(self.cumulative_tsn_ack())
    }

    /// Whether receiving `tsn` would move the cumulative ack.
    pub fn will_advance_cum_ack(&self, tsn: Tsn) -> bool {
        tsn == self.cumulative_tsn_ack().next()
    }

    /// Whether any TSN above the cumulative ack has been received.
    pub fn has_gaps(&self) -> bool {
        !self.ranges.is_empty()
    }

    /// Separate ranges of received TSNs above the cumulative ack.
    pub fn gap_range_count(&self) -> usize {
        self.ranges.len()
    }

    /// What [`Self::observe`] would do with `tsn`, without recording it.
    pub fn classify(&self, tsn: Tsn) -> TsnClass {
        self.classify_lifted(self.lift(tsn))
    }

    /// Records a DATA/I-DATA chunk's TSN (and its I bit). Returns `true`
    /// if the TSN is new: the chunk must then go to reassembly. `false`
    /// means a duplicate (listed in the next SACK) or a refused TSN (see
    /// [`TsnClass::Refused`]); either way the chunk is dropped.
    pub fn observe(&mut self, now: Instant, tsn: Tsn, immediate_ack: bool) -> bool {
        let t = self.lift(tsn);
        match self.classify_lifted(t) {
            TsnClass::Duplicate => {
                if self.duplicates.len() < MAX_DUPLICATES_REPORTED {
                    self.duplicates.push(tsn);
                }
                self.packet.duplicates += 1;
                self.packet_urgent = true;
                false
            }
            TsnClass::Refused => {
                self.packet.refused += 1;
                self.packet_urgent = true;
                false
            }
            TsnClass::New => {
                if t == self.cum + 1 {
                    if !self.ranges.is_empty() {
                        // This fills the hole under the first range.
                        self.packet_urgent = true;
                    }
                    self.cum = t;
                    self.absorb_first_range();
                } else {
                    self.insert_above(t);
                }
                self.packet.new += 1;
                self.packet_urgent |= immediate_ack;
                self.first_unacked_at.get_or_insert(now);
                true
            }
        }
    }

    /// Records that a new chunk was dropped before [`Self::observe`]
    /// because reassembly had no room: not acknowledged, but the peer
    /// should hear the window at once.
    pub fn note_refused(&mut self) {
        self.packet.refused += 1;
        self.packet_urgent = true;
    }

    /// Ends a packet: decides whether a SACK is due now or the delayed-ack
    /// timer runs (see the module notes), and summarises the packet's data.
    /// A packet without DATA chunks changes nothing.
    pub fn observe_packet_end(&mut self, now: Instant) -> PacketSummary {
        let summary = std::mem::take(&mut self.packet);
        let urgent = std::mem::take(&mut self.packet_urgent);
        if summary == PacketSummary::default() {
            return summary;
        }
        if summary.new > 0 {
            self.unacked_packets = self.unacked_packets.saturating_add(1);
        }
        if urgent || self.has_gaps() || self.unacked_packets >= 2 {
            self.make_sack_due();
        } else if !self.sack_due && self.deadline.is_none() && self.first_unacked_at.is_some() {
            let start = self.first_unacked_at.unwrap_or(now);
            let deadline = start + self.config.delayed_ack_timeout;
            if deadline <= now {
                self.make_sack_due();
            } else {
                self.deadline = Some(deadline);
            }
        }
        summary
    }

    /// Whether a SACK should be sent now.
    pub fn should_send_sack(&self) -> bool {
        self.sack_due
    }

    /// When the delayed-ack timer fires, if it runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Fires the delayed-ack timer if it has expired by `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_some_and(|d| d <= now) {
            self.make_sack_due();
        }
    }

    /// Builds the SACK for the current state, advertising `a_rwnd`. Clears
    /// the duplicate list and the pending SACK, and stops the timer.
    pub fn create_sack(&mut self, a_rwnd: u32) -> SackChunk {
        let gap_ack_blocks = self
            .ranges
            .iter()
            .take(MAX_GAP_BLOCKS_REPORTED)
            .map_while(|(&s, &e)| {
                // The window keeps every range within a u16 offset; stop
                // rather than wrap if that ever fails.
                let start = u16::try_from(s - self.cum).ok()?;
                let end = u16::try_from(e - self.cum).ok()?;
                Some(GapAckBlock { start, end })
            })
            .collect();
        self.sack_due = false;
        self.unacked_packets = 0;
        self.first_unacked_at = None;
        self.deadline = None;
        SackChunk {
            cumulative_tsn_ack: self.cumulative_tsn_ack(),
            a_rwnd,
            gap_ack_blocks,
            duplicate_tsns: std::mem::take(&mut self.duplicates),
        }
    }

    /// FORWARD-TSN or I-FORWARD-TSN (RFC 3758 §3.6): treats everything up
    /// to `new_cumulative_tsn` as received, then advances further over
    /// what did arrive. A SACK becomes due either way (an out-of-date one
    /// may mean our last SACK was lost). Returns whether the cumulative ack
    /// moved.
    pub fn handle_forward_tsn(&mut self, new_cumulative_tsn: Tsn) -> bool {
        self.make_sack_due();
        let t = self.lift(new_cumulative_tsn);
        if t <= self.cum {
            return false;
        }
        self.cum = t;
        // Ranges are disjoint, so at most the last one starting at or below
        // the new point reaches past it.
        while let Some(entry) = self.ranges.first_entry() {
            if *entry.key() > t {
                break;
            }
            let end = entry.remove();
            self.cum = self.cum.max(end);
        }
        self.absorb_first_range();
        true
    }

    /// Makes a SACK due now (a window update).
    pub fn request_sack(&mut self) {
        self.make_sack_due();
    }

    fn make_sack_due(&mut self) {
        self.sack_due = true;
        self.deadline = None;
    }

    fn lift(&self, tsn: Tsn) -> u64 {
        unwrap_near(self.cum, tsn.0, 32)
    }

    fn classify_lifted(&self, t: u64) -> TsnClass {
        if t <= self.cum {
            return TsnClass::Duplicate;
        }
        if t - self.cum > u64::from(self.config.max_tsn_window) {
            return TsnClass::Refused;
        }
        if t == self.cum + 1 {
            return TsnClass::New;
        }
        let below = self.ranges.range(..=t).next_back();
        if below.is_some_and(|(_, &e)| e >= t) {
            return TsnClass::Duplicate;
        }
        let joins = below.is_some_and(|(_, &e)| e + 1 == t) || self.ranges.contains_key(&(t + 1));
        if !joins && self.ranges.len() >= self.config.max_gap_ranges {
            return TsnClass::Refused;
        }
        TsnClass::New
    }

    /// Records `t > cum + 1`, not yet received, merging with neighbours.
    fn insert_above(&mut self, t: u64) {
        let mut start = t;
        let mut end = t;
        if let Some((&s, &e)) = self.ranges.range(..t).next_back()
            && e + 1 == t
        {
            start = s;
        }
        if let Some(e) = self.ranges.remove(&(t + 1)) {
            end = e;
        }
        self.ranges.insert(start, end);
    }

    /// If the first range now starts right after the cumulative ack, the
    /// ack jumps to its end.
    fn absorb_first_range(&mut self) {
        if let Some(entry) = self.ranges.first_entry()
            && *entry.key() == self.cum + 1
        {
            self.cum = entry.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELAY: Duration = Duration::from_millis(200);

    fn tracker(initial: u32) -> DataTracker {
        DataTracker::new(Tsn(initial))
    }

    fn blocks(s: &SackChunk) -> Vec<(u16, u16)> {
        s.gap_ack_blocks.iter().map(|b| (b.start, b.end)).collect()
    }

    /// One packet with the given TSNs.
    fn packet(t: &mut DataTracker, now: Instant, tsns: &[u32]) -> PacketSummary {
        for &n in tsns {
            t.observe(now, Tsn(n), false);
        }
        t.observe_packet_end(now)
    }

    #[test]
    fn cumulative_ack_starts_before_the_initial_tsn_and_follows_in_order_data() {
        let now = Instant::now();
        let mut t = tracker(0);
        assert_eq!(t.cumulative_tsn_ack(), Tsn(u32::MAX));
        assert!(t.will_advance_cum_ack(Tsn(0)));
        for n in 0..5 {
            assert!(t.observe(now, Tsn(n), false));
        }
        assert_eq!(t.cumulative_tsn_ack(), Tsn(4));
        assert!(!t.has_gaps());
        assert!(t.is_later_than_cum_ack(Tsn(5)));
        assert!(!t.is_later_than_cum_ack(Tsn(4)));
    }

    #[test]
    fn gaps_become_blocks_and_merge_when_filled() {
        let now = Instant::now();
        let mut t = tracker(10);
        for n in [10, 12, 13, 15, 17, 16] {
            assert!(t.observe(now, Tsn(n), false));
        }
        assert_eq!(t.gap_range_count(), 2);
        let s = t.create_sack(1000);
        assert_eq!(s.cumulative_tsn_ack, Tsn(10));
        assert_eq!(s.a_rwnd, 1000);
        assert_eq!(blocks(&s), vec![(2, 3), (5, 7)]);
        // Filling 11 swallows 12-13; filling 14 then joins everything.
        t.observe(now, Tsn(11), false);
        assert_eq!(t.cumulative_tsn_ack(), Tsn(13));
        t.observe(now, Tsn(14), false);
        assert_eq!(t.cumulative_tsn_ack(), Tsn(17));
        assert!(blocks(&t.create_sack(0)).is_empty());
    }

    #[test]
    fn gap_blocks_are_correct_across_tsn_wrap() {
        let now = Instant::now();
        let mut t = tracker(u32::MAX - 1);
        for n in [u32::MAX - 1, 1, 2] {
            t.observe(now, Tsn(n), false);
        }
        let s = t.create_sack(0);
        assert_eq!(s.cumulative_tsn_ack, Tsn(u32::MAX - 1));
        assert_eq!(blocks(&s), vec![(3, 4)]);
        t.observe(now, Tsn(u32::MAX), false);
        t.observe(now, Tsn(0), false);
        assert_eq!(t.cumulative_tsn_ack(), Tsn(2));
    }

    #[test]
    fn duplicates_are_reported_once_per_sack_and_bounded() {
        let now = Instant::now();
        let mut t = tracker(1);
        t.observe(now, Tsn(1), false);
        t.observe(now, Tsn(5), false);
        assert!(!t.observe(now, Tsn(1), false), "at or below the cum ack");
        assert!(!t.observe(now, Tsn(5), false), "inside a gap block");
        assert_eq!(t.classify(Tsn(5)), TsnClass::Duplicate);
        let s = t.create_sack(0);
        assert_eq!(s.duplicate_tsns, vec![Tsn(1), Tsn(5)]);
        assert!(t.create_sack(0).duplicate_tsns.is_empty());
        for _ in 0..100 {
            t.observe(now, Tsn(1), false);
        }
        assert_eq!(
            t.create_sack(0).duplicate_tsns.len(),
            MAX_DUPLICATES_REPORTED
        );
    }

    #[test]
    fn tsns_beyond_the_window_are_refused_and_not_stored() {
        let now = Instant::now();
        let mut t = tracker(0);
        // The cum ack is TSN 2^32-1, so the furthest acceptable offset 65535 is TSN 65534.
        assert_eq!(t.classify(Tsn(65534)), TsnClass::New);
        assert_eq!(t.classify(Tsn(65535)), TsnClass::Refused);
        assert!(!t.observe(now, Tsn(100_000), false));
        assert!(!t.observe(now, Tsn(1 << 30), false));
        assert!(!t.has_gaps());
        let summary = t.observe_packet_end(now);
        assert_eq!(summary.refused, 2);
        assert!(t.should_send_sack(), "the peer must hear the window");
    }

    #[test]
    fn the_number_of_ranges_is_bounded_but_ranges_still_grow_and_merge() {
        let now = Instant::now();
        let config = DataTrackerConfig {
            max_gap_ranges: 3,
            ..DataTrackerConfig::default()
        };
        let mut t = DataTracker::with_config(Tsn(0), config);
        for n in [2, 4, 6] {
            assert!(t.observe(now, Tsn(n), false));
        }
        assert_eq!(t.classify(Tsn(8)), TsnClass::Refused);
        assert!(!t.observe(now, Tsn(8), false));
        // Extending or joining existing ranges is still fine.
        assert!(t.observe(now, Tsn(7), false));
        assert!(t.observe(now, Tsn(5), false));
        assert_eq!(t.gap_range_count(), 2);
        assert_eq!(blocks(&t.create_sack(0)), vec![(3, 3), (5, 8)]);
    }

    #[test]
    fn every_second_packet_is_acked_and_a_lone_one_waits_for_the_timer() {
        let start = Instant::now();
        let mut t = tracker(0);
        packet(&mut t, start, &[0]);
        assert!(!t.should_send_sack());
        assert_eq!(t.poll_timeout(), Some(start + DELAY));
        let later = start + Duration::from_millis(10);
        packet(&mut t, later, &[1, 2]);
        assert!(t.should_send_sack());
        assert_eq!(t.poll_timeout(), None);
        t.create_sack(0);
        assert!(!t.should_send_sack());

        // The timer runs from the first unacknowledged chunk.
        packet(&mut t, later, &[3]);
        assert_eq!(t.poll_timeout(), Some(later + DELAY));
        t.handle_timeout(later + DELAY - Duration::from_millis(1));
        assert!(!t.should_send_sack(), "early call changes nothing");
        t.handle_timeout(later + DELAY);
        assert!(t.should_send_sack());
        assert_eq!(t.poll_timeout(), None);
        t.create_sack(0);
        assert_eq!(t.poll_timeout(), None);
    }

    #[test]
    fn immediate_sack_triggers() {
        let now = Instant::now();
        // I bit.
        let mut t = tracker(0);
        t.observe(now, Tsn(0), true);
        t.observe_packet_end(now);
        assert!(t.should_send_sack());
        // A gap.
        let mut t = tracker(0);
        packet(&mut t, now, &[1]);
        assert!(t.should_send_sack());
        t.create_sack(0);
        // Still a gap: every packet.
        packet(&mut t, now, &[2]);
        assert!(t.should_send_sack());
        t.create_sack(0);
        // Filling it.
        packet(&mut t, now, &[0]);
        assert!(t.should_send_sack());
        assert!(!t.has_gaps());
        t.create_sack(0);
        // A duplicate.
        let s = packet(&mut t, now, &[2]);
        assert!(s.all_duplicates());
        assert!(t.should_send_sack());
        // No data at all: nothing.
        let mut t = tracker(0);
        assert_eq!(t.observe_packet_end(now), PacketSummary::default());
        assert!(!t.should_send_sack());
        assert_eq!(t.poll_timeout(), None);
    }

    #[test]
    fn refused_for_buffer_space_makes_a_sack_due() {
        let now = Instant::now();
        let mut t = tracker(0);
        t.note_refused();
        let s = t.observe_packet_end(now);
        assert_eq!(s.refused, 1);
        assert!(!s.all_duplicates());
        assert!(t.should_send_sack());
        assert_eq!(t.cumulative_tsn_ack(), Tsn(u32::MAX));
    }

    #[test]
    fn zero_delay_acks_every_packet() {
        let now = Instant::now();
        let config = DataTrackerConfig {
            delayed_ack_timeout: Duration::ZERO,
            ..DataTrackerConfig::default()
        };
        let mut t = DataTracker::with_config(Tsn(0), config);
        packet(&mut t, now, &[0]);
        assert!(t.should_send_sack());
        assert_eq!(t.poll_timeout(), None);
    }

    #[test]
    fn forward_tsn_moves_the_ack_over_abandoned_and_received_data() {
        let now = Instant::now();
        let mut t = tracker(0);
        for n in [0, 3, 4, 6, 9] {
            t.observe(now, Tsn(n), false);
        }
        t.create_sack(0);
        // 1-2 abandoned: the ack moves to 2, then on over 3-4 that arrived.
        assert!(t.handle_forward_tsn(Tsn(2)));
        assert_eq!(t.cumulative_tsn_ack(), Tsn(4));
        assert!(t.should_send_sack());
        assert_eq!(blocks(&t.create_sack(0)), vec![(2, 2), (5, 5)]);
        // Into the middle of nothing, past a range.
        assert!(t.handle_forward_tsn(Tsn(7)));
        assert_eq!(t.cumulative_tsn_ack(), Tsn(7));
        assert_eq!(blocks(&t.create_sack(0)), vec![(2, 2)]);
        // Out of date: no change, but a SACK is due.
        assert!(!t.handle_forward_tsn(Tsn(5)));
        assert_eq!(t.cumulative_tsn_ack(), Tsn(7));
        assert!(t.should_send_sack());
        // Straddling a range: 8 abandoned, 9 arrived.
        t.observe(now, Tsn(10), false);
        assert!(t.handle_forward_tsn(Tsn(8)));
        assert_eq!(t.cumulative_tsn_ack(), Tsn(10));
        assert!(!t.has_gaps());
    }

    #[test]
    fn forward_tsn_ending_inside_a_range_takes_the_whole_range() {
        let now = Instant::now();
        let mut t = tracker(0);
        for n in [5, 6, 7, 8] {
            t.observe(now, Tsn(n), false);
        }
        assert!(t.handle_forward_tsn(Tsn(6)));
        assert_eq!(t.cumulative_tsn_ack(), Tsn(8));
        assert!(!t.has_gaps());
    }
}
