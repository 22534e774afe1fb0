//! Data chunks sent and not yet cumulatively acknowledged.
//!
//! Chunks are kept in a ring indexed by TSN (`VecDeque`, front = the TSN after
//! the cumulative ack point), so finding a chunk by TSN is an index, and a SACK
//! costs time in proportion to what it changes, never to what is in flight:
//!
//! * the cumulative ack pops chunks off the front (each chunk once);
//! * gap blocks are compared with the previous SACK's blocks, so only TSNs
//!   newly covered are visited;
//! * miss indications (RFC 9260 §7.2.4) visit only the holes between blocks;
//! * chunks waiting for retransmission sit in an ordered set of their own.
//!
//! Only a T3-rtx expiry visits every chunk in flight, and that is a timeout,
//! not a packet.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use crate::chunk::data::DataChunk;
use crate::chunk::forward_tsn::SkippedStream;
use crate::chunk::iforward_tsn::SkippedMessage;
use crate::chunk::sack::GapAckBlock;
use crate::congestion::delivery_rate::{DeliveryRate, RateSample, SendSnapshot};
use crate::tx::send_queue::MessageId;
use crate::tx::stamp::{Epoch, Stamp};
use crate::types::{Data, StreamId, Tsn};

/// Miss indications after which a chunk is fast-retransmitted (RFC 9260 §7.2.4).
const FAST_RETRANSMIT_THRESHOLD: u8 = 3;

/// Partial-reliability limits of the message a chunk belongs to (RFC 3758).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkLimits {
    /// Retransmissions allowed before the message is abandoned (`None`: no limit).
    pub max_retransmits: Option<u16>,
    /// Instant after which the message is abandoned instead of retransmitted.
    pub expires_at: Option<Instant>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Sent and counted in the flight size.
    InFlight,
    /// Declared lost; waits in `to_retransmit`; not in flight.
    Lost,
    /// Covered by a gap ack block.
    Acked,
    /// Given up (PR-SCTP); skipped by FORWARD-TSN.
    Abandoned,
}

/// One chunk's record: 96 bytes, one per chunk in flight (with 100-byte
/// messages some 8,000 of them), so its times are [`Stamp`]s, its fields
/// are no wider than they need be, and its delivery-rate snapshot lives in
/// [`RateTracker`], kept only for a controller that reads rate samples.
#[derive(Debug)]
struct Item {
    data: Data,
    message_id: MessageId,
    /// When the message expires ([`Stamp::NEVER`]: no lifetime).
    expires_at: Stamp,
    sent_at: Stamp,
    /// Bytes the chunk counts for in flight size and peer window (a
    /// chunk's length field has 16 bits, so any chunk's size fits).
    size: u16,
    max_retransmits: Option<u16>,
    state: State,
    nack_count: u8,
    retransmissions: u16,
    fast_retransmitted: bool,
    /// TSNs from `tsn + sent_after` on were first sent after this chunk's
    /// last transmission: their arrival without it says that transmission
    /// was lost.
    sent_after: u32,
}

/// A message given up under its partial-reliability limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbandonedMessage {
    /// The stream the message was sent on.
    pub stream_id: StreamId,
    /// The sender-side identity passed to [`OutstandingData::insert`].
    pub message_id: MessageId,
    /// Whether fragments of the message were never sent: the send queue must
    /// drop the rest of it.
    pub unsent_remainder: bool,
}

/// What a miss indication did.
enum Nack {
    /// Nothing to resend: counted below the threshold, or not counted.
    Nothing,
    /// The chunk reached the threshold for the first time.
    FastRetransmit,
    /// The chunk's fast retransmission reached it: lost again.
    RetransmissionLost,
}

/// What one SACK changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AckOutcome {
    /// Bytes newly acknowledged, by cumulative ack or gap blocks.
    pub bytes_acked: u64,
    /// Whether the cumulative ack point moved forward.
    pub cumulative_advanced: bool,
    /// An RTT measurement (Karn's rule: never from a retransmitted chunk).
    pub rtt: Option<Duration>,
    /// Chunks that reached the fast-retransmit threshold with this SACK.
    pub newly_fast_retransmit: usize,
    /// Fast retransmissions found lost with this SACK: data sent after
    /// them arrived three times without them. They go again at once
    /// rather than after T3-rtx (RFC 8985 §3.4 detects lost
    /// retransmissions the same way; RFC 9260 alone waits for the timer).
    pub lost_retransmissions: usize,
    /// The highest TSN this SACK newly acknowledged.
    pub highest_newly_acked: Option<Tsn>,
    /// How fast the path delivered, from the newest chunk acknowledged.
    pub rate_sample: Option<RateSample>,
}

/// Why a SACK was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SackError {
    /// The SACK acknowledges a TSN that was never sent (protocol violation).
    #[error("SACK acknowledges TSN {0:?}, which was never sent")]
    AcksUnsentTsn(Tsn),
}

/// Delivery-rate sampling: the estimator and, per chunk in flight, the
/// delivery state when it was last sent. Only BBR reads the samples; for
/// NewReno the 32-byte snapshots would be a quarter of every chunk's record.
#[derive(Debug, Default)]
struct RateTracker {
    delivery: DeliveryRate,
    /// One per item of [`OutstandingData::items`], in the same order.
    snapshots: VecDeque<SendSnapshot>,
}

/// The send side's record of every DATA/I-DATA chunk not yet cumulatively acked.
#[derive(Debug)]
pub struct OutstandingData {
    items: VecDeque<Item>,
    /// Unwrapped TSN of `items[0]`; the cumulative ack point is `base - 1`.
    base: u64,
    flight_bytes: u64,
    outstanding_bytes: u64,
    /// Unwrapped TSNs of `Lost` chunks, lowest first.
    to_retransmit: BTreeSet<u64>,
    /// The previous SACK's gap blocks as unwrapped inclusive ranges.
    acked_ranges: Vec<(u64, u64)>,
    /// Reused scratch for the new SACK's ranges.
    scratch: Vec<(u64, u64)>,
    /// One chunk timed per round trip (RFC 9260 §6.3.1 C4-C5).
    rtt_probe: Option<u64>,
    abandoned: VecDeque<AbandonedMessage>,
    /// Unwrapped advanced peer ack point (RFC 3758 §3.5), at least `base - 1`.
    advanced_peer_ack: u64,
    /// `None` unless the congestion controller reads rate samples.
    rate: Option<RateTracker>,
    /// What the stamps count from: fixed by the first chunk sent.
    epoch: Option<Epoch>,
}

impl OutstandingData {
    /// Nothing outstanding; the first chunk sent gets `initial_tsn`.
    /// `rate_samples`: measure delivery rates (see
    /// [`CongestionController::uses_rate_samples`](crate::congestion::CongestionController::uses_rate_samples)).
    pub fn new(initial_tsn: Tsn, rate_samples: bool) -> Self {
        // Unwrapped TSNs start at 2^32 so `base - 1` never underflows.
        let base = (1u64 << 32) + u64::from(initial_tsn.0);
        Self {
            items: VecDeque::new(),
            base,
            flight_bytes: 0,
            outstanding_bytes: 0,
            to_retransmit: BTreeSet::new(),
            acked_ranges: Vec::new(),
            scratch: Vec::new(),
            rtt_probe: None,
            abandoned: VecDeque::new(),
            advanced_peer_ack: base - 1,
            rate: rate_samples.then(RateTracker::default),
            epoch: None,
        }
    }

    /// What stamps count from; the first call fixes it at `now`.
    fn epoch(&mut self, now: Instant) -> Epoch {
        *self.epoch.get_or_insert(Epoch::new(now))
    }

    /// The sender has less to send than the windows allow: rate samples
    /// until what is in flight now is acknowledged measure the application.
    pub fn note_app_limited(&mut self) {
        if let Some(r) = &mut self.rate {
            r.delivery.set_app_limited(self.flight_bytes);
        }
    }

    fn wire(t: u64) -> Tsn {
        Tsn(t as u32)
    }

    /// Places a wire TSN on the unwrapped line near the cumulative ack point.
    fn unwrap(&self, tsn: Tsn) -> u64 {
        let reference = self.base - 1;
        let delta = tsn.0.wrapping_sub(reference as u32) as i32;
        (reference as i64 + i64::from(delta)) as u64
    }

    fn end(&self) -> u64 {
        self.base + self.items.len() as u64
    }

    fn item_mut(&mut self, tsn: u64) -> Option<&mut Item> {
        let idx = tsn.checked_sub(self.base)?;
        self.items.get_mut(usize::try_from(idx).ok()?)
    }

    /// The TSN the next new chunk gets.
    pub fn next_tsn(&self) -> Tsn {
        Self::wire(self.end())
    }

    /// The cumulative TSN ack point: everything up to it was acknowledged.
    pub fn cumulative_tsn_ack(&self) -> Tsn {
        Self::wire(self.base - 1)
    }

    /// Bytes in flight (sent, not acked, not declared lost).
    pub fn flight_bytes(&self) -> u64 {
        self.flight_bytes
    }

    /// Bytes of every chunk not yet acknowledged, in flight or not; what the
    /// peer may still have to buffer.
    pub fn outstanding_bytes(&self) -> u64 {
        self.outstanding_bytes
    }

    /// Number of chunks not cumulatively acknowledged.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is outstanding.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether chunks wait for retransmission.
    pub fn has_data_to_retransmit(&self) -> bool {
        !self.to_retransmit.is_empty()
    }

    /// Whether any chunk is in flight (the T3-rtx timer must run).
    pub fn has_in_flight(&self) -> bool {
        self.flight_bytes > 0
    }

    /// Records a chunk sent for the first time; returns its TSN.
    ///
    /// `size` is what it counts for against cwnd and the peer's window (the
    /// chunk's size on the wire). `message_id` identifies its user message so
    /// that abandoning one fragment abandons them all.
    pub fn insert(
        &mut self,
        now: Instant,
        data: Data,
        size: u32,
        message_id: MessageId,
        limits: ChunkLimits,
    ) -> Tsn {
        let tsn = self.end();
        let epoch = self.epoch(now);
        let sent_at = epoch.stamp(now);
        let expires_at = epoch.deadline(limits.expires_at);
        if let Some(r) = &mut self.rate {
            let snapshot = r.delivery.on_send(sent_at, self.flight_bytes == 0);
            r.snapshots.push_back(snapshot);
        }
        // Never wider than 16 bits (above); saturating keeps the totals
        // consistent, since they add and subtract the stored size.
        let size = u16::try_from(size).unwrap_or(u16::MAX);
        self.items.push_back(Item {
            data,
            message_id,
            expires_at,
            sent_at,
            size,
            max_retransmits: limits.max_retransmits,
            state: State::InFlight,
            nack_count: 0,
            retransmissions: 0,
            fast_retransmitted: false,
            sent_after: 1,
        });
        self.flight_bytes += u64::from(size);
        self.outstanding_bytes += u64::from(size);
        if self.rtt_probe.is_none() {
            self.rtt_probe = Some(tsn);
        }
        Self::wire(tsn)
    }

    /// Applies a SACK's cumulative ack and gap blocks (RFC 9260 §6.2.1, §7.2.4).
    ///
    /// A SACK whose cumulative ack is behind the current one is stale
    /// (reordered) and changes nothing. `in_fast_recovery` selects the
    /// miss-indication rule.
    pub fn handle_sack(
        &mut self,
        now: Instant,
        cumulative_tsn_ack: Tsn,
        gap_ack_blocks: &[GapAckBlock],
        in_fast_recovery: bool,
    ) -> Result<AckOutcome, SackError> {
        let now = self.epoch(now).stamp(now);
        let cum = self.unwrap(cumulative_tsn_ack);
        let mut out = AckOutcome::default();
        if cum < self.base - 1 {
            return Ok(out);
        }
        if cum >= self.end() {
            return Err(SackError::AcksUnsentTsn(cumulative_tsn_ack));
        }
        let mut highest_new: Option<u64> = None;
        let mut rtt_probe_acked = false;

        // Cumulative part: pop chunks off the front.
        if cum >= self.base {
            out.cumulative_advanced = true;
            while self.base <= cum {
                let Some(item) = self.items.pop_front() else {
                    break;
                };
                let tsn = self.base;
                self.base += 1;
                self.forget(&item, tsn);
                let snapshot = self.rate.as_mut().and_then(|r| r.snapshots.pop_front());
                if item.state != State::Acked && item.state != State::Abandoned {
                    if let (Some(r), Some(snapshot)) = (&mut self.rate, snapshot) {
                        r.delivery.on_acked(
                            now,
                            &snapshot,
                            item.sent_at,
                            u32::from(item.size),
                            item.retransmissions > 0,
                        );
                    }
                    out.bytes_acked += u64::from(item.size);
                    highest_new = Some(tsn);
                    if self.rtt_probe == Some(tsn) && item.retransmissions == 0 {
                        rtt_probe_acked = true;
                        out.rtt = Some(now.saturating_since(item.sent_at));
                    }
                }
            }
            if self.advanced_peer_ack < self.base - 1 {
                self.advanced_peer_ack = self.base - 1;
            }
            // An abandoned chunk may now be at the front.
            self.update_advanced_peer_ack();
        }
        if self.rtt_probe.is_some_and(|p| p < self.base) && !rtt_probe_acked {
            self.rtt_probe = None;
        }

        // Gap blocks: new ranges, clipped to what was sent; malformed blocks
        // (start > end, out of order) are ignored block by block.
        let mut ranges = std::mem::take(&mut self.scratch);
        ranges.clear();
        let end = self.end();
        let mut last_end = cum;
        for block in gap_ack_blocks {
            let start = cum + u64::from(block.start);
            let stop = cum + u64::from(block.end);
            if block.start == 0 || start > stop || start <= last_end {
                continue;
            }
            if stop >= end {
                self.scratch = ranges;
                return Err(SackError::AcksUnsentTsn(Self::wire(stop)));
            }
            ranges.push((start, stop));
            last_end = stop;
        }

        // Newly acked: in `ranges` but not in the previous ranges.
        let mut prev = 0;
        for &(start, stop) in &ranges {
            let mut t = start;
            while t <= stop {
                while prev < self.acked_ranges.len() && self.acked_ranges[prev].1 < t {
                    prev += 1;
                }
                let covered_until = match self.acked_ranges.get(prev) {
                    Some(&(ps, pe)) if ps <= t => pe.min(stop),
                    _ => {
                        let next_prev = self.acked_ranges.get(prev).map_or(u64::MAX, |r| r.0);
                        let new_until = stop.min(next_prev.saturating_sub(1));
                        for tsn in t..=new_until {
                            if self.ack_by_gap(now, tsn, &mut out) {
                                highest_new = Some(tsn);
                            }
                        }
                        t = new_until + 1;
                        continue;
                    }
                };
                // Already acked in an earlier SACK, but it may have been
                // reneged and re-acked: make sure its state says so.
                for tsn in t..=covered_until {
                    if self
                        .item_mut(tsn)
                        .is_some_and(|i| i.state != State::Acked && i.state != State::Abandoned)
                    {
                        self.ack_by_gap(now, tsn, &mut out);
                        highest_new = Some(tsn);
                    }
                }
                t = covered_until + 1;
            }
        }

        // Reneged: acked before, above the cumulative ack, not acked now
        // (RFC 9260 §6.2.1: the receiver dropped them). Resend them later.
        let mut next = 0;
        let old = std::mem::take(&mut self.acked_ranges);
        for &(ps, pe) in &old {
            for tsn in ps.max(self.base)..=pe {
                while next < ranges.len() && ranges[next].1 < tsn {
                    next += 1;
                }
                let still = ranges.get(next).is_some_and(|r| r.0 <= tsn);
                if !still {
                    self.renege(tsn);
                }
            }
        }
        self.acked_ranges = ranges;
        self.scratch = old;

        if let Some(h) = highest_new {
            out.highest_newly_acked = Some(Self::wire(h));
            // Miss indications for the holes below the highest TSN newly
            // acked (HTNA); in fast recovery with the cumulative ack moving,
            // for every hole reported.
            let limit = if in_fast_recovery && out.cumulative_advanced {
                self.acked_ranges.last().map_or(h, |r| r.1)
            } else {
                h
            };
            let mut hole_start = self.base;
            for i in 0..self.acked_ranges.len() {
                let (rs, re) = self.acked_ranges[i];
                let hole_end = (rs - 1).min(limit);
                for tsn in hole_start..=hole_end {
                    match self.nack(tsn, h) {
                        Nack::Nothing => {}
                        Nack::FastRetransmit => out.newly_fast_retransmit += 1,
                        Nack::RetransmissionLost => out.lost_retransmissions += 1,
                    }
                }
                hole_start = re + 1;
                if hole_start > limit {
                    break;
                }
            }
        }
        if let Some(p) = self.rtt_probe
            && let Some(item) = self.item_mut(p)
            && item.state == State::Acked
        {
            if item.retransmissions == 0 && out.rtt.is_none() {
                out.rtt = Some(now.saturating_since(item.sent_at));
            }
            self.rtt_probe = None;
        }
        out.rate_sample = self.rate.as_mut().and_then(|r| r.delivery.take_sample(now));
        Ok(out)
    }

    /// Bookkeeping for a chunk leaving the queue by cumulative ack.
    fn forget(&mut self, item: &Item, tsn: u64) {
        match item.state {
            State::InFlight => {
                self.flight_bytes -= u64::from(item.size);
                self.outstanding_bytes -= u64::from(item.size);
            }
            State::Lost => {
                self.to_retransmit.remove(&tsn);
                self.outstanding_bytes -= u64::from(item.size);
            }
            State::Acked | State::Abandoned => {}
        }
    }

    fn ack_by_gap(&mut self, now: Stamp, tsn: u64, out: &mut AckOutcome) -> bool {
        let Some(item) = self.item_mut(tsn) else {
            return false;
        };
        let (state, size32) = (item.state, u32::from(item.size));
        let size = u64::from(size32);
        let (sent_at, rtx) = (item.sent_at, item.retransmissions > 0);
        match state {
            State::InFlight => {
                item.state = State::Acked;
                self.flight_bytes -= size;
                self.outstanding_bytes -= size;
            }
            State::Lost => {
                item.state = State::Acked;
                self.to_retransmit.remove(&tsn);
                self.outstanding_bytes -= size;
            }
            State::Acked | State::Abandoned => return false,
        }
        let idx = (tsn - self.base) as usize;
        if let Some(r) = &mut self.rate
            && let Some(snapshot) = r.snapshots.get(idx).copied()
        {
            r.delivery.on_acked(now, &snapshot, sent_at, size32, rtx);
        }
        out.bytes_acked += size;
        true
    }

    fn renege(&mut self, tsn: u64) {
        let Some(item) = self.item_mut(tsn) else {
            return;
        };
        if item.state == State::Acked {
            item.state = State::Lost;
            item.nack_count = 0;
            let size = u64::from(item.size);
            self.outstanding_bytes += size;
            self.mark_lost(tsn);
        }
    }

    /// One miss indication for the hole at `tsn` from a SACK whose highest
    /// newly acknowledged TSN is `highest_newly_acked`. A chunk already
    /// fast-retransmitted counts only SACKs of data sent after its
    /// retransmission (§7.2.4 fast-retransmits a chunk once; the older
    /// data in those SACKs says nothing about the retransmission).
    fn nack(&mut self, tsn: u64, highest_newly_acked: u64) -> Nack {
        let Some(item) = self.item_mut(tsn) else {
            return Nack::Nothing;
        };
        if item.state != State::InFlight
            || (item.fast_retransmitted && highest_newly_acked < tsn + u64::from(item.sent_after))
        {
            return Nack::Nothing;
        }
        item.nack_count = item.nack_count.saturating_add(1);
        if item.nack_count < FAST_RETRANSMIT_THRESHOLD {
            return Nack::Nothing;
        }
        let again = item.fast_retransmitted;
        item.fast_retransmitted = true;
        item.state = State::Lost;
        let size = u64::from(item.size);
        self.flight_bytes -= size;
        self.mark_lost(tsn);
        if again {
            Nack::RetransmissionLost
        } else {
            Nack::FastRetransmit
        }
    }

    /// Puts a `Lost` chunk in line for retransmission, or abandons its
    /// message if its limits say it may not be sent again.
    fn mark_lost(&mut self, tsn: u64) {
        let Some(item) = self.item_mut(tsn) else {
            return;
        };
        let out_of_retransmits = item
            .max_retransmits
            .is_some_and(|max| item.retransmissions >= max);
        if out_of_retransmits {
            self.abandon_message_of(tsn);
        } else {
            self.to_retransmit.insert(tsn);
        }
    }

    /// T3-rtx expired (RFC 9260 §6.3.3 E3): every chunk in flight is lost.
    /// Returns how many chunks were marked.
    pub fn expire_all_in_flight(&mut self) -> usize {
        let mut marked = 0;
        for i in 0..self.items.len() {
            if self.items[i].state == State::InFlight {
                let tsn = self.base + i as u64;
                let item = &mut self.items[i];
                item.state = State::Lost;
                item.nack_count = 0;
                // After a timeout a chunk may be fast-retransmitted again.
                item.fast_retransmitted = false;
                self.flight_bytes -= u64::from(item.size);
                self.mark_lost(tsn);
                marked += 1;
            }
        }
        self.rtt_probe = None;
        marked
    }

    /// The size of the next chunk waiting for retransmission.
    pub fn peek_retransmission_size(&self) -> Option<u32> {
        let &tsn = self.to_retransmit.first()?;
        let idx = usize::try_from(tsn - self.base).ok()?;
        self.items.get(idx).map(|i| u32::from(i.size))
    }

    /// Takes the lowest chunk waiting for retransmission if its size is at
    /// most `max_size`, marking it in flight again. Chunks whose message
    /// expired are abandoned on the way (RFC 3758 §3.5 A3).
    pub fn pop_retransmission(&mut self, now: Instant, max_size: u32) -> Option<DataChunk> {
        let now = self.epoch(now).stamp(now);
        loop {
            let &tsn = self.to_retransmit.first()?;
            let idx = usize::try_from(tsn - self.base).ok()?;
            let item = self.items.get(idx)?;
            if item.expires_at <= now {
                self.abandon_message_of(tsn);
                continue;
            }
            if u32::from(item.size) > max_size {
                return None;
            }
            self.to_retransmit.pop_first();
            let end = self.end();
            if let Some(r) = &mut self.rate {
                let snapshot = r.delivery.on_send(now, self.flight_bytes == 0);
                if let Some(slot) = r.snapshots.get_mut(idx) {
                    *slot = snapshot;
                }
            }
            let item = &mut self.items[idx];
            item.state = State::InFlight;
            item.sent_at = now;
            item.retransmissions = item.retransmissions.saturating_add(1);
            item.nack_count = 0;
            item.sent_after = u32::try_from(end - tsn).unwrap_or(u32::MAX);
            self.flight_bytes += u64::from(item.size);
            if self.rtt_probe == Some(tsn) {
                self.rtt_probe = None;
            }
            return Some(DataChunk {
                tsn: Self::wire(tsn),
                immediate_ack: false,
                data: item.data.clone(),
            });
        }
    }

    /// Abandons every fragment of the message the chunk `tsn` belongs to
    /// (RFC 3758 §3.5). Fragments of one message are contiguous with DATA and
    /// bounded by their B and E bits with I-DATA, so the scan stops there.
    fn abandon_message_of(&mut self, tsn: u64) {
        let Some(idx) = tsn
            .checked_sub(self.base)
            .and_then(|i| usize::try_from(i).ok())
        else {
            return;
        };
        let Some(item) = self.items.get(idx) else {
            return;
        };
        let id = item.message_id;
        let stream_id = item.data.stream_id;
        // Backwards to the first fragment.
        let mut i = idx;
        loop {
            let it = &self.items[i];
            if it.message_id == id && it.data.is_beginning {
                break;
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        let mut saw_end = false;
        for j in i..self.items.len() {
            if self.items[j].message_id != id {
                continue;
            }
            let t = self.base + j as u64;
            let it = &mut self.items[j];
            let size = u64::from(it.size);
            match it.state {
                State::InFlight => {
                    self.flight_bytes -= size;
                    self.outstanding_bytes -= size;
                }
                State::Lost => {
                    self.to_retransmit.remove(&t);
                    self.outstanding_bytes -= size;
                }
                State::Acked | State::Abandoned => {}
            }
            let it = &mut self.items[j];
            it.state = State::Abandoned;
            if it.data.is_end {
                saw_end = true;
                break;
            }
        }
        self.abandoned.push_back(AbandonedMessage {
            stream_id,
            message_id: id,
            unsent_remainder: !saw_end,
        });
        self.update_advanced_peer_ack();
    }

    /// Abandons a message because its lifetime ran out or the user gave it
    /// up; `tsn` is any of its fragments still outstanding. Returns false if
    /// the TSN is not outstanding.
    pub fn abandon(&mut self, tsn: Tsn) -> bool {
        let t = self.unwrap(tsn);
        if t < self.base || t >= self.end() {
            return false;
        }
        self.abandon_message_of(t);
        true
    }

    /// Abandons messages whose lifetime has run out among chunks in flight
    /// that have not been acked (called on T3-rtx and before sending a
    /// FORWARD-TSN, not per packet).
    pub fn expire_lifetimes(&mut self, now: Instant) {
        let now = self.epoch(now).stamp(now);
        let mut i = 0;
        while i < self.items.len() {
            let it = &self.items[i];
            if matches!(it.state, State::InFlight | State::Lost) && it.expires_at <= now {
                self.abandon_message_of(self.base + i as u64);
            }
            i += 1;
        }
    }

    /// Next message abandoned since the last call.
    pub fn poll_abandoned(&mut self) -> Option<AbandonedMessage> {
        self.abandoned.pop_front()
    }

    fn update_advanced_peer_ack(&mut self) {
        let mut t = self.advanced_peer_ack.max(self.base - 1) + 1;
        while let Some(item) = self.item_mut(t) {
            if !matches!(item.state, State::Acked | State::Abandoned) {
                break;
            }
            t += 1;
        }
        self.advanced_peer_ack = t - 1;
    }

    /// Whether abandoned data lets the peer's cumulative ack jump forward, so
    /// a FORWARD-TSN is due (RFC 3758 §3.5 C2).
    pub fn should_send_forward_tsn(&self) -> bool {
        self.advanced_peer_ack > self.base - 1
    }

    /// The FORWARD-TSN point and, for each ordered stream with abandoned
    /// messages below it, the highest SSN skipped.
    pub fn forward_tsn(&self) -> (Tsn, Vec<SkippedStream>) {
        let mut skipped: Vec<SkippedStream> = Vec::new();
        self.for_each_abandoned(|data| {
            if data.is_unordered {
                return;
            }
            match skipped.iter_mut().find(|s| s.stream_id == data.stream_id) {
                Some(s) => {
                    if data.ssn.is_after(s.ssn) {
                        s.ssn = data.ssn;
                    }
                }
                None => skipped.push(SkippedStream {
                    stream_id: data.stream_id,
                    ssn: data.ssn,
                }),
            }
        });
        (Self::wire(self.advanced_peer_ack), skipped)
    }

    /// The I-FORWARD-TSN form: highest MID skipped per stream and ordering.
    pub fn iforward_tsn(&self) -> (Tsn, Vec<SkippedMessage>) {
        let mut skipped: Vec<SkippedMessage> = Vec::new();
        self.for_each_abandoned(|data| {
            match skipped
                .iter_mut()
                .find(|s| s.stream_id == data.stream_id && s.unordered == data.is_unordered)
            {
                Some(s) => {
                    if data.mid.is_after(s.mid) {
                        s.mid = data.mid;
                    }
                }
                None => skipped.push(SkippedMessage {
                    stream_id: data.stream_id,
                    unordered: data.is_unordered,
                    mid: data.mid,
                }),
            }
        });
        (Self::wire(self.advanced_peer_ack), skipped)
    }

    fn for_each_abandoned(&self, mut f: impl FnMut(&Data)) {
        let count = (self.advanced_peer_ack + 1 - self.base) as usize;
        for item in self.items.iter().take(count) {
            if item.state == State::Abandoned {
                f(&item.data);
            }
        }
    }

    /// The send time of the oldest chunk in flight, for restarting T3-rtx.
    pub fn oldest_in_flight_sent_at(&self) -> Option<Instant> {
        let epoch = self.epoch?;
        self.items
            .iter()
            .find(|i| i.state == State::InFlight)
            .map(|i| epoch.instant(i.sent_at))
    }
}

#[cfg(test)]
impl OutstandingData {
    /// Recomputes every running total the slow way.
    fn check_invariants(&self) {
        if let Some(r) = &self.rate {
            assert_eq!(
                r.snapshots.len(),
                self.items.len(),
                "one snapshot per chunk"
            );
        }
        let mut flight = 0;
        let mut outstanding = 0;
        let mut lost = BTreeSet::new();
        for (i, item) in self.items.iter().enumerate() {
            match item.state {
                State::InFlight => {
                    flight += u64::from(item.size);
                    outstanding += u64::from(item.size);
                }
                State::Lost => {
                    outstanding += u64::from(item.size);
                    lost.insert(self.base + i as u64);
                }
                State::Acked | State::Abandoned => {}
            }
        }
        assert_eq!(flight, self.flight_bytes);
        assert_eq!(outstanding, self.outstanding_bytes);
        assert_eq!(lost, self.to_retransmit);
        assert!(self.advanced_peer_ack + 1 >= self.base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One record per chunk in flight: it stays at 96 bytes.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_chunk_record_takes_96_bytes() {
        assert_eq!(size_of::<Item>(), 96);
    }
    use crate::types::{Ppid, Ssn};
    use bytes::Bytes;

    fn data(stream: u16, ssn: u16, b: bool, e: bool) -> Data {
        Data {
            stream_id: StreamId(stream),
            ssn: Ssn(ssn),
            ppid: Ppid(53),
            payload: Bytes::from_static(&[0; 100]),
            is_beginning: b,
            is_end: e,
            ..Data::default()
        }
    }

    fn filled(n: u32, now: Instant) -> OutstandingData {
        let mut o = OutstandingData::new(Tsn(u32::MAX - 2), true);
        send(&mut o, 0..n, now);
        o
    }

    /// Sends one 116-byte single-chunk message per index.
    fn send(o: &mut OutstandingData, indices: std::ops::Range<u32>, now: Instant) {
        for i in indices {
            o.insert(
                now,
                data(1, i as u16, true, true),
                116,
                MessageId::for_test(u64::from(i)),
                ChunkLimits::default(),
            );
        }
    }

    fn gap(start: u16, end: u16) -> GapAckBlock {
        GapAckBlock { start, end }
    }

    #[test]
    fn cumulative_ack_pops_and_measures_rtt_across_tsn_wrap() {
        let t0 = Instant::now();
        let mut o = filled(10, t0);
        assert_eq!(o.flight_bytes(), 1160);
        let t1 = t0 + Duration::from_millis(30);
        let r = o.handle_sack(t1, Tsn(1), &[], false).unwrap(); // 5 chunks: MAX-2..=1
        assert!(r.cumulative_advanced);
        assert_eq!(r.bytes_acked, 5 * 116);
        assert_eq!(r.rtt, Some(Duration::from_millis(30)));
        assert_eq!(o.len(), 5);
        assert_eq!(o.flight_bytes(), 5 * 116);
        assert_eq!(o.cumulative_tsn_ack(), Tsn(1));
        // A stale SACK changes nothing.
        let r = o.handle_sack(t1, Tsn(0), &[], false).unwrap();
        assert_eq!(r, AckOutcome::default());
        assert_eq!(
            o.handle_sack(t1, Tsn(7), &[], false),
            Err(SackError::AcksUnsentTsn(Tsn(7)))
        );
    }

    #[test]
    fn a_lost_fast_retransmission_is_found_by_data_sent_after_it() {
        let t0 = Instant::now();
        let mut o = filled(8, t0);
        let first = o.cumulative_tsn_ack().next();
        let cum = o.cumulative_tsn_ack();
        for end in 1..4u16 {
            o.handle_sack(t0, cum, &[gap(2, end + 1)], false).unwrap();
        }
        assert_eq!(o.pop_retransmission(t0, 1200).unwrap().tsn, first);
        // Chunks 9..=12 go out after the retransmission.
        send(&mut o, 8..12, t0);
        // SACKs of the older chunks say nothing about the retransmission.
        for end in 4..8u16 {
            let r = o.handle_sack(t0, cum, &[gap(2, end + 1)], false).unwrap();
            assert_eq!((r.newly_fast_retransmit, r.lost_retransmissions), (0, 0));
        }
        // Three SACKs of newer chunks without it: lost again, and only then.
        for (k, end) in [(1, 9u16), (2, 10), (3, 11)] {
            let r = o.handle_sack(t0, cum, &[gap(2, end)], false).unwrap();
            assert_eq!(r.newly_fast_retransmit, 0);
            assert_eq!(r.lost_retransmissions, usize::from(k == 3), "sack {k}");
        }
        assert_eq!(o.pop_retransmission(t0, 1200).unwrap().tsn, first);
        assert!(o.pop_retransmission(t0, 1200).is_none());
        let r = o.handle_sack(t0, cum.plus(12), &[], false).unwrap();
        assert!(r.cumulative_advanced);
        assert!(o.is_empty());
        assert_eq!(o.flight_bytes(), 0);
    }

    #[test]
    fn three_miss_indications_trigger_fast_retransmit_once() {
        let t0 = Instant::now();
        let mut o = filled(8, t0);
        let first = o.cumulative_tsn_ack().next();
        let cum = o.cumulative_tsn_ack();
        // TSN `first` lost; later ones arrive one by one.
        for (k, end) in [(1, 1u16), (2, 2), (3, 3)].into_iter() {
            let r = o.handle_sack(t0, cum, &[gap(2, end + 1)], false).unwrap();
            assert_eq!(r.bytes_acked, 116, "sack {k}");
            assert_eq!(r.newly_fast_retransmit, usize::from(k == 3));
        }
        assert!(o.has_data_to_retransmit());
        assert_eq!(o.flight_bytes(), 4 * 116);
        let c = o.pop_retransmission(t0, 1200).unwrap();
        assert_eq!(c.tsn, first);
        assert!(o.pop_retransmission(t0, 1200).is_none());
        // More miss reports do not trigger a second fast retransmit.
        for end in 4..7 {
            let r = o.handle_sack(t0, cum, &[gap(2, end + 1)], false).unwrap();
            assert_eq!(r.newly_fast_retransmit, 0);
        }
        let r = o.handle_sack(t0, cum.plus(8), &[], false).unwrap();
        assert!(r.cumulative_advanced);
        // The retransmitted chunk gives no RTT sample (Karn).
        assert!(o.is_empty());
        assert_eq!(o.flight_bytes(), 0);
        assert_eq!(o.outstanding_bytes(), 0);
    }

    #[test]
    fn repeated_gap_blocks_are_not_counted_twice() {
        let t0 = Instant::now();
        let mut o = filled(6, t0);
        let cum = o.cumulative_tsn_ack();
        let r = o.handle_sack(t0, cum, &[gap(2, 4)], false).unwrap();
        assert_eq!(r.bytes_acked, 3 * 116);
        let r = o.handle_sack(t0, cum, &[gap(2, 5)], false).unwrap();
        assert_eq!(r.bytes_acked, 116);
        assert_eq!(r.highest_newly_acked, Some(cum.plus(5)));
        let r = o.handle_sack(t0, cum.plus(5), &[], false).unwrap();
        assert_eq!(r.bytes_acked, 116, "only the first chunk was still unacked");
        assert_eq!(o.flight_bytes(), 116);
    }

    #[test]
    fn reneged_chunks_are_resent() {
        let t0 = Instant::now();
        let mut o = filled(4, t0);
        let cum = o.cumulative_tsn_ack();
        o.handle_sack(t0, cum, &[gap(2, 3)], false).unwrap();
        assert_eq!(o.outstanding_bytes(), 2 * 116);
        o.handle_sack(t0, cum, &[], false).unwrap();
        assert_eq!(o.outstanding_bytes(), 4 * 116);
        assert!(o.has_data_to_retransmit());
        assert_eq!(o.pop_retransmission(t0, 2000).unwrap().tsn, cum.plus(2));
    }

    #[test]
    fn t3_expiry_marks_everything_in_flight_lost() {
        let t0 = Instant::now();
        let mut o = filled(5, t0);
        let cum = o.cumulative_tsn_ack();
        o.handle_sack(t0, cum, &[gap(3, 3)], false).unwrap();
        assert_eq!(o.expire_all_in_flight(), 4);
        assert_eq!(o.flight_bytes(), 0);
        assert_eq!(o.outstanding_bytes(), 4 * 116);
        let mut tsns = Vec::new();
        while let Some(c) = o.pop_retransmission(t0, 116) {
            tsns.push(c.tsn);
        }
        assert_eq!(
            tsns,
            vec![cum.plus(1), cum.plus(2), cum.plus(4), cum.plus(5)]
        );
        assert_eq!(o.flight_bytes(), 4 * 116);
        // Too small a budget returns nothing and keeps the chunk queued.
        o.expire_all_in_flight();
        assert!(o.pop_retransmission(t0, 115).is_none());
        assert!(o.has_data_to_retransmit());
    }

    /// Rate samples come from the snapshots a chunk keeps from its last
    /// send, by cumulative ack and by gap block alike; without rate
    /// sampling there are neither.
    #[test]
    fn rate_samples_only_when_asked_for() {
        let t0 = Instant::now();
        for rate_samples in [true, false] {
            let mut o = OutstandingData::new(Tsn(1), rate_samples);
            for i in 0..4 {
                let at = t0 + Duration::from_millis(i);
                o.insert(
                    at,
                    data(1, 0, true, true),
                    1000,
                    MessageId::for_test(i),
                    ChunkLimits::default(),
                );
            }
            let later = t0 + Duration::from_millis(20);
            let by_gap = o
                .handle_sack(later, Tsn(0), &[GapAckBlock { start: 2, end: 2 }], false)
                .unwrap();
            let by_cum = o
                .handle_sack(later + Duration::from_millis(5), Tsn(4), &[], false)
                .unwrap();
            if rate_samples {
                let s = by_gap
                    .rate_sample
                    .expect("a sample from the gap-acked chunk");
                assert_eq!(
                    (s.delivered, s.rtt),
                    (1000, Some(Duration::from_millis(19)))
                );
                let s = by_cum
                    .rate_sample
                    .expect("a sample from the cumulative ack");
                assert_eq!(s.total_delivered, 4000);
            } else {
                assert_eq!((by_gap.rate_sample, by_cum.rate_sample), (None, None));
            }
            o.check_invariants();
        }
    }

    #[test]
    fn max_retransmits_zero_abandons_whole_message_and_forwards_tsn() {
        let t0 = Instant::now();
        let mut o = OutstandingData::new(Tsn(100), true);
        let lim = ChunkLimits {
            max_retransmits: Some(0),
            expires_at: None,
        };
        // Message 7: three fragments on stream 2 (ordered, SSN 4), then message 8.
        o.insert(
            t0,
            data(2, 4, true, false),
            116,
            MessageId::for_test(7),
            lim,
        );
        o.insert(
            t0,
            data(2, 4, false, false),
            116,
            MessageId::for_test(7),
            lim,
        );
        o.insert(
            t0,
            data(2, 4, false, true),
            116,
            MessageId::for_test(7),
            lim,
        );
        o.insert(t0, data(2, 5, true, true), 116, MessageId::for_test(8), lim);
        // The first fragment takes its two siblings with it.
        assert_eq!(o.expire_all_in_flight(), 2);
        assert!(!o.has_data_to_retransmit());
        assert_eq!(o.flight_bytes(), 0);
        assert_eq!(o.outstanding_bytes(), 0);
        assert!(o.should_send_forward_tsn());
        let (fwd, skipped) = o.forward_tsn();
        assert_eq!(fwd, Tsn(103));
        assert_eq!(
            skipped,
            vec![SkippedStream {
                stream_id: StreamId(2),
                ssn: Ssn(5)
            }]
        );
        let a = o.poll_abandoned().unwrap();
        assert_eq!(
            (a.message_id, a.unsent_remainder),
            (MessageId::for_test(7), false)
        );
        assert_eq!(
            o.poll_abandoned().unwrap().message_id,
            MessageId::for_test(8)
        );
        o.handle_sack(t0, Tsn(103), &[], false).unwrap();
        assert!(o.is_empty());
        assert!(!o.should_send_forward_tsn());
    }

    #[test]
    fn partially_sent_message_reports_unsent_remainder() {
        let t0 = Instant::now();
        let mut o = OutstandingData::new(Tsn(1), true);
        let lim = ChunkLimits {
            max_retransmits: None,
            expires_at: Some(t0 + Duration::from_millis(50)),
        };
        let tsn = o.insert(
            t0,
            data(3, 0, true, false),
            116,
            MessageId::for_test(1),
            lim,
        );
        o.expire_all_in_flight();
        // Not yet expired: retransmitted.
        assert!(
            o.pop_retransmission(t0 + Duration::from_millis(10), 200)
                .is_some()
        );
        o.expire_all_in_flight();
        assert!(
            o.pop_retransmission(t0 + Duration::from_millis(60), 200)
                .is_none()
        );
        let a = o.poll_abandoned().unwrap();
        assert!(a.unsent_remainder);
        assert_eq!(o.forward_tsn().0, tsn);
    }

    #[test]
    fn abandoned_front_with_gap_acked_chunks_forward_tsn_reaches_past_them() {
        let t0 = Instant::now();
        let mut o = OutstandingData::new(Tsn(10), true);
        let lim = ChunkLimits {
            max_retransmits: Some(0),
            expires_at: None,
        };
        o.insert(t0, data(1, 0, true, true), 116, MessageId::for_test(1), lim);
        o.insert(
            t0,
            data(1, 1, true, true),
            116,
            MessageId::for_test(2),
            ChunkLimits::default(),
        );
        o.insert(
            t0,
            data(1, 2, true, true),
            116,
            MessageId::for_test(3),
            ChunkLimits::default(),
        );
        // 11 and 12 acked by gap; 10 reaches 3 misses over three SACKs.
        for _ in 0..3 {
            o.handle_sack(t0, Tsn(9), &[gap(2, 3)], false).ok();
        }
        // First SACK acked both; later ones acked nothing new, so 10 has 1 miss.
        assert!(!o.should_send_forward_tsn());
        o.expire_all_in_flight();
        assert_eq!(o.forward_tsn().0, Tsn(12));
    }

    proptest::proptest! {
        /// A model receiver gets a random subset of what is sent; SACKs built
        /// from it (sometimes stale, sometimes lost) keep every total exact,
        /// and once everything arrives the queue empties.
        #[test]
        fn random_loss_keeps_totals_exact(
            ops in proptest::collection::vec((0u8..5, 0u8..100), 1..300),
            start in proptest::prelude::any::<u32>(),
            rate_samples in proptest::prelude::any::<bool>(),
        ) {
            use std::collections::BTreeSet as Set;
            let t0 = Instant::now();
            let mut o = OutstandingData::new(Tsn(start), rate_samples);
            let mut received: Set<u64> = Set::new();
            let mut next_id = 0u64;
            let mut old_sacks: Vec<(Tsn, Vec<GapAckBlock>)> = Vec::new();
            let sack_of = |received: &Set<u64>| {
                let mut cum = u64::from(start) + (1 << 32) - 1;
                while received.contains(&(cum + 1)) { cum += 1; }
                let mut blocks = Vec::new();
                let mut iter = received.range(cum + 1..).peekable();
                while let Some(&s) = iter.next() {
                    let mut e = s;
                    while iter.peek() == Some(&&(e + 1)) { e = *iter.next().unwrap(); }
                    blocks.push(GapAckBlock { start: (s - cum) as u16, end: (e - cum) as u16 });
                }
                (Tsn(cum as u32), blocks)
            };
            for (op, arg) in ops {
                let now = t0 + Duration::from_millis(u64::from(arg));
                match op {
                    0 | 1 => {
                        let limits = if arg % 3 == 0 {
                            ChunkLimits { max_retransmits: Some(u16::from(arg % 2)), expires_at: None }
                        } else { ChunkLimits::default() };
                        let tsn = o.insert(now, data(1, 0, true, true), 50 + u32::from(arg), MessageId::for_test(next_id), limits);
                        next_id += 1;
                        if arg % 4 != 0 {
                            received.insert(o.unwrap(tsn));
                        }
                    }
                    2 => {
                        let (cum, blocks) = sack_of(&received);
                        o.handle_sack(now, cum, &blocks, arg % 2 == 0).unwrap();
                        old_sacks.push((cum, blocks));
                    }
                    3 => {
                        if let Some((cum, blocks)) = old_sacks.get(usize::from(arg) % old_sacks.len().max(1)) {
                            o.handle_sack(now, *cum, blocks, false).unwrap();
                        } else {
                            o.expire_all_in_flight();
                        }
                    }
                    _ => {
                        if arg % 2 == 0 { o.expire_all_in_flight(); }
                        while let Some(c) = o.pop_retransmission(now, 1000) {
                            if arg % 3 != 0 { received.insert(o.unwrap(c.tsn)); }
                        }
                    }
                }
                o.check_invariants();
            }
            // Deliver everything, then acknowledge: the queue empties
            // (abandoned chunks are acked by the FORWARD-TSN's effect).
            for _ in 0..4 {
                o.expire_all_in_flight();
                let now = t0;
                while let Some(c) = o.pop_retransmission(now, 1000) {
                    received.insert(o.unwrap(c.tsn));
                }
                let (fwd, _) = o.forward_tsn();
                if o.should_send_forward_tsn() {
                    let f = o.unwrap(fwd);
                    let first = o.base;
                    for t in first..=f { received.insert(t); }
                }
                let (cum, blocks) = sack_of(&received);
                o.handle_sack(now, cum, &blocks, false).unwrap();
                o.check_invariants();
            }
            proptest::prop_assert!(o.is_empty());
        }
    }
}
